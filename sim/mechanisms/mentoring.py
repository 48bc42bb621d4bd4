"""Mentoring as a scarce resource: guidance hours shared among a mentor's mentees.

Each mentor can give ``guidance_hours_per_week x effort`` hours a week, less the hours
that contact takes (school mentors' enterprise visits, enterprise mentors' sessions at
school) and those it gives to co-developing the curriculum (``curriculum``). Each mentee
present needs ``desired_hours_per_...`` hours. When demand exceeds supply, the hours are
shared equally (processor sharing), so each mentee receives ``min(1, supply / demand)``
of what they need. A vacant post gives nothing until it is filled, and a school mentor
away in enterprise practice gives its hours only through a substitute, as far as the
school pays one (``mentor_development``, ``funding``). So the mentor ratio, turnover and
effort change the guidance each student actually receives, and the overload shows as
workload: the hours demanded (guidance, contact and co-development) over the hours the
mentor has at full effort (1 = fully used).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.engine.batch import Batch
from sim.engine.compiled import compile_loops
from sim.engine.declarations import StateField, Unit, finite_mean, mean_of
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import ENTERPRISE, SCHOOL
from sim.engine.sums import block_sums, post_means, post_tallies, programme_sums
from sim.engine.world import World
from sim.scenario.schema import WEEKS_PER_YEAR

WEEKS_PER_MONTH = WEEKS_PER_YEAR / 12.0
HOURS_PER_SCHOOL_SESSION = 3.0
"""Hours one enterprise-mentor teaching session at school takes; assumption."""


def share_of_need(supply_hours: np.ndarray, demand_hours: np.ndarray) -> np.ndarray:
    """Share of each mentor's demand that the supply covers (1 where there is no demand)."""
    share = np.ones(len(demand_hours))
    asked = demand_hours > 0
    share[asked] = np.clip(supply_hours[asked] / demand_hours[asked], 0.0, 1.0)
    return share


def _per_post(hours: np.ndarray, n: int) -> np.ndarray:
    """Hours per post of a hand-over array (none before the phase that writes it has run)."""
    return hours if len(hours) == n else np.zeros(n)


def _count_mentees(school_mentor: np.ndarray, enterprise_mentor: np.ndarray, location: np.ndarray,
                   school_mentor_offsets: np.ndarray, enterprise_mentor_offsets: np.ndarray, school: int,
                   enterprise: int, mentees_at_school: np.ndarray, visiting: np.ndarray,
                   apprentices: np.ndarray) -> None:
    """Count each mentor post's mentees present, and mark the school mentors with a mentee in a firm (compiled).

    ``MenteeCounts.of`` in one pass over the students (positions: a local post plus its run's
    offset); whole numbers and marks, so exact however counted.
    """
    for i in range(len(location)):
        post = school_mentor[i]
        if post >= 0:
            post += school_mentor_offsets[i]
            if location[i] == school:
                mentees_at_school[post] += 1
            elif location[i] == enterprise:
                visiting[post] = True
        if location[i] == enterprise:
            post = enterprise_mentor[i]
            if post >= 0:
                apprentices[post + enterprise_mentor_offsets[i]] += 1


def _hand_out_guidance(school_mentor: np.ndarray, enterprise_mentor: np.ndarray, location: np.ndarray,
                       school_mentor_offsets: np.ndarray, enterprise_mentor_offsets: np.ndarray, school: int,
                       enterprise: int, school_share: np.ndarray, enterprise_share: np.ndarray,
                       guidance_school: np.ndarray, guidance_enterprise: np.ndarray) -> None:
    """Give each mentee present its mentor's share of need (an apprentice without one: none) (compiled).

    ``hand_out_guidance`` in one pass over the students: the same values copied.
    """
    for i in range(len(location)):
        if location[i] == school:
            post = school_mentor[i]
            if post >= 0:
                guidance_school[i] = school_share[post + school_mentor_offsets[i]]
        elif location[i] == enterprise:
            post = enterprise_mentor[i]
            guidance_enterprise[i] = enterprise_share[post + enterprise_mentor_offsets[i]] if post >= 0 else 0.0


