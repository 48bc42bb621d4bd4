"""Everything a mechanism may read or change, in one place: the simulated world.

The model builds a World, then each week runs the phase list over it. Mechanisms get
the World and nothing else, so they stay independent of Mesa and of each other.
Structural changes (a dropout, an early termination) are *requested* into
``pending_*`` lists during the week and applied by one phase, so nothing changes the
population while another mechanism loops over it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from sim.engine.calendar import ProgrammeCalendar
from sim.engine.events import EventLog
from sim.engine.ledger import ByUse, Ledger
from sim.engine.population import EnterpriseMentors, Enterprises, SchoolMentors, Students
from sim.engine.streams import RandomStreams
from sim.scenario.city import BureauSpec
from sim.scenario.schema import WEEKS_PER_YEAR, Scenario


@dataclass(slots=True)
class Counters:
    """Running tallies the outcomes are computed from (the owning mechanism in brackets)."""

    exam_sittings: int = 0  # certification
    exam_passes: int = 0  # certification
    placements: int = 0  # placement
    terms_ended_host_withdrew: int = 0  # placement: placements run to term with a withdrawn host
    terminations: int = 0  # exits: placements the host or the apprentice ended early (dropouts aside)
    dissolutions: int = 0  # exits: every placement ended before its term (host, apprentice, dropout while placed)
    dissolutions_first_year: int = 0  # exits: those within 52 weeks of the placement's start
    host_offers: int = 0  # labour_market
    hiring_savings_yuan: float = 0.0  # labour_market
    gross_training_cost_yuan: float = 0.0  # enterprise_accounts: hosts' gross cost of training, whole run
    productive_output_yuan: float = 0.0  # enterprise_accounts: apprentices' productive output for hosts
    participation_years: list[float] = field(default_factory=list)  # participation
    reviews: int = 0  # participation: firms' yearly reviews after week 0
    demonstration_unit_years: int = 0  # participation: reviews at which the firm earned the title
    practice_hours_planned: float = 0.0  # training_base: the timetable's practice hours asked of the base, whole run
    practice_hours_cut: float = 0.0  # training_base: those cut for lack of the base's capacity
    practice_peak_hours: float = 0.0  # training_base: the most practice hours asked of the base in one week
    teacher_weeks_in_practice: float = 0.0  # funding: school mentors' weeks away in practice with mentees at school
    teacher_weeks_uncovered: float = 0.0  # funding: those no substitute was paid for (guidance hours lost)


@dataclass(slots=True)
class ContactMade:
    """The contact phase's hand-over: contact actually made this week (after funding)."""

    visits_per_month: float = 0.0  # enterprise visits a school mentor with apprentices makes
    school_sessions_per_semester: float = 0.0  # teaching sessions an enterprise mentor gives at school
    partner_coordination: float | None = None  # a city's pool: the participating firms' mean coordination, found once


@dataclass(slots=True)
class GuidanceHours:
    """The mentoring phase's hand-over: guidance hours asked for and given this week."""

    school_mentor_demand_hours: float = 0.0
    school_mentor_supply_hours: float = 0.0  # hours given, at most the demand
    enterprise_mentor_demand_hours: float = 0.0
    enterprise_mentor_supply_hours: float = 0.0  # hours given, at most the demand


@dataclass(slots=True)
class PracticeWeek:
    """The training base's hand-over: this week's on-campus practice (training_base)."""

    students_at_school: int = 0
    hours_per_student: float = 0.0  # practice hours each student at school has this week, after any cut
    capacity_share: float = 1.0  # share of the timetable's practice hours the base's capacity allows


@dataclass(slots=True)
class CoDevelopment:
    """The curriculum phase's hand-over: hours each mentor post gives to co-developing the curriculum this week."""

    school_mentor_hours: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per school-mentor post
    enterprise_mentor_hours: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per enterprise-mentor post
    # a city's programme names the pool's posts co-developing instead (the pool is large): each gives the hours
    enterprise_mentor_posts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    enterprise_mentor_hours_per_post: float = 0.0
    idle: bool = False
    """The curriculum phase handed over no hours, and need not hand them again while the programme builds nothing."""


@dataclass(slots=True)
class Curriculum:
    """The programme's curriculum (curriculum): its alignment with the posts, built up by co-development."""

    alignment: float = 0.0  # alignment of the curriculum with enterprise post standards, 0-1 (before contact)
    school_mentor_hours: float = 0.0  # co-development hours school mentors gave, whole run
    enterprise_mentor_hours: float = 0.0  # co-development hours enterprise mentors gave, whole run


