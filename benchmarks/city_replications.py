"""What simulating a city's replications together could save: an estimate, not a target (issue 18, item 9).

    .venv/bin/python benchmarks/city_replications.py [--reps R] [--repeats N]

A city's replications run one by one (each a batch of its programmes, sharing one pool:
docs/city.md §5.1); simulating R of them in one set of arrays would need a batch of R
pools. Its array work is about that of one city R times as large: R times the programmes
and R times the firms in one pool. So this measures, each in a fresh process:

1. a city of 10 programmes of 1,000 students and 400 firms, three years (``T1``);
2. a city of 10 R programmes and 400 R firms, three years (``TR``);

and prints ``TR / (R x T1)``: below 1, the share of a city run that batching its
replications could save at most (the larger city also pays for one matching over all its
students, which R separate pools would not).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from city_scale import _city_subprocess  # noqa: E402  (the city benchmark's worker machinery)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=4, help="replications to imagine batched (default 4)")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per measurement (median)")
    args = parser.parse_args()
    one = {"programmes": 10, "students_each": 1000, "firms": 400, "horizon_years": 3}
    many = {**one, "programmes": 10 * args.reps, "firms": 400 * args.reps}
    t1 = statistics.median(_city_subprocess({**one, "seed": i + 1})["wall"] for i in range(args.repeats))
    tr = statistics.median(_city_subprocess({**many, "seed": i + 1})["wall"] for i in range(args.repeats))
    ratio = tr / (args.reps * t1)
    print(f"one city {t1:.2f} s; a city {args.reps} times as large {tr:.2f} s = {tr / args.reps:.2f} s per "
          f"city's worth; ratio {ratio:.2f} (batching {args.reps} replications could save at most "
          f"{max(0.0, 1 - ratio):.0%} of a city run)")
    print(json.dumps({"one_city_seconds": t1, "reps": args.reps, "as_large_seconds": tr, "ratio": ratio}))


if __name__ == "__main__":
    main()
