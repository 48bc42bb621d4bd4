"""City files (sim.scenario.city, city_loading, sectors): the catalogue, the schema, every check, overrides, the CLI.

Each bad file is written in ``tmp_path`` and must give one paragraph that names the file
and the key at fault (and ``talentsim validate`` exit 2 without a traceback).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.cli import main
from sim.scenario import ScenarioError, load_scenario
from sim.scenario.city import CITY_SOURCES, city_keys, city_of_one, cohort_sizes
from sim.scenario.city_loading import (
    check_city_memory,
    estimate_city_bytes,
    is_city_file,
    load_as_city,
    load_city,
    parse_city_set_options,
)
from sim.scenario.memory import estimate_run_bytes
from sim.scenario.sectors import MAJOR_GROUPS, major_group

PROGRAMME = {"intake": {"cohort_size": 300, "n_cohorts": 3, "n_sectors": 2}}


def city_data() -> dict[str, Any]:
    """A valid city of two schools and three programmes, as a city file would hold it."""
    return {
        "name": "example_city",
        "question": "Should the city double its mechatronics intake?",
        "sectors": ["equipment_manufacturing", 51, "财经商贸大类"],
        "schools": [{"name": "City Polytechnic", "level": "higher"},
                    {"name": "City Secondary", "level": "secondary"}],
        "programmes": [
            {"name": "mechatronics", "school": "City Polytechnic", "scenario": "programmes/mech.yaml",
             "sectors": ["equipment_manufacturing", "electronics_information"],
             "cohort_sizes_from_year": {2: 600}},
            {"name": "commerce", "school": "City Polytechnic", "scenario": "programmes/commerce.yaml",
             "sectors": ["finance_commerce", "finance_commerce"]},
            {"name": "机电", "school": "City Secondary", "scenario": "programmes/secondary.yaml",
             "sectors": [46, 66]},
        ],
        "enterprises": [{"sector": "equipment_manufacturing", "count": 120},
                        {"sector": 53, "count": 60, "staff_median": 80.0}],
        "labour_demand": [{"sector": "equipment_manufacturing", "vacancies_per_year": [900, 950]}],
        "bureau": {"special_fund_yuan_per_year": 5_000_000.0, "special_fund_allocation": "per_apprentice",
                   "certification": {"enabled": True, "placement_priority": True},
                   "training_bases": [{"name": "north", "capacity_hours_per_week": 20_000.0,
                                       "programmes": ["mechatronics", "机电"]}],
                   "city_subsidy_yuan_per_apprentice_year": 1_000.0},
    }


def write_city(folder: Path, data: dict[str, Any] | None = None, name: str = "city.yaml",
               programmes: dict[str, dict[str, Any]] | None = None) -> Path:
    """Write a city file and its programme scenarios; return the city file."""
    (folder / "programmes").mkdir(exist_ok=True)
    files = {"mech": PROGRAMME, "commerce": PROGRAMME,
             "secondary": {**PROGRAMME, "programme": {"level": "secondary"}}, **(programmes or {})}
    for stem, content in files.items():
        (folder / "programmes" / f"{stem}.yaml").write_text(yaml.safe_dump(content, allow_unicode=True),
                                                            encoding="utf-8")
    path = folder / name
    path.write_text(yaml.safe_dump(city_data() if data is None else data, allow_unicode=True), encoding="utf-8")
    return path


def refused(path: Path, overrides: dict[str, Any] | None = None) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_city(path, overrides, overrides_source="--set")
    assert "\n" not in str(info.value), "one paragraph"
    return info.value


# ---------------------------------------------------------------------------- the catalogue


def test_the_catalogue_has_the_19_major_groups_of_2021() -> None:
    assert len(MAJOR_GROUPS) == 19
    assert [group.code for group in MAJOR_GROUPS] == list(range(41, 60))
    assert len({group.id for group in MAJOR_GROUPS}) == len({group.zh for group in MAJOR_GROUPS}) == 19
    assert all(group.zh.endswith("大类") for group in MAJOR_GROUPS)
    assert major_group(46).zh == "装备制造大类"
    assert major_group(51).en == "Electronics and information"


@pytest.mark.parametrize("name", ["equipment_manufacturing", 46, "46", 66, 26, "装备制造大类", " 46 "])
def test_a_group_is_named_by_id_any_levels_code_or_chinese_name(name: str | int) -> None:
    assert major_group(name).id == "equipment_manufacturing"


@pytest.mark.parametrize("name", ["manufacturing", 60, 40, True, "装备制造"])
def test_an_unknown_group_is_refused_with_the_ids(name: Any) -> None:
    with pytest.raises(ValueError, match="equipment_manufacturing, "):
        major_group(name)


# ---------------------------------------------------------------------------- a valid city


def test_a_valid_city_is_resolved(tmp_path: Path) -> None:
    city = load_city(write_city(tmp_path))
    assert city.name == "example_city"
    assert [sector.id for sector in city.sectors] == ["equipment_manufacturing", "electronics_information",
                                                       "finance_commerce"]
    assert [sector.code for sector in city.sectors] == [46, 51, 53]
    mech = city.programme("mechatronics")
    assert mech.sector_of == (0, 1)
    assert mech.cohort_sizes == (300, 300, 600)  # doubled from the third year
    assert city.programme("commerce").sector_of == (2, 2)
    assert city.programme("机电").sector_of == (0, 0)
    assert city.programme("机电").scenario.programme.level == "secondary"
    assert city.n_students == 1200 + 900 + 900
    assert [(g.sector, g.count, g.staff_median) for g in city.enterprises or ()] == [(0, 120, 250.0), (2, 60, 80.0)]
    assert city.vacancies_per_year == {0: (900, 950)}
    assert city.bureau.special_fund_allocation == "per_apprentice"
    assert city.bureau.training_bases[0].programmes == ["mechatronics", "机电"]
    assert city.labour_market.searcher_elasticity == 0.5
    assert is_city_file(tmp_path / "city.yaml")
    assert not is_city_file(tmp_path / "programmes" / "mech.yaml")


def test_the_name_defaults_to_the_file_stem(tmp_path: Path) -> None:
    data = city_data()
    del data["name"]
    assert load_city(write_city(tmp_path, data, name="宁波.yaml")).name == "宁波"


def test_cohort_sizes_hold_from_the_year_given() -> None:
    assert cohort_sizes(500, 5, {}) == (500,) * 5
    assert cohort_sizes(500, 5, {2: 1000, 4: 800}) == (500, 500, 1000, 1000, 800)
    assert cohort_sizes(500, 2, {0: 100}) == (100, 100)


def test_a_city_may_extend_another_with_paths_relative_to_the_file_that_wrote_them(tmp_path: Path) -> None:
    write_city(tmp_path)
    variant = tmp_path / "variants"
    variant.mkdir()
    (variant / "more_fund.yaml").write_text("extends: ../city.yaml\nbureau:\n  special_fund_yuan_per_year: 9000000\n",
                                            encoding="utf-8")
    city = load_city(variant / "more_fund.yaml")
    assert city.name == "more_fund"
    assert city.bureau.special_fund_yuan_per_year == 9_000_000
    assert city.bureau.special_fund_allocation == "per_apprentice"  # merged, not replaced
    assert city.programme("mechatronics").scenario.intake.cohort_size == 300
    assert is_city_file(variant / "more_fund.yaml")


# ---------------------------------------------------------------------------- every check


def broken(change: Any) -> dict[str, Any]:
    data = city_data()
    change(data)
    return data


BAD_CITIES: dict[str, tuple[Any, str, list[str]]] = {
    # name: (change to the valid city, the key named, words the message must hold)
    "unknown top-level key": (lambda d: d.update(sector=["transport"]), "sector",
                              ["is not a key of a city file", "did you mean sectors"]),
    "unknown key in a programme": (lambda d: d["programmes"][0].update(schol="x"), "programmes[0].schol",
                                   ["programmes[0]", "did you mean school", "valid keys here: name, school"]),
    "unknown key in the bureau": (lambda d: d["bureau"]["certification"].update(enabeld=True),
                                  "bureau.certification.enabeld", ["did you mean enabled"]),
    "unknown sector": (lambda d: d["sectors"].append("manufacturing"), "sectors[3]",
                       ["'manufacturing' is not a major group", "装备制造大类"]),
    "a sector twice": (lambda d: d["sectors"].append(46), "sectors",
                       ["equipment_manufacturing is named twice", "as item 0 and as item 3"]),
    "programme's sector not in the city": (
        lambda d: d["programmes"][1].update(sectors=["finance_commerce", "tourism"]), "programmes[1].sectors[1]",
        ["maps to tourism, which is not one of the city's sectors", "equipment_manufacturing, "]),
    "duplicate programme names": (lambda d: d["programmes"][1].update(name="mechatronics"), "programmes[1].name",
                                  ["'mechatronics' is used twice", "programmes[0]"]),
    "duplicate school names": (lambda d: d["schools"][1].update(name="City Polytechnic"), "schools[1].name",
                               ["'City Polytechnic' is used twice"]),
    "one sector twice in the enterprise pool": (
        lambda d: d["enterprises"].append({"sector": 46, "count": 3}), "enterprises[2].sector",
        ["'equipment_manufacturing' is used twice", "enterprises[0]"]),
    "school not declared": (lambda d: d["programmes"][1].update(school="Harbour College"), "programmes[1].school",
                            ["'Harbour College'", "not one of the city's schools (City Polytechnic, City Secondary)"]),
    "shared base naming an unknown programme": (
        lambda d: d["bureau"]["training_bases"][0]["programmes"].append("welding"),
        "bureau.training_bases[0].programmes[2]", ["'welding'", "not one of the city's programmes"]),
    "enterprise pool in a sector the city lacks": (
        lambda d: d["enterprises"].append({"sector": "tourism", "count": 5}), "enterprises[2].sector",
        ["tourism is not one of the city's sectors"]),
    "demand in a sector the city lacks": (
        lambda d: d["labour_demand"].append({"sector": 54, "vacancies_per_year": [5]}), "labour_demand[1].sector",
        ["tourism is not one of the city's sectors"]),
    "a programme name with a dot": (lambda d: d["programmes"][0].update(name="mech.a"), "programmes[0].name",
                                    ["without dots"]),
    "a bad allocation rule": (lambda d: d["bureau"].update(special_fund_allocation="by_need"),
                              "bureau.special_fund_allocation", ["per_student", "by_results", '"by_need"']),
    "a negative fund": (lambda d: d["bureau"].update(special_fund_yuan_per_year=-5.0),
                        "bureau.special_fund_yuan_per_year", ["yuan/year", "-5.0"]),
    "negative vacancies": (lambda d: d["labour_demand"][0].update(vacancies_per_year=[900, -1]),
                           "labour_demand[0].vacancies_per_year", ["year 1 must be at least 0"]),
    "a missing key": (lambda d: d["programmes"][0].pop("scenario"), "programmes[0].scenario", ["missing"]),
    "sectors not mapped one for one": (lambda d: d["programmes"][0].update(sectors=["transport"] * 0 + [46]),
                                       "programmes[0].sectors", ["gives 1 city sector(s)", "has 2 sector(s)"]),
    "a cohort size in a year the programme does not enrol": (
        lambda d: d["programmes"][0].update(cohort_sizes_from_year={3: 900}), "programmes[0].cohort_sizes_from_year",
        ["from year 3", "only 3 cohort(s)"]),
    "a programme's level differs from its school's": (
        lambda d: d["programmes"][2].update(school="City Polytechnic"), "programmes[2].school",
        ["a higher school", "programme.level secondary"]),
}


@pytest.mark.parametrize("case", sorted(BAD_CITIES))
def test_a_bad_city_gets_one_message_naming_file_and_key(case: str, tmp_path: Path) -> None:
    change, key, words = BAD_CITIES[case]
    path = write_city(tmp_path, broken(change))
    err = refused(path)
    assert err.file == str(path)
    assert err.key == key
    assert str(err).startswith(f"{path}: {key}: ")
    for word in words:
        assert word in str(err), f"{word!r} not in {err}"


def test_a_programme_scenario_with_a_cycle_of_extends(tmp_path: Path) -> None:
    path = write_city(tmp_path)
    (tmp_path / "programmes" / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "programmes" / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    data = city_data()
    data["programmes"][1]["scenario"] = "programmes/a.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    message = str(refused(path))
    assert "makes a cycle of extends" in message
    assert message.endswith(f"(the scenario of the programme 'commerce' in {path})")


def test_a_programme_scenario_with_an_unknown_key_names_its_file_and_the_city(tmp_path: Path) -> None:
    path = write_city(tmp_path, programmes={"commerce": {"intake": {"cohort_sise": 5}}})
    err = refused(path)
    programme_file = tmp_path / "programmes" / "commerce.yaml"
    assert (err.file, err.key) == (str(programme_file), "intake.cohort_sise")
    assert str(err).startswith(f"{programme_file}: intake.cohort_sise: ")
    assert "did you mean cohort_size" in str(err)
    assert str(err).endswith(f"(the scenario of the programme 'commerce' in {path})")


def test_a_city_file_in_a_cycle_of_extends(tmp_path: Path) -> None:
    write_city(tmp_path)
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nprogrammes: []\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    err = refused(tmp_path / "a.yaml")
    assert err.key == "extends" and "makes a cycle of extends" in str(err)
    assert not is_city_file(tmp_path / "a.yaml")  # unreadable: the scenario reader reports it
    assert not is_city_file(tmp_path / "no_such.yaml")


def test_a_missing_programme_scenario(tmp_path: Path) -> None:
    path = write_city(tmp_path, broken(lambda d: d["programmes"][1].update(scenario="programmes/none.yaml")))
    assert "none.yaml: no such file (the scenario of the programme 'commerce'" in str(refused(path))


def test_programmes_with_different_horizons(tmp_path: Path) -> None:
    path = write_city(tmp_path, programmes={"commerce": {**PROGRAMME, "simulation": {"horizon_years": 8}}})
    err = refused(path)
    assert err.key == "programmes[1].scenario"
    assert "'commerce' runs 8 years" in str(err) and "'mechatronics' 6" in str(err)


def test_a_bad_city_file_makes_validate_exit_2_without_a_traceback(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_city(tmp_path, broken(lambda d: d["programmes"][1].update(name="mechatronics")), name="bad.yaml")
    good = write_city(tmp_path)
    assert main(["validate", str(good), str(bad), str(tmp_path / "programmes" / "mech.yaml")]) == 2
    out, err = capsys.readouterr()
    assert out.splitlines() == [f"ok  {good}", f"ok  {tmp_path / 'programmes' / 'mech.yaml'}"]
    assert err.startswith(f"talentsim: error: {bad}: programmes[1].name: ")
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_validate_accepts_a_city_and_its_overrides(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_city(tmp_path)
    assert main(["validate", str(good), "--set", "programmes.mechatronics.intake.cohort_size=900"]) == 0
    assert capsys.readouterr().out == f"ok  {good}\n"
    assert main(["validate", str(good), "--set", "programmes.mechatronics.intake.cohort_sise=900"]) == 2
    err = capsys.readouterr().err
    assert "--set: programmes.mechatronics.intake.cohort_sise: is not a parameter" in err


def test_max_memory_covers_every_programme_of_a_city(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_city(tmp_path)
    assert main(["validate", str(good), "--max-memory", "0.01"]) == 2
    err = capsys.readouterr().err
    assert f"{good}: programmes: the city's 3 programme(s) enrol 3,000 students" in err
    assert "(the limit given)" in err


# ---------------------------------------------------------------------------- overrides


def test_an_override_reaches_one_programmes_scenario_only(tmp_path: Path) -> None:
    path = write_city(tmp_path)
    overrides = parse_city_set_options(["programmes.mechatronics.intake.cohort_size=900",
                                        "programmes.机电.school_mentors.students_per_mentor=12"])
    assert overrides == {"programmes.mechatronics.intake.cohort_size": 900,
                         "programmes.机电.school_mentors.students_per_mentor": 12}
    city = load_city(path, overrides)
    mech = city.programme("mechatronics")
    # the same scenario as the file with the same override, the change from year 2 still applied (as the
    # scenario's intake.cohort_sizes, which the engine reads)
    assert mech.scenario == load_scenario(tmp_path / "programmes" / "mech.yaml",
                                          {"intake.cohort_size": 900, "intake.cohort_sizes": [900, 900, 600]})
    assert mech.cohort_sizes == (900, 900, 600)
    assert city.programme("commerce").scenario.intake.cohort_size == 300
    assert city.programme("机电").scenario.school_mentors.students_per_mentor == 12


def test_overrides_address_city_keys_and_named_entries(tmp_path: Path) -> None:
    path = write_city(tmp_path)
    city = load_city(path, parse_city_set_options([
        "bureau.special_fund_allocation=by_results",
        "bureau.training_bases.north.capacity_hours_per_week=30000",
        "enterprises.46.count=150",  # written by id in the file, addressed by code
        "labour_demand.equipment_manufacturing.vacancies_per_year=[10, 20, 30]",
        "programmes.mechatronics.cohort_sizes_from_year={1: 450}",
        "programmes.commerce.scenario=programmes/mech.yaml",  # relative to the city file
        "labour_market.searcher_elasticity=0.7",
    ]))
    assert city.bureau.special_fund_allocation == "by_results"
    assert city.bureau.training_bases[0].capacity_hours_per_week == 30_000
    assert city.enterprises is not None and city.enterprises[0].count == 150
    assert city.vacancies_per_year[0] == (10, 20, 30)
    assert city.programme("mechatronics").cohort_sizes == (300, 450, 450)
    assert city.programme("commerce").file == str(tmp_path / "programmes" / "mech.yaml")
    assert city.labour_market.searcher_elasticity == 0.7


@pytest.mark.parametrize(("option", "key", "words"), [
    ("programmes.welding.intake.cohort_size=900", "programmes.welding.intake.cohort_size",
     ["no programme named 'welding'", "mechatronics, commerce, 机电"]),
    ("programmes.mechatronics.intake.cohort_sise=900", "programmes.mechatronics.intake.cohort_sise",
     ["is not a parameter of the scenario", "did you mean intake.cohort_size"]),
    ("bureau.training_bases.south.capacity_hours_per_week=1", "bureau.training_bases.south.capacity_hours_per_week",
     ["bureau.training_bases has no entry named 'south'", "north"]),
    ("bureau.special_fund_yuan=5", "bureau.special_fund_yuan",
     ["did you mean special_fund_yuan_per_year", "(set by --set)"]),
    ("programmes.mechatronics=5", "programmes.mechatronics", ["names a whole entry"]),
    ("labour_market.searcher_elasticity=1.5", "labour_market.searcher_elasticity", ["less than 1", "(set by --set)"]),
])
def test_a_bad_override_names_the_option_and_key(option: str, key: str, words: list[str], tmp_path: Path) -> None:
    err = refused(write_city(tmp_path), parse_city_set_options([option]))
    assert key in str(err)
    for word in words:
        assert word in str(err), f"{word!r} not in {err}"


@pytest.mark.parametrize("option", ["programmes.mechatronics", "=5", "a..b=1"])
def test_a_set_option_that_is_not_key_value(option: str) -> None:
    with pytest.raises(ScenarioError, match="--set: expected KEY=VALUE"):
        parse_city_set_options([option])


# ---------------------------------------------------------------------------- a city of one, memory, sources


def test_a_programme_scenario_is_a_city_of_one_programme(tmp_path: Path) -> None:
    scenario = load_scenario(None, {"intake.n_sectors": 3, "intake.cohort_size": 250})
    city = city_of_one(scenario, source="baseline.yaml")
    (programme,) = city.programmes
    assert programme.scenario is scenario
    assert programme.sector_of == (0, 1, 2)
    assert programme.cohort_sizes == (250, 250, 250)
    assert [sector.id for sector in city.sectors] == ["sector_1", "sector_2", "sector_3"]
    assert city.enterprises is None and city.vacancies_per_year == {}
    assert city.bureau.special_fund_yuan_per_year == 0 and not city.bureau.certification.enabled
    assert city.bureau.training_bases == [] and city.bureau.city_subsidy_yuan_per_apprentice_year == 0
    assert city.schools[0].level == scenario.programme.level
    assert estimate_city_bytes(city) == estimate_run_bytes(scenario)


def test_a_file_is_read_as_a_city_whichever_kind_it_is(tmp_path: Path) -> None:
    path = write_city(tmp_path)
    assert load_as_city(path) == load_city(path)
    scenario_file = tmp_path / "programmes" / "mech.yaml"
    one = load_as_city(scenario_file, {"intake.cohort_size": 50})
    assert one == city_of_one(load_scenario(scenario_file, {"intake.cohort_size": 50}), source=str(scenario_file))
    assert one.programmes[0].cohort_sizes == (50, 50, 50)


def test_the_memory_estimate_counts_every_programme_and_the_cohort_sizes_by_year(tmp_path: Path) -> None:
    city = load_city(write_city(tmp_path))
    data = city_data()
    data["programmes"][0]["cohort_sizes_from_year"] = {2: 100_000}
    bigger = load_city(write_city(tmp_path, data, name="bigger.yaml"))
    assert estimate_city_bytes(bigger) - estimate_city_bytes(city) >= (100_000 - 600) * 350
    assert check_city_memory(city, 2**34) == estimate_city_bytes(city)
    with pytest.raises(ScenarioError, match="3 programme"):
        check_city_memory(city, 2**20)


def test_every_city_key_has_a_source_and_every_source_a_key() -> None:
    keys = city_keys()
    assert {"programmes", "programmes[].name", "bureau.certification.enabled", "enterprises[].staff_median"} <= \
        set(keys)
    # a key with a default needs its own source; a required key of an entry is covered by its list's
    missing = [key for key, required in keys.items()
               if key not in CITY_SOURCES and not (required and key.split("[]")[0] in CITY_SOURCES)]
    assert missing == [], f"add these keys to CITY_SOURCES: {missing}"
    assert set(CITY_SOURCES) <= set(keys), f"sources without a key: {set(CITY_SOURCES) - set(keys)}"


def test_a_bad_city_is_explained_in_chinese(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write_city(tmp_path, broken(lambda d: d["programmes"][1].update(school="Harbour College")))
    assert main(["validate", str(bad), "--lang", "zh"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: programmes[1].school: 所写的学校 'Harbour College' 不在本市的学校之列" in err


@pytest.mark.parametrize("module", ["city", "sectors"])
def test_the_tables_of_docs_city_md_are_the_generated_ones(module: str) -> None:
    import importlib

    generated = importlib.import_module(f"sim.scenario.{module}")
    table = generated.city_table_markdown() if module == "city" else generated.major_groups_markdown()
    doc = (Path(__file__).resolve().parents[1] / "docs" / "city.md").read_text(encoding="utf-8")
    assert doc.count(generated.TABLE_BEGIN) == 1 and doc.count(generated.TABLE_END) == 1
    block = doc.partition(generated.TABLE_BEGIN + "\n")[2].partition(generated.TABLE_END)[0]
    assert block == table, "docs/city.md's table is stale: .venv/bin/python docs/regenerate.py city"
