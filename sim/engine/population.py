"""Agent state as arrays: a student, a mentor or an enterprise is an integer index.

Why arrays: a province is about a million students; one Python object and one SimPy
process per student ticking every week would be orders of magnitude slower. Every
attribute is one NumPy array, and a mechanism reads and writes whole arrays at once
(the way starsim and mesa-frames do it). Mentors and enterprises are few; they are
arrays too, and the model wraps them in thin Mesa agents for Mesa's tools.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

NO_ONE = -1
"""Index meaning "none" in an index array (no mentor, no host, no employer)."""

OPEN_MARKET = -2
"""Employer index of a job found on the open labour market (not the host)."""


class Stage(IntEnum):
    """Where a student is on the student - apprentice - employee path (exactly one)."""

    NOT_ENROLLED = 0  # a later cohort that has not enrolled yet
    BASIC = 1  # basic stage at school, led by school mentors
    SKILL = 2  # skill stage, both mentors, school and enterprise periods
    INTERNSHIP = 3  # internship / post-following stage, led by enterprise mentors
    EMPLOYED = 4  # graduated and in a job
    FURTHER_STUDY = 5  # graduated and gone on to a bachelor's
    UNEMPLOYED = 6  # graduated without a job
    DROPPED_OUT = 7  # left the programme early




class Location(IntEnum):
    """Where a student spends a week."""

    AWAY = 0  # holiday, not enrolled, or graduated
    SCHOOL = 1
    ENTERPRISE = 2


# The mechanisms compare arrays with these plain ints rather than with the Enum members:
# on Python 3.11 NumPy probes an Enum operand for array protocols, which costs about
# 8 microseconds per comparison, a third of a small run's time.
NOT_ENROLLED, BASIC, SKILL, INTERNSHIP, EMPLOYED, FURTHER_STUDY, UNEMPLOYED, DROPPED_OUT = (int(s) for s in Stage)
AWAY, SCHOOL, ENTERPRISE = (int(x) for x in Location)


def _full(n: int, value: float | int, dtype: type) -> np.ndarray:
    return np.full(n, value, dtype=dtype)


@dataclass(slots=True)
class Students:
    """Per-student state; element ``i`` of each array belongs to student ``i``."""

    n: int
    cohort: np.ndarray  # int16, 0-based cohort
    enrol_week: np.ndarray  # int32, week of enrolment
    sector: np.ndarray  # int16, major / industry sector
    ability: np.ndarray  # float64, standardised
    motivation: np.ndarray  # float64, 0-1
    theory: np.ndarray  # float64, points 0-100
    practical_skill: np.ndarray  # float64, points 0-100
    professionalism: np.ndarray  # float64, points 0-100
    stage: np.ndarray = field(init=False)  # int8 Stage
    location: np.ndarray = field(init=False)  # int8 Location this week
    school_mentor: np.ndarray = field(init=False)  # int32 index or NO_ONE
    enterprise_mentor: np.ndarray = field(init=False)  # int32 index or NO_ONE
    host: np.ndarray = field(init=False)  # int32 enterprise index or NO_ONE
    sector_fit: np.ndarray = field(init=False)  # bool, host in the student's sector
    certificates: np.ndarray = field(init=False)  # int8, X certificates held
    attempts: np.ndarray = field(init=False)  # int8, sittings of the next certificate
    guidance_school: np.ndarray = field(init=False)  # float64, share of needed guidance received
    guidance_enterprise: np.ndarray = field(init=False)  # float64, share received
    ever_placed: np.ndarray = field(init=False)  # bool
    n_terminations: np.ndarray = field(init=False)  # int8, apprenticeships ended early
    offered_by_host: np.ndarray = field(init=False)  # bool, host offered a job
    host_at_decision: np.ndarray = field(init=False)  # int32, host when hosts decided
    further_study: np.ndarray = field(init=False)  # bool, chose a bachelor's
    not_seeking: np.ndarray = field(init=False)  # bool, not looking for work in the first year
    employer: np.ndarray = field(init=False)  # int32 enterprise, OPEN_MARKET or NO_ONE
    week_job_found: np.ndarray = field(init=False)  # int32 or -1
    week_left: np.ndarray = field(init=False)  # int32 dropout week or -1
    week_graduated: np.ndarray = field(init=False)  # int32 or -1
    stage_at_graduation: np.ndarray = field(init=False)  # int8 Stage or 0 (not observed)
    stage_at_6m: np.ndarray = field(init=False)  # int8 Stage or 0
    stage_at_12m: np.ndarray = field(init=False)  # int8 Stage or 0

    def __post_init__(self) -> None:
        n = self.n
        self.stage = _full(n, NOT_ENROLLED, np.int8)
        self.location = _full(n, AWAY, np.int8)
        self.school_mentor = _full(n, NO_ONE, np.int32)
        self.enterprise_mentor = _full(n, NO_ONE, np.int32)
        self.host = _full(n, NO_ONE, np.int32)
        self.sector_fit = _full(n, False, bool)
        self.certificates = _full(n, 0, np.int8)
        self.attempts = _full(n, 0, np.int8)
        self.guidance_school = _full(n, 0.0, np.float64)
        self.guidance_enterprise = _full(n, 0.0, np.float64)
        self.ever_placed = _full(n, False, bool)
        self.n_terminations = _full(n, 0, np.int8)
        self.offered_by_host = _full(n, False, bool)
        self.host_at_decision = _full(n, NO_ONE, np.int32)
        self.further_study = _full(n, False, bool)
        self.not_seeking = _full(n, False, bool)
        self.employer = _full(n, NO_ONE, np.int32)
        self.week_job_found = _full(n, -1, np.int32)
        self.week_left = _full(n, -1, np.int32)
        self.week_graduated = _full(n, -1, np.int32)
        self.stage_at_graduation = _full(n, 0, np.int8)
        self.stage_at_6m = _full(n, 0, np.int8)
        self.stage_at_12m = _full(n, 0, np.int8)

    def in_programme(self) -> np.ndarray:
        """Mask of students enrolled and not yet graduated or dropped out."""
        return (self.stage >= BASIC) & (self.stage <= INTERNSHIP)

    def nbytes(self) -> int:
        """Bytes held by all per-student arrays."""
        return sum(getattr(self, f).nbytes for f in self.__slots__ if isinstance(getattr(self, f), np.ndarray))


class MentorPosts:
    """What both kinds of mentor posts share: a post is filled unless it is vacant."""

    __slots__ = ()
    effort: np.ndarray
    vacant_until: np.ndarray

    @property
    def n(self) -> int:
        """Number of mentor posts."""
        return len(self.effort)

    def active(self, week: int) -> np.ndarray:
        """Mask of posts filled this week (vacant_until <= week)."""
        return self.vacant_until <= week


@dataclass(slots=True)
class SchoolMentors(MentorPosts):
    """On-campus mentors; each is an index into these arrays."""

    teaching_years: np.ndarray  # float64, years
    dual_qualified: np.ndarray  # bool
    teaching_quality: np.ndarray  # float64, 0-1
    practical_skill: np.ndarray  # float64, 0-1
    effort: np.ndarray  # float64, 0-1
    vacant_until: np.ndarray  # int32, week the post is filled again (-1: filled)
    workload: np.ndarray  # float64, this week's hours demanded (guidance + contact) / hours at full effort


@dataclass(slots=True)
class EnterpriseMentors(MentorPosts):
    """Enterprise mentors (master craftsmen); each belongs to one enterprise."""

    enterprise: np.ndarray  # int32
    frontline_years: np.ndarray  # float64, years
    technical_skill: np.ndarray  # float64, 0-1
    pedagogical_skill: np.ndarray  # float64, 0-1
    effort: np.ndarray  # float64, 0-1
    vacant_until: np.ndarray  # int32
    workload: np.ndarray  # float64, this week's hours demanded (guidance + contact) / hours at full effort


@dataclass(slots=True)
class Enterprises:
    """Host enterprises, their posts and their accounts."""

    sector: np.ndarray  # int16
    staff: np.ndarray  # int32, all staff
    post_staff: np.ndarray  # int32, staff in the apprentice post
    post_level: np.ndarray  # float64, technical level of the post 0-1
    capacity: np.ndarray  # int32, apprentice places under the internship rules
    willingness: np.ndarray  # float64, log-odds of taking part beyond money
    participating: np.ndarray  # bool
    vacancies: np.ndarray  # int32, job vacancies left this year
    coordination: np.ndarray  # float64, 0-1, school-enterprise coordination from contact
    year_cost_yuan: np.ndarray  # float64, this year's training cost
    year_benefit_yuan: np.ndarray  # float64, this year's productive value + support
    year_apprentice_weeks: np.ndarray  # float64
    total_cost_yuan: np.ndarray  # float64, whole run
    total_benefit_yuan: np.ndarray  # float64, whole run
    total_apprentice_weeks: np.ndarray  # float64
    year_hiring_savings_yuan: np.ndarray  # float64, this year's savings from retaining own apprentices
    total_hiring_savings_yuan: np.ndarray  # float64, whole run
    satisfaction_sum: np.ndarray  # float64, sum of graduates' skill index rated by their host
    satisfaction_count: np.ndarray  # float64, graduates rated
    last_net_cost_per_apprentice_year: np.ndarray  # float64, yuan, NaN when unknown
    first_year_net_cost_per_apprentice: np.ndarray  # float64, yuan, the first year the firm hosted; NaN before

    def satisfaction(self) -> np.ndarray:
        """Mean satisfaction (0-1) with the graduates each firm trained; 0.5 before any."""
        return np.where(self.satisfaction_count > 0,
                        self.satisfaction_sum / np.maximum(self.satisfaction_count, 1.0), 0.5)

    @property
    def n(self) -> int:
        """Number of enterprises."""
        return len(self.staff)
