"""talentsim app (issue 19): the pure logic, the page's components (Solara's render, no browser), the pool.

The browser test is ``tests/test_app_browser.py``. These tests need the ``app`` extra;
without it they skip, unless ``TALENTSIM_REQUIRE_BROWSER=1`` (``.ci/run``), where they fail.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

if os.environ.get("TALENTSIM_REQUIRE_BROWSER") == "1":
    import solara  # the app extra must be installed under CI
else:
    solara = pytest.importorskip("solara")

from sim.app.cache import COMPLETE, ResultCache, cache_key
from sim.app.controls import SLIDER_RANGES, check_value, lever_controls, parse_typed_value, search_params
from sim.app.export import changed_keys, csv_bytes, save_variant, variant_yaml
from sim.app.pool import Cancelled, RunPool
from sim.app.results import outcome_rows, run_comparison
from sim.experiments.levers import LEVERS
from sim.scenario import ScenarioError, load_scenario, with_overrides

ROOT = Path(__file__).resolve().parents[1]
SMALL_YAML = """\
name: small
question: What does a small programme deliver?
question_zh: 小规模项目带来什么成效？
intake:
  cohort_size: 40
  n_cohorts: 1
simulation:
  horizon_years: 3
enterprises:
  count: 5
"""


@pytest.fixture
def small_file(tmp_path) -> Path:
    path = tmp_path / "city" / "small.yaml"
    path.parent.mkdir()
    path.write_text(SMALL_YAML, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- levers and validation


def test_every_lever_parameter_has_one_control_and_its_slider_covers_the_lever_and_the_default():
    controls = {control.key: control for control in lever_controls()}
    baseline = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    for lever in LEVERS:
        for key in [*lever.low, *lever.high]:
            control = controls[key]
            if control.is_switch:
                assert control.slider is None
                continue
            slider = control.slider
            assert slider is not None and slider.low < slider.high and slider.step > 0
            for value in (lever.low.get(key), lever.high.get(key), control.param.default):
                if value is not None:
                    assert slider.low <= float(value) <= slider.high, (key, value)
            # the slider's ends are values the schema allows
            for end in (slider.low, slider.high):
                value = int(end) if control.is_whole_number else end
                assert check_value(baseline, {}, key, value) is None, (key, end)
    assert set(SLIDER_RANGES) == {key for key, control in controls.items() if not control.is_switch}


def test_an_invalid_value_is_refused_with_the_validators_own_message():
    baseline = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    key = "school_mentors.students_per_mentor"
    message = check_value(baseline, {}, key, 0)
    with pytest.raises(ScenarioError) as raised:
        with_overrides(baseline, {key: 0}, "this page")
    assert message == raised.value.problem
    assert "1" in message and "1000" in message  # the allowed range [1, 1000]
    assert check_value(baseline, {}, key, 1500.0) is not None
    assert check_value(baseline, {}, key, 30.0) is None
    with pytest.raises(ScenarioError):
        parse_typed_value("school_mentors.no_such_key", "3")
    assert parse_typed_value(key, "30") == 30


def test_search_finds_parameters_by_key_and_by_label():
    assert "intake.cohort_size" in [p.key for p in search_params("cohort size")]
    assert "school_mentors.students_per_mentor" in [p.key for p in search_params("students per school mentor")]
    assert search_params("") == []


# ---------------------------------------------------------------------------- cache key and cache folder


def test_the_cache_key_changes_with_every_input_that_decides_the_result():
    base = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    other = with_overrides(base, {"school_mentors.students_per_mentor": 30})
    key = cache_key([base, other], 1, 10)
    assert key == cache_key([load_scenario(ROOT / "scenarios" / "baseline.yaml"), other], 1, 10)
    assert len({key, cache_key([base, base], 1, 10), cache_key([other, base], 1, 10), cache_key([base, other], 2, 10),
                cache_key([base, other], 1, 11)}) == 5


def test_the_cache_removes_the_least_recently_used_entries_beyond_its_limit(tmp_path):
    cache = ResultCache(tmp_path / "cache", limit_bytes=2500)
    for i, key in enumerate(("a" * 64, "b" * 64, "c" * 64)):
        folder = cache.entry(key)
        folder.mkdir(parents=True)
        (folder / "runs.bin").write_bytes(b"x" * 1000)
        cache.complete(key, {"n": i})
        if i == 1:
            os.utime(cache.entry("a" * 64) / COMPLETE, (1, 1))  # a: used long ago
            os.utime(cache.entry("b" * 64) / COMPLETE, (2, 2))
    assert cache.get("a" * 64) is None and not cache.entry("a" * 64).exists()
    assert cache.get("c" * 64) is not None
    assert cache.size_bytes() <= 2500


# ---------------------------------------------------------------------------- taking it away


def test_a_saved_variant_extends_its_start_sets_only_the_changed_keys_and_validates(small_file, tmp_path):
    start = load_scenario(small_file)
    changes = changed_keys(start, {"school_mentors.students_per_mentor": 30.0, "intake.cohort_size": 40})
    assert changes == {"school_mentors.students_per_mentor": 30.0}  # 40 is the start's own value
    saved_path = tmp_path / "variants" / "更少导师.yaml"
    saved = save_variant(small_file, saved_path, changes, name="更少导师", question="Fewer mentors?",
                         question_zh="导师更少会怎样？")
    text = saved_path.read_text(encoding="utf-8")
    assert "extends: ../city/small.yaml" in text and "cohort_size" not in text
    assert saved.name == "更少导师" and saved.question_zh == "导师更少会怎样？"
    expected = with_overrides(start, changes)
    assert saved.school_mentors == expected.school_mentors and saved.intake == expected.intake
    from sim.cli import main

    assert main(["validate", str(saved_path)]) == 0


def test_a_variant_that_does_not_validate_is_not_left_on_disk(small_file, tmp_path):
    path = tmp_path / "bad.yaml"
    with pytest.raises(ScenarioError):
        save_variant(small_file, path, {"school_mentors.students_per_mentor": 0}, name="bad", question="q",
                     question_zh="问")
    assert not path.exists()
    assert variant_yaml(small_file, path, {}, name="n", question="q", question_zh="问").startswith("extends:")


def test_csv_for_excel_starts_with_a_byte_order_mark():
    import pandas as pd

    data = csv_bytes(pd.DataFrame({"指标": ["就业率"], "value": [0.9]}))
    assert data.startswith(b"\xef\xbb\xbf") and "就业率".encode() in data


# ---------------------------------------------------------------------------- the pool: two tabs, one cancel


def test_two_tabs_on_one_pool_both_finish_with_their_own_results_and_a_cancel_stops_only_its_tab(small_file, tmp_path):
    start = load_scenario(small_file)
    fewer = with_overrides(start, {"school_mentors.students_per_mentor": 40.0}).model_copy(update={"name": "fewer"})
    more = with_overrides(start, {"school_mentors.students_per_mentor": 8.0}).model_copy(update={"name": "more"})
    cache = ResultCache(tmp_path / "cache")
    pool = RunPool(2)
    results: dict[str, object] = {}
    try:
        def tab(name, scenarios, cancel):
            try:
                results[name] = run_comparison(pool, cache, scenarios, 3, 1, cancel)
            except Cancelled as exc:
                results[name] = exc

        cancelled = threading.Event()
        cancelled.set()
        threads = [threading.Thread(target=tab, args=("one", [start, fewer], threading.Event())),
                   threading.Thread(target=tab, args=("two", [start, more], threading.Event())),
                   threading.Thread(target=tab, args=("three", [fewer, more], cancelled))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        pool.shutdown()
    one, two = results["one"], results["two"]
    assert isinstance(results["three"], Cancelled)
    assert one.labels == ["small", "fewer"] and two.labels == ["small", "more"]
    assert not one.from_cache and not two.from_cache and one.n_failed == two.n_failed == 0
    assert one.comparison[one.comparison["scenario"] == "small"].equals(
        two.comparison[two.comparison["scenario"] == "small"])  # the same reference, the same seeds
    idle = RunPool(1)  # a cached comparison runs nothing
    try:
        again = run_comparison(idle, cache, [start, fewer], 3, 1, threading.Event())
    finally:
        idle.shutdown()
    assert again.from_cache and again.key == one.key
    rows = outcome_rows(again, "zh")
    assert rows and all(len(row.means) == 2 and len(row.differences) == 1 for row in rows)


# ---------------------------------------------------------------------------- the page (Solara's render, no browser)


@pytest.fixture
def page(small_file, tmp_path, monkeypatch):
    from sim.app.config import AppConfig, configure

    monkeypatch.chdir(tmp_path)
    pool = RunPool(1)
    configure(AppConfig(references=[small_file], lang="en", pool=pool, cache=ResultCache(tmp_path / "cache"),
                        save_folder=tmp_path))
    from sim.app.page import Page

    _box, rc = solara.render(Page(), handle_error=False)
    yield rc
    rc.close()
    pool.shutdown()


def _field(rc, key):
    import ipyvuetify as v

    from sim.app.page import field_class

    (field,) = [w for w in rc.find(v.TextField).widgets if field_class(key) in (w.class_ or "").split()]
    return field


def _type(rc, key, typed):
    """Type into a parameter's field and press Enter (as a person would)."""
    field = _field(rc, key)
    field.v_model = typed
    field.fire_event("keyup.enter", None)
    return _field(rc, key)


