"""The on-campus training base: practice uses its capacity and consumables in proportion to its hours.

Why a mechanism of its own: more on-campus practice teaches more practical skill
(``learning``), and it is not free. Each practice hour occupies a workstation of the
training base and uses materials, so the base's weekly running cost (``funding``'s use
``training_base``) is, for the students at school this week,

    students at school x (fixed running cost per student-week
                          + consumables per practice hour x practice hours of the school week)

and the hours it can host in a week are limited (``programme.training_base_capacity_hours_per_week``:
its workstations times the hours it is open). The practice hours of the school week are
the timetable's: ``school_practice_hours_share`` of the ``SCHOOL_WEEK_HOURS`` that the
planned guidance (``desired_hours_per_student_week``) leaves. When the students at
school ask for more practice hours than the base can host, every student's practice
hours are cut in the same proportion (pro rata) and the hours cut are taught in class
instead: the school week keeps its hours (``learning`` reads the share of the
timetable's practice the base allowed). The consumables are paid for the hours
actually practised.
"""

from __future__ import annotations

import numpy as np

from sim.engine.batch import Batch
from sim.engine.declarations import Unit, rate
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import SCHOOL
from sim.engine.world import World
from sim.mechanisms.learning import SCHOOL_WEEK_HOURS
from sim.scenario.schema import Scenario


def practice_hours_per_school_week(scenario: Scenario) -> float:
    """Practice hours of one student's school week as the timetable plans them (with the planned guidance)."""
    mentoring = min(scenario.school_mentors.desired_hours_per_student_week, SCHOOL_WEEK_HOURS)
    return scenario.programme.school_practice_hours_share * (SCHOOL_WEEK_HOURS - mentoring)


def capacity_share(planned_hours: float, capacity_hours: float) -> float:
    """Share of the planned practice hours the base can host (1 when it has room, or nothing is planned)."""
    if planned_hours <= 0.0:
        return 1.0
    return min(1.0, capacity_hours / planned_hours)


def planned_practice_hours(world: World, at_school: int) -> float:
    """The practice hours the timetable asks of the base this week: ``at_school`` students x hours of a school week."""
    return at_school * practice_hours_per_school_week(world.scenario)


def plan_practice(world: World, at_school: int, share: float | None = None) -> None:
    """This week's practice hours at the training base, cut pro rata where they exceed its capacity.

    ``at_school``: the run's students at school this week. ``share``: the share of the
    planned hours a base shared with other programmes allows (None: the programme's own
    base, ``programme.training_base_capacity_hours_per_week``).
    """
    sc = world.scenario
    per_student = practice_hours_per_school_week(sc)
    if share is None:
        share = capacity_share(at_school * per_student, sc.programme.training_base_capacity_hours_per_week)
    _hand_over(world, at_school, per_student, share)


def _hand_over(world: World, at_school: int, per_student: float, share: float) -> None:
    """Hand over this week's practice (``plan_practice``) at ``per_student`` planned hours, ``share`` of them hosted."""
    planned = at_school * per_student
    week = world.this_week.practice
    week.students_at_school = at_school
    week.hours_per_student = per_student * share
    week.capacity_share = share
    c = world.counters
    c.practice_hours_planned += planned
    c.practice_hours_cut += planned * (1.0 - share)
    c.practice_peak_hours = max(c.practice_peak_hours, planned)


def plan_practice_in_batch(batch: Batch) -> None:
    """Each programme's practice this week; a city's shared bases cut every programme using them in one proportion.

    A shared training base (``bureau.training_bases``) hosts the practice hours of all the
    programmes that use it: when they ask for more than its capacity, each programme's
    hours are cut pro rata, by the same share. A programme without a shared base uses
    its own, as alone. When every run has the same timetable and base, its parameters are
    read once for all (``Batch.param``), not run by run. In a batch of cities, each city's
    bases serve its own programmes.
    """
    at_school = batch.counts("students", batch.students.location == SCHOOL).tolist()  # every run's, at once
    if not any(pool.bureau is not None and pool.bureau.spec.training_bases for pool in batch.pools):
        # what a run's practice hours are planned from (practice_hours_per_school_week), and its base's capacity
        timetable = ("school_mentors.desired_hours_per_student_week", "programme.school_practice_hours_share",
                     "programme.training_base_capacity_hours_per_week")
        if batch.n_runs > 1 and not any(isinstance(batch.param(path), np.ndarray) for path in timetable):
            # every run plans the same hours a student and has a base of the same capacity: read once
            scenario = batch.worlds[0].scenario
            per_student = practice_hours_per_school_week(scenario)
            capacity = scenario.programme.training_base_capacity_hours_per_week
            for world, n in zip(batch.worlds, at_school, strict=True):
                _hand_over(world, n, per_student, capacity_share(n * per_student, capacity))
            return
        for world, n in zip(batch.worlds, at_school, strict=True):
            plan_practice(world, n)
        return
    first = 0
    for pool, programmes in zip(batch.pools, batch.programmes_of_pools(), strict=True):  # city by city: its bases
        students = at_school[first:first + len(programmes)]
        first += len(programmes)
        bureau = pool.bureau
        if bureau is None or not bureau.spec.training_bases:
            for world, n in zip(programmes, students, strict=True):
                plan_practice(world, n)
            continue
        planned = [planned_practice_hours(world, n) for world, n in zip(programmes, students, strict=True)]
        shares = [capacity_share(sum(p for p, b in zip(planned, bureau.base_of, strict=True) if b == index),
                                 base.capacity_hours_per_week)
                  for index, base in enumerate(bureau.spec.training_bases)]
        for world, n, base in zip(programmes, students, bureau.base_of, strict=True):
            plan_practice(world, n, shares[base] if base >= 0 else None)


def practice_need_yuan(world: World) -> float:
    """The training base's need this week, yuan: a fixed cost per student at school and consumables per hour."""
    p = world.scenario.funding
    week = world.this_week.practice
    return week.students_at_school * (p.training_base_fixed_yuan_per_student_week
                                      + p.practice_consumables_yuan_per_practice_hour * week.hours_per_student)


MECHANISM = Mechanism(
    name="training_base",
    spans_cities=True,  # each city's bases its own
    step=None,
    batch_step=plan_practice_in_batch,
    reads=("students.location",),
    writes=("counters.practice_hours_cut", "counters.practice_hours_planned", "counters.practice_peak_hours",
            "this_week.practice"),
    outcomes=(
        Outcome("practice_hours_cut_share", "Practice hours cut for want of training-base capacity",
                "Share of the timetable's on-campus practice hours the training base could not host (taught in "
                "class instead), whole run.", Unit.SHARE,
                lambda world, totals: rate(world.counters.practice_hours_cut, world.counters.practice_hours_planned)),
        Outcome("training_base_peak_use", "Training-base peak use",
                "The most practice hours the timetable asked of the training base in one week, over its capacity "
                "(above 1: practice was cut).", Unit.RATIO,
                lambda world, totals: rate(world.counters.practice_peak_hours,
                                           world.scenario.programme.training_base_capacity_hours_per_week)),
    ),
)
