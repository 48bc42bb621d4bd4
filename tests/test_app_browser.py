"""talentsim app in a real browser (Debian's chromium, driven by Playwright), its server cut off from the network.

The server runs as ``talentsim app`` in a subprocess whose every outbound connection and
name lookup is refused (``tests/app_offline_server.py``); the browser aborts and records
any request that does not go to that server. What a planner does is then checked: the
page loads with no console error and no request leaving the machine; moving students
per school mentor from 20 to 30 and running changes the outcome table; a second tab
keeps its own variant, and cancelling its long comparison (queued first on the shared
pool) lets the first tab's finish; the saved variant validates; the Chinese page shows
Chinese labels drawn from the shipped font (no missing glyphs), and its outcome table
and report download in Chinese. Skips without chromium or Playwright, unless
``TALENTSIM_REQUIRE_BROWSER=1`` (``.ci/run``), where it fails.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from browser import CHROMIUM, CHROMIUM_ARGS, platform_fonts, require_browser

from sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
MID_YAML = """\
name: mid
question: What does a programme of 200 students deliver?
question_zh: 200 名学生的项目带来什么成效？
intake:
  cohort_size: 200
  n_cohorts: 1
simulation:
  horizon_years: 3
"""
STARTUP_S = 120


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def offline_app(tmp_path):
    """``talentsim app mid.yaml`` on a free port, network blocked; yields (url, folder, stderr file)."""
    require_browser("playwright.sync_api", "solara", install='pip install -e ".[test,app]"')
    scenario = tmp_path / "scenarios" / "mid.yaml"
    scenario.parent.mkdir()
    scenario.write_text(MID_YAML, encoding="utf-8")
    port = _free_port()
    log = tmp_path / "server.log"
    with open(log, "w", encoding="utf-8") as stderr:
        server = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "app_offline_server.py"), "app", str(scenario), "--port",
             str(port), "--workers", "2"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=stderr, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert server.stdout is not None
        line = server.stdout.readline()  # the address, printed once the server listens
        assert f"http://127.0.0.1:{port}/" in line, (line, log.read_text(encoding="utf-8"))
        yield f"http://127.0.0.1:{port}/", tmp_path, log
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _type(page, field: str, typed: str) -> None:
    """Type into a field (by its label, or the CSS class of a parameter's field) and press Enter."""
    box = page.locator(f".{field} input") if field.startswith("talentsim-field-") else page.get_by_label(field)
    box.fill(typed)
    box.press("Enter")




def test_the_app_in_chromium_offline_runs_a_lever_change_saves_it_and_speaks_chinese(offline_app):
    from playwright.sync_api import sync_playwright

    from sim.app.page import field_class
    from sim.app.server import FONT_FAMILY
    from sim.i18n import translate

    url, folder, log = offline_app
    left: list[str] = []
    messages: list[str] = []
    saved = folder / "saved" / "fewer_mentors.yaml"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})

            def route(request_route):
                request = request_route.request
                if request.url.startswith(url) or request.url.startswith(("data:", "blob:")) or \
                        request.url.startswith(url.replace("http", "ws")):
                    request_route.continue_()
                else:
                    left.append(request.url)
                    request_route.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda error: messages.append(str(error)))
            local_ws = url.replace("http", "ws")
            page.on("websocket", lambda ws: None if ws.url.startswith(local_ws) else left.append(ws.url))
            page.goto(url)
            page.get_by_text("Policy levers").wait_for(timeout=STARTUP_S * 1000)

            _type(page, "Replications per scenario", "3")
            table = page.locator("table.talentsim-outcomes")
            page.get_by_role("button", name="Run", exact=True).click()
            table.wait_for(timeout=STARTUP_S * 1000)
            first_key = page.locator(".talentsim-results").get_attribute("data-key")
            assert page.locator("table.talentsim-outcomes td.up, table.talentsim-outcomes td.down").count() == 0

            page.get_by_role("tab", name="Levers").click()
            field = page.locator(f".{field_class('school_mentors.students_per_mentor')} input")
            assert field.input_value() == "20.0"
            field.fill("30")
            field.press("Enter")
            page.get_by_text("Changed: school_mentors.students_per_mentor = 30").wait_for()
            page.get_by_role("button", name="Run", exact=True).click()
            # the results of the new inputs (their cache key) replace the first ones
            page.locator(f".talentsim-results:not([data-key='{first_key}'])").wait_for(timeout=STARTUP_S * 1000)
            # fewer school mentors lower the composite score: a difference whose interval excludes zero
            assert page.locator("table.talentsim-outcomes td.down").count() >= 1, table.inner_text()

            # a second tab: its own variant; its long comparison, queued first, is cancelled while the first
            # tab's runs on the same pool and finishes with its own results
            other = context.new_page()
            other.on("console", lambda m: messages.append(f"{m.type}: {m.text}") if m.type == "error" else None)
            other.goto(url)
            other.get_by_text("Policy levers").wait_for(timeout=STARTUP_S * 1000)
            _type(other, "Replications per scenario", "40")
            _type(other, field_class("school_mentors.students_per_mentor"), "10")
            other.get_by_text("Changed: school_mentors.students_per_mentor = 10").wait_for()
            second_key = page.locator(".talentsim-results").get_attribute("data-key")
            _type(page, "Master seed", "2")
            other.get_by_role("button", name="Run", exact=True).click()
            other.get_by_text(re.compile(r"0 of 80 runs|\d+ of 80 runs")).first.wait_for()
            page.get_by_role("button", name="Run", exact=True).click()
            other.get_by_role("button", name="Cancel", exact=True).click()
            other.get_by_text(re.compile("^Cancelled")).wait_for(timeout=STARTUP_S * 1000)
            page.locator(f".talentsim-results:not([data-key='{second_key}'])").wait_for(timeout=STARTUP_S * 1000)
            page.get_by_text("Changed: school_mentors.students_per_mentor = 30").wait_for()
            _type(other, "Replications per scenario", "3")
            other.get_by_role("button", name="Run", exact=True).click()
            other.locator(".talentsim-results").wait_for(timeout=STARTUP_S * 1000)
            keys = {tab.locator(".talentsim-results").get_attribute("data-key") for tab in (page, other)}
            assert len(keys) == 2 and second_key not in keys
            other.close()

            page.get_by_role("tab", name="Save").click()
            page.get_by_label("File").fill(str(saved))
            page.get_by_label("File").press("Enter")
            page.get_by_label("Policy question (English)").fill("What do 30 students per school mentor cost?")
            page.get_by_label("Policy question (English)").press("Enter")
            page.get_by_role("button", name="Save", exact=True).click()
            page.get_by_text(re.compile("Saved .*it validates")).wait_for()

            page.get_by_text("中文").click()
            page.get_by_role("tab", name="政策杠杆").click()
            heading = page.locator("h3", has_text="政策杠杆")
            heading.wait_for()
            page.evaluate("document.fonts.ready.then(() => true)")
            faces = page.evaluate("[...document.fonts].filter(f => f.family.replace(/\"/g, '') === "
                                  f"'{FONT_FAMILY}').map(f => f.status)")
            assert faces and set(faces) == {"loaded"}
            page.get_by_text(translate("Students per school mentor", "zh"), exact=False).first.wait_for()
            for tab, selector in (("政策杠杆", "h3"), ("结果", "table.talentsim-outcomes th")):
                page.get_by_role("tab", name=tab).click()
                page.locator(selector).first.wait_for()
                text = page.eval_on_selector(selector, "n => n.textContent")
                assert re.search(r"[\u4e00-\u9fff]", text), (selector, text)
                used = platform_fonts(page, selector)
                beyond_ascii = sum(1 for c in text if ord(c) > 127)
                assert sum(f["glyphCount"] for f in used if f["isCustomFont"]) >= beyond_ascii, (selector, used)

            # take it away, in the page's language: the outcome table for Excel, the report
            with page.expect_download() as download:
                page.get_by_role("button", name="指标表（CSV）").click()
            table_csv = Path(download.value.path()).read_bytes()
            assert table_csv.startswith(b"\xef\xbb\xbf") and translate("Dropout rate", "zh").encode() in table_csv
            report_button = page.get_by_role("button", name="报告（HTML）")
            report_button.wait_for(timeout=STARTUP_S * 1000)  # drawn in Chinese on first showing
            with page.expect_download() as download:
                report_button.click()
            report_html = Path(download.value.path()).read_text(encoding="utf-8")
            assert 'lang="zh-CN"' in report_html and translate("Dropout rate", "zh") in report_html
        finally:
            browser.close()
    assert left == [], "no request may leave the machine"
    assert messages == []
    assert "OUTBOUND-REFUSED" not in log.read_text(encoding="utf-8")
    # the cancelled comparison: incomplete, fewer runs stored than it asked for (its queued runs were withdrawn)
    entries = [e for e in (folder / "outputs" / "app-cache").iterdir() if not (e / "complete.json").exists()]
    assert len(entries) == 1 and len(list(entries[0].rglob("p*-r*.json"))) < 80
    scenario = load_scenario(saved)
    assert scenario.school_mentors.students_per_mentor == 30
    assert "extends: ../scenarios/mid.yaml" in saved.read_text(encoding="utf-8")
