"""Placement as a city-wide matching: student-proposing deferred acceptance, and the rankings it uses.

Why this module: in a city several colleges place apprentices in the same firms, and a
placement office that fills places first come, first served (today's single-programme
round, ``sim.mechanisms.placement``) lets the order of the queue decide who gets the good
posts. The city's placement rounds (issue 18, "The city") instead match the apprentices
of every programme to the participating firms' places at once, as a many-to-one stable
matching: no student and firm would both rather have each other than what they got. Of
the stable matchings, the one students propose in is the best for every student (Gale &
Shapley 1962, Theorem 2), and with it no student can gain by misreporting their ranking
(Dubins & Freedman 1981; Roth 1982; the many-to-one case is surveyed in Roth 2008): the
properties a bureau can defend to families.

Pure functions, no state, no randomness (ties are broken by index):

* :func:`deferred_acceptance` - the algorithm on NumPy arrays, for any rankings.
* :func:`placement_preferences` - the students' and firms' rankings of a placement round:
  firms rank candidates by sector fit, then composite score; students rank firms by
  sector fit (own sector, then the chance of a fitting post elsewhere), then
  (optionally) certification, then post level.
* :func:`placement_matching` - the same matching as the two above, found directly from
  the rankings' structure in a few sorts; the placement phase (``sim.mechanisms.placement``)
  calls it every round. ``tests/test_matching.py`` checks it against
  ``deferred_acceptance``, and ``deferred_acceptance`` against the ``matching`` package.

References (docs/city.md, References): Gale, D. & Shapley, L. S. (1962). College admissions
and the stability of marriage. *American Mathematical Monthly* 69(1): 9-15. Roth, A. E.
(1984). The evolution of the labor market for medical interns and residents: a case study
in game theory. *Journal of Political Economy* 92(6): 991-1016. Roth, A. E. (2008).
Deferred acceptance algorithms: history, theory, practice, and open questions.
*International Journal of Game Theory* 36(3-4): 537-569. Roth, A. E. (1982). The
economics of matching: stability and incentives. *Mathematics of Operations Research*
7(4): 617-628. Dubins, L. E. & Freedman, D. A. (1981). Machiavelli and the Gale-Shapley
algorithm. *American Mathematical Monthly* 88(7): 485-494. McVitie, D. G. & Wilson, L. B.
(1970). Stable marriage assignment for unequal sets. *BIT* 10: 295-309.
"""

from __future__ import annotations

import numpy as np

# The firm of a student left without a place, and the padding of a student's ranked list (the
# value of ``sim.engine.population.NO_ONE``; not a model constant, so not in docs/model.md §8.2).
UNMATCHED = -1


