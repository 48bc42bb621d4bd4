"""No inert parameter (issue 10, item 3): moving any numeric or boolean parameter moves a headline outcome.

Each parameter is moved by +50% (then -50%), to its plausible value when its default is 0,
or flipped, and must shift some headline outcome by more than two paired standard errors
over 8 paired replications — on the baseline at the lever size, or where ``WHERE`` says
it acts (``sim/experiments/parameter_effects.py``). A parameter that fails is removed or
its condition declared; never left in place doing nothing.
"""

from __future__ import annotations

import math

import pytest

from sim.experiments.backends import make_backend
from sim.experiments.parameter_effects import (
    MOVED_FROM_ZERO,
    SHARES_OF_ONE,
    WHERE,
    Checker,
    ParameterEffect,
    Where,
    checked_params,
    moved_values,
    unmoved_value,
    with_partners,
)
from sim.scenario.params import param_index

PARAMS = checked_params()


@pytest.fixture(scope="module")
def checker():
    with make_backend(workers=2) as backend:
        yield Checker(backend)


@pytest.mark.parametrize("info", PARAMS, ids=[p.key for p in PARAMS])
def test_parameter_moves_a_headline_outcome(checker, info):
    e = checker.measure(info)
    assert e.acts, (f"{info.key} = {e.default} -> {e.value} moved no headline outcome by more than two paired "
                    f"standard errors (largest: {e.outcome} {e.mean:+.4g}, z = {e.z:.2f}) in {e.where.scenario}: "
                    "remove the parameter, or declare in WHERE the condition under which it acts")


def test_every_condition_and_zero_default_names_a_checked_parameter():
    keys = {p.key for p in PARAMS}
    assert set(WHERE) <= keys
    assert set(MOVED_FROM_ZERO) <= keys
    index = param_index()
    assert all(index[k].default == 0 for k in MOVED_FROM_ZERO)
    zero = {p.key for p in PARAMS if p.type != "bool" and p.default == 0}
    assert zero <= set(MOVED_FROM_ZERO), "a parameter whose default is 0 needs a stated plausible value"


def test_moved_values_known_answers():
    index = param_index()
    assert moved_values(index["programme.dual_mentor"]) == [False]
    assert moved_values(index["enterprise_mentors.apprentices_per_mentor"]) == [6, 2]  # 4 x 1.5, 4 x 0.5
    assert moved_values(index["certification.max_attempts"]) == [4, 2]  # 3 x 1.5 rounds to 4
    assert moved_values(index["enterprises.initial_participation_share"]) == [1.0, 0.4]  # clipped at 1
    assert moved_values(index["incentives.certified_enterprise_share"]) == [0.33]  # from 0: its stated value
    assert moved_values(index["school_mentors.students_per_mentor"], 30.0) == [45.0, 15.0]


def test_shares_that_add_up_to_one_are_rescaled_together():
    for group in SHARES_OF_ONE:
        moved = with_partners(group[0], 0.45)
        assert set(moved) == set(group)
        assert math.isclose(sum(moved.values()), 1.0)
    assert with_partners("learning.noise_sd", 0.45) == {"learning.noise_sd": 0.45}


def test_the_check_runs_at_the_lever_size_with_the_scenarios_own_budgets_scaled():
    index = param_index()
    # funding_cut's own 700,000 yuan at 700 students a cohort, at 250 students
    assert unmoved_value(index["funding.school_special_fund_yuan_per_year"], Where("x", "funding_cut")) == 250_000
    assert unmoved_value(index["intake.cohort_size"], Where("x", full_size=True)) == 700


def test_effect_z_and_acts():
    where = Where("always")
    assert ParameterEffect("k", 1, 2, "o", 0.3, 0.1, where).acts
    assert not ParameterEffect("k", 1, 2, "o", 0.1, 0.1, where).acts
    assert ParameterEffect("k", 1, 2, "o", 0.1, 0.0, where).z == math.inf
    assert ParameterEffect("k", 1, 2, "o", 0.0, 0.0, where).z == 0.0
