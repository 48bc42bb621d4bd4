"""Named random streams derived from one ``numpy.random.SeedSequence`` per run.

Why this shape: every stochastic decision (dropout, exam luck, job search, ...) has its
own stream, and each week of each stream is a fresh generator keyed by
``(run seed, stream name, week)``. Draws are made for *every* agent index in order, so
student ``i`` meets the same luck under scenario A and scenario B (common random
numbers) even when the policy changes who is eligible for a decision. Stream names are
turned into integers with CRC-32, never with the built-in ``hash()``, which is salted
per process and would break reproducibility across processes.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable integer for a stream name (identical in every process)."""
    return zlib.crc32(name.encode("utf-8"))


class RandomStreams:
    """The run's random numbers: one SeedSequence, spawned into named, weekly streams."""

    __slots__ = ("_cache", "root")

    def __init__(self, seed: int | np.random.SeedSequence) -> None:
        self.root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self._cache: dict[tuple[int, int], np.random.Generator] = {}

    def generator(self, name: str, week: int = -1) -> np.random.Generator:
        """A generator for one stream in one week (week -1: set-up draws)."""
        child = np.random.SeedSequence(
            self.root.entropy,
            spawn_key=(*self.root.spawn_key, stream_key(name), week + 1),
        )
        return np.random.Generator(np.random.PCG64(child))

    def uniform(self, name: str, week: int, n: int) -> np.ndarray:
        """``n`` uniform [0, 1) draws, element ``i`` belonging to agent ``i``."""
        return self.generator(name, week).random(n)

    def normal(self, name: str, week: int, n: int) -> np.ndarray:
        """``n`` standard normal draws, element ``i`` belonging to agent ``i``."""
        return self.generator(name, week).standard_normal(n)
