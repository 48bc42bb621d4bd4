"""Running a city (sim.city): programmes sharing one pool of firms, in one batch.

Issue 18's tests for the engine: a city of one runs as its scenario, bit for bit; the
internship caps and the mentors' places hold across programmes; students and money are
conserved per programme; paired seeds show the competition for places (doubling one
programme's intake lowers another's placement rate where places are scarce, more firms
raise both); adding a programme leaves the others' draws as they were; programmes that
disagree on what their shared firms do are refused with one message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from sim.city import build_city, run_city
from sim.cli import main
from sim.engine.clock import WeeklyClock
from sim.engine.population import OPEN_MARKET
from sim.model import run_one
from sim.phases import weekly_phases
from sim.scenario import load_scenario
from sim.scenario.city import city_of_one
from sim.scenario.city_loading import load_city
from sim.scenario.loading import ScenarioError
from tests.same_run import assert_same_run

PROGRAMME: dict[str, Any] = {"intake": {"cohort_size": 120, "n_cohorts": 2, "n_sectors": 1},
                             "simulation": {"horizon_years": 5}}
"""A small programme: two cohorts of 120 in one sector, five years (every cohort followed up)."""


def write_city(folder: Path, *, a_cohort: int = 120, firms: int = 12, programmes: tuple[str, ...] = ("a", "b"),
               changes: dict[str, dict[str, Any]] | None = None, vacancies: int | None = None) -> Path:
    """A city of ``programmes`` (each ``PROGRAMME``) in one sector with ``firms`` firms; ``a`` enrols ``a_cohort``."""
    (folder / "programmes").mkdir(parents=True, exist_ok=True)
    for name in programmes:
        content = {**PROGRAMME, **(changes or {}).get(name, {})}
        (folder / "programmes" / f"{name}.yaml").write_text(yaml.safe_dump(content), encoding="utf-8")
    specs = [{"name": name, "school": "Poly", "scenario": f"programmes/{name}.yaml",
              "sectors": ["equipment_manufacturing"]} for name in programmes]
    if a_cohort != PROGRAMME["intake"]["cohort_size"]:
        specs[0]["cohort_sizes_from_year"] = {0: a_cohort}
    city = {"name": "two_colleges", "sectors": ["equipment_manufacturing", "finance_commerce"],
            "schools": [{"name": "Poly", "level": "higher"}], "programmes": specs,
            "enterprises": [{"sector": "equipment_manufacturing", "count": firms}]}
    if vacancies is not None:
        city["labour_demand"] = [{"sector": "equipment_manufacturing", "vacancies_per_year": [vacancies]}]
    path = folder / "city.yaml"
    path.write_text(yaml.safe_dump(city), encoding="utf-8")
    return path


def placement_rates(path: Path, seed: int) -> dict[str, float]:
    result = run_city(load_city(path), seed, students=False)
    return {name: run.summary["placement_rate"] for name, run in result.programmes.items()}


def test_a_programme_scenario_as_a_city_of_one_runs_as_the_scenario() -> None:
    scenario = load_scenario(None, {"intake.cohort_size": 150, "enterprises.count": 20})
    city = run_city(city_of_one(scenario), 3, events=True)
    alone = run_one(scenario, 3, events=True)
    assert_same_run(alone, city.programmes[scenario.name])


def test_a_city_file_of_one_programme_without_a_pool_keeps_the_programmes_firms(tmp_path: Path) -> None:
    path = write_city(tmp_path, programmes=("a",))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["enterprises"]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    city = run_city(load_city(path), 5, events=True)
    alone = run_one(load_scenario(tmp_path / "programmes" / "a.yaml"), 5, events=True)
    result = city.programmes["a"]
    result.scenario_name = alone.scenario_name  # the city names the programme; the run is the same
    assert_same_run(alone, result)


def test_caps_and_mentor_places_hold_across_programmes(tmp_path: Path) -> None:
    batch = build_city(load_city(write_city(tmp_path, a_cohort=240)), 1)
    pool = batch.pool
    assert pool is not None
    ent, em = pool.enterprises, pool.enterprise_mentors
    firm_cap = np.floor(0.1 * ent.staff + 1e-9)
    clock = WeeklyClock(weekly_phases(), batch)
    shared_firm_weeks = 0
    for _ in range(pool.scenario.horizon_weeks):
        clock.advance()
        s = batch.students
        hosted = np.bincount(s.host[s.host >= 0], minlength=ent.n)
        assert (hosted <= ent.capacity).all() and (hosted <= firm_cap).all()
        guided = np.bincount(s.enterprise_mentor[s.enterprise_mentor >= 0], minlength=em.n)
        assert (guided <= pool.scenario.enterprise_mentors.apprentices_per_mentor).all()
        by_programme = [np.bincount(w.students.host[w.students.host >= 0], minlength=ent.n) for w in batch.worlds]
        shared_firm_weeks += int(np.count_nonzero((by_programme[0] > 0) & (by_programme[1] > 0)))
    assert shared_firm_weeks > 0, "firms host both programmes' apprentices at once"
    assert batch.worlds[0].enterprises is ent and batch.worlds[1].enterprises is ent


def test_students_and_money_are_conserved_per_programme_and_for_the_city(tmp_path: Path) -> None:
    plan = load_city(write_city(tmp_path, a_cohort=240))
    result = run_city(plan, 2, students=False)
    for name, run in result.programmes.items():
        n = plan.programme(name).n_students
        stages = ["n_not_enrolled", "n_basic", "n_skill", "n_internship", "n_employee", "n_further_study",
                  "n_unemployed", "n_dropped_out"]
        assert (run.timeseries[stages].sum(axis=1) == n).all()
        summary = run.summary
        assert abs(summary["money_in_yuan"] - summary["total_cost_yuan"] - summary["balance_yuan"]) \
            <= 1e-6 * max(summary["money_in_yuan"], 1.0)
    table = result.summary_table()
    city = table[table["level"] == "city"].iloc[0]
    programmes = table[table["level"] == "programme"]
    assert city["n_students"] == programmes["n_students"].sum() == 2 * 240 + 2 * 120
    assert city["public_cost_yuan"] == pytest.approx(programmes["public_cost_yuan"].sum()
                                                     + result.city_firms["tax_expenditure_yuan"])


def test_the_citys_training_market_counts_every_programmes_applicants(tmp_path: Path) -> None:
    result = run_city(load_city(write_city(tmp_path, a_cohort=240)), 4, students=False)
    city = result.pool_training_market
    own = [run.training_market for run in result.programmes.values()]
    assert len(city) and all(len(t) == len(city) for t in own)
    for column in ("places_filled", "placed_applicants", "unplaced_applicants"):
        assert (city[column].to_numpy() == sum(t[column].to_numpy() for t in own)).all()
    assert (city["unplaced_applicants"] > 0).any(), "places are scarce in this city"


def test_doubling_one_programmes_intake_lowers_the_others_placement_rate(tmp_path: Path) -> None:
    base = write_city(tmp_path / "base")
    doubled = write_city(tmp_path / "doubled", a_cohort=240)
    differences = [placement_rates(doubled, seed)["b"] - placement_rates(base, seed)["b"] for seed in range(4)]
    assert max(differences) < 0, differences


def test_more_firms_raise_every_programmes_placement_rate(tmp_path: Path) -> None:
    base = write_city(tmp_path / "base")
    more = write_city(tmp_path / "more", firms=24)
    for seed in range(3):
        before, after = placement_rates(base, seed), placement_rates(more, seed)
        assert after["a"] > before["a"] and after["b"] > before["b"], (seed, before, after)


def test_adding_a_programme_leaves_the_others_and_the_pools_draws(tmp_path: Path) -> None:
    two = build_city(load_city(write_city(tmp_path / "two")), 7)
    three = build_city(load_city(write_city(tmp_path / "three", programmes=("a", "b", "c"))), 7)
    for name in ("ability", "motivation", "theory", "practical_skill"):
        assert np.array_equal(getattr(two.worlds[0].students, name), getattr(three.worlds[0].students, name))
        assert np.array_equal(getattr(two.worlds[1].students, name), getattr(three.worlds[1].students, name))
    assert two.pool is not None and three.pool is not None
    for name in ("staff", "post_level", "capacity", "willingness", "participating"):
        assert np.array_equal(getattr(two.pool.enterprises, name), getattr(three.pool.enterprises, name))


def test_the_same_seed_gives_the_same_city(tmp_path: Path) -> None:
    path = write_city(tmp_path, a_cohort=240)
    first, second = run_city(load_city(path), 9, events=True), run_city(load_city(path), 9, events=True)
    for name in first.programmes:
        assert_same_run(first.programmes[name], second.programmes[name])


def test_programmes_that_disagree_on_their_shared_firms_are_refused(tmp_path: Path) -> None:
    path = write_city(tmp_path, changes={"b": {"participation": {"stay_bonus_log_odds": 0.1}}})
    with pytest.raises(ScenarioError) as info:
        run_city(load_city(path), 0)
    message = str(info.value)
    assert "\n" not in message
    assert "participation.stay_bonus_log_odds" in message and "'b'" in message and "city.yaml" in message


def test_a_city_of_several_programmes_needs_its_pool(tmp_path: Path) -> None:
    path = write_city(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["enterprises"]
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ScenarioError, match="enterprises"):
        run_city(load_city(path), 0)


def test_talentsim_run_takes_a_city_file_and_writes_its_folder(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = write_city(tmp_path / "city")
    out = tmp_path / "out"
    code = main(["run", str(path), "--out", str(out), "--reps", "2", "--set", "programmes.a.intake.cohort_size=150"])
    assert code == 0, capsys.readouterr().err
    table = pd.read_parquet(out / "city_summary.parquet")
    assert set(table["replication"]) == {-1, 0, 1}
    mean = table[table["replication"] == -1].set_index("name")
    assert mean.loc["a", "n_students"] == 300 and mean.loc["b", "n_students"] == 240
    assert mean.loc["two_colleges", "n_students"] == 540
    assert (out / "programmes" / "a" / "timeseries.parquet").is_file()
    assert (out / "training_market.parquet").is_file() and (out / "manifest.json").is_file()


def test_talentsim_run_refuses_a_city_whose_programmes_disagree_with_one_message(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_city(tmp_path, changes={"b": {"enterprise_mentors": {"apprentices_per_mentor": 2}}})
    code = main(["run", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "Traceback" not in err and len(err.splitlines()) == 1
    assert "enterprise_mentors.apprentices_per_mentor" in err and not (tmp_path / "out").exists()


def weeks_to_a_job(path: Path, seed: int, programme: str) -> float:
    """Mean weeks from graduation to a job of the programme's graduates who found one (hosts' hires count 0)."""
    result = run_city(load_city(path), seed)
    students = result.programmes[programme].students
    assert students is not None
    found = students[(students["week_graduated"] >= 0) & (students["week_job_found"] >= 0)]
    return float(np.maximum(found["week_job_found"] - found["week_graduated"], 0).mean())


def test_more_graduates_per_vacancy_lengthen_the_job_search(tmp_path: Path) -> None:
    base = write_city(tmp_path / "base", firms=24, vacancies=150)
    doubled = write_city(tmp_path / "doubled", firms=24, vacancies=150, a_cohort=240)
    differences = [weeks_to_a_job(doubled, seed, "b") - weeks_to_a_job(base, seed, "b") for seed in range(4)]
    assert min(differences) > 0, differences


def test_the_open_market_hires_no_more_than_the_vacancies_left(tmp_path: Path) -> None:
    batch = build_city(load_city(write_city(tmp_path, a_cohort=240, firms=24, vacancies=40)), 3)
    demand = batch.worlds[0].sector_demand
    assert demand is not None and all(w.sector_demand is demand for w in (batch.pool, *batch.worlds))
    clock = WeeklyClock(weekly_phases(), batch)
    weeks_at_the_limit = 0
    for _ in range(batch.worlds[0].scenario.horizon_weeks):
        room = float(demand.open_vacancies(clock.now)[0])  # what the week's search may fill (hosts hire after it)
        clock.advance()
        week = batch.week
        hired = sum(np.count_nonzero((w.students.week_job_found == week) & (w.students.employer == OPEN_MARKET))
                    for w in batch.worlds)
        assert hired <= room, (week, hired, room)
        weeks_at_the_limit += hired == room and room < 40
    assert weeks_at_the_limit > 0, "the vacancies run out in some week"
    assert demand.ratio_met() > 0


def test_a_city_without_demand_keeps_the_unlimited_open_market(tmp_path: Path) -> None:
    batch = build_city(load_city(write_city(tmp_path)), 0)
    assert batch.worlds[0].sector_demand is None


# ---------------------------------------------------------------------------- the bureau's instruments


def with_bureau(path: Path, bureau: dict[str, Any]) -> Path:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["bureau"] = bureau
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def participation_weeks(path: Path, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Weeks each pool firm took part, the final certified list, and the tax expenditure (yuan)."""
    batch = build_city(load_city(path), seed)
    pool = batch.pool
    assert pool is not None
    clock = WeeklyClock(weekly_phases(), batch)
    weeks = np.zeros(pool.enterprises.n)
    for _ in range(pool.scenario.horizon_weeks):
        clock.advance()
        weeks += pool.enterprises.participating
    return weeks, pool.enterprises.certified.copy(), float(pool.enterprises.total_tax_credit_yuan.sum())


