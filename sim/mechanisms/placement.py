"""Placement: matching apprentices to enterprises and to enterprise mentors.

A placement round opens when a cohort's enterprise period starts, and again at each
half-year start within it, for students without a host (new apprentices, and those
whose placement ended early and who take a new one; ``exits``). Students on the
school-only track after a dissolution are not placed again.

A placement runs for its term, the enterprise period it is in (the three-party
agreement of school, firm and student; Ministry of Education et al. 2021, the internship
rules): a firm that stops taking part keeps the apprentices it hosts until then, and
their placements end (reason ``term_ended_host_withdrew``, not a dissolution) when the
next enterprise period's round opens, where they are placed again. Places are limited by
what each participating firm offers under the internship caps (10% of staff, 20% of the
post's staff) and, under the dual-mentor system, by its active mentors' capacity.

A round is a stable matching of the students needing a place to the firms' free places
(``sim.mechanisms.matching``; Gale & Shapley 1962): students rank firms by sector fit
(their own sector's firms first, then other sectors' firms by the chance of a post that
fits their training there), then by post level (higher first); firms rank students of
their own sector first, then by the school's composite score at the round. Of the
stable matchings the round takes the student-optimal one (deferred acceptance with
students proposing), the one no student can improve on by misreporting. So a sector's
places go first to its own students, the best-scoring students take the best posts, and
a student placed with a firm of another sector is a poorer fit, which raises attrition.
Who is not placed stays on the school-only track.

What the school knows of a partner's posts (contact brings better-fitting placements):
with ``knowledge_f = contact.placement_fit_gain x coordination_f``, a student of another
sector counts a firm's places as fitting with that chance, so ranks the firms the school
knows best first, and a student placed with such a firm is put on a post that fits their
training (not a misfit) with probability ``knowledge_f``. Without coordination every
placement outside a sector is a misfit.
"""

from __future__ import annotations

import numpy as np

from sim.engine.batch import Batch
from sim.engine.calendar import ProgrammeCalendar
from sim.engine.declarations import StateField, Unit, rate
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import ENTERPRISE, NO_ONE, Students
from sim.engine.world import PlacementRound, RunTotals, World
from sim.mechanisms.contact import placement_knowledge
from sim.mechanisms.evaluation import composite_score
from sim.mechanisms.matching import placement_matching


def hosted_counts(world: World, students: Students | None = None) -> np.ndarray:
    """Apprentices currently hosted by each enterprise.

    ``students``: whose apprentices count (None: ``world``'s; in a city, every programme's,
    since the internship caps count every school's interns).
    """
    s = world.students if students is None else students
    hosted = s.host[s.host >= 0]
    return np.bincount(hosted, minlength=world.enterprises.n)


def mentor_apprentices(world: World, students: Students | None = None) -> np.ndarray:
    """Apprentices each enterprise-mentor post guides; ``students`` as ``hosted_counts``."""
    s = world.students if students is None else students
    return np.bincount(s.enterprise_mentor[s.enterprise_mentor >= 0], minlength=world.enterprise_mentors.n)


def mentor_free_places(world: World, students: Students | None = None,
                       taken: np.ndarray | None = None) -> np.ndarray:
    """Free apprentice places of each enterprise-mentor post (0 when vacant); ``students`` as ``hosted_counts``.

    ``taken``: the posts' apprentices (``mentor_apprentices``) when the caller keeps them
    (None: counted here).
    """
    em = world.enterprise_mentors
    if taken is None:
        taken = mentor_apprentices(world, students)
    cap = world.scenario.enterprise_mentors.apprentices_per_mentor
    return np.where(em.active(world.week), np.maximum(cap - taken, 0), 0)


def free_places(world: World, students: Students | None = None, dual_mentor: bool | None = None) -> np.ndarray:
    """Places each enterprise can still fill this round.

    ``students`` as ``hosted_counts``; ``dual_mentor`` (None: ``world``'s programme's):
    places are also limited by the firm's mentors' free places (in a city, when any
    programme places apprentices with an enterprise mentor).
    """
    ent = world.enterprises
    free = np.maximum(ent.capacity - hosted_counts(world, students), 0)
    if world.scenario.programme.dual_mentor if dual_mentor is None else dual_mentor:
        mentor_free = np.bincount(world.enterprise_mentors.enterprise,
                                  weights=mentor_free_places(world, students),
                                  minlength=ent.n).astype(np.int64)
        free = np.minimum(free, mentor_free)
    return np.where(ent.participating, free, 0)


