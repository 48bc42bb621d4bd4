"""The searchers per vacancy at which a city's baseline meets the fitted open-market rate (a fixed point).

The city's open market scales the fitted weekly rate by the matching function,
``(r_ref / r)^(1 - a)`` at the week's searchers per vacancy ``r`` in the searcher's sector
(docs/city.md §4). Issue 18 asks that at the baseline's ratio the market reproduce the
fitted rate: this script finds the reference ratio ``r_ref`` at which the baseline city's
searchers meet, on average, exactly the fitted rate (``SectorDemand.ratio_met`` equals
``r_ref``), by iterating ``r_ref <- ratio met`` over a few seeds until it settles.

    .venv/bin/python benchmarks/city_reference_ratio.py [CITY_FILE] [--seeds 4] [--rounds 6]

Prints each round's reference, the ratio met (mean over the seeds) and the city's
employment rate 6 months after graduation.
"""

from __future__ import annotations

import argparse

import numpy as np

from sim.city import run_city
from sim.scenario.city_loading import load_city


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("city", nargs="?", default="scenarios/city/shenyang.yaml")
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--start", type=float, default=1.0, help="the first round's reference ratio")
    args = parser.parse_args()
    reference = args.start
    for round_ in range(args.rounds):
        plan = load_city(args.city, {"labour_market.reference_searchers_per_vacancy": reference})
        met, employed = [], []
        for seed in range(1, args.seeds + 1):
            result = run_city(plan, seed, students=False)
            met.append(result.city_firms["searchers_per_vacancy_met"])
            table = result.summary_table()
            employed.append(float(table[table["level"] == "city"]["employment_rate_6m"].iloc[0]))
        print(f"round {round_}: reference {reference:.4f}  ratio met {np.mean(met):.4f}  "
              f"employment at 6 months {np.mean(employed):.4f}")
        reference = float(np.mean(met))
    print(f"fixed point: reference_searchers_per_vacancy = {reference:.3f}")


if __name__ == "__main__":
    main()
