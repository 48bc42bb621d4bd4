"""Charts and reports a planner reads in either language, on a machine without CJK fonts.

* Every chart keeps its data inside its axes: for each Axes, every point of its lines,
  collections (scatter points, bands, stacked areas, violins, error bars), patches (bars)
  and images lies within the axis limits (the stages chart once cut a larger scenario off
  at the first scenario's limit).
* Axes name outcomes and parameters by their labels and units, never by dotted keys, and
  money in readable units.
* Chinese charts draw every glyph: every character of every text is in the shipped
  font's character map, and drawing them (PNG and SVG) raises no missing-glyph warning
  (warnings are errors here); SVG text is written as paths.
* The Chinese report says ``lang="zh-CN"`` and embeds the subset of the font it uses as
  an ``@font-face`` data URI that has every character of the page.
* A scenario written in Chinese (file name, name and question) runs, compares and
  reports; the comparison CSVs open in Excel with the names intact (UTF-8 with a BOM)
  and read back into pandas with the same column names.
"""

from __future__ import annotations

import base64
import io
import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from fontTools.ttLib import TTFont
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import AxesImage
from matplotlib.text import Text

from sim.cli import main
from sim.experiments.compare import compare
from sim.experiments.models import ishigami
from sim.experiments.sweep import sweep
from sim.report import charts, fonts
from sim.report.data import load_folder
from sim.report.html import render_report, write_report
from sim.scenario import load_scenario
from sim.scenario.params import param_index

ROOT = Path(__file__).resolve().parents[1]
CHINESE_SCENARIO = ROOT / "scenarios" / "示例_城市学徒制.yaml"
SMALL = {"intake.cohort_size": 60, "intake.n_cohorts": 1, "simulation.horizon_years": 4, "enterprises.count": 6}
TOLERANCE_PX = 1.5
"""How far (in pixels) a data point may lie beyond its axes: the width of a rounding error, not of a marker."""


# ---------------------------------------------------------------------------- folders


@pytest.fixture(scope="module")
def compare_folder(tmp_path_factory) -> Path:
    """A small comparison whose second scenario has twice the students (its stages run higher)."""
    root = tmp_path_factory.mktemp("compare")
    base = load_scenario(None, {**SMALL, "name": "base", "question": "What does a small programme deliver?",
                                "question_zh": "一个小型项目能带来什么？"})
    bigger = load_scenario(CHINESE_SCENARIO, {**SMALL, "intake.cohort_size": 120})
    compare([base, bigger], reps=2, master_seed=5, out=root / "out")
    return root / "out"


@pytest.fixture(scope="module")
def grid_folder(tmp_path_factory) -> Path:
    """A grid sweep over a ratio and a money parameter (the heat map's axes)."""
    out = tmp_path_factory.mktemp("grid") / "out"
    sweep({"design": "grid", "reps": 1, "seed": 0, "description": "How do ratio and fund matter?",
           "description_zh": "导师配比和专项经费有何影响？",
           "parameters": {"school_mentors.students_per_mentor": {"levels": [10, 30]},
                          "funding.school_special_fund_yuan_per_year": {"levels": [700000, 2100000]}}},
          out=out, overrides=SMALL)
    return out


