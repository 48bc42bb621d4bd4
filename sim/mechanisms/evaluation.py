"""Evaluation: the composite student score, and what a host judges of its apprentices.

Seed 003 (section 5.3) scores students as 30% theory + 50% skill + 20%
professionalism; the weights are parameters. The evaluation folds the internship
appraisal into the composite score, so a host's satisfaction with the skills of an
apprentice it trained is read from the same score.
"""

from __future__ import annotations

import numpy as np

from sim.engine.population import Students
from sim.scenario.schema import EvaluationParams


def composite_score(students: Students, params: EvaluationParams, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
    """The weighted composite score, points 0-100."""
    return (params.theory_weight * students.theory[idx]
            + params.practical_skill_weight * students.practical_skill[idx]
            + params.professionalism_weight * students.professionalism[idx])


def skill_index(students: Students, params: EvaluationParams, idx: np.ndarray | slice = slice(None)) -> np.ndarray:
    """A host's satisfaction with an apprentice it trained, 0-1: the composite score / 100."""
    return composite_score(students, params, idx) / 100.0
