"""The Mesa agents are views onto the world's arrays: reading and writing go to the arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim import TalentModel
from sim.model import EnterpriseAgent, EnterpriseMentorAgent, SchoolMentorAgent

BASELINE = "scenarios/baseline.yaml"
SMALL = {"intake.cohort_size": 60, "intake.n_cohorts": 1, "simulation.horizon_years": 4, "enterprises.count": 6}


def small_model(seed: int = 1) -> TalentModel:
    return TalentModel(scenario=BASELINE, seed=seed, **SMALL)


def first(model: TalentModel, kind: type[Any]) -> Any:
    return next(iter(model.agents_by_type[kind]))


def test_writing_an_attribute_writes_the_array_element() -> None:
    model = small_model()
    mentors = list(model.agents_by_type[SchoolMentorAgent])
    mentor = mentors[2]
    before = model.world.school_mentors.effort.copy()
    mentor.effort = 0.3
    assert model.world.school_mentors.effort[mentor.index] == 0.3
    assert mentor.effort == 0.3
    others = np.arange(len(before)) != mentor.index
    np.testing.assert_array_equal(model.world.school_mentors.effort[others], before[others])
    assert "effort" not in vars(mentor)  # no shadowing Python attribute

    firm = first(model, EnterpriseAgent)
    firm.capacity = 4
    firm.participating = False
    assert model.world.enterprises.capacity[firm.index] == 4
    assert not model.world.enterprises.participating[firm.index]


def test_agent_set_writes_through_too() -> None:
    model = small_model()
    model.agents_by_type[EnterpriseMentorAgent].set("pedagogical_skill", 0.25)
    assert (model.world.enterprise_mentors.pedagogical_skill == 0.25).all()


def test_the_next_steps_use_what_was_written() -> None:
    untouched, changed = small_model(), small_model()
    for mentor in changed.agents_by_type[EnterpriseMentorAgent]:
        mentor.technical_skill = 0.0
    assert (changed.world.enterprise_mentors.technical_skill == 0.0).all()
    untouched.run()
    changed.run()
    placed_u, placed_c = untouched.world.students.ever_placed, changed.world.students.ever_placed
    assert placed_u.any() and placed_c.any()
    skill_u = untouched.world.students.practical_skill[placed_u].mean()
    skill_c = changed.world.students.practical_skill[placed_c].mean()
    assert skill_c < skill_u - 2.0, (skill_c, skill_u)  # apprentices learnt less from unskilled mentors


def test_a_misspelt_attribute_raises_and_names_the_real_ones() -> None:
    model = small_model()
    mentor = first(model, SchoolMentorAgent)
    with pytest.raises(AttributeError, match=r"SchoolMentorAgent has no attribute 'efort'.*\beffort\b") as info:
        mentor.efort = 0.3
    assert info.value.name == "efort"
    assert "efort" not in vars(mentor)
    with pytest.raises(AttributeError):
        _ = mentor.efort


def test_a_derived_value_cannot_be_set() -> None:
    model = small_model()
    firm = first(model, EnterpriseAgent)
    before = firm.satisfaction
    with pytest.raises(AttributeError, match=r"EnterpriseAgent\.satisfaction is computed.*satisfaction_sum"):
        firm.satisfaction = 0.9
    with pytest.raises(AttributeError, match=r"EnterpriseAgent\.n is computed"):
        firm.n = 3
    assert firm.satisfaction == before
    assert "satisfaction" not in vars(firm)


def test_values_that_the_array_cannot_hold_exactly_are_refused() -> None:
    model = small_model()
    firm = first(model, EnterpriseAgent)
    capacity = firm.capacity
    with pytest.raises(ValueError, match="whole numbers"):
        firm.capacity = 2.5
    with pytest.raises(ValueError, match="whole numbers"):
        firm.capacity = "3"
    with pytest.raises(ValueError, match="True or False"):
        firm.participating = 0.5
    assert firm.capacity == capacity
    firm.capacity = 3.0  # a whole number given as a float is fine
    assert firm.capacity == 3


def test_mesa_attributes_still_work() -> None:
    model = small_model()
    firms = list(model.agents_by_type[EnterpriseAgent])
    assert len(firms) == model.world.enterprises.n
    assert len({agent.unique_id for agent in model.agents}) == len(model.agents)
    firm = firms[0]
    assert firm.model is model and firm.pos is None
    firm.pos = (1, 2)
    assert firm.pos == (1, 2) and vars(firm)["pos"] == (1, 2)
    assert isinstance(firm.rng, np.random.Generator)
    with pytest.raises(AttributeError):
        firm.random = None  # a Mesa property without a setter stays one
    assert set(model.agents_by_type) == {SchoolMentorAgent, EnterpriseMentorAgent, EnterpriseAgent}
    assert firms[1].index == 1
    firm.remove()
    assert firm not in model.agents


def test_an_agent_without_its_own_attributes_does_not_recurse() -> None:
    blank = EnterpriseAgent.__new__(EnterpriseAgent)
    with pytest.raises(AttributeError):
        _ = blank.index
    with pytest.raises(AttributeError):
        _ = blank.staff  # no model yet: an AttributeError, not a RecursionError
