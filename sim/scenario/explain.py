"""Problems in the user's words: which message template a validation error becomes, and its fields.

Both readers of user files (scenario files here, sweep files in ``sim.experiments.spec``)
turn pydantic's errors into whole-sentence templates of ``sim.messages``; the mapping
from pydantic's error type to a template is written once, here. Every template it
returns starts with ``{file}: {key}: `` and its other fields are filled in; the reader
adds ``file`` and ``key`` (``located``), and handles the error types that need its own
knowledge (an unknown key: ``extra_forbidden``).
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from typing import Any, Self

from sim.errors import UserError
from sim.i18n import N_, gettext
from sim.messages import text

Template = tuple[str, dict[str, Any]]
"""A message template id and the fields it needs besides ``file`` and ``key``."""

_BOUND_KINDS = {"greater_than": "gt", "greater_than_equal": "ge", "less_than": "lt", "less_than_equal": "le"}

_BOUND_TEMPLATES: dict[tuple[bool, str, bool], str] = {
    # (whole number?, relation, unit known?) -> template
    (True, "in", True): "value.whole_number_in_unit",
    (True, "in", False): "value.whole_number_in",
    (True, "gt", True): "value.whole_number_gt_unit",
    (True, "gt", False): "value.whole_number_gt",
    (True, "ge", True): "value.whole_number_ge_unit",
    (True, "ge", False): "value.whole_number_ge",
    (True, "lt", True): "value.whole_number_lt_unit",
    (True, "lt", False): "value.whole_number_lt",
    (True, "le", True): "value.whole_number_le_unit",
    (True, "le", False): "value.whole_number_le",
    (False, "in", True): "value.number_in_unit",
    (False, "in", False): "value.number_in",
    (False, "gt", True): "value.number_gt_unit",
    (False, "gt", False): "value.number_gt",
    (False, "ge", True): "value.number_ge_unit",
    (False, "ge", False): "value.number_ge",
    (False, "lt", True): "value.number_lt_unit",
    (False, "lt", False): "value.number_lt",
    (False, "le", True): "value.number_le_unit",
    (False, "le", False): "value.number_le",
}

_NUMBER_TEMPLATES: dict[tuple[str, bool, bool], str] = {
    # (number kind, written in quotes?, unit known?) -> template
    ("whole", False, False): "value.whole_number",
    ("whole", False, True): "value.whole_number_unit",
    ("whole", True, False): "value.whole_number_quoted",
    ("whole", True, True): "value.whole_number_quoted_unit",
    ("any", False, False): "value.number",
    ("any", False, True): "value.number_unit",
    ("any", True, False): "value.number_quoted",
    ("any", True, True): "value.number_quoted_unit",
    ("finite", False, False): "value.finite_number",
    ("finite", False, True): "value.finite_number_unit",
    ("finite", True, False): "value.finite_number",
    ("finite", True, True): "value.finite_number_unit",
}

_NUMBER_KINDS = {"int_type": "whole", "int_from_float": "whole", "float_type": "any", "finite_number": "finite"}

_TYPE_TEMPLATES = {
    "bool_type": "value.true_or_false",
    "list_type": "value.list",
}


def validation_template(error: Mapping[str, Any], *, whole_number: bool = False, allowed: str = "",
                        unit: str = "") -> Template:
    """The template a pydantic error (one item of ``ValidationError.errors()``) becomes.

    Args:
        error: the error: ``type``, ``loc``, ``msg``, ``input`` and ``ctx``.
        whole_number: the value is an integer parameter ("a whole number" in messages).
        allowed: the parameter's allowed values as ``talentsim params`` shows them, e.g.
            ``[0, 1]``; used for bound errors when both ends are finite.
        unit: the parameter's unit (empty or ``-`` for none).

    Returns:
        The template id and its fields, except ``file`` and ``key``. An error type with
        no template of its own gets ``value.invalid``, which quotes pydantic's words.
    """
    kind: str = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    found = error.get("input")
    has_unit = unit not in ("", "-")
    if kind == "missing":
        return "value.missing", {}
    if kind == "invalid_key":
        return "value.invalid_key", {"found": show(found)}
    if kind in ("value_error", "assertion_error"):
        reason = ctx.get("error")
        if reason is None:
            reason = str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
        return "value.refused", {"reason": str(reason)}
    if kind in _BOUND_KINDS:
        relation = _BOUND_KINDS[kind]
        fields: dict[str, Any] = {"limit": ctx.get(relation), "found": show(found)}
        if allowed and "inf" not in allowed:
            relation, fields = "in", {"allowed": allowed, "found": show(found)}
        if has_unit:
            fields["unit"] = unit
        return _BOUND_TEMPLATES[(whole_number, relation, has_unit)], fields
    if kind in _NUMBER_KINDS:
        fields = {"found": show(found), **({"unit": unit} if has_unit else {})}
        return _NUMBER_TEMPLATES[(_NUMBER_KINDS[kind], isinstance(found, str), has_unit)], fields
    if kind == "string_type":
        looks_like_text = not isinstance(found, (bool, int, float, datetime.date))
        return ("value.text" if looks_like_text else "value.text_unquoted"), {"found": show(found)}
    if kind in _TYPE_TEMPLATES:
        return _TYPE_TEMPLATES[kind], {"found": show(found)}
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "value.mapping", {"found": show(found)}
    if kind == "literal_error":  # pydantic writes the choices as "'a', 'b' or 'c'"
        head, joiner, last = str(ctx.get("expected", "")).rpartition(" or ")
        choices = f"{head}{gettext(' or ')}{last}" if joiner else last
        return "value.choice", {"choices": choices, "found": show(found)}
    if kind == "too_short":
        return "value.list_too_short", {"min_length": ctx.get("min_length"), "found": show(found)}
    if kind == "too_long":
        return "value.list_too_long", {"max_length": ctx.get("max_length"), "found": show(found)}
    return "value.invalid", {"found": show(found), "reason": str(error["msg"])}


def located(template_id: str, file: str, key: str | None, **fields: Any) -> tuple[str, str]:
    """A template filled in for a place in a file: the whole message, and the part after the place.

    The place is ``FILE: KEY`` (``FILE`` when no key applies); templates that may be
    about a key or a whole file write it as ``{where}``. The second part is what a
    message that lists several problems repeats after each key.

    Returns:
        ``(message, problem)``.
    """
    where = text("value.where", file=file, key=key) if key else file
    message = text(template_id, file=file, key=key or text("value.top_level"), where=where, **fields)
    prefix = f"{where}: "
    return message, message.removeprefix(prefix) if message.startswith(prefix) else message


_YAML_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(pattern), msgid) for pattern, msgid in (
    # PyYAML's words for a syntax error (its scanner and parser), as whole message ids
    (r"while (?P<doing>parsing|scanning|composing) (?P<what>.+)", N_("while {doing} {what}")),
    (r"expected (?P<expected>.+), but found (?P<found>.+)", N_("expected {expected}, but found {found}")),
    (r"expected (?P<expected>.+), but got (?P<found>.+)", N_("expected {expected}, but got {found}")),
    (r"found character (?P<found>.+) that cannot start any token",
     N_("found character {found} that cannot start any token")),
    (r"found undefined alias (?P<found>.+)", N_("found undefined alias {found}")),
    (r"found unknown escape character (?P<found>.+)", N_("found unknown escape character {found}")),
    (r"could not find expected (?P<expected>.+)", N_("could not find expected {expected}")),
    (r"mapping values are not allowed here", N_("mapping values are not allowed here")),
    (r"mapping keys are not allowed here", N_("mapping keys are not allowed here")),
    (r"found unexpected end of stream", N_("found unexpected end of stream")),
    (r"found unexpected document separator", N_("found unexpected document separator")),
    (r"expected a single document in the stream", N_("expected a single document in the stream")),
))
_YAML_WORDS = {
    "parsing": N_("parsing"), "scanning": N_("scanning"), "composing": N_("composing"),
    "a block mapping": N_("a block mapping"), "a block collection": N_("a block collection"),
    "a flow mapping": N_("a flow mapping"), "a flow sequence": N_("a flow sequence"), "a node": N_("a node"),
    "a block node": N_("a block node"), "a flow node": N_("a flow node"), "a mapping": N_("a mapping"),
    "a simple key": N_("a simple key"), "a quoted scalar": N_("a quoted scalar"),
    "a double-quoted scalar": N_("a double-quoted scalar"), "a plain scalar": N_("a plain scalar"),
    "a block scalar": N_("a block scalar"), "an alias": N_("an alias"), "an anchor": N_("an anchor"),
    "a tag": N_("a tag"), "a directive": N_("a directive"), "for the next token": N_("for the next token"),
}
"""Parts of PyYAML's phrases; tokens (``'<block end>'``, ``','``) stay as PyYAML writes them."""


