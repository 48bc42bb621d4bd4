"""The programme calendar: where a student is and in which stage, week by week.

Time is in weeks; an academic year is 52 weeks, two half-years of 26. A half-year at
school has ``teaching_weeks_per_semester`` teaching weeks, then holiday; a half-year in
the enterprise is spent there whole (apprentices work through the school holidays).
The schedule patterns are those of Li (2026) §3.1 ("2+1", "1.5+1.5") and Chen, Zhang &
Qi (n.d.) §3.3 (alternating school-enterprise-school-enterprise) plus the traditional school-only programme with a
short final internship, or custom blocks. An apprentice not placed with an enterprise
stays at school during enterprise periods (the school-only track).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.engine.population import Location, Stage
from sim.scenario.schema import WEEKS_PER_YEAR, CalendarParams

HALF_YEAR_WEEKS = WEEKS_PER_YEAR // 2

_STAGE = {"basic": Stage.BASIC, "skill": Stage.SKILL, "internship": Stage.INTERNSHIP}
_LOCATION = {"school": Location.SCHOOL, "enterprise": Location.ENTERPRISE, "holiday": Location.AWAY}


def _half_years(schedule: str, programme_years: int) -> list[tuple[str, str]]:
    """The pattern as (location, stage) per half-year, for the named schedules."""
    halves = 2 * programme_years
    if schedule == "2+1":
        n_school = max(halves - 2, 1)
        n_basic = max(n_school // 2, 1)
        return [("school", "basic" if h < n_basic else "skill") if h < n_school
                else ("enterprise", "internship") for h in range(halves)]
    if schedule == "1.5+1.5":
        n_school = max(halves // 2, 1)
        n_basic = min(2, n_school)
        n_internship = min(2, halves - n_school)
        out = []
        for h in range(halves):
            if h < n_school:
                out.append(("school", "basic" if h < n_basic else "skill"))
            else:
                out.append(("enterprise", "internship" if h >= halves - n_internship else "skill"))
        return out
    if schedule == "alternating":
        out = [("school", "basic")]
        for h in range(1, halves):
            if h == halves - 1:
                out.append(("enterprise", "internship"))
            else:
                out.append(("enterprise" if h % 2 == 1 else "school", "skill"))
        return out
    if schedule == "school_only":
        return [("school", "basic" if h < min(2, halves - 1) else "skill") for h in range(halves)]
    raise ValueError(f"unknown schedule {schedule!r}")


@dataclass(frozen=True, slots=True)
class ProgrammeCalendar:
    """Week-by-week plan of the programme, indexed by weeks since enrolment."""

    location: np.ndarray  # int8 Location planned for a placed apprentice
    fallback_location: np.ndarray  # int8 Location of a student without a placement
    stage: np.ndarray  # int8 Stage
    teaching_weeks: int
    # found once from the plan, which never changes (phases ask for them every week)
    enterprise_weeks: int = field(init=False)
    """Enterprise weeks of the plan."""
    final_enterprise_period: tuple[int, int] | None = field(init=False)
    """First and last programme week of the plan's last enterprise period (None if it has none)."""

    def __post_init__(self) -> None:
        firm = self.location == Location.ENTERPRISE
        weeks = np.flatnonzero(firm)
        period = None
        if len(weeks):
            end = int(weeks[-1])
            before = np.flatnonzero(~firm[:end])
            period = (int(before[-1]) + 1 if len(before) else 0), end
        object.__setattr__(self, "enterprise_weeks", len(weeks))
        object.__setattr__(self, "final_enterprise_period", period)

    @property
    def programme_weeks(self) -> int:
        """Length of the programme in weeks."""
        return len(self.stage)

    def is_exam_week(self, week: int) -> bool:
        """Exam sessions close each semester's teaching weeks."""
        return week % HALF_YEAR_WEEKS == self.teaching_weeks - 1

    @staticmethod
    def is_year_start(week: int) -> bool:
        """First week of an academic year (intake, budgets, yearly decisions)."""
        return week % WEEKS_PER_YEAR == 0

    @staticmethod
    def is_half_year_start(week: int) -> bool:
        """First week of a half-year (placement rounds)."""
        return week % HALF_YEAR_WEEKS == 0


def build_calendar(params: CalendarParams) -> ProgrammeCalendar:
    """Expand a schedule pattern (or custom blocks) into week-by-week arrays."""
    weeks = params.programme_years * WEEKS_PER_YEAR
    teach = params.teaching_weeks_per_semester
    location = np.full(weeks, Location.AWAY, dtype=np.int8)
    fallback = np.full(weeks, Location.AWAY, dtype=np.int8)
    stage = np.full(weeks, Stage.SKILL, dtype=np.int8)
    if params.schedule == "custom":
        start = 0
        for block in params.custom_blocks:
            end = start + block.weeks
            location[start:end] = _LOCATION[block.location]
            fallback[start:end] = Location.SCHOOL if block.location == "enterprise" else _LOCATION[block.location]
            stage[start:end] = _STAGE[block.stage]
            start = end
        if start < weeks:  # weeks after the last block: holiday until graduation
            stage[start:] = stage[start - 1]
        return ProgrammeCalendar(location, fallback, stage, teach)

    in_half = np.arange(weeks) % HALF_YEAR_WEEKS
    school_week = np.where(in_half < teach, Location.SCHOOL, Location.AWAY).astype(np.int8)
    for h, (where, what) in enumerate(_half_years(params.schedule, params.programme_years)):
        sl = slice(h * HALF_YEAR_WEEKS, (h + 1) * HALF_YEAR_WEEKS)
        stage[sl] = _STAGE[what]
        fallback[sl] = school_week[sl]
        location[sl] = Location.ENTERPRISE if where == "enterprise" else school_week[sl]
    if params.schedule == "school_only":
        tail = slice(weeks - params.internship_weeks, weeks)
        location[tail] = Location.ENTERPRISE
        stage[tail] = Stage.INTERNSHIP
        fallback[tail] = Location.SCHOOL
    return ProgrammeCalendar(location, fallback, stage, teach)
