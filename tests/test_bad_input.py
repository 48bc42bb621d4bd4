"""Every kind of bad input gives exit status 2 and one paragraph naming the file and the key."""

from __future__ import annotations

import os
import subprocess
import sys
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hang_guard import HANG_GUARD_S, hang_guard

from sim import cli
from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
REFUSAL_PEAK_BYTES = 16 * 2**20
"""Most memory refusing a bad file may allocate (about 1 MiB is used): a refusal builds nothing big
(an expanded alias bomb or a population would need gigabytes). Measured with tracemalloc, not the clock."""

BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""

# name -> (file content, texts the error paragraph must contain besides the file name)
BAD_FILES: dict[str, tuple[str | bytes, list[str]]] = {
    "yaml_syntax": ("intake:\n  cohort_size: 700: 3\n", ["line 2", "cohort_size"]),
    "unclosed_bracket": ("intake:\n  cohort_size: [700\n  n_cohorts: 3\n", ["line 3", "n_cohorts"]),
    "unknown_top_level_key": ("intak:\n  cohort_size: 5\n", ["intak:", "did you mean intake"]),
    "misspelt_nested_key": ("school_mentors:\n  students_per_mentr: 10\n",
                            ["school_mentors.students_per_mentr:", "did you mean students_per_mentor"]),
    "key_in_wrong_section": ("intake:\n  students_per_mentor: 10\n",
                             ["intake.students_per_mentor:", "parameter of school_mentors"]),
    "misspelt_list_item_key": ("calendar:\n  schedule: custom\n  custom_blocks:\n    - wekks: 20\n",
                               ["calendar.custom_blocks[0].wekks:", "did you mean weeks"]),
    "wrong_type": ("intake:\n  cohort_size: many\n", ["intake.cohort_size:", "whole number", '"many"']),
    "quoted_number": ('intake:\n  cohort_size: "700"\n', ["intake.cohort_size:", "without quotes"]),
    "number_for_bool": ("programme:\n  dual_mentor: 1\n", ["programme.dual_mentor:", "true or false"]),
    "bool_for_text": ("name: no\n", ["name:", "expected text", "quotes"]),
    "zero_count": ("intake:\n  cohort_size: 0\n", ["intake.cohort_size:", "greater than 0", "found 0"]),
    "negative_count": ("enterprises:\n  count: -5\n", ["enterprises.count:", "found -5"]),
    "fractional_count": ("intake:\n  n_cohorts: 2.5\n", ["intake.n_cohorts:", "whole number"]),
    "probability_above_one": ("programme:\n  curriculum_alignment: 1.5\n",
                              ["programme.curriculum_alignment:", "[0, 1]", "found 1.5"]),
    "probability_below_zero": ("school_mentors:\n  dual_qualified_share: -0.1\n",
                               ["school_mentors.dual_qualified_share:", "[0, 1]", "found -0.1"]),
    "not_a_number": ("learning:\n  noise_sd: .nan\n", ["learning.noise_sd:", "finite"]),
    "bad_choice": ("calendar:\n  schedule: 3+0\n", ["calendar.schedule:", "one of", "school_only"]),
    "section_not_mapping": ("intake: 5\n", ["intake:", "mapping"]),
    "weights_do_not_sum": ("evaluation:\n  theory_weight: 0.5\n", ["evaluation:", "add up to 1"]),
    "several_errors": ("intake:\n  cohort_size: 0\nprogramme:\n  curriculum_alignment: 2\n",
                       ["intake.cohort_size:", "also programme.curriculum_alignment:"]),
    "empty_file": ("", ["is empty"]),
    "only_comments": ("# nothing here\n\n", ["is empty"]),
    "binary_file": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ["binary"]),
    "not_utf8": (b"name: caf\xe9\n", ["UTF-8"]),
    "top_level_list": ("- intake\n- calendar\n", ["top level", "found [\"intake\""]),
    "top_level_scalar": ("just some text\n", ["top level"]),
    "python_object_tag": ("intake: !!python/object:os.system {}\n", ["intake:", "!!python/object"]),
    "python_apply_tag_nested": ("intake:\n  cohort_size: !!python/object/apply:os.system ['echo pwned']\n",
                                ["intake.cohort_size:", "!!python/object/apply"]),
    "custom_tag": ("name: !secret x\n", ["name:", "tag"]),
    "duplicated_key": ("intake:\n  cohort_size: 5\n  n_cohorts: 2\n  cohort_size: 6\n",
                       ["intake.cohort_size:", "lines 2 and 4"]),
    "duplicated_section": ("intake: {}\ncalendar: {}\nintake: {cohort_size: 5}\n",
                           ["intake:", "lines 1 and 3"]),
    "billion_laughs": (BILLION_LAUGHS, ["alias"]),
    "self_alias": ("a: &a [*a]\n", ["a:", "alias"]),
    "too_large_population": ("intake:\n  cohort_size: 1000000000\n  n_cohorts: 30\n",
                             ["intake.cohort_size:", "GiB", "--max-memory"]),
}


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def peak_bytes(action: Callable[[], Any]) -> tuple[Any, int]:
    """What ``action()`` returns (or the exception it raised) and the peak memory it allocated."""
    tracemalloc.start()
    try:
        try:
            result: Any = action()
        except Exception as exc:
            result = exc
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def validate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code, peak = peak_bytes(lambda: main(["validate", *args]))
    if isinstance(code, Exception):
        raise code
    assert peak < REFUSAL_PEAK_BYTES, f"validating allocated {peak:,} bytes: a bad file must be refused cheaply"
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_is_refused(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content, expected = BAD_FILES[case]
    path = write(tmp_path / f"{case}.yaml", content)
    code, out, err = validate(capsys, str(path))
    assert code == 2
    assert out == ""
    assert err.startswith(f"talentsim: error: {path}: ")
    for text in expected:
        assert text in err, f"{text!r} not in {err!r}"
    assert "Traceback" not in err
    assert err.count("\n") == 1, "one paragraph per file"


@pytest.mark.parametrize("content", [BILLION_LAUGHS, "a: &a [*a]\n"], ids=["billion laughs", "self alias"])
def test_an_alias_bomb_is_refused_before_any_value_is_built(content: str, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.scenario import ScenarioError, load_scenario
    from sim.scenario.loading import MAX_YAML_NODES

    built: list[Any] = []  # documents PyYAML was asked to turn into Python values

    def spy(loader: yaml.SafeLoader, node: Any) -> Any:
        built.append(node)
        raise AssertionError("PyYAML was asked to build the values of an alias bomb")

    monkeypatch.setattr(yaml.SafeLoader, "construct_document", spy)
    path = write(tmp_path / "bomb.yaml", content)
    with hang_guard():  # walking the expanded graph without the limit would take hours
        error, peak = peak_bytes(lambda: load_scenario(path))
    assert isinstance(error, ScenarioError), error
    assert f"holds more than {MAX_YAML_NODES:,} values, counting each alias" in str(error)
    assert built == [], "the node graph is refused before PyYAML expands any alias"
    assert peak < REFUSAL_PEAK_BYTES, f"refusing the bomb allocated {peak:,} bytes"


def test_python_tag_runs_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    marker = tmp_path / "pwned"
    path = write(tmp_path / "evil.yaml",
                 f"intake: !!python/object/apply:os.system ['touch {marker}']\n")
    code, _, _ = validate(capsys, str(path))
    assert code == 2
    assert not marker.exists()


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nowhere.yaml"
    code, _, err = validate(capsys, str(path))
    assert code == 2
    assert f"{path}: no such file" in err


def test_missing_extends_parent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    child = write(tmp_path / "child.yaml", "extends: parent.yaml\n")
    code, _, err = validate(capsys, str(child))
    assert code == 2
    assert f"{child}: extends: names 'parent.yaml'" in err
    assert str(tmp_path / "parent.yaml") in err


def test_circular_extends(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path / "a.yaml", "extends: b.yaml\n")
    b = write(tmp_path / "b.yaml", "extends: c.yaml\n")
    c = write(tmp_path / "c.yaml", "extends: a.yaml\n")
    code, _, err = validate(capsys, str(a))
    assert code == 2
    assert "extends:" in err and "cycle" in err
    for path in (a, b, c):
        assert str(path) in err


def test_file_extending_itself(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path / "a.yaml", "extends: ./a.yaml\n")
    code, _, err = validate(capsys, str(a))
    assert code == 2
    assert f"{a}: extends: makes a cycle" in err


def test_extends_not_a_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write(tmp_path / "a.yaml", "extends: [b.yaml]\n")
    code, _, err = validate(capsys, str(a))
    assert code == 2
    assert f"{a}: extends: expected the path" in err


def test_error_in_the_parent_names_the_parent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parent = write(tmp_path / "parent.yaml", "intake:\n  cohort_size: 5\n  cohort_size: 6\n")
    child = write(tmp_path / "child.yaml", "extends: parent.yaml\n")
    code, _, err = validate(capsys, str(child))
    assert code == 2
    assert f"{parent}: intake.cohort_size: is given twice" in err


def test_bad_value_in_the_parent_says_where_it_was_set(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    parent = write(tmp_path / "parent.yaml", "intake:\n  cohort_size: 0\n  n_cohrts: 2\n")
    child = write(tmp_path / "child.yaml", "extends: parent.yaml\nprogramme:\n  curriculum_alignment: 2\n")
    code, _, err = validate(capsys, str(child))
    assert code == 2
    assert f"{child}: intake.cohort_size: expected a whole number greater than 0" in err
    assert f"found 0 (set in {parent});" in err
    assert "also intake.n_cohrts: is not a parameter of the intake section; did you mean n_cohorts" in err
    assert err.rstrip().endswith("found 2")  # the child's own value needs no origin


def test_good_and_bad_files_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "good.yaml", "intake:\n  cohort_size: 10\n")
    bad = write(tmp_path / "bad.yaml", "intake:\n  cohort_size: -1\n")
    code, out, err = validate(capsys, str(good), str(bad))
    assert code == 2
    assert out == f"ok  {good}\n"
    assert f"{bad}: intake.cohort_size:" in err


def test_all_good_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "good.yaml", "intake:\n  cohort_size: 10\n")
    assert validate(capsys, str(good)) == (0, f"ok  {good}\n", "")


# ---------------------------------------------------------------------------- options


@pytest.mark.parametrize(("option", "expected"), [
    ("intake.cohort_size", ["--set: expected KEY=VALUE", "intake.cohort_size"]),
    ("=5", ["--set: expected KEY=VALUE"]),
    ("intake..cohort_size=5", ["--set: intake..cohort_size: expected a dotted key"]),
    ("intake.cohort_sise=5", ["--set: intake.cohort_sise: is not a parameter", "did you mean intake.cohort_size"]),
    ("intake.cohort_size=[5", ["--set: intake.cohort_size: YAML syntax error"]),
    ("intake.cohort_size=!!python/object:os.system {}", ["--set: intake.cohort_size: uses the YAML tag"]),
])
def test_bad_set_option(option: str, expected: list[str], tmp_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "good.yaml", "intake:\n  cohort_size: 10\n")
    code, out, err = validate(capsys, str(good), "--set", option)
    assert code == 2
    assert out == ""
    assert err.startswith("talentsim: error: ")
    for text in expected:
        assert text in err, f"{text!r} not in {err!r}"


def test_set_option_given_twice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "good.yaml", "{}\n")
    code, _, err = validate(capsys, str(good), "--set", "intake.cohort_size=5", "--set", "intake__cohort_size=6")
    assert code == 2
    assert "--set: intake.cohort_size: is given more than once" in err


