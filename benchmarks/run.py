"""Performance benchmarks of the engine (issue 5): prints a table, writes benchmarks/results.json.

Run from the repository root::

    .venv/bin/python benchmarks/run.py            # the full run (about 10 minutes), writes results.json
    .venv/bin/python benchmarks/run.py --quick    # smaller sizes, prints only (or --out FILE)

What is measured (every figure is the median of several runs; every ratio is formed
from figures measured in the same invocation):

1. The baseline scenario scaled to 10,000 students (cohorts, enterprises and yearly
   budgets scaled in proportion, everything else the defaults, six-year horizon): the
   engine against the per-agent Mesa peer (``benchmarks/peer_mesa.py``), wall time and
   peak memory. ``speedup_vs_peer`` = peer time / engine time.
2. The engine at 10k, 100k and 1,000,000 students (three cohorts, three-year horizon,
   one enterprise per 30 students): wall time, peak RSS, student-weeks per second
   (students x simulated weeks / wall time). ``scaling_ratio_1m_over_100k``.
3. The limit: a bare NumPy loop doing the same number of student-week updates of three
   skill arrays (one normal draw and a few array operations per student-week).
   ``fraction_of_numpy_limit`` = engine student-weeks/s / loop student-weeks/s at 1M.
4. Sweep throughput: runs per second of the 2,100-student baseline (``run_one(None,
   seed)``, the defaults) on 1 and 2 worker processes (``ProcessPoolExecutor`` with a
   ``spawn`` context, workers warmed up before timing). ``parallel_efficiency_2_workers``
   = rate(2) / (2 x rate(1)).

6. Cities (issue 18): a city of 20 baseline programmes (42,000 students, 1,400 firms, six
   years) against one programme of the same students and firms, ``city_20_over_one_programme``;
   a city of 200 programmes of 5,000 students (a firm per 30 students, three years) against
   the 1M run of section 2, ``city_1m_over_engine_1m`` (``benchmarks/city_scale.py``).

Each engine, peer and NumPy measurement runs in a fresh subprocess (``--worker``), so
its peak RSS is its own; the time is taken around the run only (not the interpreter
start or the imports), after a small warm-up run in the same process. CPU time is
recorded beside wall time, and the load average before and after: on a shared machine
wall time also measures the neighbours.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import json
import math
import multiprocessing
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sim.scenario.schema import WEEKS_PER_YEAR

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STUDENTS_PER_ENTERPRISE = 30

TARGETS = {
    "speedup_vs_peer": (">=", 50.0),
    "scaling_ratio_1m_over_100k": ("<=", 11.0),
    "fraction_of_numpy_limit": (">=", 0.1),
    "parallel_efficiency_2_workers": (">=", 0.8),
    "engine_1m_wall_seconds": ("<=", 60.0),
    "engine_1m_peak_rss_gib": ("<=", 4.0),
    "baseline_run_seconds": ("<=", 0.5),
    "batched_over_one_by_one_1_core": (">=", 4.0),
    "calibration_time_batched_over_one_by_one": ("<=", 1 / 3),
    "city_20_over_one_programme": ("<=", 1.5),
    "city_1m_over_engine_1m": ("<=", 2.0),
}


# --------------------------------------------------------------------------------------
# scenarios
# --------------------------------------------------------------------------------------
def scaled_overrides(n_students: int, horizon_years: int | None = None) -> dict[str, Any]:
    """The baseline defaults scaled to about ``n_students`` (three cohorts).

    Cohort size, enterprises (one per 30 students) and the yearly budgets scale with
    the number of students, so each student meets the same ratios and the same money
    as in the baseline; the school-mentor pool follows from ``students_per_mentor``.
    """
    from sim.scenario import load_scenario

    base = load_scenario(None)
    cohort = math.ceil(n_students / base.intake.n_cohorts)
    scale = cohort * base.intake.n_cohorts / base.n_students
    out: dict[str, Any] = {
        "intake.cohort_size": cohort,
        "enterprises.count": max(1, round(cohort * base.intake.n_cohorts / STUDENTS_PER_ENTERPRISE)),
        "funding.school_special_fund_yuan_per_year": base.funding.school_special_fund_yuan_per_year * scale,
        "funding.government_yuan_per_year": base.funding.government_yuan_per_year * scale,
    }
    if horizon_years is not None:
        out["simulation.horizon_years"] = horizon_years
    return out


WARM_UP = {"intake.cohort_size": 60, "enterprises.count": 4, "simulation.horizon_years": 1}


# --------------------------------------------------------------------------------------
# worker side: one measurement in a fresh process
# --------------------------------------------------------------------------------------
def peak_rss_bytes() -> int:
    """This process's peak resident set size (VmHWM, or ru_maxrss)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def numpy_limit_loop(n: int, weeks: int, seed: int) -> float:
    """The bare loop: per week one normal draw per student and a few updates of three skill arrays.

    Returns:
        The mean of one skill (so the work cannot be optimised away).
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    factor = np.exp(0.15 * rng.standard_normal(n))  # ability: fixed per student
    theory = np.full(n, 30.0)
    practical = np.full(n, 15.0)
    professionalism = np.full(n, 30.0)
    for _week in range(weeks):
        f = factor * np.maximum(0.0, 1.0 + 0.3 * rng.standard_normal(n))
        for score, rate in ((theory, 1.3), (practical, 2.4), (professionalism, 1.2)):
            score += rate * f * (1.0 - score / 100.0)
            np.minimum(score, 100.0, out=score)
    return float(practical.mean())


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Do one measurement (in this process) and describe it."""
    kind = task["kind"]
    if kind == "engine":
        from sim.model import run_one

        run_one(None, 0, students=False, **WARM_UP)
        overrides = task["overrides"]
        rss_before = peak_rss_bytes()
        wall, cpu = time.perf_counter(), time.process_time()
        result = run_one(None, task["seed"], students=task.get("students", False), **overrides)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        n, weeks = int(result.summary["n_students"]), len(result.timeseries)
    elif kind == "peer":
        sys.path.insert(0, str(HERE))
        from peer_mesa import run_peer

        run_peer(None, 0, overrides=WARM_UP)
        rss_before = peak_rss_bytes()
        wall, cpu = time.perf_counter(), time.process_time()
        summary = run_peer(None, task["seed"], overrides=task["overrides"])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        from sim.scenario import load_scenario

        n, weeks = int(summary["n_students"]), load_scenario(None, task["overrides"]).horizon_weeks
    elif kind == "numpy":
        numpy_limit_loop(1000, 10, 0)
        rss_before = peak_rss_bytes()
        wall, cpu = time.perf_counter(), time.process_time()
        numpy_limit_loop(task["n"], task["weeks"], task["seed"])
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        n, weeks = task["n"], task["weeks"]
    elif kind == "baseline":
        from sim.model import run_one

        run_one(None, 0, students=False, **WARM_UP)
        rss_before = peak_rss_bytes()
        times = []
        for seed in range(task["repeats"]):
            t = time.perf_counter()
            run_one(None, seed)
            times.append(time.perf_counter() - t)
        return {"times": times, "peak_rss": peak_rss_bytes(), "rss_before": rss_before}
    elif kind == "batch":
        return batch_throughput(task["runs"], task["batch"], task["seed"])
    elif kind == "calibration_evaluations":
        return calibration_evaluations(task["evaluations"], task["batch"], task["seed"])
    elif kind == "city":
        sys.path.insert(0, str(HERE))
        from city_scale import city_task

        return city_task(task)
    elif kind == "city_replications":
        sys.path.insert(0, str(HERE))
        from city_replications import replications_task

        return replications_task(task)
    else:
        raise ValueError(f"unknown task kind {kind!r}")
    return {"wall": wall, "cpu": cpu, "peak_rss": peak_rss_bytes(), "rss_before": rss_before,
            "n_students": n, "weeks": weeks}


