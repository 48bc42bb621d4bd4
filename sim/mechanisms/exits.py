"""Exits: the one phase that applies structural changes requested during the week.

Dissolutions first: a placement ended early by the host (``host_ended``) or by the
apprentice, who leaves the placement and goes back to school (``apprentice_left``). The
apprentice loses host and enterprise mentor and goes back to the school track; then, as
after a dissolved training contract in Germany, where about half of those concerned sign
a new contract (BIBB Datenreport 2019, A5.6), a share
``new_placement_share_after_dissolution`` takes a new placement at the next round; of the
others, ``leave_school_share_without_new_placement`` leave school (assumption: no source
follows Chinese apprentices after a dissolution) and the rest stay on the school-only
track. Then dropouts: the student leaves the programme and frees any place they held; a
dropout while placed also dissolves the placement (reason ``dropout``). A host rates an
apprentice whose placement with it ends early (``evaluation``: it did not stay on).

Every dissolution is counted, and those within 52 weeks of the placement's start apart:
the share of placements dissolved in their first year is what compares with the German
early-termination rate (LQneu) restricted to the first year of the contract (see
``docs/calibration.md``).
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

import numpy as np

from sim.engine.batch import Batch
from sim.engine.declarations import StateField, Unit, rate
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import AWAY, BASIC, DROPPED_OUT, INTERNSHIP
from sim.engine.world import RunTotals, World
from sim.mechanisms.evaluation import (
    RATING_READS,
    RATING_WRITES,
    add_ratings,
    host_index,
    rate_by_hosts,
    rating_parts_in_batch,
)
from sim.mechanisms.placement import release, release_in_batch
from sim.scenario.schema import WEEKS_PER_YEAR

DROPOUT_WHILE_PLACED = "dropout"
"""Reason of the dissolution of a placement whose apprentice left school."""


def count_dissolutions(world: World, who: np.ndarray) -> None:
    """Count the dissolution of the placements of ``who`` (hosted), and those in their first 52 weeks."""
    world.counters.dissolutions += len(who)
    first_year = world.week - world.students.placed_week[who] < WEEKS_PER_YEAR
    world.counters.dissolutions_first_year += int(np.count_nonzero(first_year))


def after_dissolution(world: World, who: np.ndarray) -> None:
    """What follows a dissolution: a new placement at the next round, leaving school, or the school-only track."""
    p = world.scenario.attrition
    u = world.streams.uniform("attrition.after_termination", world.week, int(who.max()) + 1)[who]
    without_new = u >= p.new_placement_share_after_dissolution
    # among those who take no new placement, the share leaving school (u rescaled to [0, 1) over them)
    leave_below = p.new_placement_share_after_dissolution + \
        (1.0 - p.new_placement_share_after_dissolution) * p.leave_school_share_without_new_placement
    quitting = who[without_new & (u < leave_below)]
    world.students.school_only[who[without_new & (u >= leave_below)]] = True
    if len(quitting):
        world.pending_dropouts.append((quitting, "after_termination"))


def apply_exits(world: World) -> None:
    """Apply this week's requested dissolutions and dropouts of one run (a batch of one: ``apply_exits_in_batch``).

    Request by request, in the order they were made; ``apply_exits_in_batch`` gives every
    run of a batch exactly this (the batch tests compare the two).
    """
    s = world.students
    for who, reason in world.pending_terminations:
        who = who[(s.host[who] >= 0) & (s.stage[who] >= BASIC) & (s.stage[who] <= INTERNSHIP)]
        if len(who) == 0:
            continue
        world.events.add(world.week, who, "termination", reason, s.host[who])
        rate_by_hosts(world, who, retained=np.zeros(len(who), dtype=bool))
        count_dissolutions(world, who)
        release(world, who, keep_job_offer=False)
        s.n_terminations[who] += 1
        s.location[who] = world.calendar.fallback_location[np.clip(world.week - s.enrol_week[who], 0,
                                                                   world.calendar.programme_weeks - 1)]
        world.counters.terminations += len(who)
        after_dissolution(world, who)
    world.pending_terminations.clear()
    for who, reason in world.pending_dropouts:
        who = who[(s.stage[who] >= BASIC) & (s.stage[who] <= INTERNSHIP)]  # still in the programme
        if len(who) == 0:
            continue
        s.stage[who] = DROPPED_OUT
        s.location[who] = AWAY
        s.week_left[who] = world.week
        hosted = who[s.host[who] >= 0]
        if len(hosted):
            world.events.add(world.week, hosted, "termination", DROPOUT_WHILE_PLACED, s.host[hosted])
            rate_by_hosts(world, hosted, retained=np.zeros(len(hosted), dtype=bool))
            count_dissolutions(world, hosted)
        release(world, who, keep_job_offer=False)
        world.events.add(world.week, who, "dropout", reason)
    world.pending_dropouts.clear()


class _Requests(NamedTuple):
    """Every run's requests of one kind, end to end: run by run, each run's in the order they were made."""

    who: np.ndarray  # batch positions of the students named, request after request
    request: np.ndarray  # the request (index into ``runs`` and ``reasons``) each element belongs to
    runs: list[int]  # each request's run
    reasons: list[str]  # each request's reason


def _collect(batch: Batch, pending: str) -> _Requests:
    """The requests every run made this week in its list ``pending`` (which is emptied)."""
    starts = batch.groups.starts["students"]
    who: list[np.ndarray] = []
    runs: list[int] = []
    reasons: list[str] = []
    for g, world in enumerate(batch.worlds):
        requests = getattr(world, pending)
        for local, reason in requests:
            who.append(local + starts[g] if g else local)
            runs.append(g)
            reasons.append(reason)
        requests.clear()
    if not who:
        return _Requests(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), runs, reasons)
    if len(who) == 1:
        return _Requests(who[0], np.zeros(len(who[0]), dtype=np.int64), runs, reasons)
    request = np.repeat(np.arange(len(who)), [len(w) for w in who])
    return _Requests(np.concatenate(who), request, runs, reasons)


def _applies(requests: _Requests, valid: np.ndarray) -> np.ndarray:
    """Mask of the requests' students they apply to: valid now, and not concerned by an earlier request.

    A run alone applies its requests one after the other, each to those of its students
    still concerned (with a host, or in the programme); applying one makes them no longer
    so, so a student named twice is concerned by the first request that finds it valid. A
    request names each student once, so only a run with several requests can name one twice.
    """
    if len(set(requests.runs)) == len(requests.runs):
        return valid
    first = np.zeros(len(requests.who), dtype=bool)
    first[np.unique(requests.who, return_index=True)[1]] = True
    return valid & first


def _spans(request: np.ndarray) -> list[tuple[int, int, int]]:
    """(request, start, stop) of each request's run of consecutive elements in ``request``."""
    if len(request) == 0:
        return []
    if request[0] == request[-1]:  # one request (the elements of a request are consecutive)
        return [(int(request[0]), 0, len(request))]
    cuts = np.flatnonzero(np.diff(request)) + 1
    bounds = [0, *cuts.tolist(), len(request)]
    return [(int(request[a]), a, b) for a, b in itertools.pairwise(bounds)]


