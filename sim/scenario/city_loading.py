"""Reading city files: safe YAML, ``extends:``, overrides by dotted key, and every check of issue 18.

A city file is read as scenario files are (``sim.scenario.loading``: the safe YAML reader,
``extends:`` with its cycle check, lists replaced whole by a child file), then validated
against ``sim.scenario.city.City`` (unknown keys refused at every depth, with the valid
keys and the closest one), then checked across keys and files:

* every name is used once (schools, programmes, training bases; a sector once in
  ``enterprises`` and in ``labour_demand``);
* a programme's school is one of ``schools`` and has the programme's level;
* every sector a programme, the enterprise pool or the demand names is one of ``sectors``;
* a training base names programmes of the city;
* each programme's scenario file loads (with its own checks and ``extends:`` cycle
  check), maps each of its ``intake.n_sectors`` sectors, changes cohort sizes only in
  years it enrols, and runs as long as the others (one clock for the city).

Each problem is one ``ScenarioError`` paragraph naming the file and the key, worded by the
``city.*`` templates of ``sim.messages``; ``talentsim validate`` prints it and exits 2.

Overrides (``--set``) address city keys by dotted key. An item of a list with names is
addressed by its name (a sector entry by its sector): ``bureau.training_bases.north.
capacity_hours_per_week=30000``, ``enterprises.equipment_manufacturing.count=150``. Under
``programmes.NAME.``, a key of the city's programme entry (``school``, ``scenario``,
``sectors``, ``cohort_sizes_from_year``) sets that entry, and any other key is a key of
the programme's scenario: ``programmes.mechatronics.intake.cohort_size=900``. A scenario key
that is not a city key sets every programme's scenario (``attrition.termination_rate_per_year=0.1``:
what a calibration or sweep of a city varies), and a programme's own key wins over it.

This module uses the scenario reader's own helpers (``_read_layers``, ``_merge``...): a
city file is read by the same rules, not by a copy of them.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic

from sim.i18n import gettext
from sim.messages import text
from sim.scenario.city import (
    City,
    CityPlan,
    EnterpriseGroup,
    ProgrammePlan,
    ProgrammeSpec,
    Sector,
    city_field,
    city_keys,
    city_of_one,
    cohort_sizes,
)
from sim.scenario.explain import dotted, located, show, validation_template
from sim.scenario.loading import (
    ScenarioError,
    _merge,
    _parse_value,
    _plain,
    _read_layers,
    load_scenario,
    parameter_key_template,
    scenario_to_dict,
    with_overrides,
)
from sim.scenario.memory import (
    BASE_BYTES,
    BYTES_PER_ENTERPRISE,
    BYTES_PER_MENTOR,
    BYTES_PER_STUDENT,
    GIB,
    check_memory,
    default_memory_limit_bytes,
    estimate_run_bytes,
)
from sim.scenario.params import param_index, type_name
from sim.scenario.schema import Scenario, StrictModel
from sim.scenario.sectors import major_group

CITY_MARKER_KEY = "programmes"
"""The top-level key that makes a YAML file a city file (a programme scenario has no such key)."""

KEYED_LISTS: dict[str, str] = {
    "schools": "name",
    "programmes": "name",
    "enterprises": "sector",
    "labour_demand": "sector",
    "bureau.training_bases": "name",
}
"""Lists of a city file whose items a dotted key addresses by name: the list's key -> the item's naming key."""

_PROGRAMME_KEYS = frozenset(ProgrammeSpec.model_fields)

_CITY_KEYS = frozenset(city_keys())
"""The city file's own keys: an override of one of these is the city's, even where a scenario has the same key."""


def _scenario_keys() -> frozenset[str]:
    """The keys a programme scenario may be overridden with (one that is not a city key sets every programme)."""
    return frozenset(key for key, info in param_index().items() if info.settable)


_SET_ITEM = re.compile(r"\s*([^=\s][^=]*?)\s*=(.*)", re.DOTALL)


# ---------------------------------------------------------------------------- public API


def is_city_file(path: str | os.PathLike[str]) -> bool:
    """Whether a YAML file (or a file it ``extends``) is a city file: has a top-level ``programmes`` key.

    A file that cannot be read is not a city file here; the scenario reader then reports why.
    """
    try:
        return any(CITY_MARKER_KEY in data for _, data in _read_layers(Path(path), ()))
    except ScenarioError:
        return False


def parse_city_set_options(items: Sequence[str], source: str = "--set") -> dict[str, Any]:
    """Parse ``--set KEY=VALUE`` options for a city: values read as YAML, keys checked when the city is read.

    Keys are dotted; a part may be any name without a dot (programme names may be
    Chinese). ``__`` is not read as a dot: a city's names may contain it.

    Raises:
        ScenarioError: an item is not ``KEY=VALUE``, a key is given twice, or a value is not YAML.
    """
    result: dict[str, Any] = {}
    for item in items:
        match = _SET_ITEM.fullmatch(item)
        key = match.group(1) if match else ""
        if not match or any(not part.strip() for part in key.split(".")):
            raise ScenarioError.from_template("city.set_not_key_value", source, found=item)
        if key in result:
            raise ScenarioError.from_template("scenario.set_twice", source, key)
        result[key] = _parse_value(match.group(2), source, key)
    return result


def load_city(path: str | os.PathLike[str], overrides: Mapping[str, Any] | None = None,
              *, overrides_source: str = "overrides") -> CityPlan:
    """Read, override, validate and resolve a city file and every programme scenario it names.

    Args:
        path: the city file.
        overrides: values by dotted key (see the module's docstring for the keys).
        overrides_source: how messages name the overrides, e.g. ``--set``.

    Returns:
        The resolved city.

    Raises:
        ScenarioError: any problem of the file, an override or a programme's scenario;
            one paragraph naming the file and key.
    """
    file = Path(path)
    source = str(file)
    layers = _read_layers(file, ())
    data: dict[str, Any] = {}
    origins: dict[str, tuple[str, str]] = {}  # key -> (template, where its value was set), when not in this file
    for layer_file, layer in layers:
        _resolve_scenario_paths(layer, layer_file.parent)
        data = _merge(data, layer)
        origins.update(dict.fromkeys(layer, ("scenario.set_in_file", str(layer_file))))
    own = layers[-1][1]
    data["name"] = own.get("name", file.stem)
    if "question" in own and "question_zh" not in own:
        data.pop("question_zh", None)
    origins = {key: origin for key, origin in origins.items() if origin != ("scenario.set_in_file", source)}
    programme_overrides: dict[str, dict[str, Any]] = {}
    every_programme: dict[str, Any] = {}  # scenario keys set for every programme (a programme's own key wins)
    for key, value in (overrides or {}).items():
        key = str(key).strip()
        parts = key.split(".")
        if key not in _CITY_KEYS and key in _scenario_keys():
            every_programme[key] = value
            continue
        if parts[0] == "programmes" and len(parts) > 2 and parts[2] not in _PROGRAMME_KEYS:
            name, scenario_key = parts[1], ".".join(parts[2:])
            _find_item(data, "programmes", name, overrides_source, key)
            problem = parameter_key_template(scenario_key)
            if problem is not None:
                template_id, fields = problem
                raise ScenarioError.from_template(template_id, overrides_source, key, **fields)
            programme_overrides.setdefault(name, {})[scenario_key] = value
            continue
        located_key = _set_city_key(data, parts, value, overrides_source, key, file.parent)
        origins[located_key] = ("scenario.set_by_overrides", overrides_source)
    city = _validate(data, source, origins)
    _check_names(city, source)
    if every_programme:
        programme_overrides = {spec.name: {**every_programme, **programme_overrides.get(spec.name, {})}
                               for spec in city.programmes}
    return _resolve(city, source, programme_overrides, overrides_source)


def load_as_city(path: str | os.PathLike[str], overrides: Mapping[str, Any] | None = None,
                 *, overrides_source: str = "overrides") -> CityPlan:
    """A city file as its city, or a programme scenario file as a city of one programme (``city_of_one``).

    What a command that runs cities will call: a scenario file on its own is a city of
    one, its overrides the scenario's keys.

    Raises:
        ScenarioError: the file or an override is refused.
    """
    if is_city_file(path):
        return load_city(path, overrides, overrides_source=overrides_source)
    return city_of_one(load_scenario(path, overrides, overrides_source=overrides_source), source=str(path))


@dataclass(frozen=True)
class CitySource:
    """A city file and its overrides, as an experiment carries a city to its runs (small and picklable).

    A sweep point's or a calibration proposal's values are further overrides
    (:meth:`load`): city keys, ``programmes.NAME.KEY``, or a scenario key for every
    programme. ``plan`` is the city as the experiment's checks read it (its values are
    what every run starts from).
    """

    path: str
    overrides: Mapping[str, Any]
    plan: CityPlan

    @classmethod
    def read(cls, path: str | os.PathLike[str], overrides: Mapping[str, Any] | None = None,
             overrides_source: str = "--set") -> CitySource:
        """Read and check the city file with its overrides.

        Raises:
            ScenarioError: the file or an override is refused.
        """
        given = dict(overrides or {})
        return cls(str(path), given, load_city(path, given, overrides_source=overrides_source))

    @property
    def name(self) -> str:
        """The city's name."""
        return self.plan.name

    def parameter_types(self) -> dict[str, str]:
        """The keys a sweep or calibration of this city may vary, and their types (``int``, ``float``, ...).

        Every scenario key (for every programme), every programme's own (``programmes.NAME.KEY``)
        and the city's single-valued keys, an entry of a named list by its name
        (``enterprises.equipment_manufacturing.count``).
        """
        scenario_types = {key: info.type for key, info in param_index().items() if info.settable}
        types = dict(scenario_types)
        for programme in self.plan.programmes:
            types.update({f"programmes.{programme.name}.{key}": kind for key, kind in scenario_types.items()})
        entries = {"enterprises": [self.plan.sectors[group.sector].id for group in self.plan.enterprises or ()],
                   "labour_demand": [self.plan.sectors[sector].id for sector in self.plan.vacancies_per_year],
                   "bureau.training_bases": [base.name for base in self.plan.bureau.training_bases],
                   "schools": [school.name for school in self.plan.schools], "programmes": []}
        for key in city_keys():
            kind = type_name(city_field(key).annotation)
            head, _, tail = key.partition("[].")
            if not tail:
                types[key] = kind
            else:
                types.update({f"{head}.{name}.{tail}": kind for name in entries[head]})
        return types

    def load(self, values: Mapping[str, Any] | None = None, source: str = "sweep point") -> CityPlan:
        """The city with ``values`` set over its own overrides (the plan itself when there are none).

        Raises:
            ScenarioError: a value is refused.
        """
        if not values:
            return self.plan
        return load_city(self.path, {**self.overrides, **values}, overrides_source=source)

    def __getstate__(self) -> dict[str, Any]:
        """What travels to a worker: the file and its overrides (the worker reads the plan again)."""
        return {"path": self.path, "overrides": dict(self.overrides)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "path", state["path"])
        object.__setattr__(self, "overrides", state["overrides"])
        object.__setattr__(self, "plan", load_city(state["path"], state["overrides"], overrides_source="--set"))


