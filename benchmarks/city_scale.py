"""Scale of a city run (issue 18, item 9): a city of many programmes against one programme of the same size.

    .venv/bin/python benchmarks/city_scale.py [--quick]

1. A city of 20 baseline programmes (2,100 students each, 42,000 in all), 1,400 firms in its
   pool (350 in each of 4 sectors), six years, against one programme of 42,000 students and
   1,400 firms (the baseline scaled: cohorts, firms and budgets), six years. Target: the
   city at most 1.5 times the programme's time.
2. A city of 200 programmes of 5,000 students (1,000,000 in all), a firm per 30 students,
   three years, against one programme of 1,000,000 students (the 1M run of
   ``benchmarks/run.py``). Target: at most 2 times.

Each run is made in a fresh process (``benchmarks/run.py``'s workers), its time around
the run only; the ratio is formed from figures measured in the same invocation. ``--quick``
runs smaller cities (a tenth) to check the script.
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

from run import in_subprocess, scaled_overrides  # noqa: E402  (the benchmarks' own worker machinery)

SECTORS = ("equipment_manufacturing", "electronics_information", "civil_engineering", "finance_commerce")


def city_plan(programmes: int, students_each: int, firms: int, horizon_years: int) -> Any:
    """A city of ``programmes`` equal baseline programmes (scaled to ``students_each``) sharing ``firms`` firms."""
    from sim.scenario import load_scenario
    from sim.scenario.city import (
        BureauSpec,
        CityLabourMarketSpec,
        CityPlan,
        CompetitionSpec,
        EnterpriseGroup,
        ProgrammePlan,
        SchoolSpec,
        Sector,
    )
    from sim.scenario.sectors import major_group

    overrides = scaled_overrides(students_each, horizon_years)
    overrides.pop("enterprises.count")
    scenario = load_scenario(None, overrides)
    sectors = tuple(Sector(g.id, g.zh, g.en, g.code) for g in (major_group(s) for s in SECTORS))
    school = SchoolSpec(name="school", level=scenario.programme.level)
    plans = tuple(ProgrammePlan(name=f"p{i}", school="school", scenario=scenario, sector_of=(0, 1, 2, 3), file="")
                  for i in range(programmes))
    groups = tuple(EnterpriseGroup(k, firms // len(SECTORS), scenario.enterprises.staff_median,
                                   scenario.enterprises.staff_log_sd) for k in range(len(SECTORS)))
    return CityPlan(name="scale", question="", question_zh="", sectors=sectors, schools=(school,),
                    programmes=plans, enterprises=groups, vacancies_per_year={}, bureau=BureauSpec(),
                    labour_market=CityLabourMarketSpec(), competition=CompetitionSpec(), source="scale")


def city_task(task: dict[str, Any]) -> dict[str, Any]:
    """Run one city in this process (after a small warm-up) and time it."""
    from sim.city import run_city

    run_city(city_plan(2, 60, 8, 1), 0, students=False)
    plan = city_plan(task["programmes"], task["students_each"], task["firms"], task["horizon_years"])
    wall, cpu = time.perf_counter(), time.process_time()
    run_city(plan, task["seed"], students=False)
    return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(city_task(json.loads(args.worker))))
        return
    scale = 10 if args.quick else 1
    cases = [
        ("20 programmes, 42,000 students, 1,400 firms, 6 years",
         {"programmes": 20 // (2 if args.quick else 1), "students_each": 2100 // (5 if args.quick else 1),
          "firms": 1400 // scale, "horizon_years": 6}, 1.5),
        ("200 programmes, 1,000,000 students, a firm per 30, 3 years",
         {"programmes": 200 // scale, "students_each": 5000, "firms": 1_000_000 // scale // 30,
          "horizon_years": 3}, 2.0),
    ]
    results = []
    for label, case, target in cases:
        students = case["programmes"] * case["students_each"]
        city = [_city_subprocess({**case, "seed": i + 1}) for i in range(args.repeats)]
        one = [in_subprocess({"kind": "engine", "seed": i + 1, "overrides": {
            **scaled_overrides(students, case["horizon_years"]), "enterprises.count": case["firms"]}})
            for i in range(args.repeats)]
        city_wall = statistics.median(r["wall"] for r in city)
        one_wall = statistics.median(r["wall"] for r in one)
        ratio = city_wall / one_wall
        verdict = "met" if ratio <= target else "MISSED"
        print(f"{label}: city {city_wall:.2f} s, one programme {one_wall:.2f} s, ratio {ratio:.2f} "
              f"(target <= {target}: {verdict})", flush=True)
        results.append({"case": label, "city_wall_seconds": city_wall, "programme_wall_seconds": one_wall,
                        "ratio": ratio, "target": target, "students": students})
    print(json.dumps(results))


def _city_subprocess(task: dict[str, Any]) -> dict[str, Any]:
    import os
    import subprocess

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE.parent), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(task)],
                          capture_output=True, text=True, env=env, cwd=HERE.parent, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"city benchmark worker failed ({task}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
