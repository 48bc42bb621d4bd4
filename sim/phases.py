"""The weekly phase list: what happens in a simulated week, in order, in one place.

``python -m sim phases`` prints it. Yearly and half-yearly mechanisms (intake,
participation, placement rounds, budgets, exam sessions) run inside their phase only in
the weeks the calendar says.
"""

from __future__ import annotations

from sim.engine.clock import Phase
from sim.mechanisms.attrition import request_attrition
from sim.mechanisms.certification import hold_exams
from sim.mechanisms.contact import make_contact
from sim.mechanisms.enterprise_accounts import book_enterprise_week
from sim.mechanisms.exits import apply_exits
from sim.mechanisms.funding import pay_weekly_needs
from sim.mechanisms.incentives import update_mentor_effort
from sim.mechanisms.intake import enrol_cohort
from sim.mechanisms.labour_market import run_labour_market
from sim.mechanisms.learning import learn
from sim.mechanisms.mentor_development import develop_mentors
from sim.mechanisms.mentoring import guide_students
from sim.mechanisms.participation import decide_participation
from sim.mechanisms.placement import place_apprentices
from sim.mechanisms.schedule import advance_calendar

WEEKLY_PHASES: tuple[Phase, ...] = (
    ("calendar", advance_calendar),
    ("intake", enrol_cohort),
    ("participation", decide_participation),
    ("mentor_development", develop_mentors),
    ("placement", place_apprentices),
    ("funding", pay_weekly_needs),
    ("incentives", update_mentor_effort),
    ("contact", make_contact),
    ("mentoring", guide_students),
    ("learning", learn),
    ("certification", hold_exams),
    ("attrition", request_attrition),
    ("exits", apply_exits),
    ("labour_market", run_labour_market),
    ("enterprise_accounts", book_enterprise_week),
)


def describe_phases() -> str:
    """The phase list as numbered lines with each phase's one-line purpose."""
    lines = []
    for i, (name, fn) in enumerate(WEEKLY_PHASES, start=1):
        doc = (fn.__doc__ or "").strip().splitlines()[0]
        lines.append(f"{i:2d}. {name:<20} {doc}")
    lines.append(f"{len(WEEKLY_PHASES) + 1:2d}. {'record':<20} Record this week's time-series row (results).")
    return "\n".join(lines)
