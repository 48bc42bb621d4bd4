"""TalentModel: the Mesa model that wires the engine and the mechanisms together.

The model is a real ``mesa.Model`` so that Mesa's tools work on it: ``step()`` advances
one simulated week, ``running`` turns false at the horizon, and ``datacollector``
collects the main outcomes every step (``mesa.batch_run`` reads them by step index).
Students are array indices (see ``sim.engine.population``); school mentors, enterprise
mentors and enterprises are also Mesa agents - thin views onto their arrays - so that
``model.agents_by_type``, ``select`` and ``groupby`` work on them.

``run_one(scenario, seed)`` is the pure run function every experiment wraps.
"""

from __future__ import annotations

import os
import time
from typing import Any

import mesa
import numpy as np

from sim.engine.calendar import build_calendar
from sim.engine.clock import WeeklyClock
from sim.engine.events import EventLog
from sim.engine.ledger import Ledger
from sim.engine.streams import RandomStreams
from sim.engine.world import World
from sim.mechanisms.enterprise_pool import create_enterprises
from sim.mechanisms.intake import create_students
from sim.mechanisms.mentor_selection import select_enterprise_mentors, select_school_mentors
from sim.phases import WEEKLY_PHASES
from sim.results import Recorder, RunResult, student_records, summarise
from sim.scenario import Scenario, resolve_scenario
from sim.scenario.memory import check_memory


def build_world(scenario: Scenario, seed: int | np.random.SeedSequence, events: bool = False) -> World:
    """Draw the initial population, mentors and enterprises of one run."""
    streams = RandomStreams(seed)
    enterprises = create_enterprises(scenario, streams)
    return World(
        scenario=scenario,
        streams=streams,
        calendar=build_calendar(scenario.calendar),
        students=create_students(scenario, streams),
        school_mentors=select_school_mentors(scenario, streams),
        enterprise_mentors=select_enterprise_mentors(scenario, streams, enterprises.capacity),
        enterprises=enterprises,
        ledger=Ledger(),
        events=EventLog(events),
    )


class _ArrayAgent(mesa.Agent):
    """A Mesa agent that is a view onto row ``index`` of some state arrays."""

    _arrays_attr = ""

    def __init__(self, model: TalentModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    def __getattr__(self, name: str) -> Any:
        arrays = getattr(self.model.world, type(self)._arrays_attr)
        try:
            values = getattr(arrays, name)
            if callable(values):  # a derived per-agent array, e.g. Enterprises.satisfaction()
                values = values()
            return values[self.index]
        except (AttributeError, TypeError) as exc:
            raise AttributeError(name) from exc


class SchoolMentorAgent(_ArrayAgent):
    """An on-campus mentor (attributes read from ``world.school_mentors``)."""

    _arrays_attr = "school_mentors"


class EnterpriseMentorAgent(_ArrayAgent):
    """An enterprise mentor (attributes read from ``world.enterprise_mentors``)."""

    _arrays_attr = "enterprise_mentors"


class EnterpriseAgent(_ArrayAgent):
    """A host enterprise (attributes read from ``world.enterprises``)."""

    _arrays_attr = "enterprises"


MODEL_REPORTERS = (
    "n_student", "n_apprentice", "n_employee", "n_further_study", "n_unemployed", "n_dropped_out",
    "mean_theory", "mean_practical_skill", "mean_professionalism", "spent_yuan", "n_participating_enterprises",
)


class TalentModel(mesa.Model):
    """School-enterprise talent cultivation, one ``step()`` per simulated week.

    Args:
        scenario: a Scenario, a path to a scenario YAML file, or None for the baseline defaults.
        seed: the run's master seed (None: fresh entropy, recorded in ``self.seed``).
        events: keep the event log (who moved where, when, why).
        max_memory_bytes: refuse populations whose estimated memory exceeds this.
        mesa_agents: also create Mesa agents for mentors and enterprises.
        **overrides: parameter overrides by dotted key (``**{"school_mentors.students_per_mentor": 10}``)
            or with ``__`` for dots (``school_mentors__students_per_mentor=10``).
    """

    def __init__(self, scenario: Scenario | str | os.PathLike[str] | None = None, seed: int | None = None,
                 events: bool = False, max_memory_bytes: int | None = None, mesa_agents: bool = True,
                 **overrides: Any) -> None:
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1)[0])
        super().__init__(seed=seed)
        self.scenario = resolve_scenario(scenario, overrides)
        check_memory(self.scenario, max_memory_bytes, source=self.scenario.name)
        self.seed = seed
        self.world = build_world(self.scenario, seed, events)
        self.clock = WeeklyClock(WEEKLY_PHASES, self.world)
        self.recorder = Recorder(self.scenario.horizon_weeks)
        if mesa_agents:
            for i in range(self.world.school_mentors.n):
                SchoolMentorAgent(self, i)
            for i in range(self.world.enterprise_mentors.n):
                EnterpriseMentorAgent(self, i)
            for i in range(self.world.enterprises.n):
                EnterpriseAgent(self, i)
        self.datacollector = mesa.DataCollector(
            model_reporters={name: _reporter(name) for name in MODEL_REPORTERS})
        self.running = True

    def step(self) -> None:
        """Simulate one week, record it, and stop at the horizon."""
        self.clock.advance()
        self.recorder.record(self.world)
        self.datacollector.collect(self)
        if self.clock.now >= self.scenario.horizon_weeks:
            self.running = False

    def run(self) -> None:
        """Step until the horizon."""
        while self.running:
            self.step()

    def summary(self) -> dict[str, float]:
        """The outcomes so far, by their public names."""
        return summarise(self.world, self.recorder)


def _reporter(name: str) -> Any:
    def report(model: TalentModel) -> float:
        return float(model.recorder.columns[name][model.recorder._row - 1]) if model.recorder._row else 0.0
    report.__name__ = name
    return report


def run_one(scenario: Scenario | str | os.PathLike[str] | None = None, seed: int = 0, *,
            events: bool = False, students: bool = True, max_memory_bytes: int | None = None,
            **overrides: Any) -> RunResult:
    """Run one replication to the horizon and return its results (no I/O, no global state)."""
    started = time.perf_counter()
    model = TalentModel(scenario, seed=seed, events=events, max_memory_bytes=max_memory_bytes,
                        mesa_agents=False, **overrides)
    model.run()
    return RunResult(
        scenario_name=model.scenario.name,
        seed=seed,
        summary=model.summary(),
        timeseries=model.recorder.frame(),
        students=student_records(model.world) if students else None,
        events=model.world.events.to_frame() if events else None,
        wall_seconds=time.perf_counter() - started,
    )
