"""Evaluation: the composite student score and the skill index enterprises judge.

Seed 003 (section 5.3) scores students as 30% theory + 50% skill + 20%
professionalism; the weights are parameters. Enterprises judge apprentices on the job,
so their satisfaction uses practical skill and professionalism only.
"""

from __future__ import annotations

import numpy as np

from sim.engine.population import Students
from sim.scenario.schema import EvaluationParams

SATISFACTION_PRACTICAL_WEIGHT = 0.7
"""Weight of practical skill in an enterprise's judgement (rest professionalism); assumption."""


def composite_score(students: Students, params: EvaluationParams, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
    """The weighted composite score, points 0-100."""
    return (params.theory_weight * students.theory[idx]
            + params.practical_skill_weight * students.practical_skill[idx]
            + params.professionalism_weight * students.professionalism[idx])


def skill_index(students: Students, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
    """What a host sees of an apprentice's skills, 0-1."""
    w = SATISFACTION_PRACTICAL_WEIGHT
    return (w * students.practical_skill[idx] + (1.0 - w) * students.professionalism[idx]) / 100.0
