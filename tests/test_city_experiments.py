"""A city file in every experiment: run_one, TalentModel, compare, sweep and calibrate (issue 18, item 1).

A city's run is the same whichever door it comes through: the experiment machinery runs
``sim.city.run_city`` with the point's values as overrides, so each check compares an
experiment's numbers with a direct city run of the same overrides and seed, exactly.
"""

from __future__ import annotations

import json
import pickle
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

import sim
from sim.calibration.posterior import posterior_draws
from sim.calibration.spec import CalibrationFileError
from sim.city import CityResult, city_outcome_names, run_city
from sim.cli import main
from sim.experiments.seeds import replication_seeds
from sim.experiments.spec import SweepFileError
from sim.model import EnterpriseAgent, SchoolMentorAgent, TalentModel
from sim.model_version import MODEL_VERSION
from sim.scenario import ScenarioError
from sim.scenario.city_loading import CitySource, city_hash, load_city
from tests.same_run import assert_same_run
from tests.test_city_run import write_city

FIRMS_KEY = "enterprises.equipment_manufacturing.count"


def city_row(result: CityResult) -> pd.Series:
    table = result.summary_table()
    return table[table["level"] == "city"].iloc[0]


def test_a_scenario_key_sets_every_programme_and_a_programmes_own_key_wins(tmp_path: Path) -> None:
    path = write_city(tmp_path)
    plan = load_city(path, {"attrition.termination_rate_per_year": 0.2,
                            "programmes.b.attrition.termination_rate_per_year": 0.05})
    rates = {p.name: p.scenario.attrition.termination_rate_per_year for p in plan.programmes}
    assert rates == {"a": 0.2, "b": 0.05}
    # a key of the city's own (labour_market.searcher_elasticity) stays the city's, not a programme's
    plan = load_city(path, {"labour_market.searcher_elasticity": 0.3})
    assert plan.labour_market.searcher_elasticity == 0.3


def test_run_one_of_a_city_file_is_the_city_run(tmp_path: Path) -> None:
    path = write_city(tmp_path, a_cohort=240)
    result = sim.run_one(str(path), 3, events=True, **{FIRMS_KEY: 8})
    assert isinstance(result, CityResult)
    direct = run_city(load_city(path, {FIRMS_KEY: 8}), 3, events=True)
    for name in direct.programmes:
        assert_same_run(direct.programmes[name], result.programmes[name])
    pd.testing.assert_frame_equal(direct.summary_table(), result.summary_table(), check_exact=True)


def test_talent_model_steps_a_city_week_by_week_as_run_city_does(tmp_path: Path) -> None:
    path = write_city(tmp_path, a_cohort=240)
    model = TalentModel(path, seed=4, events=True)
    model.run()
    direct = run_city(load_city(path), 4, events=True)
    stepped = model.city_result()
    for name in direct.programmes:
        assert_same_run(direct.programmes[name], stepped.programmes[name])
    assert model.summary()["placement_rate"] == city_row(direct)["placement_rate"]
    # Mesa's agents: the pool's firms once, each programme's school mentors with their programme
    firms = model.agents_by_type[EnterpriseAgent]
    assert len(firms) == 12
    mentors = model.agents_by_type[SchoolMentorAgent]
    by_programme = {name: len(group) for name, group in mentors.groupby("programme")}
    assert by_programme == {name: world.school_mentors.n for name, world in model.programme_worlds.items()}
    # the weekly series counts every programme's students; the firms once
    frame = model.datacollector.get_model_vars_dataframe()
    last = {name: run.timeseries.iloc[-1] for name, run in direct.programmes.items()}
    assert frame["n_employee"].iloc[-1] == sum(row["n_employee"] for row in last.values())
    assert frame["n_participating_enterprises"].iloc[-1] == last["a"]["n_participating_enterprises"]


