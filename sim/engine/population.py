"""Agent state as arrays: a student, a mentor or an enterprise is an integer index.

Why arrays: a province is about a million students; one Python object and one SimPy
process per student ticking every week would be orders of magnitude slower. Every
attribute is one NumPy array, and a mechanism reads and writes whole arrays at once
(the way starsim and mesa-frames do it). Mentors and enterprises are few; they are
arrays too, and the model wraps them in thin Mesa agents for Mesa's tools.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(slots=True)
class Students:
    """Per-student state; element ``i`` of each array belongs to student ``i``.

    Each attribute is declared (dtype, initial value, meaning) by the mechanism that
    owns it, in that mechanism's ``MECHANISM.state``; ``sim.initial_world.build_world`` builds
    the arrays from those declarations and fails if an attribute here has none (or a
    declaration has no attribute here). The annotations below are the type checker's
    view, grouped by owner.
    """

    n: int
    # intake (drawn at set-up)
    cohort: np.ndarray
    enrol_week: np.ndarray
    sector: np.ndarray
    ability: np.ndarray
    motivation: np.ndarray
    theory: np.ndarray
    practical_skill: np.ndarray
    professionalism: np.ndarray
    # schedule
    stage: np.ndarray
    location: np.ndarray
    # intake (mentor assignment)
    school_mentor: np.ndarray
    # placement
    enterprise_mentor: np.ndarray
    host: np.ndarray
    sector_fit: np.ndarray
    ever_placed: np.ndarray
    placed_week: np.ndarray
    reached_enterprise_period: np.ndarray
    stage_at_initial_cutoff: np.ndarray
    # learning
    motivation_disposition: np.ndarray
    # certification
    certificates: np.ndarray
    attempts: np.ndarray
    entered: np.ndarray
    score_at_failure: np.ndarray
    # mentoring
    guidance_school: np.ndarray
    guidance_enterprise: np.ndarray
    # exits
    n_terminations: np.ndarray
    week_left: np.ndarray
    school_only: np.ndarray
    # labour_market
    offered_by_host: np.ndarray
    host_at_decision: np.ndarray
    further_study: np.ndarray
    not_seeking: np.ndarray
    employer: np.ndarray
    week_job_found: np.ndarray
    week_graduated: np.ndarray
    stage_at_graduation: np.ndarray
    stage_at_6m: np.ndarray
    stage_at_12m: np.ndarray
    # enterprise_accounts (the apprentice's accounts with its current host)
    accounts_host: np.ndarray
    hosted_output_yuan: np.ndarray
    hosted_cost_yuan: np.ndarray
    hosted_weeks: np.ndarray

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
    workload: np.ndarray  # float64, this week's hours demanded (guidance, contact, co-development) / at full effort
    practice_until: np.ndarray  # int32, week the mentor is back from enterprise practice (mentor_development)
    honoured: np.ndarray  # bool, honoured this year (incentives)


@dataclass(slots=True)
class EnterpriseMentors(MentorPosts):
    """Enterprise mentors (master craftsmen); each belongs to one enterprise."""

    enterprise: np.ndarray  # int32
    frontline_years: np.ndarray  # float64, years
    technical_skill: np.ndarray  # float64, 0-1
    pedagogical_skill: np.ndarray  # float64, 0-1
    effort: np.ndarray  # float64, 0-1
    vacant_until: np.ndarray  # int32
    workload: np.ndarray  # float64, this week's hours demanded (guidance, contact, co-development) / at full effort
    honoured: np.ndarray  # bool, honoured this year (incentives)


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
    certified: np.ndarray  # bool, on the certified list of industry-education integration enterprises
    vacancies: np.ndarray  # int32, job vacancies left this year
    coordination: np.ndarray  # float64, 0-1, school-enterprise coordination from contact
    year_cost_yuan: np.ndarray  # float64, this year's training cost
    year_benefit_yuan: np.ndarray  # float64, this year's productive value + support
    year_apprentice_weeks: np.ndarray  # float64
    total_cost_yuan: np.ndarray  # float64, whole run
    total_benefit_yuan: np.ndarray  # float64, whole run
    total_apprentice_weeks: np.ndarray  # float64
    total_hiring_savings_yuan: np.ndarray  # float64, whole run
    satisfaction_sum: np.ndarray  # float64, sum of the satisfaction index of the apprentices the firm rated
    satisfaction_count: np.ndarray  # float64, apprentices rated
    satisfaction_skill_fit_sum: np.ndarray  # float64, sums of the parts of the ratings (evaluation)
    satisfaction_professionalism_sum: np.ndarray
    satisfaction_contribution_sum: np.ndarray
    satisfaction_retention_sum: np.ndarray
    last_net_cost_per_apprentice_week: np.ndarray  # float64, yuan, NaN when unknown (participation)
    placements_ended: np.ndarray  # int32, the firm's placements that have ended, whole run (placement)
    hires_from_placements: np.ndarray  # int32, its apprentices it hired, whole run (labour_market)
    surcharge_left_yuan: np.ndarray  # float64, this year's education surcharges not yet offset (tax_credit)
    tax_credit_pool_yuan: np.ndarray  # float64, credit earned, not yet used (tax_credit)
    total_tax_credit_yuan: np.ndarray  # float64, credit used, whole run (tax_credit)
    review_week: np.ndarray  # int16, week of the year of the firm's yearly review (participation)
    demonstration_unit: np.ndarray  # bool, holds the demonstration-unit title (participation)
    first_host_week: np.ndarray  # int32, week the firm first hosted an apprentice, -1 before (enterprise_accounts)
    first_year_cost_yuan: np.ndarray  # float64, training cost in the 52 weeks from first_host_week
    first_year_benefit_yuan: np.ndarray  # float64, returns and support in those weeks
    first_year_apprentice_weeks: np.ndarray  # float64, apprentice-weeks hosted in those weeks
    week_mentor_allowance_yuan: np.ndarray  # float64, allowance paid to its own mentors this week (funding)
    total_mentor_allowance_yuan: np.ndarray  # float64, the same, whole run (funding)
    week_subsidy_yuan: np.ndarray  # float64, apprentice subsidy received this week (funding)

    def satisfaction(self, firms: np.ndarray | slice = slice(None)) -> np.ndarray:
        """Mean satisfaction index (0-1) with the apprentices each of ``firms`` rated; 0.5 before any."""
        count = self.satisfaction_count[firms]
        return np.where(count > 0, self.satisfaction_sum[firms] / np.maximum(count, 1.0), 0.5)

    @property
    def n(self) -> int:
        """Number of enterprises."""
        return len(self.staff)
