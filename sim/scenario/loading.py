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

import difflib
import hashlib
import json
import math
import os
import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any, Self

import pydantic
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from sim.errors import UserError
from sim.i18n import gettext
from sim.messages import text
from sim.scenario.explain import Template, dotted, located, show, validation_template, yaml_phrase
from sim.scenario.params import LIST_ITEM, model_at, param_index, settable_keys
from sim.scenario.renamed import renamed_template
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

Origin = tuple[str, str]
"""Where a value was set when not in the file being read: a template (``scenario.set_in_file``
or ``scenario.set_by_overrides``) and the parent file or the overrides' name."""


class ScenarioError(UserError):
    """A scenario file, override or value that cannot be used.

    ``str(err)`` is one paragraph: ``FILE: KEY: what was expected, what was found``
    (``FILE: problem`` when no key applies). When several keys are wrong, the paragraph
    lists them all and ``key`` is the first. Raise it with ``from_template``, which words
    the message with a template of ``sim.messages``.

    Attributes:
        file: the file (or other source such as ``--set``) the problem is in.
        key: dotted key of the (first) wrong value, or None when no key applies.
        keys: dotted keys of every wrong value (empty when no key applies).
        problem: the message without the file and key prefix.
        message: the whole paragraph, ``str(err)``.
    """

    def __init__(self, file: str | os.PathLike[str], key: str | None, problem: str,
                 *, keys: Sequence[str] | None = None, message: str | None = None) -> None:
        self.file = str(file)
        self.key = key
        self.problem = problem
        self.keys: tuple[str, ...] = tuple(keys) if keys is not None else ((key,) if key else ())
        if message is None:
            message = (text("value.problem", file=self.file, key=key, problem=problem) if key
                       else text("value.problem_no_key", file=self.file, problem=problem))
        self.message = message
        super().__init__(message)

    @classmethod
    def from_template(cls, template_id: str, file: str | os.PathLike[str], key: str | None = None,
                      *, keys: Sequence[str] | None = None, **fields: Any) -> Self:
        """The error worded by the template ``template_id`` of ``sim.messages``.

        Args:
            template_id: a template that starts with ``{file}: {key}: ``, ``{file}: `` or
                ``{where}: ``.
            file: the file (or other source) the problem is in.
            key: the dotted key, or None when no key applies.
            keys: every wrong key, when the message lists several.
            fields: the template's other placeholders.
        """
        message, problem = located(template_id, str(file), key, **fields)
        return cls(file, key, problem, keys=keys, message=message)

    def __str__(self) -> str:
        return self.message

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
            another with ``extends:``; its ``name`` defaults to the file stem. A file
            that writes its own ``question`` but no ``question_zh`` has no Chinese
            question (it is not inherited from the parent, whose question it was).
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
    origins: dict[str, Origin] = {}  # dotted key -> where its value was set, when not in the file itself
    source = DEFAULTS_SOURCE
    if path is not None:
        file = Path(path)
        source = str(file)
        layers = _read_layers(file, ())
        for layer_file, layer in layers:  # the root parent first, this file last
            data = _merge(data, layer)
            origins.update(dict.fromkeys(_key_paths(layer), ("scenario.set_in_file", str(layer_file))))
        data["name"] = layers[-1][1].get("name", file.stem)  # a name is never inherited
        own = layers[-1][1]
        if "question" in own and "question_zh" not in own:  # a translation is never inherited without its question
            data.pop("question_zh", None)
    if overrides:
        data = apply_overrides(data, overrides, overrides_source)
        origins.update(dict.fromkeys((_normalise_key(key) for key in overrides),
                                     ("scenario.set_by_overrides", overrides_source)))
    origins = {key: origin for key, origin in origins.items() if origin != ("scenario.set_in_file", source)}
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
        raise ScenarioError.from_template("scenario.not_a_mapping", source, found=show(data))
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
            raise ScenarioError.from_template("scenario.set_not_key_value", source, found=item)
        if not _SET_KEY.fullmatch(raw_key):
            raise ScenarioError.from_template("scenario.set_bad_key", source, raw_key)
        key = _normalise_key(raw_key)
        _check_override_key(key, source)
        if key in result:
            raise ScenarioError.from_template("scenario.set_twice", source, key)
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
            raise ScenarioError.from_template("scenario.override_twice", source, key, first=seen[key],
                                              second=str(raw_key))
        seen[key] = str(raw_key)
        parts = key.split(".")
        node = result
        for depth, part in enumerate(parts[:-1]):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                section = ".".join(parts[: depth + 1])
                raise ScenarioError.from_template("scenario.override_not_a_section", source, key, section=section,
                                                  found=show(child))
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
        raise ScenarioError.from_template("scenario.no_such_file", label) from None
    except IsADirectoryError:
        raise ScenarioError.from_template("scenario.is_a_directory", label) from None
    except OSError as exc:
        raise ScenarioError.from_template("scenario.cannot_read", label, reason=exc.strerror or exc) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError.from_template("scenario.too_large", label, limit=MAX_FILE_BYTES)
    if b"\x00" in raw:
        raise ScenarioError.from_template("scenario.binary", label)
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError.from_template("scenario.not_utf8", label, byte=raw[exc.start], offset=exc.start) from None
    if not content.strip():
        raise ScenarioError.from_template("scenario.empty", label)
    data = _parse_yaml(content, label)
    if data is _EMPTY:
        raise ScenarioError.from_template("scenario.only_comments", label)
    if not isinstance(data, dict):
        raise ScenarioError.from_template("scenario.top_level_not_a_mapping", label, found=show(data))
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
        raise ScenarioError.from_template("scenario.extends_not_a_path", file, "extends", found=show(reference))
    parent = file.parent / reference
    chain = [*children, file]
    resolved_chain = [item.resolve() for item in chain]
    if parent.resolve() in resolved_chain:
        start = resolved_chain.index(parent.resolve())
        cycle = " -> ".join(str(item) for item in [*chain[start:], parent])
        raise ScenarioError.from_template("scenario.extends_cycle", file, "extends", cycle=cycle)
    if not parent.is_file():
        raise ScenarioError.from_template("scenario.extends_missing", file, "extends", reference=reference,
                                          parent=parent)
    return [*_read_layers(parent, tuple(chain)), (file, data)]


