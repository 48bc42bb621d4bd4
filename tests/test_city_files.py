"""The shipped city files (scenarios/city/): they validate, hold the city issue 18 asks for, and each question
file changes only what its question names.

Issue 18, item 8: a city of three schools (a secondary vocational school, a higher
vocational college, an applied undergraduate college) with 8-12 programmes in 4 sectors and
about 1,500 firms, every number sourced or marked "assumption", each file opening with its
question in English and Chinese, and the three questions as scenario pairs. The engine does
not run cities yet; these tests read the files as ``talentsim validate`` does.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.cli import main
from sim.scenario import load_scenario
from sim.scenario.city import CityPlan
from sim.scenario.city_loading import check_city_memory, is_city_file, load_city

CITY_DIR = Path(__file__).resolve().parents[1] / "scenarios" / "city"
BASE = CITY_DIR / "shenyang.yaml"
CITY_FILES = sorted(path for path in CITY_DIR.glob("*.yaml") if is_city_file(path))
PROGRAMME_FILES = sorted((CITY_DIR / "programmes").glob("*.yaml"))
ALL_FILES = CITY_FILES + PROGRAMME_FILES

QUESTIONS: dict[str, set[str]] = {
    # (a) two colleges double their intelligent-manufacturing intake from next year
    "shenyang_a_double_intelligent_manufacturing.yaml": {
        "programmes.hv_intelligent_manufacturing.cohort_sizes",
        "programmes.ug_intelligent_manufacturing.cohort_sizes",
    },
    # (b) certify 30 more enterprises, or pay 5,000 yuan per apprentice
    "shenyang_b_certify_30_more.yaml": {"bureau.certification.max_certified_share"},
    "shenyang_b_subsidy_5000.yaml": {"bureau.city_subsidy_yuan_per_apprentice_year"},
    # (c) one shared training base for three schools, or a base each (the base city)
    "shenyang_c_one_shared_base.yaml": {"bureau.training_bases"},
}
"""Each question file of the folder and the resolved keys its question changes (against the base city)."""


def test_the_folder_holds_the_base_city_and_its_question_files() -> None:
    assert BASE in CITY_FILES
    assert {path.name for path in CITY_FILES} == {BASE.name, *QUESTIONS}
    assert len(PROGRAMME_FILES) >= 8
    assert not [path for path in PROGRAMME_FILES if is_city_file(path)]


@pytest.mark.parametrize("path", CITY_FILES, ids=lambda path: path.name)
def test_a_city_file_validates_and_fits_in_memory(path: Path) -> None:
    city = load_city(path)
    assert check_city_memory(city) > 0


def test_talentsim_validate_accepts_every_shipped_file(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(path) for path in ALL_FILES]
    assert main(["validate", *files]) == 0
    assert capsys.readouterr().out.splitlines() == [f"ok  {file}" for file in files]


@pytest.mark.parametrize("path", CITY_FILES, ids=lambda path: path.name)
def test_a_city_has_the_size_issue_18_asks_for(path: Path) -> None:
    city = load_city(path)
    assert sorted(school.level for school in city.schools) == ["higher", "secondary", "undergraduate"]
    assert 8 <= len(city.programmes) <= 12
    assert len(city.sectors) == 4
    assert city.enterprises is not None
    assert 1_300 <= sum(group.count for group in city.enterprises) <= 1_700
    assert {group.sector for group in city.enterprises} == set(range(4))
    assert set(city.vacancies_per_year) == set(range(4))
    levels = {school.name: school.level for school in city.schools}
    for programme in city.programmes:
        assert programme.scenario.programme.level == levels[programme.school], programme.name
    assert {programme.school for programme in city.programmes} == set(levels)  # every school has a programme
    assert len({programme.scenario.simulation.horizon_years for programme in city.programmes}) == 1


def resolved(city: CityPlan) -> dict[str, Any]:
    """A city's resolved values by dotted key, programmes by name (labels left out)."""
    values: dict[str, Any] = {
        "sectors": [sector.id for sector in city.sectors],
        "schools": [(school.name, school.level) for school in city.schools],
        "enterprises": city.enterprises,
        "vacancies_per_year": city.vacancies_per_year,
        "labour_market": city.labour_market.model_dump(),
        "programmes": [programme.name for programme in city.programmes],
    }
    bureau = city.bureau.model_dump()
    for key, value in bureau.pop("certification").items():
        values[f"bureau.certification.{key}"] = value
    values.update({f"bureau.{key}": value for key, value in bureau.items()})
    for programme in city.programmes:
        key = f"programmes.{programme.name}"
        values[f"{key}.school"] = programme.school
        values[f"{key}.file"] = programme.file
        values[f"{key}.sector_of"] = programme.sector_of
        values[f"{key}.cohort_sizes"] = programme.cohort_sizes
        scenario = programme.scenario.model_dump()
        scenario["intake"].pop("cohort_sizes")  # the city's cohort_sizes_from_year, compared as cohort_sizes above
        values[f"{key}.scenario"] = {k: v for k, v in scenario.items() if k not in ("name", "question", "question_zh")}
    return values


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_a_question_file_changes_only_what_its_question_names(name: str) -> None:
    base, variant = resolved(load_city(BASE)), resolved(load_city(CITY_DIR / name))
    assert base.keys() == variant.keys()
    changed = {key for key in base if base[key] != variant[key]}
    assert changed == QUESTIONS[name]


