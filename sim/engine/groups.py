"""The group index: which agents of a set of concatenated arrays belong to which group.

Why groups: a small run spends most of its time on the fixed cost of a simulated week
(a few dozen NumPy calls per phase, whatever the population), not on array work. Runs
that share a shape are therefore simulated together: their students, mentors and
enterprises are concatenated, group ``g``'s agents of each population forming one
contiguous block, and a phase written for groups does its array work once for all of
them. A group is one run of a batch today; a city's programmes are groups of the same
kind (each with its own students and scenario), so the index says nothing of runs.

Indices stored in agent arrays (a student's school mentor, host, enterprise mentor) stay
*local* to their group, so every group's arrays are exactly those of the group run alone;
``GroupIndex.to_global`` turns them into positions in the concatenated arrays.

A *shared* population (a city's enterprises and enterprise mentors, which every programme
of the city works with) is not split by group: it is one pool, every group of the city
sees all of it, and an index into it is the same in every group of the city. Its
``starts`` are one block per pool: ``[0, size]`` for one city, whose indices are their
positions (``to_global`` leaves them as they are). A batch of several cities' replications
(``Batch.of_cities``) has one pool per city, end to end; ``pool_of`` says whose pool each
group works with, and a group's index into the pool is local to its pool's block, as a
student's school mentor is local to its group's. A loop that pairs each group with a block
of a shared population is an error, since no group owns a part of a pool.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from sim.engine.declarations import Population

POPULATIONS: tuple[Population, ...] = ("students", "school_mentors", "enterprise_mentors", "enterprises")


@dataclass(frozen=True)
class GroupIndex:
    """Block boundaries of every population: group ``g`` owns ``starts[p][g]:starts[p][g + 1]``."""

    starts: Mapping[Population, np.ndarray]
    shared: frozenset[Population] = frozenset()
    """The populations a city's groups share whole (its pool): a block per pool, indices the same in its groups."""
    pool_of: np.ndarray | None = None
    """The pool (block of the shared populations) each group works with; None: one pool, every group's."""
    _group_of: dict[Population, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    _blocks: dict[Population, list[slice]] = field(default_factory=dict, repr=False, compare=False)
    _sizes: dict[Population, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    _group_codes: dict[tuple[Population, int], np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    _offsets: dict[tuple[Population, Population], np.ndarray] = field(default_factory=dict, repr=False,
                                                                      compare=False)
    _pool_of_agent: dict[Population, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_sizes(cls, sizes: Mapping[Population, Sequence[int]], shared: frozenset[Population] = frozenset(),
                   pool_of: Sequence[int] | None = None) -> GroupIndex:
        """The index of groups whose populations have the given sizes, group by group.

        A ``shared`` population has one size per pool: the pool's (one pool), or each
        pool's in order, with ``pool_of`` giving each group's pool (several).
        """
        starts = {p: np.concatenate(([0], np.cumsum(np.asarray(sizes[p], dtype=np.int64)))) for p in POPULATIONS}
        counts = {len(v) for p, v in starts.items() if p not in shared}
        pools = 1 if pool_of is None else max(pool_of, default=-1) + 1
        if len(counts) != 1 or any(len(starts[p]) != pools + 1 for p in shared) \
                or (pool_of is not None and (len(pool_of) != counts.pop() - 1 or min(pool_of, default=0) < 0)):
            raise ValueError(f"every population needs one size per group (a shared one, one per pool), got {sizes}")
        return cls(starts, frozenset(shared), None if pool_of is None else np.asarray(pool_of, dtype=np.int64))

    @property
    def n_pools(self) -> int:
        """Pools of the shared populations (1 when there is none, or one city's)."""
        return 1 if self.pool_of is None else int(self.pool_of.max()) + 1

    @property
    def n_groups(self) -> int:
        """Number of groups."""
        return len(self.starts["students"]) - 1

    def block(self, population: Population, g: int) -> slice:
        """The index range of group ``g``'s agents of ``population`` (a shared population: its pool's, whole)."""
        s = self.starts[population]
        if population in self.shared:
            k = 0 if self.pool_of is None else int(self.pool_of[g])
            return slice(int(s[k]), int(s[k + 1]))
        return slice(int(s[g]), int(s[g + 1]))

    def blocks(self, population: Population) -> list[slice]:
        """The index ranges of every group's agents of ``population`` in group order (shared: each pool's; once)."""
        found = self._blocks.get(population)
        if found is None:
            s = self.starts[population].tolist()
            n_blocks = self.n_pools if population in self.shared else self.n_groups
            found = self._blocks[population] = [slice(s[k], s[k + 1]) for k in range(n_blocks)]
        return found

    def pool_of_agent(self, population: Population) -> np.ndarray:
        """The pool of every agent of the shared ``population`` (computed once)."""
        if population not in self.shared:
            raise ValueError(f"{population} are not shared: their agents have a group, not a pool")
        found = self._pool_of_agent.get(population)
        if found is None:
            found = np.repeat(np.arange(self.n_pools, dtype=np.int64), np.diff(self.starts[population]))
            self._pool_of_agent[population] = found
        return found

    def pool_of_group(self) -> np.ndarray:
        """Each group's pool (every group's 0 with one pool)."""
        return np.zeros(self.n_groups, dtype=np.int64) if self.pool_of is None else self.pool_of

    def pool_group_starts(self) -> np.ndarray:
        """Where each pool's groups start, then the groups' count: pool ``k``'s are ``[s[k], s[k + 1])``.

        Groups come pool by pool (a batch of cities: city by city).
        """
        return np.searchsorted(self.pool_of_group(), np.arange(self.n_pools + 1))

    def group_starts(self, population: Population) -> np.ndarray:
        """Where each group's block of ``population`` starts (a shared one: its pool's block), one per group."""
        s = self.starts[population]
        return s[self.pool_of_group()] if population in self.shared else s[:-1]

    def group_of(self, population: Population) -> np.ndarray:
        """The group of every agent of ``population`` (computed once; a shared population's agents have none)."""
        if population in self.shared:
            raise ValueError(f"{population} are shared by every group: no agent of theirs has a group")
        found = self._group_of.get(population)
        if found is None:
            s = self.starts[population]
            found = np.repeat(np.arange(self.n_groups, dtype=np.int64), np.diff(s))
            self._group_of[population] = found
        return found

    def group_codes(self, population: Population, n_codes: int) -> np.ndarray:
        """``group x n_codes`` for every agent of ``population`` (computed once).

        Added to a code below ``n_codes``, it numbers the (group, code) pairs, so one
        ``np.bincount`` counts every group's codes at once.
        """
        found = self._group_codes.get((population, n_codes))
        if found is None:
            found = self._group_codes[(population, n_codes)] = self.group_of(population) * n_codes
        return found

    def offsets(self, population: Population, owner_population: Population) -> np.ndarray:
        """For every agent of ``owner_population``, where its block of ``population`` starts (its group's or pool's).

        An index local to the owner's group plus this offset is a position in the concatenated
        arrays: ``to_global`` without gathering the block starts every time.
        """
        found = self._offsets.get((population, owner_population))
        if found is None:
            # int32 as the agents' index arrays are (adding int64 offsets to int32 indices costs four times
            # as much, in the conversion), while every position fits
            dtype = np.int32 if self.starts[population][-1] < np.iinfo(np.int32).max else np.int64
            if owner_population in self.shared:  # an agent of a pool holding an index into its pool
                found = self.starts[population][self.pool_of_agent(owner_population)].astype(dtype)
            elif population in self.shared and self.pool_of is None:  # one pool: a local index is its position
                found = np.zeros(len(self.group_of(owner_population)), dtype=dtype)
            else:
                found = self.group_starts(population)[self.group_of(owner_population)].astype(dtype)
            self._offsets[(population, owner_population)] = found
        return found

    def to_global(self, population: Population, local: np.ndarray, group: np.ndarray) -> np.ndarray:
        """Positions in the concatenated arrays of ``population`` of the local indices ``local``.

        ``group`` is the group of each element of ``local``; negative local indices (no one,
        the open market) are kept as they are.
        """
        if self.n_groups == 1 or (population in self.shared and self.pool_of is None):
            return local
        start = self.group_starts(population)[group]
        return np.where(local >= 0, local + start, local)

    def sizes(self, population: Population) -> np.ndarray:
        """Agents of ``population`` in each group, or in each pool of a shared one (computed once)."""
        found = self._sizes.get(population)
        if found is None:
            found = self._sizes[population] = np.diff(self.starts[population])
        return found