def _key_paths(value: Any, path: tuple[str | int, ...] = ()) -> list[str]:
    """Every dotted key inside a nested dict, containers included: ``intake``, ``intake.cohort_size``."""
    keys = [dotted(path)] if path else []
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


def _parse_yaml(content: str, label: str, key: str | None = None) -> Any:
    """Safely parse YAML text: check the node graph first, then build plain values.

    Args:
        content: the YAML text.
        label: the file named in error messages.
        key: the key named in error messages when the text is one value (``--set``).

    Returns:
        The value, or ``_EMPTY`` when the text holds no document.
    """
    try:
        loader = yaml.SafeLoader(content)  # not CSafeLoader: libyaml crashes on deeply nested input
        node = loader.get_single_node()
        if node is None:
            return _EMPTY
        _check_nodes(node, label, key)
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, content, label, key) from None
    except yaml.YAMLError as exc:  # ReaderError: a character YAML does not accept
        raise _reader_error(exc, content, label, key) from None
    except (ValueError, TypeError, AttributeError, OverflowError) as exc:  # e.g. "!!int abc"
        raise ScenarioError.from_template("scenario.yaml_tag_value", label, key, reason=exc) from None
    except RecursionError:
        raise ScenarioError.from_template("scenario.yaml_too_deep", label, key) from None


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
            raise ScenarioError.from_template("scenario.yaml_alias_bomb", label, _join_key(key, _unlink(link)[:1]),
                                              limit=MAX_YAML_NODES)
        if node.tag not in _ALLOWED_TAGS:
            raise ScenarioError.from_template("scenario.yaml_tag", label, _join_key(key, _unlink(link)),
                                              tag=node.tag.replace(_YAML_TAG, "!!"), line=node.start_mark.line + 1)
        if isinstance(node, MappingNode):
            first_lines: dict[str, int] = {}
            for key_node, value_node in node.value:
                name = "?"
                if isinstance(key_node, ScalarNode) and key_node.tag != _YAML_TAG + "merge":
                    name = key_node.value
                    line = key_node.start_mark.line + 1
                    if name in first_lines:
                        raise ScenarioError.from_template(
                            "scenario.duplicate_key", label, _join_key(key, (*_unlink(link), name)),
                            first=first_lines[name], second=line)
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


