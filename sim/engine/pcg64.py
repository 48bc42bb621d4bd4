"""NumPy's PCG64 replayed in compiled code: a stream's week of draws computed from its seed, many runs in one call.

Why: a run draws every week from a dozen streams, and each draw from NumPy costs a
positioning (a state copy and an ``advance``) and a few Python calls around a fill that is
itself quick (docs/performance.md, "Many small runs: batches"). A batch of 16 runs, or a
city of 20 programmes, pays those per run, stream and week: some 40,000 times a city run.
Here a week's draws of one stream are computed for every run at once, each run from its
own stream's seeding state, so a run's numbers stay its own and the same as alone.

What is replayed (NumPy 2, ``numpy/random/src/pcg64`` and ``distributions``):

* the generator: a 128-bit LCG, ``state = state x MULTIPLIER + inc`` (modulo 2**128), each
  step's output ``rotr64(high ^ low, high >> 58)`` (XSL-RR);
* positioning: week ``w`` of a stream starts ``(w + 1) x 2**64`` steps after its seeding
  state (``sim.engine.streams``); ``d`` steps of an LCG are one affine map,
  ``state x A_d + inc x G_d`` with ``A_d = MULTIPLIER**d`` and ``G_d`` the sum of
  ``MULTIPLIER**k`` for ``k < d`` (Brown, 1994, "Random number generation with arbitrary
  strides", the algorithm of NumPy's ``advance``), found once per week for all streams;
* a uniform double: ``(output >> 11) x 2**-53``;
* a standard normal: NumPy's 256-layer ziggurat with its tables (numba ships the same
  tables as ``numba.np.random._constants``), the wedge and the tail as NumPy draws them.

The 128-bit state is two 64-bit words (numba has no 128-bit integer; the high word of a
product is LLVM's one wide multiplication, ``_mulhi_intrinsic``). Nothing here is trusted on
reading alone: ``_agrees_with_numpy`` compares the compiled draws with NumPy's own, for
streams, positions and lengths that reach the ziggurat's wedge and tail, before first use,
and where they differ (or numba or its tables are missing, or the loop does not compile) the
callers keep NumPy's path.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import numpy as np

from sim.engine.compiled import compile_loops

_MASK64 = (1 << 64) - 1
_MASK128 = (1 << 128) - 1
MULTIPLIER = (2549297995355413924 << 64) | 4865540595714422341
"""PCG64's multiplier (``PCG_DEFAULT_MULTIPLIER_128`` in NumPy's ``pcg64.h``)."""


def words(value: int) -> tuple[int, int]:
    """A 128-bit number as (high, low) 64-bit words."""
    return (value >> 64) & _MASK64, value & _MASK64


@functools.lru_cache(maxsize=4096)
def jump(steps: int) -> np.ndarray:
    """The affine map of ``steps`` LCG steps, ``state -> state x A + inc x G``, as words [A_hi, A_lo, G_hi, G_lo]."""
    acc_mult, acc_plus = 1, 0
    cur_mult, cur_plus = MULTIPLIER, 1
    steps &= _MASK128
    while steps:
        if steps & 1:
            acc_mult = (acc_mult * cur_mult) & _MASK128
            acc_plus = (acc_plus * cur_mult + cur_plus) & _MASK128
        cur_plus = ((cur_mult + 1) * cur_plus) & _MASK128
        cur_mult = (cur_mult * cur_mult) & _MASK128
        steps >>= 1
    return np.array([*words(acc_mult), *words(acc_plus)], dtype=np.uint64)


def seed_words(bit_generator_state: Mapping[str, Any]) -> np.ndarray:
    """A PCG64's state (``PCG64.state``) as words [state_hi, state_lo, inc_hi, inc_lo]."""
    pcg = bit_generator_state["state"]
    return np.array([*words(int(pcg["state"])), *words(int(pcg["inc"]))], dtype=np.uint64)


# --- compiled (numba) ---------------------------------------------------------------------------------------------


