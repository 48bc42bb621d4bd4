"""Proof that a refactor changed no result: every shipped scenario, seeds 1-3, old vs new, exact values.

Why this script and not the golden test: ``tests/test_golden.py`` checks one small run
with a relative tolerance (``rel=1e-8``), which is right for a regression test but is
not a proof that a redesign "changes no result". A reordered floating-point sum, a
different random-number draw in a rarely used branch, or a changed dtype can pass it.
This script runs every shipped scenario (``scenarios/*.yaml``, not ``scenarios/sweeps/``)
of each revision with seeds 1, 2 and 3 and compares everything ``sim.run_one`` returns
with no tolerance at all.

Run from the repository root::

    .venv/bin/python benchmarks/identical_outputs.py                        # f68623c vs the working tree
    .venv/bin/python benchmarks/identical_outputs.py --reuse-old            # same, old results from the cache
    .venv/bin/python benchmarks/identical_outputs.py --old f68623c --new f68623c   # sanity check

How each side is run:

* ``--old REV`` (default ``f68623c``, the commit before the redesign) and ``--new REV``
  (default: this repository's working tree as it is on disk, uncommitted edits
  included). A git revision is checked out with ``git worktree add --detach`` in a
  temporary folder, removed afterwards with ``git worktree remove --force``.
* The revision's code runs in a subprocess of the same ``.venv/bin/python`` with
  ``PYTHONPATH=<that tree>`` (the package is pure Python, so nothing is installed);
  the subprocess checks that ``sim`` and every ``sim.*`` module it loaded come from that
  tree (the venv's editable install points at the working tree). ``PYTHONHASHSEED=0``
  on both sides, so that only the code differs between them.
* For every ``scenarios/*.yaml`` of THAT tree and each seed it calls
  ``sim.run_one(path, seed=seed, events=True)`` (the students table is on by default)
  and pickles ``summary``, ``timeseries``, ``students`` and ``events`` to
  ``outputs/identical/<commit hash>/<scenario>/seed<k>.pkl`` (old side) or
  ``outputs/identical/new/<commit hash or "worktree">/...`` (new side). Scenarios run
  one after another (the machine is shared). ``--reuse-old`` reuses a complete old
  cache made for the same commit hash, seeds and numpy/pandas versions.

What is compared, per (scenario, seed):

* the set of (scenario, seed) pairs; the scenario name;
* the summary: same keys (order may differ: a note, not a failure), each value exactly
  equal (NaN equals NaN; int vs float is a difference, ``float`` vs ``numpy.float64`` a note);
* the time series, students and events tables: same number of rows and index, same
  column names (compared by name; order differences are a note), same dtypes
  (categoricals: same categories, order flag and codes), same values
  (``np.array_equal(..., equal_nan=True)`` for floats, exact otherwise).

One line per (scenario, seed), ``identical`` or the differences (the first few
columns/keys, each with an example row), then a line of counts. Exit status 0 when
every pair is identical, 1 otherwise (including a side that failed to import or run).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "outputs" / "identical"
PYTHON = REPO / ".venv" / "bin" / "python"
DEFAULT_OLD = "f68623c"
SEEDS = (1, 2, 3)
TABLES = ("timeseries", "students", "events")
MAX_SHOWN = 4
"""At most this many differing keys / columns are shown per table."""
CACHE_FORMAT = 1


# --------------------------------------------------------------------------- worker side


def worker(tree: Path, out: Path, seeds: list[int]) -> int:
    """Run every shipped scenario of ``tree`` for each seed and pickle the results in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    try:
        import sim

        run_one = sim.run_one  # sim imports lazily: this imports sim.model and the engine
    except Exception:
        message = f"importing sim from {tree} failed:\n{traceback.format_exc()}"
        (out / "error.txt").write_text(message, encoding="utf-8")
        print(message, file=sys.stderr)
        return 3
    if not _inside(sim.__file__, tree):
        message = f"sim was imported from {sim.__file__}, not from {tree}"
        (out / "error.txt").write_text(message, encoding="utf-8")
        print(message, file=sys.stderr)
        return 3

    started = time.perf_counter()
    runs = []
    for path in sorted((tree / "scenarios").glob("*.yaml")):
        for seed in seeds:
            t0 = time.perf_counter()
            try:
                res = run_one(path, seed=seed, events=True)
                record: dict[str, Any] = {
                    "scenario_name": res.scenario_name,
                    "summary": res.summary,
                    **{name: getattr(res, name) for name in TABLES},
                }
                status = f"{time.perf_counter() - t0:.1f} s"
            except Exception:
                record = {"error": traceback.format_exc()}
                status = "FAILED: " + record["error"].strip().splitlines()[-1]
            target = out / path.stem / f"seed{seed}.pkl"
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as fh:
                pickle.dump(record, fh, protocol=pickle.HIGHEST_PROTOCOL)
            runs.append([path.stem, seed])
            print(f"  {path.stem} seed {seed}: {status}", flush=True)

    foreign = sorted(
        name for name, mod in sys.modules.items()
        if (name == "sim" or name.startswith("sim.")) and getattr(mod, "__file__", None)
        and not _inside(mod.__file__, tree)
    )
    if foreign:
        message = f"modules loaded from outside {tree}: {foreign}"
        (out / "error.txt").write_text(message, encoding="utf-8")
        print(message, file=sys.stderr)
        return 3
    manifest = {
        "format": CACHE_FORMAT,
        "tree": str(tree),
        "sim_file": sim.__file__,
        "seeds": seeds,
        "runs": runs,
        "seconds": round(time.perf_counter() - started, 2),
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
        "python": sys.version.split()[0],
        "numpy": np.__version__,
        "pandas": pd.__version__,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return 0


def _inside(file: str | None, tree: Path) -> bool:
    return file is not None and Path(file).resolve().is_relative_to(tree.resolve())


# --------------------------------------------------------------------------- driver side


def git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def commit_of(rev: str) -> str:
    try:
        return git("rev-parse", "--verify", f"{rev}^{{commit}}")
    except subprocess.CalledProcessError:
        sys.exit(f"not a git revision: {rev!r}")


def reusable(out: Path, commit: str) -> dict | None:
    """The manifest of a complete cache of ``commit`` made with this environment, else None."""
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    same = (manifest.get("format") == CACHE_FORMAT and manifest.get("commit") == commit
            and manifest.get("seeds") == list(SEEDS) and manifest.get("numpy") == np.__version__
            and manifest.get("pandas") == pd.__version__)
    return manifest if same else None


def produce(side: str, rev: str | None, reuse: bool) -> tuple[Path, str, str | None]:
    """Compute (or reuse) one side's results; returns (cache folder, label, error or None)."""
    if rev is None:
        head = git("rev-parse", "--short", "HEAD")
        dirty = " + uncommitted edits" if git("status", "--porcelain", "--untracked-files=no") else ""
        label, commit, out = f"working tree (HEAD {head}{dirty})", None, CACHE / "new" / "worktree"
    else:
        commit = commit_of(rev)
        label = f"{rev} ({commit[:10]})"
        out = CACHE / commit if side == "old" else CACHE / "new" / commit
    if reuse and commit is not None and (manifest := reusable(out, commit)):
        print(f"{side}: {label}: reusing {out.relative_to(REPO)} (computed {manifest['finished']}, "
              f"took {manifest['seconds']:.1f} s)", flush=True)
        return out, label, None

    shutil.rmtree(out, ignore_errors=True)
    print(f"{side}: {label}: running {', '.join(map(str, SEEDS))} seeds of every scenario ...", flush=True)
    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix=f"identical-{side}-")) if commit else None
    tree = tmp / "tree" if tmp else REPO
    try:
        if tmp:
            git("worktree", "add", "--detach", str(tree), commit)
        python = str(PYTHON if PYTHON.exists() else Path(sys.executable))
        env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
        proc = subprocess.run([python, str(Path(__file__).resolve()), "--worker", str(tree), str(out),
                               "--seeds", ",".join(map(str, SEEDS))], cwd=tree, env=env, check=False)
    finally:
        if tmp:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                           check=False, capture_output=True)
            shutil.rmtree(tmp, ignore_errors=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        error_file = out / "error.txt"
        if error_file.exists():
            lines = error_file.read_text(encoding="utf-8").strip().splitlines()
            detail = f"{lines[0]} ... {lines[-1]}" if len(lines) > 1 else lines[0]
            detail += f" (full text above and in {error_file.relative_to(REPO)})"
        else:
            detail = "see its output above"
        return out, label, f"the subprocess exited with status {proc.returncode}: {detail}"
    manifest_file = out / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    manifest["commit"] = commit
    manifest["label"] = label
    manifest_file.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    print(f"{side}: {label}: {len(manifest['runs'])} runs in {seconds:.1f} s wall "
          f"(runs alone {manifest['seconds']:.1f} s)", flush=True)
    return out, label, None


def load(out: Path) -> dict[tuple[str, int], dict]:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    results = {}
    for stem, seed in manifest["runs"]:
        with (out / stem / f"seed{seed}.pkl").open("rb") as fh:
            results[stem, seed] = pickle.load(fh)  # our own cache
    return results


# --------------------------------------------------------------------------- comparison


def _kind(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool | np.bool_):
        return "bool"
    if isinstance(value, int | np.integer):
        return "int"
    if isinstance(value, float | np.floating):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, dict):
        return "dict"
    if isinstance(value, list | tuple | np.ndarray):
        return "sequence"
    return type(value).__name__


