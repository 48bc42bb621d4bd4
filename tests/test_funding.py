"""Money and horizon (issue 10): earmarked funds, no money after the last cohort, horizon warnings.

Direction tests run paired seeds (common random numbers: seed ``s`` for both arms) on a
small scenario and ask for the mean paired difference to lie beyond two standard
errors; known-answer tests check what the rules give exactly.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import sim
from sim.cli import main
from sim.engine.ledger import SOURCES, USES
from sim.model import TalentModel, resolve_scenario
from sim.results import horizon_warnings
from sim.scenario import load_scenario
from sim.scenario.schema import WEEKS_PER_YEAR

SMALL = {"intake.cohort_size": 100, "intake.n_cohorts": 2, "simulation.horizon_years": 5}
"""Two cohorts followed 12 months after the second graduates: fast, and the budgets are ample."""
SEEDS = range(1, 7)


def _paired(low: dict, high: dict, base: dict = SMALL) -> list[tuple[sim.RunResult, sim.RunResult]]:
    """(low, high) runs per seed, seed ``s`` for both."""
    return [(sim.run_one("scenarios/baseline.yaml", seed=seed, **{**base, **low}),
             sim.run_one("scenarios/baseline.yaml", seed=seed, **{**base, **high})) for seed in SEEDS]


def _diff(runs: list[tuple[sim.RunResult, sim.RunResult]], outcome_fn) -> np.ndarray:
    """low - high of ``outcome_fn(result)`` per seed."""
    return np.array([outcome_fn(lo) - outcome_fn(hi) for lo, hi in runs])


def _beyond_two_se(d: np.ndarray, sign: int) -> bool:
    se = d.std(ddof=1) / np.sqrt(len(d))
    return bool(sign * d.mean() > 2 * se) and bool(sign * d.mean() > 0)


def _mean_share(use: str):
    def share(result: sim.RunResult) -> float:
        column = result.timeseries[f"funded_share_{use}"]
        return float(np.nanmean(column)) if column.notna().any() else 1.0
    return share


def _outcome(name: str):
    return lambda result: result.summary[name]


# ------------------------------------------------------------------ earmarked funds


def test_cutting_the_government_line_hurts_what_it_pays_for_and_nothing_else():
    # the completion subsidy of an enterprise apprenticeship is paid only by the government (default)
    subsidy = {"programme.kind": "enterprise_apprenticeship"}
    runs = _paired({**subsidy, "funding.government_yuan_per_year": 0.0}, subsidy)
    share = _diff(runs, _mean_share("apprentice_subsidy"))
    assert np.allclose(share, -1.0)  # fully paid with the government's money, not at all without it
    assert _beyond_two_se(_diff(runs, _outcome("enterprise_participation_rate")), -1)
    assert _beyond_two_se(_diff(runs, _outcome("enterprise_net_benefit_yuan_per_placement")), -1)
    for use in ("school_mentor_remuneration", "contact_visits"):  # the school fund's alone: untouched
        assert np.allclose(_diff(runs, _mean_share(use)), 0.0)
        assert np.allclose(_diff(runs, _outcome(f"weeks_short_{use}")), 0.0)


def test_moving_the_school_money_to_the_government_line_stops_what_the_school_fund_pays_for():
    # The finding: with pooled funds this changed only the spend-by-source rows.
    runs = _paired({"funding.school_special_fund_yuan_per_year": 0.0, "funding.government_yuan_per_year": 2_200_000.0},
                   {})
    assert np.allclose(_diff(runs, _mean_share("school_mentor_remuneration")), -1.0)
    assert np.allclose(_diff(runs, _mean_share("contact_visits")), -1.0)
    assert np.allclose(_diff(runs, _mean_share("exam_fees")), 0.0)  # the government pays them first
    assert _beyond_two_se(_diff(runs, _outcome("mean_composite_score")), -1)  # less mentor effort
    assert _beyond_two_se(_diff(runs, _outcome("weeks_short_school_mentor_remuneration")), +1)


def test_an_earmark_mapping_decides_who_pays():
    # Exam fees paid by the government only, with no government money: nobody sits an exam.
    result = sim.run_one("scenarios/baseline.yaml", seed=3, **SMALL, **{
        "funding.government_yuan_per_year": 0.0, "funding.earmarks.exam_fees": ["government"]})
    s = result.summary
    assert s["spent_exam_fees_yuan"] == 0.0 and s["exam_pass_rate_per_sitting"] != s["exam_pass_rate_per_sitting"]
    assert s["weeks_short_exam_fees"] > 0 and s["weeks_short_school_mentor_remuneration"] == 0
    short = result.timeseries["funded_share_exam_fees"].dropna()
    assert len(short) == s["weeks_short_exam_fees"] and (short == 0.0).all()


def test_firms_pay_their_mentors_allowance_in_their_own_accounts():
    runs = _paired({}, {"funding.firms_pay_mentor_allowance": False})
    by_firm, by_school = runs[0][0].summary, runs[0][1].summary
    assert by_firm["spent_enterprise_mentor_remuneration_yuan"] == 0.0  # no salary subsidy in the baseline
    assert by_firm["mentor_allowance_paid_by_firms_yuan"] > 0.0
    assert by_school["mentor_allowance_paid_by_firms_yuan"] == 0.0
    assert by_school["spent_enterprise_mentor_remuneration_yuan"] > 0.0
    assert by_firm["total_cost_yuan"] < by_school["total_cost_yuan"]
    # a cost in the firms' accounts: their net benefit per apprentice-year is lower
    assert _beyond_two_se(_diff(runs, _outcome("enterprise_net_benefit_yuan_per_placement")), -1)


def test_money_in_equals_money_out_plus_balance_for_every_source():
    model = TalentModel(resolve_scenario("scenarios/funding_cut.yaml", SMALL), seed=4)
    model.run()
    ledger = model.world.ledger
    np.testing.assert_allclose(ledger.paid_in, ledger.spent.sum(axis=1) + ledger.balance, rtol=1e-12, atol=1e-6)
    assert (ledger.balance >= 0).all()
    # nothing a use drew came from a source not earmarked for it
    earmarks = model.scenario.funding.earmarks.model_dump()
    for j, use in enumerate(USES):
        for i, source in enumerate(SOURCES):
            if source not in earmarks[use]:
                assert ledger.spent[i, j] == 0.0, (use, source)


# ------------------------------------------------------------------ no money after the last cohort


def test_no_money_is_paid_in_once_no_cohort_is_enrolled():
    one = {"intake.cohort_size": 60, "intake.n_cohorts": 1, "enterprises.count": 6}
    models = {}
    for horizon in (3, 5):
        models[horizon] = TalentModel(resolve_scenario("scenarios/baseline.yaml",
                                                       {**one, "simulation.horizon_years": horizon}), seed=5)
        models[horizon].run()
    p = models[3].scenario.funding
    for model in models.values():
        paid_in = dict(zip(SOURCES, model.world.ledger.paid_in, strict=True))
        assert paid_in["school_special_fund"] == 3 * p.school_special_fund_yuan_per_year  # years 0-2, not 3 or 4
        assert paid_in["government"] == 3 * p.government_yuan_per_year
        # firms pay for the apprentices at a firm when the week's bills are settled; the accounts also
        # leave out the week an apprentice graduates or leaves (later phases), hence not exact
        apprentice_years = model.world.enterprises.total_apprentice_weeks.sum() / WEEKS_PER_YEAR
        assert paid_in["enterprise_cost_sharing"] == pytest.approx(
            p.enterprise_cost_sharing_yuan_per_apprentice_year * apprentice_years, rel=0.05)
    # two more years after the cohort has left add no money and spend none: the balance stays
    s3, s5 = models[3].summary(), models[5].summary()
    assert s5["money_in_yuan"] == pytest.approx(s3["money_in_yuan"], rel=1e-12)
    assert s5["balance_yuan"] == pytest.approx(s3["balance_yuan"], rel=1e-12)
    after = models[5].recorder.frame().set_index("week").loc[3 * WEEKS_PER_YEAR:, "balance_yuan"]
    assert after.nunique() == 1


# ------------------------------------------------------------------ a horizon shorter than the programme


def test_horizon_warnings_say_which_cohorts_the_horizon_cuts_short():
    assert horizon_warnings(load_scenario("scenarios/baseline.yaml")) == []  # 6 years: every cohort followed
    short = horizon_warnings(load_scenario("scenarios/baseline.yaml", {"simulation.horizon_years": 2}))
    assert len(short) == 1 and "3 of the 3 cohorts" in short[0] and "at least 5" in short[0]
    follow = horizon_warnings(load_scenario("scenarios/baseline.yaml", {"simulation.horizon_years": 5}))
    assert len(follow) == 1 and "12-month follow-up of 1 of the 3 cohorts" in follow[0] and "at least 6" in follow[0]


def test_a_short_horizon_counts_who_was_still_enrolled_and_every_dropout():
    result = sim.run_one("scenarios/baseline.yaml", seed=1, **{
        "intake.cohort_size": 80, "intake.n_cohorts": 1, "simulation.horizon_years": 2, "enterprises.count": 5})
    s = result.summary
    assert np.isnan(s["dropout_rate"]) and np.isnan(s["completion_rate"])  # no cohort finished
    last = result.timeseries.iloc[-1]
    assert s["n_dropped_out"] == last["n_dropped_out"] > 0  # the dropouts that did happen are counted
    assert s["n_still_enrolled"] == 80 - s["n_dropped_out"]


def test_run_and_compare_warn_on_stderr_and_in_the_manifest(tmp_path, capsys):
    short = ["--set", "intake.cohort_size=20", "--set", "intake.n_cohorts=1", "--set", "simulation.horizon_years=2",
             "--set", "enterprises.count=3"]
    assert main(["run", "scenarios/baseline.yaml", *short, "--out", str(tmp_path / "run"), "--no-charts",
                 "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "talentsim: warning: baseline: the horizon of 2 years ends before 1 of the 1 cohorts" in err
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert len(manifest["warnings"]) == 1 and manifest["warnings"][0] in err
    assert main(["compare", "scenarios/baseline.yaml", *short, "--reps", "1", "--out", str(tmp_path / "cmp"),
                 "--no-charts", "--quiet"]) == 0
    assert "warning" in capsys.readouterr().err
    assert json.loads((tmp_path / "cmp" / "manifest.json").read_text())["warnings"] == manifest["warnings"]


def test_a_sweep_over_the_horizon_warns_for_the_points_it_cuts_short(tmp_path):
    from sim.experiments.sweep import horizon_scenarios, plan_sweep, sweep
    from sim.results import scenarios_horizon_warnings

    definition = {"base": "scenarios/baseline.yaml", "design": "grid", "reps": 1, "seed": 1,
                  "parameters": {"simulation.horizon_years": {"levels": [2, 6]}}}
    plan = plan_sweep(definition)
    scenarios = horizon_scenarios(plan)
    assert [s.simulation.horizon_years for s in scenarios] == [6, 2, 6]  # the base, then each distinct point
    warnings = scenarios_horizon_warnings(scenarios)
    assert len(warnings) == 1 and "the horizon of 2 years" in warnings[0]
    small = {"intake.cohort_size": 10, "intake.n_cohorts": 1, "enterprises.count": 2}
    sweep(definition, out=tmp_path / "sweep", overrides=small)
    manifest = json.loads((tmp_path / "sweep" / "manifest.json").read_text())
    assert len(manifest["warnings"]) == 1 and "the horizon of 2 years ends before 1 of the 1 cohorts" in \
        manifest["warnings"][0]
