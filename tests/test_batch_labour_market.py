"""The labour market over a batch: every run's cohorts looked at at once, each dealt with as its run alone.

``labour_market`` finds the cohorts choosing paths, deciding on offers, searching,
graduating and followed up this week over all the runs of a batch at once
(``Batch.cohorts``). Runs whose search starts, hosts' observation, follow-up cut-off, job
loss and calendars differ must each give exactly their results alone.
"""

from __future__ import annotations

from same_run import assert_same_run

from sim.model import run_batch, run_one
from sim.scenario import resolve_scenario, with_overrides


def test_a_batch_whose_runs_differ_in_the_labour_market_timing_equals_the_runs_alone() -> None:
    base = resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 60})
    points = [
        base,
        with_overrides(base, {"labour_market.job_search_weeks_before_graduation": 4,
                              "labour_market.host_min_observation_weeks": 2,
                              "labour_market.initial_employment_cutoff_weeks": 20,
                              "labour_market.job_loss_rate_per_year": 0.3}, "late search"),
        with_overrides(base, {"labour_market.job_search_weeks_before_graduation": 40,
                              "labour_market.host_min_observation_weeks": 30,
                              "labour_market.initial_employment_cutoff_weeks": 0}, "early search"),
        resolve_scenario("scenarios/traditional.yaml", {"intake.cohort_size": 40,
                                                        "simulation.horizon_years": base.simulation.horizon_years}),
        resolve_scenario("scenarios/alternating.yaml", {"intake.cohort_size": 45,
                                                        "simulation.horizon_years": base.simulation.horizon_years}),
    ]
    seeds = [41, 42, 43, 44, 45]
    batched = run_batch(points, seeds, events=True)
    for scenario, seed, b in zip(points, seeds, batched, strict=True):
        assert_same_run(run_one(scenario, seed, events=True), b)