@dataclass(frozen=True, slots=True)
class PlacementRound:
    """What one placement round did, by sector (placement): the training market's counts (BIBB's indicators).

    Each array has one element per sector (``World.n_sectors``). Places are counted by the
    firm's sector, applicants by the student's.
    """

    week: int
    places_filled: np.ndarray  # placements made with the sector's firms
    unfilled_places: np.ndarray  # the sector's participating firms' free places left after the round
    placed_applicants: np.ndarray  # the sector's students placed (with a firm of any sector)
    unplaced_applicants: np.ndarray  # the sector's students who needed a place and are left without one


@dataclass(slots=True)
class SectorDemand:
    """A city's labour demand by sector (labour_market): vacancies by year, and those filled so far this year.

    One object, shared by every programme's world and the pool world of a city that gives
    demand (``sim.city``); None in a run without it (today's unlimited open market).
    """

    vacancies_per_year: np.ndarray  # (years, sectors): vacancies open to the city's graduates; NaN: not given
    reference_searchers_per_vacancy: float  # the ratio at which the fitted open-market rate holds
    searcher_elasticity: float  # of hires with respect to searchers (the matching function)
    filled: np.ndarray  # (sectors,) vacancies filled this year: host hires at graduation and open-market hires
    year: int = 0  # the year ``filled`` counts
    searcher_weeks: float = 0.0  # open-market searchers summed over the weeks, in sectors with demand given
    scale_sum: float = 0.0  # their matching-function scale summed the same way: (r_ref / r)^(1 - a) per searcher

    def ratio_met(self) -> float:
        """The searchers per vacancy the city's searchers met on average: the ratio whose scale is their mean scale.

        ``r_ref x (searcher_weeks / scale_sum)^(1 / (1 - a))``: set as the reference, this ratio
        would have given the searchers, on average, the fitted rate (NaN before any search).
        """
        if self.scale_sum <= 0.0:
            return float("nan")
        return self.reference_searchers_per_vacancy * \
            (self.searcher_weeks / self.scale_sum) ** (1.0 / (1.0 - self.searcher_elasticity))

    def open_vacancies(self, week: int) -> np.ndarray:
        """Each sector's vacancies not yet filled in ``week``'s year (NaN: not given); starts a new year's count."""
        year = week // WEEKS_PER_YEAR
        if year != self.year:
            self.year = year
            self.filled[:] = 0.0
        row = self.vacancies_per_year[min(year, len(self.vacancies_per_year) - 1)]
        return np.maximum(row - self.filled, 0.0)


@dataclass(slots=True)
class CityBureau:
    """The city education bureau's instruments and their record (bureau): held by a city's pool world."""

    spec: BureauSpec
    hosted_by_year: list[np.ndarray]  # each past year's most apprentices each firm hosted at once, earliest first
    peak_hosted: np.ndarray  # (firms,) the most apprentices each firm has hosted at once this year
    fund_paid_yuan: np.ndarray  # (programmes,) special fund paid into each programme's budget, whole run
    subsidy_paid_yuan: float = 0.0  # the city subsidy paid to hosts, whole run
    base_of: tuple[int, ...] = ()  # each programme's shared training base (index in spec.training_bases; -1: own)


@dataclass(slots=True)
class WeekState:
    """Typed records one phase hands later phases of the same week."""

    funded: ByUse = field(default_factory=lambda: ByUse.filled(1.0))  # share of each use's need paid (funding)
    contact: ContactMade = field(default_factory=ContactMade)  # (contact)
    guidance: GuidanceHours = field(default_factory=GuidanceHours)  # (mentoring)
    practice: PracticeWeek = field(default_factory=PracticeWeek)  # (training_base)
    codevelopment: CoDevelopment = field(default_factory=CoDevelopment)  # (curriculum)


