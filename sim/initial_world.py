"""A run's initial world: the students, mentors and enterprises its set-up mechanisms draw.

Apart from ``sim.model`` (which runs a world week by week) because a city builds its
programmes' worlds the same way (``sim.city``), and ``sim.model`` runs cities too.
"""

from __future__ import annotations

import numpy as np

from sim.engine.calendar import build_calendar
from sim.engine.declarations import StateField, build_arrays
from sim.engine.events import EventLog
from sim.engine.mechanism import Mechanism
from sim.engine.population import EnterpriseMentors, Enterprises, SchoolMentors, Students
from sim.engine.streams import RandomStreams
from sim.engine.world import Curriculum, World
from sim.mechanisms.curriculum import starting_alignment
from sim.mechanisms.enterprise_pool import create_enterprises
from sim.mechanisms.funding import new_ledger
from sim.mechanisms.intake import draw_students
from sim.mechanisms.mentor_selection import select_enterprise_mentors, select_school_mentors
from sim.phases import MECHANISMS, declared_streams, state_fields
from sim.scenario import Scenario


def build_world(scenario: Scenario, seed: int | np.random.SeedSequence, events: bool = False,
                mechanisms: tuple[Mechanism, ...] = MECHANISMS, students_type: type[Students] = Students,
                pool: World | None = None) -> World:
    """Draw the initial population, mentors and enterprises of one run.

    The arrays are built from the mechanisms' state declarations (``sim.phases``); the
    set-up mechanisms (intake, mentor selection, the enterprise pool) give the values
    they draw, every other attribute starts at its declared initial value. ``pool``: a
    city's pool, whose enterprises and enterprise mentors the run shares instead of drawing
    its own (each draw has its own stream, so the run's other draws are the same).
    """
    declared = state_fields(mechanisms)
    streams = RandomStreams(seed, declared_streams(mechanisms))

    def of(population: str) -> list[StateField]:
        return [f for f in declared if f.population == population]

    school_mentors = select_school_mentors(scenario, streams)
    if pool is None:
        firms = create_enterprises(scenario, streams)
        enterprise_mentors = select_enterprise_mentors(scenario, streams, firms["capacity"], firms["post_staff"])
    return World(
        scenario=scenario,
        streams=streams,
        calendar=build_calendar(scenario.calendar),
        students=build_arrays(students_type, scenario.n_students, of("students"), draw_students(scenario, streams),
                              n=scenario.n_students),
        school_mentors=build_arrays(SchoolMentors, len(school_mentors["effort"]), of("school_mentors"),
                                    school_mentors),
        enterprise_mentors=pool.enterprise_mentors if pool is not None else build_arrays(
            EnterpriseMentors, len(enterprise_mentors["effort"]), of("enterprise_mentors"), enterprise_mentors),
        enterprises=pool.enterprises if pool is not None else build_arrays(
            Enterprises, len(firms["staff"]), of("enterprises"), firms),
        ledger=new_ledger(scenario),
        events=EventLog(events),
        curriculum=Curriculum(alignment=starting_alignment(scenario)),
    )


__all__ = ["build_world"]
