"""Curriculum co-development: mentors' hours build the curriculum's alignment with the posts, over years.

Why a mechanism of its own: a curriculum aligned with the enterprises' post standards
teaches more practical skill (``learning``; Li (2026) §5.2 and Liu & Long (n.d.) §2.2
name co-developed curricula), but a school does not get one by deciding to: its
teachers and the firms' mentors write it together, and that takes their time.

``programme.curriculum_alignment`` is the alignment the programme works towards (its
target). The curriculum starts at ``curriculum.initial_alignment`` (the school's own
curriculum, not co-developed; the target if that is lower). While it is below the
target, every active school mentor with a mentee in the programme and every active
enterprise mentor with an apprentice on site (dual mentoring only) gives
``codevelopment_hours_per_mentor_year / 52`` hours a week to co-development, and the
alignment rises by

    alignment_gain_per_1000_hours x hours this week / 1000 / n_sectors        (capped at the target)

(one curriculum per major: the hours are shared by ``intake.n_sectors`` curricula). So a
year's step grows with the hours the mentors put in, a higher target takes more years and
more hours, and once the target is reached the hours stop. The hours come out of the
mentors' guidance hours (``mentoring``), and an enterprise mentor's hours cost the firm
their hourly cost (``enterprise_accounts``). Contact raises the alignment of each
host's training further (``contact``).
"""

from __future__ import annotations

import numpy as np

from sim.engine.batch import Batch
from sim.engine.declarations import Unit
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import ENTERPRISE
from sim.engine.sums import block_sums
from sim.engine.world import World
from sim.scenario.schema import WEEKS_PER_YEAR, Scenario


def starting_alignment(scenario: Scenario) -> float:
    """The curriculum's alignment when the run starts: the school's own, or the target if that is lower."""
    return min(scenario.curriculum.initial_alignment, scenario.programme.curriculum_alignment)


def alignment_step(scenario: Scenario, hours: float) -> float:
    """Alignment that ``hours`` of co-development add, before the cap at the target."""
    cp = scenario.curriculum
    return cp.alignment_gain_per_1000_hours * hours / 1000.0 / scenario.intake.n_sectors


def codevelop(world: World) -> None:
    """This week's co-development hours of the mentors, and the alignment they build towards the target."""
    sc = world.scenario
    cp = sc.curriculum
    sm = world.school_mentors
    em = world.enterprise_mentors
    school = np.zeros(sm.n)
    firm = np.zeros(0 if world.pool_shared else em.n)
    posts = np.zeros(0, dtype=np.int64)  # a city's programme: the pool's posts co-developing (its pool is large)
    cur = world.curriculum
    target = sc.programme.curriculum_alignment
    if cur.alignment < target and cp.codevelopment_hours_per_mentor_year > 0.0:
        per_week = cp.codevelopment_hours_per_mentor_year / WEEKS_PER_YEAR
        s = world.students
        mentoring = np.bincount(s.school_mentor[s.in_programme() & (s.school_mentor >= 0)], minlength=sm.n) > 0
        school[mentoring & sm.active(world.week)] = per_week
        if sc.programme.dual_mentor and em.n:
            on_site = (s.location == ENTERPRISE) & (s.enterprise_mentor >= 0)
            if world.pool_shared:
                posts = np.unique(s.enterprise_mentor[on_site])
                posts = posts[em.vacant_until[posts] <= world.week]
            else:
                teaching = np.bincount(s.enterprise_mentor[on_site], minlength=em.n) > 0
                firm[teaching & em.active(world.week)] = per_week
        hours_school = float(school.sum())
        hours_firm = per_week * len(posts) if world.pool_shared else float(firm.sum())
        cur.alignment = min(target, cur.alignment + alignment_step(sc, hours_school + hours_firm))
        cur.school_mentor_hours += hours_school
        cur.enterprise_mentor_hours += hours_firm
    week = world.this_week.codevelopment
    week.school_mentor_hours = school
    if world.pool_shared:
        week.enterprise_mentor_posts = posts
        week.enterprise_mentor_hours_per_post = cp.codevelopment_hours_per_mentor_year / WEEKS_PER_YEAR
    else:
        week.enterprise_mentor_hours = firm


