"""Replications of cities simulated together (``sim.city.run_cities``, ``Batch.of_cities``): issue 18, item 9.

Each city of a batch of cities must be exactly the city run alone: every programme's
summary, time series, events and student records, the city's training market and totals.
The group index with a pool per city is checked on known answers, and a phase that reads
one city's pool cannot run over several cities by mistake.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.city import CityResult, build_city, run_cities, run_city
from sim.cli import main
from sim.engine.batch import Batch
from sim.engine.groups import GroupIndex
from sim.experiments.models import talent_model, talent_model_batch
from sim.phases import weekly_phases
from sim.scenario import load_scenario
from sim.scenario.city import city_of_one
from sim.scenario.city_loading import CitySource, load_city
from tests.same_run import assert_same_run
from tests.test_city_run import write_city

SHIPPED = Path("scenarios/city")
SHORT = {"simulation.horizon_years": 2}
"""Two years: every mechanism of the shipped city acts (placements, exams, the bureau's year), and the test is quick."""


def assert_same_city(alone: CityResult, together: CityResult) -> None:
    """Everything a city returns, compared exactly (its wall time aside)."""
    assert list(together.programmes) == list(alone.programmes)
    for name, run in alone.programmes.items():
        assert_same_run(run, together.programmes[name])
        assert together.programmes[name].extra == run.extra
    assert list(together.city_firms) == list(alone.city_firms)
    for name, value in alone.city_firms.items():
        other = together.city_firms[name]
        assert other == value or (math.isnan(value) and math.isnan(other)), (name, value, other)
    pd.testing.assert_frame_equal(together.pool_training_market, alone.pool_training_market, check_exact=True)


@pytest.mark.parametrize("numba", ["1", "0"], ids=["compiled", "numpy"])
def test_each_city_of_a_batch_of_cities_is_the_city_alone(numba: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two replications of the shipped city and one of two of its variants, in one batch: each as alone."""
    monkeypatch.setenv("TALENTSIM_NUMBA", numba)
    plans = [load_city(SHIPPED / "shenyang.yaml", SHORT), load_city(SHIPPED / "shenyang.yaml", SHORT),
             load_city(SHIPPED / "shenyang_b_certify_30_more.yaml", SHORT),
             load_city(SHIPPED / "shenyang_c_one_shared_base.yaml", SHORT)]
    seeds = [1, 2, 1, 3]
    together = run_cities(plans, seeds, events=True)
    assert [r.seed for r in together] == seeds
    for plan, seed, result in zip(plans, seeds, together, strict=True):
        assert_same_city(run_city(plan, seed, events=True), result)


def test_cities_whose_firms_act_on_different_parameters_are_each_the_city_alone() -> None:
    """The pools' parameters differ (``Batch.param`` of a shared population answers pool by pool)."""
    variants = [SHORT,
                {**SHORT, "enterprise_mentors.turnover_rate_per_year": 0.4, "funding.firms_pay_mentor_allowance": True,
                 "enterprise_mentors.min_frontline_years": 5, "contact.adjustment_rate_per_week": 0.2},
                {**SHORT, "incentives.demonstration_unit_titles": True, "incentives.mentor_honours": True,
                 "learning.noise_sd": 0.3,
                 "enterprise_mentors.guidance_hours_per_week": 2.0}]
    plans = [load_city(SHIPPED / "shenyang.yaml", v) for v in variants]
    together = run_cities(plans, [1, 1, 2], events=True)
    for plan, seed, result in zip(plans, [1, 1, 2], together, strict=True):
        assert_same_city(run_city(plan, seed, events=True), result)
    assert together[0].city_firms != together[1].city_firms  # the variants differ


def test_cities_with_and_without_labour_demand_each_keep_their_own_open_market(tmp_path: Path) -> None:
    """Each city's searchers compete for its own sectors' vacancies; a city without demand keeps today's market."""
    scarce = load_city(write_city(tmp_path / "scarce", a_cohort=240, vacancies=20))
    open_market = load_city(write_city(tmp_path / "open"))
    plans, seeds = [scarce, open_market, scarce], [1, 1, 2]
    together = run_cities(plans, seeds, events=True)
    for plan, seed, result in zip(plans, seeds, together, strict=True):
        assert_same_city(run_city(plan, seed, events=True), result)
    assert "searchers_per_vacancy_met" in together[0].city_firms
    assert "searchers_per_vacancy_met" not in together[1].city_firms


def test_cities_of_different_horizons_or_without_a_pool_run_apart_with_the_same_results() -> None:
    """A city of one programme keeping its own firms, and a city of another horizon: each as alone, in order."""
    own_firms = city_of_one(load_scenario(None, {"intake.cohort_size": 60, **SHORT}))
    plans = [load_city(SHIPPED / "shenyang.yaml", SHORT), own_firms,
             load_city(SHIPPED / "shenyang.yaml", {"simulation.horizon_years": 1})]
    together = run_cities(plans, [5, 5, 6], events=True)
    for plan, seed, result in zip(plans, [5, 5, 6], together, strict=True):
        assert_same_city(run_city(plan, seed, events=True), result)


def test_a_batch_of_cities_steps_the_phases_that_span_cities_once_and_the_others_city_by_city() -> None:
    cities = [build_city(load_city(SHIPPED / "shenyang.yaml", SHORT), seed) for seed in (1, 2, 3)]
    batch = Batch.of_cities(cities)
    seen: dict[str, list[Batch]] = {}
    for phase in weekly_phases():
        if phase.over_batch:
            step = phase.step
            object.__setattr__(phase, "step", lambda b, name=phase.name, step=step: (seen.setdefault(name, [])
                                                                                      .append(b), step(b)))
            phase.run(batch)
    assert seen["learning"] == [batch] and seen["attrition"] == [batch]
    assert seen["placement"] == cities and seen["bureau"] == cities


def test_a_citys_arrays_and_ledgers_are_views_of_the_batch_of_cities() -> None:
    cities = [build_city(load_city(SHIPPED / "shenyang.yaml", SHORT), seed) for seed in (1, 2)]
    batch = Batch.of_cities(cities)
    second = cities[1]
    n_first = cities[0].students.n
    batch.students.theory[n_first] = 123.0
    assert second.students.theory[0] == 123.0 and second.worlds[0].students.theory[0] == 123.0
    batch.enterprises.coordination[cities[0].enterprises.n] = 0.25
    assert second.pool is not None and second.pool.enterprises.coordination[0] == 0.25
    assert second.worlds[-1].enterprises is second.pool.enterprises
    last = batch.n_runs - 1
    batch.ledgers.balance[last, 0] = 7.0
    assert second.ledgers.balance[-1, 0] == 7.0 and second.worlds[-1].ledger.balance[0] == 7.0


def test_a_phase_reading_one_citys_pool_cannot_run_over_several_cities() -> None:
    cities = [build_city(load_city(SHIPPED / "shenyang.yaml", SHORT), seed) for seed in (1, 2)]
    batch = Batch.of_cities(cities)
    with pytest.raises(RuntimeError, match="pool per city"):
        _ = batch.pool
    assert cities[0].pool is not None and batch.shares_pool and batch.firm_worlds() == batch.pools


def test_the_group_index_of_two_cities_puts_each_groups_pool_indices_in_its_pools_block() -> None:
    """Three programmes (two of city 0, one of city 1); pools of 5 and 4 firms, of 3 and 2 mentors."""
    index = GroupIndex.from_sizes({"students": [2, 3, 4], "school_mentors": [1, 1, 2], "enterprises": [5, 4],
                                   "enterprise_mentors": [3, 2]}, frozenset({"enterprises", "enterprise_mentors"}),
                                  pool_of=[0, 0, 1])
    assert index.n_pools == 2 and index.blocks("enterprises") == [slice(0, 5), slice(5, 9)]
    assert index.block("enterprises", 1) == slice(0, 5) and index.block("enterprises", 2) == slice(5, 9)
    assert index.group_starts("enterprises").tolist() == [0, 0, 5]
    assert index.pool_of_group().tolist() == [0, 0, 1] and index.pool_group_starts().tolist() == [0, 2, 3]
    assert index.pool_of_agent("enterprise_mentors").tolist() == [0, 0, 0, 1, 1]
    # a student's host (local to its pool) and a mentor's employer, as positions in the concatenated arrays
    assert index.offsets("enterprises", "students").tolist() == [0] * 5 + [5] * 4
    assert index.offsets("enterprises", "enterprise_mentors").tolist() == [0, 0, 0, 5, 5]
    local = np.array([4, -1, 0, 3])
    assert index.to_global("enterprises", local, np.array([0, 1, 2, 2])).tolist() == [4, -1, 5, 8]
    with pytest.raises(ValueError):
        GroupIndex.from_sizes({"students": [2, 3], "school_mentors": [1, 1], "enterprises": [5],
                               "enterprise_mentors": [3]}, frozenset({"enterprises", "enterprise_mentors"}),
                              pool_of=[0, 1])


def test_the_batched_model_runs_a_citys_replications_together_with_the_outcomes_of_each_alone() -> None:
    """What ``--batch`` runs for a comparison or sweep of a city file: the same outcomes as run one by one."""
    source = CitySource.read(SHIPPED / "shenyang.yaml", SHORT)
    params = [{}, {}, {"bureau.city_subsidy_yuan_per_apprentice_year": 5000},
              {"enterprises.equipment_manufacturing.count": 900, "programmes.hv_software.intake.cohort_size": 400}]
    seeds = [1, 2, 1, 3]  # sweep points of a city: pools of different sizes, programmes of different intakes
    together = talent_model_batch(params, [source] * len(params), seeds)
    for p, seed, outcomes in zip(params, seeds, together, strict=True):
        alone = talent_model(p, source, seed)
        assert list(outcomes) == list(alone)
        assert all(outcomes[k] == v or (math.isnan(v) and math.isnan(outcomes[k])) for k, v in alone.items())


def test_talentsim_run_batches_a_citys_replications_with_the_same_folder(tmp_path: Path,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """``run CITY --reps 3 --batch 2`` writes the tables ``--batch 1`` writes (wall times aside)."""
    path = write_city(tmp_path / "city", vacancies=30)
    tables = []
    for batch in ("1", "2"):
        out = tmp_path / f"out{batch}"
        assert main(["run", str(path), "--out", str(out), "--reps", "3", "--workers", "1", "--batch", batch]) == 0, \
            capsys.readouterr().err
        tables.append((pd.read_parquet(out / "city_summary.parquet"),
                       pd.read_parquet(out / "programmes" / "a" / "timeseries.parquet"),
                       pd.read_parquet(out / "training_market.parquet")))
    for one, two in zip(*tables, strict=True):
        timed = [c for c in one.columns if "wall" in c]
        pd.testing.assert_frame_equal(one.drop(columns=timed), two.drop(columns=timed), check_exact=True)


def test_a_failing_replication_in_a_batch_is_named_in_one_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """The batch fails; each replication is run again alone, and the message names the one that fails alone."""
    import sim.city
    from sim.experiments.seeds import replication_seeds

    failing = replication_seeds(0, 3)[1]
    original = sim.city.build_city

    def broken(plan: Any, seed: int, *args: Any, **kwargs: Any) -> Any:
        if seed == failing:
            raise RuntimeError("the pool ran dry")
        return original(plan, seed, *args, **kwargs)

    monkeypatch.setattr(sim.city, "build_city", broken)
    path = write_city(tmp_path / "city")
    code = main(["run", str(path), "--reps", "3", "--seed", "0", "--workers", "1", "--batch", "3",
                 "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "the pool ran dry" in err and str(failing) in err
