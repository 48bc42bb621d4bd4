"""Golden outputs of one small fixed run; a person reads the diff when they change (golden/README.md)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
HOW = "if the change is intended: .venv/bin/python tests/golden/regenerate.py, then READ the diff"


def _regenerate_module():
    spec = importlib.util.spec_from_file_location("golden_regenerate", GOLDEN_DIR / "regenerate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def golden_and_current():
    module = _regenerate_module()
    golden = json.loads((GOLDEN_DIR / "small.json").read_text(encoding="utf-8"))
    return golden, module.compute()


def _differences(old: dict, new: dict) -> list[str]:
    out = [f"{k}: missing now (was {old[k]})" for k in sorted(old.keys() - new.keys())]
    out += [f"{k}: new outcome {new[k]}" for k in sorted(new.keys() - old.keys())]
    for k in sorted(old.keys() & new.keys()):
        a, b = old[k], new[k]
        if (a is None) != (b is None) or (a is not None and b != pytest.approx(a, rel=1e-8, abs=1e-12)):
            out.append(f"{k}: {a} -> {b}")
    return out


def test_golden_run_definition_unchanged(golden_and_current):
    golden, current = golden_and_current
    for key in ("scenario", "seed", "overrides", "significant_digits"):
        assert golden[key] == current[key], key


def test_golden_summary(golden_and_current):
    golden, current = golden_and_current
    diff = _differences(golden["summary"], current["summary"])
    assert not diff, "summary changed:\n  " + "\n  ".join(diff) + f"\n{HOW}"


def test_golden_timeseries_rows(golden_and_current):
    golden, current = golden_and_current
    assert golden["timeseries"].keys() == current["timeseries"].keys()
    diff = [f"week {w} {line}" for w in golden["timeseries"]
            for line in _differences(golden["timeseries"][w], current["timeseries"][w])]
    assert not diff, "time series changed:\n  " + "\n  ".join(diff) + f"\n{HOW}"


def test_golden_file_is_plausible():
    # guards against freezing a result nobody filled in (starsim's n_female: 0.0)
    summary = json.loads((GOLDEN_DIR / "small.json").read_text(encoding="utf-8"))["summary"]
    for key in ("completion_rate", "certificate_pass_rate", "employment_rate_at_graduation", "host_retention_rate",
                "enterprise_satisfaction", "mean_composite_score", "total_cost_yuan"):
        assert summary[key] is not None and summary[key] > 0, key
    assert summary["n_graduates"] + round(summary["dropout_rate"] * summary["n_enrolled"]) == summary["n_enrolled"]