def places_offered(world: World) -> np.ndarray:
    """Places each participating enterprise offers in all, hosted or not (its mentors' places under dual mentoring)."""
    ent = world.enterprises
    places = ent.capacity.astype(np.int64)
    if world.scenario.programme.dual_mentor:
        em = world.enterprise_mentors
        cap = world.scenario.enterprise_mentors.apprentices_per_mentor
        mentor_places = np.bincount(em.enterprise[em.active(world.week)], minlength=ent.n) * cap
        places = np.minimum(places, mentor_places)
    return np.where(ent.participating, places, 0)


def _never_placed_share(world: World, totals: RunTotals) -> float:
    s = world.students
    reached = s.reached_enterprise_period & totals.finished
    return rate(np.count_nonzero(reached & ~s.ever_placed), np.count_nonzero(reached))


def cohorts_in_placement_round(world: World) -> list[tuple[int, bool]]:
    """Cohorts whose enterprise period starts this week, or who are in one at a half-year start.

    Each with True when its enterprise period starts this week (a new term).
    """
    cal = world.calendar
    half_start = cal.is_half_year_start(world.week)
    cohorts = []
    for c in range(world.scenario.intake.n_cohorts):
        pw = world.cohort_programme_week(c)
        if not 0 <= pw < cal.programme_weeks or cal.location[pw] != ENTERPRISE:
            continue
        period_start = pw == 0 or cal.location[pw - 1] != ENTERPRISE
        if half_start or period_start:
            cohorts.append((c, period_start))
    return cohorts


def runs_with_a_round(batch: Batch) -> list[int]:
    """The runs of ``batch`` with a cohort in this week's placement round (``cohorts_in_placement_round``).

    Found over every run's cohorts at once (``Batch.cohorts``, ``Batch.plans``): most weeks no
    run holds a round, and asking each run in turn cost more than the rounds themselves in a
    batch. A run left out would have found no cohort and done nothing.
    """
    if batch.n_runs == 1:
        return [0]
    cohorts = batch.cohorts()
    plans = batch.plans()
    pw = cohorts.programme_weeks(batch.students, batch.week)
    weeks = plans.weeks[cohorts.run]
    inside = (pw >= 0) & (pw < weeks)
    at = plans.start[cohorts.run] + np.where(inside, pw, 0)
    firm = inside & (plans.location[at] == ENTERPRISE)
    if not firm.any():
        return []
    period_start = firm & ((pw == 0) | (plans.location[np.maximum(at - 1, 0)] != ENTERPRISE))
    due = firm if ProgrammeCalendar.is_half_year_start(batch.week) else period_start
    return np.unique(cohorts.run[due]).tolist()


def end_terms_with_withdrawn_hosts(world: World, c: int) -> None:
    """At a new enterprise period, end the placements of cohort ``c`` whose host no longer takes part."""
    s = world.students
    cohort = world.cohort(c)
    host = s.host[cohort]
    hosted = np.flatnonzero(host >= 0)
    ending = hosted[~world.enterprises.participating[host[hosted]]] + cohort.start
    if len(ending):
        world.events.add(world.week, ending, "placement_end", "term_ended_host_withdrew", s.host[ending])
        world.counters.terms_ended_host_withdrew += len(ending)
        release(world, ending, keep_job_offer=False)
        # back where the calendar puts a student without a placement, unless placed again in this round
        s.location[ending] = world.calendar.fallback_location[world.cohort_programme_week(c)]


def needing_a_place(world: World) -> np.ndarray:
    """The students of ``world`` who need a place in this week's round (ending terms with withdrawn hosts first)."""
    s = world.students
    needing_parts = []
    for c, period_start in cohorts_in_placement_round(world):
        sl = world.cohort(c)
        if period_start:
            end_terms_with_withdrawn_hosts(world, c)
        needing_parts.append(np.flatnonzero(s.in_programme()[sl] & (s.host[sl] < 0) & ~s.school_only[sl])
                             + sl.start)
    if not needing_parts:
        return np.zeros(0, dtype=np.int64)
    return np.concatenate(needing_parts)


