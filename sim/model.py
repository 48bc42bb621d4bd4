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
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, overload

import mesa
import numpy as np

from sim.engine.batch import Batch
from sim.engine.clock import WeeklyClock
from sim.engine.mechanism import Mechanism
from sim.engine.population import Students
from sim.engine.world import World
from sim.initial_world import build_world
from sim.messages import text
from sim.phases import MECHANISMS, declared_outcomes, weekly_phases
from sim.results import Recorders, RunResult, record_week, student_records, summarise, training_market
from sim.scenario import Scenario, resolve_scenario
from sim.scenario.city import CityPlan
from sim.scenario.city_loading import check_city_memory, is_city_file, load_city
from sim.scenario.memory import check_memory

if TYPE_CHECKING:
    from sim.city import CityResult


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
    _own_attributes: ClassVar[frozenset[str]] = frozenset({"model", "unique_id", "pos", "meta_agent", "index",
                                                           "programme"})

    def __init__(self, model: TalentModel, index: int, programme: str | None = None) -> None:
        super().__init__(model)
        self.index = index
        self.programme = programme
        """In a city, the programme whose arrays hold this agent (a school mentor's); None: ``model.world``'s."""

    def _world(self) -> World:
        """The world whose arrays hold this agent."""
        return self.model.world if self.programme is None else self.model.programme_worlds[self.programme]

    def __getattr__(self, name: str) -> Any:
        if name in type(self)._own_attributes or name.startswith("__"):
            raise AttributeError(name)  # not set yet (e.g. while unpickling): never look in the arrays
        arrays = getattr(self._world(), type(self)._arrays_attr)
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
        arrays = getattr(self._world(), cls._arrays_attr)
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
        scenario: a Scenario, a path to a scenario YAML file, or None for the baseline defaults;
            or a city (a city file's path, or a ``CityPlan``): its programmes run together
            (``sim.city``), ``world`` is the city's pool (its enterprises and enterprise
            mentors), ``programme_worlds`` each programme's, and ``summary()`` the city's row.
        seed: the run's master seed (None: fresh entropy, recorded in ``self.seed``).
        events: keep the event log (who moved where, when, why).
        max_memory_bytes: refuse populations whose estimated memory exceeds this.
        mesa_agents: also create Mesa agents for mentors and enterprises (in a city: the
            pool's, and every programme's school mentors, each with its ``programme``).
        collect: fill Mesa's ``DataCollector`` every step (``run_one`` does not: its results come
            from the recorder, which holds the same weekly series).
        mechanisms: the model's mechanisms (default: ``sim.phases.MECHANISMS``); a test or an
            extension adds its own, with ``students_type`` a ``Students`` subclass holding the
            per-student arrays the added mechanisms declare.
        students_type: the per-student arrays' dataclass.
        **overrides: parameter overrides by dotted key (``**{"school_mentors.students_per_mentor": 10}``)
            or with ``__`` for dots (``school_mentors__students_per_mentor=10``); a city's keys
            as ``--set`` gives them (``**{"programmes.mechatronics.intake.cohort_size": 900}``).
    """

    def __init__(self, scenario: Scenario | CityPlan | str | os.PathLike[str] | None = None, seed: int | None = None,
                 events: bool = False, max_memory_bytes: int | None = None, mesa_agents: bool = True,
                 collect: bool = True,
                 mechanisms: tuple[Mechanism, ...] = MECHANISMS, students_type: type[Students] = Students,
                 **overrides: Any) -> None:
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1)[0])
        super().__init__(seed=seed)
        self.seed = seed
        self.mechanisms = mechanisms
        self.outcomes = declared_outcomes(mechanisms)
        self.city = as_city(scenario, overrides)
        """The city being run, or None for one programme."""
        if self.city is None:
            self.scenario = resolve_scenario(scenario, overrides)  # type: ignore[arg-type]
            check_memory(self.scenario, max_memory_bytes, source=self.scenario.name)
            self.world = build_world(self.scenario, seed, events, mechanisms, students_type)
            self.batch = Batch([self.world])
            self.programme_worlds: dict[str, World] = {}
        else:
            from sim.city import build_city  # the city's machinery only when a city runs

            check_city_memory(self.city, max_memory_bytes, source=self.city.source)
            self.scenario = self.city.programmes[0].scenario  # the programmes share its horizon and calendar
            self.batch = build_city(self.city, seed, events, mechanisms)
            self.world = self.batch.pool if self.batch.pool is not None else self.batch.worlds[0]
            self.programme_worlds = {p.name: w for p, w in zip(self.city.programmes, self.batch.worlds, strict=True)}
        self._keep_events = events
        self.clock = WeeklyClock(weekly_phases(mechanisms), self.batch)
        self.recorders = Recorders(self.batch.n_runs, self.scenario.horizon_weeks)
        self.recorder = self.recorders[0]
        if mesa_agents:
            for programme, world in (self.programme_worlds.items() if self.city else [(None, self.world)]):
                for i in range(world.school_mentors.n):
                    SchoolMentorAgent(self, i, programme)
            for i in range(self.world.enterprise_mentors.n):
                EnterpriseMentorAgent(self, i)
            for i in range(self.world.enterprises.n):
                EnterpriseAgent(self, i)
        self._summary: tuple[int, dict[str, float]] | None = None
        reporters: dict[str, Any] = {name: _weekly_reporter(name) for name in WEEKLY_REPORTERS}
        names = [o.name for o in self.outcomes] if self.city is None else list(CITY_REPORTED)
        reporters.update({name: _outcome_reporter(name) for name in names})
        self.datacollector = mesa.DataCollector(model_reporters=reporters)
        self.collect = collect
        self.running = True

    def step(self) -> None:
        """Simulate one week, record it, stop at the horizon, then collect (outcomes at the last step)."""
        self.clock.advance()
        record_week(self.batch, self.recorders)
        if self.clock.now >= self.scenario.horizon_weeks:
            self.running = False
        if self.collect:
            self.datacollector.collect(self)

    def run(self) -> None:
        """Step until the horizon."""
        while self.running:
            self.step()

    def summary(self) -> dict[str, float]:
        """The outcomes so far, by their public names (computed once per simulated week asked).

        A city's: its row of ``CityResult.summary_table`` (``city_result()`` has every row).
        """
        if self._summary is None or self._summary[0] != self.clock.now:
            if self.city is None:
                found = summarise(self.world, self.recorder, self.outcomes)
            else:
                table = self.city_result(students=False).summary_table()
                row = table[table["level"] == "city"].iloc[0]
                found = {str(k): float(v) for k, v in row.items() if k not in ("level", "name", "school")}
            self._summary = (self.clock.now, found)
        return dict(self._summary[1])

    def city_result(self, students: bool = True) -> CityResult:
        """The city's results so far: every programme's run and the city's tables (a city only)."""
        from sim.city import city_result

        if self.city is None:
            raise ValueError("city_result() is a city's: this model runs one programme (use summary())")
        return city_result(self.city, self.seed, self.batch, self.recorders, events=self._keep_events,
                           students=students, mechanisms=self.mechanisms)


