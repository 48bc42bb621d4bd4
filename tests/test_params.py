"""The parameter list: complete, documented, and printed by ``talentsim params``."""

from __future__ import annotations

import csv
import io
import typing

import pytest
from pydantic import BaseModel

from sim.cli import main
from sim.scenario import Scenario, list_params, scenario_to_dict
from sim.scenario import schema as schema_module
from sim.scenario.params import format_params_table, param_index, settable_keys


def test_listing_includes_students_per_mentor() -> None:
    row = param_index()["school_mentors.students_per_mentor"]
    assert row.unit == "students/mentor"
    assert "student" in row.description
    assert row.default == 20.0
    assert row.type == "float"
    assert row.allowed == "[1, 1000]"


def test_every_listed_param_has_a_unit_and_a_description() -> None:
    rows = list_params()
    assert len(rows) > 100
    for row in rows:
        assert row.unit.strip(), row.key
        assert row.description.strip(), row.key


def test_every_param_has_a_short_unique_label() -> None:
    rows = list_params()
    labels = [row.label for row in rows]
    assert all(label.strip() for label in labels), [row.key for row in rows if not row.label.strip()]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    assert duplicates == [], f"labels must be unique: {duplicates}"
    for row in rows:
        assert row.label != row.key, row.key
        assert row.label == row.label.strip() and len(row.label) <= 60, row.key
        assert row.label[0].isupper(), f"{row.key}: labels are in sentence case"
        assert not row.label.endswith("."), row.key
        assert f"({row.unit})" not in row.label, f"{row.key}: the unit is a column of its own"


def test_label_is_the_schema_title() -> None:
    row = param_index()["school_mentors.students_per_mentor"]
    assert row.label == "Students per school mentor"
    assert schema_module.SchoolMentorParams.model_fields["students_per_mentor"].title == row.label


def _section_fields(model: type[BaseModel]) -> typing.Iterator[tuple[str, typing.Any]]:
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            continue  # a section, not a parameter
        yield name, field


def test_every_schema_field_has_a_unit_and_a_description() -> None:
    models = [obj for obj in vars(schema_module).values()
              if isinstance(obj, type) and issubclass(obj, schema_module.StrictModel)
              and obj is not schema_module.StrictModel]
    assert Scenario in models and len(models) > 15
    for model in models:
        for name, field in _section_fields(model):
            extra = field.json_schema_extra
            assert isinstance(extra, dict) and str(extra.get("unit", "")).strip(), f"{model.__name__}.{name}"
            assert (field.description or "").strip(), f"{model.__name__}.{name}"
            assert (field.title or "").strip(), f"{model.__name__}.{name} has no label (title)"


def test_keys_are_unique_and_defaults_match_the_schema() -> None:
    rows = list_params()
    assert len({row.key for row in rows}) == len(rows)
    defaults = scenario_to_dict(Scenario())
    for row in rows:
        if not row.settable:
            continue
        value: typing.Any = defaults
        for part in row.key.split("."):
            value = value[part]
        assert value == row.default, row.key


def test_list_item_fields_are_listed_but_not_settable() -> None:
    keys = {row.key for row in list_params()}
    assert "calendar.custom_blocks[].weeks" in keys
    assert "calendar.custom_blocks" in settable_keys()
    assert not any("[]" in key for key in settable_keys())


def test_allowed_values_notation() -> None:
    index = param_index()
    assert index["intake.cohort_size"].allowed == "(0, inf)"
    assert index["programme.curriculum_alignment"].allowed == "[0, 1]"
    assert index["intake.n_cohorts"].allowed == "[1, 30]"
    assert "school_only" in index["calendar.schedule"].allowed
    assert index["funding.earmarks.exam_fees"].allowed == "0-3 items"


def test_table_is_aligned() -> None:
    rows = list_params()
    lines = format_params_table(rows).splitlines()
    assert len(lines) == len(rows) + 1
    width = max(len(row.key) for row in rows)
    second_column = width + 2
    for line, row in zip(lines[1:], rows, strict=True):
        assert line.startswith(row.key.ljust(width) + "  ")
        assert line[second_column] != " "


def test_cli_params_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["params"]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("school_mentors.students_per_mentor "))
    assert "students/mentor" in line and "20.0" in line and "Students per school mentor" in line
    assert out.splitlines()[0].split() == ["key", "type", "default", "unit", "allowed", "label", "description"]


def test_cli_params_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["params", "--format", "csv"]) == 0
    table = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(table) == len(list_params())
    row = next(r for r in table if r["key"] == "school_mentors.students_per_mentor")
    assert row["unit"] == "students/mentor" and row["default"] == "20.0"
    assert row["label"] == "Students per school mentor"
    assert list(table[0]) == ["key", "type", "default", "unit", "allowed", "label", "description"]


def test_cli_params_match(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["params", "--match", "school_mentors"]) == 0
    lines = capsys.readouterr().out.splitlines()[1:]
    assert lines and all(line.startswith("school_mentors.") for line in lines)


def test_cli_params_match_nothing_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["params", "--match", "no_such_thing"]) == 2
    assert "talentsim: error: --match 'no_such_thing'" in capsys.readouterr().err
