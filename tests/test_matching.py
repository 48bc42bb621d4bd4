"""Deferred acceptance (sim.mechanisms.matching): hand-worked answers, stability, and the `matching` oracle.

The oracle is the `matching` package's hospital-resident solver (Wilde, Knight & Gillard
2020), a test dependency: it is imported at the top so that the tests fail, not skip,
when it is missing.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matching.games import HospitalResident

from sim.mechanisms.matching import UNMATCHED, deferred_acceptance, placement_matching, placement_preferences

A, B, C = 0, 1, 2
X = UNMATCHED


def blocking_pairs(prefs: np.ndarray, firm_rank: np.ndarray, capacity: np.ndarray, matched: np.ndarray,
                   rows: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Every (student, firm) pair that would both rather have each other than what they got.

    Written from the definition, one pair at a time (slow and plain on purpose): the
    student ranks the firm above their match (or is unmatched and finds the firm
    acceptable), and the firm has a free place or holds a student it ranks below this one
    (ties broken by index, as the function under test documents).
    """
    rows = np.arange(len(capacity)) if rows is None else rows
    pairs = []
    for student, row in enumerate(prefs):
        ranked = [int(f) for f in row if f != UNMATCHED]
        better = ranked if matched[student] == UNMATCHED else ranked[:ranked.index(int(matched[student]))]
        for firm in better:
            key = (firm_rank[rows[firm], student], student)
            held = [s for s in np.flatnonzero(matched == firm)]
            if len(held) < capacity[firm] or any((firm_rank[rows[firm], s], s) > key for s in held):
                pairs.append((student, firm))
    return pairs


def oracle(prefs: np.ndarray, firm_rank: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """The resident-optimal matching of the `matching` package's HospitalResident solver."""
    n_students = len(prefs)
    firms_used = {int(f) for f in prefs.ravel() if f != UNMATCHED and capacity[f] > 0}
    resident_prefs = {s: [f"f{f}" for f in row if f != UNMATCHED and capacity[f] > 0] for s, row in enumerate(prefs)}
    resident_prefs = {s: firms for s, firms in resident_prefs.items() if firms}
    hospital_prefs = {}
    for firm in firms_used:
        applicants = [s for s, firms in resident_prefs.items() if f"f{firm}" in firms]
        hospital_prefs[f"f{firm}"] = sorted(applicants, key=lambda s, firm=firm: (firm_rank[firm, s], s))
    result = np.full(n_students, UNMATCHED)
    if not resident_prefs:
        return result
    game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs,
                                                     {f"f{f}": int(capacity[f]) for f in firms_used})
    for hospital, residents in game.solve(optimal="resident").items():
        for resident in residents:
            result[resident.name] = int(hospital.name[1:])
    return result


# ---------------------------------------------------------------------------- hand-worked answers


def test_a_worked_example_of_three_rounds() -> None:
    # A has 1 place, B 2; both firms rank s2 < s1 < s0 < s3.
    # Round 1: s0, s1, s2 ask A, which holds s2; s3 asks B, which holds s3.
    # Round 2: s0 and s1 ask B, which keeps s1 and s0 and rejects s3.
    # Round 3: s3 asks A, which keeps s2. s3's list is exhausted.
    prefs = np.array([[A, B], [A, B], [A, X], [B, A]])
    firm_rank = np.array([[2, 1, 0, 3], [2, 1, 0, 3]])
    matched = deferred_acceptance(prefs, firm_rank, np.array([1, 2]))
    assert matched.tolist() == [B, B, A, UNMATCHED]


def test_students_get_their_optimal_stable_matching_not_the_firms() -> None:
    # Two stable matchings: s0-A, s1-B (students' first choices) and s0-B, s1-A (firms' first choices)
    prefs = np.array([[A, B], [B, A]])
    firm_rank = np.array([[1, 0], [0, 1]])  # A prefers s1, B prefers s0
    assert deferred_acceptance(prefs, firm_rank, np.array([1, 1])).tolist() == [A, B]


def test_equal_ranks_are_broken_by_the_students_index() -> None:
    prefs = np.array([[A], [A], [A]])
    firm_rank = np.zeros((1, 3))
    assert deferred_acceptance(prefs, firm_rank, np.array([2])).tolist() == [A, A, UNMATCHED]


