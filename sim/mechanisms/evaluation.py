"""Evaluation: the composite student score, and what a host judges of its apprentices.

Seed 003 (section 5.3) scores students as 30% theory + 50% skill + 20%
professionalism; the weights are parameters. The evaluation folds the internship
appraisal into the composite score, so a host's satisfaction with the skills of an
apprentice it trained is read from the same score.
"""

from __future__ import annotations

import numpy as np

from sim.engine.declarations import StateField, Unit, mean_of, rate
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import Students
from sim.engine.world import World
from sim.scenario.schema import EvaluationParams


def composite_score(students: Students, params: EvaluationParams, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
    """The weighted composite score, points 0-100."""
    return (params.theory_weight * students.theory[idx]
            + params.practical_skill_weight * students.practical_skill[idx]
            + params.professionalism_weight * students.professionalism[idx])


def skill_index(students: Students, params: EvaluationParams, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
    """A host's satisfaction with an apprentice it trained, 0-1: the composite score / 100."""
    return composite_score(students, params, idx) / 100.0


def rate_by_hosts(world: World, rated: np.ndarray) -> None:
    """Each host rates the graduates ``rated`` it hosted at graduation (adds to its satisfaction)."""
    s = world.students
    ent = world.enterprises
    sat = skill_index(s, world.scenario.evaluation, rated)
    np.add.at(ent.satisfaction_sum, s.host[rated], sat)
    np.add.at(ent.satisfaction_count, s.host[rated], 1.0)


MECHANISM = Mechanism(
    name="evaluation",
    step=None,
    state=(
        StateField("enterprises", "satisfaction_sum", np.float64, 0.0,
                   "sum of the skill index of the graduates the firm rated"),
        StateField("enterprises", "satisfaction_count", np.float64, 0.0, "graduates the firm rated"),
    ),
    outcomes=(
        Outcome("mean_composite_score", "Composite score of graduates",
                "Graduates' mean composite score (30% theory + 50% skill + 20% professionalism by default).",
                Unit.POINTS, lambda world, totals: mean_of(
                    composite_score(world.students, world.scenario.evaluation, totals.graduates)), headline=True),
        Outcome("enterprise_satisfaction", "Enterprise satisfaction",
                "Hosts' mean rating (0-1) of the graduates they trained.", Unit.INDEX,
                lambda world, totals: rate(world.enterprises.satisfaction_sum.sum(),
                                           world.enterprises.satisfaction_count.sum()), headline=True),
    ),
)