def place_apprentices(world: World) -> None:
    """Run a placement round for the cohorts starting (or halfway through) an enterprise period."""
    needing = needing_a_place(world)
    if len(needing) == 0:
        return
    s = world.students
    ent = world.enterprises
    knowledge = placement_knowledge(world, np.arange(ent.n))
    free = free_places(world)
    hosts = placement_matching(
        s.sector[needing], composite_score(s, world.scenario.evaluation, needing), ent.sector, ent.post_level,
        ent.certified, free, expected_fit=knowledge)
    filled = np.bincount(hosts[hosts >= 0], minlength=len(free))
    _tally_round(world, needing, hosts, filled, free - filled)
    _settle(world, needing, hosts, knowledge)


def place_in_city(batch: Batch) -> None:
    """One placement round for every programme of the batch: a city's shared pool, or each run's own firms.

    In a city (``batch.pool``) the students needing a place in every programme are matched
    together, in one stable matching, to the pool's free places, which count every
    programme's apprentices (the internship caps count every school's interns; a firm's
    mentors' places every apprentice they guide). Each programme then settles its own
    placements (its fitting-post draws, counters and events). Runs with their own firms
    each hold their own round, as alone.
    """
    if batch.pool is None:
        for g in runs_with_a_round(batch):
            place_apprentices(batch.worlds[g])
        return
    rounds = runs_with_a_round(batch)  # most weeks none: no programme is asked in turn
    if not rounds:
        return
    no_one = np.zeros(0, dtype=np.int64)
    needing = [no_one] * batch.n_runs
    for g in rounds:
        needing[g] = needing_a_place(batch.worlds[g])
    if not any(len(n) for n in needing):
        return
    pool = batch.pool
    ent = pool.enterprises
    knowledge = placement_knowledge(pool, np.arange(ent.n))
    dual = any(world.scenario.programme.dual_mentor for world in batch.worlds)
    free = free_places(pool, batch.students, dual)
    sectors = np.concatenate([w.students.sector[n] for w, n in zip(batch.worlds, needing, strict=True)])
    scores = np.concatenate([composite_score(w.students, w.scenario.evaluation, n)
                             for w, n in zip(batch.worlds, needing, strict=True)])
    priority = pool.bureau is not None and pool.bureau.spec.certification.placement_priority
    hosts = placement_matching(sectors, scores, ent.sector, ent.post_level, ent.certified, free,
                               expected_fit=knowledge, certified_priority=priority)
    filled = np.bincount(hosts[hosts >= 0], minlength=len(free))
    unfilled = free - filled
    cut = np.cumsum([0, *(len(n) for n in needing)])
    # every programme's apprentices of each enterprise-mentor post, counted once and kept as each
    # programme assigns its own (the one change to them until the last has settled)
    taken = mentor_apprentices(pool, batch.students) if dual else None
    for g, world in enumerate(batch.worlds):
        if len(needing[g]) == 0:
            continue
        own = hosts[cut[g]:cut[g + 1]]
        _tally_round(world, needing[g], own, np.bincount(own[own >= 0], minlength=len(free)), unfilled)
        _settle(world, needing[g], own, placement_knowledge(world, np.arange(ent.n)), batch.students, taken)
    _tally_city_round(pool, sectors, hosts, filled, unfilled)


