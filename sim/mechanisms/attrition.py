"""Attrition: students dropping out and hosts ending apprenticeships early.

Weekly dropout hazard of a student in the programme:
``dropout_rate_per_year / 52 x exp(support_effect x (1 - support) + fit_effect x
misfit + motivation_effect x max(0, 0.5 - motivation))``, where support is the share of
needed guidance received (for an unmentored apprentice: ``unmentored_practice_share``)
and misfit marks a placement on a post that does not fit the student's training (outside
their sector, where no fitting post was found; ``placement``).
A host ends an apprenticeship with hazard ``termination_rate_per_year / 52 x
exp(termination_skill_gap_effect x points of practical skill below the post's need)``.
An apprentice leaves the placement (and goes back to school) with hazard
``apprentice_leave_rate_per_year / 52 x exp(support_effect x (1 - support) + fit_effect
x misfit)``: the same lack of guidance and misfit that drive dropout drive an apprentice
out of a placement (BIBB's surveys of dissolved contracts name conflicts with trainers and
the wrong occupation first; the effects are the dropout's, an assumption).
Early detection (``contact.problems_caught``): for an apprentice at a firm, school
mentors' visits catch and resolve a share ``caught`` of what a problem adds to either
hazard, so the multiplier ``exp(x)`` becomes ``1 + (exp(x) - 1) x (1 - caught)``; the
base rates (a well-placed apprentice's own reasons) are untouched.
All three are requests; ``exits.apply_exits`` applies them in one place.
"""

from __future__ import annotations

import numpy as np

from sim.engine.batch import Batch
from sim.engine.compiled import compile_loops
from sim.engine.mechanism import Mechanism
from sim.engine.population import BASIC, ENTERPRISE, INTERNSHIP
from sim.engine.world import World
from sim.mechanisms.contact import problems_caught
from sim.scenario.schema import WEEKS_PER_YEAR

POST_NEED_BASE_POINTS = 30.0
"""Practical skill a post of technical level 0 needs; assumption."""
POST_NEED_PER_LEVEL_POINTS = 40.0
"""Extra practical skill per unit of post technical level; assumption."""


def weekly_probability(rate_per_year: float | np.ndarray, log_multiplier: np.ndarray) -> np.ndarray:
    """Probability of an event within a week from a yearly hazard and a log-multiplier."""
    return -np.expm1(-(rate_per_year / WEEKS_PER_YEAR) * np.exp(log_multiplier))


def post_need(post_level: np.ndarray) -> np.ndarray:
    """Practical skill, points, that apprentice posts of technical level ``post_level`` need."""
    return POST_NEED_BASE_POINTS + POST_NEED_PER_LEVEL_POINTS * post_level


def after_detection(log_multiplier: np.ndarray, caught: np.ndarray) -> np.ndarray:
    """Log-multiplier of a hazard once a share ``caught`` of what problems add to it is resolved."""
    return np.where(caught > 0.0, np.log1p(np.expm1(log_multiplier) * (1.0 - caught)), log_multiplier)


def _find_active_and_hosted(stage: np.ndarray, location: np.ndarray, basic: int, internship: int, enterprise: int,
                            active: np.ndarray, hosted: np.ndarray) -> tuple[int, int]:
    """The students in the programme, and those of them in a firm, in order (compiled): how many of each.

    ``in_programme_and_hosted`` in one pass over the students: positions, so exact.
    """
    n_active = n_hosted = 0
    for i in range(len(stage)):
        if basic <= stage[i] <= internship:
            active[n_active] = i
            n_active += 1
            if location[i] == enterprise:
                hosted[n_hosted] = i
                n_hosted += 1
    return n_active, n_hosted


def _draws_below(draws: np.ndarray, idx: np.ndarray, most: float, near: np.ndarray, u: np.ndarray) -> int:
    """The students ``idx`` whose draw is below ``most``, and their draws, in order (compiled): how many.

    ``draws_below`` in one pass: comparisons and copies, so exact.
    """
    n = 0
    for i in idx:
        if draws[i] < most:
            near[n] = i
            u[n] = draws[i]
            n += 1
    return n


def in_programme_and_hosted(batch: Batch) -> tuple[np.ndarray, np.ndarray]:
    """The batch's students in the programme, and those of them placed in a firm (ascending positions)."""
    s = batch.students
    loops = compile_loops(_find_active_and_hosted, _draws_below)
    if loops is None:
        active = np.flatnonzero(s.in_programme())
        return active, active[s.location[active] == ENTERPRISE]
    active, hosted = np.empty(s.n, dtype=np.intp), np.empty(s.n, dtype=np.intp)
    n_active, n_hosted = loops[0](s.stage, s.location, BASIC, INTERNSHIP, ENTERPRISE, active, hosted)
    return active[:n_active], hosted[:n_hosted]