def test_the_page_shows_every_lever_with_its_label_and_unit(page):
    import ipyvuetify as v

    sliders = page.find(v.Slider)
    labels = [slider.widget.label for slider in sliders]
    assert "Students per school mentor (students/mentor)" in labels
    assert "School mentor allowance (yuan/month)" in labels
    assert len([label for label in labels if label != "Speed (weeks per second)"]) == len(SLIDER_RANGES)
    page.find(v.Select, label="Demonstration unit titles").assert_single()


def test_an_invalid_value_shows_the_validators_message_beside_its_field(page):
    key = "school_mentors.students_per_mentor"
    field = _type(page, key, "0")
    expected = check_value(load_scenario(page_reference()), {}, key, 0)
    assert expected and field.messages == [expected] and field.error
    field = _type(page, key, "30")
    assert field.messages == [] and not field.error
    yaml_shown = [w.unsafe_innerHTML for w in page.find(solara.widgets.HTML, tag="pre").widgets]
    assert any("students_per_mentor: 30" in text for text in yaml_shown), yaml_shown


def page_reference() -> Path:
    from sim.app.config import app_config

    return app_config().references[0]


# ---------------------------------------------------------------------------- bad input to talentsim app


def test_a_bad_file_a_taken_port_and_no_workers_are_refused_before_the_server_starts(tmp_path, capsys, monkeypatch):
    import socket

    from sim.cli import main

    monkeypatch.chdir(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text("school_mentors:\n  students_per_mentr: 3\n", encoding="utf-8")
    assert main(["app", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "did you mean students_per_mentor" in err and "Traceback" not in err
    assert main(["app", str(tmp_path / "missing.yaml")]) == 2
    assert "missing.yaml" in capsys.readouterr().err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["app", "--port", str(port)]) == 2
    assert f"127.0.0.1:{port} is already in use" in capsys.readouterr().err
    assert main(["app", "--workers", "0"]) == 2
    assert "--workers 0" in capsys.readouterr().err
    (tmp_path / "outputs").write_text("a file where the cache folder goes", encoding="utf-8")
    assert main(["app"]) == 2
    err = capsys.readouterr().err
    assert "outputs" in err and "Traceback" not in err


def test_saving_over_the_start_file_is_refused_and_a_failed_save_puts_the_earlier_file_back(small_file, tmp_path):
    from sim.errors import UserError

    before = small_file.read_text(encoding="utf-8")
    with pytest.raises(UserError, match="the file the variant starts from"):
        save_variant(small_file, small_file, {"school_mentors.students_per_mentor": 30.0}, name="x", question="q",
                     question_zh="问")
    assert small_file.read_text(encoding="utf-8") == before
    earlier = tmp_path / "earlier.yaml"
    earlier.write_text("name: earlier\n", encoding="utf-8")
    with pytest.raises(ScenarioError):
        save_variant(small_file, earlier, {"school_mentors.students_per_mentor": 0}, name="bad", question="q",
                     question_zh="问")
    assert earlier.read_text(encoding="utf-8") == "name: earlier\n"