@pytest.fixture(scope="module", params=["sobol", "morris"])
def index_folder(request, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp(request.param) / "out"
    parameters = {f"x{i}": {"bounds": [-3.14159, 3.14159]} for i in (1, 2, 3)}
    sweep({"design": request.param, "samples": 16 if request.param == "sobol" else 4, "parameters": parameters,
           "reps": 1, "seed": 0}, out=out, model=ishigami)
    return out


# ---------------------------------------------------------------------------- data inside the axes


def _display_points(ax: Axes) -> Iterator[tuple[str, np.ndarray]]:
    """Every data point an Axes draws, in display (pixel) coordinates, with what drew it."""
    for line in ax.get_lines():
        yield f"line {line.get_label()!r}", line.get_transform().transform(np.asarray(line.get_xydata(), float))
    for collection in ax.collections:
        name = f"{type(collection).__name__} {collection.get_label()!r}"
        offsets = np.asarray(collection.get_offsets(), float)
        if len(offsets) and len(collection.get_paths()) and not collection.get_transform().contains_branch(
                ax.transData):  # markers: the points are the offsets
            yield name, collection.get_offset_transform().transform(offsets)
            continue
        for path in collection.get_paths():
            yield name, collection.get_transform().transform(path.vertices)
    for patch in ax.patches:
        yield f"patch {type(patch).__name__}", patch.get_transform().transform(patch.get_path().vertices)
    for image in ax.get_images():
        if isinstance(image, AxesImage):
            left, right, bottom, top = image.get_extent()
            yield "image", ax.transData.transform([[left, bottom], [right, top]])


def _outside(fig: Figure) -> list[str]:
    """What lies outside its axes in a figure (empty when everything is inside)."""
    fig.draw_without_rendering()  # limits (autoscaled lazily) and layout as saved
    problems = []
    for ax in fig.axes:
        if getattr(ax, "_colorbar", None) is not None:
            continue  # a colour bar's own axes show the colour scale, not data
        box = ax.bbox.padded(TOLERANCE_PX)
        for what, points in _display_points(ax):
            finite = points[np.isfinite(points).all(axis=1)]
            inside = ((finite[:, 0] >= box.x0) & (finite[:, 0] <= box.x1) & (finite[:, 1] >= box.y0)
                      & (finite[:, 1] <= box.y1))
            if not inside.all():
                problems.append(f"{ax.get_title() or ax.get_ylabel()!r}: {what}: {int((~inside).sum())} of "
                                f"{len(finite)} points outside x {ax.get_xlim()} y {ax.get_ylim()}")
    return problems


def _all_figures(*folders: Path, lang: str = "en") -> Iterator[tuple[str, Figure]]:
    for folder in folders:
        for name, fig in charts.figures_for(load_folder(folder), lang=lang).items():
            yield f"{folder.parent.name}/{name}", fig


@pytest.fixture(scope="module")
def english_figures(compare_folder, grid_folder) -> dict[str, Figure]:
    return dict(_all_figures(compare_folder, grid_folder))


def test_every_chart_keeps_its_data_inside_its_axes(english_figures):
    names = {name.split("/")[1] for name in english_figures}
    assert {"stages", "money", "differences", "heatmap", "employment", "cost_effectiveness"} <= names
    problems = {name: found for name, fig in english_figures.items() if (found := _outside(fig))}
    assert problems == {}


def test_every_sensitivity_chart_keeps_its_data_inside_its_axes(index_folder):
    figures = dict(_all_figures(index_folder))
    assert {"sobol", "morris"} & {name.split("/")[1] for name in figures}
    assert {name: found for name, fig in figures.items() if (found := _outside(fig))} == {}


def test_stages_of_a_larger_second_scenario_are_not_cut_off(compare_folder):
    folder = load_folder(compare_folder)
    fig = charts.stages_chart(folder.timeseries, context="c")
    fig.draw_without_rendering()
    biggest = max(float(line.get_ydata().max()) for ax in fig.axes for line in ax.get_lines())
    assert biggest >= 120 and all(ax.get_ylim()[1] >= biggest for ax in fig.axes)  # the 120-student scenario


def test_the_outside_check_sees_data_beyond_a_limit():
    fig = Figure()
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 10])
    ax.bar([0.5], [20])
    ax.set_ylim(0, 5)
    assert len(_outside(fig)) == 2


# ---------------------------------------------------------------------------- labels and units


DOTTED_KEY = re.compile(r"\b[a-z_]+\.[a-z_]+\b")


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def test_heatmap_axes_use_parameter_labels_and_readable_money(grid_folder):
    fig = charts.figures_for(load_folder(grid_folder), lang="en")["heatmap"]
    ax = fig.axes[0]
    labels = {param_index()[k].label for k in ("school_mentors.students_per_mentor",
                                                 "funding.school_special_fund_yuan_per_year")}
    assert {ax.get_xlabel().split(" (")[0], ax.get_ylabel().split(" (")[0]} == labels
    money_axis = ax.get_ylabel() if "fund" in ax.get_ylabel().lower() else ax.get_xlabel()
    assert "(million yuan/year)" in money_axis  # levels of 700,000 and 2,100,000 yuan a year, not 2.1e+06
    fig.draw_without_rendering()
    ticks = [t.get_text() for t in (ax.get_yticklabels() + ax.get_xticklabels())]
    assert "0.7" in ticks and "2.1" in ticks
    assert not any("e+" in t for t in _texts(fig))
    assert not [t for t in _texts(fig) if DOTTED_KEY.search(t)]