def test_set_value_out_of_range_names_file_key_and_option(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "good.yaml", "intake:\n  cohort_size: 10\n")
    code, _, err = validate(capsys, str(good), "--set", "intake.cohort_size=-1")
    assert code == 2
    assert f"{good}: intake.cohort_size: expected a whole number greater than 0" in err
    assert "found -1 (set by --set)" in err


def test_set_option_can_fix_a_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "s.yaml", "intake:\n  cohort_size: 10\n")
    code, out, _ = validate(capsys, str(path), "--set", "school_mentors__students_per_mentor=10")
    assert (code, out) == (0, f"ok  {path}\n")


def test_max_memory_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "s.yaml", "intake:\n  cohort_size: 10\n")
    code, _, err = validate(capsys, str(path), "--max-memory", "0.01")
    assert code == 2
    assert f"{path}: intake.cohort_size:" in err and "0.0 GiB" in err
    huge = write(tmp_path / "huge.yaml", "intake:\n  cohort_size: 1000000000\n  n_cohorts: 30\n")
    assert validate(capsys, str(huge), "--max-memory", "1000000")[0] == 0


@pytest.mark.parametrize("value", ["abc", "-1", "0", "nan"])
def test_bad_max_memory_option(value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "s.yaml", "{}\n")
    code, _, err = validate(capsys, str(path), "--max-memory", value)
    assert code == 2
    assert "--max-memory" in err and "GiB" in err