def draws_below(draws: np.ndarray, idx: np.ndarray, most: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The students ``idx`` whose draw (``draws[i]``: student ``i``'s) is below ``most``, and their draws.

    ``most``: one bound for all, or one for each of ``idx``.
    """
    loops = compile_loops(_find_active_and_hosted, _draws_below)
    if loops is None or np.ndim(most) != 0:
        u = draws[idx]
        near = u < most
        return idx[near], u[near]
    near, u = np.empty(len(idx), dtype=idx.dtype), np.empty(len(idx))
    n = loops[1](draws, idx, float(most), near, u)
    return near[:n], u[:n]


def _largest_dropout_log_multiplier(world: World) -> float:
    """The largest log-multiplier of a run's dropout hazard (no support, a misfit, motivation 0): its thinning bound."""
    p = world.scenario.attrition
    return p.support_effect + p.fit_effect + 0.5 * p.motivation_effect


def _largest_leave_log_multiplier(world: World) -> float:
    """The largest log-multiplier of a run's apprentice-leave hazard (no support, a misfit): its thinning bound."""
    p = world.scenario.attrition
    return p.support_effect + p.fit_effect


def request_attrition(batch: Batch) -> None:
    """Draw this week's dropouts and early terminations (as requests)."""
    s = batch.students
    active, hosted = in_programme_and_hosted(batch)
    if len(active) == 0:
        return

    def param(name: str, idx: np.ndarray) -> float | np.ndarray:
        """The attrition parameter ``name`` of each run, for the students ``idx``."""
        return batch.param(f"attrition.{name}", "students", idx)


    # Only students whose draw is below the largest possible probability can leave, so the
    # hazard is computed for those few alone (the outcome is the same as for everyone).
    most = weekly_probability(param("dropout_rate_per_year", active),
                              np.asarray(batch.derived(_largest_dropout_log_multiplier, "students", active)))
    who, u = draws_below(batch.uniform("attrition.dropout", batch.week, active), active, most)
    at_firm = s.location[who] == ENTERPRISE
    mentored = s.enterprise_mentor[who] >= 0
    ums = batch.param("learning.unmentored_practice_share", "students", who)
    support = np.where(at_firm, np.where(mentored, s.guidance_enterprise[who], ums), s.guidance_school[who])
    misfit = at_firm & ~s.sector_fit[who]
    log_m = (param("support_effect", who) * (1.0 - support) + param("fit_effect", who) * misfit
             + param("motivation_effect", who) * np.maximum(0.0, 0.5 - s.motivation[who]))
    caught = np.zeros(len(who))
    caught[at_firm] = problems_caught(batch, who[at_firm])
    log_m = after_detection(log_m, caught)
    leaving = who[u < weekly_probability(param("dropout_rate_per_year", who), log_m)]
    for world, local in batch.by_run("students", leaving):
        world.pending_dropouts.append((local, "dropout"))

    if len(hosted):
        most_gap = np.asarray(POST_NEED_BASE_POINTS + POST_NEED_PER_LEVEL_POINTS)
        who, u = draws_below(batch.uniform("attrition.termination", batch.week, hosted), hosted,
                             weekly_probability(param("termination_rate_per_year", hosted),
                                                param("termination_skill_gap_effect", hosted) * most_gap))
        host = batch.local_to_global("enterprises", s.host[who], who)
        gap = np.maximum(0.0, post_need(batch.enterprises.post_level[host]) - s.practical_skill[who])
        log_m = after_detection(param("termination_skill_gap_effect", who) * gap, problems_caught(batch, who))
        ended = who[u < weekly_probability(param("termination_rate_per_year", who), log_m)]
        for world, local in batch.by_run("students", ended):
            world.pending_terminations.append((local, "host_ended"))

        most = weekly_probability(param("apprentice_leave_rate_per_year", hosted),
                                  np.asarray(batch.derived(_largest_leave_log_multiplier, "students", hosted)))
        who, u = draws_below(batch.uniform("attrition.apprentice_leave", batch.week, hosted), hosted, most)
        mentored = s.enterprise_mentor[who] >= 0
        support = np.where(mentored, s.guidance_enterprise[who],
                           batch.param("learning.unmentored_practice_share", "students", who))
        log_m = param("support_effect", who) * (1.0 - support) + param("fit_effect", who) * ~s.sector_fit[who]
        log_m = after_detection(log_m, problems_caught(batch, who))
        leaving = who[u < weekly_probability(param("apprentice_leave_rate_per_year", who), log_m)]
        for world, local in batch.by_run("students", leaving):
            world.pending_terminations.append((local, "apprentice_left"))


MECHANISM = Mechanism(
    name="attrition",
    spans_cities=True,  # the pools only through Batch's methods
    step=None,
    batch_step=request_attrition,
    reads=("enterprises.post_level", "school_mentors.vacant_until", "students.enterprise_mentor",
           "students.guidance_enterprise", "students.guidance_school", "students.host", "students.location",
           "students.motivation", "students.practical_skill", "students.school_mentor", "students.sector_fit",
           "students.stage", "this_week.contact"),
    writes=("pending_dropouts", "pending_terminations"),
    streams=("attrition.dropout", "attrition.termination", "attrition.apprentice_leave"),
)