class _Ratings:
    """The ratings hosts give this week, made request by request and added at the end in each run's order."""

    def __init__(self) -> None:
        self.runs: list[np.ndarray] = []
        self.hosts: list[np.ndarray] = []
        self.index: list[np.ndarray] = []
        self.parts: list[np.ndarray] = []

    def rate(self, batch: Batch, who: np.ndarray, request: np.ndarray, requests: _Requests) -> None:
        """The ratings of the apprentices ``who`` (hosted, none retained), each request's as its run alone rates them.

        The satisfaction index is found request by request (``host_index`` over that request's
        apprentices, the numbers its run alone gives); the parts over all at once.
        """
        if len(who) == 0:
            return
        parts, host = rating_parts_in_batch(batch, who, np.zeros(len(who), dtype=bool))
        spans = _spans(request)
        if len(spans) == 1:  # one request: its parts as they are
            index = host_index(batch.worlds[requests.runs[spans[0][0]]].scenario.evaluation, parts)
        else:
            index = np.empty(len(who))
            for r, a, b in spans:
                scenario = batch.worlds[requests.runs[r]].scenario
                index[a:b] = host_index(scenario.evaluation, np.ascontiguousarray(parts[:, a:b]))
        self.runs.append(np.asarray(requests.runs)[request])
        self.hosts.append(host)
        self.index.append(index)
        self.parts.append(parts)

    def add(self, batch: Batch) -> None:
        """Add every rating to its host's sums: run by run, each run's in the order it made them."""
        if not self.hosts:
            return
        if len(self.hosts) == 1 or batch.n_runs == 1:  # already in each run's order
            for host, index, parts in zip(self.hosts, self.index, self.parts, strict=True):
                add_ratings(batch.enterprises, host, index, parts)
            return
        order = np.argsort(np.concatenate(self.runs), kind="stable")
        add_ratings(batch.enterprises, np.concatenate(self.hosts)[order], np.concatenate(self.index)[order],
                    np.concatenate(self.parts, axis=1)[:, order])


