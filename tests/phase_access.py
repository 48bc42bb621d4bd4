"""Record what each phase reads and writes of the world, through a recording proxy.

A phase is handed a proxy of the World instead of the World itself. Attribute reads on
the world's state parts (students, mentors, enterprises, ledger, counters, the curriculum, the
week's hand-over records, the pending lists) are recorded as state paths
(``students.stage``); methods of those parts (``Students.in_programme``,
``MentorPosts.active``) and of the World (``World.cohort``) run against the proxy, so the
reads they make are recorded too. Writes are found by comparing a snapshot of every
state value before and after the phase (in-place array writes included), plus any
attribute assignment. The scenario, calendar, streams, event log and the week are
services and are not recorded (see ``sim.engine.declarations``).
"""

from __future__ import annotations

import dataclasses
import types
from collections import defaultdict
from typing import Any

import numpy as np

from sim.engine.batch import Batch
from sim.engine.clock import Phase
from sim.engine.world import World

ARRAY_PARTS = ("students", "school_mentors", "enterprise_mentors", "enterprises")
RECORD_PARTS = ("counters", "curriculum", "this_week")
WHOLE_PARTS = ("ledger", "pending_dropouts", "pending_terminations", "placement_rounds")
SERVICES = ("scenario", "calendar", "streams", "events", "week", "cohort_starts", "n_sectors", "pool_shared",
            "sector_demand", "bureau", "competition_log_odds", "draw_blocks")
STRUCTURAL = ("n",)
"""Sizes of a population: structure, not state."""


class Access:
    """The reads and writes of one phase (state paths), accumulated over the weeks run."""

    def __init__(self) -> None:
        self.reads: set[str] = set()
        self.writes: set[str] = set()


class _PartProxy:
    """A state part (``students``, ``counters``...) that records attribute reads and writes."""

    def __init__(self, target: Any, part: str, access: Access) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_part", part)
        object.__setattr__(self, "_access", access)

    def __getattr__(self, name: str) -> Any:
        target = object.__getattribute__(self, "_target")
        part = object.__getattribute__(self, "_part")
        access = object.__getattribute__(self, "_access")
        if name in STRUCTURAL:
            return getattr(target, name)
        class_attr = getattr(type(target), name, None)
        if isinstance(class_attr, property) and class_attr.fget is not None:
            return class_attr.fget(self)
        if isinstance(class_attr, types.FunctionType):
            return types.MethodType(class_attr, self)
        value = getattr(target, name)
        if part == "this_week":  # a hand-over record: its fields are read as one path
            access.reads.add(f"this_week.{name}")
            return value
        access.reads.add(f"{part}.{name}")
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        part = object.__getattribute__(self, "_part")
        object.__getattribute__(self, "_access").writes.add(f"{part}.{name}")
        setattr(object.__getattribute__(self, "_target"), name, value)


class _WholeProxy:
    """A part recorded as a whole (the ledger): any attribute read reads it."""

    def __init__(self, target: Any, part: str, access: Access) -> None:
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_part", part)
        object.__setattr__(self, "_access", access)

    def __getattr__(self, name: str) -> Any:
        object.__getattribute__(self, "_access").reads.add(object.__getattribute__(self, "_part"))
        return getattr(object.__getattribute__(self, "_target"), name)