def _ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, float, float]:
    """NumPy's ziggurat tables for doubles, as numba ships them (empty without numba: the check then fails)."""
    try:
        from numba.np.random import _constants as c
    except ImportError:
        return np.zeros(0, dtype=np.uint64), np.zeros(0), np.zeros(0), 0.0, 0.0
    return (np.asarray(c.ki_double, dtype=np.uint64), np.asarray(c.wi_double, dtype=np.float64),
            np.asarray(c.fi_double, dtype=np.float64), float(c.ziggurat_nor_r), float(c.ziggurat_nor_inv_r))


_KI, _WI, _FI, _NOR_R, _NOR_INV_R = _ziggurat_tables()
"""The ziggurat's layers (``ki``: integer bounds, ``wi``: widths, ``fi``: heights) and its tail's start ``r``, ``1/r``.

Module constants: numba compiles them into the loop, so a call passes none of them."""


def _mulhi_intrinsic() -> Any:
    """The high word of a 64 x 64-bit product as one 128-bit multiplication (LLVM's ``i128``), or None without numba.

    numba has no 128-bit integer type, but LLVM has: the product of the two words widened to
    128 bits, shifted down 64, is the machine's one wide multiplication (made of 32-bit
    halves it would take four).
    """
    try:
        from llvmlite import ir
        from numba import types
        from numba.extending import intrinsic
    except ImportError:
        return None

    @intrinsic
    def mulhi(typingctx: Any, a: Any, b: Any) -> Any:
        def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
            wide = ir.IntType(128)
            product = builder.mul(builder.zext(args[0], wide), builder.zext(args[1], wide))
            return builder.trunc(builder.lshr(product, ir.Constant(wide, 64)), ir.IntType(64))
        return types.uint64(types.uint64, types.uint64), codegen

    return mulhi


_mulhi = _mulhi_intrinsic()
"""The compiled draws' wide multiplication (None without numba, when nothing here is compiled)."""


_MULTIPLIER_HI, _MULTIPLIER_LO = (np.uint64(w) for w in words(MULTIPLIER))
"""``MULTIPLIER``'s words, as the compiled loop reads them."""


def _draw_weeks(normal: bool, seeds: np.ndarray, step: np.ndarray, starts: np.ndarray, needed: np.ndarray,
                out: np.ndarray) -> None:
    """Run ``g``'s first ``needed[g]`` draws of its stream's week into ``out[starts[g]:]`` (compiled).

    ``seeds[g]``: run ``g``'s stream's seeding state (``seed_words``); ``step``: the week's
    ``jump``; ``normal``: standard normals (NumPy's ziggurat), else uniform doubles.
    """
    ki, wi, fi, nor_r, nor_inv_r = _KI, _WI, _FI, _NOR_R, _NOR_INV_R
    zero = np.uint64(0)
    one = np.uint64(1)
    m_hi, m_lo = _MULTIPLIER_HI, _MULTIPLIER_LO
    scale = 1.0 / 9007199254740992.0

    def affine(x_hi: np.uint64, x_lo: np.uint64, a_hi: np.uint64, a_lo: np.uint64, p_hi: np.uint64,
               p_lo: np.uint64) -> tuple[np.uint64, np.uint64]:  # x * a + p modulo 2**128
        lo = x_lo * a_lo
        hi = _mulhi(x_lo, a_lo) + x_lo * a_hi + x_hi * a_lo
        new_lo = lo + p_lo
        return hi + p_hi + (one if new_lo < lo else zero), new_lo

    def next_output(hi: np.uint64, lo: np.uint64, inc_hi: np.uint64,
                    inc_lo: np.uint64) -> tuple[np.uint64, np.uint64, np.uint64]:  # one step: new state, its output
        hi, lo = affine(hi, lo, m_hi, m_lo, inc_hi, inc_lo)
        x = hi ^ lo
        rot = hi >> np.uint64(58)
        return hi, lo, (x >> rot) | (x << ((np.uint64(64) - rot) & np.uint64(63)))

    def double(r: np.uint64) -> float:  # a uniform double in [0, 1) from an output
        return np.float64(r >> np.uint64(11)) * scale

    for g in range(len(needed)):
        inc_hi, inc_lo = seeds[g, 2], seeds[g, 3]
        hi, lo = affine(seeds[g, 0], seeds[g, 1], step[0], step[1], zero, zero)
        hi, lo = affine(inc_hi, inc_lo, step[2], step[3], hi, lo)
        first = starts[g]
        for i in range(needed[g]):
            hi, lo, r = next_output(hi, lo, inc_hi, inc_lo)
            if not normal:
                out[first + i] = double(r)
                continue
            while True:  # NumPy's random_standard_normal
                idx = np.int64(r & np.uint64(0xFF))
                r = r >> np.uint64(8)
                rabs = (r >> one) & np.uint64(0x000FFFFFFFFFFFFF)
                z = np.float64(rabs) * wi[idx]
                if (r & one) == one:
                    z = -z
                if rabs < ki[idx]:
                    break
                if idx == 0:  # the tail
                    while True:
                        hi, lo, u = next_output(hi, lo, inc_hi, inc_lo)
                        xx = -nor_inv_r * np.log1p(-double(u))
                        hi, lo, u = next_output(hi, lo, inc_hi, inc_lo)
                        yy = -np.log1p(-double(u))
                        if yy + yy > xx * xx:
                            break
                    z = -(nor_r + xx) if ((rabs >> np.uint64(8)) & one) == one else nor_r + xx
                    break
                hi, lo, u = next_output(hi, lo, inc_hi, inc_lo)
                if (fi[idx - 1] - fi[idx]) * double(u) + fi[idx] < np.exp(-0.5 * z * z):
                    break
                hi, lo, r = next_output(hi, lo, inc_hi, inc_lo)  # rejected: the next output, and again
            out[first + i] = z