@dataclass(frozen=True, slots=True)
class MenteeCounts:
    """This week's mentees present at each mentor post of the batch."""

    mentees_at_school: np.ndarray  # per school-mentor post: its mentees at school
    visiting: np.ndarray  # per school-mentor post: any mentee placed in a firm (a post to visit)
    apprentices: np.ndarray  # per enterprise-mentor post: its apprentices on site

    @classmethod
    def of(cls, batch: Batch) -> MenteeCounts:
        """Count the batch's mentees present, post by post (compiled where numba is installed)."""
        s = batch.students
        n_school, n_enterprise = batch.school_mentors.n, batch.enterprise_mentors.n
        loops = compile_loops(_count_mentees)
        if loops is not None:
            counts = cls(np.zeros(n_school, dtype=np.int64), np.zeros(n_school, dtype=bool),
                         np.zeros(n_enterprise, dtype=np.int64))
            loops[0](s.school_mentor, s.enterprise_mentor, s.location, *_offsets(batch), SCHOOL, ENTERPRISE,
                     counts.mentees_at_school, counts.visiting, counts.apprentices)
            return counts
        at_school = (s.location == SCHOOL) & (s.school_mentor >= 0)
        at_firm = s.location == ENTERPRISE
        visited = at_firm & (s.school_mentor >= 0)
        mentored = at_firm & (s.enterprise_mentor >= 0)
        return cls(np.bincount(batch.held_to_global("school_mentors", s.school_mentor, at_school),
                               minlength=n_school),
                   np.bincount(batch.held_to_global("school_mentors", s.school_mentor, visited),
                               minlength=n_school) > 0,
                   np.bincount(batch.held_to_global("enterprise_mentors", s.enterprise_mentor, mentored),
                               minlength=n_enterprise))


def _offsets(batch: Batch) -> tuple[np.ndarray, np.ndarray]:
    """Where each student's run's block of school-mentor and of enterprise-mentor posts starts."""
    return (batch.groups.offsets("school_mentors", "students"),
            batch.groups.offsets("enterprise_mentors", "students"))


def hand_out_guidance(batch: Batch, school_share: np.ndarray, enterprise_share: np.ndarray) -> None:
    """Each mentee present receives its mentor's share of need; an apprentice without a mentor, none."""
    s = batch.students
    loops = compile_loops(_hand_out_guidance)
    if loops is not None:
        loops[0](s.school_mentor, s.enterprise_mentor, s.location, *_offsets(batch), SCHOOL, ENTERPRISE,
                 school_share, enterprise_share, s.guidance_school, s.guidance_enterprise)
        return
    at_school = (s.location == SCHOOL) & (s.school_mentor >= 0)
    s.guidance_school[at_school] = school_share[batch.held_to_global("school_mentors", s.school_mentor, at_school)]
    at_firm = s.location == ENTERPRISE
    mentored = at_firm & (s.enterprise_mentor >= 0)
    s.guidance_enterprise[at_firm & ~mentored] = 0.0
    s.guidance_enterprise[mentored] = enterprise_share[
        batch.held_to_global("enterprise_mentors", s.enterprise_mentor, mentored)]