def test_usage_errors_return_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["no_such_command"]) == 2
    assert main(["validate"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_help_returns_0_and_teaches(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("run", "compare", "sweep", "report", "validate", "params"):
        assert command in out
    assert "examples:" in out
    assert main(["validate", "--help"]) == 0
    assert "--set KEY=VALUE" in capsys.readouterr().out


def test_keyboard_interrupt_returns_130(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.params, "handle", interrupted)
    assert main(["params"]) == 130
    assert "Traceback" not in capsys.readouterr().err


# ---------------------------------------------------------------------------- a real process


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=HANG_GUARD_S)


def test_python_m_sim_validate_bad_file(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.yaml", "school_mentors:\n  students_per_mentr: 10\n")
    done = run_module("validate", str(path))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert f"talentsim: error: {path}: school_mentors.students_per_mentr:" in done.stderr
    assert "did you mean students_per_mentor" in done.stderr


def test_python_m_sim_validate_bomb_and_bad_set(tmp_path: Path) -> None:
    bomb = write(tmp_path / "bomb.yaml", BILLION_LAUGHS)
    done = run_module("validate", str(bomb))
    assert done.returncode == 2 and "Traceback" not in done.stderr and str(bomb) in done.stderr
    done = run_module("validate", str(bomb), "--set", "nonsense")
    assert done.returncode == 2 and "Traceback" not in done.stderr and "--set" in done.stderr


def test_python_m_sim_validate_good_file(tmp_path: Path) -> None:
    path = write(tmp_path / "good.yaml", "intake:\n  cohort_size: 10\n")
    done = run_module("validate", str(path))
    assert (done.returncode, done.stdout, done.stderr) == (0, f"ok  {path}\n", "")
