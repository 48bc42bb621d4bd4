"""Incentives: what raises mentor effort (Li (2026), sections 3.2 and 6).

A mentor's effort is a base level plus what incentives add: the allowance and salary
subsidy actually paid (so a fund that runs dry takes the effort back), honours, and
mentoring counting towards career development. Effort scales the guidance hours a
mentor gives. Enterprise incentives (per-apprentice subsidy, tax relief, the
demonstration-unit title) act through the participation decision instead.
"""

from __future__ import annotations

import numpy as np

from sim.engine.mechanism import Mechanism
from sim.engine.world import World


def mentor_effort(base: float, allowance_yuan_per_month: float, paid_share: float,
                  per_1000_yuan: float, honours: float, career: float) -> float:
    """Effort (0-1) of a mentor given the incentives actually received."""
    paid = allowance_yuan_per_month * paid_share
    return float(np.clip(base + per_1000_yuan * paid / 1000.0 + honours + career, 0.0, 1.0))


def update_mentor_effort(world: World) -> None:
    """Set this week's effort of every school and enterprise mentor."""
    sc = world.scenario
    inc = sc.incentives
    honours = inc.honours_effort if inc.mentor_honours else 0.0
    career = inc.career_effort if inc.career_development else 0.0
    funded = world.this_week.funded
    world.school_mentors.effort[:] = mentor_effort(
        sc.school_mentors.base_effort, sc.school_mentors.remuneration_yuan_per_month,
        funded.school_mentor_remuneration, inc.effort_per_1000_yuan_month, honours, career)
    world.enterprise_mentors.effort[:] = mentor_effort(
        sc.enterprise_mentors.base_effort,
        sc.enterprise_mentors.remuneration_yuan_per_month + inc.enterprise_mentor_salary_subsidy_yuan_per_month,
        funded.enterprise_mentor_remuneration, inc.effort_per_1000_yuan_month, honours, career)


MECHANISM = Mechanism(
    name="incentives",
    step=update_mentor_effort,
    reads=("this_week.funded",),
    writes=("enterprise_mentors.effort", "school_mentors.effort"),
)
