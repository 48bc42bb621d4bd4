"""The one clock: a SimPy environment whose single process runs the weekly phases.

SimPy's ``env.now`` is the only "now" in a run (in weeks). Each simulated week runs the
phase list in its fixed order; ``advance()`` runs exactly one week, which is what a
Mesa ``step()`` means for this model. Per-student timing is done with arrays of weeks
(enrolment, graduation), not with one SimPy process per student.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence

import simpy

from sim.engine.world import World

Phase = tuple[str, Callable[[World], None]]


class WeeklyClock:
    """Runs ``phases`` over ``world`` once per simulated week."""

    __slots__ = ("env", "phases", "world")

    def __init__(self, phases: Sequence[Phase], world: World) -> None:
        self.phases = tuple(phases)
        self.world = world
        self.env = simpy.Environment()
        self.env.process(self._weeks())

    def _weeks(self) -> Generator[simpy.Event, None, None]:
        while True:
            self.world.week = int(self.env.now)
            for _name, phase in self.phases:
                phase(self.world)
            yield self.env.timeout(1)

    @property
    def now(self) -> int:
        """Weeks simulated so far."""
        return int(self.env.now)

    def advance(self) -> None:
        """Simulate one week."""
        self.env.run(until=self.env.now + 1)