def test_question_a_doubles_two_colleges_intelligent_manufacturing_intake_from_next_year() -> None:
    base, doubled = load_city(BASE), load_city(CITY_DIR / "shenyang_a_double_intelligent_manufacturing.yaml")
    changed = []
    for programme in doubled.programmes:
        before = base.programme(programme.name).cohort_sizes
        if programme.cohort_sizes != before:
            changed.append(programme.school)
            assert programme.cohort_sizes == (before[0], 2 * before[1], 2 * before[2])
    assert sorted(changed) == ["Shenyang applied undergraduate college", "Shenyang higher vocational college"]


def test_question_c_shares_the_same_capacity_among_every_programme() -> None:
    base, shared = load_city(BASE), load_city(CITY_DIR / "shenyang_c_one_shared_base.yaml")
    assert len(base.bureau.training_bases) == len(base.schools)  # a base each
    for each in base.bureau.training_bases:  # each base serves one school's programmes
        assert len({base.programme(name).school for name in each.programmes}) == 1
    (one,) = shared.bureau.training_bases
    assert sorted(one.programmes) == sorted(programme.name for programme in base.programmes)
    assert one.capacity_hours_per_week == sum(each.capacity_hours_per_week for each in base.bureau.training_bases)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda path: path.relative_to(CITY_DIR).as_posix())
def test_a_file_opens_with_its_question_in_english_and_chinese(path: Path) -> None:
    plan_or_scenario = load_city(path) if is_city_file(path) else load_scenario(path)
    assert plan_or_scenario.question.strip() and plan_or_scenario.question_zh.strip()
    assert re.search(r"[\u4e00-\u9fff]", plan_or_scenario.question_zh)
    head = path.read_text(encoding="utf-8").split("\n\n")[0].splitlines()
    head = head[:next((i for i, line in enumerate(head) if not line.startswith("#")), len(head))]
    assert head, "the file opens with comments"
    assert any("Question" in line for line in head), "the question in English"
    assert any("问题" in line for line in head), "the question in Chinese"


LABELS = ("name:", "question:", "question_zh:", "extends:")


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda path: path.relative_to(CITY_DIR).as_posix())
def test_every_number_carries_a_comment(path: Path) -> None:
    """A line that writes a number says where it comes from ("assumption" included), on the line itself."""
    bare = []
    in_text = False  # inside a folded or literal block (a question's text)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        code = line.split("#", 1)[0].rstrip()
        if in_text and (not code or line.startswith(" ")):
            continue
        in_text = bool(re.search(r":\s*[>|]-?$", code))
        if not code or code.lstrip().startswith(LABELS) or "#" in line:
            continue
        if re.search(r"\d", code):
            bare.append(f"{path.name}:{number}: {line}")
    assert bare == [], "a number without its source:\n" + "\n".join(bare)


def test_the_city_files_parse_as_plain_yaml() -> None:
    for path in ALL_FILES:
        assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict)
