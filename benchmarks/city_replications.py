"""A city's replications simulated together against one by one (issue 18, item 9).

    .venv/bin/python benchmarks/city_replications.py [--reps R] [--repeats N] [--quick]

Runs R replications of the shipped city (``scenarios/city/shenyang.yaml``: three schools,
ten programmes, 7,020 students, 1,500 firms, seven years) in a fresh process each way,
alternately: one by one (``sim.run_city`` for each seed) and in one batch of cities
(``sim.city.run_cities``, what ``--batch`` runs), and prints the CPU time per replication
each way and their ratio (the median over ``--repeats`` pairs). The two give the same
results bit for bit (``tests/test_city_replications.py``). ``--quick``: two years.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import in_subprocess  # noqa: E402  (the benchmarks' own worker machinery)

CITY = "scenarios/city/shenyang.yaml"


def replications_task(task: dict[str, Any]) -> dict[str, Any]:
    """Run ``task["reps"]`` replications of the shipped city in this process, together or one by one; time them."""
    from sim.city import run_cities, run_city
    from sim.scenario.city_loading import load_city

    overrides = {"simulation.horizon_years": task["horizon_years"]} if task.get("horizon_years") else None
    plan = load_city(HERE.parent / CITY, overrides)
    run_cities([load_city(HERE.parent / CITY, {"simulation.horizon_years": 1})] * 2, [0, 1], students=False)  # warm
    seeds = [task["seed"] + i for i in range(task["reps"])]
    wall, cpu = time.perf_counter(), time.process_time()
    if task["together"]:
        run_cities([plan] * len(seeds), seeds, students=False)
    else:
        for seed in seeds:
            run_city(plan, seed, students=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"wall": wall, "cpu": cpu, "cpu_per_replication": cpu / len(seeds)}


def compare(reps: int, repeats: int, horizon_years: int | None, seed: int = 100) -> dict[str, Any]:
    """One by one against together, ``repeats`` alternating pairs of fresh processes; CPU seconds per replication."""
    runs: dict[str, list[float]] = {"one_by_one": [], "together": []}
    for i in range(repeats):
        for name, together in (("one_by_one", False), ("together", True)):
            r = in_subprocess({"kind": "city_replications", "reps": reps, "together": together,
                               "horizon_years": horizon_years, "seed": seed + 1000 * i})
            runs[name].append(r["cpu_per_replication"])
    one, both = statistics.median(runs["one_by_one"]), statistics.median(runs["together"])
    return {"city": CITY, "replications": reps, "repeats": repeats, "horizon_years": horizon_years,
            "cpu_seconds_per_replication_one_by_one": one, "cpu_seconds_per_replication_together": both,
            "together_over_one_by_one_speedup": one / both, "all": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reps", type=int, default=8, help="replications each way (default 8)")
    parser.add_argument("--repeats", type=int, default=3, help="alternating pairs of fresh processes (median)")
    parser.add_argument("--quick", action="store_true", help="two years instead of the city's seven")
    args = parser.parse_args()
    found = compare(args.reps, args.repeats, 2 if args.quick else None)
    print(f"{args.reps} replications of {CITY}: one by one "
          f"{found['cpu_seconds_per_replication_one_by_one']:.3f} s CPU a replication, together "
          f"{found['cpu_seconds_per_replication_together']:.3f} s; together "
          f"{found['together_over_one_by_one_speedup']:.2f}x as fast")
    print(json.dumps(found))


if __name__ == "__main__":
    main()