def guide_students(batch: Batch) -> None:
    """Allocate this week's guidance hours of every mentor to the mentees present."""
    s = batch.students
    week = batch.week
    sm = batch.school_mentors
    mentees = MenteeCounts.of(batch)

    def per_school_mentor(value: Callable[[World], float]) -> float | np.ndarray:
        return batch.value(value, "school_mentors")

    # school mentors
    demand = batch.param("school_mentors.desired_hours_per_student_week", "school_mentors") \
        * mentees.mentees_at_school
    visit_hours = np.where(mentees.visiting, per_school_mentor(lambda w: w.this_week.contact.visits_per_month
                                                       / WEEKS_PER_MONTH * w.scenario.contact.hours_per_visit), 0.0)
    capacity = np.where(sm.active(week), batch.param("school_mentors.guidance_hours_per_week", "school_mentors")
                        * sm.effort, 0.0)
    # a mentor away in enterprise practice gives its hours only through a substitute, as far as one is paid
    capacity = np.where(sm.practice_until > week,
                        capacity * per_school_mentor(lambda w: w.this_week.funded.practice_substitutes), capacity)
    other = visit_hours + batch.concatenated(lambda w: _per_post(w.this_week.codevelopment.school_mentor_hours,
                                                                 w.school_mentors.n))
    supply = np.maximum(capacity - other, 0.0)
    school_share = share_of_need(supply, demand)
    sm.workload[:] = np.where(capacity > 0, (demand + other) / np.where(capacity > 0, capacity, 1.0), 0.0)
    given_hours = np.minimum(supply, demand)
    sizes = batch.groups.sizes("school_mentors")  # each run's hours summed over its own posts, as alone
    for w, asked, given in zip(batch.worlds, block_sums(demand, sizes), block_sums(given_hours, sizes), strict=True):
        w.this_week.guidance.school_mentor_demand_hours = asked
        w.this_week.guidance.school_mentor_supply_hours = given

    # enterprise mentors
    em = batch.enterprise_mentors
    if em.n == 0:  # no apprentice has a mentor
        hand_out_guidance(batch, school_share, np.zeros(0))
        return

    def per_enterprise_mentor(value: Callable[[World], float]) -> float | np.ndarray:
        return batch.value(value, "enterprise_mentors")

    demand = batch.param("enterprise_mentors.desired_hours_per_apprentice_week", "enterprise_mentors") \
        * mentees.apprentices
    def sessions(w: World) -> float:
        return w.this_week.contact.school_sessions_per_semester * HOURS_PER_SCHOOL_SESSION / (WEEKS_PER_YEAR / 2)

    city = batch.shares_pool
    if not city:
        session_hours = per_enterprise_mentor(sessions)
    else:  # a mentor of a city's pool gives the sessions of its apprentices' programmes, weighed by apprentice
        mentored = (s.location == ENTERPRISE) & (s.enterprise_mentor >= 0)
        group = batch.groups.group_of("students")
        post = batch.local_to_global("enterprise_mentors", s.enterprise_mentor)  # its pool's post, a batch position
        guided, sessions_sum = post_tallies(post, mentored, group, np.array([sessions(w) for w in batch.worlds]),
                                            em.n)
        session_hours = post_means(sessions_sum, guided, 0.0)
    capacity = np.where(em.active(week),
                        batch.param("enterprise_mentors.guidance_hours_per_week", "enterprise_mentors")
                        * em.effort, 0.0)
    teaching = demand > 0
    codeveloping = batch.concatenated(
        lambda w: _per_post(w.this_week.codevelopment.enterprise_mentor_hours, w.enterprise_mentors.n)) \
        if not city else _pool_codevelopment_hours(batch)
    other = np.where(teaching, session_hours, 0.0) + codeveloping
    supply = np.maximum(capacity - other, 0.0)
    hand_out_guidance(batch, school_share, share_of_need(supply, demand))
    em.workload[:] = np.where(capacity > 0, (demand + other) / np.where(capacity > 0, capacity, 1.0), 0.0)
    given_hours = np.minimum(supply, demand)
    if city:  # each programme's part of a pool mentor's hours: its apprentices' share of them
        share_of_mentor = post_means(1.0, guided, 0.0)
        demand_by, given_by = programme_sums(post, mentored, group,
                                             np.array([demand * share_of_mentor, given_hours * share_of_mentor]),
                                             batch.n_runs)
        for g, w in enumerate(batch.worlds):
            w.this_week.guidance.enterprise_mentor_demand_hours = float(demand_by[g])
            w.this_week.guidance.enterprise_mentor_supply_hours = float(given_by[g])
        return
    sizes = batch.groups.sizes("enterprise_mentors")
    for w, asked, given in zip(batch.worlds, block_sums(demand, sizes), block_sums(given_hours, sizes), strict=True):
        if w.enterprise_mentors.n:  # a run without enterprise mentors keeps its record as it is
            w.this_week.guidance.enterprise_mentor_demand_hours = asked
            w.this_week.guidance.enterprise_mentor_supply_hours = given