def _syntax_error(exc: yaml.MarkedYAMLError, content: str, label: str, key: str | None) -> ScenarioError:
    """PyYAML's syntax error (its own English words) with the line and column and the line's text."""
    mark = exc.problem_mark or exc.context_mark
    problem = yaml_phrase(exc.problem or exc.context or "invalid YAML")
    if mark is None:
        return ScenarioError.from_template("scenario.yaml_invalid", label, key, problem=problem)
    fields: dict[str, Any] = {"line": mark.line + 1, "column": mark.column + 1, "problem": problem}
    lines = content.splitlines()
    source = lines[mark.line].strip()[:80] if 0 <= mark.line < len(lines) else ""
    if source:
        fields["source"] = source
    if exc.context and exc.problem and exc.context_mark is not None:
        fields.update(context=yaml_phrase(exc.context), context_line=exc.context_mark.line + 1)
        template = "scenario.yaml_syntax_in_context" if source else "scenario.yaml_syntax_in_context_no_source"
    else:
        template = "scenario.yaml_syntax" if source else "scenario.yaml_syntax_no_source"
    return ScenarioError.from_template(template, label, key, **fields)


def _reader_error(exc: yaml.YAMLError, content: str, label: str, key: str | None) -> ScenarioError:
    position = getattr(exc, "position", None)
    character = getattr(exc, "character", None)
    if not isinstance(position, int) or not isinstance(character, int):
        return ScenarioError.from_template("scenario.yaml_invalid", label, key, problem=exc)
    line = content.count("\n", 0, position) + 1
    column = position - (content.rfind("\n", 0, position) + 1) + 1
    return ScenarioError.from_template("scenario.yaml_bad_character", label, key, character=character, line=line,
                                      column=column)


def _parse_value(content: str, source: str, key: str) -> Any:
    value = _parse_yaml(content, source, key)
    return None if value is _EMPTY else _plain(value)


# ---------------------------------------------------------------------------- overrides


def _normalise_key(key: str) -> str:
    return key.strip().replace("__", ".")


def _check_override_key(key: str, source: str) -> None:
    problem = parameter_key_template(key)
    if problem is not None:
        template_id, fields = problem
        raise ScenarioError.from_template(template_id, source, key, **fields)


def parameter_key_template(key: str, keys: Collection[str] | None = None) -> Template | None:
    """Why a dotted key cannot be set, or None when it can.

    The one check of a parameter named by dotted key (``--set``, overrides, the
    parameters of sweep and calibration files): a key renamed or removed
    (``sim.scenario.renamed.RENAMED_KEYS``) gets its replacement and reason, another
    unknown key the close matches among ``keys``.

    Args:
        key: The dotted key, e.g. ``school_mentors.students_per_mentor``.
        keys: The keys that can be set (default: every settable key of the scenario).

    Returns:
        None if ``key`` is in ``keys``; else a template of ``sim.messages`` that starts
        with ``{file}: {key}: `` and its other fields.
    """
    known = settable_keys() if keys is None else keys
    if key in known:
        return None
    renamed = renamed_template(key)
    if renamed is not None:
        return renamed
    suggestions = _suggest(key, list(known))
    if suggestions:
        return "scenario.unknown_parameter_suggest", {"suggestion": gettext(" or ").join(suggestions)}
    return "scenario.unknown_parameter", {}


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


