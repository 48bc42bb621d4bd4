"""Profile one engine run with pyinstrument and print where the time goes.

Run from the repository root::

    .venv/bin/python benchmarks/profile_engine.py                 # the baseline (run_one(None, 1))
    .venv/bin/python benchmarks/profile_engine.py --students 100000
    .venv/bin/python benchmarks/profile_engine.py --students 1000000 --html profile_1m.html
    .venv/bin/python benchmarks/profile_engine.py --phases --students 100000   # CPU time per phase

``--students N`` runs the baseline scaled to N students over three years (as
``benchmarks/run.py`` does); without it, the baseline itself (2,100 students, six years).
``--phases`` times each phase of the week instead (thread CPU time, no sampling).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import WARM_UP, scaled_overrides


def phase_times(overrides: dict, seed: int, repeats: int) -> str:
    """CPU time of each phase of the week (and of recording), summed over a run, as a table."""
    from sim.model import TalentModel

    totals: dict[str, int] = {}

    def timed(name, fn):
        def phase(world):
            t = time.thread_time_ns()
            fn(world)
            totals[name] = totals.get(name, 0) + time.thread_time_ns() - t
        return phase

    whole = 0
    weeks = 0
    for r in range(repeats):
        model = TalentModel(None, seed=seed + r, mesa_agents=False, **overrides)
        model.clock.phases = tuple(dataclasses.replace(p, step=timed(p.name, p.step)) for p in model.clock.phases)
        weeks = model.scenario.horizon_weeks
        t = time.thread_time_ns()
        model.run()
        model.summary()
        whole += time.thread_time_ns() - t
    lines = [f"CPU time per run {whole / repeats / 1e9:.3f} s over {weeks} weeks (mean of {repeats} runs)",
             f"{'phase':22s} {'s/run':>8s} {'share':>7s} {'us/week':>9s}"]
    for name, ns in sorted(totals.items(), key=lambda kv: -kv[1]):
        lines.append(f"{name:22s} {ns / repeats / 1e9:8.3f} {100 * ns / whole:6.1f}% {ns / repeats / weeks / 1e3:9.1f}")
    rest = whole - sum(totals.values())
    lines.append(f"{'(record, clock, Mesa)':22s} {rest / repeats / 1e9:8.3f} {100 * rest / whole:6.1f}%")
    return "\n".join(lines)


def main() -> int:
    """Parse the options, profile, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--students", type=int, default=0, help="scale the baseline to this many students (3 years)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--html", type=Path, help="also write pyinstrument's HTML report here")
    parser.add_argument("--interval", type=float, default=0.001, help="sampling interval, seconds")
    parser.add_argument("--phases", action="store_true", help="time each phase instead of sampling")
    parser.add_argument("--repeats", type=int, default=1, help="runs to average over (with --phases)")
    args = parser.parse_args()
    from sim.model import run_one

    overrides = scaled_overrides(args.students, 3) if args.students else {}
    run_one(None, 0, students=False, **WARM_UP)  # imports and first-call costs out of the way
    if args.phases:
        print(phase_times(overrides, args.seed, args.repeats))
        return 0
    from pyinstrument import Profiler

    profiler = Profiler(interval=args.interval)
    profiler.start()
    cpu = time.process_time()
    run_one(None, args.seed, students=False, **overrides)
    cpu = time.process_time() - cpu
    profiler.stop()
    print(f"CPU time of the run: {cpu:.2f} s")
    print(profiler.output_text(unicode=True, color=False))
    if args.html:
        args.html.write_text(profiler.output_html())
    return 0


if __name__ == "__main__":
    sys.exit(main())