@dataclass(frozen=True, slots=True)
class RunTotals:
    """What the outcomes of a finished run are computed from, beside the world itself.

    ``observed`` marks the students of cohorts whose programme has ended by the last
    week simulated; ``series`` is the weekly time series recorded so far, by column.
    """

    graduates: np.ndarray  # indices of the students who graduated
    observed: np.ndarray  # bool per student
    finished: np.ndarray  # bool per student: graduated or left
    series: Mapping[str, np.ndarray]
    mentees_per_school_mentor: list[float]
    apprentices_per_enterprise_mentor: list[float]


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
    curriculum: Curriculum = field(default_factory=Curriculum)
    this_week: WeekState = field(default_factory=WeekState)
    pending_dropouts: list[tuple[np.ndarray, str]] = field(default_factory=list)
    pending_terminations: list[tuple[np.ndarray, str]] = field(default_factory=list)
    placement_rounds: list[PlacementRound] = field(default_factory=list)  # placement: every round, in order
    cohort_starts: np.ndarray = field(init=False)
    """Index of each cohort's first student, and the number of students last (from the scenario's cohort sizes)."""
    competition_log_odds: np.ndarray | None = None
    """Each firm's shift in its participation log-odds from its sector's competitors in the city (participation;
    a city's pool world, None elsewhere)."""
    bureau: CityBureau | None = None
    """A city's bureau (the pool world's; None elsewhere)."""
    sector_demand: SectorDemand | None = None
    """A city's labour demand by sector (None: the unlimited open market of a single programme)."""
    pool_shared: bool = False
    """The enterprises are a city's pool, which other programmes share: the firms' totals are the city's, not this
    programme's (``sim.city``)."""
    n_sectors: int = field(init=False)
    """Sectors that students' and firms' ``sector`` index: the programme's own (``intake.n_sectors``), or in a city
    the city's (``sim.city`` maps a programme's sectors onto them)."""
    draw_blocks: dict[str, tuple[tuple[str, int, int], ...]] = field(default_factory=dict)
    """Populations whose random draws are made block by block, each block ``(key, first, count)`` from its own
    streams (``sim.engine.streams.of_block``): a city pool's firms and mentors by sector; none elsewhere."""

    def __post_init__(self) -> None:
        self.cohort_starts = np.concatenate(([0], np.cumsum(self.scenario.intake.sizes(), dtype=np.int64)))
        self.n_sectors = self.scenario.intake.n_sectors

    def blocks_of(self, population: str) -> tuple[tuple[str | None, slice], ...]:
        """The blocks of ``population`` that draw from streams of their own: a city pool's sectors, else one, all."""
        blocks = self.draw_blocks.get(population)
        if blocks is None:
            return ((None, slice(0, getattr(self, population).n)),)
        return tuple((key, slice(first, first + count)) for key, first, count in blocks)

    def agent_uniform(self, name: str, week: int, population: str) -> np.ndarray:
        """A uniform draw of stream ``name`` in ``week`` for every agent of ``population``, element ``i`` agent ``i``'s.

        Block by block where ``draw_blocks`` says so (a city's pool: by sector), else the stream's first draws.
        """
        return self._agent_draws("uniform", name, week, population)

    def agent_normal(self, name: str, week: int, population: str) -> np.ndarray:
        """A standard normal draw of ``name`` in ``week`` for every agent of ``population`` (as ``agent_uniform``)."""
        return self._agent_draws("normal", name, week, population)

    def _agent_draws(self, kind: str, name: str, week: int, population: str) -> np.ndarray:
        if population not in self.draw_blocks:
            n = getattr(self, population).n
            return self.streams.normal(name, week, n) if kind == "normal" else self.streams.uniform(name, week, n)
        blocks = self.draw_blocks[population]
        out = np.empty(blocks[-1][1] + blocks[-1][2] if blocks else 0)
        self.streams.fill_blocks(kind, name, week, blocks, out)
        return out

    def programme_week(self) -> np.ndarray:
        """Weeks since enrolment of every student (negative before enrolment)."""
        return self.week - self.students.enrol_week

    def graduation_week(self) -> np.ndarray:
        """The last programme week of every student."""
        return self.students.enrol_week + self.calendar.programme_weeks - 1

    def cohort(self, c: int) -> slice:
        """The index range of cohort ``c`` (cohorts are contiguous, cohort by cohort)."""
        return slice(int(self.cohort_starts[c]), int(self.cohort_starts[c + 1]))

    def cohort_programme_week(self, c: int) -> int:
        """This week's programme week of cohort ``c`` (negative before it enrols)."""
        return self.week - int(self.students.enrol_week[self.cohort_starts[c]])

    def cohort_graduation_week(self, c: int) -> int:
        """The last programme week of cohort ``c``, as a simulation week."""
        return int(self.students.enrol_week[self.cohort_starts[c]]) + self.calendar.programme_weeks - 1