def yaml_phrase(phrase: str) -> str:
    """PyYAML's description of a syntax error (``problem`` or ``context``) in the current language.

    A phrase this table does not know is returned as PyYAML wrote it.
    """
    for pattern, msgid in _YAML_PHRASES:
        if match := pattern.fullmatch(phrase.strip()):
            fields = {k: gettext(_YAML_WORDS[v]) if v in _YAML_WORDS else v.replace(" or ", gettext(" or "))
                      for k, v in match.groupdict().items()}
            return gettext(msgid).format(**fields)
    return phrase


def dotted(loc: Sequence[str | int]) -> str:
    """``("calendar", "custom_blocks", 0, "weeks")`` -> ``calendar.custom_blocks[0].weeks``."""
    result = ""
    for part in loc:
        if isinstance(part, int):
            result += f"[{part}]"
        else:
            result += f".{part}" if result else str(part)
    return result


def show(value: Any) -> str:
    """A found value as the user wrote it (in YAML), shortened to 60 characters."""
    if value is None:
        return text("value.shown_null")
    if isinstance(value, bool):
        shown = "true" if value else "false"
    elif isinstance(value, str):
        shown = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, (datetime.date, datetime.datetime)):
        shown = value.isoformat()
    elif isinstance(value, dict):
        return text("value.shown_mapping") if value else text("value.shown_empty_mapping")
    elif isinstance(value, list):
        shown = json.dumps(value, ensure_ascii=False, default=str)
    elif isinstance(value, float) and not math.isfinite(value):
        shown = {math.inf: ".inf", -math.inf: "-.inf"}.get(value, ".nan")
    else:
        shown = str(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


__all__ = ["Template", "dotted", "located", "show", "validation_template", "yaml_phrase"]


class LocatedError(UserError):
    """An input file (or a definition given in Python) that cannot be used, with where in it.

    ``str(err)`` is one paragraph, ``FILE: KEY: problem`` (``FILE: problem`` when no key
    applies). Sweep and calibration files raise subclasses of it.

    Attributes:
        file: The file (or ``<sweep>``, ``<calibration>`` for a definition given in Python).
        key: Where in the file the (first) problem is, or None.
        problem: The message without the file and key.
    """

    def __init__(self, file: str | os.PathLike[str], key: str | None, problem: str,
                 *, message: str | None = None) -> None:
        self.file, self.key, self.problem = str(file), key, problem
        if message is None:
            message = (text("value.problem", file=self.file, key=key, problem=problem) if key
                       else text("value.problem_no_key", file=self.file, problem=problem))
        super().__init__(message)

    @classmethod
    def from_template(cls, template_id: str, file: str | os.PathLike[str], key: str | None = None,
                      **fields: Any) -> Self:
        """The error worded by the template ``template_id`` of ``sim.messages`` (``{file}: {key}: ...``)."""
        message, problem = located(template_id, str(file), key, **fields)
        return cls(file, key, problem, message=message)
