"""The compiled draws (``sim.engine.pcg64``) are NumPy's own numbers, bit for bit.

A run's streams are NumPy PCG64s positioned at each week (``sim.engine.streams``); where
numba is installed, a batch draws every run's week of a stream in one compiled call that
replays the generator, its ``advance`` and NumPy's uniform and ziggurat-normal methods.
These tests compare the compiled draws with NumPy's on many streams, weeks and lengths
(enough normals to reach the ziggurat's wedge and tail), runs that draw nothing among runs
that do, and check that without numba the callers keep NumPy's path.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine import pcg64
from sim.engine.streams import WEEK_BLOCK_BITS, RandomStreams

pytest.importorskip("numba")


def _numpy_week(streams: RandomStreams, name: str, week: int, kind: str, n: int) -> np.ndarray:
    bitgen = np.random.PCG64(streams.stream(name).seq)
    bitgen.advance((week + 1) << WEEK_BLOCK_BITS)
    generator = np.random.Generator(bitgen)
    return generator.random(n) if kind == "uniform" else generator.standard_normal(n)


@pytest.mark.parametrize("kind", ["uniform", "normal"])
def test_a_batchs_compiled_draws_are_each_runs_numpy_draws(kind: str) -> None:
    rng = np.random.default_rng(5)
    runs = [RandomStreams(np.random.SeedSequence(int(seed))) for seed in rng.integers(0, 2**32, 9)]
    for week in (-1, 0, 1, 51, 311, 5_000):
        needed = rng.integers(0, 3_000, len(runs))
        needed[[2, 5]] = 0  # runs that need no draws this week keep their block as it is
        starts = np.concatenate(([0], np.cumsum(needed + 3))).astype(np.int64)
        out = np.full(int(starts[-1]), -7.0)
        seeds = np.concatenate([r.stream("attrition.dropout").seed_words for r in runs])
        assert pcg64.draw(kind, seeds, (week + 1) << WEEK_BLOCK_BITS, starts, needed.astype(np.int64), out)
        for g, run in enumerate(runs):
            block = out[starts[g]:starts[g + 1]]
            expected = _numpy_week(run, "attrition.dropout", week, kind, int(needed[g]))
            assert block[:needed[g]].tobytes() == expected.tobytes()
            assert (block[needed[g]:] == -7.0).all()


def test_normals_reach_the_ziggurats_tail_and_stay_numpys() -> None:
    """200,000 normals of one stream: some beyond the tail's start (|z| > r), all NumPy's."""
    streams = RandomStreams(2026)
    out = np.empty(200_000)
    streams.stream("learning.shock").fill_normal(7, out)
    assert out.tobytes() == _numpy_week(streams, "learning.shock", 7, "normal", len(out)).tobytes()
    assert (np.abs(out) > pcg64._NOR_R).sum() > 10


def test_the_jump_is_numpys_advance() -> None:
    bitgen = np.random.PCG64(np.random.SeedSequence(3))
    start = bitgen.state
    for steps in (0, 1, 2, 12345, 1 << 64, (77 << 64) + 5, (1 << 128) - 1):
        bitgen.state = start
        bitgen.advance(steps)
        state = bitgen.state["state"]
        a_hi, a_lo, g_hi, g_lo = (int(w) for w in pcg64.jump(steps))
        a, g = (a_hi << 64) | a_lo, (g_hi << 64) | g_lo
        moved = (start["state"]["state"] * a + start["state"]["inc"] * g) % (1 << 128)
        assert moved == state["state"]


def test_without_numba_the_streams_draw_with_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENTSIM_NUMBA", "0")
    out = np.empty(10)
    assert not pcg64.draw("normal", RandomStreams(1).stream("x").seed_words, 1 << 64, np.zeros(1, dtype=np.int64),
                          np.array([10]), out)
    streams = RandomStreams(1)
    assert streams.normal("x", 0, 10).tobytes() == _numpy_week(streams, "x", 0, "normal", 10).tobytes()