def deferred_acceptance(student_prefs: np.ndarray, firm_rank: np.ndarray, capacity: np.ndarray,
                        firm_rank_row: np.ndarray | None = None) -> np.ndarray:
    """The student-optimal stable matching of students to firms' places (many-to-one).

    Gale & Shapley's (1962) deferred acceptance with students proposing, run in
    simultaneous rounds (McVitie & Wilson 1970): in each round every student without a
    tentative place proposes to the next firm on their list; each firm holds the best of
    its held and new proposers up to its capacity and rejects the rest. No acceptance is
    final until no one is rejected. The outcome does not depend on the order in which
    proposals are made (Dubins & Freedman 1981), so the rounds give the same matching as
    one proposal at a time; a round costs one sort of the proposals in play, so a city of
    thousands of apprentices takes as many rounds as the longest list used.

    The matching is stable (no student and firm that both prefer each other to what they
    have, and no firm with a free place that a student ranking it would rather take), each
    firm holds at most its capacity, and every student gets the best firm they can have in
    any stable matching (Gale & Shapley 1962, Theorem 2; in the college admissions form,
    Roth 1984).

    Args:
        student_prefs: int array (students x list length): row ``i`` is student ``i``'s
            acceptable firms, most preferred first, padded at the end with ``UNMATCHED``
            (-1). A firm not on the list is unacceptable to the student. No firm twice.
        firm_rank: int or float array (rankings x students): lower is better. Row
            ``firm_rank_row[f]`` is firm ``f``'s ranking of the students; equal values
            are broken by the student's index (lower first), so every firm's ranking is
            strict. A firm accepts every student who proposes (to refuse students, leave
            the firm off their lists).
        capacity: int array (firms,): the places each firm fills at most (0: none).
        firm_rank_row: int array (firms,): the row of ``firm_rank`` of each firm, so
            firms that rank alike (all the firms of a sector) share one row; None means
            firm ``f`` uses row ``f``.

    Returns:
        int array (students,): each student's firm, or ``UNMATCHED``.

    Raises:
        ValueError: the arrays do not fit together (shapes, a firm index out of range, a
            firm twice on a list, padding before the end of a list, a negative capacity).
    """
    prefs = np.asarray(student_prefs)
    capacity = np.asarray(capacity)
    firm_rank = np.asarray(firm_rank)
    if prefs.ndim == 1 and prefs.size == 0:
        prefs = prefs.reshape(0, 0)
    n_firms = len(capacity)
    rows = np.arange(n_firms) if firm_rank_row is None else np.asarray(firm_rank_row)
    _check_inputs(prefs, firm_rank, capacity, rows)
    n_students, list_length = prefs.shape
    held_by = np.full(n_students, UNMATCHED, dtype=np.int64)
    if n_students == 0 or list_length == 0:
        return held_by
    list_lengths = np.count_nonzero(prefs != UNMATCHED, axis=1)
    next_choice = np.zeros(n_students, dtype=np.int64)
    while True:
        proposers = np.flatnonzero((held_by == UNMATCHED) & (next_choice < list_lengths))
        if len(proposers) == 0:
            return held_by
        targets = prefs[proposers, next_choice[proposers]].astype(np.int64)
        next_choice[proposers] += 1
        # the firms proposed to this round reconsider everyone they hold together with the newcomers
        asked = np.zeros(n_firms, dtype=bool)
        asked[targets] = True
        holding = np.flatnonzero((held_by != UNMATCHED) & asked[np.maximum(held_by, 0)])
        students = np.concatenate([holding, proposers])
        firms = np.concatenate([held_by[holding], targets])
        ranks = firm_rank[rows[firms], students]
        order = np.lexsort((students, ranks, firms))  # by firm, then the firm's ranking, then index
        students, firms = students[order], firms[order]
        position = np.arange(len(firms)) - np.searchsorted(firms, firms, side="left")
        held_by[students] = np.where(position < capacity[firms], firms, UNMATCHED)


def _check_inputs(prefs: np.ndarray, firm_rank: np.ndarray, capacity: np.ndarray, rows: np.ndarray) -> None:
    """Refuse arrays that do not describe a matching problem (a programming error, not a user's)."""
    if prefs.ndim != 2 or not np.issubdtype(prefs.dtype, np.integer):
        raise ValueError(f"student_prefs must be a 2-d integer array, found shape {prefs.shape} of {prefs.dtype}")
    if capacity.ndim != 1 or not np.issubdtype(capacity.dtype, np.integer) or (capacity < 0).any():
        raise ValueError("capacity must be a 1-d array of whole numbers of at least 0")
    n_firms = len(capacity)
    if rows.shape != (n_firms,) or not np.issubdtype(rows.dtype, np.integer):
        raise ValueError(f"firm_rank_row must give one row for each of the {n_firms} firms")
    if firm_rank.ndim != 2 or firm_rank.shape[1] != prefs.shape[0]:
        raise ValueError(f"firm_rank must have one column per student ({prefs.shape[0]}), found shape "
                         f"{firm_rank.shape}")
    if n_firms and len(rows) and (rows.min() < 0 or rows.max() >= firm_rank.shape[0]):
        raise ValueError("firm_rank_row names a row that firm_rank does not have")
    if prefs.size == 0:
        return
    if prefs.min() < UNMATCHED or prefs.max() >= n_firms:
        raise ValueError(f"student_prefs holds a firm outside 0..{n_firms - 1} (pad lists with {UNMATCHED})")
    padding = prefs == UNMATCHED
    if (padding[:, :-1] & ~padding[:, 1:]).any():
        raise ValueError(f"student_prefs has a firm after the padding {UNMATCHED}: pad only at the end of a list")
    ordered = np.sort(prefs, axis=1)
    if ((ordered[:, 1:] == ordered[:, :-1]) & (ordered[:, 1:] != UNMATCHED)).any():
        raise ValueError("student_prefs names a firm twice on one student's list")


