"""Scenario keys that were renamed or removed, and what to write instead: one declared table.

Whenever a key would be refused as unknown - in a scenario file at any nesting (an
``extends:`` parent too), in ``--set`` and other overrides, among the ``parameters`` of a
sweep file, or the ``parameters`` and ``overrides`` of a calibration file - the reader
looks it up in ``RENAMED_KEYS`` first. A file written for an older model is then told
the key's replacement and why it changed (or that it was removed, and why), instead of
"did you mean ...".

How to rename or remove a parameter:

1. change the schema (``sim/scenario/schema.py``) and the mechanisms that read it;
2. add one entry here, ``"old.dotted.key": ("new.dotted.key", N_("why, one line"))``,
   or ``"old.dotted.key": (None, N_("why"))`` for a key removed without replacement.
   The reason is a clause that reads well after "was renamed to new.key (" and before
   ")", in plain English, with no final full stop;
3. run ``python -m sim.locale.extract`` and translate the reason in
   ``sim/locale/zh/LC_MESSAGES/talentsim.po`` (``--check`` must report 0 problems).

Entries are never deleted: old files live on. A key may name a whole section
(``"old_section"``); every key under it is then reported with the new section in its
place. Fields of list items are written ``calendar.custom_blocks[].weeks``. A target
that was itself renamed later is followed to the current key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sim.i18n import N_, gettext

RENAMED_KEYS: dict[str, tuple[str | None, str]] = {
    # old dotted key: (its replacement, or None when removed without one; why, as a message id)
    "incentives.tax_relief_share": (
        "incentives.tax_credit_share",
        N_("the Caishui [2019] No. 46 credit now applies only to certified firms' qualifying investment, capped "
           "by their education surcharges; certify firms with incentives.certified_enterprise_share")),
    "participation.hiring_cost_saved_yuan": (
        "participation.hiring_cost_saved_yuan_per_hire",
        N_("a hire's saving is counted once per expected hire")),
    "attrition.dropout_after_termination": (
        "attrition.leave_school_share_without_new_placement",
        N_("after a dissolution a share takes a new placement first; the share leaving school is of the others")),
    "certification.thresholds_points": (
        None,
        N_("the marks are now certification.pass_mark_points (the first certificate's), "
           "certification.pass_mark_step_points (the rise per further certificate) and "
           "certification.n_certificates, so that the calibration can fit them")),
    "labour_market.further_study_share": (
        "labour_market.further_study_share_higher",
        N_("the further-study share now follows programme.level, one share for each level of school")),
    "participation.apprentice_wage_yuan_per_week": (
        "participation.post_wage_yuan_per_week",
        N_("the apprentice's pay follows programme.kind: an intern gets "
           "participation.internship_pay_share_of_post_wage of the post's wage, an employee all of it")),
    "incentives.career_effort": (
        "incentives.career_turnover_factor",
        N_("career development now keeps mentors in their posts (a factor on their turnover) instead of adding "
           "effort, so that it acts apart from honours")),
    "funding.training_base_yuan_per_student_week": (
        "funding.training_base_fixed_yuan_per_student_week",
        N_("the training base's need is now a fixed cost per student-week plus consumables per practice hour "
           "(funding.practice_consumables_yuan_per_practice_hour); the old 25 yuan held both")),
}
"""Renamed and removed scenario keys: old dotted key -> (new dotted key or None, the reason)."""

_LIST_INDEX = re.compile(r"\[\d+\]")
_MAX_HOPS = 20
"""Longest chain of renames followed (a cycle in the table is a bug; it stops here)."""


@dataclass(frozen=True)
class Renamed:
    """What became of a key that is no longer a parameter.

    Attributes:
        key: The key asked about, list positions written ``[]``.
        entry: The table's entry that matched: the key itself or a section above it.
        new_key: The key to write instead (the rest of the key carried over after a
            renamed section, list positions as given), or None when the key was removed.
        reason: Why, as a message id (English; ``gettext`` gives the current language).
    """

    key: str
    entry: str
    new_key: str | None
    reason: str


def find_renamed(key: str) -> Renamed | None:
    """The table's word on a dotted key: its entry, or the entry of the nearest section above it.

    Args:
        key: A dotted key as the user wrote it, e.g. ``incentives.tax_relief_share`` or
            ``calendar.custom_blocks[0].wekks`` (list positions may be given).

    Returns:
        The replacement and reason, or None when neither the key nor a section above it
        is in ``RENAMED_KEYS``.
    """
    given = key.strip().split(".")
    parts = [_LIST_INDEX.sub("[]", part) for part in given]
    for end in range(len(parts), 0, -1):
        entry = ".".join(parts[:end])
        if entry in RENAMED_KEYS:
            new_key, reason = _follow(entry)
            if new_key is not None:
                new_key = ".".join([_with_positions(new_key, ".".join(given[:end])), *given[end:]])
            return Renamed(".".join(parts), entry, new_key, reason)
    return None


def _with_positions(new_key: str, old_key: str) -> str:
    """The list positions of the old key put back into the new one (``[]`` -> ``[0]``) when they correspond."""
    positions = _LIST_INDEX.findall(old_key)
    if not positions or new_key.count("[]") != len(positions):
        return new_key
    pieces = new_key.split("[]")
    return "".join(piece + (positions[i] if i < len(positions) else "") for i, piece in enumerate(pieces))


def _follow(entry: str) -> tuple[str | None, str]:
    """The current key of a table entry, following later renames of its target; the first reason."""
    new_key, reason = RENAMED_KEYS[entry]
    for _ in range(_MAX_HOPS):
        if new_key is None or new_key not in RENAMED_KEYS:
            break
        new_key = RENAMED_KEYS[new_key][0]
    return new_key, reason


def renamed_template(key: str) -> tuple[str, dict[str, Any]] | None:
    """The message for a renamed or removed key, or None when the table does not know it.

    Returns:
        A template of ``sim.messages`` that starts with ``{file}: {key}: ``
        (``scenario.renamed_key`` or ``scenario.removed_key``), and its fields besides
        ``file`` and ``key``: ``new_key`` and ``reason`` (in the current language).
    """
    found = find_renamed(key)
    if found is None:
        return None
    if found.new_key is None:
        return "scenario.removed_key", {"reason": gettext(found.reason)}
    return "scenario.renamed_key", {"new_key": found.new_key, "reason": gettext(found.reason)}


__all__ = ["RENAMED_KEYS", "Renamed", "find_renamed", "renamed_template"]