def test_no_chart_shows_a_dotted_key_or_a_number_in_exponent_form(english_figures):
    for name, fig in english_figures.items():
        fig.draw_without_rendering()
        shown = _texts(fig) + [t.get_text() for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()]
        assert not [t for t in shown if DOTTED_KEY.search(t) or re.search(r"\de[+-]\d", t)], name


def test_money_scales_in_each_language():
    assert charts.money_scale(1500, "en") == (1.0, "yuan")
    assert charts.money_scale(15000, "en") == (1e3, "thousand yuan")
    assert charts.money_scale(2.1e6, "en") == (1e6, "million yuan")
    assert charts.money_scale(15000, "zh")[0] == 1e4  # 万元
    assert charts.money_scale(3e8, "zh")[0] == 1e8  # 亿元 from 10,000 万元


# ---------------------------------------------------------------------------- Chinese glyphs


def _draw_without_missing_glyphs(fig: Figure) -> bytes:
    """Save as PNG and SVG with every warning an error; return the SVG."""
    svg = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph ... missing from font(s) ..." fails the test
        with mpl.rc_context(charts.figure_style(fig)):
            fig.savefig(io.BytesIO(), format="png", dpi=60)
            fig.savefig(svg, format="svg")
    return svg.getvalue()


def test_chinese_charts_draw_every_glyph_from_the_shipped_font(compare_folder, grid_folder):
    cmap = fonts.character_map()
    figures = dict(_all_figures(compare_folder, grid_folder, lang="zh"))
    assert len(figures) >= 8
    seen: set[str] = set()
    for name, fig in figures.items():
        svg = _draw_without_missing_glyphs(fig)
        assert b"<text" not in svg, f"{name}: SVG text must be paths"
        shown = "".join(_texts(fig))
        seen |= set(shown)
        missing = sorted({c for c in shown if not c.isspace() and ord(c) not in cmap})
        assert missing == [], f"{name}: no glyph for {missing}"
    assert set("示例城市学徒制") <= seen  # the Chinese scenario's name is drawn


def test_the_glyph_check_fails_on_a_character_no_font_has():
    with mpl.rc_context(charts.chart_style("zh")):
        fig = Figure()
        fig.add_subplot().set_title("现代学徒制 \U00013000")  # an Egyptian hieroglyph: in no shipped font
    with pytest.raises(UserWarning, match="missing from font"):
        _draw_without_missing_glyphs(fig)
    assert 0x13000 not in fonts.character_map()


def test_chinese_charts_use_the_cjk_font_and_english_ones_keep_dejavu(compare_folder):
    zh = charts.figures_for(load_folder(compare_folder, resimulate=False), lang="zh")["employment"]
    en = charts.figures_for(load_folder(compare_folder, resimulate=False), lang="en")["employment"]
    assert zh.axes[0].yaxis.label.get_fontfamily()[0] == fonts.CHART_FAMILY
    assert en.axes[0].yaxis.label.get_fontfamily()[:2] == [fonts.LATIN_FAMILY, fonts.CHART_FAMILY]
    _draw_without_missing_glyphs(en)  # a Chinese scenario name in an English chart falls back to the CJK font


# ---------------------------------------------------------------------------- the report's font


def _embedded_font(html: str) -> TTFont:
    faces = re.findall(r"@font-face \{[^}]*src: url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", html)
    assert len(faces) == 1, "one embedded font"
    return TTFont(io.BytesIO(base64.b64decode(faces[0])))


def _page_text(html: str) -> set[str]:
    return {c for c in fonts.page_characters(html) if not c.isspace()}


def _not_embedded(html: str, cmap: set[int]) -> list[str]:
    """Characters of the page that neither the embedded font nor every Latin font (printable ASCII) has."""
    return sorted(c for c in _page_text(html) if ord(c) not in cmap and not (32 < ord(c) < 127))


