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

Every stream a run draws is declared by the mechanism that draws it (``Mechanism.streams``;
a name built at run time as a pattern such as ``school_mentors.selection.{attribute}``).
The model passes the declarations in; a draw from an undeclared name raises at the draw,
so a misspelt name cannot silently open a fresh stream.

Positioning a stream costs a state copy and an ``advance`` (a few microseconds), not a
new SeedSequence, which matters when a run asks for a dozen streams every week. After
uniform draws the stream's position is known (a uniform double takes exactly one 64-bit
output of the PCG64), so the next positioning is a relative ``advance`` alone, without
the state copy (about 1.5 us less, and some 2,000 positionings a run are of uniform
streams); after normal draws (a variable number of outputs) the state is copied back.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from sim.engine.declarations import stream_pattern

if TYPE_CHECKING:
    from numpy.random._pcg64 import _PCG64State as PCG64State  # the type of PCG64.state (typing only)

WEEK_BLOCK_BITS = 64
"""Each week of a stream owns 2**64 draws: far more than any week uses."""
_STATE_MASK = (1 << 128) - 1
"""PCG64's state is 128 bits: an advance of ``d`` steps is one of ``d`` modulo 2**128 (its period)."""


BLOCK_SEPARATOR = "\x00"
"""Between a stream's name and a block's key in ``of_block``: no declared name contains it."""


def of_block(name: str, block: str | None) -> str:
    """The stream ``name`` of one block of agents (a city pool's sector, ``block``): its own luck, keyed by both.

    Why: a city's firms draw their weekly luck by sector, element ``j`` of a sector's stream
    firm ``j`` of the sector, so firms added in one sector move no other sector's draws.
    ``block`` None is the stream itself.
    """
    return name if block is None else f"{name}{BLOCK_SEPARATOR}{block}"


def stream_key(name: str) -> int:
    """A stable integer for a stream name (identical in every process)."""
    return zlib.crc32(name.encode("utf-8"))


class RandomStreams:
    """The run's random numbers: one SeedSequence, spawned into named, weekly streams."""

    __slots__ = ("_declared", "_patterns", "_position", "_streams", "root")

    def __init__(self, seed: int | np.random.SeedSequence, declared: Iterable[str] | None = None) -> None:
        """Streams of one run; ``declared``: the stream names and patterns that may be drawn (None: any)."""
        self.root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self._streams: dict[str, tuple[np.random.SeedSequence, PCG64State, np.random.PCG64,
                                       np.random.Generator]] = {}
        self._position: dict[str, int] = {}
        """Steps each shared generator is past its stream's start, where known (after uniform draws)."""
        names = None if declared is None else tuple(declared)
        self._declared = None if names is None else frozenset(n for n in names if "{" not in n)
        self._patterns: tuple[re.Pattern[str], ...] = tuple(stream_pattern(n) for n in names or () if "{" in n)

    def _check_declared(self, name: str) -> None:
        if self._declared is None or name in self._declared or any(p.match(name) for p in self._patterns):
            return
        raise KeyError(f"random stream {name!r} is not declared by any mechanism (add it to the "
                       "mechanism's Mechanism(streams=...) declaration)")

    def _stream(self, name: str) -> tuple[np.random.SeedSequence, PCG64State, np.random.PCG64,
                                          np.random.Generator]:
        found = self._streams.get(name)
        if found is None:
            declared, _, block = name.partition(BLOCK_SEPARATOR)
            self._check_declared(declared)
            keys = (stream_key(declared),) if not block else (stream_key(declared), stream_key(block))
            seq = np.random.SeedSequence(self.root.entropy, spawn_key=(*self.root.spawn_key, *keys))
            bitgen = np.random.PCG64(seq)
            found = (seq, bitgen.state, bitgen, np.random.Generator(bitgen))  # the getter returns a fresh copy
            self._streams[name] = found
        return found

    def _positioned(self, name: str, week: int, uniforms: int | None = None) -> np.random.Generator:
        """The stream's shared generator, at the start of ``week`` (valid until the next call).

        ``uniforms``: the number of uniform doubles the caller draws next, and nothing else
        (the generator is then that many steps further on: the next positioning advances from
        there); None for any other draw (the next positioning starts again from the state).
        """
        _seq, start, bitgen, generator = self._stream(name)
        target = (week + 1) << WEEK_BLOCK_BITS
        position = self._position.pop(name, None)
        if position is None:
            bitgen.state = start
            bitgen.advance(target)
        else:  # the same state as from the start: an LCG advanced by the difference, modulo its period
            bitgen.advance((target - position) & _STATE_MASK)
        if uniforms is not None:
            self._position[name] = target + uniforms
        return generator

    def generator(self, name: str, week: int = -1) -> np.random.Generator:
        """An independent generator for one stream in one week (week -1: set-up draws)."""
        seq = self._stream(name)[0]
        bitgen = np.random.PCG64(seq)
        bitgen.advance((week + 1) << WEEK_BLOCK_BITS)
        return np.random.Generator(bitgen)

    def uniform(self, name: str, week: int, n: int) -> np.ndarray:
        """``n`` uniform [0, 1) draws, element ``i`` belonging to agent ``i``."""
        return self._positioned(name, week, n).random(n)

    def normal(self, name: str, week: int, n: int) -> np.ndarray:
        """``n`` standard normal draws, element ``i`` belonging to agent ``i``."""
        return self._positioned(name, week).standard_normal(n)

    def fill(self, kind: str, name: str, week: int, out: np.ndarray) -> None:
        """Write ``uniform`` (``kind`` "uniform") or ``normal`` draws of ``name`` in ``week`` into ``out``.

        The same numbers as ``uniform(name, week, len(out))`` or ``normal(...)``: NumPy's
        generators fill an ``out`` array with the draws they would return (the batch writes
        each run's draws straight into its block, without a copy).
        """
        if kind == "normal":
            self._positioned(name, week).standard_normal(out=out)
        else:
            self._positioned(name, week, len(out)).random(out=out)
