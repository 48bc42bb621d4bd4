"""The recipe of docs/adding-a-mechanism.md, run: a toy mechanism added in a few lines.

The toy, "peer tutoring", gives each student at school a weekly chance of an hour of
tutoring by a classmate. It declares its per-student state, its stream, what it reads
and writes, its outcome and its step, and the model runs it like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from sim.engine.declarations import DeclarationError, StateField, Unit, mean_of
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import SCHOOL, Students
from sim.model import TalentModel, run_one
from sim.phases import MECHANISMS

SMALL = {"intake.cohort_size": 40, "enterprises.count": 6}


# --- the recipe: state, stream, step, outcome, declaration -------------------------------------------


@dataclass(slots=True)
class StudentsWithTutoring(Students):
    """The per-student arrays plus the toy's own (the type checker's view)."""

    tutoring_hours: np.ndarray


def tutor(world) -> None:
    """Classmates tutor a quarter of the students at school for an hour."""
    s = world.students
    u = world.streams.uniform("peer_tutoring.match", world.week, s.n)
    s.tutoring_hours[(s.location == SCHOOL) & (u < 0.25)] += 1.0


PEER_TUTORING = Mechanism(
    name="peer_tutoring",
    step=tutor,
    state=(StateField("students", "tutoring_hours", np.float64, 0.0, "peer-tutoring hours received"),),
    streams=("peer_tutoring.match",),
    reads=("students.location",),
    writes=("students.tutoring_hours",),
    outcomes=(Outcome("mean_tutoring_hours", "Peer-tutoring hours", "Mean peer-tutoring hours of graduates.",
                      Unit.COUNT, lambda world, totals: mean_of(world.students.tutoring_hours[totals.graduates])),),
)


# --- the checks ---------------------------------------------------------------------------------------


def test_a_toy_mechanism_runs_and_reports():
    model = TalentModel(None, seed=1, mechanisms=(*MECHANISMS, PEER_TUTORING), students_type=StudentsWithTutoring,
                        mesa_agents=False, **SMALL)
    model.run()
    summary = model.summary()
    assert summary["mean_tutoring_hours"] > 0
    at_school_weeks = model.world.students.tutoring_hours
    assert at_school_weeks.max() > at_school_weeks.min()
    assert "mean_tutoring_hours" in model.datacollector.get_model_vars_dataframe().columns


def test_adding_it_leaves_the_rest_of_the_model_unchanged():
    # its own stream: every other draw, and so every other outcome, is as before
    model = TalentModel(None, seed=1, mechanisms=(*MECHANISMS, PEER_TUTORING), students_type=StudentsWithTutoring,
                        mesa_agents=False, **SMALL)
    model.run()
    with_toy = model.summary()
    without = run_one(None, seed=1, students=False, **SMALL).summary
    assert {k: v for k, v in with_toy.items() if k != "mean_tutoring_hours"} == pytest.approx(without, nan_ok=True)


def test_state_without_a_declaration_fails_at_build():
    with pytest.raises(DeclarationError, match="tutoring_hours"):
        TalentModel(None, seed=1, students_type=StudentsWithTutoring, mesa_agents=False, **SMALL)


def test_a_stream_declared_twice_fails_at_build():
    twice = Mechanism(name="copycat", step=None, streams=("learning.shock",))
    with pytest.raises(DeclarationError, match=r"learning\.shock"):
        TalentModel(None, seed=1, mechanisms=(*MECHANISMS, twice), mesa_agents=False, **SMALL)


def test_a_draw_from_an_undeclared_stream_raises_at_the_draw():
    undeclared = Mechanism(name="undeclared", step=lambda world: world.streams.uniform("not.declared", 0, 3))
    model = TalentModel(None, seed=1, mechanisms=(*MECHANISMS, undeclared), mesa_agents=False, **SMALL)
    with pytest.raises(KeyError, match=r"not\.declared"):
        model.step()


def test_stream_patterns_match_names_built_at_run_time():
    model = TalentModel(None, seed=1, mesa_agents=False, **SMALL)
    streams = model.world.streams
    streams.uniform("school_mentors.selection.teaching_quality", 0, 2)  # declared as a pattern
    with pytest.raises(KeyError):
        streams.uniform("school_mentors.selection", 0, 2)  # the pattern needs its attribute part
    with pytest.raises(KeyError):
        streams.uniform("school_mentors.selection.a.b", 0, 2)  # a placeholder is one name part


def test_state_declared_twice_fails_at_build():
    twice = Mechanism(name="copycat", step=None,
                      state=(StateField("students", "stage", np.int8, 0, "a second stage"),))
    with pytest.raises(DeclarationError, match=r"students\.stage"):
        TalentModel(None, seed=1, mechanisms=(*MECHANISMS, twice), mesa_agents=False, **SMALL)


def test_an_outcome_declared_twice_fails_at_build():
    twice = Mechanism(name="copycat", step=None, outcomes=(
        Outcome("dropout_rate", "Dropout", "A second dropout rate.", Unit.SHARE, lambda world, totals: 0.0),))
    with pytest.raises(DeclarationError, match="dropout_rate"):
        TalentModel(None, seed=1, mechanisms=(*MECHANISMS, twice), mesa_agents=False, **SMALL)
