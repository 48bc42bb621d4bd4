"""Charts: each function returns a Figure with the expected panels, series and labels.

Chart functions are checked on a small real run and on synthetic tables whose values
are known, so a test can say which number each bar, point or line must show. The
folder functions are checked end to end on a run folder, a comparison folder and
sweep folders (one parameter; Sobol' and Morris on the Ishigami function).
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from PIL import Image

from sim.engine.ledger import SOURCES, USES
from sim.experiments.compare import compare
from sim.experiments.models import ishigami
from sim.experiments.sweep import sweep
from sim.model import run_one
from sim.outcomes import SERIES_BY_NAME
from sim.report import charts
from sim.report.data import KEY_OUTCOMES, ReportError, load_folder, outcome_info
from sim.run_folder import write_run_folder
from sim.scenario import load_scenario

SMALL = {"intake.cohort_size": 60, "intake.n_cohorts": 1, "simulation.horizon_years": 4, "enterprises.count": 6}
CONTEXT = "baseline, other · 3 replications · seed 1"
STAGE_COLUMNS = ("n_student", "n_apprentice", "n_employee", "n_further_study", "n_unemployed", "n_dropped_out")
STAGE_LABELS = [SERIES_BY_NAME[c].label for c in STAGE_COLUMNS]


@pytest.fixture(scope="module")
def small_run():
    return run_one(None, seed=1, **SMALL)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory, small_run):
    scenario = load_scenario(None, SMALL)
    return write_run_folder(tmp_path_factory.mktemp("run") / "out", scenario, None, small_run,
                            small_run.summary, [1], small_run.wall_seconds)


def _stats(means: dict[str, dict[str, float]], half: float | None = 0.05) -> pd.DataFrame:
    """A comparison.csv-shaped table: the given means, CIs mean +- half (NaN when half is None)."""
    rows = []
    for scenario, outcomes in means.items():
        for outcome, mean in outcomes.items():
            low = mean - half if half is not None else math.nan
            high = mean + half if half is not None else math.nan
            rows.append({"scenario": scenario, "outcome": outcome, "mean": mean, "sd": 0.1, "n": 3,
                         "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows)


def _title(fig: Figure) -> str:
    return fig.get_suptitle()


def _assert_context(fig: Figure) -> None:
    title = _title(fig)
    assert "baseline" in title and "replication" in title and "seed" in title


# ---------------------------------------------------------------------------- single run and comparison


def test_stages_chart_has_one_panel_per_scenario_with_a_line_per_stage(small_run):
    fig = charts.stages_chart({"baseline": small_run.timeseries, "other": small_run.timeseries},
                              context=CONTEXT)
    assert len(fig.axes) == 2
    for ax, label in zip(fig.axes, ["baseline", "other"], strict=True):
        assert ax.get_title() == label
        assert [line.get_label() for line in ax.get_lines()] == STAGE_LABELS
        assert "years" in ax.get_xlabel() and "persons" in ax.get_ylabel()
    employees = fig.axes[0].get_lines()[2]
    np.testing.assert_array_equal(employees.get_ydata(), small_run.timeseries["n_employee"])
    np.testing.assert_allclose(employees.get_xdata(), small_run.timeseries["week"] / 52)
    _assert_context(fig)


def test_distributions_chart_has_a_panel_per_score_and_a_row_per_scenario(small_run):
    fig = charts.distributions_chart({"baseline": small_run.students, "other": small_run.students},
                                     context=CONTEXT)
    assert [ax.get_title() for ax in fig.axes] == ["Theory", "Practical skill", "Professionalism",
                                                   "Composite score"]
    graduates = int((small_run.students["week_graduated"] >= 0).sum())
    assert all("points, 0-100" in ax.get_xlabel() for ax in fig.axes)
    for ax in fig.axes[::2]:  # the left column carries the scenario labels (rows are shared)
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        assert ticks == [f"baseline (n={graduates})", f"other (n={graduates})"]
    assert "graduates" in _title(fig)
    _assert_context(fig)


def test_employment_chart_draws_each_mean_with_its_ci():
    means = {"baseline": {"employment_rate_at_graduation": 0.8, "employment_rate_6m": 0.85,
                          "employment_rate_12m": 0.9, "host_retention_rate": 0.5},
             "other": {"employment_rate_at_graduation": 0.7, "employment_rate_6m": 0.75,
                       "employment_rate_12m": 0.8, "host_retention_rate": 0.4}}
    fig = charts.employment_chart(_stats(means), context=CONTEXT)
    ax = fig.axes[0]
    heights = [round(p.get_height(), 6) for p in ax.patches]
    assert heights == [80, 85, 90, 50, 70, 75, 80, 40]
    assert "(%)" in ax.get_ylabel()
    assert [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()] == [
        "Employment rate at graduation", "Employment rate at 6 months", "Employment rate at 12 months",
        "Host retention rate"]
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == 2 and all(c.errorbar is not None for c in bars)
    first_whisker = bars[0].errorbar.lines[2][0].get_segments()[0]
    np.testing.assert_allclose(first_whisker[:, 1], [75, 85])  # 80% +- 5 points
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["baseline", "other"]
    assert "95% CI" in _title(fig)


def test_employment_chart_with_one_replication_says_there_is_no_ci():
    fig = charts.employment_chart(_stats({"baseline": {"employment_rate_at_graduation": 0.8}}, None),
                                  context="baseline · 1 replication · seed 1")
    assert "no CI" in _title(fig)
    assert not fig.legends  # one scenario: no legend needed


def test_forest_chart_has_a_panel_per_key_outcome_with_scaled_differences():
    differences = _stats({"other": {"employment_rate_at_graduation": 0.05, "total_cost_yuan": -1000.0,
                                    "n_students": 0.0}}, 0.01)
    differences.insert(1, "baseline", "baseline")
    fig = charts.forest_chart(differences, context=CONTEXT)
    # The key outcomes present, in the registry's order (n_students is not a headline outcome).
    assert [ax.get_title() for ax in fig.axes] == ["Programme cost", "Employment rate at graduation"]
    assert fig.axes[0].get_xlabel() == "difference (yuan)"
    assert fig.axes[1].get_xlabel() == "difference (percentage points)"
    point = fig.axes[1].get_lines()[0]
    assert point.get_xdata()[0] == pytest.approx(5.0)
    assert "Difference from baseline" in _title(fig)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["other"]


def test_forest_chart_of_a_single_scenario_says_there_is_nothing_to_compare():
    empty = pd.DataFrame(columns=["scenario", "baseline", "outcome", "mean", "sd", "n", "ci_low", "ci_high"])
    fig = charts.forest_chart(empty, context="baseline · 1 replication · seed 1")
    assert any("nothing to compare" in t.get_text() for t in fig.axes[0].texts)


def test_cost_effectiveness_chart_places_one_point_per_scenario():
    stats = _stats({"baseline": {"employment_rate_at_graduation": 0.8, "cost_per_employed_graduate_yuan": 6000},
                    "other": {"employment_rate_at_graduation": 0.9, "cost_per_employed_graduate_yuan": 7000}})
    fig = charts.cost_effectiveness_chart(stats, context=CONTEXT)
    ax = fig.axes[0]
    points = [(c.lines[0].get_xdata()[0], c.lines[0].get_ydata()[0]) for c in ax.containers]
    # money in readable units: 6,000 yuan is 6 thousand yuan
    assert points == [(pytest.approx(80.0), pytest.approx(6.0)), (pytest.approx(90.0), pytest.approx(7.0))]
    assert sorted(t.get_text() for t in ax.texts) == ["baseline", "other"]
    assert "(thousand yuan)" in ax.get_ylabel() and "%" in ax.get_xlabel()


def test_money_chart_stacks_every_source_and_use(small_run):
    fig = charts.money_chart({"baseline": small_run.timeseries}, context=CONTEXT)
    by_source, by_use = fig.axes
    assert len([c for c in by_source.collections if isinstance(c, PolyCollection)]) == len(SOURCES)
    assert len([c for c in by_use.collections if isinstance(c, PolyCollection)]) == len(USES)
    assert "yuan" in by_source.get_ylabel() and "years" in by_use.get_xlabel()
    legend = [t.get_text() for t in by_use.get_legend().get_texts()]
    assert legend == [SERIES_BY_NAME[f"spent_{u}_yuan"].label for u in USES]  # "Spent on exam fees so far"


def test_workload_chart_has_school_and_enterprise_panels(small_run):
    fig = charts.workload_chart({"baseline": small_run.timeseries, "other": small_run.timeseries},
                                context=CONTEXT)
    school, enterprise = fig.axes
    assert school.get_title() == "School-mentor workload" and enterprise.get_title() == "Enterprise-mentor workload"
    assert [line.get_label() for line in school.get_lines()][:2] == ["baseline", "other"]
    np.testing.assert_array_equal(enterprise.get_lines()[0].get_ydata(),
                                  small_run.timeseries["enterprise_mentor_workload"])
    assert "hours" in school.get_ylabel()


def test_a_chart_leaves_matplotlib_settings_as_they_were(small_run):
    before = dict(mpl.rcParams)
    charts.stages_chart({"baseline": small_run.timeseries}, context=CONTEXT)
    assert dict(mpl.rcParams) == before


# ---------------------------------------------------------------------------- sweeps


def _grid_results() -> pd.DataFrame:
    rows = []
    for point, (a, b) in enumerate([(a, b) for a in (1, 2, 3) for b in (10, 20)]):
        for rep in range(3):
            rows.append({"point": point, "rep": rep, "seed": rep, "p.a": a, "p.b": b,
                         "employment_rate_at_graduation": 0.1 * a + 0.01 * rep, "error": ""})
    return pd.DataFrame(rows)


def test_response_chart_draws_the_mean_per_value_and_a_ci_band():
    fig = charts.response_chart(_grid_results(), "p.a", ["employment_rate_at_graduation"], context=CONTEXT)
    ax = fig.axes[0]
    mean_line = ax.get_lines()[0]
    np.testing.assert_allclose(mean_line.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(mean_line.get_ydata(), [11, 21, 31])  # percent
    assert ax.get_xlabel() == "p.a" and "(%)" in ax.get_ylabel()
    assert any(isinstance(c, PolyCollection) for c in ax.collections)  # the CI band
    assert "Response to p.a" in _title(fig)


def test_heatmap_chart_shows_the_mean_of_each_combination():
    fig = charts.heatmap_chart(_grid_results(), "p.a", "p.b", "employment_rate_at_graduation", context=CONTEXT)
    ax = fig.axes[0]
    grid = ax.get_images()[0].get_array()
    assert grid.shape == (2, 3)
    np.testing.assert_allclose(grid[0], [11, 21, 31])
    assert ax.get_xlabel() == "p.a" and ax.get_ylabel() == "p.b"


def test_sobol_chart_has_s1_and_st_bars_ordered_by_st():
    sens = pd.DataFrame({"parameter": ["x1", "x2", "x3"], "outcome": "y", "S1": [0.3, 0.44, 0.0],
                         "S1_conf": 0.05, "ST": [0.56, 0.44, 0.24], "ST_conf": 0.05})
    fig = charts.sobol_chart(sens, context=CONTEXT)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x3", "x2", "x1"]  # largest ST on top
    assert len(ax.patches) == 6
    assert "Sobol" in ax.get_xlabel()
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["ST (total)", "S1 (first order)"]


def test_morris_chart_places_each_parameter_at_mu_star_and_sigma():
    sens = pd.DataFrame({"parameter": ["a", "b"], "outcome": "employment_rate_at_graduation", "mu": [0.1, 0.0],
                         "mu_star": [0.1, 0.02], "mu_star_conf": [0.01, 0.01], "sigma": [0.05, 0.03]})
    fig = charts.morris_chart(sens, context=CONTEXT)
    ax = fig.axes[0]
    points = ax.get_lines()[0]
    np.testing.assert_allclose(points.get_xdata(), [10, 2])  # percentage points
    np.testing.assert_allclose(points.get_ydata(), [5, 3])
    assert {"a", "b"} <= {t.get_text() for t in ax.texts}
    assert "percentage points" in ax.get_xlabel()


# ---------------------------------------------------------------------------- saving and folders


def test_save_figure_writes_png_and_svg_and_no_temporary_file(tmp_path, small_run):
    fig = charts.workload_chart({"baseline": small_run.timeseries}, context=CONTEXT)
    paths = charts.save_figure(fig, tmp_path / "sub" / "workload")
    assert [p.name for p in paths] == ["workload.png", "workload.svg"]
    with Image.open(paths[0]) as image:
        low, high = image.convert("L").getextrema()
        assert image.width > 500 and low < high
    assert paths[1].read_text().lstrip().startswith("<?xml")
    assert sorted(p.name for p in (tmp_path / "sub").iterdir()) == ["workload.png", "workload.svg"]


def test_charts_for_run_writes_every_run_chart(run_folder):
    paths = charts.charts_for_run(run_folder)
    names = {p.stem for p in paths}
    assert names == {"stages", "distributions", "employment", "cost_effectiveness", "money", "shortfalls",
                     "workload", "training_market"}
    assert all(p.parent == Path(run_folder) / "charts" and p.stat().st_size > 0 for p in paths)
    assert len(paths) == 2 * len(names)


def test_charts_for_compare_includes_resimulated_time_series(tmp_path):
    base = load_scenario(None, SMALL)
    smaller_groups = load_scenario(None, {**SMALL, "school_mentors.students_per_mentor": 10, "name": "groups10"})
    compare([base, smaller_groups], reps=2, master_seed=3, out=tmp_path / "cmp")
    folder = load_folder(tmp_path / "cmp")
    assert folder.notes == [] and list(folder.timeseries) == ["baseline", "groups10"]
    figures = charts.figures_for_compare(folder)
    assert list(figures) == ["employment", "differences", "cost_effectiveness", "distributions", "stages",
                             "money", "shortfalls", "workload"]
    assert "replication 0 of 2" in _title(figures["stages"])
    assert "2 replications" in _title(figures["employment"])
    forest = figures["differences"]
    assert {ax.get_title() for ax in forest.axes} <= {outcome_info(o).label for o in KEY_OUTCOMES}


def test_charts_for_sweep_of_one_parameter(tmp_path):
    definition = {"design": "grid", "parameters": {"school_mentors.students_per_mentor": {"levels": [10, 30]}},
                  "reps": 2, "seed": 0}
    sweep(definition, out=tmp_path / "sw", overrides=SMALL)
    figures = charts.figures_for_sweep(load_folder(tmp_path / "sw"))
    assert list(figures) == ["response_school_mentors_students_per_mentor"]  # no heat map, no indices
    fig = figures["response_school_mentors_students_per_mentor"]
    key_labels = [outcome_info(o).label for o in KEY_OUTCOMES]  # the registry's headline outcomes, in order
    titles = [ax.get_title() for ax in fig.axes]
    assert len(titles) == 4 and titles == sorted(titles, key=key_labels.index)
    assert titles[0] == "Composite score of graduates"
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_xdata(), [10, 30])


@pytest.mark.parametrize(("design", "samples", "chart"), [("sobol", 16, "sobol"), ("morris", 4, "morris")])
def test_figures_for_sobol_and_morris_sweeps(tmp_path, design, samples, chart):
    parameters = {f"x{i}": {"bounds": [-3.14159, 3.14159]} for i in (1, 2, 3)}
    sweep({"design": design, "samples": samples, "parameters": parameters, "reps": 1, "seed": 0},
          out=tmp_path / design, model=ishigami)
    figures = charts.figures_for_sweep(load_folder(tmp_path / design))
    assert chart in figures and "heatmap" in figures
    assert {f"response_x{i}" for i in (1, 2, 3)} <= set(figures)
    assert f"{design} sweep" in _title(figures[chart])


def test_charts_for_the_wrong_kind_or_a_missing_folder_are_user_errors(tmp_path, run_folder):
    with pytest.raises(ReportError, match="talentsim run, not compare"):
        charts.charts_for_compare(run_folder)
    with pytest.raises(ReportError, match="does not exist"):
        charts.charts_for_run(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ReportError, match="is empty"):
        charts.charts_for_sweep(tmp_path / "empty")


# ---------------------------------------------------------------- which uses went short (issue 10, funding)


def test_shortfall_chart_shows_each_use_week_by_week_and_its_weeks_short():
    short = run_one(None, seed=2, **SMALL, **{"funding.earmarks.exam_fees": []})  # exam fees: paid by nobody
    fig = charts.shortfall_chart({"baseline": short.timeseries}, context="c")
    (ax,) = [a for a in fig.axes if getattr(a, "_colorbar", None) is None]
    assert [t.get_text() for t in ax.get_yticklabels()] == [SERIES_BY_NAME[f"funded_share_{u}"].label for u in USES]
    notes = [t.get_text() for t in ax.texts]
    weeks = int(short.summary["weeks_short_exam_fees"])
    assert weeks > 0 and notes[USES.index("exam_fees")] == f"{weeks} weeks short"
    assert notes[USES.index("training_base")] == "0 weeks short"
    (image,) = ax.get_images()
    row = image.get_array()[USES.index("exam_fees")]
    assert (row.compressed() == 0.0).all() and row.mask.sum() > 0  # short every exam week, blank the others


def test_the_training_market_chart_draws_offered_and_demand_per_sector(run_folder):
    folder = load_folder(run_folder)
    (table,) = folder.training_market.values()
    fig = charts.figures_for_run(folder)["training_market"]
    axes = [ax for ax in fig.axes if ax.patches]
    assert len(axes) == min(table["sector"].nunique(), charts.MAX_SECTOR_PANELS)
    first = table[table["sector"] == table["sector"].min()].sort_values("year")
    heights = [patch.get_height() for patch in axes[0].patches]
    # the places offered of each year, then the demand of each year
    assert heights == first["places_offered"].tolist() + first["demand"].tolist()


def test_a_run_folder_without_the_training_market_still_reports(run_folder, tmp_path):
    import shutil

    old = tmp_path / "old_run"
    shutil.copytree(run_folder, old)
    (old / "training_market.parquet").unlink()
    folder = load_folder(old)
    assert folder.training_market == {} and "training_market" not in charts.figures_for_run(folder)