def test_certification_raises_certified_firms_participation_and_costs_tax_expenditure(tmp_path: Path) -> None:
    certify = {"certification": {"enabled": True, "min_years_hosting": 1, "min_apprentices_per_year": 1,
                                 "max_certified_share": 0.5}}
    base = write_city(tmp_path / "base", firms=40, a_cohort=240)
    certifying = with_bureau(write_city(tmp_path / "certifying", firms=40, a_cohort=240), certify)
    gains, spent = [], []
    for seed in range(6):
        before, _, tax_before = participation_weeks(base, seed)
        after, certified, tax_after = participation_weeks(certifying, seed)
        assert certified.any() and tax_before == 0.0 and tax_after > 0.0
        gains.append(float(after[certified].mean() - before[certified].mean()))
        spent.append(tax_after)
    # with common random numbers a firm's yearly draw decides the same way unless certification moves its
    # chance across it: a certified firm takes part at least as often, and more often in some seeds
    assert min(gains) >= 0 and sum(gains) > 0, gains


def test_the_special_fund_is_paid_by_its_rule_and_totalled_by_school(tmp_path: Path) -> None:
    path = with_bureau(write_city(tmp_path, a_cohort=240), {"special_fund_yuan_per_year": 1_000_000.0,
                                                            "special_fund_allocation": "per_student"})
    result = run_city(load_city(path), 1, students=False)
    paid = {name: run.summary["special_fund_paid_yuan"] for name, run in result.programmes.items()}
    years = 4  # the fund is paid at the start of each year with students in a programme (none in the fifth)
    assert sum(paid.values()) == pytest.approx(1_000_000.0 * years)
    assert paid["a"] > paid["b"] > 0  # a has twice b's students in the programme
    table = result.summary_table()
    school = table[table["level"] == "school"].iloc[0]
    assert school["special_fund_paid_yuan"] == pytest.approx(1_000_000.0 * years)
    assert result.city_firms["special_fund_paid_yuan"] == pytest.approx(1_000_000.0 * years)
    for run in result.programmes.values():  # the fund went into the programme's budget
        assert run.summary["money_in_yuan"] >= run.summary["special_fund_paid_yuan"]