def codevelop_runs(batch: Batch) -> None:
    """``codevelop`` of every run of ``batch``: which posts mentor or teach found once over the batch.

    Each run's hours are its own block of two batch-wide arrays (a run's hand-over is a view
    of its block), summed block by block (``block_sums``) as the run alone sums its own array; the posts'
    mentees and apprentices are counted in one ``np.bincount`` over the batch's posts (a
    student's post is local to its run, plus its run's block start). A city's programmes
    share the pool's enterprise-mentor posts: which posts teach each programme's apprentices
    is one table (programme x post) filled once over the batch, and each programme names
    its own row's posts, as ``codevelop`` does for a programme alone. A run that builds
    nothing this week and handed over no hours last week (``CoDevelopment.idle``) keeps its
    hand-over as it is: most weeks every curriculum has reached its target, and handing
    each run fresh zeros cost more than the rest of the phase.
    """
    worlds = batch.worlds
    if len(worlds) == 1:
        codevelop(worlds[0])
        return
    city = batch.shares_pool
    s = batch.students
    sm = batch.school_mentors
    em = batch.enterprise_mentors
    school_all = np.zeros(sm.n)
    firm_all = np.zeros(0 if city else em.n)
    school_blocks = batch.groups.blocks("school_mentors")
    firm_blocks = [slice(0, 0)] * len(worlds) if city else batch.groups.blocks("enterprise_mentors")
    building = [g for g, w in enumerate(worlds) if w.curriculum.alignment < w.scenario.programme.curriculum_alignment
                and w.scenario.curriculum.codevelopment_hours_per_mentor_year > 0.0]
    posts: dict[int, np.ndarray] = {}  # a city's programme: the pool's posts co-developing for it
    if building:
        with_mentor = s.in_programme() & (s.school_mentor >= 0)
        mentoring = np.bincount(batch.held_to_global("school_mentors", s.school_mentor, with_mentor),
                                minlength=sm.n) > 0
        mentoring &= sm.active(batch.week)
        on_site = (s.location == ENTERPRISE) & (s.enterprise_mentor >= 0)
        if city:  # each programme's posts teaching its apprentices: cells (programme, post) of a table
            post = batch.local_to_global("enterprise_mentors", s.enterprise_mentor[on_site], on_site)
            teaching_cells = np.unique(batch.groups.group_of("students")[on_site] * em.n + post)
            teaching_cells = teaching_cells[em.vacant_until[teaching_cells % max(em.n, 1)] <= batch.week]
            # every programme's posts at once: row g's are the table's marked cells from g x posts on
            row_start = np.arange(len(worlds) + 1) * em.n
            row_cut = np.searchsorted(teaching_cells, row_start).tolist()
            pool_start = batch.groups.group_starts("enterprise_mentors")  # a programme's posts: local to its pool
        else:
            teaching = np.bincount(batch.local_to_global("enterprise_mentors", s.enterprise_mentor[on_site], on_site),
                                   minlength=em.n) > 0
            teaching &= em.active(batch.week)
        for g in building:  # the mentors' hours of each run that co-develops
            world = worlds[g]
            sc = world.scenario
            per_week = sc.curriculum.codevelopment_hours_per_mentor_year / WEEKS_PER_YEAR
            school_all[school_blocks[g]][mentoring[school_blocks[g]]] = per_week
            if sc.programme.dual_mentor and world.enterprise_mentors.n:
                if city:
                    posts[g] = teaching_cells[row_cut[g]:row_cut[g + 1]] - row_start[g] - pool_start[g]
                else:
                    firm_all[firm_blocks[g]][teaching[firm_blocks[g]]] = per_week
        # each run's hours summed over its own mentors, as the run alone sums them
        school_hours = block_sums(school_all, batch.groups.sizes("school_mentors"))
        firm_hours = None if city else block_sums(firm_all, batch.groups.sizes("enterprise_mentors"))
        for g in building:
            sc = worlds[g].scenario
            cur = worlds[g].curriculum
            per_week = sc.curriculum.codevelopment_hours_per_mentor_year / WEEKS_PER_YEAR
            hours_school = school_hours[g]
            hours_firm = per_week * len(posts.get(g, ())) if firm_hours is None else firm_hours[g]
            cur.alignment = min(sc.programme.curriculum_alignment,
                                cur.alignment + alignment_step(sc, hours_school + hours_firm))
            cur.school_mentor_hours += hours_school
            cur.enterprise_mentor_hours += hours_firm
    building_now = set(building)
    for g, world in enumerate(worlds):  # each run's hand-over: views of its blocks
        week = world.this_week.codevelopment
        if week.idle and g not in building_now:  # no hours last week, nor this week
            continue
        week.idle = g not in building_now
        week.school_mentor_hours = school_all[school_blocks[g]]
        if city:
            week.enterprise_mentor_posts = posts[g] if g in posts else np.zeros(0, dtype=np.int64)
            week.enterprise_mentor_hours_per_post = \
                world.scenario.curriculum.codevelopment_hours_per_mentor_year / WEEKS_PER_YEAR
        else:
            week.enterprise_mentor_hours = firm_all[firm_blocks[g]]


MECHANISM = Mechanism(
    name="curriculum",
    spans_cities=True,  # the pools only through Batch's methods
    step=None,
    batch_step=codevelop_runs,
    reads=("enterprise_mentors.vacant_until", "school_mentors.vacant_until", "students.enterprise_mentor",
           "students.location", "students.school_mentor", "students.stage", "this_week.codevelopment"),
    writes=("curriculum.alignment", "curriculum.enterprise_mentor_hours", "curriculum.school_mentor_hours",
            "this_week.codevelopment"),
    outcomes=(
        Outcome("curriculum_alignment_reached", "Curriculum alignment reached",
                "Alignment of the curriculum with the posts (0-1, before contact) that co-development had built by "
                "the end of the run.", Unit.SHARE, lambda world, totals: world.curriculum.alignment),
        Outcome("codevelopment_hours", "Mentor hours spent co-developing the curriculum",
                "Hours school and enterprise mentors gave to co-developing the curriculum, whole run (taken from "
                "their guidance hours).", Unit.COUNT,
                lambda world, totals: world.curriculum.school_mentor_hours + world.curriculum.enterprise_mentor_hours),
    ),
)
