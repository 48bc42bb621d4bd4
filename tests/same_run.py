"""One check that two runs returned the same thing, bit for bit (shared by the tests that need it)."""

from __future__ import annotations

import math

import pandas as pd

from sim.model import RunResult


def assert_same_run(alone: RunResult, batched: RunResult) -> None:
    """Everything a run returns, compared exactly."""
    assert batched.scenario_name == alone.scenario_name and batched.seed == alone.seed
    assert list(batched.summary) == list(alone.summary)
    for name, value in alone.summary.items():
        other = batched.summary[name]
        assert other == value or (math.isnan(value) and math.isnan(other)), (name, value, other)
    pd.testing.assert_frame_equal(batched.timeseries, alone.timeseries, check_exact=True)
    pd.testing.assert_frame_equal(batched.students, alone.students, check_exact=True)
    pd.testing.assert_frame_equal(batched.events, alone.events, check_exact=True)
    pd.testing.assert_frame_equal(batched.training_market, alone.training_market, check_exact=True)
