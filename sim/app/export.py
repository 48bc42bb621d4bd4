"""What a planner takes away: a variant as a scenario file, and tables Excel opens intact.

A saved variant is a scenario file like the shipped ones: it ``extends:`` the file the
variant started from (by a path relative to the saved file, so the two can move
together) and writes only the keys whose values differ from that file's, with its own
``name``, ``question`` and ``question_zh`` (a question is never inherited without its
translation, see :func:`sim.scenario.load_scenario`). ``talentsim validate`` and
``talentsim run`` take it as it is.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from sim.atomic import atomic_write
from sim.errors import UserError
from sim.experiments.store import CSV_ENCODING
from sim.i18n import gettext
from sim.scenario import Scenario, load_scenario, scenario_to_dict


def changed_keys(start: Scenario, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes whose value differs from the start's (a slider moved back to where it was is no change)."""
    values = scenario_to_dict(start)
    changed: dict[str, Any] = {}
    for key, value in changes.items():
        current: Any = values
        for part in key.split("."):
            current = current.get(part) if isinstance(current, dict) else None
        if current != value:
            changed[key] = value
    return changed


def variant_yaml(start_file: str | os.PathLike[str], saved_file: str | os.PathLike[str], changes: Mapping[str, Any],
                 *, name: str, question: str, question_zh: str) -> str:
    """The text of a scenario file that ``extends:`` ``start_file`` and sets ``changes`` (dotted keys).

    Args:
        start_file: The scenario file the variant started from.
        saved_file: Where the text will be saved (``extends:`` is relative to its folder).
        changes: The changed values by dotted key (only those: see :func:`changed_keys`).
        name: The scenario's ``name``.
        question: The policy question it answers, in English.
        question_zh: The same question in Chinese.
    """
    parent = Path(os.path.relpath(Path(start_file).resolve(), Path(saved_file).resolve().parent)).as_posix()
    data: dict[str, Any] = {"extends": parent, "name": name, "question": question, "question_zh": question_zh}
    for key in sorted(changes):
        section = data
        *parents, last = key.split(".")
        for part in parents:
            section = section.setdefault(part, {})
        section[last] = changes[key]
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


def save_variant(start_file: str | os.PathLike[str], saved_file: str | os.PathLike[str], changes: Mapping[str, Any],
                 *, name: str, question: str, question_zh: str) -> Scenario:
    """Write the variant's scenario file (atomically) and load it back as ``talentsim run`` would.

    Returns:
        The saved file's scenario.

    Raises:
        sim.errors.UserError: ``saved_file`` is the start file itself (a file cannot extend itself).
        sim.scenario.ScenarioError: The saved file does not validate (the file that was there
            before, if any, is put back; else nothing is left).
        sim.errors.OutputError: The file could not be written.
    """
    path = Path(saved_file)
    if path.resolve() == Path(start_file).resolve():
        raise UserError(gettext("{path} is the file the variant starts from: save the variant under another "
                                "name").format(path=path))
    text = variant_yaml(start_file, path, changes, name=name, question=question, question_zh=question_zh)
    before = path.read_bytes() if path.is_file() else None
    atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))
    try:
        return load_scenario(path)
    except Exception:
        with contextlib.suppress(OSError, UserError):  # putting back is best effort: the error is what to show
            if before is None:
                path.unlink()
            else:
                atomic_write(path, lambda handle: handle.write(before))
        raise


def csv_bytes(table: pd.DataFrame) -> bytes:
    """A table as CSV in UTF-8 with a byte-order mark, so Excel shows Chinese text intact."""
    return table.to_csv(index=False).encode(CSV_ENCODING)
