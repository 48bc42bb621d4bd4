"""A batch: the worlds of several runs of one shape, simulated together in one set of arrays.

Each run keeps its own ``World`` (scenario, random streams, calendar, ledger, counters,
event log, the week's hand-overs), but its population arrays are *views* of the batch's
concatenated arrays (``GroupIndex`` says which block is whose). A phase written for the
batch (``Mechanism.batch_step``) works on the concatenated arrays once per week; a phase
written for one world (``Mechanism.step``) runs on each run's world in turn, and writes
through its views into the batch. Either way a run's state is exactly what it would be
alone: its arrays hold its own values, its random draws come from its own streams
(``Batch.normal`` concatenates each run's draws for its own students), its indices stay
local to it, and its totals are summed over its own block, in the order its run alone
sums them. A batch of one is a single run: its arrays are the world's arrays, no copy.

A city's programmes are a batch too, with one difference: their enterprises and
enterprise mentors are one pool (``Batch(worlds, pool=...)``), which every programme's
world holds whole (``world.enterprises`` is the pool) and which the group index marks
*shared*. What the pool's agents draw, and the parameters they act on, are the *pool
world*'s: a world with the city's random streams and the firms' scenario sections, and no
students of its own (``sim.city``). ``value``, ``param``, ``uniform`` and ``by_run`` of a
shared population answer from it; the phases that count or pay per programme what firms
do (``funding``, ``enterprise_accounts``, ``participation``) split it by whose apprentices
the firms host.

Several replications of cities are one batch too (``Batch.of_cities``): every city's
programmes and every city's pool, end to end, each city's own batch (``cities``) a view of
its part. A phase declared to span cities (``Mechanism.spans_cities``: it reaches the
pools only through this class's methods, which answer pool by pool) runs once over them
all; any other runs city by city, over each city's batch, exactly as that city alone.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from sim.engine import pcg64
from sim.engine.compiled import compile_loops
from sim.engine.declarations import Population
from sim.engine.groups import GroupIndex
from sim.engine.ledger import LedgerStack
from sim.engine.population import EnterpriseMentors, Enterprises, SchoolMentors, Students
from sim.engine.streams import WEEK_BLOCK_BITS, Stream
from sim.engine.sums import block_counts
from sim.engine.world import World
from sim.scenario.schema import Scenario, scenario_changes

_PARAMETER_GETTERS: dict[str, operator.attrgetter[Any]] = {}
"""One attribute getter per parameter path read by ``Batch.param``."""


def _array_fields(arrays: Any) -> list[str]:
    return [f.name for f in dataclasses.fields(arrays) if isinstance(getattr(arrays, f.name), np.ndarray)]


def _concatenate(parts: Sequence[Any], index: GroupIndex, population: Population) -> Any:
    """One population's arrays for the whole batch; each part's arrays become views of them."""
    return _joined(parts, index.blocks(population) if population in index.shared else
                   [index.block(population, g) for g in range(len(parts))])


def _joined(parts: Sequence[Any], blocks: Sequence[slice]) -> Any:
    """The arrays of ``parts`` end to end (``blocks``: each part's); each part's arrays become views of them."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    values: dict[str, Any] = {}
    for f in dataclasses.fields(first):
        if isinstance(getattr(first, f.name), np.ndarray):
            values[f.name] = np.concatenate([getattr(p, f.name) for p in parts])
        else:  # Students.n
            values[f.name] = int(sum(getattr(p, f.name) for p in parts))
    whole = type(first)(**values)
    for part, block in zip(parts, blocks, strict=True):
        for name in _array_fields(part):
            setattr(part, name, getattr(whole, name)[block])
    return whole


def _held_to_global(local: np.ndarray, owners: np.ndarray, offsets: np.ndarray, out: np.ndarray) -> None:
    """``out``: ``local[owners]`` with each owner's offset added, negatives (no one) kept (compiled).

    ``Batch.held_to_global`` in one pass where NumPy takes four (gather the indices, gather the
    offsets, add, put the negatives back); whole numbers, so exact however computed.
    """
    j = 0
    for i in range(len(owners)):
        if owners[i]:
            held = local[i]
            out[j] = held + offsets[i] if held >= 0 else held
            j += 1


@dataclasses.dataclass(frozen=True, slots=True)
class Cohorts:
    """Every cohort of every run of a batch, run by run and cohort by cohort (element ``k``: one cohort of one run)."""

    run: np.ndarray  # the cohort's run
    cohort: np.ndarray  # its number in its run
    first: np.ndarray  # batch position of its first student
    stop: np.ndarray  # batch position after its last student

    def programme_weeks(self, students: Students, week: int) -> np.ndarray:
        """This week's programme week of every cohort (``World.cohort_programme_week`` of each; negative before)."""
        return week - students.enrol_week[self.first]


@dataclasses.dataclass(frozen=True, slots=True)
class Plans:
    """Every run's calendar plan end to end: run ``g``'s programme week ``w`` is element ``start[g] + w``."""

    location: np.ndarray  # ProgrammeCalendar.location of each run, one after another
    start: np.ndarray  # where each run's plan starts
    weeks: np.ndarray  # each run's programme weeks


class Batch:
    """The runs of a batch: their worlds, and their populations' arrays concatenated."""

    __slots__ = ("_cohorts", "_n_runs", "_params", "_params_read", "_plans", "_run_seed_words", "_run_streams",
                 "cities", "enterprise_mentors", "enterprises", "groups", "ledgers", "pools", "school_mentors",
                 "students", "week", "worlds")

    def __init__(self, worlds: Sequence[World], pool: World | None = None) -> None:
        """Concatenate the populations of ``worlds`` (each world's arrays become views of the batch's).

        ``pool``: a city's pool world, whose enterprises and enterprise mentors every world
        of ``worlds`` already holds (None: each world has its own firms).
        """
        if not worlds:
            raise ValueError("a batch needs at least one world")
        self.worlds = tuple(worlds)
        self._n_runs = len(self.worlds)
        self.pools: tuple[World, ...] = () if pool is None else (pool,)
        """The pool worlds of the cities in the batch (none: each run has its own firms)."""
        self.cities: tuple[Batch, ...] = ()
        """In a batch of several cities (``of_cities``), each city's batch: views of its part of this one."""
        if pool is not None and any(w.enterprises is not pool.enterprises
                                    or w.enterprise_mentors is not pool.enterprise_mentors for w in worlds):
            raise ValueError("every world of a city holds the pool's enterprises and enterprise mentors")
        shared: frozenset[Population] = frozenset() if pool is None else frozenset({"enterprises",
                                                                                    "enterprise_mentors"})
        firms = [pool] if pool is not None else worlds
        self.groups = GroupIndex.from_sizes({
            "students": [w.students.n for w in worlds],
            "school_mentors": [w.school_mentors.n for w in worlds],
            "enterprise_mentors": [w.enterprise_mentors.n for w in firms],
            "enterprises": [w.enterprises.n for w in firms],
        }, shared)
        self.students: Students = _concatenate([w.students for w in worlds], self.groups, "students")
        self.school_mentors: SchoolMentors = _concatenate([w.school_mentors for w in worlds], self.groups,
                                                          "school_mentors")
        self.enterprise_mentors: EnterpriseMentors = _concatenate([w.enterprise_mentors for w in firms],
                                                                  self.groups, "enterprise_mentors")
        self.enterprises: Enterprises = _concatenate([w.enterprises for w in firms], self.groups, "enterprises")
        self.ledgers = LedgerStack([w.ledger for w in worlds])  # each run's ledger's arrays become views of its row
        self._start_caches()

    @classmethod
    def of_cities(cls, cities: Sequence[Batch]) -> Batch:
        """One batch of several cities' batches (each a city with its pool), every city's arrays a view of its part.

        The cities' programmes are the groups, city by city; their pools are the blocks of the
        shared populations, pool by pool (``GroupIndex.pool_of``). Each city's batch stays whole
        (``cities``): its arrays, and its worlds' and pool's, become views of this batch's, so a
        phase that runs city by city writes into this batch, and one that spans cities reads
        what the others wrote. A city's ledgers are its rows of this batch's stack.
        """
        if not cities or any(len(c.pools) != 1 or c.cities for c in cities):
            raise ValueError("a batch of cities needs one or more cities, each a batch with its pool")
        if len(cities) == 1:
            return cities[0]
        batch = cls.__new__(cls)
        batch.worlds = tuple(w for c in cities for w in c.worlds)
        batch._n_runs = len(batch.worlds)
        batch.pools = tuple(c.pools[0] for c in cities)
        batch.cities = tuple(cities)
        shared: frozenset[Population] = frozenset({"enterprises", "enterprise_mentors"})
        batch.groups = GroupIndex.from_sizes({
            "students": [w.students.n for w in batch.worlds],
            "school_mentors": [w.school_mentors.n for w in batch.worlds],
            "enterprise_mentors": [p.enterprise_mentors.n for p in batch.pools],
            "enterprises": [p.enterprises.n for p in batch.pools],
        }, shared, [k for k, c in enumerate(cities) for _ in c.worlds])
        firsts = np.cumsum([0, *(c.n_runs for c in cities)]).tolist()
        own: tuple[Population, ...] = ("students", "school_mentors")
        for population in own:  # a city's block: its groups' blocks together
            starts = batch.groups.starts[population]
            blocks = [slice(int(starts[firsts[k]]), int(starts[firsts[k + 1]])) for k in range(len(cities))]
            setattr(batch, population, _joined([getattr(c, population) for c in cities], blocks))
            for c in cities:  # each world's arrays: views of its city's, as the city's batch made them
                for g, world in enumerate(c.worlds):
                    part, block = getattr(world, population), c.groups.block(population, g)
                    for name in _array_fields(part):
                        setattr(part, name, getattr(getattr(c, population), name)[block])
        pooled: tuple[Population, ...] = ("enterprise_mentors", "enterprises")
        for population in pooled:  # a city's is its pool's: one object, re-viewed
            setattr(batch, population, _joined([getattr(c, population) for c in cities],
                                               batch.groups.blocks(population)))
        batch.ledgers = LedgerStack([w.ledger for w in batch.worlds])
        for k, c in enumerate(cities):
            c.ledgers = batch.ledgers.rows(firsts[k], firsts[k + 1])
        batch._start_caches()
        return batch

    def _start_caches(self) -> None:
        """The batch's caches, empty, and its week: the first world's."""
        self._cohorts: Cohorts | None = None
        self._plans: Plans | None = None
        self._run_streams: dict[str, list[Stream]] = {}
        """Each stream name's stream of every run (looked up by name once per batch, not per run and week)."""
        self._params: dict[str | Callable[[World], Any] | tuple[str, Callable[[World], Any]], Any] = {}
        """Each parameter path read (``param``), or function (``derived``): the runs' one value, or their values,
        while no scenario changed."""
        self._params_read: tuple[int, tuple[Scenario, ...]] = (-1, ())
        """When ``_params`` was read: the scenarios' change count (``scenario_changes``) and the runs' scenarios."""
        self._run_seed_words: dict[str, np.ndarray] = {}
        """Each stream name's runs' start states, one row a run, for the compiled draws (``sim.engine.pcg64``)."""
        self.week = self.worlds[0].week

    @property
    def pool(self) -> World | None:
        """A city's pool world (None: each run has its own firms); a batch of several cities has no one pool."""
        if len(self.pools) > 1:
            raise RuntimeError("a batch of several cities has a pool per city: a phase that reads batch.pool runs "
                               "city by city (Mechanism.spans_cities is False)")
        return self.pools[0] if self.pools else None

    @property
    def shares_pool(self) -> bool:
        """True for a city of several programmes (or cities): their firms are a pool's, the pool world's."""
        return bool(self.pools)

    def firm_worlds(self) -> tuple[World, ...]:
        """The worlds that own firms: each run's, or the cities' pool worlds."""
        return self.pools if self.pools else self.worlds

    def programmes_of_pools(self) -> tuple[tuple[World, ...], ...]:
        """Each pool's programmes' worlds, pool by pool (none without a pool)."""
        if self.cities:
            return tuple(city.worlds for city in self.cities)
        return (self.worlds,) if self.pools else ()

    def cohorts(self) -> Cohorts:
        """Every run's cohorts (``World.cohort_starts``, fixed at set-up), as batch positions (found once)."""
        if self._cohorts is None:
            starts = self.groups.starts["students"]
            runs, numbers, firsts, stops = [], [], [], []
            for g, world in enumerate(self.worlds):
                bounds = world.cohort_starts + starts[g]
                n = len(bounds) - 1
                runs.append(np.full(n, g, dtype=np.int64))
                numbers.append(np.arange(n, dtype=np.int64))
                firsts.append(bounds[:-1])
                stops.append(bounds[1:])
            self._cohorts = Cohorts(*(np.concatenate(parts).astype(np.int64)
                                      for parts in (runs, numbers, firsts, stops)))
        return self._cohorts

    def plans(self) -> Plans:
        """Every run's calendar plan (``ProgrammeCalendar.location``, fixed at set-up), end to end (found once)."""
        if self._plans is None:
            locations = [w.calendar.location for w in self.worlds]
            weeks = np.array([len(x) for x in locations], dtype=np.int64)
            self._plans = Plans(np.concatenate(locations), np.concatenate(([0], np.cumsum(weeks)[:-1])), weeks)
        return self._plans

    @property
    def n_runs(self) -> int:
        """Runs in the batch."""
        return self._n_runs

    def set_week(self, week: int) -> None:
        """Make ``week`` the current week of the batch and of every run in it."""
        self.week = week
        if self.cities:
            for city in self.cities:  # its worlds' and pool's week with it
                city.set_week(week)
        else:
            for w in self.worlds:
                w.week = week
            for pool in self.pools:
                pool.week = week
        if self._params and any(w.scenario is not sc for w, sc in zip(self.worlds, self._params_read[1], strict=True)):
            self._forget_params()  # a run was given another scenario

    def _forget_params(self) -> None:
        """Forget the parameters read (``param``); the next reads find the scenarios as they are now."""
        self._params.clear()
        self._params_read = (scenario_changes(), tuple(w.scenario for w in self.worlds))

    # --- values that differ between runs -------------------------------------------------

    def value(self, value: Callable[[World], float], population: Population = "students",
              idx: np.ndarray | None = None) -> float | np.ndarray:
        """``value(world)`` of each run for the agents ``idx`` of ``population`` (all when None).

        A scalar when every run has the same value: an operation with a scalar and with an
        array of that scalar give the same result element by element, so a phase may use
        either, and the scalar saves a gather.
        """
        if population in self.groups.shared:
            return self._of_each_pool(value, population, idx)
        if self.n_runs == 1:  # a single run: its own value (the common case, kept cheap)
            return value(self.worlds[0])
        return self._of_each_run(value, population, idx)

    def param(self, path: str, population: Population = "students",
              idx: np.ndarray | None = None) -> float | np.ndarray:
        """The scenario parameter at the dotted ``path`` (``"learning.noise_sd"``) of each run, as ``value`` does.

        A parameter set on a running model takes effect: with many runs each run's value is
        read once and kept while no scenario section has been assigned to (``scenario_changes``)
        and every run keeps its scenario (checked at each week's start, ``set_week``).
        """
        getter = _PARAMETER_GETTERS.get(path)
        if getter is None:
            getter = _PARAMETER_GETTERS.setdefault(path, operator.attrgetter(f"scenario.{path}"))
        if population in self.groups.shared:
            return self._of_each_pool(getter, population, idx)
        if self.n_runs == 1:
            return getter(self.worlds[0])
        return self._kept(path, getter, population, idx)

    def derived(self, value: Callable[[World], float], population: Population = "students",
                idx: np.ndarray | None = None) -> float | np.ndarray:
        """``value(world)`` of each run, as ``value`` gives it, read once and kept between weeks as ``param`` keeps.

        For a quantity derived from a run's scenario and calendar alone (a placement's planned
        weeks, a credit's share), which phases ask for every week: ``value`` must read nothing
        but ``world.scenario`` and ``world.calendar`` (no agent, no week, no ``this_week``), and
        be a function defined once (a module's, not a lambda made at each call: the function
        is the key its values are kept under). A parameter set on a running model takes
        effect at once, as through ``param``: the values are forgotten when a scenario section
        is assigned to (``scenario_changes``) or a run is given another scenario (``set_week``).
        """
        if population in self.groups.shared:
            return self._of_each_pool(value, population, idx)
        if self.n_runs == 1:
            return value(self.worlds[0])
        return self._kept(value, value, population, idx)

    def derived_rows(self, value: Callable[[World], tuple[float, ...]]) -> np.ndarray:
        """``value(world)`` of each run, one row a run (runs x numbers), kept between weeks as ``derived`` keeps.

        For a run's several numbers derived from its scenario and calendar alone that a phase
        lays out run by run (a table a compiled loop reads by run, a row of rates per run);
        ``value`` as for ``derived``. The rows are shared between calls: read them, do not write.
        """
        key = ("rows", value)
        found: tuple[None, np.ndarray] | None = self._kept_entry(key)
        if found is None:
            found = self._params[key] = (None, np.array([value(w) for w in self.worlds], dtype=np.float64))
        return found[1]

    def _kept_entry(self, key: str | Callable[[World], Any] | tuple[str, Callable[[World], Any]]) -> Any:
        """What is kept under ``key`` (None: nothing, or nothing since a scenario changed: read it again)."""
        if self._params_read[0] != scenario_changes():  # a scenario was assigned to since the values were read
            self._forget_params()
        return self._params.get(key)

    def _kept(self, key: str | Callable[[World], Any], read: Callable[[World], Any], population: Population,
              idx: np.ndarray | None) -> float | np.ndarray:
        """``read(world)`` of each run for agents ``idx``: read once, kept under ``key`` (``param``, ``derived``)."""
        found: tuple[Any, np.ndarray | None] | None = self._kept_entry(key)
        if found is None:  # the runs' one value, or each run's
            values = list(map(read, self.worlds))
            first = values[0]
            found = self._params[key] = (first, None) if values.count(first) == len(values) else \
                (None, np.asarray(values, dtype=float))
        one, each = found
        if each is None:
            return one  # type: ignore[return-value]
        group = self.groups.group_of(population)
        return each[group if idx is None else group[idx]]

    def _of_each_run(self, value: Callable[[World], Any], population: Population,
                     idx: np.ndarray | None) -> float | np.ndarray:
        """``spread`` of ``value(world)`` of each run, reading each run once (a scalar when all agree)."""
        values = list(map(value, self.worlds))
        first = values[0]
        if values.count(first) == len(values):  # every run's value equals the first (the common case)
            return first
        group = self.groups.group_of(population)
        return np.asarray(values, dtype=float)[group if idx is None else group[idx]]

    def _of_each_pool(self, value: Callable[[World], Any], population: Population,
                      idx: np.ndarray | None) -> Any:
        """``value(pool)`` of each pool for the agents ``idx`` of a shared population (a scalar when all agree)."""
        if len(self.pools) == 1:  # one city's pool (the common case, kept cheap)
            return value(self.pools[0])
        values = list(map(value, self.pools))
        first = values[0]
        if values.count(first) == len(values):
            return first
        pool = self.groups.pool_of_agent(population)
        return np.asarray(values, dtype=float)[pool if idx is None else pool[idx]]

    def spread(self, values: Sequence[float], population: Population = "students",
               idx: np.ndarray | None = None) -> float | np.ndarray:
        """One value per run (``values[g]`` for run ``g``) for the agents ``idx`` of ``population``; as ``value``."""
        first = values[0]
        if all(v == first for v in values[1:]):
            return first
        group = self.groups.group_of(population)
        return np.asarray(values, dtype=float)[group if idx is None else group[idx]]

    def local_to_global(self, population: Population, local: np.ndarray, owners: np.ndarray | None = None,
                        owner_population: Population = "students") -> np.ndarray:
        """Batch positions of the local indices ``local`` into ``population``, held by agents ``owners``.

        ``owners``: the holders' positions or a mask of them (None: every agent of ``owner_population``).
        """
        if self.n_runs == 1 or (population in self.groups.shared and len(self.pools) == 1):
            return local
        # as GroupIndex.to_global, with the block starts of the owners' groups gathered once per batch
        offsets = self.groups.offsets(population, owner_population)
        found = local + (offsets if owners is None else offsets[owners])
        np.copyto(found, local, where=local < 0)  # no one (a negative index) stays as it is
        return found

    def held_to_global(self, population: Population, local: np.ndarray, owners: np.ndarray,
                       owner_population: Population = "students") -> np.ndarray:
        """Batch positions of the agents of ``population`` that the agents ``owners`` (a mask) hold.

        ``local``: every agent of ``owner_population``'s local index into ``population`` (a
        student's ``school_mentor``, ``enterprise_mentor`` or ``host``). The same as
        ``local_to_global(population, local[owners], owners, owner_population)``, which phases
        ask for every week: one compiled pass instead of four NumPy ones where numba is installed.
        """
        if self.n_runs == 1 or (population in self.groups.shared and len(self.pools) == 1):
            return local[owners]
        loops = compile_loops(_held_to_global)
        if loops is None or owners.dtype != np.bool_:  # NumPy's passes (or owners given as positions)
            return self.local_to_global(population, local[owners], owners, owner_population)
        offsets = self.groups.offsets(population, owner_population)
        out = np.empty(np.count_nonzero(owners), dtype=np.result_type(local, offsets))
        loops[0](local, owners, offsets, out)
        return out

    def concatenated(self, value: Callable[[World], np.ndarray]) -> np.ndarray:
        """``value(world)`` of every run (one element per agent of some population), end to end."""
        if self.n_runs == 1:
            return value(self.worlds[0])
        return np.concatenate([value(w) for w in self.worlds])

    def positions(self, population: Population, chosen: Callable[[World], np.ndarray]) -> np.ndarray:
        """The agents ``chosen(world)`` names in each run (ascending local indices), as ascending batch positions."""
        owners = self.pools if population in self.groups.shared else self.worlds
        if len(owners) == 1:
            return chosen(owners[0])
        return np.concatenate([chosen(w) + block.start
                               for w, block in zip(owners, self.groups.blocks(population), strict=True)])

    def by_run(self, population: Population, idx: np.ndarray) -> list[tuple[World, np.ndarray]]:
        """The agents ``idx`` (ascending batch positions) split by run: (run's world, local indices), runs with any."""
        owners = self.pools if population in self.groups.shared else self.worlds  # a pool's agents: its world's
        if len(owners) == 1:
            return [(owners[0], idx)] if len(idx) else []
        starts = self.groups.starts[population]
        cuts = np.searchsorted(idx, starts).tolist()
        return [(w, idx[cuts[g]:cuts[g + 1]] - starts[g]) for g, w in enumerate(owners) if cuts[g + 1] > cuts[g]]

    def counts(self, population: Population, mask: np.ndarray) -> np.ndarray:
        """How many agents of ``population`` ``mask`` marks in each run (whole numbers: exact however counted)."""
        if self.n_runs == 1:
            return np.array([np.count_nonzero(mask)])
        if population in self.groups.shared:
            raise ValueError(f"{population} are a city's pool: count them by whose apprentices they host")
        loops = compile_loops(block_counts)
        if loops is not None:  # one pass over the mask (whole numbers: exact however counted)
            return loops[0](mask, self.groups.starts[population])
        # block by block: a count per block costs less than gathering every marked agent's run
        return np.array([np.count_nonzero(mask[block]) for block in self.groups.blocks(population)], dtype=np.int64)

    # --- random draws --------------------------------------------------------------------

    def normal(self, stream: str, week: int, *upto: np.ndarray, population: Population = "students",
               sizes: np.ndarray | None = None) -> np.ndarray:
        """Standard normal draws of ``stream`` in ``week``, element ``i`` agent ``i``'s, from its run's stream.

        Each run draws for its agents of ``population`` up to its last one in any of ``upto``
        (ascending batch positions), as a run alone draws up to the last agent it needs (a
        stream's first draws do not depend on how many follow); elements past that are
        undefined. ``sizes``: those draws per run found already (``draw_sizes`` of ``upto``),
        for several streams drawn for the same agents. A city's pool draws for all its
        agents, each sector's from its own streams (``World.agent_normal``).
        """
        if population in self.groups.shared:  # each pool world's, sector by sector
            return self._pool_draws(lambda pool: pool.agent_normal(stream, week, population))
        if sizes is None:
            sizes = self.draw_sizes(population, *upto)
        if self.n_runs == 1:
            return self.worlds[0].streams.normal(stream, week, int(sizes[0]))
        return self._draws("normal", stream, week, sizes, population)

    def uniform(self, stream: str, week: int, upto: np.ndarray | None = None,
                population: Population = "students", sizes: np.ndarray | None = None) -> np.ndarray:
        """Uniform [0, 1) draws of ``stream`` in ``week``, element ``i`` agent ``i``'s, from its run's stream.

        As ``normal``; ``upto`` None draws for every agent of ``population``. A city's pool
        draws for all its agents, each sector's from its own streams (``World.agent_uniform``).
        """
        if population in self.groups.shared:  # each pool world's, sector by sector
            return self._pool_draws(lambda pool: pool.agent_uniform(stream, week, population))
        if sizes is None:
            sizes = self.groups.sizes(population) if upto is None else self.draw_sizes(population, upto)
        if self.n_runs == 1:  # one run's streams
            return self.worlds[0].streams.uniform(stream, week, int(sizes[0]))
        return self._draws("uniform", stream, week, sizes, population)

    def _pool_draws(self, draws: Callable[[World], np.ndarray]) -> np.ndarray:
        """``draws(pool)`` of every pool of the batch, end to end (one city's: as they are)."""
        if len(self.pools) == 1:
            return draws(self.pools[0])
        return np.concatenate([draws(pool) for pool in self.pools])

    def draw_sizes(self, population: Population, *upto: np.ndarray) -> np.ndarray:
        """Draws each run takes of a stream for its agents ``upto``: up to its last one in any of them.

        ``upto``: ascending batch positions of agents of ``population``. Found once for several
        streams drawn for the same agents (a mentor's replacement draws nine), and handed to
        ``uniform`` and ``normal`` as their ``sizes``. A single run's, or a city's pool's: one number.
        """
        starts = self.groups.starts[population]
        if len(starts) == 2:  # one block, a single run's or a city's pool's (kept cheap)
            return np.array([max((int(idx[-1]) + 1 for idx in upto if len(idx)), default=0)], dtype=np.int64)
        needed = np.zeros(len(starts) - 1, dtype=np.int64)
        for idx in upto:
            if len(idx) == 0:
                continue
            ends = np.searchsorted(idx, starts[1:])  # run g's agents of idx: idx[ends[g - 1]:ends[g]]
            last = idx[ends - 1] - starts[:-1] + 1  # draws up to run g's last agent, where it has one
            last[1:][ends[1:] == ends[:-1]] = 0  # runs with no agent in idx draw nothing
            if ends[0] == 0:
                last[0] = 0
            np.maximum(needed, last, out=needed)
        return needed

    def _draws(self, kind: str, stream: str, week: int, needed: np.ndarray, population: Population) -> np.ndarray:
        """Each run's first ``needed[g]`` draws of ``stream`` in ``week``, at its block's start."""
        starts = self.groups.starts[population]
        out = np.empty(int(starts[-1]))
        streams = self._run_streams.get(stream)
        if streams is None:
            streams = self._run_streams[stream] = [w.streams.stream(stream) for w in self.worlds]
            self._run_seed_words[stream] = np.concatenate([s.seed_words for s in streams])
        if pcg64.draw(kind, self._run_seed_words[stream], (week + 1) << WEEK_BLOCK_BITS, starts, needed, out):
            return out  # every run's draws in one compiled call
        fill = Stream.fill_normal if kind == "normal" else Stream.fill_uniform
        firsts, counts = starts.tolist(), needed.tolist()
        for g in np.flatnonzero(needed).tolist():  # the runs that draw, in order
            first = firsts[g]
            fill(streams[g], week, out[first:first + counts[g]])
        return out
