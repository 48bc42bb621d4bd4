"""Rewrite tests/golden/small.json from the current model, after a reviewed change.

Usage: .venv/bin/python tests/golden/regenerate.py   (then read `git diff tests/golden/small.json`)
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().with_name("small.json")
SCENARIO = "scenarios/baseline.yaml"
SEED = 7
OVERRIDES = {"intake.cohort_size": 80, "intake.n_cohorts": 2, "enterprises.count": 20,
             "simulation.horizon_years": 5}
WEEKS = (0, 19, 20, 52, 104, 130, 155, 171, 207, 259)
"""Time-series rows kept: intake, first exam week, first holiday, year starts, placement,
graduation of cohort 0, the 6-month follow-up, graduation of cohort 1, the last week."""
DIGITS = 9


def rounded(value: float) -> float | None:
    """``value`` to DIGITS significant digits; NaN as None (JSON null)."""
    value = float(value)
    if math.isnan(value):
        return None
    return float(f"{value:.{DIGITS}g}")


def compute() -> dict[str, object]:
    """The golden record of the current model."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from sim.model import run_one

    result = run_one(ROOT / SCENARIO, seed=SEED, **OVERRIDES)
    ts = result.timeseries.set_index("week")
    return {
        "scenario": SCENARIO,
        "seed": SEED,
        "overrides": OVERRIDES,
        "significant_digits": DIGITS,
        "summary": {k: rounded(v) for k, v in sorted(result.summary.items())},
        "timeseries": {str(w): {k: rounded(v) for k, v in ts.loc[w].items()} for w in WEEKS},
    }


def main() -> None:
    """Write the golden file."""
    GOLDEN.write_text(json.dumps(compute(), indent=1, allow_nan=False) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN.relative_to(ROOT)}; now read the diff: git diff -- {GOLDEN.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
