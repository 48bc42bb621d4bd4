"""The one clock: a SimPy environment whose single process runs the weekly phases.

SimPy's ``env.now`` is the only "now" in a run (in weeks). Each simulated week runs the
phase list in its fixed order; ``advance()`` runs exactly one week, which is what a
Mesa ``step()`` means for this model. Per-student timing is done with arrays of weeks
(enrolment, graduation), not with one SimPy process per student.

The clock runs a batch (``sim.engine.batch``): the runs of a batch share the week, so
one clock serves them all. A phase over a batch runs once; a phase over one run's
world runs on each run's world in turn. A single run is a batch of one. In a batch of
several cities (``Batch.of_cities``) a phase over a batch that does not span cities runs
once over each city's batch, in city order.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass

import simpy

from sim.engine.batch import Batch
from sim.engine.world import World


@dataclass(frozen=True, slots=True)
class Phase:
    """One weekly phase: its name, its step over a batch or over one world, and whether that spans cities."""

    name: str
    step: Callable[[Batch], None] | Callable[[World], None]
    over_batch: bool
    spans_cities: bool = False

    def run(self, batch: Batch) -> None:
        """Run this phase for every run of ``batch`` (once over the batch or each city's, or world by world)."""
        if self.over_batch:
            if batch.cities and not self.spans_cities:
                for city in batch.cities:
                    self.step(city)  # type: ignore[arg-type]
            else:
                self.step(batch)  # type: ignore[arg-type]
        else:
            for world in batch.worlds:
                self.step(world)  # type: ignore[arg-type]


class WeeklyClock:
    """Runs ``phases`` over ``batch`` once per simulated week."""

    __slots__ = ("batch", "env", "phases")

    def __init__(self, phases: Sequence[Phase], batch: Batch) -> None:
        self.phases = tuple(phases)
        self.batch = batch
        self.env = simpy.Environment()
        self.env.process(self._weeks())

    def _weeks(self) -> Generator[simpy.Event, None, None]:
        while True:
            self.batch.set_week(int(self.env.now))
            for phase in self.phases:
                phase.run(self.batch)
            yield self.env.timeout(1)

    @property
    def now(self) -> int:
        """Weeks simulated so far."""
        return int(self.env.now)

    def advance(self) -> None:
        """Simulate one week."""
        self.env.run(until=self.env.now + 1)
