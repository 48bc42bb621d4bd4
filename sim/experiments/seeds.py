"""Replication seeds: one recorded master seed, one integer seed per (point, replication).

Why this shape: a run's seed depends only on the master seed and its own key
``(point, rep)``, never on how many points or replications the experiment has, so
extending a sweep (more replications, a longer Sobol' sequence) leaves every stored run
valid. The key goes into ``numpy.random.SeedSequence(master, spawn_key=(point, rep))``
and the run receives a plain 63-bit integer drawn from it: the integer is recorded
beside the run's results and ``talentsim run --seed <it>`` reproduces the run alone.

Common random numbers: a comparison gives replication ``k`` of every scenario the seed
of key ``(0, k)``, so each scenario meets the same luck and a paired difference shows
the policy, not noise.
"""

from __future__ import annotations

import numpy as np

SEED_BITS = 63
"""Run seeds are non-negative and fit a signed 64-bit column (Parquet int64)."""


def run_seed(master_seed: int, point: int, rep: int) -> int:
    """The integer seed of one run, keyed to ``(point, rep)`` under ``master_seed``.

    Args:
        master_seed: The experiment's recorded master seed (non-negative).
        point: The design point (a sweep point, or the seed group of a comparison).
        rep: The replication index, from 0.

    Returns:
        A non-negative integer below ``2**63``, identical on every machine and process.
    """
    if master_seed < 0 or point < 0 or rep < 0:
        raise ValueError(f"seeds need non-negative integers: master={master_seed} point={point} rep={rep}")
    sequence = np.random.SeedSequence(master_seed, spawn_key=(point, rep))
    word = sequence.generate_state(1, dtype=np.uint64)[0]
    return int(word >> np.uint64(64 - SEED_BITS))


def replication_seeds(master_seed: int, reps: int, point: int = 0) -> list[int]:
    """Seeds of replications ``0 .. reps-1`` of one point (common random numbers use point 0)."""
    return [run_seed(master_seed, point, rep) for rep in range(reps)]


def derived_seed(master_seed: int, purpose: int) -> int:
    """A positive seed for a side computation (sampling a design, bootstrapping indices).

    Kept apart from run seeds by a spawn key of length one, so no run shares it.
    SALib treats a seed of 0 as "no seed", hence the ``+ 1``.
    """
    sequence = np.random.SeedSequence(master_seed, spawn_key=(purpose,))
    return int(sequence.generate_state(1, dtype=np.uint32)[0]) + 1