CITY_REPORTED = ("placement_rate", "employment_rate_6m", "enterprise_participation_rate", "public_cost_yuan",
                 "tax_expenditure_yuan", "city_subsidy_yuan")
"""The city row's outcomes a city's DataCollector carries at the last step (``summary()`` has all of them)."""


def as_city(scenario: Any, overrides: Mapping[str, Any]) -> CityPlan | None:
    """The city ``scenario`` names (a ``CityPlan``, or a city file's path with ``overrides``), else None.

    Raises:
        ValueError: overrides given with a ``CityPlan`` (a plan is already resolved: give its file instead).
        sim.scenario.ScenarioError: the city file or an override is refused.
    """
    if isinstance(scenario, CityPlan):
        if overrides:
            raise ValueError("a CityPlan is already resolved: give the city file's path with the overrides")
        return scenario
    if isinstance(scenario, str | os.PathLike) and is_city_file(scenario):
        return load_city(scenario, overrides)
    return None


def _weekly_reporter(name: str) -> Any:
    def report(model: TalentModel) -> float:
        if not model.recorder._row:
            return 0.0
        if name == "n_participating_enterprises":  # a city's programmes share its firms: count them once
            return float(model.recorder.columns[name][model.recorder._row - 1])
        return float(sum(r.columns[name][r._row - 1] for r in model.recorders))  # a city: its programmes' sum
    report.__name__ = name
    return report


def _outcome_reporter(name: str) -> Any:
    def report(model: TalentModel) -> float:
        return float("nan") if model.running else model.summary()[name]
    report.__name__ = name
    return report


@overload
def run_one(scenario: CityPlan, seed: int = 0, *, events: bool = False, students: bool = True,
            max_memory_bytes: int | None = None, **overrides: Any) -> CityResult: ...


@overload
def run_one(scenario: Scenario | str | os.PathLike[str] | None = None, seed: int = 0, *,
            events: bool = False, students: bool = True, max_memory_bytes: int | None = None,
            **overrides: Any) -> RunResult: ...


def run_one(scenario: Scenario | CityPlan | str | os.PathLike[str] | None = None, seed: int = 0, *,
            events: bool = False, students: bool = True, max_memory_bytes: int | None = None,
            **overrides: Any) -> RunResult | CityResult:
    """Run one replication to the horizon and return its results (no I/O, no global state).

    A city (a city file's path or a ``CityPlan``) gives a ``CityResult``: each programme's
    ``RunResult`` and the city's tables (``summary_table()``).
    """
    city = as_city(scenario, overrides)
    if city is not None:
        from sim.city import run_city

        check_city_memory(city, max_memory_bytes, source=city.source)
        return run_city(city, seed, events=events, students=students)
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
    recorders = Recorders(len(worlds), horizon)
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
