"""The HTML report: self-contained, complete for each kind of folder, and rendered by a real browser.

The browser test opens the report of a small comparison in Debian's chromium, driven by
Playwright, and checks what a planner would see: the page loads with no console error
and no request but the file itself (the browser context is offline), every chart is
decoded and is not blank, and the print layout hides the navigation. Its full-page
screenshot is saved to ``outputs/report_screenshot.png`` for a person to look at.
The test skips when chromium or Playwright is missing, unless
``TALENTSIM_REQUIRE_BROWSER=1`` (set by ``.ci/run``), where it fails instead.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, platform_fonts, require_browser
from PIL import Image

from sim.cli import main
from sim.experiments.compare import compare
from sim.experiments.models import ishigami
from sim.experiments.sweep import sweep
from sim.model import run_one
from sim.report.data import ReportError
from sim.report.html import REPORT_FILE, write_charts_and_report, write_report
from sim.run_folder import write_run_folder
from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "outputs" / "report_screenshot.png"
SMALL_YAML = """\
intake:
  cohort_size: 60
  n_cohorts: 1
simulation:
  horizon_years: 4
enterprises:
  count: 6
"""
BASE_YAML = f"""\
# Small baseline for the report tests.
# Question: what does a small programme deliver?
name: base
question: Does <b>this</b> & that work?
{SMALL_YAML}"""
GROUPS_YAML = f"""\
# Smaller mentor groups: 10 students per school mentor.
name: groups10
question: Do smaller mentor groups raise skills?
{SMALL_YAML}school_mentors:
  students_per_mentor: 10
