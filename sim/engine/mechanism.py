"""What a mechanism declares: its state, streams, reads and writes, outcomes and step.

Why declarations: a reader (and ``talentsim phases``) should learn from one module what
a mechanism owns, and the engine should build the population arrays, register the random
streams and check the phase order from that same data, so that adding a mechanism is
local (``docs/adding-a-mechanism.md``). These are plain frozen dataclasses, read by small
builders (``sim.engine.declarations.build_arrays``, ``RandomStreams``, the outcome
registry ``sim.outcomes``); nothing registers itself at import time.

State paths name world state as ``<part>.<attribute>``: ``students.stage``,
``enterprises.coordination``, ``this_week.funded``, ``counters.exam_sittings``,
``ledger``, ``pending_dropouts``. The scenario, the calendar, the clock's week, the
streams and the event log are services every phase may use and are not declared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sim.engine.batch import Batch
from sim.engine.declarations import StateField, Unit
from sim.engine.world import RunTotals, World


@dataclass(frozen=True, slots=True)
class Outcome:
    """One outcome of a run, declared once.

    ``label`` and ``description`` are message ids (plain English, the keys of a
    translation catalogue). ``over_replications`` says how replications are summarised
    (the mean, with a 95% confidence interval). ``compute`` reads the finished world.
    """

    name: str
    label: str
    description: str
    unit: Unit
    compute: Callable[[World, RunTotals], float]
    headline: bool = False
    over_replications: Literal["mean"] = "mean"


@dataclass(frozen=True, slots=True)
class Mechanism:
    """Everything one mechanism module owns, beside its step.

    ``step`` is None for a mechanism that acts only at set-up (drawing the enterprise
    pool, selecting mentors). A weekly mechanism has either a ``step`` over one run's
    world or a ``batch_step`` over a batch of runs (``sim.engine.batch``), which does its
    array work once for every run of the batch; the clock runs a ``step`` on each run's
    world in turn. ``streams`` are stream names; a name built at run time is
    declared as a pattern with ``{placeholder}`` parts (``"{purpose}.dual_qualified"``).
    ``reads`` and ``writes`` are state paths (see the module docstring); a path written
    is also readable. ``spans_cities``: the ``batch_step`` may run once over a batch of
    several cities (``Batch.of_cities``) because it reaches the cities' pools only through
    ``Batch``'s methods, which answer pool by pool; a step that reads a city's pool world or
    its shared objects (``batch.pool``, the bureau, the labour demand) runs city by city.
    """

    name: str
    step: Callable[[World], None] | None
    batch_step: Callable[[Batch], None] | None = None
    state: tuple[StateField, ...] = ()
    streams: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    writes: tuple[str, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    spans_cities: bool = False

    @property
    def weekly_step(self) -> Callable[[World], None] | Callable[[Batch], None] | None:
        """The weekly step, over one world or over a batch (None: set-up only)."""
        return self.batch_step if self.batch_step is not None else self.step

    @property
    def purpose(self) -> str:
        """The first line of the step's docstring (or of the mechanism's)."""
        weekly = self.weekly_step
        doc = (weekly.__doc__ if weekly is not None else None) or ""
        return doc.strip().splitlines()[0] if doc.strip() else "(set-up only)"
