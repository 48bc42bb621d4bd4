"""The bureau's rules (sim.mechanisms.bureau): known answers for the special fund and the certified list."""

from __future__ import annotations

import numpy as np
import pytest

from sim.mechanisms.bureau import allocate_special_fund, certify, school_totals

CRITERIA = {"min_years_hosting": 2, "min_apprentices_per_year": 5, "max_certified_share": 1.0}


@pytest.mark.parametrize(("rule", "expected"), [
    ("per_student", [500_000.0, 300_000.0, 200_000.0]),
    ("per_apprentice", [0.0, 600_000.0, 400_000.0]),
    ("by_results", [800_000.0, 200_000.0, 0.0]),
])
def test_the_fund_follows_the_rule(rule: str, expected: list[float]) -> None:
    shares = allocate_special_fund(1_000_000.0, rule, students=[500, 300, 200], apprentices=[0, 120, 80],
                                   results=[40, 10, 0])
    assert shares.tolist() == pytest.approx(expected)
    assert shares.sum() == pytest.approx(1_000_000.0)


def test_a_rule_with_nothing_to_count_yet_divides_per_student() -> None:
    # the first years: no apprentice placed, no graduate followed up
    for rule in ("per_apprentice", "by_results"):
        shares = allocate_special_fund(900.0, rule, students=[2, 1], apprentices=[0, 0], results=[0, 0])
        assert shares.tolist() == pytest.approx([600.0, 300.0])
    assert allocate_special_fund(900.0, "per_student", [0, 0], [0, 0], [0, 0]).tolist() == [0.0, 0.0]
    with pytest.raises(ValueError, match="unknown special-fund rule"):
        allocate_special_fund(1.0, "per_school", [1], [1], [1])


def test_school_totals_add_their_programmes() -> None:
    assert school_totals([100.0, 50.0, 25.0], ["poly", "secondary", "poly"]) == {"poly": 125.0, "secondary": 50.0}


def test_firms_that_met_the_criteria_are_certified_best_hosts_first_up_to_the_quota() -> None:
    # five firms, three years: firm 0 hosts 6 a year; firm 1 hosted 10 and 10 in two years; firm 2 hosts 3 a year;
    # firm 3 hosted 20 in one year only; firm 4 never hosted
    hosted = np.array([[6, 10, 3, 20, 0],
                       [6, 0, 3, 0, 0],
                       [6, 10, 3, 0, 0]])
    none = np.zeros(5, dtype=bool)
    assert certify(hosted, CRITERIA, none).tolist() == [True, True, False, False, False]
    # a quota of 20% of the pool: one firm, the best host (firm 1, 10 a year over its two years)
    assert certify(hosted, {**CRITERIA, "max_certified_share": 0.2}, none).tolist() == \
        [False, True, False, False, False]
    # one year of hosting is enough when the criterion asks for one
    assert certify(hosted, {**CRITERIA, "min_years_hosting": 1}, none).tolist() == [True, True, False, True, False]
    # never hosting: never certified, even with no criteria
    loose = {"min_years_hosting": 0, "min_apprentices_per_year": 0, "max_certified_share": 1.0}
    assert certify(hosted, loose, none).tolist() == [True, True, True, True, False]


def test_a_certified_firm_stays_and_counts_against_the_quota() -> None:
    hosted = np.array([[0, 10, 8], [0, 10, 8]])
    already = np.array([True, False, False])  # certified before, hosted nothing since
    quota = {**CRITERIA, "max_certified_share": 2 / 3}
    assert certify(hosted, quota, already).tolist() == [True, True, False]
    with pytest.raises(ValueError, match="years x 3 firms"):
        certify(np.zeros((2, 4)), CRITERIA, already)