def test_chinese_report_embeds_the_subset_of_the_font_it_shows(compare_folder):
    html = render_report(load_folder(compare_folder, resimulate=False), {}, lang="zh")
    assert '<html lang="zh-CN">' in html
    assert "一个小型项目能带来什么？" in html  # the question in the report's language
    font = _embedded_font(html)
    cmap = set(font.getBestCmap())
    assert _not_embedded(html, cmap) == []  # ASCII is drawn by the installed Latin fonts
    assert fonts.has_cjk("".join(chr(c) for c in cmap))
    assert len(cmap) < 2000  # a subset, not the 30,000-glyph font
    name = font["name"]
    assert name.getDebugName(0) and "Open Font License" in (name.getDebugName(13) or "")
    assert not re.search(r"https?://", html.replace(name.getDebugName(14) or "#", ""))
    css = html[html.index("<style>"):html.index("</style>")]
    assert css.count("url(") == 1
    assert f'--sans: "{fonts.WEB_FAMILY}", ' in css and f'--mono: "{fonts.WEB_FAMILY}", ' in css  # it leads


def test_a_sweep_report_shows_its_description_in_the_reports_language(grid_folder):
    folder = load_folder(grid_folder)
    assert "导师配比和专项经费有何影响？" in render_report(folder, {}, lang="zh")
    assert "How do ratio and fund matter?" in render_report(folder, {}, lang="en")


def test_english_report_embeds_a_font_only_for_chinese_text(compare_folder, tmp_path):
    html = render_report(load_folder(compare_folder, resimulate=False), {}, lang="en")
    assert '<html lang="en">' in html and "What does a small programme deliver?" in html
    cmap = set(_embedded_font(html).getBestCmap())  # the Chinese scenario's name and question
    assert {ord(c) for c in "示例城市学徒制"} <= cmap and ord("a") not in cmap
    plain = tmp_path / "plain"
    compare([load_scenario(None, {**SMALL, "name": "a"}), load_scenario(None, {**SMALL, "name": "b"})],
            reps=1, master_seed=1, out=plain)
    assert "@font-face" not in render_report(load_folder(plain, resimulate=False), {}, lang="en")


def test_a_subset_is_the_same_bytes_for_the_same_text():
    assert fonts.subset_woff("现代学徒制 1+X") == fonts.subset_woff("X+1 制徒学代现")


# ---------------------------------------------------------------------------- a scenario in Chinese


def test_chinese_scenario_runs_compares_and_reports_with_tables_excel_reads(tmp_path, capsys):
    out = tmp_path / "比较"
    sets = [a for k, v in SMALL.items() for a in ("--set", f"{k}={v}")]
    code = main(["compare", str(ROOT / "scenarios" / "baseline.yaml"), str(CHINESE_SCENARIO), "--reps", "2",
                 "--out", str(out), "--workers", "1", "--quiet", "--lang", "zh", *sets])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "示例_城市学徒制" in printed.out
    for name in ("comparison.csv", "differences.csv"):
        raw = (out / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM: Excel reads the Chinese names
        table = pd.read_csv(out / name)
        assert table.columns[0] == "scenario" and "示例_城市学徒制" in set(table["scenario"])
    assert list(pd.read_csv(out / "comparison.csv").columns) == ["scenario", "outcome", "mean", "sd", "n",
                                                                 "ci_low", "ci_high"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "企业导师津贴提高到每月 800 元" in html and '<html lang="zh-CN">' in html
    assert _not_embedded(html, set(_embedded_font(html).getBestCmap())) == []
    assert (out / "charts" / "stages.svg").is_file()
    assert "示例_城市学徒制" in write_report(out, resimulate=False, lang="en").read_text(encoding="utf-8")


def test_shipped_scenarios_ask_their_question_in_both_languages():
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        scenario = load_scenario(path)
        assert scenario.question, path.name
        assert fonts.has_cjk(scenario.question_zh or scenario.question), f"{path.name}: no Chinese question"
    from sim.experiments.spec import load_spec

    for path in sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml")):
        spec = load_spec(path)
        assert spec.description and fonts.has_cjk(spec.description_zh), path.name


def test_a_question_of_its_own_drops_the_parents_chinese_question(tmp_path):
    (tmp_path / "child.yaml").write_text(f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\n"
                                         "question: Does a new question lose the old translation?\n",
                                         encoding="utf-8")
    (tmp_path / "same.yaml").write_text(f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\nname: same\n",
                                        encoding="utf-8")
    assert load_scenario(tmp_path / "child.yaml").question_zh == ""
    assert load_scenario(tmp_path / "same.yaml").question_zh == load_scenario(ROOT / "scenarios" /
                                                                              "baseline.yaml").question_zh
