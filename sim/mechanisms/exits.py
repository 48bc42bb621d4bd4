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
    host_weights,
    host_weights_in_batch,
    rate_by_hosts,
    rating_parts_in_batch,
    weighted_host_index,
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


def leave_school_below(new_placement_share: float | np.ndarray,
                       leave_school_share: float | np.ndarray) -> float | np.ndarray:
    """The draw below which one who takes no new placement after a dissolution leaves school.

    Among those who take no new placement (a draw at or above ``new_placement_share``),
    the share ``leave_school_share`` leave school: the draw rescaled to [0, 1) over them.
    One run's shares, or each student's run's (the same operations element by element).
    """
    return new_placement_share + (1.0 - new_placement_share) * leave_school_share


def after_dissolution(world: World, who: np.ndarray) -> None:
    """What follows a dissolution: a new placement at the next round, leaving school, or the school-only track."""
    p = world.scenario.attrition
    u = world.streams.uniform("attrition.after_termination", world.week, int(who.max()) + 1)[who]
    without_new = u >= p.new_placement_share_after_dissolution
    leave_below = leave_school_below(p.new_placement_share_after_dissolution,
                                     p.leave_school_share_without_new_placement)
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
    starts = batch.groups.starts["students"].tolist()
    who: list[np.ndarray] = []
    runs: list[int] = []
    reasons: list[str] = []
    for g, world in enumerate(batch.worlds):
        requests = getattr(world, pending)
        if not requests:
            continue
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
    if len(set(requests.runs)) == len(requests.runs) or len(set(requests.who.tolist())) == len(requests.who):
        return valid  # no student named twice
    first = np.zeros(len(requests.who), dtype=bool)
    first[np.unique(requests.who, return_index=True)[1]] = True
    return valid & first


def _spans(request: np.ndarray) -> list[tuple[int, int, int]]:
    """(request, start, stop) of each request's run of consecutive elements in ``request``."""
    if len(request) == 0:
        return []
    if request[0] == request[-1]:  # one request (the elements of a request are consecutive)
        return [(int(request[0]), 0, len(request))]
    starts = [0, *(np.flatnonzero(request[1:] != request[:-1]) + 1).tolist()]
    return list(zip(request[starts].tolist(), starts, [*starts[1:], len(request)], strict=True))


class _Ratings:
    """The ratings hosts give this week, made request by request and added at the end in each run's order."""

    def __init__(self, batch: Batch) -> None:
        self.runs: list[np.ndarray] = []
        self.hosts: list[np.ndarray] = []
        self.index: list[np.ndarray] = []
        self.parts: list[np.ndarray] = []
        self.weights = host_weights_in_batch(batch)
        """Every run's weights of the parts when all runs weigh them alike (None: each run's, ``host_weights``)."""

    def rate(self, batch: Batch, who: np.ndarray, request: np.ndarray, requests: _Requests,
             spans: list[tuple[int, int, int]]) -> None:
        """The ratings of the apprentices ``who`` (hosted, none retained), each request's as its run alone rates them.

        ``spans``: each request's elements of ``who`` (``_spans(request)``). The satisfaction
        index is found request by request (``host_index`` over that request's apprentices,
        the numbers its run alone gives); the parts over all at once.
        """
        if len(who) == 0:
            return
        parts, host = rating_parts_in_batch(batch, who, np.zeros(len(who), dtype=bool))
        if len(spans) == 1:  # one request: its parts as they are
            index = weighted_host_index(self._weights(batch, requests.runs[spans[0][0]]), parts)
        else:
            index = np.empty(len(who))
            for r, a, b in spans:
                index[a:b] = weighted_host_index(self._weights(batch, requests.runs[r]),
                                                 np.ascontiguousarray(parts[:, a:b]))
        self.runs.append(np.asarray(requests.runs)[request])
        self.hosts.append(host)
        self.index.append(index)
        self.parts.append(parts)

    def _weights(self, batch: Batch, run: int) -> np.ndarray:
        """Run ``run``'s weights of the parts (``host_weights``)."""
        return self.weights if self.weights is not None else host_weights(batch.worlds[run].scenario.evaluation)

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
    counts = np.bincount(run, minlength=n_runs).tolist()
    first_counts = np.bincount(run[first_year], minlength=n_runs).tolist()
    worlds = batch.worlds
    for g, count in enumerate(counts):
        if count:
            counters = worlds[g].counters
            counters.dissolutions += count
            counters.dissolutions_first_year += first_counts[g]


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
    ratings = _Ratings(batch)

    # dissolutions: each run's requests in order, all runs at once
    asked = _collect(batch, "pending_terminations")
    valid = (s.host[asked.who] >= 0) & (s.stage[asked.who] >= BASIC) & (s.stage[asked.who] <= INTERNSHIP)
    applies = _applies(asked, valid)
    who, request = asked.who[applies], asked.request[applies]
    if len(who):
        spans = _spans(request)
        run = np.asarray(asked.runs)[request]
        if events:
            for r, a, b in spans:
                g = asked.runs[r]
                worlds[g].events.add(week, who[a:b] - starts[g], "termination", asked.reasons[r], s.host[who[a:b]])
        ratings.rate(batch, who, request, asked, spans)
        _count_dissolutions(batch, who, run)
        release_in_batch(batch, who, keep_job_offer=False)
        s.n_terminations[who] += 1
        # back to the school track: each run's fallback plan at the student's programme week (whole weeks: np.clip's)
        programme_week = np.minimum(np.maximum(week - s.enrol_week[who], 0), batch.plans().weeks[run] - 1)
        for g, a, b in _spans(run):
            s.location[who[a:b]] = worlds[g].calendar.fallback_location[programme_week[a:b]]
            worlds[g].counters.terminations += b - a
        # what follows: a new placement at the next round, leaving school, or the school-only track
        u = batch.uniform("attrition.after_termination", week, np.sort(who))[who]
        new_placement = batch.param("attrition.new_placement_share_after_dissolution", "students", who)
        without_new = u >= new_placement
        leave_below = leave_school_below(
            new_placement, batch.param("attrition.leave_school_share_without_new_placement", "students", who))
        quitting = without_new & (u < leave_below)
        s.school_only[who[without_new & (u >= leave_below)]] = True
        if quitting.any():
            for r, a, b in spans:
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
        if placed.any():
            hosted_request = request[placed]
            ratings.rate(batch, who[placed], hosted_request, asked, _spans(hosted_request))
            _count_dissolutions(batch, who[placed], np.asarray(asked.runs)[hosted_request])
        release_in_batch(batch, who, keep_job_offer=False)
    ratings.add(batch)


def _dropout_rate(world: World, totals: RunTotals) -> float:
    dropped = int(np.count_nonzero(totals.observed & (world.students.stage == DROPPED_OUT)))
    return rate(dropped, int(np.count_nonzero(totals.observed)))


MECHANISM = Mechanism(
    name="exits",
    spans_cities=True,  # the pools only through Batch's methods
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