def test_the_city_subsidy_is_paid_per_apprentice_week_on_site_and_counted_as_public_money(tmp_path: Path) -> None:
    path = with_bureau(write_city(tmp_path), {"city_subsidy_yuan_per_apprentice_year": 5_200.0})
    result = run_city(load_city(path), 1, students=False)
    on_site_weeks = sum(float(run.timeseries["n_at_enterprise"].sum()) for run in result.programmes.values())
    assert result.city_firms["city_subsidy_yuan"] == pytest.approx(100.0 * on_site_weeks)
    programmes_public = sum(run.summary["public_cost_yuan"] for run in result.programmes.values())
    assert result.city_firms["public_cost_yuan"] == pytest.approx(
        programmes_public + result.city_firms["tax_expenditure_yuan"] + result.city_firms["city_subsidy_yuan"])


def test_a_shared_training_base_cuts_its_programmes_practice_in_one_proportion(tmp_path: Path) -> None:
    shared = {"training_bases": [{"name": "one", "capacity_hours_per_week": 1000.0, "programmes": ["a", "b"]}]}
    path = with_bureau(write_city(tmp_path / "shared", a_cohort=240), shared)
    result = run_city(load_city(path), 1, students=False)
    cut = {name: run.summary["practice_hours_cut_share"] for name, run in result.programmes.items()}
    assert cut["a"] == pytest.approx(cut["b"], abs=0.02) and cut["a"] > 0.3
    own = run_city(load_city(write_city(tmp_path / "own", a_cohort=240)), 1, students=False)
    assert all(own.programmes[name].summary["practice_hours_cut_share"] < cut[name] for name in cut)