def same_value(a: Any, b: Any) -> bool:
    """Exact equality of two summary values; NaN equals NaN; no tolerance."""
    ka, kb = _kind(a), _kind(b)
    if ka != kb:
        return False
    if ka == "float":
        return bool(a == b) or (math.isnan(a) and math.isnan(b))
    if ka == "dict":
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if ka == "sequence":
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def compare_summary(old: dict, new: dict, diffs: list[str], notes: list[str]) -> None:
    missing = [k for k in old if k not in new]
    extra = [k for k in new if k not in old]
    if missing:
        diffs.append(f"summary: {len(missing)} keys missing now: {missing[:MAX_SHOWN]}")
    if extra:
        diffs.append(f"summary: {len(extra)} new keys: {extra[:MAX_SHOWN]}")
    common = [k for k in old if k in new]
    if [k for k in new if k in old] != common:
        notes.append("summary: key order differs")
    changed = [k for k in common if not same_value(old[k], new[k])]
    if changed:
        shown = ", ".join(f"{k}: {old[k]!r} -> {new[k]!r}" for k in changed[:MAX_SHOWN])
        diffs.append(f"summary: {len(changed)} of {len(common)} values differ: {shown}")
    retyped = [k for k in common if k not in changed and type(old[k]) is not type(new[k])]
    if retyped:
        k = retyped[0]
        notes.append(f"summary: {len(retyped)} values change Python type but not value, "
                     f"e.g. {k}: {type(old[k]).__name__} -> {type(new[k]).__name__}")


