"""The engine and the per-agent Mesa peer (benchmarks/peer_mesa.py) compute the same model.

Both are run over independent replications of one small scenario, and every outcome
of the summary is compared with a two-sample Welch confidence interval of the
difference of the means: the outcome agrees when the interval contains 0. The
intervals are simultaneous (Bonferroni over the outcomes compared, family-wise level
``FAMILY_ALPHA``), so "all agree" is an honest test at that level rather than one that
fails for a few outcomes by chance; seeds are fixed, so the test is deterministic.
Outcomes that do not vary between replications (counts fixed by the scenario) must be
equal. The second test changes one mechanism in the peer (learning twice as fast)
and shows that the same check catches it.

The scenario is small so that the test stays fast, and it turns on the incentives (an
enterprise apprenticeship, so that hosts claim the completion subsidy; certified firms
with the education-surcharge credit; demonstration-unit titles; honours for the best
mentors and career credit for mentoring), tight funds and a small
training base so that the ledger's priorities, the cut of practice hours, the enterprise
accounts and participation are all exercised.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from sim.model import run_one
from sim.scenario import load_scenario

SMALL = {
    "intake.cohort_size": 150,
    "intake.n_cohorts": 2,
    "enterprises.count": 15,
    "simulation.horizon_years": 5,  # the second cohort's 12-month follow-up is the last week
    "funding.school_special_fund_yuan_per_year": 200_000.0,  # tight: some weeks are not fully funded
    "funding.government_yuan_per_year": 100_000.0,
    "programme.kind": "enterprise_apprenticeship",  # employees: the post's wage, and the completion subsidy
    "incentives.apprentice_subsidy_yuan_per_year": 3_000.0,
    "incentives.certified_enterprise_share": 0.5,  # half the firms claim the education-surcharge credit
    "incentives.demonstration_unit_titles": True,
    "incentives.mentor_honours": True,  # the best tenth of mentors honoured each year (per-mentor effort)
    "incentives.career_development": True,  # lower mentor turnover
    "programme.training_base_capacity_hours_per_week": 2_000.0,  # small: practice cut while both cohorts at school
}
REPLICATIONS = 16
VARIANT_REPLICATIONS = 8
FAMILY_ALPHA = 0.01


def _load_peer():
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "peer_mesa.py"
    spec = importlib.util.spec_from_file_location("peer_mesa", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("peer_mesa", module)
    spec.loader.exec_module(module)
    return module


peer_mesa = _load_peer()


@dataclass(frozen=True)
class Comparison:
    """One outcome compared between two sets of replications."""

    outcome: str
    mean_a: float
    mean_b: float
    low: float  # simultaneous CI of mean_a - mean_b
    high: float
    agrees: bool


def compare_replications(a: list[dict[str, float]], b: list[dict[str, float]],
                         family_alpha: float = FAMILY_ALPHA, rel_tol: float = 1e-9) -> list[Comparison]:
    """Compare every outcome of two sets of replicated summaries.

    For each outcome: the Welch two-sample CI of the difference of the means at level
    ``1 - family_alpha / k`` (Bonferroni over the ``k`` outcomes), which must contain 0.
    Outcomes constant in both sets must be equal (``rel_tol``); NaN values (an
    outcome undefined in a run, e.g. a rate with nothing to count) are left out, and
    an outcome undefined in every run of one set must be undefined in every run of
    the other.

    Args:
        a: summaries of the first model, one per replication.
        b: summaries of the second model, one per replication.
        family_alpha: the chance that some outcome is flagged when the models agree.
        rel_tol: tolerance for outcomes that do not vary.

    Returns:
        One Comparison per outcome of ``a``, in ``a``'s order.
    """
    keys = list(a[0])
    missing = [k for k in keys if k not in b[0]]
    assert not missing, f"outcomes missing from the second model: {missing}"
    alpha = family_alpha / len(keys)
    out = []
    for key in keys:
        xa = np.array([r[key] for r in a], dtype=float)
        xb = np.array([r[key] for r in b], dtype=float)
        xa, xb = xa[np.isfinite(xa)], xb[np.isfinite(xb)]
        if len(xa) == 0 or len(xb) == 0:
            out.append(Comparison(key, math.nan, math.nan, math.nan, math.nan, len(xa) == len(xb) == 0))
            continue
        ma, mb = float(xa.mean()), float(xb.mean())
        va = float(xa.var(ddof=1)) / len(xa) if len(xa) > 1 else 0.0
        vb = float(xb.var(ddof=1)) / len(xb) if len(xb) > 1 else 0.0
        diff = ma - mb
        if va + vb == 0.0:
            half = rel_tol * max(abs(ma), abs(mb), 1.0)
        else:
            df = (va + vb) ** 2 / ((va**2 / (len(xa) - 1) if va else 0.0) + (vb**2 / (len(xb) - 1) if vb else 0.0))
            half = float(stats.t.ppf(1.0 - alpha / 2.0, df)) * math.sqrt(va + vb)
        out.append(Comparison(key, ma, mb, diff - half, diff + half, diff - half <= 0.0 <= diff + half))
    return out


def disagreements(comparisons: list[Comparison]) -> list[Comparison]:
    """The outcomes whose interval excludes 0."""
    return [c for c in comparisons if not c.agrees]


def _table(comparisons: list[Comparison]) -> str:
    return "\n".join(f"{c.outcome:45s} engine {c.mean_a:14.4f} peer {c.mean_b:14.4f} "
                     f"CI [{c.low:.4g}, {c.high:.4g}]{'' if c.agrees else '  <-- differs'}" for c in comparisons)


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(None, SMALL)


@pytest.fixture(scope="module")
def engine_runs(scenario):
    return [run_one(scenario, seed, students=False).summary for seed in range(REPLICATIONS)]


def test_peer_agrees_with_engine(scenario, engine_runs):
    peer_runs = [peer_mesa.run_peer(scenario, 10_000 + seed) for seed in range(REPLICATIONS)]
    comparisons = compare_replications(engine_runs, peer_runs)
    assert [c.outcome for c in comparisons] == list(engine_runs[0])
    assert set(peer_runs[0]) == set(engine_runs[0]), "the peer must report the same outcomes"
    assert not disagreements(comparisons), _table(comparisons)
    # the scenario exercises what it is meant to: shortages, incentives, placements, exits
    summary = {c.outcome: c.mean_a for c in comparisons}
    assert summary["spent_apprentice_subsidy_yuan"] > 0 and summary["tax_credit_yuan"] > 0
    assert summary["balance_yuan"] < summary["money_in_yuan"]
    assert 0 < summary["early_termination_rate"] <= summary["dissolution_rate"] < 1
    assert 0 < summary["dropout_rate"] < 1
    assert 0 < summary["practice_hours_cut_share"] < 1


def test_check_catches_a_changed_mechanism(scenario, engine_runs):
    wrong = [peer_mesa.run_peer(scenario, 20_000 + seed, variants={"double_learning_rate"})
             for seed in range(VARIANT_REPLICATIONS)]
    flagged = {c.outcome for c in disagreements(compare_replications(engine_runs, wrong))}
    assert {"mean_theory", "mean_practical_skill", "mean_professionalism", "mean_composite_score",
            "certificate_pass_rate", "exam_pass_rate_per_sitting"} <= flagged
    assert not {"n_students", "n_enrolled"} & flagged
