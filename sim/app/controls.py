"""The policy levers as controls: one table of slider ranges, and every value checked by the schema.

Why a table of our own: the lever table (``sim.experiments.levers``) states a realistic
step for each lever (its ``low`` and ``high``), and the schema states what a value may be
at all (often ``[0, 10000000000]`` yuan); neither is a range a planner can drag a slider
over. ``SLIDER_RANGES`` gives each numeric lever parameter one sensible range that holds
the lever's low and high and the default (``tests/test_app_controls.py`` checks that it
does, and that it lies inside what the schema allows). The numeric field beside each
slider takes any value the schema allows, and every value, slider or field, is checked
by the schema's own validator (:func:`check_value`): its message is what the page shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.experiments.levers import LEVERS
from sim.i18n import gettext
from sim.scenario import Scenario, ScenarioError, parse_set_options, with_overrides
from sim.scenario.params import ParamInfo, param_index, settable_keys


@dataclass(frozen=True, slots=True)
class SliderRange:
    """The range a slider covers (a value outside it is still allowed, typed in the field)."""

    low: float
    high: float
    step: float


SLIDER_RANGES: Mapping[str, SliderRange] = {
    "school_mentors.students_per_mentor": SliderRange(5, 60, 1),
    "enterprise_mentors.apprentices_per_mentor": SliderRange(1, 12, 1),
    "school_mentors.dual_qualified_share": SliderRange(0, 1, 0.05),
    "school_mentors.min_teaching_years": SliderRange(0, 10, 0.5),
    "contact.school_mentor_visits_per_month": SliderRange(0, 8, 0.5),
    "contact.enterprise_mentor_school_sessions_per_semester": SliderRange(0, 16, 1),
    "programme.curriculum_alignment": SliderRange(0, 1, 0.05),
    "enterprises.post_level_alpha": SliderRange(0.5, 8, 0.5),
    "programme.school_practice_hours_share": SliderRange(0, 1, 0.05),
    "funding.school_special_fund_yuan_per_year": SliderRange(0, 5_000_000, 50_000),
    "funding.government_yuan_per_year": SliderRange(0, 5_000_000, 50_000),
    "incentives.apprentice_subsidy_yuan_per_year": SliderRange(0, 10_000, 250),
    "incentives.apprentice_subsidy_certificate_bonus_yuan_per_year": SliderRange(0, 5_000, 250),
    "incentives.certified_enterprise_share": SliderRange(0, 1, 0.05),
    "school_mentors.remuneration_yuan_per_month": SliderRange(0, 3_000, 50),
    "incentives.enterprise_mentor_salary_subsidy_yuan_per_month": SliderRange(0, 3_000, 50),
    "mentor_development.school_mentor_practice_share_per_year": SliderRange(0, 1, 0.05),
    "certification.max_attempts": SliderRange(1, 10, 1),
}
"""Slider range per numeric lever parameter (its unit is the parameter's)."""


@dataclass(frozen=True, slots=True)
class LeverControl:
    """One control of the page's lever panel: a parameter the lever table moves.

    Attributes:
        key: The dotted key.
        lever: The lever's name in the lever table (English, as ``docs/model.md`` §10 shows it).
        param: The parameter's row of the parameter list (label, unit, type, default).
        slider: The slider's range; None for a parameter that is true or false (a select).
    """

    key: str
    lever: str
    param: ParamInfo
    slider: SliderRange | None

    @property
    def is_switch(self) -> bool:
        """True for a yes/no parameter (shown as a select, not a slider)."""
        return self.param.type == "bool"

    @property
    def is_whole_number(self) -> bool:
        """True for a parameter that holds whole numbers (the field refuses 2.5)."""
        return self.param.type == "int"


def lever_controls() -> list[LeverControl]:
    """The controls of the lever panel: each parameter of the lever table once, in the table's order.

    Raises:
        KeyError: A numeric lever parameter has no slider range (add it to ``SLIDER_RANGES``).
    """
    index = param_index()
    controls: list[LeverControl] = []
    seen: set[str] = set()
    for lever in LEVERS:
        for key in [*lever.low, *lever.high]:
            if key in seen:
                continue
            seen.add(key)
            param = index[key]
            slider = None if param.type == "bool" else SLIDER_RANGES[key]
            controls.append(LeverControl(key, lever.name, param, slider))
    return controls


def label_with_unit(param: ParamInfo) -> str:
    """A parameter's label and unit in the current language, e.g. ``Students per school mentor (students/mentor)``."""
    label = gettext(param.label)
    if param.unit in ("", "-", "1"):
        return label
    return gettext("{label} ({unit})").format(label=label, unit=gettext(param.unit))


def parse_typed_value(key: str, typed: str) -> Any:
    """A value typed in a field, read as a scenario file would read it (``30``, ``0.5``, ``true``, ``2+1``).

    Raises:
        ScenarioError: The key is not a parameter, or the text is not a value (the message
            says which, as ``--set`` does).
    """
    return parse_set_options([f"{key}={typed}"])[key]


def check_value(start: Scenario, changes: Mapping[str, Any], key: str, value: Any) -> str | None:
    """The schema validator's message for setting ``key`` to ``value`` on top of ``changes``; None if valid.

    The value is checked in context (with the variant's other changes), so a cross-field
    rule (a ratio against a pool) speaks too. The message is the validator's own,
    without the ``source: key:`` prefix when it is about this key.
    """
    try:
        with_overrides(start, {**changes, key: value}, gettext("this page"))
    except ScenarioError as err:
        return err.problem if err.key == key else str(err)
    return None


def search_params(query: str, limit: int = 12) -> list[ParamInfo]:
    """Parameters whose key, label or description (in English or the current language) holds every word of ``query``.

    Only parameters a variant may set (not fields of list items) are found.
    """
    words = query.lower().split()
    if not words:
        return []
    index = param_index()
    found: list[ParamInfo] = []
    for key in settable_keys():
        param = index[key]
        haystack = " ".join((key, param.label, gettext(param.label), param.description,
                             gettext(param.description))).lower()
        if all(word in haystack for word in words):
            found.append(param)
            if len(found) >= limit:
                break
    return found