def test_an_agent_of_a_programme_reads_and_writes_its_own_programmes_arrays(tmp_path: Path) -> None:
    model = TalentModel(write_city(tmp_path), seed=1)
    agent = next(a for a in model.agents_by_type[SchoolMentorAgent] if a.programme == "b")
    agent.teaching_quality = 0.123
    assert model.programme_worlds["b"].school_mentors.teaching_quality[agent.index] == 0.123
    assert model.programme_worlds["a"].school_mentors.teaching_quality[agent.index] != 0.123


def test_compare_of_city_files_pairs_their_replications(tmp_path: Path) -> None:
    base, more = write_city(tmp_path / "base"), write_city(tmp_path / "more", firms=24)
    result = sim.compare([str(base), str(more)], 2, 11)
    seeds = result.per_run["seed"].to_numpy()
    assert (seeds[:2] == seeds[2:]).all()  # common random numbers: replication k of each city shares its seed
    first = result.per_run.iloc[2]
    direct = run_city(load_city(more), int(first["seed"]), students=False).outcomes()
    assert first["placement_rate"] == direct["placement_rate"]
    assert first["programmes.b.placement_rate"] == direct["programmes.b.placement_rate"]
    diff = result.differences.set_index("outcome").loc["placement_rate"]
    assert diff["mean"] > 0  # more firms, more places, in both replications


def test_a_city_compared_with_itself_through_compare_differs_by_exactly_nothing(tmp_path: Path) -> None:
    path = str(write_city(tmp_path))
    result = sim.compare([path, path], 2, 5)
    assert (result.differences["mean"].dropna() == 0).all()


def test_a_city_sweep_gives_what_each_point_run_alone_gives(tmp_path: Path) -> None:
    write_city(tmp_path / "city")
    spec = {"base": "city/city.yaml", "design": "grid", "seed": 2, "reps": 2,
            "parameters": {FIRMS_KEY: {"levels": [6, 24]},
                           "programmes.a.attrition.termination_rate_per_year": {"levels": [0.05]}}}
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    result = sim.sweep(tmp_path / "sweep.yaml")
    for row in result.results.to_dict("records"):
        values = {FIRMS_KEY: row[FIRMS_KEY], "programmes.a.attrition.termination_rate_per_year": 0.05}
        direct = run_city(load_city(tmp_path / "city" / "city.yaml", values), int(row["seed"]),
                          students=False).outcomes()
        for name in ("placement_rate", "programmes.a.placement_rate", "schools.Poly.employment_rate_6m",
                     "public_cost_yuan"):
            assert row[name] == direct[name] or (np.isnan(row[name]) and np.isnan(direct[name])), name
    means = result.point_means().set_index(FIRMS_KEY)
    assert means.loc[24, "placement_rate"] > means.loc[6, "placement_rate"]


def test_a_city_sweep_refuses_a_key_or_value_the_city_does_not_take(tmp_path: Path) -> None:
    write_city(tmp_path / "city")
    spec: dict[str, Any] = {"base": "city/city.yaml", "design": "grid", "seed": 2,
                            "parameters": {"enterprises.no_such_sector.count": {"levels": [6]}}}
    with pytest.raises(SweepFileError, match=re.escape("enterprises.no_such_sector.count")):
        sim.sweep(spec | {"base": str(tmp_path / "city" / "city.yaml")})
    spec["parameters"] = {FIRMS_KEY: {"levels": [6, -1]}}
    with pytest.raises(SweepFileError, match=re.escape(FIRMS_KEY)):
        sim.sweep(spec | {"base": str(tmp_path / "city" / "city.yaml")})