class WorldProxy:
    """What a phase sees instead of the World while it is recorded."""

    def __init__(self, world: World, access: Access) -> None:
        object.__setattr__(self, "_world", world)
        object.__setattr__(self, "_access", access)

    def __getattr__(self, name: str) -> Any:
        world = object.__getattribute__(self, "_world")
        access = object.__getattribute__(self, "_access")
        if name in SERVICES:
            return getattr(world, name)
        if name in ARRAY_PARTS or name in RECORD_PARTS:
            return _PartProxy(getattr(world, name), name, access)
        if name == "ledger":
            return _WholeProxy(world.ledger, "ledger", access)
        if name in WHOLE_PARTS:
            access.reads.add(name)
            return getattr(world, name)
        class_attr = getattr(World, name, None)
        if isinstance(class_attr, types.FunctionType):
            return types.MethodType(class_attr, self)
        raise AttributeError(f"World has no state or service named {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        object.__getattribute__(self, "_access").writes.add(name)
        setattr(object.__getattribute__(self, "_world"), name, value)


class BatchProxy:
    """What a phase over a batch sees while it is recorded: a batch of the one world, its parts recorded."""

    def __init__(self, batch: Batch, access: Access) -> None:
        object.__setattr__(self, "_batch", batch)
        object.__setattr__(self, "_access", access)

    def __getattr__(self, name: str) -> Any:
        batch = object.__getattribute__(self, "_batch")
        access = object.__getattribute__(self, "_access")
        if name in ARRAY_PARTS:
            return _PartProxy(getattr(batch, name), name, access)
        if name == "worlds":
            return tuple(WorldProxy(w, access) for w in batch.worlds)
        if name == "pool":  # a city's pool world (None in a batch of runs with their own firms)
            return None if batch.pool is None else WorldProxy(batch.pool, access)
        if name == "pools":  # the cities' pool worlds
            return tuple(WorldProxy(w, access) for w in batch.pools)
        if name in ("week", "groups", "cities", "_n_runs", "_run_streams", "_run_seed_words", "_params",
                    "_params_read"):
            return getattr(batch, name)  # structure, and the caches of the draws and the parameters read
        if name == "cohorts":  # every run's cohort bounds (structure, fixed at set-up, like cohort_starts)
            return batch.cohorts
        if name == "plans":  # every run's calendar plan (a service, like each world's calendar)
            return batch.plans
        if name == "ledgers":  # every run's ledger, stacked: reads the ledger (writes show in each world's)
            access.reads.add("ledger")
            return batch.ledgers
        class_attr = getattr(Batch, name, None)
        if isinstance(class_attr, property) and class_attr.fget is not None:
            return class_attr.fget(self)
        if isinstance(class_attr, types.FunctionType):
            return types.MethodType(class_attr, self)
        raise AttributeError(f"Batch has no state or service named {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name not in _BATCH_CACHES:  # a cache of the batch's own (the parameters read) is no state of the model
            object.__getattribute__(self, "_access").writes.add(name)
        setattr(object.__getattribute__(self, "_batch"), name, value)


_BATCH_CACHES = frozenset({"_params_read"})


def _copy(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.copy()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list):
        return [tuple(np.asarray(v).copy() if isinstance(v, np.ndarray) else v for v in item)
                if isinstance(item, tuple) else item for item in value]
    return value


def snapshot(world: World) -> dict[str, Any]:
    """A copy of every state value, by state path."""
    out: dict[str, Any] = {}
    for part in ARRAY_PARTS + RECORD_PARTS:
        obj = getattr(world, part)
        for f in dataclasses.fields(obj):
            out[f"{part}.{f.name}"] = _copy(getattr(obj, f.name))
    out["ledger"] = (world.ledger.balance.copy(), world.ledger.paid_in.copy(), world.ledger.spent.copy())
    for name in ("pending_dropouts", "pending_terminations"):
        out[name] = _copy(getattr(world, name))
    out["placement_rounds"] = len(world.placement_rounds)  # a record only ever appended to
    return out


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray):
        return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return bool(a == b)


def changed(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """The state paths whose value differs between two snapshots."""
    return {path for path in before if not _equal(before[path], after[path])}


def record_phases(target: World | Batch, phases: tuple[Phase, ...], weeks: int) -> dict[str, Access]:
    """Run ``weeks`` weeks of ``phases`` over a world (or a city's batch), each phase through a recording proxy.

    A phase over a batch runs over a batch of this one world (or the city's batch), seen
    through a ``BatchProxy``; a phase over a world runs on each world through a ``WorldProxy``.
    What changed is found in every world, a city's pool world too.
    """
    accesses: dict[str, Access] = defaultdict(Access)
    batch = target if isinstance(target, Batch) else Batch([target])
    owners = (*batch.worlds, *((batch.pool,) if batch.pool is not None else ()))
    for week in range(weeks):
        batch.set_week(week)
        for phase in phases:
            access = accesses[phase.name]
            before = [snapshot(w) for w in owners]
            if phase.over_batch:
                phase.step(BatchProxy(batch, access))  # type: ignore[arg-type]
            else:
                for w in batch.worlds:
                    phase.step(WorldProxy(w, access))  # type: ignore[arg-type]
            for w, earlier in zip(owners, before, strict=True):
                access.writes |= changed(earlier, snapshot(w))
    return dict(accesses)
