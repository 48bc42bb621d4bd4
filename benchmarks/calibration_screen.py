"""The Morris screen that chooses the free parameters of the shipped calibration (issue 11, item 6).

Run from the repository root::

    .venv/bin/python benchmarks/calibration_screen.py            # both screens, 2 workers

Runs ``scenarios/calibration/screen/pilot.yaml`` (the baseline: early termination, host
retention, net-to-gross cost) and ``.../typical.yaml`` (the traditional programme:
employment half a year after graduation), each a Morris design over the same assumption
parameters at [0.5, 1.5] x their defaults. For each target of
``scenarios/calibration/published_bands.yaml`` it divides each parameter's mu* (the mean
absolute elementary effect over the whole range) by the target's band width: a value
above 1 means the parameter alone can move the outcome across the whole band. A
parameter is worth freeing when that ratio is large for some target; the printed ranking
is what the closing note and docs/calibration.md show. The sweeps store their runs under
``outputs/screen_pilot`` and ``outputs/screen_typical`` (a rerun resumes).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.calibration.spec import load_spec  # noqa: E402
from sim.experiments.backends import make_backend  # noqa: E402
from sim.experiments.sweep import sweep  # noqa: E402

SCREENS = {"pilot": ROOT / "scenarios/calibration/screen/pilot.yaml",
           "typical": ROOT / "scenarios/calibration/screen/typical.yaml"}
CALIBRATION = ROOT / "scenarios/calibration/published_bands.yaml"


def band_widths() -> dict[tuple[str, str], float]:
    """(scenario name, outcome) -> band width (or 2 x standard error) of each published_bands target."""
    widths = {}
    for t in load_spec(CALIBRATION).targets:
        if t.band is not None:
            width = t.band[1] - t.band[0]
        else:
            assert t.se is not None  # the loader guarantees a value with its standard error, or a band
            width = 2.0 * t.se
        widths[(t.scenario, t.outcome)] = float(width)
    return widths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    widths = band_widths()
    rows = []
    start = time.perf_counter()
    with make_backend(workers=args.workers) as backend:
        for name, path in SCREENS.items():
            result = sweep(path, out=ROOT / "outputs" / f"screen_{name}", backend=backend, progress=True, quiet=True)
            assert result.sensitivity is not None
            for _, r in result.sensitivity.iterrows():
                width = widths.get((name, r["outcome"]))
                if width:
                    rows.append({"target": f"{name}: {r['outcome']}", "parameter": r["parameter"],
                                 "mu_star": r["mu_star"], "mu_star_per_band": r["mu_star"] / width,
                                 "runs": len(result.results)})
    table = pd.DataFrame(rows)
    print(f"Morris screen: {table.groupby('target')['runs'].first().sum()} runs in {time.perf_counter() - start:.0f} s")
    for target, part in table.groupby("target", sort=False):
        print(f"\n{target} (mu* / band width, largest first)")
        for _, r in part.sort_values("mu_star_per_band", ascending=False).head(8).iterrows():
            print(f"  {r['parameter']:55s} {r['mu_star_per_band']:8.2f}")
    best = table.groupby("parameter")["mu_star_per_band"].max().sort_values(ascending=False)
    print("\nlargest mu* / band width over the targets")
    for parameter, value in best.items():
        print(f"  {parameter:55s} {value:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
