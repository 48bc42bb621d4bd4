"""Scenario files, extends, overrides, hashing and the memory estimate (positive cases)."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from sim.errors import UserError
from sim.scenario import (
    Scenario,
    ScenarioError,
    apply_overrides,
    load_scenario,
    parse_set_options,
    scenario_from_dict,
    scenario_hash,
    scenario_to_dict,
)
from sim.scenario.loading import load_yaml_file
from sim.scenario.memory import (
    BASE_BYTES,
    BYTES_PER_STUDENT,
    check_memory,
    default_memory_limit_bytes,
    estimate_run_bytes,
)

ROOT = Path(__file__).resolve().parents[1]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------------- files


def test_no_path_gives_the_defaults() -> None:
    assert load_scenario() == Scenario()
    assert load_scenario().name == "baseline"


def test_name_defaults_to_the_file_stem(tmp_path: Path) -> None:
    path = write(tmp_path, "small_groups.yaml", "school_mentors:\n  students_per_mentor: 10\n")
    scenario = load_scenario(path)
    assert scenario.name == "small_groups"
    assert scenario.school_mentors.students_per_mentor == 10.0


def test_name_and_question_from_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "name: my_name\nquestion: Does it work?\n")
    scenario = load_scenario(path)
    assert scenario.name == "my_name"
    assert scenario.question == "Does it work?"


def test_extends_merges_nested_values(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", (
        "name: base\n"
        "question: the base question\n"
        "intake:\n  cohort_size: 500\n  n_cohorts: 2\n"
        "school_mentors:\n  students_per_mentor: 15\n"
        "funding:\n  earmarks:\n    exam_fees: [government, school_special_fund, enterprise_cost_sharing]\n"
    ))
    child = write(tmp_path, "child.yaml", (
        "extends: base.yaml\n"
        "intake:\n  cohort_size: 300\n"
        "funding:\n  earmarks:\n    exam_fees: [school_special_fund]\n"
    ))
    scenario = load_scenario(child)
    assert scenario.intake.cohort_size == 300           # child wins
    assert scenario.intake.n_cohorts == 2                # sibling key kept from the parent
    assert scenario.school_mentors.students_per_mentor == 15.0
    assert scenario.funding.earmarks.exam_fees == ["school_special_fund"]  # a list replaces, not appends
    assert scenario.question == "the base question"     # inherited
    assert scenario.name == "child"                      # a name is not inherited


def test_extends_chain_with_relative_paths(tmp_path: Path) -> None:
    write(tmp_path, "base.yaml", "intake:\n  cohort_size: 100\n  n_cohorts: 2\n")
    write(tmp_path, "variants/middle.yaml", "extends: ../base.yaml\nintake:\n  n_cohorts: 4\n")
    leaf = write(tmp_path, "variants/deep/leaf.yaml",
                 "extends: ../middle.yaml\nname: leaf_name\nprogramme:\n  dual_mentor: false\n")
    scenario = load_scenario(leaf)
    assert (scenario.intake.cohort_size, scenario.intake.n_cohorts) == (100, 4)
    assert scenario.programme.dual_mentor is False
    assert scenario.name == "leaf_name"


def test_project_scenarios_are_valid() -> None:
    files = sorted((ROOT / "scenarios").glob("*.yaml"))
    for path in files:
        assert load_scenario(path).name


def test_small_anchors_and_merge_keys_are_allowed(tmp_path: Path) -> None:
    path = write(tmp_path, "anchors.yaml", (
        "calendar:\n"
        "  schedule: custom\n"
        "  custom_blocks:\n"
        "    - &school {weeks: 20, location: school, stage: basic}\n"
        "    - *school\n"
        "    - <<: *school\n"
        "      location: enterprise\n"
    ))
    blocks = load_scenario(path).calendar.custom_blocks
    assert [b.location for b in blocks] == ["school", "school", "enterprise"]


def test_load_yaml_file_returns_the_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "plain.yaml", "a: 1\nb: [x, y]\n")
    assert load_yaml_file(path) == {"a": 1, "b": ["x", "y"]}


# ---------------------------------------------------------------------------- overrides


def test_overrides_with_dotted_and_double_underscore_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "intake:\n  cohort_size: 100\n")
    scenario = load_scenario(path, {"school_mentors.students_per_mentor": 10, "intake__n_cohorts": 5})
    assert scenario.school_mentors.students_per_mentor == 10.0
    assert scenario.intake.n_cohorts == 5
    assert scenario.intake.cohort_size == 100


def test_overrides_on_the_defaults() -> None:
    scenario = load_scenario(None, {"name": "tweaked", "funding.earmarks.exam_fees": ["school_special_fund"],
                                    "certification.pass_mark_points": 55})
    assert scenario.name == "tweaked"
    assert scenario.funding.earmarks.exam_fees == ["school_special_fund"]
    assert scenario.certification.thresholds_points == [55.0, 67.0]


def test_apply_overrides_copies_and_unshares() -> None:
    shared = {"cohort_size": 5}
    data = {"intake": shared, "other": shared}
    result = apply_overrides(data, {"intake.cohort_size": 7}, "test")
    assert result["intake"]["cohort_size"] == 7
    assert result["other"]["cohort_size"] == 5
    assert shared == {"cohort_size": 5}


def test_apply_overrides_unknown_key_suggests_the_right_one() -> None:
    with pytest.raises(ScenarioError) as info:
        apply_overrides({}, {"school_mentors.students_per_mentr": 10}, "sweep point")
    err = info.value
    assert err.file == "sweep point"
    assert err.key == "school_mentors.students_per_mentr"
    assert "did you mean school_mentors.students_per_mentor" in str(err)


def test_apply_overrides_key_in_the_wrong_section() -> None:
    with pytest.raises(ScenarioError, match=r"school_mentors\.students_per_mentor"):
        apply_overrides({}, {"intake.students_per_mentor": 10}, "test")


def test_numpy_values_are_accepted_as_overrides() -> None:
    scenario = load_scenario(None, {"intake.cohort_size": np.int64(50), "learning.noise_sd": np.float64(0.2)})
    assert scenario.intake.cohort_size == 50
    assert type(scenario.intake.cohort_size) is int


def test_parse_set_options_reads_yaml_values() -> None:
    parsed = parse_set_options([
        "intake.cohort_size=10",
        "programme.curriculum_alignment=0.5",
        "programme.dual_mentor=true",
        "funding.earmarks.exam_fees=[government, school_special_fund]",
        "calendar.schedule=2+1",
        "question=a=b",
        "school_mentors__students_per_mentor=12",
    ])
    assert parsed == {
        "intake.cohort_size": 10,
        "programme.curriculum_alignment": 0.5,
        "programme.dual_mentor": True,
        "funding.earmarks.exam_fees": ["government", "school_special_fund"],
        "calendar.schedule": "2+1",
        "question": "a=b",
        "school_mentors.students_per_mentor": 12,
    }
    scenario = load_scenario(None, parsed)
    assert scenario.school_mentors.students_per_mentor == 12.0


# ---------------------------------------------------------------------------- dicts and hashes


def test_to_dict_round_trip_is_json() -> None:
    scenario = load_scenario(None, {"intake.cohort_size": 123})
    data = scenario_to_dict(scenario)
    assert json.loads(json.dumps(data)) == data
    assert scenario_from_dict(data) == scenario


def test_scenario_from_dict_does_not_modify_its_input() -> None:
    data = {"intake": {"cohort_size": 10}}
    scenario_from_dict(data)
    assert data == {"intake": {"cohort_size": 10}}


def test_hash_follows_values_not_spelling() -> None:
    a = scenario_from_dict({"certification": {"pass_mark_points": 50, "pass_mark_step_points": 12}})
    b = scenario_from_dict({"certification": {"pass_mark_points": 50.0, "pass_mark_step_points": 12.0}})
    c = scenario_from_dict({"certification": {"pass_mark_points": 50.0, "pass_mark_step_points": 13.0}})
    assert scenario_hash(a) == scenario_hash(b)
    assert scenario_hash(a) != scenario_hash(c)
    assert len(scenario_hash(a)) == 64
    int(scenario_hash(a), 16)


def test_hash_is_stable_across_processes(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "intake:\n  cohort_size: 321\nquestion: ünïcode?\n")
    code = "import sys; from sim.scenario import load_scenario, scenario_hash; " \
           "print(scenario_hash(load_scenario(sys.argv[1])))"
    digests = []
    for seed in ("1", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                              env=env, cwd=ROOT, check=True, timeout=600)  # a hang guard, not a speed limit
        digests.append(done.stdout.strip())
    assert digests[0] == digests[1] == scenario_hash(load_scenario(path))


# ---------------------------------------------------------------------------- errors and memory


def test_scenario_error_is_a_user_error_and_pickles() -> None:
    err = ScenarioError("f.yaml", "intake.cohort_size", "expected more, found less", keys=["intake.cohort_size", "x"])
    assert isinstance(err, UserError)
    assert str(err) == "f.yaml: intake.cohort_size: expected more, found less"
    copy = pickle.loads(pickle.dumps(err))
    assert (str(copy), copy.file, copy.key, copy.keys) == (str(err), err.file, err.key, err.keys)


def test_memory_estimate_grows_with_students() -> None:
    small = load_scenario(None, {"intake.cohort_size": 100})
    large = load_scenario(None, {"intake.cohort_size": 100_100})
    assert estimate_run_bytes(large) - estimate_run_bytes(small) >= 300_000 * BYTES_PER_STUDENT
    assert estimate_run_bytes(small) > BASE_BYTES


def test_memory_check_passes_the_defaults() -> None:
    assert default_memory_limit_bytes() > 0
    assert check_memory(Scenario(), limit_bytes=2**40) == estimate_run_bytes(Scenario())


def test_memory_check_refuses_a_huge_population_from_its_estimate() -> None:
    scenario = load_scenario(None, {"intake.cohort_size": 10**9, "intake.n_cohorts": 30})
    tracemalloc.start()
    try:
        with pytest.raises(ScenarioError) as info:
            check_memory(scenario, source="huge.yaml")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20, f"the check allocated {peak:,} bytes: it must estimate, never build the population"
    message = str(info.value)
    assert info.value.key == "intake.cohort_size"
    assert message.startswith("huge.yaml: intake.cohort_size:")
    assert "GiB" in message and "--max-memory" in message


def test_memory_check_uses_the_given_limit() -> None:
    with pytest.raises(ScenarioError, match="GiB"):
        check_memory(Scenario(), limit_bytes=2**20)