def city_to_dict(city: CityPlan) -> dict[str, Any]:
    """The resolved city as plain JSON-ready data: its keys and every programme's resolved scenario.

    Where the files are (the city file, the programmes' scenario files) is left out: the same city read from
    another folder is the same city.
    """
    def plain(value: Any) -> Any:
        if isinstance(value, Scenario):
            return scenario_to_dict(value)
        if isinstance(value, pydantic.BaseModel):
            return value.model_dump(mode="json")
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, Mapping):
            return {str(key): plain(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [plain(item) for item in value]
        return value
    data = {key: item for key, item in plain(city).items() if key != "source"}
    for programme in data["programmes"]:  # where the files are is not what the city is
        del programme["file"]
    return data


def city_hash(city: CityPlan) -> str:
    """SHA-256 hex digest of the resolved city (``scenario_hash``'s rule: canonical JSON), the same in every process."""
    encoded = json.dumps(city_to_dict(city), sort_keys=True, separators=(",", ":"), ensure_ascii=True,
                         allow_nan=False)
    return hashlib.sha256(encoded.encode("ascii")).hexdigest()


def estimate_city_bytes(city: CityPlan) -> int:
    """Estimate the peak memory of one run of a city, as ``sim.scenario.memory`` does for a scenario.

    Students of every programme and cohort (cohort sizes by year included) x
    ``BYTES_PER_STUDENT``; school mentors by each programme's ``students_per_mentor``; the
    city's enterprises (a city of one: its programme's) and an enterprise mentor for every
    place they offer, at the largest ``slots_offered_mean`` and smallest
    ``apprentices_per_mentor`` of the programmes; the interpreter once. For a city of one
    this is ``estimate_run_bytes`` of its scenario.
    """
    scenarios = [programme.scenario for programme in city.programmes]
    students = city.n_students
    school_mentors = sum(math.ceil(programme.n_students / programme.scenario.school_mentors.students_per_mentor)
                         for programme in city.programmes)
    if city.enterprises is None:
        enterprises = sum(scenario.enterprises.count for scenario in scenarios)
    else:
        enterprises = sum(group.count for group in city.enterprises)
    places = math.ceil(enterprises * max(scenario.enterprises.slots_offered_mean for scenario in scenarios))
    enterprise_mentors = math.ceil(places / min(scenario.enterprise_mentors.apprentices_per_mentor
                                                for scenario in scenarios))
    return (students * BYTES_PER_STUDENT + enterprises * BYTES_PER_ENTERPRISE
            + (school_mentors + enterprise_mentors) * BYTES_PER_MENTOR + BASE_BYTES)


def check_city_memory(city: CityPlan, limit_bytes: int | None = None, source: str | None = None) -> int:
    """Refuse a city whose run would not fit in memory (``--max-memory``, or 75% of the machine's).

    Returns:
        The estimate in bytes, when it fits.

    Raises:
        ScenarioError: the estimate exceeds the limit.
    """
    limit = default_memory_limit_bytes() if limit_bytes is None else limit_bytes
    estimate = estimate_city_bytes(city)
    if estimate > limit:
        raise ScenarioError.from_template(
            "city.too_many_students" if limit_bytes is None else "city.too_many_students_for_limit",
            source or city.source, "programmes", students=city.n_students, n_programmes=len(city.programmes),
            estimate=estimate / GIB, limit=limit / GIB)
    return estimate


def city_file_with(path: str | os.PathLike[str], values: Mapping[str, Any], scenario_files: Mapping[str, str],
                   folder: Path) -> dict[str, Any]:
    """A city file's data for a new file in ``folder``: its ``extends`` chain merged, ``values`` set, scenarios swapped.

    What a calibration's fitted city is (``DIR/fitted/NAME.yaml``): ``values`` are city keys
    (``competition.log_odds_per_doubling_of_competitors``), ``scenario_files`` each
    programme's new scenario file (by programme name), and every programme's scenario path
    is written relative to ``folder``. The lists are whole in it, as a city file's child
    would have to give them.

    Raises:
        ScenarioError: the file or a value is refused.
    """
    file = Path(path)
    data: dict[str, Any] = {}
    for layer_file, layer in _read_layers(file, ()):
        _resolve_scenario_paths(layer, layer_file.parent)
        data = _merge(data, layer)
    for key, value in values.items():
        _set_city_key(data, key.split("."), value, str(file), key, file.parent)
    for item in data.get("programmes", []):
        item["scenario"] = scenario_files.get(item["name"], item["scenario"])
        item["scenario"] = os.path.relpath(Path(item["scenario"]).resolve(), folder.resolve())
    return data


def estimate_base_bytes(base: Scenario | CitySource) -> int:
    """The peak memory of one run of an experiment's base: a scenario's (``estimate_run_bytes``) or a city's."""
    return estimate_city_bytes(base.plan) if isinstance(base, CitySource) else estimate_run_bytes(base)


def check_base_memory(base: Scenario | CitySource, limit_bytes: int | None = None, source: str | None = None) -> int:
    """Refuse an experiment's base whose run would not fit in memory (``check_memory``, ``check_city_memory``).

    Raises:
        ScenarioError: the estimate exceeds the limit.
    """
    if isinstance(base, CitySource):
        return check_city_memory(base.plan, limit_bytes, source or base.path)
    return check_memory(base, limit_bytes, source or base.name)


# ---------------------------------------------------------------------------- reading and overrides


def _resolve_scenario_paths(layer: dict[str, Any], folder: Path) -> None:
    """Make each programme's scenario path relative to the folder of the file that wrote it (before merging)."""
    programmes = layer.get("programmes")
    if not isinstance(programmes, list):
        return
    for item in programmes:
        if isinstance(item, dict) and isinstance(item.get("scenario"), str):
            item["scenario"] = _joined(folder, item["scenario"])


def _joined(folder: Path, reference: str) -> str:
    return os.path.normpath(folder / reference) if str(folder) not in ("", ".") else reference


def _same_name(list_key: str, written: Any, name: str) -> bool:
    """Whether an item's name (a sector written by id, code or Chinese name) is ``name``."""
    if KEYED_LISTS[list_key] == "sector":
        try:
            return major_group(written).id == major_group(name).id
        except ValueError:
            return str(written) == name
    return str(written) == name


def _find_item(data: Mapping[str, Any], list_key: str, name: str, source: str, key: str) -> int:
    """The index of the item named ``name`` in the keyed list ``list_key`` of ``data``."""
    node: Any = data
    for part in list_key.split("."):
        node = node.get(part, []) if isinstance(node, Mapping) else []
    items = node if isinstance(node, list) else []
    naming = KEYED_LISTS[list_key]
    for index, item in enumerate(items):
        if isinstance(item, Mapping) and _same_name(list_key, item.get(naming), name):
            return index
    names = ", ".join(str(item.get(naming)) for item in items if isinstance(item, Mapping)) or text("city.none")
    if list_key == "programmes":
        raise ScenarioError.from_template("city.no_such_programme", source, key, name=repr(name), names=names)
    raise ScenarioError.from_template("city.no_such_entry", source, key, section=list_key, name=repr(name),
                                      names=names)


def _set_city_key(data: dict[str, Any], parts: list[str], value: Any, source: str, key: str,
                  folder: Path) -> str:
    """Set one override in the city dict; return its key as validation errors name it (``programmes[0].school``)."""
    node: Any = data
    path: list[str | int] = []
    index = 0
    while index < len(parts) - 1:
        part = parts[index]
        path.append(part)
        child = node.setdefault(part, {}) if isinstance(node, dict) else None
        list_key = dotted([p for p in path if isinstance(p, str)])
        if isinstance(child, list) and list_key in KEYED_LISTS:
            position = _find_item(data, list_key, parts[index + 1], source, key)
            path.append(position)
            child = child[position]
            index += 1
        if not isinstance(child, dict):
            raise ScenarioError.from_template("scenario.override_not_a_section", source, key, section=dotted(path),
                                              found=show(child))
        node = child
        index += 1
    if index >= len(parts):  # the key ends at a list item: it names the item, not a value
        raise ScenarioError.from_template("city.set_whole_item", source, key)
    last = parts[-1]
    path.append(last)
    if path[:1] == ["programmes"] and last == "scenario" and isinstance(value, str):
        value = _joined(folder, value)
    node[last] = _plain(value)
    return dotted(path)


# ---------------------------------------------------------------------------- validation


def _validate(data: dict[str, Any], source: str, origins: Mapping[str, tuple[str, str]]) -> City:
    """Validate strictly and explain every failure in one paragraph (as scenario files are)."""
    try:
        return City.model_validate(data, strict=True)
    except pydantic.ValidationError as exc:
        problems = [(dotted(error["loc"]), *_template(error)) for error in exc.errors(include_url=False)]
    described: list[tuple[str, str, str]] = []
    for key, template_id, fields in problems:
        message, problem = located(template_id, source, key or None, **fields)
        origin_of = origins.get(key) or origins.get(key.split(".")[0].split("[")[0])  # the key, or its section
        if origin_of is not None:
            origin_template, origin = origin_of
            message = text(origin_template, message=message, origin=origin)
            problem = text(origin_template, message=problem, origin=origin)
        described.append((key, message, problem))
    first_key, message, first_problem = described[0]
    for key, _, problem in described[1:]:
        more = {"key": key or text("value.top_level"), "problem": problem}
        message = text("value.also", message=message, **more)
        first_problem = text("value.also", message=first_problem, **more)
    raise ScenarioError(source, first_key or None, first_problem, message=message,
                        keys=[key for key, _, _ in described if key])


def _template(error: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The message template of one pydantic error of a city file."""
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        return _unknown_key_template(loc)
    field = _field_at(loc)
    extra = field.json_schema_extra if field is not None and isinstance(field.json_schema_extra, dict) else {}
    whole = field is not None and field.annotation in (int, list[int], dict[int, int])
    return validation_template(error, whole_number=whole, unit=str(extra.get("unit", "")))


def _model_at(loc: Sequence[str | int]) -> type[StrictModel] | None:
    """The city schema's model at a location (list indices skipped), or None."""
    model: type[StrictModel] = City
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        inner = _inner_model(field.annotation)
        if inner is None:
            return None
        model = inner
    return model


def _field_at(loc: Sequence[str | int]) -> Any:
    """The schema field a location ends in (the last named one: list indices and dict keys pass), or None."""
    model: type[StrictModel] | None = City
    found = None
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            break
        found, model = field, _inner_model(field.annotation)
    return found


def _inner_model(annotation: Any) -> type[StrictModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, StrictModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        if isinstance(arg, type) and issubclass(arg, StrictModel):
            return arg
    return None


def _unknown_key_template(loc: tuple[str | int, ...]) -> tuple[str, dict[str, Any]]:
    name = str(loc[-1])
    section = dotted(loc[:-1])
    model = _model_at(loc[:-1])
    valid = list(model.model_fields) if model is not None else []
    if not section:
        valid.append("extends")
    fields: dict[str, Any] = {"section": section, "valid": ", ".join(valid)}
    close = difflib.get_close_matches(name, valid, n=2, cutoff=0.6)
    if close:
        fields["suggestion"] = gettext(" or ").join(close)
        return ("city.unknown_key_suggest" if section else "city.unknown_top_level_key_suggest"), fields
    return ("city.unknown_key" if section else "city.unknown_top_level_key"), fields


# ---------------------------------------------------------------------------- checks across keys


def _check_names(city: City, source: str) -> None:
    """Names used twice, and names that point at nothing: a school, a sector, a programme."""
    for section, names in (("schools", [s.name for s in city.schools]),
                           ("programmes", [p.name for p in city.programmes]),
                           ("bureau.training_bases", [b.name for b in city.bureau.training_bases]),
                           ("enterprises", [str(e.sector) for e in city.enterprises]),
                           ("labour_demand", [str(d.sector) for d in city.labour_demand])):
        first: dict[str, int] = {}
        naming = KEYED_LISTS[section]
        for index, name in enumerate(names):
            if name in first:
                raise ScenarioError.from_template("city.name_twice", source, f"{section}[{index}].{naming}",
                                                  name=repr(name), first=f"{section}[{first[name]}]")
            first[name] = index
    sectors = ", ".join(str(sector) for sector in city.sectors)
    schools = [school.name for school in city.schools]
    for index, programme in enumerate(city.programmes):
        if programme.school not in schools:
            raise ScenarioError.from_template("city.unknown_school", source, f"programmes[{index}].school",
                                              school=repr(programme.school), schools=", ".join(schools))
        for position, sector in enumerate(programme.sectors):
            if sector not in city.sectors:
                raise ScenarioError.from_template(
                    "city.programme_sector_not_in_city", source, f"programmes[{index}].sectors[{position}]",
                    sector=sector, sectors=sectors)
    named_sectors = [("enterprises", index, str(entry.sector)) for index, entry in enumerate(city.enterprises)]
    named_sectors += [("labour_demand", index, str(entry.sector)) for index, entry in enumerate(city.labour_demand)]
    for section, index, sector in named_sectors:
        if sector not in city.sectors:
            raise ScenarioError.from_template("city.sector_not_in_city", source, f"{section}[{index}].sector",
                                              sector=sector, sectors=sectors)
    programmes = [programme.name for programme in city.programmes]
    for index, base in enumerate(city.bureau.training_bases):
        for position, name in enumerate(base.programmes):
            if name not in programmes:
                raise ScenarioError.from_template(
                    "city.base_unknown_programme", source, f"bureau.training_bases[{index}].programmes[{position}]",
                    programme=repr(name), programmes=", ".join(programmes))


# ---------------------------------------------------------------------------- checks across files


def _resolve(city: City, source: str, programme_overrides: Mapping[str, Mapping[str, Any]],
             overrides_source: str) -> CityPlan:
    """Load each programme's scenario, check it against the city, and build the resolved city."""
    sector_index = {sector: index for index, sector in enumerate(city.sectors)}
    levels = {school.name: school.level for school in city.schools}
    plans: list[ProgrammePlan] = []
    horizon: tuple[str, int] | None = None
    for index, spec in enumerate(city.programmes):
        scenario = _load_programme(spec, source, programme_overrides.get(spec.name), overrides_source)
        key = f"programmes[{index}]"
        if scenario.programme.level != levels[spec.school]:
            raise ScenarioError.from_template(
                "city.level_differs", source, f"{key}.school", programme=repr(spec.name), school=repr(spec.school),
                school_level=levels[spec.school], level=scenario.programme.level, scenario=spec.scenario)
        if len(spec.sectors) != scenario.intake.n_sectors:
            raise ScenarioError.from_template(
                "city.sector_map_length", source, f"{key}.sectors", given=len(spec.sectors),
                expected=scenario.intake.n_sectors, scenario=spec.scenario)
        n_cohorts = scenario.intake.n_cohorts
        late = [year for year in spec.cohort_sizes_from_year if year >= n_cohorts]
        if late:
            raise ScenarioError.from_template(
                "city.cohort_year_beyond", source, f"{key}.cohort_sizes_from_year", year=late[0],
                n_cohorts=n_cohorts, last=n_cohorts - 1)
        years = scenario.simulation.horizon_years
        if horizon is None:
            horizon = (spec.name, years)
        elif years != horizon[1]:
            raise ScenarioError.from_template(
                "city.horizons_differ", source, f"{key}.scenario", programme=repr(spec.name), years=years,
                first=repr(horizon[0]), first_years=horizon[1])
        if spec.cohort_sizes_from_year:  # the programme's cohorts as the city plans them (intake.cohort_sizes)
            sizes = cohort_sizes(scenario.intake.cohort_size, n_cohorts, spec.cohort_sizes_from_year)
            scenario = with_overrides(scenario, {"intake.cohort_sizes": list(sizes)}, source)
        plans.append(ProgrammePlan(
            name=spec.name, school=spec.school, scenario=scenario,
            sector_of=tuple(sector_index[str(sector)] for sector in spec.sectors), file=spec.scenario))
    sectors = tuple(Sector(group.id, group.zh, group.en, group.code)
                    for group in (major_group(sector) for sector in city.sectors))
    enterprises = tuple(EnterpriseGroup(sector_index[str(group.sector)], group.count, group.staff_median,
                                        group.staff_log_sd) for group in city.enterprises)
    demand = {sector_index[str(entry.sector)]: tuple(entry.vacancies_per_year) for entry in city.labour_demand}
    return CityPlan(name=city.name, question=city.question, question_zh=city.question_zh, sectors=sectors,
                    schools=tuple(city.schools), programmes=tuple(plans), enterprises=enterprises,
                    vacancies_per_year=demand, bureau=city.bureau, labour_market=city.labour_market,
                    competition=city.competition, source=source)


def _load_programme(spec: ProgrammeSpec, source: str, overrides: Mapping[str, Any] | None,
                    overrides_source: str) -> Scenario:
    """The programme's scenario, its own problems said as problems of this programme of the city."""
    try:
        return load_scenario(spec.scenario, overrides, overrides_source=overrides_source)
    except ScenarioError as err:
        message = text("city.in_programme", message=err.message, programme=repr(spec.name), file=source)
        raise ScenarioError(err.file, err.key, err.problem, keys=err.keys, message=message) from None


__all__ = ["CITY_MARKER_KEY", "KEYED_LISTS", "CitySource", "check_base_memory", "check_city_memory", "city_file_with",
           "city_hash", "city_to_dict", "estimate_base_bytes", "estimate_city_bytes", "is_city_file", "load_as_city",
           "load_city", "parse_city_set_options"]
