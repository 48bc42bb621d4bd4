"""Named random streams derived from one ``numpy.random.SeedSequence`` per run.

Why this shape: every stochastic decision (dropout, exam luck, job search, ...) has its
own stream, a PCG64 seeded from ``(run seed, stream name)``; week ``w`` of a stream is
the block of draws that starts ``(w + 1) x 2**64`` steps into it (``advance``), so a
week's draws depend only on the run seed, the stream's name and the week. Draws are
made for agent indices in order (element ``i`` belongs to agent ``i``), so student
``i`` meets the same luck under scenario A and scenario B (common random numbers) even
when the policy changes who is eligible for a decision. Stream names are turned into
integers with CRC-32, never with the built-in ``hash()``, which is salted per process
and would break reproducibility across processes.

Positioning a stream costs a state copy and an ``advance`` (a few microseconds), not a
new SeedSequence, which matters when a run asks for a dozen streams every week.
"""

from __future__ import annotations

import zlib
from typing import Any

import numpy as np

WEEK_BLOCK_BITS = 64
"""Each week of a stream owns 2**64 draws: far more than any week uses."""


def stream_key(name: str) -> int:
    """A stable integer for a stream name (identical in every process)."""
    return zlib.crc32(name.encode("utf-8"))


class RandomStreams:
    """The run's random numbers: one SeedSequence, spawned into named, weekly streams."""

    __slots__ = ("_streams", "root")

    def __init__(self, seed: int | np.random.SeedSequence) -> None:
        self.root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self._streams: dict[str, tuple[np.random.SeedSequence, dict[str, Any], np.random.PCG64,
                                       np.random.Generator]] = {}

    def _stream(self, name: str) -> tuple[np.random.SeedSequence, dict[str, Any], np.random.PCG64,
                                          np.random.Generator]:
        found = self._streams.get(name)
        if found is None:
            seq = np.random.SeedSequence(self.root.entropy, spawn_key=(*self.root.spawn_key, stream_key(name)))
            bitgen = np.random.PCG64(seq)
            found = (seq, bitgen.state, bitgen, np.random.Generator(bitgen))
            self._streams[name] = found
        return found

    def _positioned(self, name: str, week: int) -> np.random.Generator:
        """The stream's shared generator, at the start of ``week`` (valid until the next call)."""
        _seq, start, bitgen, generator = self._stream(name)
        bitgen.state = start
        bitgen.advance((week + 1) << WEEK_BLOCK_BITS)
        return generator

    def generator(self, name: str, week: int = -1) -> np.random.Generator:
        """An independent generator for one stream in one week (week -1: set-up draws)."""
        seq = self._stream(name)[0]
        bitgen = np.random.PCG64(seq)
        bitgen.advance((week + 1) << WEEK_BLOCK_BITS)
        return np.random.Generator(bitgen)

    def uniform(self, name: str, week: int, n: int) -> np.ndarray:
        """``n`` uniform [0, 1) draws, element ``i`` belonging to agent ``i``."""
        return self._positioned(name, week).random(n)

    def normal(self, name: str, week: int, n: int) -> np.ndarray:
        """``n`` standard normal draws, element ``i`` belonging to agent ``i``."""
        return self._positioned(name, week).standard_normal(n)