def test_a_firm_without_places_and_an_empty_list_leave_students_unmatched() -> None:
    prefs = np.array([[A, X], [A, B], [X, X]])
    firm_rank = np.array([[0, 1, 2], [0, 1, 2]])
    assert deferred_acceptance(prefs, firm_rank, np.array([0, 1])).tolist() == [UNMATCHED, B, UNMATCHED]


def test_firms_sharing_a_ranking_row() -> None:
    # firms 0 and 2 share row 0 (s1 first), firm 1 uses row 1 (s0 first); one place each
    prefs = np.array([[A, B, C], [A, B, C]])
    firm_rank = np.array([[1, 0], [0, 1]])
    matched = deferred_acceptance(prefs, firm_rank, np.array([1, 1, 1]), firm_rank_row=np.array([0, 1, 0]))
    assert matched.tolist() == [B, A]


def test_no_students_or_no_firms() -> None:
    assert deferred_acceptance(np.zeros((0, 0), dtype=int), np.zeros((0, 0)), np.zeros(0, dtype=int)).size == 0
    none = deferred_acceptance(np.full((2, 0), UNMATCHED), np.zeros((0, 2)), np.zeros(0, dtype=int))
    assert none.tolist() == [UNMATCHED, UNMATCHED]


@pytest.mark.parametrize(("prefs", "capacity", "words"), [
    (np.array([[A, A]]), np.array([1]), "twice"),
    (np.array([[X, A]]), np.array([1]), "after the padding"),
    (np.array([[3]]), np.array([1]), "outside"),
    (np.array([[A]]), np.array([-1]), "capacity"),
    (np.array([[0.0]]), np.array([1]), "integer"),
])
def test_inputs_that_describe_no_matching_are_refused(prefs: np.ndarray, capacity: np.ndarray, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        deferred_acceptance(prefs, np.zeros((1, 1)), capacity)


# ---------------------------------------------------------------------------- properties and the oracle


@st.composite
def problems(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A random matching problem: students' lists of distinct firms, firms' rankings (with ties or not), capacities."""
    n_students = draw(st.integers(0, 12))
    n_firms = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    prefs = np.full((n_students, n_firms), UNMATCHED)
    for s in range(n_students):
        length = rng.integers(0, n_firms + 1)
        prefs[s, :length] = rng.permutation(n_firms)[:length]
    if draw(st.booleans()):  # strict rankings
        firm_rank = np.array([rng.permutation(n_students) for _ in range(n_firms)]).reshape(n_firms, n_students)
    else:  # ties, broken by the student's index
        firm_rank = rng.integers(0, max(n_students // 3, 1), size=(n_firms, n_students))
    capacity = rng.integers(0, 4, size=n_firms)
    return prefs, firm_rank, capacity


@settings(max_examples=300, deadline=None)
@given(problems())
def test_the_matching_is_stable_and_within_capacity(problem: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    prefs, firm_rank, capacity = problem
    matched = deferred_acceptance(prefs, firm_rank, capacity)
    assert matched.shape == (len(prefs),)  # each student matched at most once
    for student, firm in enumerate(matched):  # only to a firm the student finds acceptable
        assert firm == UNMATCHED or firm in prefs[student]
    assert (np.bincount(matched[matched >= 0], minlength=len(capacity)) <= capacity).all()
    assert blocking_pairs(prefs, firm_rank, capacity, matched) == []


@settings(max_examples=300, deadline=None)
@given(problems())
def test_the_matching_equals_the_matching_packages_resident_optimal_one(
        problem: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    prefs, firm_rank, capacity = problem
    assert deferred_acceptance(prefs, firm_rank, capacity).tolist() == oracle(prefs, firm_rank, capacity).tolist()


def test_a_larger_seeded_instance_equals_the_oracle() -> None:
    rng = np.random.default_rng(18)
    n_students, n_firms = 150, 25
    prefs = np.full((n_students, n_firms), UNMATCHED)
    for s in range(n_students):
        length = rng.integers(1, 9)
        prefs[s, :length] = rng.choice(n_firms, size=length, replace=False)
    firm_rank = np.array([rng.permutation(n_students) for _ in range(n_firms)])
    capacity = rng.integers(0, 8, size=n_firms)
    matched = deferred_acceptance(prefs, firm_rank, capacity)
    assert matched.tolist() == oracle(prefs, firm_rank, capacity).tolist()
    assert np.count_nonzero(matched >= 0) > 0
    assert blocking_pairs(prefs, firm_rank, capacity, matched) == []


def test_the_checker_finds_a_blocking_pair() -> None:
    prefs = np.array([[A, B], [B, A]])
    firm_rank = np.array([[1, 0], [0, 1]])
    # s0 at B and s1 at A is stable (the firms' optimum); s0 unmatched is not: A has a free place and
    # B would rather have s0 than s1
    assert blocking_pairs(prefs, firm_rank, np.array([1, 1]), np.array([B, A])) == []
    assert blocking_pairs(prefs, firm_rank, np.array([1, 1]), np.array([UNMATCHED, B])) == [(0, A), (0, B)]


# ---------------------------------------------------------------------------- the placement rankings


def test_firms_rank_their_own_sector_first_then_by_composite() -> None:
    # students 0, 1 in sector 0; student 2 in sector 1 with the best score
    _prefs, firm_rank, rows = placement_preferences(
        student_sector=np.array([0, 0, 1]), composite=np.array([60.0, 70.0, 90.0]),
        firm_sector=np.array([0, 1]), post_level=np.array([1.0, 1.0]), certified=np.array([False, False]),
        capacity=np.array([1, 1]))
    assert rows.tolist() == [0, 1]
    assert np.argsort(firm_rank[0]).tolist() == [1, 0, 2]  # sector 0's firms: its students by score, then the rest
    assert np.argsort(firm_rank[1]).tolist() == [2, 1, 0]


def test_students_rank_own_sector_then_post_level_then_index() -> None:
    # firms: 0 sector 1 level 3; 1 sector 0 level 1; 2 sector 0 level 2; 3 sector 0 level 2; 4 no places
    prefs, _, _ = placement_preferences(
        student_sector=np.array([0]), composite=np.array([50.0]), firm_sector=np.array([1, 0, 0, 0, 0]),
        post_level=np.array([3.0, 1.0, 2.0, 2.0, 5.0]), certified=np.zeros(5, dtype=bool),
        capacity=np.array([2, 1, 1, 1, 0]))
    assert prefs.tolist() == [[2, 3, 1, 0]]


def test_certified_priority_comes_after_sector_fit_and_before_post_level() -> None:
    kwargs = dict(student_sector=np.array([0]), composite=np.array([50.0]), firm_sector=np.array([0, 0, 1]),
                  post_level=np.array([3.0, 1.0, 1.0]), certified=np.array([False, True, True]),
                  capacity=np.array([1, 1, 1]))
    assert placement_preferences(**kwargs)[0].tolist() == [[0, 1, 2]]
    assert placement_preferences(**kwargs, certified_priority=True)[0].tolist() == [[1, 0, 2]]


def test_other_sectors_can_be_left_off_the_lists() -> None:
    prefs, _, _ = placement_preferences(
        student_sector=np.array([0, 1]), composite=np.array([50.0, 50.0]), firm_sector=np.array([0, 1]),
        post_level=np.array([1.0, 1.0]), certified=np.zeros(2, dtype=bool), capacity=np.array([1, 1]),
        other_sectors_acceptable=False)
    assert prefs.tolist() == [[0, X], [1, X]]


def test_a_city_round_places_own_sector_first_and_the_best_scores_where_places_are_short() -> None:
    # sector 0: three students, one firm with 2 places; sector 1: one student, one firm with 2 places
    student_sector = np.array([0, 0, 0, 1])
    composite = np.array([55.0, 80.0, 65.0, 40.0])
    prefs, firm_rank, rows = placement_preferences(
        student_sector, composite, firm_sector=np.array([0, 1]), post_level=np.array([2.0, 2.0]),
        certified=np.zeros(2, dtype=bool), capacity=np.array([2, 2]))
    matched = deferred_acceptance(prefs, firm_rank, np.array([2, 2]), firm_rank_row=rows)
    # the two best of sector 0 get its firm; the third takes sector 1's spare place (a misfit)
    assert matched.tolist() == [1, 0, 0, 1]
    assert blocking_pairs(prefs, firm_rank, np.array([2, 2]), matched, rows) == []


def test_other_sectors_firms_rank_by_expected_fit_before_post_level() -> None:
    # firms: 0 own sector; 1, 2 another sector, 2 better known but of a lower post level
    prefs, _, _ = placement_preferences(
        student_sector=np.array([0]), composite=np.array([50.0]), firm_sector=np.array([0, 1, 1]),
        post_level=np.array([0.1, 0.9, 0.2]), certified=np.zeros(3, dtype=bool), capacity=np.array([1, 1, 1]),
        expected_fit=np.array([0.0, 0.1, 0.6]))
    assert prefs.tolist() == [[0, 2, 1]]
    # expected fit never lifts another sector's firm above the student's own, even at 1
    prefs, _, _ = placement_preferences(
        student_sector=np.array([0]), composite=np.array([50.0]), firm_sector=np.array([1, 0]),
        post_level=np.array([0.9, 0.1]), certified=np.zeros(2, dtype=bool), capacity=np.array([1, 1]),
        expected_fit=np.array([1.0, 0.0]))
    assert prefs.tolist() == [[1, 0]]


# ---------------------------------------------------------------------------- the placement round's direct matching

@st.composite
def placement_rounds(draw: st.DrawFn) -> dict[str, object]:
    """A random placement round: sectors, scores (with ties), post levels, certification, fit, places."""
    n_students = draw(st.integers(0, 14))
    n_firms = draw(st.integers(0, 7))
    n_sectors = draw(st.integers(1, 3))
    ints = st.integers(0, n_sectors - 1)
    return dict(
        student_sector=np.array(draw(st.lists(ints, min_size=n_students, max_size=n_students)), dtype=np.int64),
        composite=np.array(draw(st.lists(st.sampled_from([40.0, 55.5, 60.0, 72.25, 90.0]),
                                         min_size=n_students, max_size=n_students))),
        firm_sector=np.array(draw(st.lists(ints, min_size=n_firms, max_size=n_firms)), dtype=np.int64),
        post_level=np.array(draw(st.lists(st.sampled_from([0.1, 0.4, 0.7]), min_size=n_firms, max_size=n_firms))),
        certified=np.array(draw(st.lists(st.booleans(), min_size=n_firms, max_size=n_firms)), dtype=bool),
        capacity=np.array(draw(st.lists(st.integers(0, 3), min_size=n_firms, max_size=n_firms)), dtype=np.int64),
        expected_fit=np.array(draw(st.lists(st.sampled_from([0.0, 0.3, 0.8]), min_size=n_firms, max_size=n_firms))),
        certified_priority=draw(st.booleans()),
        other_sectors_acceptable=draw(st.booleans()),
    )


@settings(max_examples=300, deadline=None)
@given(placement_rounds())
def test_the_direct_matching_equals_deferred_acceptance_on_the_rounds_rankings(round_: dict[str, object]) -> None:
    prefs, firm_rank, rows = placement_preferences(**round_)  # type: ignore[arg-type]
    capacity = round_["capacity"]
    assert isinstance(capacity, np.ndarray)
    expected = deferred_acceptance(prefs, firm_rank, capacity, firm_rank_row=rows)
    found = placement_matching(**round_)  # type: ignore[arg-type]
    assert found.tolist() == expected.tolist()
    assert blocking_pairs(prefs, firm_rank, capacity, found, rows) == []


def test_the_direct_matching_equals_the_oracle_on_a_larger_seeded_round() -> None:
    rng = np.random.default_rng(18)
    n_students, n_firms = 300, 40
    round_ = dict(student_sector=rng.integers(0, 4, n_students), composite=rng.normal(60, 10, n_students),
                  firm_sector=rng.integers(0, 4, n_firms), post_level=rng.beta(2, 5, n_firms),
                  certified=rng.random(n_firms) < 0.3, capacity=rng.integers(0, 8, n_firms),
                  expected_fit=rng.random(n_firms) * 0.5, certified_priority=True)
    prefs, firm_rank, rows = placement_preferences(**round_)
    expanded_rank = firm_rank[rows]  # the oracle takes one ranking per firm
    assert placement_matching(**round_).tolist() == oracle(prefs, expanded_rank, round_["capacity"]).tolist()
