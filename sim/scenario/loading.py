"""Reading scenario files: safe YAML, ``extends:``, overrides and clear error messages.

A scenario file is YAML that gives only what differs from the schema defaults::

    extends: baseline.yaml          # optional: start from another file (relative path)
    question: Do smaller mentor groups raise the employment rate?
    school_mentors:
      students_per_mentor: 10

Every problem in a file becomes a ``ScenarioError`` whose message names the file, the
dotted key, what was expected and what was found. The YAML reader builds only plain
values (text, numbers, booleans, lists, mappings), refuses duplicated keys, and stops
alias bombs ("billion laughs") before they are expanded.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pydantic
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.errors import UserError
from sim.scenario.params import LIST_ITEM, model_at, param_index, settable_keys
from sim.scenario.schema import Scenario

MAX_FILE_BYTES = 100_000
"""Largest scenario file read (bytes); a real scenario is a few kilobytes."""

MAX_YAML_NODES = 20_000
"""Most YAML values a document may hold once aliases are expanded (a scenario has a few hundred)."""

DEFAULTS_SOURCE = "<defaults>"
"""The ``file`` of errors about a scenario built from the defaults alone."""

_YAML_TAG = "tag:yaml.org,2002:"
_ALLOWED_TAGS = frozenset(
    _YAML_TAG + name for name in ("null", "bool", "int", "float", "str", "timestamp", "seq", "map", "merge")
)
_SET_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")


class ScenarioError(UserError):
    """A scenario file, override or value that cannot be used.

    ``str(err)`` is one paragraph: ``FILE: KEY: what was expected, what was found``
    (``FILE: problem`` when no key applies). When several keys are wrong, the paragraph
    lists them all and ``key`` is the first.

    Attributes:
        file: the file (or other source such as ``--set``) the problem is in.
        key: dotted key of the (first) wrong value, or None when no key applies.
        keys: dotted keys of every wrong value (empty when no key applies).
        problem: the message without the file and key prefix.
    """

    def __init__(self, file: str | os.PathLike[str], key: str | None, problem: str,
                 *, keys: Sequence[str] | None = None) -> None:
        self.file = str(file)
        self.key = key
        self.problem = problem
        self.keys: tuple[str, ...] = tuple(keys) if keys is not None else ((key,) if key else ())
        paragraph = f"{self.file}: {key}: {problem}" if key else f"{self.file}: {problem}"
        super().__init__(paragraph)

    def __str__(self) -> str:
        return str(self.args[0])

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle by the constructor's arguments, so the error can cross process boundaries."""
        return (self.__class__, (self.file, self.key, self.problem), self.__dict__)


# ---------------------------------------------------------------------------- public API


def load_scenario(path: str | os.PathLike[str] | None = None,
                  overrides: Mapping[str, Any] | None = None,
                  *, overrides_source: str = "overrides") -> Scenario:
    """Read, merge, override and validate a scenario.

    Args:
        path: a YAML scenario file; None means the defaults. A file may start from
            another with ``extends:``; its ``name`` defaults to the file stem.
        overrides: values by dotted key (``intake.cohort_size``) or with ``__`` for
            ``.`` (``intake__cohort_size``), applied after the file.
        overrides_source: how error messages name the overrides, e.g. ``--set``.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: the file cannot be read or parsed, an ``extends`` parent is
            missing or circular, an override key is not a parameter, or a value is invalid.
    """
    data: dict[str, Any] = {}
    origins: dict[str, str] = {}  # dotted key -> where its value was set, when not in the file itself
    source = DEFAULTS_SOURCE
    if path is not None:
        file = Path(path)
        source = str(file)
        layers = _read_layers(file, ())
        for layer_file, layer in layers:  # the root parent first, this file last
            data = _merge(data, layer)
            origins.update(dict.fromkeys(_key_paths(layer), f"set in {layer_file}"))
        data["name"] = layers[-1][1].get("name", file.stem)  # a name is never inherited
    if overrides:
        data = apply_overrides(data, overrides, overrides_source)
        origins.update(dict.fromkeys((_normalise_key(key) for key in overrides), f"set by {overrides_source}"))
    origins = {key: origin for key, origin in origins.items() if origin != f"set in {source}"}
    return _validate(data, source, origins)


