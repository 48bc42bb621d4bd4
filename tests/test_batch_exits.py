"""Exits over a batch: every run's dissolutions and dropouts applied at once are those it applies alone.

``exits`` applies the requests of all the runs of a batch together: a student named by
several requests is concerned by the first that finds it still placed (or in the
programme), as a run alone applying them one after the other; each request's ratings use
its run's weights, and are added to the hosts' sums in each run's order. Frequent
requests of every kind (dropouts, hosts ending placements, apprentices leaving, dropouts
after a dissolution), in runs differing in the parameters exits reads, must give every
run exactly its results alone, event log included.
"""

from __future__ import annotations

from same_run import assert_same_run

from sim.model import run_batch, run_one
from sim.scenario import resolve_scenario, with_overrides


def test_a_batch_with_many_exits_of_every_kind_equals_the_runs_alone() -> None:
    base = resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 80,
                                                        "attrition.dropout_rate_per_year": 0.5,
                                                        "attrition.termination_rate_per_year": 0.6,
                                                        "attrition.apprentice_leave_rate_per_year": 0.6,
                                                        "attrition.new_placement_share_after_dissolution": 0.4,
                                                        "attrition.leave_school_share_without_new_placement": 0.5})
    points = [
        base,
        with_overrides(base, {"attrition.new_placement_share_after_dissolution": 0.1,
                              "attrition.leave_school_share_without_new_placement": 0.9,
                              "evaluation.host_skill_fit_weight": 0.9, "evaluation.host_retention_weight": 0.05},
                       "leavers"),
        with_overrides(base, {"attrition.new_placement_share_after_dissolution": 0.9,
                              "attrition.dropout_rate_per_year": 1.5,
                              "evaluation.host_contribution_weight": 0.7}, "dropouts"),
        resolve_scenario("scenarios/alternating.yaml", {"intake.cohort_size": 50,  # another calendar's fallback
                                                        "attrition.termination_rate_per_year": 0.8,
                                                        "simulation.horizon_years": base.simulation.horizon_years}),
    ]
    seeds = [31, 32, 33, 34]
    batched = run_batch(points, seeds, events=True)
    seen: set[tuple[str, str]] = set()
    for scenario, seed, b in zip(points, seeds, batched, strict=True):
        alone = run_one(scenario, seed, events=True)
        assert_same_run(alone, b)
        seen |= set(zip(alone.events["event"], alone.events["reason"], strict=True))
    assert {("dropout", "dropout"), ("dropout", "after_termination"), ("termination", "host_ended"),
            ("termination", "apprentice_left"), ("termination", "dropout")} <= seen
