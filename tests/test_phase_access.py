"""Every read and write of world state by a phase is declared by its mechanism.

Each phase runs through a recording proxy of the World (tests/phase_access.py) for the
whole horizon of small shipped scenarios (yearly and half-yearly mechanisms act only in
some weeks), and the test fails on any state path a phase touched without declaring it.
"""

from __future__ import annotations

import pytest
import yaml
from phase_access import record_phases

from sim.city import build_city
from sim.engine.clock import Phase
from sim.engine.mechanism import Mechanism
from sim.model import build_world
from sim.phases import MECHANISMS, WEEKLY_PHASES, describe_phases
from sim.scenario import resolve_scenario
from sim.scenario.city_loading import load_city

SCENARIOS = ("baseline", "traditional", "alternating", "funding_cut", "enterprise_incentives",
             "enterprise_apprenticeship", "mentor_incentives")


CITY = {"name": "recorded", "sectors": ["equipment_manufacturing", "finance_commerce"],
        "schools": [{"name": "Poly", "level": "higher"}],
        "programmes": [{"name": name, "school": "Poly", "scenario": f"{name}.yaml", "sectors": [sector]}
                       for name, sector in (("a", "equipment_manufacturing"), ("b", "finance_commerce"))],
        "enterprises": [{"sector": "equipment_manufacturing", "count": 6}, {"sector": "finance_commerce", "count": 4}],
        "labour_demand": [{"sector": "equipment_manufacturing", "vacancies_per_year": [20]}],
        "bureau": {"certification": {"enabled": True, "min_years_hosting": 1, "min_apprentices_per_year": 1,
                                     "max_certified_share": 0.5, "placement_priority": True},
                   "special_fund_yuan_per_year": 100000.0, "city_subsidy_yuan_per_apprentice_year": 1000.0,
                   "training_bases": [{"name": "one", "capacity_hours_per_week": 500.0, "programmes": ["a", "b"]}]}}
"""A small city using every instrument of the bureau, and demand in one sector (the phases a city adds)."""


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    by_scenario = {}
    for name in SCENARIOS:
        scenario = resolve_scenario(f"scenarios/{name}.yaml", {"intake.cohort_size": 40})
        by_scenario[name] = record_phases(build_world(scenario, seed=3), WEEKLY_PHASES, scenario.horizon_weeks)
    folder = tmp_path_factory.mktemp("city")
    programme = {"intake": {"cohort_size": 40, "n_cohorts": 2, "n_sectors": 1}, "simulation": {"horizon_years": 4}}
    for name in ("a", "b"):
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(programme), encoding="utf-8")
    (folder / "city.yaml").write_text(yaml.safe_dump(CITY), encoding="utf-8")
    batch = build_city(load_city(folder / "city.yaml"), 3)
    by_scenario["city"] = record_phases(batch, WEEKLY_PHASES, batch.worlds[0].scenario.horizon_weeks)
    return by_scenario


def _mechanism(name: str) -> Mechanism:
    return next(m for m in MECHANISMS if m.name == name)


@pytest.mark.parametrize("scenario", (*SCENARIOS, "city"))
def test_every_read_and_write_is_declared(recorded, scenario):
    problems = []
    for phase, access in recorded[scenario].items():
        m = _mechanism(phase)
        undeclared_reads = access.reads - set(m.reads) - set(m.writes)
        undeclared_writes = access.writes - set(m.writes)
        problems += [f"{phase} reads {p} but does not declare it" for p in sorted(undeclared_reads)]
        problems += [f"{phase} writes {p} but does not declare it" for p in sorted(undeclared_writes)]
    assert not problems, "\n".join(problems)


def test_declared_paths_name_real_state():
    world = build_world(resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 10}), seed=1)
    for m in MECHANISMS:
        for path in (*m.reads, *m.writes):
            part, _, attr = path.partition(".")
            assert hasattr(world, part), f"{m.name}: {path} names no part of the world"
            if attr:
                assert hasattr(getattr(world, part), attr), f"{m.name}: {path} names no state"


def test_every_declared_write_happens_somewhere(recorded):
    # a declared write that no phase ever makes is a stale declaration
    made = {phase.name: set() for phase in WEEKLY_PHASES}
    for accesses in recorded.values():
        for phase, access in accesses.items():
            made[phase] |= access.writes
    stale = [f"{m.name}: {p}" for m in MECHANISMS if m.weekly_step is not None
             for p in m.writes if p not in made[m.name]]
    assert not stale, stale


def test_the_recorder_catches_an_undeclared_write():
    scenario = resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 10})
    world = build_world(scenario, seed=1)

    def sneaky(w):
        """Changes a firm's coordination, which it does not declare."""
        w.enterprises.coordination[0] += 1.0

    access = record_phases(world, (Phase("sneaky", sneaky, over_batch=False),), weeks=1)["sneaky"]
    assert "enterprises.coordination" in access.reads
    assert "enterprises.coordination" in access.writes


def test_phases_listing_shows_reads_and_writes():
    text = describe_phases()
    for m in MECHANISMS:
        if m.weekly_step is not None:
            assert m.name in text
            for path in m.writes:
                assert path in text