def _count_dissolutions(batch: Batch, who: np.ndarray, run: np.ndarray) -> None:
    """Count the dissolution of the placements of ``who`` (hosted; ``run``: each one's run) in their runs' counters."""
    if len(who) == 0:
        return
    first_year = batch.week - batch.students.placed_week[who] < WEEKS_PER_YEAR
    if batch.n_runs == 1:
        counters = batch.worlds[0].counters
        counters.dissolutions += len(who)
        counters.dissolutions_first_year += int(np.count_nonzero(first_year))
        return
    n_runs = batch.n_runs
    counts = np.bincount(run, minlength=n_runs)
    first_counts = np.bincount(run[first_year], minlength=n_runs)
    for g in np.flatnonzero(counts).tolist():
        counters = batch.worlds[g].counters
        counters.dissolutions += int(counts[g])
        counters.dissolutions_first_year += int(first_counts[g])


def _leave_school_below(world: World) -> float:
    """The draw below which one who takes no new placement after a dissolution leaves school (``after_dissolution``)."""
    p = world.scenario.attrition
    return p.new_placement_share_after_dissolution + \
        (1.0 - p.new_placement_share_after_dissolution) * p.leave_school_share_without_new_placement


def apply_exits_in_batch(batch: Batch) -> None:
    """Apply this week's requested dissolutions and dropouts."""
    worlds = batch.worlds
    if batch.n_runs == 1:  # a single run: request by request (no batch bookkeeping to pay for)
        apply_exits(worlds[0])
        return
    if not any(w.pending_terminations or w.pending_dropouts for w in worlds):
        return
    s = batch.students
    week = batch.week
    starts = batch.groups.starts["students"]
    events = any(w.events.enabled for w in worlds)
    ratings = _Ratings()

    # dissolutions: each run's requests in order, all runs at once
    asked = _collect(batch, "pending_terminations")
    valid = (s.host[asked.who] >= 0) & (s.stage[asked.who] >= BASIC) & (s.stage[asked.who] <= INTERNSHIP)
    applies = _applies(asked, valid)
    who, request = asked.who[applies], asked.request[applies]
    if len(who):
        run = np.asarray(asked.runs)[request]
        if events:
            for r, a, b in _spans(request):
                g = asked.runs[r]
                worlds[g].events.add(week, who[a:b] - starts[g], "termination", asked.reasons[r], s.host[who[a:b]])
        ratings.rate(batch, who, request, asked)
        _count_dissolutions(batch, who, run)
        release_in_batch(batch, who, keep_job_offer=False)
        s.n_terminations[who] += 1
        for g, a, b in _spans(run):
            cal = worlds[g].calendar
            part = who[a:b]
            s.location[part] = cal.fallback_location[np.minimum(np.maximum(week - s.enrol_week[part], 0),
                                                                 cal.programme_weeks - 1)]  # whole weeks: np.clip's
            worlds[g].counters.terminations += b - a
        # what follows: a new placement at the next round, leaving school, or the school-only track
        u = batch.uniform("attrition.after_termination", week, np.sort(who))[who]
        without_new = u >= batch.param("attrition.new_placement_share_after_dissolution", "students", who)
        leave_below = batch.value(_leave_school_below, "students", who)
        quitting = without_new & (u < leave_below)
        s.school_only[who[without_new & (u >= leave_below)]] = True
        if quitting.any():
            for r, a, b in _spans(request):
                leaving = who[a:b][quitting[a:b]]
                if len(leaving):
                    g = asked.runs[r]
                    worlds[g].pending_dropouts.append((leaving - starts[g], "after_termination"))

    # dropouts: each run's requests in order (those following a dissolution last)
    asked = _collect(batch, "pending_dropouts")
    valid = (s.stage[asked.who] >= BASIC) & (s.stage[asked.who] <= INTERNSHIP)  # still in the programme
    applies = _applies(asked, valid)
    who, request = asked.who[applies], asked.request[applies]
    if len(who):
        s.stage[who] = DROPPED_OUT
        s.location[who] = AWAY
        s.week_left[who] = week
        placed = s.host[who] >= 0
        if events:
            for r, a, b in _spans(request):
                g = asked.runs[r]
                part = who[a:b]
                hosted = part[placed[a:b]]
                worlds[g].events.add(week, hosted - starts[g], "termination", DROPOUT_WHILE_PLACED, s.host[hosted])
                worlds[g].events.add(week, part - starts[g], "dropout", asked.reasons[r])
        ratings.rate(batch, who[placed], request[placed], asked)
        _count_dissolutions(batch, who[placed], np.asarray(asked.runs)[request[placed]])
        release_in_batch(batch, who, keep_job_offer=False)
    ratings.add(batch)