def _settle(world: World, needing: np.ndarray, hosts: np.ndarray, knowledge: np.ndarray,
            students: Students | None = None, taken: np.ndarray | None = None) -> None:
    """Record the round's placements of ``world``'s students ``needing`` with ``hosts`` (NO_ONE: not placed).

    ``students``: whose enterprise mentors count when new apprentices are given one (a
    city's every programme; None: ``world``'s). ``taken``: those students' apprentices of
    each enterprise-mentor post, kept by the caller (``mentor_apprentices``; None: counted
    here), to which the new apprentices are added.
    """
    s = world.students
    ent = world.enterprises
    own_sector = (hosts >= 0) & (ent.sector[np.maximum(hosts, 0)] == s.sector[needing])
    fit = own_sector.copy()
    # a student placed with a firm of another sector is on a fitting post as far as the school knows the firm
    other = np.flatnonzero((hosts >= 0) & ~own_sector)
    if len(other) and knowledge.any():
        u = world.streams.uniform("placement.fitting_post", world.week, int(needing[other[-1]]) + 1)
        fit[other] = u[needing[other]] < knowledge[hosts[other]]
    placed = hosts >= 0
    who = needing[placed]
    if len(who) == 0:
        return
    s.host[who] = hosts[placed]
    s.sector_fit[who] = fit[placed]
    s.ever_placed[who] = True
    s.placed_week[who] = world.week
    s.location[who] = ENTERPRISE
    world.counters.placements += len(who)
    if world.scenario.programme.dual_mentor:
        mentors = _assign_enterprise_mentors(world, who, students, taken)
        s.enterprise_mentor[who] = mentors
        if taken is not None:
            taken += np.bincount(mentors, minlength=len(taken))
    own, fitting = own_sector[placed], fit[placed]
    world.events.add(world.week, who[own], "placement", "own_sector", s.host[who[own]])
    world.events.add(world.week, who[~own & fitting], "placement", "other_sector_fitting_post",
                     s.host[who[~own & fitting]])
    world.events.add(world.week, who[~fitting], "placement", "other_sector", s.host[who[~fitting]])


def _tally_round(world: World, needing: np.ndarray, hosts: np.ndarray, filled: np.ndarray,
                 unfilled: np.ndarray) -> None:
    """Count the round's training market by sector (``World.placement_rounds``; BIBB's indicators).

    ``filled``: placements this round by firm; ``unfilled``: the free places each firm
    still has after it (in a city, after every programme's students were placed).
    """
    sectors = world.n_sectors
    firm_sector = world.enterprises.sector
    student_sector = world.students.sector[needing]
    placed = hosts >= 0
    world.placement_rounds.append(PlacementRound(
        week=world.week,
        places_filled=np.bincount(firm_sector, weights=filled, minlength=sectors).astype(np.int64),
        unfilled_places=np.bincount(firm_sector, weights=unfilled, minlength=sectors).astype(np.int64),
        placed_applicants=np.bincount(student_sector[placed], minlength=sectors),
        unplaced_applicants=np.bincount(student_sector[~placed], minlength=sectors)))


def _tally_city_round(pool: World, student_sector: np.ndarray, hosts: np.ndarray, filled: np.ndarray,
                      unfilled: np.ndarray) -> None:
    """The city's training market of the round: every programme's applicants, the pool's places (the pool world's)."""
    sectors = pool.n_sectors
    firm_sector = pool.enterprises.sector
    placed = hosts >= 0
    pool.placement_rounds.append(PlacementRound(
        week=pool.week,
        places_filled=np.bincount(firm_sector, weights=filled, minlength=sectors).astype(np.int64),
        unfilled_places=np.bincount(firm_sector, weights=unfilled, minlength=sectors).astype(np.int64),
        placed_applicants=np.bincount(student_sector[placed], minlength=sectors),
        unplaced_applicants=np.bincount(student_sector[~placed], minlength=sectors)))


def release(world: World, who: np.ndarray, *, keep_job_offer: bool) -> None:
    """End the placements of ``who``: no host, no enterprise mentor; each host counts a placement ended.

    The one way a placement ends (a dissolution, dropout, the term's end, graduation). A
    host's job offer is withdrawn when the placement ends before graduation
    (``keep_job_offer=False``) but kept at graduation (``keep_job_offer=True``):
    graduation is when the offer is taken up, and resetting it there would bring host
    retention to 0. The hosts' count of placements ended is the denominator of their hire
    rate (``participation``).
    """
    students = world.students
    hosted = who[students.host[who] >= 0]
    np.add.at(world.enterprises.placements_ended, students.host[hosted], 1)
    students.host[who] = NO_ONE
    students.enterprise_mentor[who] = NO_ONE
    if not keep_job_offer:
        students.offered_by_host[who] = False


