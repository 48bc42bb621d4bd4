"""Contact between the two kinds of mentor (Li (2026), section 5.2), and what it brings.

School mentors with apprentices placed visit the enterprise (the rule: at least twice
a month); enterprise mentors teach at school (at least four times a semester). Visits
happen only as far as their travel is funded, sessions only as far as enterprise
mentors' allowances are; both take mentors' hours (``mentoring``). Contact brings three
things (assumption, after the regular communication and dynamic monitoring of Li (2026)
§5.2; the reasoning is in docs/model.md, 7.10):

- teaching aligned with the posts: contact raises each host's coordination with the
  school, which moves the alignment of teaching beyond the curriculum's (``base``, what
  co-development has built, ``curriculum``) towards the enterprise's post standards:
  ``alignment = base + alignment_gain x coordination x (1 - base)``. Coordination
  follows the contact made with a lag (``adjustment_rate_per_week``) and reaches 1
  when both rules are met; it decays in firms without apprentices;
- problems in a placement found early: a problem shows ``problem_warning_weeks``
  before it would end in a dropout or a termination; a visit in that time notices it
  (visits come at ``v`` a month), and the two mentors resolve ``problem_resolution_share``
  of what they notice. So of the hazard a problem adds (the support, fit and motivation
  terms of dropout, the skill-gap term of termination; ``attrition``) a visited
  apprentice keeps ``1 - caught``, ``caught = problem_resolution_share x (1 -
  exp(-v x problem_warning_weeks / weeks per month))``; an apprentice whose school-
  mentor post is vacant is not visited;
- better-fitting placements: the school knows a partner firm's posts as far as it is
  coordinated with it (``knowledge = placement_fit_gain x coordination``); when it must
  place students outside their sector it tries the firms it knows best first and finds
  a post that fits the student's training with probability ``knowledge`` (``placement``),
  so fewer placements are misfits.
"""

from __future__ import annotations

import numpy as np

from sim.engine.batch import Batch
from sim.engine.declarations import StateField
from sim.engine.mechanism import Mechanism
from sim.engine.population import ENTERPRISE
from sim.engine.sums import post_means, post_tallies
from sim.engine.world import World
from sim.mechanisms.mentoring import WEEKS_PER_MONTH

RULE_VISITS_PER_MONTH = 2.0
"""Minimum school-mentor visits per month, Li (2026) §5.2 (the reference for full contact)."""
RULE_SESSIONS_PER_SEMESTER = 4.0
"""Minimum enterprise-mentor sessions at school per semester, Li (2026) §5.2."""


def contact_target(visits_per_month: float, sessions_per_semester: float) -> float:
    """Coordination that a level of contact sustains, 0-1 (1 when both rules are met)."""
    return min(1.0, 0.5 * visits_per_month / RULE_VISITS_PER_MONTH
               + 0.5 * sessions_per_semester / RULE_SESSIONS_PER_SEMESTER)


def make_contact(batch: Batch) -> None:
    """This week's visits and sessions, and the coordination they sustain in each host.

    Visits and sessions are each run's own numbers (as far as its money paid for them); the
    coordination of every run's hosts then moves once over the batch's firms, each firm
    towards its own run's target at its own run's rate.
    """
    targets = []
    for world in batch.worlds:
        sc = world.scenario
        funded = world.this_week.funded
        visits = sc.contact.school_mentor_visits_per_month * funded.contact_visits
        sessions = 0.0
        if sc.programme.dual_mentor:
            sessions = sc.contact.enterprise_mentor_school_sessions_per_semester * \
                funded.enterprise_mentor_remuneration
        made = world.this_week.contact
        made.visits_per_month = visits
        made.school_sessions_per_semester = sessions
        targets.append(contact_target(visits, sessions))
    s = batch.students
    at_firm = s.location == ENTERPRISE
    if not batch.shares_pool:
        host = batch.held_to_global("enterprises", s.host, at_firm)  # each apprentice's host, a batch position
        hosting = np.bincount(host, minlength=batch.enterprises.n) > 0
        target = np.where(hosting, batch.spread(targets, "enterprises"), 0.0)
    else:  # a firm of a city's pool: the mean target of the programmes whose apprentices it hosts, by apprentice
        apprentices, wanted = post_tallies(batch.local_to_global("enterprises", s.host), at_firm,
                                           batch.groups.group_of("students"), np.asarray(targets, dtype=float),
                                           batch.enterprises.n)
        target = post_means(wanted, apprentices, 0.0)
    c = batch.enterprises.coordination
    c += batch.param("contact.adjustment_rate_per_week", "enterprises") * (target - c)
    if batch.shares_pool:  # every programme of a city reads its pool's mean once (programme_alignment)
        participating = batch.enterprises.participating
        for block, programmes in zip(batch.groups.blocks("enterprises"), batch.programmes_of_pools(), strict=True):
            mean_c = partner_coordination(participating[block], c[block])
            for world in programmes:
                world.this_week.contact.partner_coordination = mean_c