_START = np.zeros(1, dtype=np.int64)


def draw(kind: str, seeds: np.ndarray, steps: int, starts: np.ndarray, needed: np.ndarray, out: np.ndarray) -> bool:
    """Each run's first ``needed[g]`` draws (``kind``: "uniform" or "normal"), ``steps`` after its seeding state.

    ``seeds``: one row of ``seed_words`` per run; run ``g``'s draws go to
    ``out[starts[g]:starts[g] + needed[g]]``: the numbers NumPy's ``Generator.random`` or
    ``standard_normal`` gives from the run's PCG64 set to its seeding state and advanced by
    ``steps``. False (nothing written) where the compiled draws are not available or not
    NumPy's: the caller draws with NumPy.
    """
    loops = compile_loops(_draw_weeks)
    if loops is None or not _agrees_with_numpy(loops[0]):
        return False
    loops[0](kind == "normal", seeds, jump(steps), starts, needed, out)
    return True


def draw_one(kind: str, seeds: np.ndarray, steps: int, out: np.ndarray) -> bool:
    """``draw`` for one stream (``seeds``: its one row), all of ``out``."""
    return draw(kind, seeds, steps, _START, np.array([len(out)], dtype=np.int64), out)


@functools.cache
def _agrees_with_numpy(draw_weeks: Any) -> bool:
    """Whether the compiled draws give NumPy's numbers, and numba's tables are there (checked once per process).

    Streams, positions and lengths chosen so that the normals reach the ziggurat's wedge (about
    1 draw in 100) and its tail (about 1 in 4,000) many times.
    """
    if len(_KI) != 256:
        return False
    try:
        return _same_as_numpy(draw_weeks)
    except Exception:  # a loop numba cannot compile here: NumPy's path, which needs none
        return False


def _same_as_numpy(draw_weeks: Any) -> bool:
    """``draw_weeks``'s draws against NumPy's on a few streams, positions and lengths."""
    for entropy, steps, n in ((1, 1 << 64, 50_000), (2026, 312 << 64, 7), (17, 0, 1_000),
                              (3, (5_001 << 64) + 99, 20_000)):
        bitgen = np.random.PCG64(np.random.SeedSequence(entropy))
        start = bitgen.state
        seeds = seed_words(start)[None, :]
        for kind in ("uniform", "normal"):
            bitgen.state = start
            bitgen.advance(steps)
            generator = np.random.Generator(bitgen)
            expected = generator.random(n) if kind == "uniform" else generator.standard_normal(n)
            found = np.empty(n)
            draw_weeks(kind == "normal", seeds, jump(steps), _START, np.array([n], dtype=np.int64), found)
            if found.tobytes() != expected.tobytes():
                return False
    return True