"""


@pytest.fixture(scope="module")
def compare_folder(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("compare")
    (root / "base.yaml").write_text(BASE_YAML, encoding="utf-8")
    (root / "groups10.yaml").write_text(GROUPS_YAML, encoding="utf-8")
    compare([root / "base.yaml", root / "groups10.yaml"], reps=2, master_seed=5, out=root / "out")
    return root / "out"


@pytest.fixture(scope="module")
def compare_report(compare_folder) -> Path:
    return write_report(compare_folder)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory) -> Path:
    file = tmp_path_factory.mktemp("scenario") / "base.yaml"
    file.write_text(BASE_YAML, encoding="utf-8")
    scenario = load_scenario(file)
    result = run_one(scenario, seed=1)
    return write_run_folder(tmp_path_factory.mktemp("run") / "out", scenario, str(file), result, result.summary,
                            [1], result.wall_seconds)


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- content


def test_report_is_one_self_contained_file(compare_report):
    html = _text(compare_report)
    assert compare_report.name == REPORT_FILE
    assert "<script" not in html.lower()
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html, re.IGNORECASE)
    assert not re.search(r"@import|url\(", html)
    references = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert references and all(r.startswith(("data:", "#")) for r in references)
    assert len(re.findall(r'<img src="data:image/png;base64,', html)) == 8  # incl. the money shortfalls
    assert not [p for p in compare_report.parent.iterdir() if p.name.startswith(".tmp-")]


def test_compare_report_shows_questions_diff_outcomes_and_provenance(compare_report, compare_folder):
    html = _text(compare_report)
    assert "Does &lt;b&gt;this&lt;/b&gt; &amp; that work?" in html  # autoescaped
    assert "Do smaller mentor groups raise skills?" in html
    assert "Smaller mentor groups: 10 students per school mentor." in html  # the file's comment
    diff = html[html.index('id="parameters"'):html.index('id="outcomes"')]
    assert "school_mentors.students_per_mentor" in diff and "intake.cohort_size" not in diff
    outcomes = html[html.index('id="outcomes"'):html.index('id="charts"')]
    assert "Employment rate at graduation" in outcomes and "groups10 − base" in outcomes
    assert re.search(r'<span class="ci">\[[^\]]+\]</span>', outcomes)  # CIs shown
    manifest = json.loads((compare_folder / "manifest.json").read_text())
    provenance = html[html.index('id="provenance"'):]
    for scenario in manifest["scenarios"]:
        assert scenario["hash"] in provenance
    assert manifest["versions"]["numpy"] in provenance and "master seed" in provenance
    assert "experiment started" in provenance and "report written" in provenance


def test_cli_report_prints_the_path_of_a_run_report_listing_what_differs_from_the_defaults(run_folder, capsys):
    assert main(["report", str(run_folder)]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == str(run_folder / REPORT_FILE)
    html = _text(Path(printed))
    assert "Simulation run: base" in html and "What differs from the model's defaults" in html
    diff = html[html.index('id="parameters"'):html.index('id="outcomes"')]
    assert "intake.cohort_size" in diff and ">700<" in diff and ">60<" in diff
    assert "One run: no confidence intervals" in html
    assert "what does a small programme deliver?" in html.lower()
    assert len(re.findall(r'<img src="data:image/png;base64,', html)) == 8  # with shortfalls, training market


def test_sweep_report_of_one_parameter_ranks_it(tmp_path):
    definition = {"name": "groups", "description": "How do mentor groups matter?", "design": "grid",
                  "parameters": {"school_mentors.students_per_mentor": {"levels": [10, 30]}}, "reps": 2,
                  "seed": 0}
    sweep(definition, out=tmp_path / "sw",
          overrides={"intake.cohort_size": 60, "intake.n_cohorts": 1, "simulation.horizon_years": 4,
                     "enterprises.count": 6})
    paths, report = write_charts_and_report(tmp_path / "sw")
    assert [p.name for p in paths] == ["response_school_mentors_students_per_mentor.png",
                                       "response_school_mentors_students_per_mentor.svg"]
    html = _text(report)
    assert "How do mentor groups matter?" in html and "Parameters the sweep varies" in html
    ranking = html[html.index('id="sensitivity"'):html.index('id="charts"')]
    assert "Spearman" in ranking and "school_mentors.students_per_mentor" in ranking
    assert "<td class=\"num\">10</td>" in html and "<td class=\"num\">30</td>" in html  # one row per point


def test_sobol_sweep_report_ranks_by_total_index(tmp_path):
    parameters = {f"x{i}": {"bounds": [-3.14159, 3.14159]} for i in (1, 2, 3)}
    sweep({"design": "sobol", "samples": 16, "parameters": parameters, "reps": 1, "seed": 0},
          out=tmp_path / "sobol", model=ishigami)
    html = _text(write_report(tmp_path / "sobol"))
    ranking = html[html.index('id="sensitivity"'):html.index('id="charts"')]
    assert "total Sobol' index ST" in ranking
    values = [float(v) for v in re.findall(r'<span class="v">([-0-9.]+)</span>', ranking)]
    assert len(values) == 3 and values == sorted(values, reverse=True)  # most influential first
    assert [f"#{i}" for i in (1, 2, 3)] == re.findall(r'<sup class="rank">(#\d)</sup>', ranking)


def test_report_of_a_missing_or_empty_folder_is_a_user_error(tmp_path, capsys):
    with pytest.raises(ReportError, match="does not exist"):
        write_report(tmp_path / "missing")
    (tmp_path / "empty").mkdir()
    assert main(["report", str(tmp_path / "empty")]) == 2
    assert "is empty" in capsys.readouterr().err
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x")
    assert main(["report", str(tmp_path / "other")]) == 2
    assert "not a talentsim output folder" in capsys.readouterr().err



# ---------------------------------------------------------------------------- in a real browser


def _not_blank(png: bytes, contrast: int = 100) -> bool:
    with Image.open(io.BytesIO(png)) as image:
        low, high = image.convert("L").getextrema()
    return high - low >= contrast


def test_report_renders_in_headless_chromium(compare_report, tmp_path):
    require_browser("playwright.sync_api", install="pip install playwright; no 'playwright install'")
    from playwright.sync_api import sync_playwright

    url = compare_report.resolve().as_uri()
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(offline=True, viewport={"width": 1366, "height": 900})
            page = context.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(url, wait_until="load")

            assert requests == [url], "the report must not request anything but itself"
            assert errors == []
            assert page.title().startswith("Scenario comparison: base, groups10")
            images = page.eval_on_selector_all(
                "figure.chart img",
                "imgs => imgs.map(i => ({complete: i.complete, width: i.naturalWidth, shown: i.clientWidth}))")
            assert len(images) == 8  # incl. the money shortfalls
            assert all(i["complete"] and i["width"] > 0 and i["shown"] > 0 for i in images)
            for handle in page.query_selector_all("figure.chart img"):
                assert _not_blank(handle.screenshot())
            shot = tmp_path / "report_screenshot.png"
            page.screenshot(path=shot, full_page=True)
            assert _not_blank(shot.read_bytes())
            page_width = page.evaluate("document.documentElement.scrollWidth")
            assert page_width <= 1366, "nothing may overflow a laptop-width window"

            page.emulate_media(media="print")
            assert page.eval_on_selector("nav.toc", "n => getComputedStyle(n).display") == "none"
            assert page.eval_on_selector("figure.chart", "f => getComputedStyle(f).breakInside") == "avoid"
        finally:
            browser.close()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    shutil.copyfile(shot, SCREENSHOT)


ZH_SCREENSHOT = ROOT / "outputs" / "report_zh_screenshot.png"
CHINESE_SCENARIO = ROOT / "scenarios" / "示例_城市学徒制.yaml"


@pytest.fixture(scope="module")
def zh_report(tmp_path_factory) -> Path:
    """The Chinese report of a small comparison with a scenario written in Chinese."""
    from sim.scenario import load_scenario

    root = tmp_path_factory.mktemp("compare_zh")
    small = {"intake.cohort_size": 60, "intake.n_cohorts": 1, "simulation.horizon_years": 4, "enterprises.count": 6}
    base = load_scenario(None, {**small, "name": "base", "question": "What does a small programme deliver?",
                                "question_zh": "一个小型的现代学徒制项目能带来什么？"})
    compare([base, load_scenario(CHINESE_SCENARIO, small)], reps=2, master_seed=5, out=root / "out")
    return write_report(root / "out", lang="zh")




def test_chinese_report_renders_its_glyphs_in_headless_chromium(zh_report, tmp_path):
    """No CJK system font here or in CI: the page must draw its Chinese from the font it embeds."""
    require_browser("playwright.sync_api", install="pip install playwright; no 'playwright install'")
    from playwright.sync_api import sync_playwright

    from sim.report.fonts import WEB_FAMILY

    url = zh_report.resolve().as_uri()
    requests: list[str] = []
    messages: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(offline=True, viewport={"width": 1366, "height": 900})
            page = context.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning")
                    else None)
            page.on("pageerror", lambda error: messages.append(str(error)))
            page.goto(url, wait_until="load")
            page.evaluate("document.fonts.ready.then(() => true)")

            assert requests == [url], "the report must not request anything but itself"
            assert messages == []  # a font Chromium cannot decode is reported here ("OTS parsing error")
            assert page.evaluate("document.documentElement.lang") == "zh-CN"
            faces = page.evaluate("[...document.fonts].map(f => [f.family.replace(/\"/g, ''), f.status])")
            assert faces == [[WEB_FAMILY, "loaded"]]
            for selector in ("p.question", "article.scenario:nth-of-type(2) h3"):
                text = page.eval_on_selector(selector, "n => n.textContent")
                assert re.search(r"[\u4e00-\u9fff]", text), selector
                used = platform_fonts(page, selector)
                # every character beyond ASCII was drawn from the embedded font: an installed font without
                # it would draw a box (and be reported here as the font used)
                beyond_ascii = sum(1 for c in text if ord(c) > 127)
                assert sum(f["glyphCount"] for f in used if f["isCustomFont"]) >= beyond_ascii, (selector, used)
            images = page.eval_on_selector_all("figure.chart img", "imgs => imgs.map(i => i.complete && "
                                               "i.naturalWidth > 0)")
            assert images and all(images)
            shot = tmp_path / "report_zh_screenshot.png"
            page.screenshot(path=shot, full_page=True)
            assert _not_blank(shot.read_bytes())
            assert page.evaluate("document.documentElement.scrollWidth") <= 1366
        finally:
            browser.close()
    ZH_SCREENSHOT.parent.mkdir(exist_ok=True)
    shutil.copyfile(shot, ZH_SCREENSHOT)
