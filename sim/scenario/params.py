"""The list of model parameters, read from the scenario schema.

``talentsim params`` prints this list; the scenario loader uses it to check override
keys and to add units and allowed ranges to its error messages.
"""

from __future__ import annotations

import copy
import csv
import functools
import io
import math
import re
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal

import annotated_types
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.i18n import N_, current_language, display_width, gettext, ljust, unit_text, use_language
from sim.scenario.schema import Scenario

COLUMNS = ("key", "type", "default", "unit", "allowed", "label", "description")
"""Columns of ``format_params_table`` and ``format_params_csv``, in order."""

LIST_ITEM = "[]"
"""Marks the fields of list items in a key, as in ``calendar.custom_blocks[].weeks``."""


@dataclass(frozen=True)
class ParamInfo:
    """One model parameter.

    Attributes:
        key: dotted key, as written in a scenario file or given to ``--set``
            (fields of list items read ``calendar.custom_blocks[].weeks``).
        default: the baseline value.
        unit: unit of the value (``-`` for none).
        label: short human name in sentence case, without the unit, e.g. "Students per
            school mentor" (the schema field's ``title``). Plain English: a report shows
            it, and a translation catalogue uses it as the message id.
        description: one-line meaning.
        type: ``int``, ``float``, ``bool``, ``text``, ``choice`` or ``list[...]``.
        allowed: the allowed values, e.g. ``[0, 1]``, ``(0, inf)`` or ``2+1 | custom``;
            empty when any value of the type is allowed.
    """

    key: str
    default: Any
    unit: str
    label: str
    description: str
    type: str
    allowed: str

    @property
    def settable(self) -> bool:
        """True if ``--set`` and overrides may set this key (it is not inside a list item)."""
        return LIST_ITEM not in self.key


def list_params() -> list[ParamInfo]:
    """Every parameter of the schema, in schema order.

    Returns:
        One row per leaf field of ``Scenario``, sections walked recursively. A field
        holding a list of sub-models (``calendar.custom_blocks``) is listed itself,
        followed by the fields of one item (``calendar.custom_blocks[].weeks``).
    """
    return list(_all_params())


def param_index() -> dict[str, ParamInfo]:
    """The parameters by dotted key (a new dict on every call)."""
    return {row.key: row for row in _all_params()}


def settable_keys() -> list[str]:
    """The dotted keys an override may set, in schema order."""
    return [row.key for row in _all_params() if row.settable]


def model_at(path: typing.Sequence[str | int]) -> type[BaseModel] | None:
    """The schema model (section) found at a key path, or None if the path is not a section.

    Args:
        path: key parts from the top of a scenario, list positions as ints, e.g.
            ``("calendar", "custom_blocks", 0)``.

    Returns:
        The model class whose fields are the valid keys at that place.
    """
    current: Any = Scenario
    for part in path:
        if isinstance(part, int):
            current = _list_item_model(current)
        elif _is_model(current) and part in current.model_fields:
            current = current.model_fields[part].annotation
        else:
            return None
        if current is None:
            return None
    return current if _is_model(current) else None


def format_value(value: Any) -> str:
    """A value written as in a YAML scenario file: ``true``, ``0.5``, ``[50.0, 62.0]``, ``2+1``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return value if value else '""'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    return str(value)


COLUMN_TITLES = {"key": N_("key"), "type": N_("type"), "default": N_("default"), "unit": N_("unit"),
                 "allowed": N_("allowed"), "label": N_("label"), "description": N_("description")}
"""The header of each column in the plain-text table (message ids; the CSV header is ``COLUMNS``)."""

TYPE_NAMES = {"int": N_("int"), "float": N_("float"), "bool": N_("bool"), "text": N_("text"),
              "choice": N_("choice"), "list": N_("list"), "block": N_("block"), "null": N_("null")}
"""The words of a parameter's type (message ids), as in ``list[float]``."""


def format_params_table(rows: typing.Sequence[ParamInfo], *, lang: str | None = None) -> str:
    """Rows as an aligned plain-text table, one parameter a line.

    Args:
        rows: parameters, usually from ``list_params()``.
        lang: the language of the headers, types, units, allowed values, labels and
            descriptions (None: the current language); keys, defaults and choices are
            shown as a scenario file writes them.

    Returns:
        The table with a header line; columns are separated by two spaces and the
        description comes last so long descriptions do not push other columns.
    """
    with use_language(lang):
        header = tuple(gettext(COLUMN_TITLES[column]) for column in COLUMNS)
        lines = [header] + [_row_cells(row, every_column=True) for row in rows]
    widths = [max(display_width(line[i]) for line in lines) for i in range(len(header) - 1)]
    text_lines = []
    for line in lines:
        cells = [ljust(cell, width) for cell, width in zip(line[:-1], widths, strict=True)]
        text_lines.append("  ".join([*cells, line[-1]]).rstrip())
    return "\n".join(text_lines) + "\n"


def format_params_csv(rows: typing.Sequence[ParamInfo], *, lang: str | None = None) -> str:
    """Rows as CSV with a header line (columns as in ``format_params_table``).

    The header is ``COLUMNS`` in every language, and so are the key, type, default, unit
    and allowed cells (for programs); the label and description are in ``lang``.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    with use_language(lang):
        for row in rows:
            writer.writerow(_row_cells(row, every_column=False))
    return buffer.getvalue()


def _row_cells(row: ParamInfo, every_column: bool) -> tuple[str, str, str, str, str, str, str]:
    """A row's cells: label and description in the current language, the rest too if ``every_column``."""
    label, description = gettext(row.label), gettext(row.description)
    if not every_column or current_language() == "en":
        return (row.key, row.type, format_value(row.default), row.unit, row.allowed, label, description)
    return (row.key, type_text(row.type), format_value(row.default), unit_text(row.unit),
            _allowed_shown(row.allowed), label, description)


