"""Everything a mechanism may read or change, in one place: the simulated world.

The model builds a World, then each week runs the phase list over it. Mechanisms get
the World and nothing else, so they stay independent of Mesa and of each other.
Structural changes (a dropout, an early termination) are *requested* into
``pending_*`` lists during the week and applied by one phase, so nothing changes the
population while another mechanism loops over it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.engine.calendar import ProgrammeCalendar
from sim.engine.events import EventLog
from sim.engine.ledger import Ledger
from sim.engine.population import EnterpriseMentors, Enterprises, SchoolMentors, Students
from sim.engine.streams import RandomStreams
from sim.scenario.schema import Scenario


@dataclass(slots=True)
class Counters:
    """Running tallies the outcomes are computed from."""

    exam_sittings: int = 0
    exam_passes: int = 0
    placements: int = 0
    terminations: int = 0
    host_offers: int = 0
    hiring_savings_yuan: float = 0.0
    tax_relief_yuan: float = 0.0
    apprentice_weeks_billed: float = 0.0
    participation_years: list[float] = field(default_factory=list)


@dataclass(slots=True)
class WeekState:
    """Quantities set early in a week and used by later phases of the same week."""

    funded: dict[str, float] = field(default_factory=dict)  # share of each use's need paid
    visits_per_month: float = 0.0  # contact visits a school mentor actually makes
    school_sessions_per_semester: float = 0.0  # enterprise-mentor teaching at school
    school_mentor_demand_hours: float = 0.0
    school_mentor_supply_hours: float = 0.0
    enterprise_mentor_demand_hours: float = 0.0
    enterprise_mentor_supply_hours: float = 0.0


@dataclass(slots=True)
class World:
    """The state of one run."""

    scenario: Scenario
    streams: RandomStreams
    calendar: ProgrammeCalendar
    students: Students
    school_mentors: SchoolMentors
    enterprise_mentors: EnterpriseMentors
    enterprises: Enterprises
    ledger: Ledger
    events: EventLog
    week: int = 0
    counters: Counters = field(default_factory=Counters)
    this_week: WeekState = field(default_factory=WeekState)
    pending_dropouts: list[tuple[np.ndarray, str]] = field(default_factory=list)
    pending_terminations: list[tuple[np.ndarray, str]] = field(default_factory=list)

    def programme_week(self) -> np.ndarray:
        """Weeks since enrolment of every student (negative before enrolment)."""
        return self.week - self.students.enrol_week

    def graduation_week(self) -> np.ndarray:
        """The last programme week of every student."""
        return self.students.enrol_week + self.calendar.programme_weeks - 1
