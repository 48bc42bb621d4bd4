"""Run records as tidy tables: one row per run, parameters and outcomes as columns."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.experiments.store import RunRecord


def outcome_names(records: Sequence[RunRecord]) -> list[str]:
    """Every outcome any run returned, in order of first appearance."""
    return list(dict.fromkeys(name for record in records for name in record.outcomes))


def records_table(records: Sequence[RunRecord], parameters: Sequence[str] = ()) -> pd.DataFrame:
    """One row per run: ``point``, ``rep``, ``seed``, the parameters, the outcomes, ``error``.

    A failed run has NaN outcomes and its error text; a successful run an empty error.
    The table depends only on the records (never on the order runs finished in).
    """
    outcomes = outcome_names(records)
    rows = []
    for record in sorted(records, key=lambda r: r.key):
        row: dict[str, object] = {"point": record.point, "rep": record.rep, "seed": record.seed}
        row.update({name: record.params.get(name) for name in parameters})
        row.update({name: record.outcomes.get(name, float("nan")) for name in outcomes})
        row["error"] = record.error or ""
        rows.append(row)
    table = pd.DataFrame(rows, columns=["point", "rep", "seed", *parameters, *outcomes, "error"])
    table = table.astype({"point": "int64", "rep": "int64", "seed": "int64",
                          **{name: "float64" for name in outcomes}})
    return table.astype({"error": "string"}).copy()  # one block per dtype: a city's runs have ~1,300 columns
