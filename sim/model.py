"""TalentModel: the Mesa model that wires the engine and the mechanisms together.

The model is a real ``mesa.Model`` so that Mesa's tools work on it: ``step()`` advances
one simulated week, ``running`` turns false at the horizon, and ``datacollector``
collects the main outcomes every step (``mesa.batch_run`` reads them by step index).
Students are array indices (see ``sim.engine.population``); school mentors, enterprise
mentors and enterprises are also Mesa agents - thin views onto their arrays - so that
``model.agents_by_type``, ``select`` and ``groupby`` work on them.

``run_one(scenario, seed)`` is the pure run function every experiment wraps;
``run_batch(scenarios, seeds)`` runs several at once, in one set of arrays (``sim.engine.batch``),
with the results each would have alone.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Sequence
from typing import Any, ClassVar

import mesa
import numpy as np

from sim.engine.batch import Batch
from sim.engine.calendar import build_calendar
from sim.engine.clock import WeeklyClock
from sim.engine.declarations import StateField, build_arrays
from sim.engine.events import EventLog
from sim.engine.mechanism import Mechanism
from sim.engine.population import EnterpriseMentors, Enterprises, SchoolMentors, Students
from sim.engine.streams import RandomStreams
from sim.engine.world import Curriculum, World
from sim.mechanisms.curriculum import starting_alignment
from sim.mechanisms.enterprise_pool import create_enterprises
from sim.mechanisms.funding import new_ledger
from sim.mechanisms.intake import draw_students
from sim.mechanisms.mentor_selection import select_enterprise_mentors, select_school_mentors
from sim.messages import text
from sim.phases import MECHANISMS, declared_outcomes, declared_streams, state_fields, weekly_phases
from sim.results import Recorder, RunResult, record_week, student_records, summarise, training_market
from sim.scenario import Scenario, resolve_scenario
from sim.scenario.memory import check_memory


def build_world(scenario: Scenario, seed: int | np.random.SeedSequence, events: bool = False,
                mechanisms: tuple[Mechanism, ...] = MECHANISMS, students_type: type[Students] = Students) -> World:
    """Draw the initial population, mentors and enterprises of one run.

    The arrays are built from the mechanisms' state declarations (``sim.phases``); the
    set-up mechanisms (intake, mentor selection, the enterprise pool) give the values
    they draw, every other attribute starts at its declared initial value.
    """
    declared = state_fields(mechanisms)
    streams = RandomStreams(seed, declared_streams(mechanisms))

    def of(population: str) -> list[StateField]:
        return [f for f in declared if f.population == population]

    firms = create_enterprises(scenario, streams)
    school_mentors = select_school_mentors(scenario, streams)
    enterprise_mentors = select_enterprise_mentors(scenario, streams, firms["capacity"], firms["post_staff"])
    return World(
        scenario=scenario,
        streams=streams,
        calendar=build_calendar(scenario.calendar),
        students=build_arrays(students_type, scenario.n_students, of("students"), draw_students(scenario, streams),
                              n=scenario.n_students),
        school_mentors=build_arrays(SchoolMentors, len(school_mentors["effort"]), of("school_mentors"),
                                    school_mentors),
        enterprise_mentors=build_arrays(EnterpriseMentors, len(enterprise_mentors["effort"]),
                                        of("enterprise_mentors"), enterprise_mentors),
        enterprises=build_arrays(Enterprises, len(firms["staff"]), of("enterprises"), firms),
        ledger=new_ledger(scenario),
        events=EventLog(events),
        curriculum=Curriculum(alignment=starting_alignment(scenario)),
    )


class _ArrayAgent(mesa.Agent):
    """A Mesa agent that is a view onto row ``index`` of some state arrays.

    Reading ``agent.name`` gives element ``index`` of ``model.world.<arrays>.name`` (a
    derived per-agent value such as ``Enterprises.satisfaction()`` is computed first).
    Setting ``agent.name = value`` writes that element, so the model's next ``step()``
    uses it (``AgentSet.set`` works the same way); an integer or boolean array takes only
    values it can hold exactly. A derived value or an unknown name cannot be set: that
    raises ``AttributeError`` rather than leaving a Python attribute the model never reads.
    A value some mechanism recomputes every week (mentors' ``effort`` from the incentives,
    ``workload``) is overwritten by that mechanism in the next step; drawn traits such as
    ``technical_skill`` or ``teaching_quality`` keep what was written.

    The agent's own attributes are ordinary ones: Mesa's (``model``, ``unique_id``,
    ``pos``, set by ``mesa.Agent.__init__``; ``meta_agent``, set by Mesa's meta-agents),
    ``index``, and anything the class defines (properties such as ``random``). A subclass
    that keeps more state of its own lists the names in ``_own_attributes``.
    """

    _arrays_attr: ClassVar[str] = ""
    _own_attributes: ClassVar[frozenset[str]] = frozenset({"model", "unique_id", "pos", "meta_agent", "index"})

    def __init__(self, model: TalentModel, index: int) -> None:
        super().__init__(model)
        self.index = index

    def __getattr__(self, name: str) -> Any:
        if name in type(self)._own_attributes or name.startswith("__"):
            raise AttributeError(name)  # not set yet (e.g. while unpickling): never look in the arrays
        arrays = getattr(self.model.world, type(self)._arrays_attr)
        try:
            values = getattr(arrays, name)
            if callable(values):  # a derived per-agent array, e.g. Enterprises.satisfaction()
                values = values()
            return values[self.index]
        except (AttributeError, TypeError) as exc:
            raise AttributeError(name) from exc

    def __setattr__(self, name: str, value: Any) -> None:
        cls = type(self)
        if name in cls._own_attributes or hasattr(cls, name):
            super().__setattr__(name, value)
            return
        arrays = getattr(self.model.world, cls._arrays_attr)
        stored = _stored_arrays(arrays)
        if name not in stored:
            template = "agents.derived_attribute" if hasattr(arrays, name) else "agents.unknown_attribute"
            raise AttributeError(text(template, agent=cls.__name__, name=name, names=", ".join(stored),
                                      population=f"model.world.{cls._arrays_attr}"), name=name, obj=self)
        array = getattr(arrays, name)
        if array.dtype.kind in "biu" and not _holds_exactly(array.dtype, value):
            template = "agents.not_true_or_false" if array.dtype.kind == "b" else "agents.not_a_whole_number"
            raise ValueError(text(template, agent=cls.__name__, name=name, value=value, dtype=array.dtype))
        array[self.index] = value


def _stored_arrays(arrays: Any) -> list[str]:
    """The names of the per-agent arrays ``arrays`` stores (not its derived values), in declaration order."""
    names = [f.name for f in dataclasses.fields(arrays)] if dataclasses.is_dataclass(arrays) else list(vars(arrays))
    return [name for name in names if isinstance(getattr(arrays, name, None), np.ndarray)]


def _holds_exactly(dtype: np.dtype[Any], value: Any) -> bool:
    """True when an element of an integer or boolean array of ``dtype`` can hold ``value`` unchanged."""
    if isinstance(value, str | bytes) or not np.isscalar(value):
        return False
    try:
        return bool(dtype.type(value) == value)
    except (TypeError, ValueError, OverflowError):
        return False


class SchoolMentorAgent(_ArrayAgent):
    """An on-campus mentor (attributes read from ``world.school_mentors``)."""

    _arrays_attr = "school_mentors"


class EnterpriseMentorAgent(_ArrayAgent):
    """An enterprise mentor (attributes read from ``world.enterprise_mentors``)."""

    _arrays_attr = "enterprise_mentors"


class EnterpriseAgent(_ArrayAgent):
    """A host enterprise (attributes read from ``world.enterprises``)."""

    _arrays_attr = "enterprises"


WEEKLY_REPORTERS = ("n_student", "n_apprentice", "n_employee", "n_further_study", "n_unemployed", "n_dropped_out",
                    "spent_yuan", "n_participating_enterprises")
"""Time-series columns the DataCollector collects every week (the whole series is ``recorder.frame()``).

Beside them it carries every summary outcome of the registry; those are computed once,
at the last step (NaN before it): computing them every week would slow a run by a fifth.
"""


class TalentModel(mesa.Model):
    """School-enterprise talent cultivation, one ``step()`` per simulated week.

    Args:
        scenario: a Scenario, a path to a scenario YAML file, or None for the baseline defaults.
        seed: the run's master seed (None: fresh entropy, recorded in ``self.seed``).
        events: keep the event log (who moved where, when, why).
        max_memory_bytes: refuse populations whose estimated memory exceeds this.
        mesa_agents: also create Mesa agents for mentors and enterprises.
        collect: fill Mesa's ``DataCollector`` every step (``run_one`` does not: its results come
            from the recorder, which holds the same weekly series).
        mechanisms: the model's mechanisms (default: ``sim.phases.MECHANISMS``); a test or an
            extension adds its own, with ``students_type`` a ``Students`` subclass holding the
            per-student arrays the added mechanisms declare.
        students_type: the per-student arrays' dataclass.
        **overrides: parameter overrides by dotted key (``**{"school_mentors.students_per_mentor": 10}``)
            or with ``__`` for dots (``school_mentors__students_per_mentor=10``).
    """

    def __init__(self, scenario: Scenario | str | os.PathLike[str] | None = None, seed: int | None = None,
                 events: bool = False, max_memory_bytes: int | None = None, mesa_agents: bool = True,
                 collect: bool = True,
                 mechanisms: tuple[Mechanism, ...] = MECHANISMS, students_type: type[Students] = Students,
                 **overrides: Any) -> None:
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1)[0])
        super().__init__(seed=seed)
        self.scenario = resolve_scenario(scenario, overrides)
        check_memory(self.scenario, max_memory_bytes, source=self.scenario.name)
        self.seed = seed
        self.mechanisms = mechanisms
        self.outcomes = declared_outcomes(mechanisms)
        self.world = build_world(self.scenario, seed, events, mechanisms, students_type)
        self.batch = Batch([self.world])
        self.clock = WeeklyClock(weekly_phases(mechanisms), self.batch)
        self.recorder = Recorder(self.scenario.horizon_weeks)
        if mesa_agents:
            for i in range(self.world.school_mentors.n):
                SchoolMentorAgent(self, i)
            for i in range(self.world.enterprise_mentors.n):
                EnterpriseMentorAgent(self, i)
            for i in range(self.world.enterprises.n):
                EnterpriseAgent(self, i)
        self._summary: tuple[int, dict[str, float]] | None = None
        reporters: dict[str, Any] = {name: _weekly_reporter(name) for name in WEEKLY_REPORTERS}
        reporters.update({o.name: _outcome_reporter(o.name) for o in self.outcomes})
        self.datacollector = mesa.DataCollector(model_reporters=reporters)
        self.collect = collect
        self.running = True

    def step(self) -> None:
        """Simulate one week, record it, stop at the horizon, then collect (outcomes at the last step)."""
        self.clock.advance()
        record_week(self.batch, [self.recorder])
        if self.clock.now >= self.scenario.horizon_weeks:
            self.running = False
        if self.collect:
            self.datacollector.collect(self)

    def run(self) -> None:
        """Step until the horizon."""
        while self.running:
            self.step()

    def summary(self) -> dict[str, float]:
        """The outcomes so far, by their public names (computed once per simulated week asked)."""
        if self._summary is None or self._summary[0] != self.clock.now:
            self._summary = (self.clock.now, summarise(self.world, self.recorder, self.outcomes))
        return dict(self._summary[1])


def _weekly_reporter(name: str) -> Any:
    def report(model: TalentModel) -> float:
        return float(model.recorder.columns[name][model.recorder._row - 1]) if model.recorder._row else 0.0
    report.__name__ = name
    return report


def _outcome_reporter(name: str) -> Any:
    def report(model: TalentModel) -> float:
        return float("nan") if model.running else model.summary()[name]
    report.__name__ = name
    return report


def run_one(scenario: Scenario | str | os.PathLike[str] | None = None, seed: int = 0, *,
            events: bool = False, students: bool = True, max_memory_bytes: int | None = None,
            **overrides: Any) -> RunResult:
    """Run one replication to the horizon and return its results (no I/O, no global state)."""
    started = time.perf_counter()
    model = TalentModel(scenario, seed=seed, events=events, max_memory_bytes=max_memory_bytes,
                        mesa_agents=False, collect=False, **overrides)
    model.run()
    return RunResult(
        scenario_name=model.scenario.name,
        seed=seed,
        summary=model.summary(),
        timeseries=model.recorder.frame(),
        students=student_records(model.world) if students else None,
        events=model.world.events.to_frame() if events else None,
        wall_seconds=time.perf_counter() - started,
        training_market=training_market(model.world),
    )


def run_batch(scenarios: Sequence[Scenario | str | os.PathLike[str] | None], seeds: Sequence[int], *,
              events: bool = False, students: bool = True, max_memory_bytes: int | None = None,
              mechanisms: tuple[Mechanism, ...] = MECHANISMS) -> list[RunResult]:
    """Run replication ``seeds[i]`` of ``scenarios[i]`` for every ``i``, simulated together; results in that order.

    Each result is bit for bit the one ``run_one(scenarios[i], seeds[i])`` returns (its
    ``wall_seconds`` aside, which is the batch's time shared equally). The runs step
    together, so they must have the same horizon (``shape_key``); their sizes may differ.
    """
    if len(scenarios) != len(seeds):
        raise ValueError(f"run_batch needs one seed per scenario, got {len(scenarios)} scenarios, {len(seeds)} seeds")
    started = time.perf_counter()
    resolved = [resolve_scenario(sc, {}) for sc in scenarios]
    horizons = {sc.horizon_weeks for sc in resolved}
    if len(horizons) > 1:
        raise ValueError(f"runs of one batch share their horizon, got {sorted(horizons)} weeks")
    for sc in resolved:
        check_memory(sc, max_memory_bytes, source=sc.name)
    worlds = [build_world(sc, seed, events, mechanisms) for sc, seed in zip(resolved, seeds, strict=True)]
    batch = Batch(worlds)
    clock = WeeklyClock(weekly_phases(mechanisms), batch)
    horizon = resolved[0].horizon_weeks
    recorders = [Recorder(horizon) for _ in worlds]
    outcomes = declared_outcomes(mechanisms)
    while clock.now < horizon:
        clock.advance()
        record_week(batch, recorders)
    share = (time.perf_counter() - started) / len(worlds)
    return [RunResult(
        scenario_name=sc.name,
        seed=seed,
        summary=summarise(world, recorder, outcomes),
        timeseries=recorder.frame(),
        students=student_records(world) if students else None,
        events=world.events.to_frame() if events else None,
        wall_seconds=share,
        training_market=training_market(world),
    ) for sc, seed, world, recorder in zip(resolved, seeds, worlds, recorders, strict=True)]


def shape_key(scenario: Scenario) -> int:
    """What runs must share to be simulated in one batch: the horizon in weeks (sizes may differ)."""
    return scenario.horizon_weeks