def release_in_batch(batch: Batch, who: np.ndarray, *, keep_job_offer: bool) -> None:
    """``release`` of the students ``who`` (batch positions) of any runs of ``batch``, at once."""
    students = batch.students
    hosted = who[students.host[who] >= 0]
    np.add.at(batch.enterprises.placements_ended, batch.local_to_global("enterprises", students.host[hosted], hosted),
              1)
    students.host[who] = NO_ONE
    students.enterprise_mentor[who] = NO_ONE
    if not keep_job_offer:
        students.offered_by_host[who] = False


def _assign_enterprise_mentors(world: World, who: np.ndarray, students: Students | None = None,
                               taken: np.ndarray | None = None) -> np.ndarray:
    """A mentor with a free place in each new apprentice's host (capacity guaranteed by free_places).

    ``students``, ``taken`` as ``mentor_free_places``.
    """
    em = world.enterprise_mentors
    free = mentor_free_places(world, students, taken)
    s = world.students
    hosts = s.host[who]
    order = np.argsort(hosts, kind="stable")
    sorted_hosts = hosts[order]
    # rank of each new apprentice within its host
    first = np.searchsorted(sorted_hosts, sorted_hosts, side="left")
    rank = np.arange(len(sorted_hosts)) - first
    # mentor places grouped by enterprise
    m_order = np.argsort(em.enterprise, kind="stable")
    places = np.repeat(m_order, free[m_order])
    place_firm = em.enterprise[places]
    firm_start = np.searchsorted(place_firm, sorted_hosts, side="left")
    mentors = np.empty(len(who), dtype=np.int32)
    mentors[order] = places[firm_start + rank]
    return mentors


def _placement_rate(world: World, totals: RunTotals) -> float:
    return rate(np.count_nonzero(world.students.ever_placed & totals.finished), np.count_nonzero(totals.finished))


MECHANISM = Mechanism(
    name="placement",
    step=None,
    batch_step=place_in_city,
    reads=("enterprise_mentors.enterprise", "enterprise_mentors.vacant_until", "enterprises.capacity",
           "enterprises.certified", "enterprises.coordination", "enterprises.participating",
           "enterprises.post_level", "enterprises.sector", "students.enrol_week",
           # release() clears a job offer, but a term ends at an enterprise period's start, before any offer
           "students.offered_by_host", "students.practical_skill", "students.professionalism",
           "students.school_only", "students.sector", "students.stage", "students.theory"),
    writes=("counters.placements", "counters.terms_ended_host_withdrew", "enterprises.placements_ended",
            "placement_rounds",
            "students.enterprise_mentor", "students.ever_placed", "students.host", "students.location",
            "students.placed_week", "students.sector_fit"),
    state=(
        StateField("students", "host", np.int32, NO_ONE, "host enterprise, or NO_ONE"),
        StateField("students", "enterprise_mentor", np.int32, NO_ONE, "enterprise-mentor post, or NO_ONE"),
        StateField("students", "sector_fit", bool, False,
                   "on a post that fits the student's training (own-sector host, or a fitting post found in another)"),
        StateField("students", "ever_placed", bool, False, "placed with a host at least once"),
        StateField("students", "placed_week", np.int32, -1, "week the current (or last) placement began, or -1"),
        StateField("enterprises", "placements_ended", np.int32, 0, "the firm's placements that have ended, whole run"),
    ),
    streams=("placement.fitting_post",),
    outcomes=(
        Outcome("placement_rate", "Placement rate",
                "Share of the students who finished (graduated or left) that were ever placed with a host.",
                Unit.SHARE, _placement_rate),
        Outcome("never_placed_share", "Never placed",
                "Share of the students who reached their enterprise period, and finished, who were never placed "
                "with a host.", Unit.SHARE, _never_placed_share),
        Outcome("terms_ended_host_withdrew", "Placements ended at term by a withdrawn host",
                "Placements that ran to the end of their enterprise period with a host that had stopped taking "
                "part, and ended there (not a dissolution), whole run.", Unit.COUNT,
                lambda world, totals: float(world.counters.terms_ended_host_withdrew)),
    ),
)