def _differing_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Boolean mask of the rows where two equally long arrays differ (NaN equals NaN)."""
    if a.dtype.kind in "fc" and b.dtype.kind in "fc":
        return ~((a == b) | (np.isnan(a) & np.isnan(b)))
    if a.dtype.kind in "biu" and b.dtype.kind in "biu":
        return a != b
    return np.array([not _same_cell(x, y) for x, y in zip(a, b, strict=True)], dtype=bool)


def _same_cell(x: Any, y: Any) -> bool:
    x_na, y_na = x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)), \
        y is None or y is pd.NA or (isinstance(y, float) and math.isnan(y))
    if x_na or y_na:
        return x_na and y_na and type(x) is type(y)
    try:
        return bool(x == y)
    except (TypeError, ValueError):
        return False


def _show(value: Any) -> str:
    """A cell for the report; numpy scalars as Python ones (a float's repr round-trips exactly)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def compare_column(a: pd.Series, b: pd.Series) -> str | None:
    """Why two same-length columns differ, or None when they are identical."""
    problems = []
    categorical = isinstance(a.dtype, pd.CategoricalDtype) and isinstance(b.dtype, pd.CategoricalDtype)
    if categorical:
        ca, cb = list(a.cat.categories), list(b.cat.categories)
        if ca != cb or a.cat.ordered != b.cat.ordered:
            problems.append(f"categories {ca}{' ordered' * a.cat.ordered} -> {cb}{' ordered' * b.cat.ordered}")
        va, vb = a.cat.codes.to_numpy(), b.cat.codes.to_numpy()
        same = np.array_equal(va, vb)
    else:
        if a.dtype != b.dtype:
            problems.append(f"dtype {a.dtype} -> {b.dtype}")
        va, vb = a.to_numpy(), b.to_numpy()
        if va.dtype.kind in "fc" and vb.dtype.kind in "fc":
            same = np.array_equal(va, vb, equal_nan=True)
        elif va.dtype.kind in "biuM" and va.dtype == vb.dtype:
            same = np.array_equal(va, vb)
        else:
            same = not _differing_rows(va, vb).any()
    if not same:
        rows = np.flatnonzero(_differing_rows(va, vb))
        i = int(rows[0]) if len(rows) else 0
        if categorical:
            was, now = (f"code {_show(va[i])} {_show(a.iloc[i])}", f"code {_show(vb[i])} {_show(b.iloc[i])}")
        else:
            was, now = _show(va[i]), _show(vb[i])
        problems.append(f"{len(rows)} rows differ, e.g. row {a.index[i]}: {was} -> {now}")
    return "; ".join(problems) or None


def compare_table(name: str, old: pd.DataFrame | None, new: pd.DataFrame | None,
                  diffs: list[str], notes: list[str]) -> None:
    if old is None or new is None:
        if (old is None) != (new is None):
            diffs.append(f"{name}: {'missing now' if new is None else 'new table'}")
        return
    old_cols, new_cols = list(old.columns), list(new.columns)
    missing = [c for c in old_cols if c not in new_cols]
    extra = [c for c in new_cols if c not in old_cols]
    if missing:
        diffs.append(f"{name}: {len(missing)} columns missing now: {missing[:MAX_SHOWN]}")
    if extra:
        diffs.append(f"{name}: {len(extra)} new columns: {extra[:MAX_SHOWN]}")
    common = [c for c in old_cols if c in new_cols]
    if [c for c in new_cols if c in old_cols] != common:
        notes.append(f"{name}: column order differs")
    if len(old) != len(new):
        diffs.append(f"{name}: {len(old)} rows -> {len(new)} rows")
        return
    if not old.index.equals(new.index):
        diffs.append(f"{name}: the index differs ({type(old.index).__name__} -> {type(new.index).__name__})")
        return
    bad = [(c, why) for c in common if (why := compare_column(old[c], new[c]))]
    if bad:
        shown = "; ".join(f"{c}: {why}" for c, why in bad[:MAX_SHOWN])
        more = f" (and {len(bad) - MAX_SHOWN} more)" if len(bad) > MAX_SHOWN else ""
        diffs.append(f"{name}: {len(bad)} of {len(common)} columns differ: {shown}{more}")


def compare_run(old: dict, new: dict) -> tuple[list[str], list[str]]:
    diffs: list[str] = []
    notes: list[str] = []
    for side, record in (("old", old), ("new", new)):
        if "error" in record:
            diffs.append(f"the {side} run failed: {record['error'].strip().splitlines()[-1]}")
    if diffs:
        return diffs, notes
    if old["scenario_name"] != new["scenario_name"]:
        diffs.append(f"scenario name {old['scenario_name']!r} -> {new['scenario_name']!r}")
    compare_summary(old["summary"], new["summary"], diffs, notes)
    for name in TABLES:
        compare_table(name, old[name], new[name], diffs, notes)
    return diffs, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", default=DEFAULT_OLD, help=f"git revision before the change (default {DEFAULT_OLD})")
    parser.add_argument("--new", default=None, help="git revision after the change (default: the working tree)")
    parser.add_argument("--reuse-old", action="store_true",
                        help="reuse the cached old results of the same commit if complete")
    parser.add_argument("--worker", nargs=2, metavar=("TREE", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--seeds", default=",".join(map(str, SEEDS)), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(Path(args.worker[0]), Path(args.worker[1]), [int(s) for s in args.seeds.split(",")])

    old_dir, old_label, old_error = produce("old", args.old, args.reuse_old)
    if old_error:
        print(f"FAILED: the old side {old_label} did not run: {old_error}")
        return 1
    new_dir, new_label, new_error = produce("new", args.new, reuse=False)
    if new_error:
        print(f"FAILED: the new side {new_label} did not run, nothing compared: {new_error}")
        return 1

    old, new = load(old_dir), load(new_dir)
    print(f"\ncomparing old {old_label} with new {new_label}")
    counts = {"identical": 0, "different": 0, "only in old": 0, "only in new": 0}
    n_notes = 0
    for key in sorted(old.keys() | new.keys()):
        stem, seed = key
        if key not in new or key not in old:
            where = "only in old" if key not in new else "only in new"
            counts[where] += 1
            print(f"{stem} seed {seed}: {where.upper()}")
            continue
        diffs, notes = compare_run(old[key], new[key])
        n_notes += len(notes)
        counts["different" if diffs else "identical"] += 1
        print(f"{stem} seed {seed}: {'DIFFERENT' if diffs else 'identical'}")
        for line in diffs:
            print(f"    {line}")
        for line in notes:
            print(f"    note: {line}")
    total = sum(counts.values())
    print(f"\n{total} (scenario, seed) pairs: " + ", ".join(f"{v} {k}" for k, v in counts.items())
          + f"; {n_notes} notes")
    return 0 if counts["identical"] == total else 1


if __name__ == "__main__":
    sys.exit(main())