def _dropout_rate(world: World, totals: RunTotals) -> float:
    dropped = int(np.count_nonzero(totals.observed & (world.students.stage == DROPPED_OUT)))
    return rate(dropped, int(np.count_nonzero(totals.observed)))


MECHANISM = Mechanism(
    name="exits",
    step=None,
    batch_step=apply_exits_in_batch,
    reads=("enterprises.satisfaction_retention_sum", "students.enrol_week", "students.placed_week", *RATING_READS),
    # an early leaver's staying-on part is 0: adding it leaves satisfaction_retention_sum as it was
    writes=(*(p for p in RATING_WRITES if p != "enterprises.satisfaction_retention_sum"), "counters.dissolutions",
            "counters.dissolutions_first_year", "counters.terminations", "enterprises.placements_ended",
            "pending_dropouts", "pending_terminations", "students.enterprise_mentor", "students.host",
            "students.location", "students.n_terminations", "students.offered_by_host", "students.school_only",
            "students.stage", "students.week_left"),
    state=(
        StateField("students", "n_terminations", np.int8, 0, "placements ended early by the host or the apprentice"),
        StateField("students", "week_left", np.int32, -1, "week of dropping out, or -1"),
        StateField("students", "school_only", bool, False,
                   "on the school-only track after a dissolution: not placed again"),
    ),
    streams=("attrition.after_termination",),
    outcomes=(
        Outcome("dropout_rate", "Dropout rate",
                "Share of the students of finished cohorts who left the programme early.", Unit.SHARE,
                _dropout_rate, headline=True),
        # Every dropout, finished cohort or not: dropout_rate counts finished cohorts only (issue 10).
        Outcome("n_dropped_out", "Students who dropped out",
                "Students of every cohort, finished or not, who left the programme early by the end of the run.",
                Unit.PERSONS, lambda world, totals: float(np.count_nonzero(world.students.stage == DROPPED_OUT))),
        Outcome("early_termination_rate", "Early termination rate",
                "Share of placements dissolved within 52 weeks of their start, for any reason (the host ended it, "
                "the apprentice left it, or left school while placed): the first-year part of the German "
                "early-termination rate.", Unit.SHARE,
                lambda world, totals: rate(world.counters.dissolutions_first_year, world.counters.placements)),
        Outcome("dissolution_rate", "Placements dissolved",
                "Share of placements dissolved before their term at any time, for any reason.", Unit.SHARE,
                lambda world, totals: rate(world.counters.dissolutions, world.counters.placements)),
    ),
)