def test_a_city_sweep_on_the_command_line_writes_its_results_and_resumes(tmp_path: Path,
                                                                         capsys: pytest.CaptureFixture[str]) -> None:
    write_city(tmp_path / "city")
    spec = {"base": "city/city.yaml", "design": "grid", "seed": 2, "reps": 1,
            "parameters": {"bureau.city_subsidy_yuan_per_apprentice_year": {"levels": [0.0, 5000.0]}}}
    (tmp_path / "sweep.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(out), "--no-charts"]) == 0
    first = pd.read_parquet(out / "results.parquet")
    assert first["city_subsidy_yuan"].iloc[0] == 0 and first["city_subsidy_yuan"].iloc[1] > 0
    manifest = yaml.safe_load((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["base_scenario"]["city_file"].endswith("city.yaml")
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(out), "--no-charts"]) == 0  # resumes
    pd.testing.assert_frame_equal(first, pd.read_parquet(out / "results.parquet"), check_exact=True)


def test_a_city_read_from_another_folder_is_the_same_city(tmp_path: Path) -> None:
    path = write_city(tmp_path / "one")
    shutil.copytree(tmp_path / "one", tmp_path / "two")
    assert city_hash(load_city(path)) == city_hash(load_city(tmp_path / "two" / "city.yaml"))
    assert city_hash(load_city(path)) != city_hash(load_city(path, {FIRMS_KEY: 13}))
    source = CitySource.read(path, {FIRMS_KEY: 13})
    again = pickle.loads(pickle.dumps(source))
    assert city_hash(again.plan) == city_hash(source.plan) and again.overrides == {FIRMS_KEY: 13}


def calibration(tmp_path: Path, **changes: Any) -> Path:
    write_city(tmp_path / "city")
    spec: dict[str, Any] = {
        "name": "town", "method": "optuna", "seed": 3, "reps": 1, "budget": {"simulations": 6},
        "scenarios": {"town": "city/city.yaml"},
        "parameters": {"attrition.termination_rate_per_year": {"prior": "uniform", "bounds": [0.02, 0.3]},
                       "competition.log_odds_per_doubling_of_competitors": {"prior": "uniform",
                                                                            "bounds": [-0.5, 0.0]}},
        "targets": [{"scenario": "town", "outcome": "programmes.a.placement_rate", "value": 0.3, "se": 0.05,
                     "source": "a test"},
                    {"scenario": "town", "outcome": "employment_rate_6m", "band": [0.8, 0.97], "source": "a test"}]}
    spec.update(changes)
    (tmp_path / "cal.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    return tmp_path / "cal.yaml"


def test_a_city_calibrates_and_its_fitted_city_runs_with_the_fitted_values(tmp_path: Path) -> None:
    result = sim.calibrate(calibration(tmp_path), out=tmp_path / "out")
    fitted_city = tmp_path / "out" / "fitted" / "town.yaml"
    assert fitted_city in result.fitted_files
    plan = load_city(fitted_city)
    for key, value in result.fitted.items():
        if key.startswith("competition."):
            assert plan.competition.log_odds_per_doubling_of_competitors == value
        else:
            assert all(p.scenario.attrition.termination_rate_per_year == value for p in plan.programmes)
    # the fitted city is the calibrated city with the fitted values: its run is the same, seed for seed
    original = load_city(tmp_path / "city" / "city.yaml", dict(result.fitted))
    a, b = run_city(plan, 9, students=False), run_city(original, 9, students=False)
    for name in a.programmes:
        assert a.programmes[name].summary == b.programmes[name].summary


def test_a_city_target_must_name_an_outcome_of_the_city(tmp_path: Path) -> None:
    targets = [{"scenario": "town", "outcome": "programmes.c.placement_rate", "value": 0.3, "se": 0.05,
                "source": "a test"}]
    with pytest.raises(CalibrationFileError, match=r"targets\[0\]\.outcome"):
        sim.calibrate(calibration(tmp_path, targets=targets), out=tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_the_outcome_names_a_city_declares_are_those_its_runs_give(tmp_path: Path) -> None:
    plan = load_city(write_city(tmp_path, vacancies=100))
    given = set(run_city(plan, 1, students=False).outcomes())
    assert given <= set(city_outcome_names(plan))
    assert {"placement_rate", "programmes.a.placement_rate", "schools.Poly.placement_rate",
            "tax_expenditure_yuan", "searchers_per_vacancy_met"} <= given


def test_a_city_plan_with_overrides_is_refused_in_one_sentence(tmp_path: Path) -> None:
    plan = load_city(write_city(tmp_path))
    with pytest.raises(ValueError, match="already resolved"):
        TalentModel(plan, seed=1, **{FIRMS_KEY: 3})
    with pytest.raises(ScenarioError, match="no_such_programme"):
        sim.run_one(str(tmp_path / "city.yaml"), 1, **{"programmes.no_such_programme.intake.cohort_size": 3})



def fake_posterior(folder: Path, key: str, values: list[float]) -> Path:
    """A finished ABC-SMC folder as far as ``--posterior`` reads one: its manifest and weighted particles."""
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({
        "kind": "calibrate", "method": "abc-smc", "model_version": MODEL_VERSION,
        "parameters": [{"key": key, "prior": "uniform", "bounds": [min(values), max(values)]}]}), encoding="utf-8")
    pd.DataFrame({key: values, "weight": [1.0 / len(values)] * len(values)}).to_parquet(folder / "posterior.parquet")
    return folder


def test_cities_compared_over_posterior_draws_run_draw_k_in_every_programme(tmp_path: Path) -> None:
    key = "attrition.termination_rate_per_year"
    posterior = fake_posterior(tmp_path / "fit", key, [0.05, 0.3])
    base, more = write_city(tmp_path / "base"), write_city(tmp_path / "more", firms=24)
    out = tmp_path / "cmp"
    assert main(["compare", str(base), str(more), "--reps", "2", "--posterior", str(posterior),
                 "--out", str(out)]) == 0
    assert (out / "posterior_differences.csv").is_file()
    runs = pd.read_parquet(out / "runs.parquet")
    draws = posterior_draws(posterior, 2, 1)
    seeds = replication_seeds(1, 2)
    for rep in range(2):
        row = runs[(runs["city"] == "0:two_colleges") & (runs["rep"] == rep) & (runs["name"] == "b")].iloc[:1]
        direct = run_city(load_city(base, dict(draws[rep])), seeds[rep], students=False)
        assert row["placement_rate"].iloc[0] == direct.programmes["b"].summary["placement_rate"]
    assert not runs.columns.str.contains(key, regex=False).any()  # the drawn parameter is not an outcome


def test_a_model_function_is_refused_for_cities(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(write_city(tmp_path))
    code = main(["compare", path, path, "--model", "tests.calibration_toys:normal_mean", "--out",
                 str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "--model" in err and not (tmp_path / "o").exists()


def test_firms_added_in_one_sector_leave_another_sectors_weekly_luck_as_it_was(tmp_path: Path) -> None:
    """Item 2: a firm's draws are keyed by its sector and index within it, the weekly ones too (reviews,
    vacancies, decisions, its mentors' training and turnover). The manufacturing firms offer more places than
    the students need, so no apprentice reaches a finance firm: with draws by position in the pool, the finance
    firms listed after 20 more manufacturing firms would meet other luck."""
    pools = []
    for name, manufacturing in (("few", 40), ("more", 60)):
        path = write_city(tmp_path / name, firms=manufacturing)
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["enterprises"].append({"sector": "finance_commerce", "count": 10})
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        model = TalentModel(path, seed=6, mesa_agents=False, collect=False)
        model.run()
        pools.append(model.world)
    few, more = pools
    finance_few, finance_more = slice(40, 50), slice(60, 70)
    assert np.isnan(few.enterprises.last_net_cost_per_apprentice_week[finance_few]).all()  # none hosted
    for name in ("review_week", "participating", "vacancies"):
        assert np.array_equal(getattr(few.enterprises, name)[finance_few],
                              getattr(more.enterprises, name)[finance_more]), name
    em_few = few.enterprise_mentors.enterprise >= 40
    em_more = more.enterprise_mentors.enterprise >= 60
    for name in ("pedagogical_skill", "technical_skill", "vacant_until"):
        assert np.array_equal(getattr(few.enterprise_mentors, name)[em_few],
                              getattr(more.enterprise_mentors, name)[em_more]), name
