"""A key renamed or removed since a file was written is refused with its replacement and why (exit 2).

The machinery is tested with test-only entries patched into ``RENAMED_KEYS`` (old names
of keys that exist on every branch); the real table's entries are checked for what the
current schema can tell.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.cli import main
from sim.scenario import ScenarioError, load_scenario, parse_set_options
from sim.scenario import renamed as renamed_module
from sim.scenario.loading import parameter_key_template
from sim.scenario.params import model_at, settable_keys
from sim.scenario.renamed import RENAMED_KEYS, find_renamed

RATIO_REASON = "the ratio now says whose students it counts"
SECTION_REASON = "the two intake sections were merged"
REMOVED_REASON = "no mechanism read it any more"
BLOCK_REASON = "a block's length is counted in weeks"


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> dict[str, tuple[str | None, str]]:
    """Test-only entries: a renamed key, a renamed section, a removed key, a renamed list-item field."""
    entries: dict[str, tuple[str | None, str]] = {
        "school_mentors.ratio": ("school_mentors.students_per_mentor", RATIO_REASON),
        "enrolment": ("intake", SECTION_REASON),
        "intake.legacy_quota": (None, REMOVED_REASON),
        "calendar.custom_blocks[].length": ("calendar.custom_blocks[].weeks", BLOCK_REASON),
        "intake.cohort_size": ("intake.n_cohorts", "an entry whose old key is still a parameter"),
    }
    for old, entry in entries.items():
        monkeypatch.setitem(RENAMED_KEYS, old, entry)
    return entries


def write(path: Path, content: str) -> Path:
    path.write_text(content, encoding="utf-8")
    return path


def refused(capsys: pytest.CaptureFixture[str], *args: str, prefix: str = "talentsim: error: ") -> str:
    """The one error paragraph of a command that must exit 2 without a traceback."""
    assert main(list(args)) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(prefix) and "Traceback" not in err
    assert err.count("\n") == 1, "one paragraph"
    return err


# ---------------------------------------------------------------------------- scenario files and --set


def test_an_old_key_in_a_yaml_file_names_the_file_and_the_replacement(
        table: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "old.yaml", "school_mentors:\n  ratio: 12\n")
    err = refused(capsys, "validate", str(path))
    assert err.startswith(f"talentsim: error: {path}: school_mentors.ratio: was renamed to "
                          f"school_mentors.students_per_mentor ({RATIO_REASON}); write "
                          "school_mentors.students_per_mentor instead")


def test_an_old_key_in_a_set_option_names_the_option_and_the_replacement(
        table: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write(tmp_path / "good.yaml", "intake:\n  cohort_size: 10\n")
    for key in ("school_mentors.ratio", "school_mentors__ratio"):
        err = refused(capsys, "validate", str(good), "--set", f"{key}=12")
        assert err.startswith("talentsim: error: --set: school_mentors.ratio: was renamed to "
                              f"school_mentors.students_per_mentor ({RATIO_REASON})")
    err = refused(capsys, "run", str(good), "--set", "school_mentors.ratio=12", "--out", str(tmp_path / "out"))
    assert "school_mentors.students_per_mentor" in err
    assert not (tmp_path / "out").exists()


def test_an_old_key_in_an_extends_parent_names_both_files_and_the_replacement(
        table: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parent = write(tmp_path / "parent.yaml", "school_mentors:\n  ratio: 12\n")
    child = write(tmp_path / "child.yaml", "extends: parent.yaml\nintake:\n  cohort_size: 50\n")
    err = refused(capsys, "validate", str(child))
    assert err.startswith(f"talentsim: error: {child}: school_mentors.ratio: was renamed to "
                          "school_mentors.students_per_mentor")
    assert f"(set in {parent})" in err


def test_old_keys_deeper_down_a_renamed_section_and_a_removed_key(
        table: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "old.yaml", "calendar:\n  schedule: custom\n  custom_blocks:\n"
                                        "    - {location: school, length: 20}\n")
    err = refused(capsys, "validate", str(path))
    assert (f"{path}: calendar.custom_blocks[0].length: was renamed to calendar.custom_blocks[0].weeks "
            f"({BLOCK_REASON})") in err
    path = write(tmp_path / "section.yaml", "enrolment:\n  cohort_size: 50\n")
    err = refused(capsys, "validate", str(path))
    assert f"{path}: enrolment: was renamed to intake ({SECTION_REASON})" in err
    err = refused(capsys, "validate", str(path), "--set", "enrolment.cohort_size=60")
    assert f"--set: enrolment.cohort_size: was renamed to intake.cohort_size ({SECTION_REASON})" in err
    path = write(tmp_path / "removed.yaml", "intake:\n  legacy_quota: 3\n  n_cohorts: 0\n")
    err = refused(capsys, "validate", str(path))
    assert err.startswith(f"talentsim: error: {path}: intake.n_cohorts: ")  # every problem is still listed
    assert f"; also intake.legacy_quota: was removed from the model ({REMOVED_REASON}); delete it" in err


def test_the_python_api_gives_the_same_error(table: Any, tmp_path: Path) -> None:
    path = write(tmp_path / "old.yaml", "school_mentors:\n  ratio: 12\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.file == str(path) and info.value.key == "school_mentors.ratio"
    assert "school_mentors.students_per_mentor" in info.value.problem
    with pytest.raises(ScenarioError, match=r"^--set: intake\.legacy_quota: was removed"):
        parse_set_options(["intake.legacy_quota=3"])
    with pytest.raises(ScenarioError, match=r"^overrides: school_mentors\.ratio: was renamed"):
        load_scenario(None, {"school_mentors.ratio": 12})


def test_a_key_that_is_a_parameter_is_never_reported_as_renamed(table: Any) -> None:
    assert load_scenario(None, {"intake.cohort_size": 50}).intake.cohort_size == 50
    assert parameter_key_template("intake.cohort_size") is None


def test_the_messages_are_translated(table: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "old.yaml", "school_mentors:\n  ratio: 12\n")
    err = refused(capsys, "validate", str(path), "--lang", "zh", prefix="talentsim: 错误：")
    assert f"{path}: school_mentors.ratio: 已更名为 school_mentors.students_per_mentor" in err
    monkeypatch.setitem(RENAMED_KEYS, "participation.hiring_cost_saved", RENAMED_KEYS[
        "participation.hiring_cost_saved_yuan"])  # a real reason, which the catalogue translates
    err = refused(capsys, "validate", str(path), "--lang", "zh", "--set", "participation.hiring_cost_saved=1",
                  prefix="talentsim: 错误：")
    assert "（录用节省的成本" in err


# ---------------------------------------------------------------------------- sweep and calibration files


def test_an_old_key_among_a_sweep_files_parameters(table: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    sweep_file = write(tmp_path / "sweep.yaml", yaml.safe_dump(
        {"design": "grid", "seed": 1, "parameters": {"school_mentors.ratio": {"levels": [10, 20]}}}))
    err = refused(capsys, "sweep", str(sweep_file))
    assert err.startswith(f"talentsim: error: {sweep_file}: parameters[school_mentors.ratio]: was renamed to "
                          f"school_mentors.students_per_mentor ({RATIO_REASON})")
    assert not (tmp_path / "outputs").exists()


def calibration(**changes: Any) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "seed": 1, "budget": {"simulations": 10_000}, "scenarios": {"base": None},
        "parameters": {"attrition.termination_rate_per_year": {"prior": "log-uniform", "bounds": [0.02, 0.4]}},
        "targets": [{"scenario": "base", "outcome": "early_termination_rate", "band": [0.247, 0.297]}]}
    definition.update(changes)
    return definition


@pytest.mark.parametrize(("changes", "where"), [
    ({"parameters": {"school_mentors.ratio": {"prior": "uniform", "bounds": [5, 30]}}},
     "parameters[school_mentors.ratio]"),
    ({"overrides": {"school_mentors.ratio": 12}}, "overrides[school_mentors.ratio]"),
], ids=["parameters", "overrides"])
def test_an_old_key_in_a_calibration_file(table: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                          changes: dict[str, Any], where: str) -> None:
    calib = write(tmp_path / "calib.yaml", yaml.safe_dump(calibration(**changes)))
    out = tmp_path / "never"
    err = refused(capsys, "calibrate", str(calib), "--out", str(out))
    assert err.startswith(f"talentsim: error: {calib}: {where}: was renamed to school_mentors.students_per_mentor "
                          f"({RATIO_REASON})")
    assert not out.exists()


def test_an_unknown_calibration_override_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    calib = write(tmp_path / "calib.yaml", yaml.safe_dump(calibration(overrides={"intake.cohort_sise": 50})))
    err = refused(capsys, "calibrate", str(calib), "--out", str(tmp_path / "never"))
    assert err.startswith(f"talentsim: error: {calib}: overrides[intake.cohort_sise]: is not a parameter")
    assert "did you mean intake.cohort_size" in err


# ---------------------------------------------------------------------------- the table itself


def test_a_rename_of_a_rename_leads_to_the_current_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(RENAMED_KEYS, "intake.size", ("intake.cohort_count", "first rename"))
    monkeypatch.setitem(RENAMED_KEYS, "intake.cohort_count", ("intake.cohort_size", "second rename"))
    found = find_renamed("intake.size")
    assert found is not None and found.new_key == "intake.cohort_size" and found.reason == "first rename"


def is_key_or_section(key: str) -> bool:
    return key in settable_keys() or model_at(key.split(".")) is not None


@pytest.mark.parametrize("old", sorted(renamed_module.RENAMED_KEYS))
def test_every_target_of_the_real_table_is_a_key_of_the_schema(old: str) -> None:
    new, reason = renamed_module.RENAMED_KEYS[old]
    assert reason and "\n" not in reason and not reason.endswith("."), "a one-line clause, no full stop"
    if new is None:
        return
    if not is_key_or_section(new):
        # The main branch renames these parameters in the schema (issue 16 item 11); until it
        # does, the target is not a key here and there is nothing more to check.
        pytest.skip(f"{new} is not a parameter of this schema yet (main adds it)")
    assert not is_key_or_section(old), f"{old} was renamed to {new}, but both are parameters"