def in_subprocess(task: dict[str, Any]) -> dict[str, Any]:
    """Run one task in a fresh interpreter and return its measurement."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(task)],
                          capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark worker failed ({task}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(task: dict[str, Any], repeats: int, label: str) -> dict[str, Any]:
    """Median wall and CPU time, and the largest peak RSS, over ``repeats`` fresh processes."""
    runs = []
    for i in range(repeats):
        r = in_subprocess({**task, "seed": task.get("seed", 0) + i + 1})
        runs.append(r)
        print(f"  {label}: run {i + 1}/{repeats} {r['wall']:.2f} s wall, {r['cpu']:.2f} s cpu, "
              f"peak {r['peak_rss'] / 2**20:.0f} MiB", flush=True)
    wall = statistics.median(r["wall"] for r in runs)
    return {
        "n_students": runs[0]["n_students"],
        "weeks": runs[0]["weeks"],
        "runs": repeats,
        "wall_seconds": wall,
        "cpu_seconds": statistics.median(r["cpu"] for r in runs),
        "wall_seconds_all": [r["wall"] for r in runs],
        "peak_rss_bytes": max(r["peak_rss"] for r in runs),
        "rss_before_run_bytes": statistics.median(r["rss_before"] for r in runs),
        "student_weeks_per_second": runs[0]["n_students"] * runs[0]["weeks"] / wall,
    }


# --------------------------------------------------------------------------------------
# sweep throughput
# --------------------------------------------------------------------------------------
def baseline_summary(seed: int) -> tuple[dict[str, float], float]:
    """One run of the baseline scenario (the defaults), as a sweep does it: its summary and CPU seconds."""
    from sim.model import run_one

    cpu = time.process_time()
    summary = run_one(None, seed).summary
    return summary, time.process_time() - cpu


def batch_throughput(runs: int, batch: int, first_seed: int) -> dict[str, Any]:
    """Runs a second of ``runs`` baseline runs on this one core, in batches of ``batch`` (1: one by one).

    The same runs, with the same seeds, as a sweep's worker makes them (``students=False``). The
    memory of a batched run is the peak of the memory traced (``tracemalloc``: Python objects and
    NumPy's arrays) while one more batch runs, divided by the batch: the peak RSS above the
    warmed-up process says nothing once the warm-up (numba's compilation) has raised the peak.
    """
    import tracemalloc

    from sim.model import run_batch, run_one

    run_one(None, 0, students=False, **WARM_UP)
    run_batch([None, None], [0, 1], students=False)
    rss_before = peak_rss_bytes()
    seeds = list(range(first_seed, first_seed + runs))
    wall, cpu = time.perf_counter(), time.process_time()
    if batch == 1:
        for seed in seeds:
            run_one(None, seed, students=False)
    else:
        for i in range(0, runs, batch):
            chunk = seeds[i:i + batch]
            run_batch([None] * len(chunk), chunk, students=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    tracemalloc.start()
    if batch == 1:
        run_one(None, seeds[0], students=False)
    else:
        run_batch([None] * batch, seeds[:batch], students=False)
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"runs_per_second": runs / wall, "cpu_seconds_per_run": cpu / runs,
            "peak_rss": peak_rss_bytes(), "rss_before": rss_before, "traced_peak_bytes": traced_peak}


def sweep_points_that_batch() -> dict[str, Any]:
    """The share of the shipped sweeps' runs that can share a batch with another run of their sweep.

    Runs batch together when they share their horizon (``sim.model.shape_key``); sizes may differ.
    """
    from sim.experiments.sweep import plan_sweep, sweep_tasks
    from sim.model import shape_key
    from sim.scenario import with_overrides

    by_sweep: dict[str, Any] = {}
    for path in sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml")):
        plan = plan_sweep(path)
        shapes: dict[int, int] = {}
        for task in sweep_tasks(plan.spec, plan.design):
            key = shape_key(with_overrides(plan.base, task.params, "sweep point"))
            shapes[key] = shapes.get(key, 0) + 1
        runs = sum(shapes.values())
        by_sweep[path.name] = {"runs": runs, "shapes": len(shapes),
                               "runs_that_batch": sum(n for n in shapes.values() if n > 1)}
    total = sum(v["runs"] for v in by_sweep.values())
    return {"sweeps": by_sweep, "share": sum(v["runs_that_batch"] for v in by_sweep.values()) / total}


def calibration_evaluations(evaluations: int, batch: bool, seed: int) -> dict[str, Any]:
    """Evaluations a second of the shipped calibration's problem on this one core, batched or run by run.

    One evaluation is what ABC-SMC does per particle (every scenario x ``reps`` runs, the same values);
    batched, the calibration's one-process sampler evaluates ``default_batch(students) // runs per
    evaluation`` particles together (``sim.calibration.batch_sampler``), as here. The values are drawn from the
    priors with a fixed generator, the same for both arms.
    """
    import dataclasses

    import numpy as np

    from sim.calibration.calibrate import plan_calibration
    from sim.calibration.evaluate import evaluation_seeds
    from sim.experiments.runner import default_batch

    problem = dataclasses.replace(plan_calibration(ROOT / "scenarios/calibration/published_bands.yaml").problem,
                                  batch=batch)
    rng = np.random.default_rng(seed)
    points = [({p.key: p.model_value(p.to_natural(float(p.pyabc_rv().rvs(random_state=rng))))
                for p in problem.priors}, evaluation_seeds(seed + k, problem.reps)) for k in range(evaluations)]
    runs = default_batch(max(sc.n_students for sc in problem.scenarios))  # as sim.calibration.abc.make_sampler
    per_batch = max(1, runs // problem.runs_per_evaluation) if batch else 1
    problem.run_many(points[:per_batch])  # warm up
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, evaluations, per_batch):
        problem.run_many(points[i:i + per_batch])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"evaluations_per_second": evaluations / wall, "cpu_seconds_per_evaluation": cpu / evaluations,
            "runs_per_evaluation": problem.runs_per_evaluation, "particles_per_batch": per_batch}


def _warm_worker() -> None:
    from sim.model import run_one

    run_one(None, 0, students=False, **WARM_UP)


def sweep_rate(workers: int, runs: int, first_seed: int) -> tuple[float, float]:
    """Runs per second of ``runs`` baseline runs on ``workers`` spawned processes (warmed up).

    Returns:
        Runs per second (wall clock), and the median CPU seconds of one run in a worker.
    """
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                                initializer=_warm_worker) as pool:
        list(pool.map(baseline_summary, range(10_000, 10_000 + 2 * workers)))  # start and warm every worker
        t = time.perf_counter()
        results = list(pool.map(baseline_summary, range(first_seed, first_seed + runs)))
        elapsed = time.perf_counter() - t
    assert len(results) == runs
    return runs / elapsed, statistics.median(cpu for _summary, cpu in results)


# --------------------------------------------------------------------------------------
# the machine
# --------------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    """What the benchmarks ran on."""
    import mesa
    import numpy as np

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT,
                                check=False).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "sim"], capture_output=True, text=True,
                                    cwd=ROOT, check=False).stdout.strip())
    except OSError:
        commit, dirty = "", False
    return {
        "cpu_model": cpu,
        "logical_cores": os.cpu_count(),
        "cores_available": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "memory_bytes": memory,
        "memory_gib": round(memory / 2**30, 1) if memory else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "git_commit": commit,
        "sim_has_uncommitted_changes": dirty,
    }


def load_average() -> list[float]:
    """The 1-, 5- and 15-minute load averages (other work on the machine)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


# --------------------------------------------------------------------------------------
# the benchmark
# --------------------------------------------------------------------------------------
def run_benchmarks(quick: bool) -> dict[str, Any]:
    """Run every measurement; return the results document."""
    started = time.perf_counter()
    if quick:
        peer_n, sizes, reps, peer_reps, limit_reps, sweep_runs, sweep_reps = 2_000, (3_000, 10_000, 100_000), \
            {3_000: 3, 10_000: 3, 100_000: 2}, 1, 2, 6, 1
    else:
        peer_n, sizes, reps, peer_reps, limit_reps, sweep_runs, sweep_reps = 10_000, (10_000, 100_000, 1_000_000), \
            {10_000: 5, 100_000: 5, 1_000_000: 3}, 3, 3, 24, 3
    doc: dict[str, Any] = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "quick": quick,
        "machine": machine(),
        "load_average_before": load_average(),
    }

    # 1. engine vs the per-agent Mesa peer
    print(f"[1/6] baseline scaled to {peer_n:,} students: engine vs per-agent Mesa peer", flush=True)
    ov = scaled_overrides(peer_n)
    engine = measure({"kind": "engine", "overrides": ov}, 5, "engine")
    peer = measure({"kind": "peer", "overrides": ov}, peer_reps, "peer")
    doc["peer_comparison"] = {"overrides": ov, "engine": engine, "peer": peer,
                              "speedup_wall": peer["wall_seconds"] / engine["wall_seconds"],
                              "speedup_cpu": peer["cpu_seconds"] / engine["cpu_seconds"],
                              "memory_ratio": peer["peak_rss_bytes"] / engine["peak_rss_bytes"]}
    doc["speedup_vs_peer"] = doc["peer_comparison"]["speedup_wall"]

    # 2. scaling, three cohorts over three years
    print("[2/6] engine scaling (three cohorts, three-year horizon)", flush=True)
    scaling = {}
    for n in sizes:
        scaling[str(n)] = measure({"kind": "engine", "overrides": scaled_overrides(n, 3)}, reps[n], f"engine {n:,}")
    big, mid = str(sizes[-1]), str(sizes[-2])
    doc["scaling"] = {"horizon_years": 3, "sizes": scaling,
                      "repeats_note": "median of 5 runs at 10k and 100k, 3 at 1M" if not quick else "quick run"}
    doc["scaling_ratio_1m_over_100k"] = scaling[big]["wall_seconds"] / scaling[mid]["wall_seconds"]
    doc["scaling_ratio_cpu"] = scaling[big]["cpu_seconds"] / scaling[mid]["cpu_seconds"]
    print(f"  {'default outputs (per-student table too)'} at {sizes[-1]:,}", flush=True)
    with_students = measure({"kind": "engine", "overrides": scaled_overrides(sizes[-1], 3), "students": True}, 1,
                            f"engine {sizes[-1]:,} students=True")
    tiny = measure({"kind": "engine", "overrides": WARM_UP}, 1, "engine (tiny: interpreter and libraries)")
    per_student = (with_students["peak_rss_bytes"] - tiny["peak_rss_bytes"]) / with_students["n_students"]
    doc["memory"] = {
        "peak_rss_bytes_largest_summary_only": scaling[big]["peak_rss_bytes"],
        "peak_rss_bytes_largest_with_student_table": with_students["peak_rss_bytes"],
        "wall_seconds_largest_with_student_table": with_students["wall_seconds"],
        "peak_rss_bytes_tiny_run": tiny["peak_rss_bytes"],
        "bytes_per_student_measured": per_student,
        "note": "(peak RSS of the largest run with the default outputs - peak RSS of a 180-student run) "
                "/ students: the per-student memory for sim.scenario.memory.BYTES_PER_STUDENT",
    }
    doc["bytes_per_student_measured"] = per_student
    doc["engine_1m_wall_seconds"] = scaling[big]["wall_seconds"]
    doc["engine_1m_peak_rss_gib"] = scaling[big]["peak_rss_bytes"] / 2**30

    # 3. the bare NumPy limit at the largest size
    print("[3/6] bare NumPy loop (the limit)", flush=True)
    limit = measure({"kind": "numpy", "n": scaling[big]["n_students"], "weeks": scaling[big]["weeks"]},
                    limit_reps, f"numpy {sizes[-1]:,}")
    doc["numpy_limit"] = {"loop": limit,
                          "engine_student_weeks_per_second": scaling[big]["student_weeks_per_second"],
                          "loop_student_weeks_per_second": limit["student_weeks_per_second"]}
    doc["fraction_of_numpy_limit"] = scaling[big]["student_weeks_per_second"] / limit["student_weeks_per_second"]
    doc["fraction_of_numpy_limit_cpu"] = limit["cpu_seconds"] / scaling[big]["cpu_seconds"]

    # 4. sweep throughput and the baseline's single-run time
    print("[4/6] sweep throughput of the baseline (run_one(None, seed))", flush=True)
    base = in_subprocess({"kind": "baseline", "repeats": 9 if not quick else 3})
    doc["baseline_run_seconds"] = statistics.median(base["times"])
    doc["baseline_run_seconds_all"] = base["times"]
    rates: dict[str, list[float]] = {"1": [], "2": []}
    cpu_per_run: dict[str, list[float]] = {"1": [], "2": []}
    load_during = []
    for rep in range(sweep_reps):
        for workers in (1, 2):
            rate, cpu = sweep_rate(workers, sweep_runs, 1000 * rep + 100)
            rates[str(workers)].append(rate)
            cpu_per_run[str(workers)].append(cpu)
            load_during.append(load_average())
            print(f"  {workers} worker(s): {rate:.2f} runs/s, {cpu:.3f} s CPU per run", flush=True)
    r1, r2 = statistics.median(rates["1"]), statistics.median(rates["2"])
    c1, c2 = statistics.median(cpu_per_run["1"]), statistics.median(cpu_per_run["2"])
    doc["sweep"] = {"runs_per_measurement": sweep_runs, "measurements": sweep_reps, "runs_per_second": rates,
                    "runs_per_second_1_worker": r1, "runs_per_second_2_workers": r2,
                    "cpu_seconds_per_run": cpu_per_run, "load_average_after_each": load_during,
                    "cpu_efficiency_2_workers": c1 / c2,
                    "start_method": "spawn", "task": "run_one(None, seed).summary"}
    doc["parallel_efficiency_2_workers"] = r2 / (2 * r1)

    # 5. many small runs: batched against one by one, on one core
    print("[5/6] many small runs on one core: the baseline one by one against batches (run_batch)", flush=True)
    batch_runs = 16 if quick else 64
    batched: dict[str, list[dict[str, Any]]] = {}
    for rep in range(1 if quick else 3):
        for size in (k for k in (1, 4, 16, 32, 64) if k <= batch_runs):
            r = in_subprocess({"kind": "batch", "runs": batch_runs, "batch": size, "seed": 5000 + 100 * rep})
            batched.setdefault(str(size), []).append(r)
            print(f"  batch {size:2d}: {r['runs_per_second']:.2f} runs/s, "
                  f"{r['cpu_seconds_per_run']:.3f} s CPU per run, "
                  f"{r['traced_peak_bytes'] / size / 2**20:.1f} MiB traced a run", flush=True)
    rate = {k: statistics.median(r["runs_per_second"] for r in v) for k, v in batched.items()}
    best = max((k for k in rate if k != "1"), key=lambda k: rate[k])
    doc["batched"] = {"runs": batch_runs, "runs_per_second_by_batch": rate,
                      "memory_bytes_per_batched_run": {k: max(r["traced_peak_bytes"] for r in v) / int(k)
                                                       for k, v in batched.items()},
                      "best_batch": int(best), "task": "run_batch([None] * K, seeds, students=False)"}
    doc["batched_over_one_by_one_1_core"] = rate[best] / rate["1"]
    doc["batched"]["shipped_sweeps"] = sweep_points_that_batch()
    print(f"  shipped sweeps: {doc['batched']['shipped_sweeps']['share']:.0%} of their runs share a batch's shape",
          flush=True)

    print("  the shipped calibration's evaluations (scenarios/calibration/published_bands.yaml), batched or not",
          flush=True)
    evaluations = 6 if quick else 32
    calib = {name: in_subprocess({"kind": "calibration_evaluations", "evaluations": evaluations, "batch": on,
                                  "seed": 11}) for name, on in (("one_by_one", False), ("batched", True))}
    for name, r in calib.items():
        print(f"  {name}: {r['evaluations_per_second']:.2f} evaluations/s "
              f"({r['runs_per_evaluation']} runs each), {r['cpu_seconds_per_evaluation']:.2f} s CPU each", flush=True)
    doc["calibration_evaluations"] = {"evaluations": evaluations, **calib}
    doc["calibration_time_batched_over_one_by_one"] = \
        calib["one_by_one"]["evaluations_per_second"] / calib["batched"]["evaluations_per_second"]

    # 6. a city of many programmes against one programme of the same students and firms (issue 18, item 9)
    print("[6/6] cities: 20 programmes against one programme of 42,000 students; 200 programmes against the 1M run",
          flush=True)
    small = 10 if quick else 1
    city_20 = {"kind": "city", "programmes": 20 // (2 if quick else 1), "students_each": 2100 // (5 if quick else 1),
               "firms": 1400 // small, "horizon_years": 6}
    n_20 = city_20["programmes"] * city_20["students_each"]
    one_20 = {"kind": "engine", "overrides": {**scaled_overrides(n_20, 6), "enterprises.count": city_20["firms"]}}
    city_runs = [in_subprocess({**city_20, "seed": i + 1}) for i in range(1 if quick else 3)]
    one_runs = [in_subprocess({**one_20, "seed": i + 1}) for i in range(1 if quick else 3)]
    doc["city_20"] = {"students": n_20, "city_wall_seconds": statistics.median(r["wall"] for r in city_runs),
                      "programme_wall_seconds": statistics.median(r["wall"] for r in one_runs)}
    doc["city_20_over_one_programme"] = doc["city_20"]["city_wall_seconds"] / doc["city_20"]["programme_wall_seconds"]
    print(f"  20 programmes: {doc['city_20']['city_wall_seconds']:.2f} s, one programme "
          f"{doc['city_20']['programme_wall_seconds']:.2f} s", flush=True)
    city_1m = {"kind": "city", "programmes": 200 // small, "students_each": 5000,
               "firms": sizes[-1] // STUDENTS_PER_ENTERPRISE, "horizon_years": 3, "seed": 1}
    city_big = in_subprocess(city_1m)
    doc["city_1m"] = {"students": city_1m["programmes"] * 5000, "city_wall_seconds": city_big["wall"],
                      "programme_wall_seconds": scaling[big]["wall_seconds"]}
    doc["city_1m_over_engine_1m"] = city_big["wall"] / scaling[big]["wall_seconds"]
    print(f"  200 programmes: {city_big['wall']:.2f} s against {scaling[big]['wall_seconds']:.2f} s", flush=True)
    sys.path.insert(0, str(HERE))
    from city_replications import compare as compare_city_replications

    doc["city_replications"] = compare_city_replications(4 if quick else 8, 1 if quick else 3, 2 if quick else None)
    doc["city_replications_together_over_one_by_one"] = \
        doc["city_replications"]["together_over_one_by_one_speedup"]
    print(f"  the shipped city's replications together: "
          f"{doc['city_replications']['cpu_seconds_per_replication_together']:.2f} s CPU each, one by one "
          f"{doc['city_replications']['cpu_seconds_per_replication_one_by_one']:.2f} s", flush=True)

    doc["load_average_after"] = load_average()
    doc["total_benchmark_seconds"] = time.perf_counter() - started
    doc["targets"] = {key: {"target": f"{op} {value:g}", "value": doc[key],
                            "met": doc[key] >= value if op == ">=" else doc[key] <= value}
                      for key, (op, value) in TARGETS.items()}
    return doc


def table(doc: dict[str, Any]) -> str:
    """The results as a Markdown table (printed, and copied into docs/performance.md)."""
    pc = doc["peer_comparison"]
    rows = [
        "| measurement | students | wall s | cpu s | peak RSS MiB | student-weeks/s |",
        "|---|---:|---:|---:|---:|---:|",
    ]

    def row(name: str, m: dict[str, Any]) -> str:
        return (f"| {name} | {m['n_students']:,} | {m['wall_seconds']:.2f} | {m['cpu_seconds']:.2f} | "
                f"{m['peak_rss_bytes'] / 2**20:,.0f} | {m['student_weeks_per_second']:,.0f} |")

    years = pc["engine"]["weeks"] // WEEKS_PER_YEAR
    rows.append(row(f"engine, baseline scaled, {years} y (median of {pc['engine']['runs']})", pc["engine"]))
    rows.append(row(f"Mesa peer, same scenario (median of {pc['peer']['runs']})", pc["peer"]))
    for n, m in doc["scaling"]["sizes"].items():
        rows.append(row(f"engine, 3 cohorts, 3 y, {int(n):,} (median of {m['runs']})", m))
    lim = doc["numpy_limit"]["loop"]
    rows.append(row(f"bare NumPy loop, same student-weeks (median of {lim['runs']})", lim))
    sw = doc["sweep"]
    bt = doc["batched"]
    lines = ["\n".join(rows), "",
             "| figure | value | target | met |", "|---|---:|---|---|"]
    for key, t in doc["targets"].items():
        lines.append(f"| {key} | {t['value']:.3g} | {t['target']} | {'yes' if t['met'] else 'no'} |")
    lines += ["",
              f"Sweep: {sw['runs_per_second_1_worker']:.2f} runs/s on 1 worker, "
              f"{sw['runs_per_second_2_workers']:.2f} runs/s on 2 (median of {sw['measurements']} x "
              f"{sw['runs_per_measurement']} runs); CPU time per run on 2 workers vs 1: "
              f"{sw['cpu_efficiency_2_workers']:.2f}. Peer memory / engine memory at "
              f"{pc['engine']['n_students']:,} students: {pc['memory_ratio']:.2f}; speedup by CPU time "
              f"{pc['speedup_cpu']:.0f}x. Measured bytes per student: {doc['bytes_per_student_measured']:.0f}.",
              f"Many small runs on one core: {bt['runs_per_second_by_batch']['1']:.2f} runs/s one by one, "
              + ", ".join(f"{v:.2f} in batches of {k}" for k, v in bt["runs_per_second_by_batch"].items() if k != "1")
              + f" ({bt['runs']} baseline runs each); memory per batched run "
              + ", ".join(f"{v / 2**20:.1f} MiB at {k}" for k, v in bt["memory_bytes_per_batched_run"].items())
              + ".",
              f"Cities: 20 programmes "
              f"of {doc['city_20']['students']:,} students {doc['city_20']['city_wall_seconds']:.2f} s against one "
              f"programme of the same students and firms {doc['city_20']['programme_wall_seconds']:.2f} s; the city of "
              f"{doc['city_1m']['students']:,} students {doc['city_1m']['city_wall_seconds']:.2f} s against the "
              f"{doc['city_1m']['programme_wall_seconds']:.2f} s of one programme of 1,000,000; "
              f"{doc['city_replications']['replications']} replications of the shipped city together "
              f"{doc['city_replications']['together_over_one_by_one_speedup']:.2f}x as fast as one by one "
              f"({doc['city_replications']['cpu_seconds_per_replication_together']:.2f} against "
              f"{doc['city_replications']['cpu_seconds_per_replication_one_by_one']:.2f} s CPU a replication).",
              f"Machine: {doc['machine']['cpu_model']}, {doc['machine']['logical_cores']} cores, "
              f"{doc['machine']['memory_gib']} GiB, Python {doc['machine']['python']}, NumPy "
              f"{doc['machine']['numpy']}, Mesa {doc['machine']['mesa']}; {doc['date']}; load average "
              f"{doc['load_average_before']} before, {doc['load_average_after']} after."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the options, run the benchmarks (or one worker task), print and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer runs, for development")
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write the JSON (default: benchmarks/results.json; with --quick, nowhere)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(run_task(json.loads(args.worker))))
        return 0
    doc = run_benchmarks(args.quick)
    out = args.out or (None if args.quick else HERE / "results.json")
    print()
    print(table(doc))
    if out is not None:
        out.write_text(json.dumps(doc, indent=2) + "\n")
        print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