def _pool_codevelopment_hours(batch: Batch) -> np.ndarray:
    """A city's pool mentors' co-development hours this week, for every programme's curriculum they help with."""
    hours = np.zeros(batch.enterprise_mentors.n)
    pool_start = batch.groups.group_starts("enterprise_mentors").tolist()  # each programme's pool's first post
    for world, start in zip(batch.worlds, pool_start, strict=True):
        week = world.this_week.codevelopment
        hours[week.enterprise_mentor_posts + start] += week.enterprise_mentor_hours_per_post  # once a programme
    return hours


def hours_given_by_enterprise(world: World) -> np.ndarray:
    """Guidance hours each enterprise's mentors gave this week (a cost to the firm)."""
    s = world.students
    mentored = (s.location == ENTERPRISE) & (s.enterprise_mentor >= 0)
    hours = world.scenario.enterprise_mentors.desired_hours_per_apprentice_week * s.guidance_enterprise[mentored]
    return np.bincount(s.host[mentored], weights=hours, minlength=world.enterprises.n)


MECHANISM = Mechanism(
    name="mentoring",
    spans_cities=True,  # the pools only through Batch's methods
    step=None,
    batch_step=guide_students,
    reads=("enterprise_mentors.effort", "enterprise_mentors.vacant_until", "school_mentors.effort",
           "school_mentors.practice_until", "school_mentors.vacant_until", "students.enterprise_mentor",
           "students.location", "students.school_mentor", "this_week.codevelopment", "this_week.contact",
           "this_week.funded"),
    writes=("enterprise_mentors.workload", "school_mentors.workload", "students.guidance_enterprise",
            "students.guidance_school", "this_week.guidance"),
    state=(
        StateField("students", "guidance_school", np.float64, 0.0,
                   "share of the needed school-mentor guidance received this week"),
        StateField("students", "guidance_enterprise", np.float64, 0.0,
                   "share of the needed enterprise-mentor guidance received this week"),
        StateField("school_mentors", "workload", np.float64, 0.0,
                   "this week's hours demanded (guidance, contact, co-development) / hours at full effort"),
        StateField("enterprise_mentors", "workload", np.float64, 0.0,
                   "this week's hours demanded (guidance, contact, co-development) / hours at full effort"),
    ),
    outcomes=(
        Outcome("mean_mentees_per_school_mentor", "Students per active school mentor",
                "Students in the programme per filled school-mentor post, mean over the weeks.", Unit.RATIO,
                lambda world, totals: mean_of(totals.mentees_per_school_mentor)),
        Outcome("mean_apprentices_per_enterprise_mentor", "Apprentices per enterprise mentor",
                "Mentored apprentices on site per enterprise mentor with apprentices, mean over the weeks.",
                Unit.RATIO, lambda world, totals: mean_of(totals.apprentices_per_enterprise_mentor)),
        Outcome("mean_school_mentor_workload", "School-mentor workload",
                "Hours demanded over hours available at full effort, mean over loaded school mentors and weeks "
                "(1 = fully used).", Unit.RATIO,
                lambda world, totals: finite_mean(totals.series["school_mentor_workload"])),
        Outcome("mean_enterprise_mentor_workload", "Enterprise-mentor workload",
                "Hours demanded over hours available at full effort, mean over loaded enterprise mentors and "
                "weeks (1 = fully used).", Unit.RATIO,
                lambda world, totals: finite_mean(totals.series["enterprise_mentor_workload"])),
    ),
)