def test_competitors_in_a_firms_sector_lower_its_participation(tmp_path: Path) -> None:
    path = write_city(tmp_path / "city", firms=24)
    plan = load_city(path, {"competition.log_odds_per_doubling_of_competitors": -0.5,
                            "competition.reference_competitors": 6.0})
    pool = build_city(plan, 0).pool
    assert pool is not None and pool.competition_log_odds is not None
    assert np.allclose(pool.competition_log_odds, -0.5 * np.log2(24 / 6.0))  # two doublings: -1 log-odds
    rates = []
    for effect in (0.0, -0.5):
        changed = load_city(path, {"competition.log_odds_per_doubling_of_competitors": effect,
                                   "competition.reference_competitors": 6.0})
        rates.append([run_city(changed, seed, students=False).programmes["a"].summary[
            "enterprise_participation_rate"] for seed in range(3)])
    assert all(after < before for before, after in zip(*rates, strict=True)), rates


def test_the_report_of_a_city_folder_has_its_tables_and_charts_in_both_languages(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = with_bureau(write_city(tmp_path / "city", a_cohort=240), {"special_fund_yuan_per_year": 10_000.0})
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out)]) == 0
    assert main(["report", str(out)]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    for heading in ("Programmes", "Schools", "The city", "Training market by sector and year"):
        assert f"<h2>{heading}</h2>" in page
    assert page.count("data:image/png;base64,") == 2 and "two_colleges" in page
    assert (out / "charts" / "city_training_market.png").is_file()
    assert main(["report", str(out), "--lang", "zh"]) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<h2>各学校</h2>" in page and "装备制造大类" in page


def test_comparing_a_city_with_itself_finds_no_difference(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = write_city(tmp_path / "city", a_cohort=240)
    out = tmp_path / "cmp"
    assert main(["compare", str(path), str(path), "--reps", "2", "--out", str(out)]) == 0
    differences = pd.read_csv(out / "differences.csv")
    assert set(differences["level"]) == {"programme", "school", "city"}
    finite = differences["mean"].dropna()
    assert len(finite) and (finite == 0).all()


def test_comparing_cities_pairs_their_replications(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, doubled = write_city(tmp_path / "base"), write_city(tmp_path / "doubled", a_cohort=240)
    out = tmp_path / "cmp"
    assert main(["compare", str(base), str(doubled), "--reps", "3", "--out", str(out)]) == 0
    differences = pd.read_csv(out / "differences.csv")
    row = differences[(differences["name"] == "b") & (differences["outcome"] == "placement_rate")].iloc[0]
    assert row["n"] == 3 and row["ci_high"] < 0  # b loses places to a's larger intake, in every replication
    assert "placement_rate" in capsys.readouterr().out


def test_the_city_rows_rates_are_those_of_all_their_students_together(tmp_path: Path) -> None:
    result = run_city(load_city(write_city(tmp_path, a_cohort=240)), 2)
    students = pd.concat([run.students for run in result.programmes.values()], ignore_index=True)
    graduates = students[students["week_graduated"] >= 0]
    finished = students[(students["week_graduated"] >= 0) | (students["week_left"] >= 0)]
    seen_6m = students[students["stage_at_6m"].astype(str) != "not_observed"]
    city = result.summary_table().set_index("level").loc["city"]
    assert city["certificate_pass_rate"] == pytest.approx((graduates["certificates"] >= 1).mean())
    assert city["placement_rate"] == pytest.approx(finished["ever_placed"].mean())
    assert city["employment_rate_6m"] == pytest.approx(
        seen_6m["stage_at_6m"].astype(str).isin(["employed", "further_study"]).mean())


def test_the_citys_training_market_sets_its_graduates_against_its_vacancies(tmp_path: Path) -> None:
    result = run_city(load_city(write_city(tmp_path, a_cohort=240, vacancies=90)), 1)
    market = result.pool_training_market
    students = pd.concat([run.students for run in result.programmes.values()], ignore_index=True)
    graduated = students[students["week_graduated"] >= 0]
    by_year = (graduated["week_graduated"] // 52).value_counts()
    sector_0 = market[market["sector"] == 0].set_index("year")
    for year, row in sector_0.iterrows():
        assert row["graduates"] == by_year.get(year, 0)
        assert row["vacancies"] == 90.0
        if row["graduates"]:
            assert row["vacancies_per_graduate"] == pytest.approx(90.0 / row["graduates"])
    assert (sector_0["graduates"] > 0).any()
    assert market[market["sector"] == 1]["vacancies"].isna().all()  # no demand given for the other sector


def test_talentsim_params_lists_a_city_files_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["params", "--city", "--match", "bureau.certification"]) == 0
    out = capsys.readouterr().out
    assert "`bureau.certification.max_certified_share`" in out and "`intake.cohort_size`" not in out
    assert main(["params", "--city", "--match", "no_such_key"]) == 2


def test_more_firms_in_one_sector_leave_every_other_sectors_firms_and_mentors(tmp_path: Path) -> None:
    def pool_of(extra: int) -> Any:
        path = write_city(tmp_path / f"extra{extra}")
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["enterprises"] = [{"sector": "finance_commerce", "count": 5 + extra},
                               {"sector": "equipment_manufacturing", "count": 12}]
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        pool = build_city(load_city(path), 3).pool
        assert pool is not None
        return pool

    small, large = pool_of(0), pool_of(7)
    manufacturing = lambda pool: pool.enterprises.sector == 0  # noqa: E731
    for name in ("staff", "capacity", "willingness", "post_level"):
        assert np.array_equal(getattr(small.enterprises, name)[manufacturing(small)],
                              getattr(large.enterprises, name)[manufacturing(large)])
    mentors = [pool.enterprise_mentors for pool in (small, large)]
    of_sector = [manufacturing(pool)[m.enterprise] for pool, m in zip((small, large), mentors, strict=True)]
    for name in ("frontline_years", "technical_skill", "pedagogical_skill", "vacant_until"):
        assert np.array_equal(getattr(mentors[0], name)[of_sector[0]], getattr(mentors[1], name)[of_sector[1]])


def test_comparing_cities_on_two_workers_gives_what_one_gives(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    base, doubled = write_city(tmp_path / "base"), write_city(tmp_path / "doubled", a_cohort=240)
    tables = []
    for workers in ("1", "2"):
        out = tmp_path / f"cmp{workers}"
        assert main(["compare", str(base), str(doubled), "--reps", "2", "--workers", workers,
                     "--out", str(out)]) == 0
        tables.append(pd.read_csv(out / "differences.csv"))
    pd.testing.assert_frame_equal(tables[0], tables[1], check_exact=True)


def test_a_failing_city_replication_is_one_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    import sim.city

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the pool ran dry")

    monkeypatch.setattr(sim.city, "build_city", broken)  # replications batched (run_cities) or one by one
    path = write_city(tmp_path / "city")
    code = main(["compare", str(path), str(path), "--reps", "1", "--workers", "1", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "the pool ran dry" in err and "city.yaml" in err
    assert not (tmp_path / "o").exists()