def with_overrides(scenario: Scenario, overrides: Mapping[str, Any], source: str = "overrides") -> Scenario:
    """A copy of ``scenario`` with values set by dotted key, validated like ``--set``.

    Raises:
        ScenarioError: A key is not a parameter or a value is out of range.
    """
    if not overrides:
        return scenario
    return scenario_from_dict(apply_overrides(scenario_to_dict(scenario), overrides, source), source)


def resolve_scenario(scenario: Scenario | str | os.PathLike[str] | None,
                     overrides: Mapping[str, Any] | None = None) -> Scenario:
    """A Scenario from an object, a file path or None (the defaults), with dotted-key overrides.

    Raises:
        ScenarioError: The file or an override is invalid.
    """
    if isinstance(scenario, Scenario):
        return with_overrides(scenario, overrides or {})
    return load_scenario(scenario, overrides)


def scenario_from_dict(data: Mapping[str, Any], source: str = "<dict>") -> Scenario:
    """Validate a nested dict (as read from YAML) into a scenario.

    Args:
        data: sections and values; missing keys take their defaults. Not modified.
        source: how error messages name where the dict came from.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: a key is unknown or a value is invalid.
    """
    if not isinstance(data, Mapping):
        raise ScenarioError(source, None, f"expected a mapping of scenario sections, found {_show(data)}")
    return _validate(_plain(data), source, {})


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The whole resolved scenario as a plain, JSON-able nested dict."""
    return scenario.model_dump(mode="json")


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 hex digest of the resolved scenario, identical in every process.

    The digest covers every value (``name`` and ``question`` included) written as
    canonical JSON: sorted keys, no spaces, ASCII only. It never uses ``hash()``, whose
    value changes with ``PYTHONHASHSEED``.
    """
    text = json.dumps(scenario_to_dict(scenario), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def parse_set_options(items: Sequence[str]) -> dict[str, Any]:
    """Parse the ``--set KEY=VALUE`` options of the command line.

    Args:
        items: strings such as ``school_mentors.students_per_mentor=10``; the value is
            read as YAML (``10``, ``0.5``, ``true``, ``[50, 60]``, ``2+1``).

    Returns:
        Values by dotted key (``__`` in a key is read as ``.``), ready for ``load_scenario``.

    Raises:
        ScenarioError: an item is not ``KEY=VALUE``, the key is not a parameter, a key is
            given twice, or the value is not valid YAML. Its ``file`` is ``--set``.
    """
    source = "--set"
    result: dict[str, Any] = {}
    for item in items:
        raw_key, equals, text = item.partition("=")
        raw_key = raw_key.strip()
        if not equals or not raw_key:
            raise ScenarioError(source, None, f"expected KEY=VALUE, for example "
                                f"school_mentors.students_per_mentor=10, found {item!r}")
        if not _SET_KEY.fullmatch(raw_key):
            raise ScenarioError(source, raw_key, "expected a dotted key of letters, digits and "
                                "underscores, for example intake.cohort_size")
        key = _normalise_key(raw_key)
        _check_override_key(key, source)
        if key in result:
            raise ScenarioError(source, key, "is given more than once; give each key once")
        result[key] = _parse_value(text, source, key)
    return result


def apply_overrides(data: Mapping[str, Any], overrides: Mapping[str, Any], source: str) -> dict[str, Any]:
    """Set values by dotted key in a copy of a nested scenario dict.

    Args:
        data: the scenario dict (not modified).
        overrides: values by dotted key, e.g. ``{"intake.cohort_size": 500}``; a key may
            use ``__`` for ``.`` (``intake__cohort_size``) so it can be a Python keyword argument.
        source: how error messages name the overrides.

    Returns:
        A new dict with the overrides set.

    Raises:
        ScenarioError: a key is not a parameter of the schema (close matches are
            suggested; unknown keys are never ignored), a key is given twice, or a
            section on the way is not a mapping.
    """
    result = _plain(data)
    seen: dict[str, str] = {}
    for raw_key, value in overrides.items():
        key = _normalise_key(str(raw_key))
        _check_override_key(key, source)
        if key in seen:
            raise ScenarioError(source, key, f"is given twice (as {seen[key]!r} and {raw_key!r})")
        seen[key] = str(raw_key)
        parts = key.split(".")
        node = result
        for depth, part in enumerate(parts[:-1]):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                section = ".".join(parts[: depth + 1])
                raise ScenarioError(source, key, f"cannot be set because {section} is "
                                    f"{_show(child)}, not a mapping of keys")
            node = child
        node[parts[-1]] = _plain(value)
    return result


def load_yaml_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read one YAML file safely; its top level must be a mapping. ``extends`` is not followed.

    Raises:
        ScenarioError: the file is missing, too large, empty, binary or not UTF-8, is
            not valid YAML, has a duplicated key, an object tag or an alias bomb, or its
            top level is not a mapping.
    """
    file = Path(path)
    label = str(file)
    try:
        with file.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(label, None, "no such file") from None
    except IsADirectoryError:
        raise ScenarioError(label, None, "is a directory, expected a YAML scenario file") from None
    except OSError as exc:
        raise ScenarioError(label, None, f"cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(label, None, f"is larger than {MAX_FILE_BYTES:,} bytes; a scenario file "
                            "holds a few hundred values at most")
    if b"\x00" in raw:
        raise ScenarioError(label, None, "is a binary file (it contains NUL bytes), expected YAML text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(label, None, f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset "
                            f"{exc.start}); save it as UTF-8") from None
    if not text.strip():
        raise ScenarioError(label, None, "is empty; expected YAML with at least one key, "
                            "for example 'intake: {cohort_size: 500}'")
    data = _parse_yaml(text, label)
    if data is _EMPTY:
        raise ScenarioError(label, None, "is empty (only comments); expected at least one key, "
                            "for example 'intake: {cohort_size: 500}'")
    if not isinstance(data, dict):
        raise ScenarioError(label, None, "expected a mapping of sections at the top level "
                            f"(such as 'intake:' with keys under it), found {_show(data)}")
    return data


# ---------------------------------------------------------------------------- extends


def _read_layers(file: Path, children: tuple[Path, ...]) -> list[tuple[Path, dict[str, Any]]]:
    """Read a file and, recursively, the files it ``extends``.

    Args:
        file: the file to read.
        children: the files that led here through ``extends`` (to detect cycles).

    Returns:
        ``(file, data)`` pairs, the root parent first and ``file`` last, ``extends`` removed.
    """
    data = load_yaml_file(file)
    if "extends" not in data:
        return [(file, data)]
    reference = data.pop("extends")
    if not isinstance(reference, str) or not reference.strip():
        raise ScenarioError(file, "extends", "expected the path of a parent scenario file, relative "
                            f"to this file's folder, found {_show(reference)}")
    parent = file.parent / reference
    chain = [*children, file]
    resolved_chain = [item.resolve() for item in chain]
    if parent.resolve() in resolved_chain:
        start = resolved_chain.index(parent.resolve())
        cycle = " -> ".join(str(item) for item in [*chain[start:], parent])
        raise ScenarioError(file, "extends", f"makes a cycle of extends: {cycle}; a file cannot "
                            "extend itself, directly or through others")
    if not parent.is_file():
        raise ScenarioError(file, "extends", f"names {reference!r}, but {parent} does not exist or is "
                            "not a file (the path is relative to the folder of the extending file)")
    return [*_read_layers(parent, tuple(chain)), (file, data)]


def _key_paths(value: Any, path: tuple[str | int, ...] = ()) -> list[str]:
    """Every dotted key inside a nested dict, containers included: ``intake``, ``intake.cohort_size``."""
    keys = [_dotted(path)] if path else []
    if isinstance(value, dict):
        for key, item in value.items():
            keys += _key_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            keys += _key_paths(item, (*path, index))
    return keys


def _merge(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """Nested merge: a mapping merges key by key, anything else (a list too) replaces."""
    result = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = _merge(result[key], value)
        else:
            result[key] = value
    return result


# ---------------------------------------------------------------------------- YAML


class _Empty:
    """Marks a YAML text with no document (only comments or blank)."""


_EMPTY: Any = _Empty()


def _parse_yaml(text: str, label: str, key: str | None = None) -> Any:
    """Safely parse YAML text: check the node graph first, then build plain values.

    Args:
        text: the YAML text.
        label: the file named in error messages.
        key: the key named in error messages when the text is one value (``--set``).

    Returns:
        The value, or ``_EMPTY`` when the text holds no document.
    """
    try:
        loader = yaml.SafeLoader(text)  # not CSafeLoader: libyaml crashes on deeply nested input
        node = loader.get_single_node()
        if node is None:
            return _EMPTY
        _check_nodes(node, label, key)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise ScenarioError(label, key, _syntax_message(exc, text)) from None
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not accept
        raise ScenarioError(label, key, f"is not valid YAML: {_reader_message(exc, text)}") from None
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:  # e.g. "!!int abc"
        raise ScenarioError(label, key, f"holds a value that cannot be read as its tag says: {exc}") from None
    except RecursionError:
        raise ScenarioError(label, key, "is nested too deeply to be a scenario") from None


def _check_nodes(root: Node, label: str, key: str | None) -> None:
    """Refuse object tags, duplicated keys and alias bombs before any value is built.

    Aliases (``*name``) point at the node of their anchor, so walking the graph visits
    each alias as its full copy; counting visits caps the expanded size, which makes
    "billion laughs" (and a self-referencing alias) fail after ``MAX_YAML_NODES`` steps
    instead of running out of memory. Key paths are kept as parent links and only
    spelt out for an error, so deep nesting stays linear.
    """
    stack: list[tuple[Node, _PathLink]] = [(root, None)]
    visited = 0
    while stack:
        node, link = stack.pop()
        visited += 1
        if visited > MAX_YAML_NODES:
            raise ScenarioError(label, _join_key(key, _unlink(link)[:1]),
                                f"holds more than {MAX_YAML_NODES:,} values, counting each alias "
                                "(*name) as a full copy; a scenario needs a few hundred, so the file "
                                "is refused (aliases that multiply like this are an 'alias bomb')")
        if node.tag not in _ALLOWED_TAGS:
            tag = node.tag.replace(_YAML_TAG, "!!")
            raise ScenarioError(label, _join_key(key, _unlink(link)),
                                f"uses the YAML tag {tag!r} (line {node.start_mark.line + 1}); "
                                "scenario files hold only plain values "
                                "(numbers, text, true/false, lists, mappings), and tags such as "
                                "!!python/object that would build program objects are refused")
        if isinstance(node, MappingNode):
            first_lines: dict[str, int] = {}
            for key_node, value_node in node.value:
                name = "?"
                if isinstance(key_node, ScalarNode) and key_node.tag != _YAML_TAG + "merge":
                    name = key_node.value
                    line = key_node.start_mark.line + 1
                    if name in first_lines:
                        raise ScenarioError(label, _join_key(key, (*_unlink(link), name)),
                                            f"is given twice, on lines {first_lines[name]} and {line}; "
                                            "YAML would silently keep only the last one, so remove one")
                    first_lines[name] = line
                stack.append((key_node, link))
                stack.append((value_node, (link, name)))
        elif isinstance(node, SequenceNode):
            stack.extend((item, (link, index)) for index, item in enumerate(node.value))


_PathLink = tuple[Any, str | int] | None
"""A key path as a chain of (parent link, key or list index), None at the top."""


def _unlink(link: _PathLink) -> tuple[str | int, ...]:
    parts: list[str | int] = []
    while link is not None:
        link, part = link
        parts.append(part)
    return tuple(reversed(parts))


def _syntax_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "invalid YAML"
    if mark is None:
        return f"is not valid YAML: {problem}"
    message = f"YAML syntax error at line {mark.line + 1}, column {mark.column + 1}: {problem}"
    if exc.context and exc.problem and exc.context_mark is not None:
        message += f" ({exc.context} at line {exc.context_mark.line + 1})"
    lines = text.splitlines()
    if 0 <= mark.line < len(lines) and lines[mark.line].strip():
        message += f"; the line reads {lines[mark.line].strip()[:80]!r}"
    return message


def _reader_message(exc: yaml.YAMLError, text: str) -> str:
    position = getattr(exc, "position", None)
    character = getattr(exc, "character", None)
    if not isinstance(position, int) or not isinstance(character, int):
        return str(exc)
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return f"the character {character:#06x} at line {line}, column {column} is not allowed in YAML text"


def _parse_value(text: str, source: str, key: str) -> Any:
    value = _parse_yaml(text, source, key)
    return None if value is _EMPTY else _plain(value)


# ---------------------------------------------------------------------------- overrides


def _normalise_key(key: str) -> str:
    return key.strip().replace("__", ".")


def _check_override_key(key: str, source: str) -> None:
    keys = settable_keys()
    if key in keys:
        return
    suggestions = _suggest(key, keys)
    hint = f"; did you mean {' or '.join(suggestions)}?" if suggestions else ""
    raise ScenarioError(source, key, f"is not a parameter of the scenario{hint} "
                        "(talentsim params lists every key)")


def _suggest(key: str, candidates: Sequence[str]) -> list[str]:
    """Close matches for a mistyped dotted key: by whole key, then by its last part."""
    found = difflib.get_close_matches(key, candidates, n=3, cutoff=0.6)
    last = key.rsplit(".", 1)[-1]
    by_last = {candidate.rsplit(".", 1)[-1]: candidate for candidate in candidates}
    for name in difflib.get_close_matches(last, list(by_last), n=3, cutoff=0.75):
        if by_last[name] not in found:
            found.append(by_last[name])
    return found[:3]


def _plain(value: Any) -> Any:
    """A fresh copy made of dicts, lists and plain scalars (numpy scalars become Python ones).

    Copying also unshares values that YAML aliases made the same object, so setting
    one key cannot change another.
    """
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (str, bool, int, float)) or value is None:
        return value
    if hasattr(value, "tolist") and callable(value.tolist):  # numpy scalar or array
        return _plain(value.tolist())
    return value


# ---------------------------------------------------------------------------- validation


def _validate(data: dict[str, Any], source: str, origins: Mapping[str, str]) -> Scenario:
    """Validate strictly (no text-to-number or number-to-bool coercion) and explain failures.

    Args:
        data: the merged scenario dict.
        source: the file named first in messages.
        origins: for keys whose value came from elsewhere (a parent file, overrides),
            where it was set, e.g. ``set in base.yaml``; added to the key's message.
    """
    problems = [(key, f"expected a finite number, found {_show(value)}")
                for key, value in _non_finite(data, ())]
    if not problems:
        try:
            return Scenario.model_validate(data, strict=True)
        except pydantic.ValidationError as exc:
            problems = [(_dotted(error["loc"]), _describe(error)) for error in exc.errors(include_url=False)]
    described = []
    for key, problem in problems:
        if key in origins:
            problem += f" ({origins[key]})"
        described.append((key, problem))
    first_key, first_problem = described[0]
    message = "; also ".join([first_problem] + [f"{key or 'top level'}: {problem}"
                                                for key, problem in described[1:]])
    raise ScenarioError(source, first_key or None, message, keys=[key for key, _ in described if key])


def _non_finite(value: Any, path: tuple[str | int, ...]) -> list[tuple[str, Any]]:
    if isinstance(value, float) and not math.isfinite(value):
        return [(_dotted(path), value)]
    found: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _non_finite(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _non_finite(item, (*path, index))
    return found


def _describe(error: Mapping[str, Any]) -> str:
    """What a pydantic error means for the user: what was expected, what was found."""
    kind: str = error["type"]
    loc: tuple[str | int, ...] = tuple(error["loc"])
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return _unknown_key_message(loc)
    if kind == "invalid_key":
        return f"keys must be text, found the key {_show(error['input'])}"
    if kind == "missing":
        return "is required but missing"
    if kind in ("value_error", "assertion_error"):
        return str(error["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    info = param_index().get(re.sub(r"\[\d+\]", LIST_ITEM, _dotted(loc)))
    expected = _expected(kind, ctx, str(error["msg"]), loc)
    if kind in _BOUND_ERRORS:
        noun = "a whole number" if info is not None and info.type == "int" else "a number"
        if info is not None and info.allowed and "inf" not in info.allowed:
            expected = f"{noun} in {info.allowed}"
        else:
            expected = f"{noun} {expected}"
    if info is not None and info.unit not in ("", "-"):
        expected += f" ({info.unit})"
    found = error["input"]
    message = f"expected {expected}, found {_show(found)}"
    if kind == "string_type" and isinstance(found, (bool, int, float, datetime.date)):
        message += " (put quotes around text that YAML would read as a number, date or true/false)"
    if kind in ("int_type", "float_type") and isinstance(found, str):
        message += " (write numbers without quotes)"
    return message


_BOUND_ERRORS = frozenset({"greater_than", "greater_than_equal", "less_than", "less_than_equal"})


def _expected(kind: str, ctx: Mapping[str, Any], msg: str, loc: tuple[str | int, ...]) -> str:
    simple = {
        "int_type": "a whole number",
        "int_from_float": "a whole number",
        "float_type": "a number",
        "bool_type": "true or false",
        "string_type": "text",
        "list_type": "a list",
        "dict_type": "a mapping of keys",
        "model_type": f"a mapping of {_dotted(loc) or 'scenario'} keys",
        "model_attributes_type": f"a mapping of {_dotted(loc) or 'scenario'} keys",
        "finite_number": "a finite number",
    }
    if kind in simple:
        return simple[kind]
    if kind in _BOUND_ERRORS:
        phrases = {"greater_than": "greater than {gt}", "greater_than_equal": "of at least {ge}",
                   "less_than": "less than {lt}", "less_than_equal": "of at most {le}"}
        return phrases[kind].format(**ctx)
    if kind == "literal_error":
        return f"one of {ctx.get('expected', '')}"
    if kind == "too_short":
        return f"a list of at least {ctx.get('min_length')} item(s)"
    if kind == "too_long":
        return f"a list of at most {ctx.get('max_length')} item(s)"
    return msg.removeprefix("Input should be ")


def _unknown_key_message(loc: tuple[str | int, ...]) -> str:
    name = str(loc[-1])
    section = _dotted(loc[:-1])
    model = model_at(loc[:-1])
    valid = list(model.model_fields) if model is not None else []
    if not section:
        valid.append("extends")
    where = f"the {section} section" if section else "a scenario (top level)"
    message = f"is not a parameter of {where}"
    close = difflib.get_close_matches(name, valid, n=2, cutoff=0.6)
    elsewhere = [key for key in settable_keys() if key.rsplit(".", 1)[-1] == name]
    if close:
        message += f"; did you mean {' or '.join(close)}?"
    elif elsewhere:
        message += f"; {name} is a parameter of {' and '.join(key.rsplit('.', 1)[0] for key in elsewhere)}"
    if valid:
        message += f" (valid keys here: {', '.join(valid)})"
    return message


def _dotted(loc: Sequence[str | int]) -> str:
    """``("calendar", "custom_blocks", 0, "weeks")`` -> ``calendar.custom_blocks[0].weeks``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _join_key(prefix: str | None, path: tuple[str | int, ...]) -> str | None:
    dotted = _dotted(path)
    if prefix and dotted:
        return f"{prefix}{dotted}" if dotted.startswith("[") else f"{prefix}.{dotted}"
    return prefix or dotted or None


def _show(value: Any) -> str:
    """A found value as the user wrote it, shortened to 60 characters."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, (datetime.date, datetime.datetime)):
        text = value.isoformat()
    elif isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    elif isinstance(value, list):
        text = json.dumps(value, ensure_ascii=False, default=str)
    elif isinstance(value, float) and not math.isfinite(value):
        text = {math.inf: ".inf", -math.inf: "-.inf"}.get(value, ".nan")
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


__all__ = [
    "MAX_FILE_BYTES",
    "MAX_YAML_NODES",
    "ScenarioError",
    "apply_overrides",
    "load_scenario",
    "load_yaml_file",
    "parse_set_options",
    "scenario_from_dict",
    "scenario_hash",
    "scenario_to_dict",
]