def type_text(type_name: str, lang: str | None = None) -> str:
    """A parameter's type (``int``, ``list[float]``, ``choice``) in ``lang`` (None: the current language)."""
    with use_language(lang):
        return _words(type_name, TYPE_NAMES)


def _words(text: str, names: typing.Mapping[str, str]) -> str:
    """``text`` with each word of ``names`` translated (``list[float]`` -> ``列表[数值]``)."""
    return re.sub(r"[a-z]+", lambda m: gettext(names[m.group()]) if m.group() in names else m.group(), text)


def _allowed_shown(allowed: str) -> str:
    """The allowed values in the current language (intervals and choices are shown as written)."""
    if match := re.fullmatch(r"(\d+)-(\d+) items", allowed):
        return gettext("{low}-{high} items").format(low=match[1], high=match[2])
    if match := re.fullmatch(r"at least (\d+) items", allowed):
        return gettext("at least {low} items").format(low=match[1])
    return allowed


@functools.cache
def _all_params() -> tuple[ParamInfo, ...]:
    return tuple(_walk(Scenario, ""))


def _walk(model: type[BaseModel], prefix: str) -> typing.Iterator[ParamInfo]:
    for name, field in model.model_fields.items():
        key = prefix + name
        annotation = field.annotation
        if _is_model(annotation):
            yield from _walk(annotation, key + ".")
            continue
        yield _param_info(key, field)
        item_model = _list_item_model(annotation)
        if item_model is not None:
            yield from _walk(item_model, key + LIST_ITEM + ".")


def _param_info(key: str, field: FieldInfo) -> ParamInfo:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    return ParamInfo(
        key=key,
        default=copy.deepcopy(field.default),
        unit=str(extra.get("unit", "")),
        label=field.title or "",
        description=field.description or "",
        type=type_name(field.annotation),
        allowed=_allowed_text(field),
    )


def _is_model(annotation: object) -> typing.TypeGuard[type[BaseModel]]:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _list_item_model(annotation: Any) -> type[BaseModel] | None:
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        if _is_model(item):
            return item
    return None


def type_name(annotation: Any) -> str:
    """The type of a schema field's annotation as ``params`` lists it (``int``, ``list[float]``, ``choice``)."""
    origin = typing.get_origin(annotation)
    if origin is Literal:
        return "choice"
    if origin is list:
        (item,) = typing.get_args(annotation)
        return f"list[{type_name(item)}]"
    if origin in (typing.Union, types.UnionType):
        return " | ".join(type_name(arg) for arg in typing.get_args(annotation))
    if _is_model(annotation):
        return annotation.__name__.lower()
    names = {bool: "bool", int: "int", float: "float", str: "text", type(None): "null"}
    return names.get(annotation, str(annotation))


def field_bounds(field: FieldInfo) -> tuple[Any, bool, Any, bool]:
    """A field's numeric bounds as declared: ``(lower, lower open, upper, upper open)``, None where unbounded."""
    lower: Any = None
    upper: Any = None
    lower_open, upper_open = True, True
    for item in field.metadata:
        if isinstance(item, annotated_types.Gt):
            lower, lower_open = item.gt, True
        elif isinstance(item, annotated_types.Ge):
            lower, lower_open = item.ge, False
        elif isinstance(item, annotated_types.Lt):
            upper, upper_open = item.lt, True
        elif isinstance(item, annotated_types.Le):
            upper, upper_open = item.le, False
    return lower, lower_open, upper, upper_open


def param_bounds(key: str) -> tuple[float, float]:
    """The lowest and highest value a settable numeric parameter takes (an open bound as its limit; inf if none)."""
    *section, name = key.split(".")
    model = model_at(section)
    if model is None or name not in model.model_fields:
        raise KeyError(key)
    lower, _, upper, _ = field_bounds(model.model_fields[name])
    return (-math.inf if lower is None else float(lower), math.inf if upper is None else float(upper))


def _allowed_text(field: FieldInfo) -> str:
    """The allowed values of a field in compact notation: ``[0, 1]``, ``(0, inf)``, ``1-5 items``."""
    if typing.get_origin(field.annotation) is Literal:
        return " | ".join(str(choice) for choice in typing.get_args(field.annotation))
    low_value, lower_open, high_value, upper_open = field_bounds(field)
    lower = "" if low_value is None else _number(low_value)
    upper = "" if high_value is None else _number(high_value)
    min_length, max_length = None, None
    for item in field.metadata:
        if isinstance(item, annotated_types.MinLen):
            min_length = item.min_length
        elif isinstance(item, annotated_types.MaxLen):
            max_length = item.max_length
    if min_length is not None or max_length is not None:
        low = min_length if min_length is not None else 0
        return f"{low}-{max_length} items" if max_length is not None else f"at least {low} items"
    if not lower and not upper:
        return ""
    return "".join([
        "(" if lower_open else "[",
        lower or "-inf",
        ", ",
        upper or "inf",
        ")" if upper_open else "]",
    ])


def _number(value: Any) -> str:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return str(int(value))
    return str(value)
