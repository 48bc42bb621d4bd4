"""Each run's sum (and count) over its block of a batch-wide array, exactly as the run alone sums its own array.

Why: a phase over a batch hands each run totals of its own agents (hours given, costs,
outputs), and a run alone sums its array with ``ndarray.sum`` (``np.add.reduce``: pairwise
summation, whose grouping depends on the length). A sum per block costs a NumPy call per run
and week; the compiled loop (``sim.engine.compiled``) replays ``np.add.reduce``'s pairwise
summation for every block in one call, checked against it before first use.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from sim.engine.compiled import compile_loops


def _block_sums(values: np.ndarray, sizes: np.ndarray, sums: np.ndarray) -> None:
    """``sums[g] = np.add.reduce`` of block ``g`` of ``values``: NumPy's pairwise summation, replayed (compiled).

    NumPy sums a contiguous float64 array as ``0.0 + pairwise(a, n)``, where ``pairwise`` adds
    fewer than 8 values in order, up to 128 with eight interleaved partial sums combined as
    ``((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))`` and then the rest in order, and
    more by halves (the first ``n // 2`` rounded down to a multiple of 8). The recursion
    runs on an explicit stack (frames: start, length, step; the left half's sum). Checked
    against ``np.add.reduce`` before use (``_sums_like_numpy``): where NumPy sums otherwise,
    the NumPy path is used.
    """
    start_of = np.empty(64, dtype=np.int64)
    length_of = np.empty(64, dtype=np.int64)
    step_of = np.empty(64, dtype=np.int64)
    left_of = np.empty(64, dtype=np.float64)
    first = 0
    for g in range(len(sizes)):
        top = 0
        start_of[0] = first
        length_of[0] = sizes[g]
        step_of[0] = 0
        first += sizes[g]
        result = 0.0  # the sum of the frame finished last
        while top >= 0:
            lo = start_of[top]
            n = length_of[top]
            if n < 8:
                result = 0.0
                for i in range(lo, lo + n):
                    result += values[i]
                top -= 1
            elif n <= 128:
                r0 = values[lo]
                r1 = values[lo + 1]
                r2 = values[lo + 2]
                r3 = values[lo + 3]
                r4 = values[lo + 4]
                r5 = values[lo + 5]
                r6 = values[lo + 6]
                r7 = values[lo + 7]
                i = 8
                while i < n - n % 8:
                    r0 += values[lo + i]
                    r1 += values[lo + i + 1]
                    r2 += values[lo + i + 2]
                    r3 += values[lo + i + 3]
                    r4 += values[lo + i + 4]
                    r5 += values[lo + i + 5]
                    r6 += values[lo + i + 6]
                    r7 += values[lo + i + 7]
                    i += 8
                result = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
                while i < n:
                    result += values[lo + i]
                    i += 1
                top -= 1
            else:
                half = n // 2
                half -= half % 8
                if step_of[top] == 0:  # sum the left half first
                    step_of[top] = 1
                    start_of[top + 1] = lo
                    length_of[top + 1] = half
                    step_of[top + 1] = 0
                    top += 1
                elif step_of[top] == 1:  # the left half is summed: the right half
                    left_of[top] = result
                    step_of[top] = 2
                    start_of[top + 1] = lo + half
                    length_of[top + 1] = n - half
                    step_of[top + 1] = 0
                    top += 1
                else:
                    result = left_of[top] + result
                    top -= 1
        sums[g] = 0.0 + result


@functools.cache
def _sums_like_numpy(block_sums: Any) -> bool:
    """Whether the compiled ``_block_sums`` gives ``np.add.reduce``'s sums (every length to 600, some longer)."""
    rng = np.random.default_rng(17)
    sizes = np.concatenate([np.arange(600), rng.integers(600, 40_000, 40)]).astype(np.int64)
    values = rng.standard_normal(int(sizes.sum())) * rng.choice([1e-3, 1.0, 1e6], int(sizes.sum()))
    sums = np.empty(len(sizes))
    block_sums(values, sizes, sums)
    starts = np.concatenate(([0], np.cumsum(sizes)))
    return all(sums[g] == np.add.reduce(values[starts[g]:starts[g + 1]]) for g in range(len(sizes)))


def block_counts(mask: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """How many of each block ``starts[g]:starts[g + 1]`` of ``mask`` are set (compiled where numba is installed).

    Whole numbers: exact however counted (``Batch.counts``, the record's counts).
    """
    counts = np.zeros(len(starts) - 1, dtype=np.int64)
    for g in range(len(counts)):
        for j in range(starts[g], starts[g + 1]):
            if mask[j]:
                counts[g] += 1
    return counts


def block_sums(values: np.ndarray, sizes: np.ndarray) -> list[float]:
    """``float(np.add.reduce(block))`` of each block of ``values`` (block ``g``: ``sizes[g]`` values after ``g - 1``'s).

    The same numbers as summing each run's contiguous slice with ``ndarray.sum``; compiled
    (when numba is installed and replays NumPy's summation exactly) in one call for all blocks.
    """
    loops = compile_loops(_block_sums)
    if loops is not None and len(sizes) > 1 and values.dtype == np.float64 and values.flags.c_contiguous \
            and _sums_like_numpy(loops[0]):
        sums = np.empty(len(sizes))
        loops[0](values, np.asarray(sizes, dtype=np.int64), sums)
        return sums.tolist()
    found = []
    stop = 0
    for n in np.asarray(sizes).tolist():
        start, stop = stop, stop + n
        found.append(float(np.add.reduce(values[start:stop])))
    return found


# --- a city's shared posts: tallies by post over the programmes, and by programme over the posts ---------------


def _post_tallies(post: np.ndarray, marked: np.ndarray, group: np.ndarray, values: np.ndarray,
                  count: np.ndarray, total: np.ndarray) -> None:
    """Each marked student ``i``, in order: ``count[post[i]] += 1``, ``total[post[i]] += values[group[i]]``."""
    for i in range(len(post)):
        if marked[i]:
            p = post[i]
            count[p] += 1
            total[p] += values[group[i]]


def _post_counts(post: np.ndarray, count: np.ndarray) -> None:
    """Each student ``i`` with a post (``post[i] >= 0``): ``count[post[i]] += 1`` (compiled)."""
    for i in range(len(post)):
        if post[i] >= 0:
            count[post[i]] += 1


def _programme_sums(post: np.ndarray, marked: np.ndarray, group: np.ndarray, values: np.ndarray,
                    sums: np.ndarray) -> None:
    """Each marked student ``i``, in order: ``sums[k, group[i]] += values[k, post[i]]`` for each row ``k``."""
    for i in range(len(post)):
        if marked[i]:
            for k in range(values.shape[0]):
                sums[k, group[i]] += values[k, post[i]]


def post_tallies(post: np.ndarray, marked: np.ndarray, group: np.ndarray, values: np.ndarray,
                 n_posts: int) -> tuple[np.ndarray, np.ndarray]:
    """How many marked students each post holds, and the sum of their programmes' ``values``, by post.

    Why: a city's pool post may hold students of several programmes, and a phase often needs,
    for every post, how many it holds and a per-programme value summed over them (a mentor's
    paid share, its sessions at school). ``post``: each student's post (pool positions, read
    where ``marked``); ``group``: each student's programme (``GroupIndex.group_of``);
    ``values``: one per programme. The same numbers as ``np.bincount`` over the marked
    students (counts, and the weighted sum added in student order, as ``np.bincount`` adds),
    in one compiled pass where numba is installed.
    """
    loops = compile_loops(_post_tallies, _programme_sums, _post_counts)
    if loops is None:
        owner = group[marked]
        posts = post[marked]
        return (np.bincount(posts, minlength=n_posts),
                np.bincount(posts, weights=np.asarray(values, dtype=float)[owner], minlength=n_posts))
    count = np.zeros(n_posts, dtype=np.int64)
    total = np.zeros(n_posts)
    loops[0](post, marked, group, np.asarray(values, dtype=float), count, total)
    return count, total


def post_means(total: np.ndarray | float, count: np.ndarray, empty: float) -> np.ndarray:
    """``total / count`` for each post that holds anyone (``count > 0``), ``empty`` for the others.

    With ``post_tallies``: the mean over a post's students of their programmes' values (the
    same division as ``np.divide(total, count, where=count > 0)``, without its cost).
    """
    return np.where(count > 0, total / np.maximum(count, 1), empty)


def programme_sums(post: np.ndarray, marked: np.ndarray, group: np.ndarray, values: np.ndarray,
                   n_programmes: int) -> np.ndarray:
    """Each programme's sum, over its marked students, of their posts' ``values`` (one per post, or rows of them).

    The same numbers as ``np.bincount(group[marked], weights=values[post[marked]])`` (added in
    student order) for each row of ``values``, in one compiled pass where numba is installed.
    """
    rows = np.atleast_2d(np.asarray(values, dtype=float))
    loops = compile_loops(_post_tallies, _programme_sums, _post_counts)
    if loops is None:
        owner, posts = group[marked], post[marked]
        sums = np.array([np.bincount(owner, weights=row[posts], minlength=n_programmes) for row in rows])
    else:
        sums = np.zeros((len(rows), n_programmes))
        loops[1](post, marked, group, rows, sums)
    return sums if np.ndim(values) == 2 else sums[0]


def post_counts(post: np.ndarray, n_posts: int) -> np.ndarray:
    """How many students hold each post (``post``: each student's, -1 for none): ``np.bincount`` of those with one."""
    loops = compile_loops(_post_tallies, _programme_sums, _post_counts)
    if loops is None:
        return np.bincount(post[post >= 0], minlength=n_posts)
    count = np.zeros(n_posts, dtype=np.int64)
    loops[2](post, count)
    return count
