"""BIBB's training-market indicators of a run, by year and sector (sim.results.training_market).

Counted as BIBB counts the market each year (new contracts, unfilled places, unplaced
applicants at the cut-off): places by the firm's sector, applicants by the student's.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

import sim
from sim.engine.population import INTERNSHIP
from sim.mechanisms.placement import free_places, place_apprentices
from sim.model import build_world
from sim.results import training_market
from sim.scenario import resolve_scenario

SMALL = {"intake.cohort_size": 150, "enterprises.count": 25, "simulation.horizon_years": 5}


def _round_world(**overrides: object):
    world = build_world(resolve_scenario(None, {**SMALL, "enterprises.initial_participation_share": 1.0,
                                                 "intake.n_sectors": 3, **overrides}), 1)
    world.week = 104  # the first week of the 2+1 enterprise year
    world.students.stage[:] = INTERNSHIP
    return world


def test_a_round_counts_each_placement_once_on_each_side_and_the_places_left() -> None:
    world = _round_world()
    s, ent = world.students, world.enterprises
    ent.sector[:] = np.arange(ent.n) % 3
    s.sector[: s.n // 2] = 0  # half the students want sector 0: its places run short
    needing = int(np.count_nonzero(s.host[world.cohort(0)] < 0))
    free_by_sector = np.bincount(ent.sector, weights=free_places(world), minlength=3)
    place_apprentices(world)
    (tally,) = world.placement_rounds
    assert tally.week == 104
    placed = int(np.count_nonzero(s.host >= 0))
    assert tally.places_filled.sum() == tally.placed_applicants.sum() == placed
    assert tally.placed_applicants.sum() + tally.unplaced_applicants.sum() == needing
    np.testing.assert_array_equal(tally.places_filled + tally.unfilled_places, free_by_sector)
    # what is left is what the firms can still fill
    np.testing.assert_array_equal(tally.unfilled_places, np.bincount(ent.sector, weights=free_places(world),
                                                                     minlength=3))
    # sector 0's applicants outnumber its places: its places are all taken, some of its students placed elsewhere
    assert tally.placed_applicants[0] + tally.unplaced_applicants[0] > free_by_sector[0]
    assert tally.unfilled_places[0] == 0 and tally.places_filled[0] == free_by_sector[0]


def test_places_short_of_the_students_leave_applicants_unplaced_and_a_ratio_below_one() -> None:
    short = sim.run_one(None, seed=2, students=False, **{**SMALL, "enterprises.count": 8})
    plenty = sim.run_one(None, seed=2, students=False, **{**SMALL, "enterprises.count": 80})
    short_year = short.training_market.groupby("year").sum(numeric_only=True)
    plenty_year = plenty.training_market.groupby("year").sum(numeric_only=True)
    assert (short_year["unplaced_applicants"] > 0).all()
    assert (short_year["places_offered"] < short_year["demand"]).all()
    assert (plenty_year["unfilled_places"] > 0).all()
    assert (plenty_year["places_offered"] > plenty_year["demand"]).all()


def test_the_table_adds_a_years_rounds_and_takes_the_last_rounds_stock() -> None:
    result = sim.run_one(None, seed=4, students=False, **SMALL)
    world_rounds = sim.TalentModel(None, seed=4, **SMALL)
    world_rounds.run()
    rounds = world_rounds.world.placement_rounds
    table = training_market(world_rounds.world)
    pd.testing.assert_frame_equal(table, result.training_market)
    for (year, sector), row in table.set_index(["year", "sector"]).iterrows():
        of_year = [r for r in rounds if r.week // 52 == year]
        assert row["places_filled"] == sum(int(r.places_filled[sector]) for r in of_year)
        assert row["placed_applicants"] == sum(int(r.placed_applicants[sector]) for r in of_year)
        assert row["unfilled_places"] == of_year[-1].unfilled_places[sector]
        assert row["unplaced_applicants"] == of_year[-1].unplaced_applicants[sector]
        assert row["places_offered"] == row["places_filled"] + row["unfilled_places"]
        assert row["demand"] == row["placed_applicants"] + row["unplaced_applicants"]
        expected = row["places_offered"] / row["demand"] if row["demand"] else math.nan
        ratio = row["supply_demand_ratio"]
        assert ratio == expected or (math.isnan(expected) and math.isnan(ratio))
    # every placement of the run was made in a round the table counts
    assert table["places_filled"].sum() == world_rounds.world.counters.placements


def test_a_run_folder_holds_the_table(tmp_path) -> None:
    from sim.cli import main

    out = tmp_path / "run"
    assert main(["run", "scenarios/baseline.yaml", "--set", "intake.cohort_size=120", "--set",
                 "enterprises.count=20", "--out", str(out), "--quiet", "--no-charts"]) == 0
    table = pd.read_parquet(out / "training_market.parquet")
    assert list(table.columns)[:3] == ["year", "sector", "places_offered"]
    assert table["places_filled"].sum() > 0
    assert json.loads((out / "summary.json").read_text())