def problems_caught(batch: Batch, who: np.ndarray) -> np.ndarray:
    """Share of the problem-driven hazard of apprentices ``who`` that visits catch and resolve this week.

    ``problem_resolution_share x (1 - exp(-visits a month x problem_warning_weeks / weeks
    a month))`` for an apprentice whose school mentor's post is filled, 0 otherwise: the
    chance that at least one visit (Poisson, at the rate made this week) falls within a
    problem's warning time, times the share of noticed problems resolved. ``who`` are
    positions in the batch; each run's visits and parameters apply to its own apprentices.
    """
    caught = np.zeros(len(who))
    if len(who) == 0:
        return caught
    share = batch.value(_share_caught, "students", who)
    nothing = not share.any() if isinstance(share, np.ndarray) else share == 0.0
    if nothing:  # no run's visits catch anything this week
        return caught
    mentor = batch.local_to_global("school_mentors", batch.students.school_mentor[who], who)
    has_mentor = mentor >= 0
    visited = has_mentor & batch.school_mentors.active(batch.week)[np.where(has_mentor, mentor, 0)]
    caught[visited] = share if np.isscalar(share) else share[visited]  # type: ignore[index]
    return caught


def _share_caught(world: World) -> float:
    """A visited apprentice's share of the problem-driven hazard caught this week, in ``world``'s run."""
    sc = world.scenario.contact
    visits = world.this_week.contact.visits_per_month
    if visits <= 0.0 or sc.problem_resolution_share <= 0.0:
        return 0.0
    return float(sc.problem_resolution_share * -np.expm1(-visits * sc.problem_warning_weeks / WEEKS_PER_MONTH))


def placement_knowledge(world: World, firms: np.ndarray) -> np.ndarray:
    """Chance that the school finds a post fitting a student of another sector with each of ``firms``, 0-1."""
    return world.scenario.contact.placement_fit_gain * world.enterprises.coordination[firms]


def alignment(world: World, coordination: np.ndarray | float, base: float | None = None) -> np.ndarray | float:
    """Alignment of teaching given coordination, 0-1: the curriculum's (``base``; default the co-developed one).

    Contact moves the curriculum's alignment ``base`` towards 1 by ``alignment_gain x coordination``.
    """
    base = world.curriculum.alignment if base is None else base
    return base + world.scenario.contact.alignment_gain * coordination * (1.0 - base)


def programme_alignment(world: World) -> float:
    """Alignment of school teaching: from the mean coordination of the participating enterprises.

    The school co-develops its curriculum with its partner firms, so school teaching is
    as aligned as the programme's partnerships are coordinated on average.
    """
    shared = world.this_week.contact.partner_coordination
    ent = world.enterprises
    mean_c = shared if shared is not None else partner_coordination(ent.participating, ent.coordination)
    return float(alignment(world, mean_c))


def partner_coordination(participating: np.ndarray, coordination: np.ndarray) -> float:
    """The mean coordination of the participating firms (0 with none)."""
    return float(coordination[participating].mean()) if participating.any() else 0.0


MECHANISM = Mechanism(
    name="contact",
    spans_cities=True,  # the pools only through Batch's methods
    step=None,
    batch_step=make_contact,
    reads=("enterprises.participating", "students.host", "students.location", "this_week.funded"),
    writes=("enterprises.coordination", "this_week.contact"),
    state=(
        StateField("enterprises", "coordination", np.float64, 0.0,
                   "school-enterprise coordination sustained by contact, 0-1"),
    ),
)
