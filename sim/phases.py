"""The model's mechanisms, and the weekly phase list: what happens in a week, in order.

``MECHANISMS`` is the one list of the model's mechanisms; each module declares what it
owns in its ``MECHANISM`` (state, streams, reads and writes, outcomes, step). The ones
with a weekly step are the phases, run in this order every week. ``talentsim phases``
prints the list with what each phase reads and writes, from the declarations. Yearly and
half-yearly mechanisms (intake, participation, placement rounds, budgets, exam sessions)
act inside their phase only in the weeks the calendar says.
"""

from __future__ import annotations

import textwrap

from sim.engine.clock import Phase
from sim.engine.declarations import StateField, check_unique
from sim.engine.mechanism import Mechanism, Outcome
from sim.mechanisms import (
    attrition,
    bureau,
    certification,
    contact,
    curriculum,
    enterprise_accounts,
    enterprise_pool,
    evaluation,
    exits,
    funding,
    incentives,
    intake,
    labour_market,
    learning,
    mentor_development,
    mentor_selection,
    mentoring,
    participation,
    placement,
    schedule,
    tax_credit,
    training_base,
)

SET_UP_MECHANISMS: tuple[Mechanism, ...] = (
    enterprise_pool.MECHANISM,
    tax_credit.MECHANISM,
    mentor_selection.MECHANISM,
    evaluation.MECHANISM,
)
"""Mechanisms without a weekly step: they set up state (or rate graduates for another phase)."""

WEEKLY_MECHANISMS: tuple[Mechanism, ...] = (
    schedule.MECHANISM,
    intake.MECHANISM,
    participation.MECHANISM,
    mentor_development.MECHANISM,
    placement.MECHANISM,
    training_base.MECHANISM,
    funding.MECHANISM,
    incentives.MECHANISM,
    contact.MECHANISM,
    curriculum.MECHANISM,
    mentoring.MECHANISM,
    learning.MECHANISM,
    certification.MECHANISM,
    attrition.MECHANISM,
    exits.MECHANISM,
    labour_market.MECHANISM,
    bureau.MECHANISM,
    enterprise_accounts.MECHANISM,
)
"""The phases, in the order they run each week (calendar first, the firms' books last)."""

MECHANISMS: tuple[Mechanism, ...] = SET_UP_MECHANISMS + WEEKLY_MECHANISMS


def weekly_phases(mechanisms: tuple[Mechanism, ...] = MECHANISMS) -> tuple[Phase, ...]:
    """The phase of every mechanism with a weekly step, in order (over a batch where the mechanism has one)."""
    phases = []
    for m in mechanisms:
        if m.batch_step is not None:
            phases.append(Phase(m.name, m.batch_step, over_batch=True, spans_cities=m.spans_cities))
        elif m.step is not None:
            phases.append(Phase(m.name, m.step, over_batch=False))
    return tuple(phases)


WEEKLY_PHASES: tuple[Phase, ...] = weekly_phases()


def state_fields(mechanisms: tuple[Mechanism, ...] = MECHANISMS) -> tuple[StateField, ...]:
    """Every per-agent attribute the mechanisms declare (each exactly once)."""
    declared = tuple(f for m in mechanisms for f in m.state)
    check_unique("state attribute", ((f"{f.population}.{f.name}", m.name) for m in mechanisms for f in m.state))
    return declared


def declared_streams(mechanisms: tuple[Mechanism, ...] = MECHANISMS) -> tuple[str, ...]:
    """Every stream name and pattern the mechanisms declare (each exactly once)."""
    check_unique("random stream", ((name, m.name) for m in mechanisms for name in m.streams))
    return tuple(name for m in mechanisms for name in m.streams)


def declared_outcomes(mechanisms: tuple[Mechanism, ...] = MECHANISMS) -> tuple[Outcome, ...]:
    """Every outcome the mechanisms declare, in mechanism order (each name exactly once)."""
    check_unique("outcome", ((o.name, m.name) for m in mechanisms for o in m.outcomes))
    return tuple(o for m in mechanisms for o in m.outcomes)


LISTING_WIDTH = 100
"""Characters per line of ``describe_phases`` (the declared paths are wrapped to it)."""


def _paths(label: str, paths: tuple[str, ...]) -> str:
    head = f"    {label:<20} "
    return textwrap.fill(", ".join(paths) if paths else "-", width=LISTING_WIDTH, initial_indent=head,
                         subsequent_indent=" " * len(head), break_on_hyphens=False)


def describe_phases(mechanisms: tuple[Mechanism, ...] = MECHANISMS) -> str:
    """The phase list as numbered lines: purpose, then what each phase reads and writes."""
    lines = []
    weekly = [m for m in mechanisms if m.weekly_step is not None]
    for i, m in enumerate(weekly, start=1):
        lines.append(f"{i:2d}. {m.name:<20} {m.purpose}")
        lines.append(_paths("reads", m.reads))
        lines.append(_paths("writes", m.writes))
        if m.streams:
            lines.append(_paths("draws", m.streams))
    lines.append(f"{len(weekly) + 1:2d}. {'record':<20} Record this week's time-series row (results).")
    set_up = [m.name for m in mechanisms if m.weekly_step is None]
    if set_up:
        lines.append(f"set-up only (no weekly step): {', '.join(set_up)}")
    return "\n".join(lines)