def _validate(data: dict[str, Any], source: str, origins: Mapping[str, Origin]) -> Scenario:
    """Validate strictly (no text-to-number or number-to-bool coercion) and explain failures.

    Args:
        data: the merged scenario dict.
        source: the file named first in messages.
        origins: for keys whose value came from elsewhere (a parent file, overrides),
            where it was set; added to the key's message, e.g. ``(set in base.yaml)``.
    """
    problems: list[tuple[str, str, dict[str, Any]]] = [
        (key, "value.finite_number", {"found": show(value)}) for key, value in _non_finite(data, ())]
    if not problems:
        try:
            return Scenario.model_validate(data, strict=True)
        except pydantic.ValidationError as exc:
            problems = [(dotted(error["loc"]), *_template(error)) for error in exc.errors(include_url=False)]
    described: list[tuple[str, str, str]] = []  # key, message, the message after the file and key
    for key, template_id, fields in problems:
        message, problem = located(template_id, source, key or None, **fields)
        if key in origins:
            origin_template, origin = origins[key]
            message = text(origin_template, message=message, origin=origin)
            problem = text(origin_template, message=problem, origin=origin)
        described.append((key, message, problem))
    first_key, message, first_problem = described[0]
    for key, _, problem in described[1:]:  # "FILE: KEY: problem; also KEY2: problem2 ..."
        more = {"key": key or text("value.top_level"), "problem": problem}
        message = text("value.also", message=message, **more)
        first_problem = text("value.also", message=first_problem, **more)
    raise ScenarioError(source, first_key or None, first_problem, message=message,
                        keys=[key for key, _, _ in described if key])


def _non_finite(value: Any, path: tuple[str | int, ...]) -> list[tuple[str, Any]]:
    if isinstance(value, float) and not math.isfinite(value):
        return [(dotted(path), value)]
    found: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _non_finite(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _non_finite(item, (*path, index))
    return found


def _template(error: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The message template of a pydantic error, with the parameter's unit and allowed values."""
    if error["type"] == "extra_forbidden":
        return _unknown_key_template(tuple(error["loc"]))
    info = param_index().get(re.sub(r"\[\d+\]", LIST_ITEM, dotted(error["loc"])))
    if info is None:
        return validation_template(error)
    return validation_template(error, whole_number=info.type == "int", allowed=info.allowed, unit=info.unit)


def _unknown_key_template(loc: tuple[str | int, ...]) -> tuple[str, dict[str, Any]]:
    """An unknown key: the close matches among the valid keys here, or the sections that have it."""
    renamed = renamed_template(dotted(loc))
    if renamed is not None:
        return renamed
    name = str(loc[-1])
    section = dotted(loc[:-1])
    model = model_at(loc[:-1])
    valid = list(model.model_fields) if model is not None else []
    if not section:
        valid.append("extends")
    fields: dict[str, Any] = {"section": section, "valid": ", ".join(valid)}
    close = difflib.get_close_matches(name, valid, n=2, cutoff=0.6)
    elsewhere = [key.rsplit(".", 1)[0] for key in settable_keys() if key.rsplit(".", 1)[-1] == name]
    if close:
        template = "scenario.unknown_key_suggest" if section else "scenario.unknown_top_level_key_suggest"
        fields["suggestion"] = gettext(" or ").join(close)
    elif elsewhere:
        template = "scenario.unknown_key_elsewhere" if section else "scenario.unknown_top_level_key_elsewhere"
        fields.update(name=name, sections=gettext(" and ").join(elsewhere))
    else:
        template = "scenario.unknown_key" if section else "scenario.unknown_top_level_key"
    return template, fields


def _join_key(prefix: str | None, path: tuple[str | int, ...]) -> str | None:
    joined = dotted(path)
    if prefix and joined:
        return f"{prefix}{joined}" if joined.startswith("[") else f"{prefix}.{joined}"
    return prefix or joined or None


__all__ = [
    "MAX_FILE_BYTES",
    "MAX_YAML_NODES",
    "ScenarioError",
    "apply_overrides",
    "load_scenario",
    "load_yaml_file",
    "parameter_key_template",
    "parse_set_options",
    "scenario_from_dict",
    "scenario_hash",
    "scenario_to_dict",
]