def placement_preferences(student_sector: np.ndarray, composite: np.ndarray, firm_sector: np.ndarray,
                          post_level: np.ndarray, certified: np.ndarray, capacity: np.ndarray, *,
                          expected_fit: np.ndarray | None = None, certified_priority: bool = False,
                          other_sectors_acceptable: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The rankings of a city placement round, by the rules of issue 18, ready for :func:`deferred_acceptance`.

    Students rank the firms with places by sector fit: firms of their own sector first,
    then firms of other sectors by ``expected_fit``, the chance that the school finds the
    student a post fitting their training there (the school's knowledge of the firm's
    posts, docs/model.md §7.10); then, when ``certified_priority``, certified firms
    (产教融合型企业) before the others; then the higher post level (posts of more technical
    content teach more, docs/model.md §7.12); then the firm's index. Firms rank candidates by sector fit (their
    own sector's students first), then the higher composite score at the round, then the
    student's index. Every firm of a sector ranks alike, so the firms share one ranking per
    sector (``firm_rank_row`` is the firm's sector).

    Certified firms' priority is a proposal, written down here because docs/model.md does
    not yet state one: the bureau's certified list gives a firm precedence in the
    placement office's lists (a student is offered a certified firm's place before an
    uncertified one of the same sector fit), never over sector fit, and it changes no
    firm's ranking of students. Off by default, so that a city without a certified list
    places as one with it would, firm quality aside.

    Args:
        student_sector: int array (students,): each apprentice's sector (city sector index).
        composite: float array (students,): each apprentice's composite score at the round.
        firm_sector: int array (firms,): each firm's sector.
        post_level: float array (firms,): each firm's post level (technical content).
        certified: bool array (firms,): the firm is on the bureau's certified list.
        capacity: int array (firms,): places the firm offers this round; a firm with no
            place is left off every list.
        expected_fit: float array (firms,), 0-1: the chance of a fitting post with the firm
            for a student of another sector (None: 0 for every firm).
        certified_priority: certified firms come before uncertified ones of the same
            sector fit in the students' lists.
        other_sectors_acceptable: students accept firms of another sector (after every
            firm of their own), as today's second pass does (a misfit, docs/model.md §7.7);
            False limits each list to the student's own sector.

    Returns:
        ``(student_prefs, firm_rank, firm_rank_row)``: the arguments of
        :func:`deferred_acceptance` after ``capacity``. ``student_prefs`` has one column
        per firm with places (students x firms: a city's thousands of apprentices and
        hundreds of firms), ``firm_rank`` one row per sector index up to the largest used.
    """
    student_sector = np.asarray(student_sector, dtype=np.int64)
    firm_sector = np.asarray(firm_sector, dtype=np.int64)
    composite = np.asarray(composite, dtype=float)
    post_level = np.asarray(post_level, dtype=float)
    certified = np.asarray(certified, dtype=bool)
    capacity = np.asarray(capacity, dtype=np.int64)
    n_students = len(student_sector)
    n_sectors = int(max(student_sector.max(initial=-1), firm_sector.max(initial=-1))) + 1

    # firms: one ranking per sector; rank = position in (other sector, -composite, index) order
    firm_rank = np.empty((n_sectors, n_students), dtype=np.int64)
    for sector in range(n_sectors):
        order = np.lexsort((np.arange(n_students), -composite, student_sector != sector))
        firm_rank[sector, order] = np.arange(n_students)

    # students: one list per sector, since students of a sector rank alike
    open_firms = np.flatnonzero(capacity > 0)
    prefs = np.full((n_students, len(open_firms)), UNMATCHED, dtype=np.int64)
    priority = ~certified[open_firms] if certified_priority else np.zeros(len(open_firms), dtype=bool)
    fit = np.zeros(len(open_firms)) if expected_fit is None else np.asarray(expected_fit, dtype=float)[open_firms]
    for sector in np.unique(student_sector):
        misfit = firm_sector[open_firms] != sector
        order = np.lexsort((open_firms, -post_level[open_firms], priority, np.where(misfit, -fit, 0.0), misfit))
        ranked = open_firms[order]
        if not other_sectors_acceptable:
            ranked = ranked[~misfit[order]]
        prefs[np.flatnonzero(student_sector == sector), :len(ranked)] = ranked
    return prefs, firm_rank, firm_sector


def placement_matching(student_sector: np.ndarray, composite: np.ndarray, firm_sector: np.ndarray,
                       post_level: np.ndarray, certified: np.ndarray, capacity: np.ndarray, *,
                       expected_fit: np.ndarray | None = None, certified_priority: bool = False,
                       other_sectors_acceptable: bool = True) -> np.ndarray:
    """The student-optimal stable matching of a placement round, in two sorts instead of rounds of proposals.

    The same matching as ``deferred_acceptance(*placement_preferences(...), capacity)``
    with the same arguments (``tests/test_matching.py`` checks it on random instances),
    found directly because the rankings of a placement round have a structure a general
    matching does not:

    1. *Own sector.* A firm ranks every student of its sector above any other, and a
       student ranks every firm of their sector above any other, so in a stable matching
       a sector's places go to the sector's own students as long as any is left without
       one. Among them every firm ranks by composite score and every student ranks the
       firms alike (certification, post level, index), so the one stable assignment is a
       serial dictatorship: the sector's students in order of composite score each take
       the best firm with a place left.
    2. *Other sectors.* A student left after step 1 comes from a sector whose places are
       all taken, and a firm with places left has placed every student of its own sector,
       so every such firm ranks the students left by composite score alone, and every
       student ranks the firms left alike (expected fit, certification, post level,
       index). A common ranking on both sides again makes serial dictatorship the one
       stable assignment.

    A round of a 2,100-student programme costs a few sorts; a million students with tens
    of thousands of firms, where the list of every student has a column per firm, stays
    within memory (the general ``deferred_acceptance`` would need students x firms).

    Arguments as :func:`placement_preferences`. Returns each student's firm, or ``UNMATCHED``.
    """
    student_sector = np.asarray(student_sector, dtype=np.int64)
    firm_sector = np.asarray(firm_sector, dtype=np.int64)
    composite = np.asarray(composite, dtype=float)
    post_level = np.asarray(post_level, dtype=float)
    left = np.array(capacity, dtype=np.int64)
    n_students, n_firms = len(student_sector), len(firm_sector)
    firm_of = np.full(n_students, UNMATCHED, dtype=np.int64)
    if n_students == 0 or n_firms == 0:
        return firm_of
    priority = ~np.asarray(certified, dtype=bool) if certified_priority else np.zeros(n_firms, dtype=bool)
    firm_index = np.arange(n_firms)
    # the order every student ranks firms within a sector, and the order firms rank students
    within_sector = np.lexsort((firm_index, -post_level, priority))
    best_first = np.lexsort((np.arange(n_students), -composite))
    for sector in np.unique(student_sector):
        students = best_first[student_sector[best_first] == sector]
        firms = within_sector[(firm_sector[within_sector] == sector) & (left[within_sector] > 0)]
        _serial_dictatorship(students, firms, left, firm_of)
    if other_sectors_acceptable:
        fit = np.zeros(n_firms) if expected_fit is None else np.asarray(expected_fit, dtype=float)
        students = best_first[firm_of[best_first] == UNMATCHED]
        across = np.lexsort((firm_index, -post_level, priority, -fit))
        firms = across[left[across] > 0]
        _serial_dictatorship(students, firms, left, firm_of)
    return firm_of


def _serial_dictatorship(students: np.ndarray, firms: np.ndarray, left: np.ndarray, firm_of: np.ndarray) -> None:
    """``students`` in turn take the first of ``firms`` with a place ``left``; updates ``left`` and ``firm_of``."""
    places = np.repeat(firms, left[firms])
    k = min(len(students), len(places))
    firm_of[students[:k]] = places[:k]
    left -= np.bincount(places[:k], minlength=len(left))


__all__ = ["UNMATCHED", "deferred_acceptance", "placement_matching", "placement_preferences"]
