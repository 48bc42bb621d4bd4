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

from sim.engine import pcg64
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


class Stream:
    """One named stream of one run: its seed, its state at the start, and the shared generator that draws its weeks.

    Why an object of its own: a batch positions each run's stream of a name every week
    (``Batch`` keeps each name's streams of its runs in a list), so the lookup by name is
    made once, not once per run and week; the position after uniform draws is an
    attribute, not an entry popped from and put back into a dict.
    """

    __slots__ = ("bitgen", "generator", "position", "seed_words", "seq", "start")

    def __init__(self, seq: np.random.SeedSequence) -> None:
        """The stream seeded by ``seq``, its shared generator at the stream's start."""
        self.seq = seq
        self.bitgen = np.random.PCG64(seq)
        self.start: PCG64State = self.bitgen.state  # the getter returns a fresh copy
        self.seed_words = pcg64.seed_words(self.start)[None, :]
        """The start state as the compiled draws read it (``sim.engine.pcg64``; one row)."""
        self.generator = np.random.Generator(self.bitgen)
        self.position: int | None = None
        """Steps the shared generator is past the stream's start, where known (after uniform draws)."""

    def positioned(self, week: int, uniforms: int | None = None) -> np.random.Generator:
        """The shared generator, at the start of ``week`` (valid until the next call).

        ``uniforms``: the number of uniform doubles the caller draws next, and nothing else
        (the generator is then that many steps further on: the next positioning advances from
        there); None for any other draw (the next positioning starts again from the state).
        """
        target = (week + 1) << WEEK_BLOCK_BITS
        position = self.position
        if position is None:
            self.bitgen.state = self.start
            self.bitgen.advance(target)
        else:  # the same state as from the start: an LCG advanced by the difference, modulo its period
            self.bitgen.advance((target - position) & _STATE_MASK)
        self.position = None if uniforms is None else target + uniforms
        return self.generator

    def fill_uniform(self, week: int, out: np.ndarray) -> None:
        """Write the stream's first ``len(out)`` uniform [0, 1) draws of ``week`` into ``out``.

        Compiled where ``sim.engine.pcg64`` is available (the same numbers, without positioning
        the shared generator; about a tenth cheaper a draw than NumPy's), else from the shared
        generator.
        """
        if not pcg64.draw_one("uniform", self.seed_words, (week + 1) << WEEK_BLOCK_BITS, out):
            self.positioned(week, len(out)).random(out=out)

    def fill_normal(self, week: int, out: np.ndarray) -> None:
        """Write the stream's first ``len(out)`` standard normal draws of ``week`` into ``out``.

        As ``fill_uniform`` (compiled: about a third of NumPy's cost for a few thousand draws).
        """
        if not pcg64.draw_one("normal", self.seed_words, (week + 1) << WEEK_BLOCK_BITS, out):
            self.positioned(week).standard_normal(out=out)


class RandomStreams:
    """The run's random numbers: one SeedSequence, spawned into named, weekly streams."""

    __slots__ = ("_blocks", "_declared", "_patterns", "_streams", "root")

    def __init__(self, seed: int | np.random.SeedSequence, declared: Iterable[str] | None = None) -> None:
        """Streams of one run; ``declared``: the stream names and patterns that may be drawn (None: any)."""
        self.root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
        self._streams: dict[str, Stream] = {}
        self._blocks: dict[tuple[str, tuple[tuple[str, int, int], ...]], tuple[np.ndarray, np.ndarray,
                                                                              np.ndarray]] = {}
        """Each (name, blocks) the blocks' streams' start states, first agents and sizes (``fill_blocks``)."""
        names = None if declared is None else tuple(declared)
        self._declared = None if names is None else frozenset(n for n in names if "{" not in n)
        self._patterns: tuple[re.Pattern[str], ...] = tuple(stream_pattern(n) for n in names or () if "{" in n)

    def _check_declared(self, name: str) -> None:
        if self._declared is None or name in self._declared or any(p.match(name) for p in self._patterns):
            return
        raise KeyError(f"random stream {name!r} is not declared by any mechanism (add it to the "
                       "mechanism's Mechanism(streams=...) declaration)")

    def stream(self, name: str) -> Stream:
        """The stream ``name`` of this run (opened at its first use; a name no mechanism declares raises)."""
        found = self._streams.get(name)
        if found is None:
            declared, _, block = name.partition(BLOCK_SEPARATOR)
            self._check_declared(declared)
            keys = (stream_key(declared),) if not block else (stream_key(declared), stream_key(block))
            found = Stream(np.random.SeedSequence(self.root.entropy, spawn_key=(*self.root.spawn_key, *keys)))
            self._streams[name] = found
        return found

    def generator(self, name: str, week: int = -1) -> np.random.Generator:
        """An independent generator for one stream in one week (week -1: set-up draws)."""
        bitgen = np.random.PCG64(self.stream(name).seq)
        bitgen.advance((week + 1) << WEEK_BLOCK_BITS)
        return np.random.Generator(bitgen)

    def uniform(self, name: str, week: int, n: int) -> np.ndarray:
        """``n`` uniform [0, 1) draws, element ``i`` belonging to agent ``i``."""
        out = np.empty(n)
        self.stream(name).fill_uniform(week, out)
        return out

    def normal(self, name: str, week: int, n: int) -> np.ndarray:
        """``n`` standard normal draws, element ``i`` belonging to agent ``i``."""
        out = np.empty(n)
        self.stream(name).fill_normal(week, out)
        return out

    def fill_blocks(self, kind: str, name: str, week: int, blocks: tuple[tuple[str, int, int], ...],
                    out: np.ndarray) -> None:
        """Each block's draws of ``name`` (block ``(key, first, count)``: its own stream, ``of_block(name, key)``).

        The block's ``count`` draws go to ``out[first:first + count]``: the same numbers as
        ``fill`` block by block, in one compiled call where ``sim.engine.pcg64`` is available.
        """
        if not blocks:
            return
        found = self._blocks.get((name, blocks))
        if found is None:
            seeds = np.concatenate([self.stream(of_block(name, key)).seed_words for key, _, _ in blocks])
            found = self._blocks[(name, blocks)] = (seeds, np.array([first for _, first, _ in blocks], dtype=np.int64),
                                                    np.array([count for _, _, count in blocks], dtype=np.int64))
        if not pcg64.draw(kind, found[0], (week + 1) << WEEK_BLOCK_BITS, found[1], found[2], out):
            for key, first, count in blocks:
                self.fill(kind, of_block(name, key), week, out[first:first + count])

    def fill(self, kind: str, name: str, week: int, out: np.ndarray) -> None:
        """Write ``uniform`` (``kind`` "uniform") or ``normal`` draws of ``name`` in ``week`` into ``out``.

        The same numbers as ``uniform(name, week, len(out))`` or ``normal(...)``: NumPy's
        generators fill an ``out`` array with the draws they would return (the batch writes
        each run's draws straight into its block, without a copy).
        """
        if kind == "normal":
            self.stream(name).fill_normal(week, out)
        else:
            self.stream(name).fill_uniform(week, out)
