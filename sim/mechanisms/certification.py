"""Certification (the "1+X" system): a mentor enters the students who are ready.

An exam session closes each semester's teaching weeks. Entries close the week before:
a mentor enters a student for the next of the X certificates they do not yet hold (they
are taken in order) when the student's expected pass probability at their exam score
reaches ``readiness_pass_probability`` and, after a failed sitting of it, once the
score has risen by ``retake_study_points`` since (a retake follows further study). In
the session week an entered student sits if in the skill or internship stage, from
``first_exam_year`` on, with fewer than ``max_attempts`` sittings used on it, and as far
as the exam fees are funded: an unfunded sitting is postponed (the student keeps the
entry rules and is entered again for the next session), it never counts as an attempt.
The pass probability is logistic in the exam score ``practical_weight x practical skill
+ (1 - practical_weight) x theory`` around the certificate's pass mark. A pass raises the
student's motivation by ``result_motivation_change``, a failure lowers it as much.
"""

from __future__ import annotations

import numpy as np

from sim.engine.batch import Batch
from sim.engine.calendar import HALF_YEAR_WEEKS
from sim.engine.declarations import StateField, Unit, mean_of, rate
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import INTERNSHIP, SKILL, Students
from sim.engine.world import RunTotals, World
from sim.scenario.schema import WEEKS_PER_YEAR


def pass_probability(score: np.ndarray, threshold: np.ndarray | float, scale: float | np.ndarray) -> np.ndarray:
    """Logistic pass probability of an exam score against a pass mark."""
    return 1.0 / (1.0 + np.exp(-(score - threshold) / scale))


def exam_score(world: World, idx: np.ndarray | slice) -> np.ndarray:
    """Exam score of the students ``idx``: practical skill and theory, weighted."""
    p = world.scenario.certification
    s = world.students
    return p.practical_weight * s.practical_skill[idx] + (1.0 - p.practical_weight) * s.theory[idx]


def next_threshold(world: World, idx: np.ndarray | slice) -> np.ndarray:
    """Pass mark of each student's next certificate (the last one's for a student who holds them all)."""
    marks = np.asarray(world.scenario.certification.thresholds_points)
    return marks[np.minimum(world.students.certificates[idx], len(marks) - 1)]


def ready(world: World) -> np.ndarray:
    """Mask of students a mentor would enter now: ready for the next certificate, studied since a failure."""
    p = world.scenario.certification
    s = world.students
    score = exam_score(world, slice(None))
    expected = pass_probability(score, next_threshold(world, slice(None)), p.difficulty_scale_points)
    return s.in_programme() & (expected >= p.readiness_pass_probability) \
        & (score >= s.score_at_failure + p.retake_study_points)


def eligible(world: World) -> np.ndarray:
    """Mask of students who would sit this session (entered, stage, year, certificates and sittings left)."""
    p = world.scenario.certification
    s = world.students
    programme_year = world.programme_week() // WEEKS_PER_YEAR + 1
    return s.entered & ((s.stage == SKILL) | (s.stage == INTERNSHIP)) & (programme_year >= p.first_exam_year) \
        & (s.certificates < len(p.thresholds_points)) & (s.attempts < p.max_attempts)


def hold_exams(world: World) -> None:
    """Run this week's exam session, if there is one; enter students for next week's."""
    if world.calendar.is_exam_week(world.week):
        _sit(world)
        world.students.entered[:] = False  # an entry is for one session
    if world.calendar.is_exam_week(world.week + 1):
        world.students.entered[:] = ready(world)


def hold_exams_in_batch(batch: Batch) -> None:
    """``hold_exams`` of every run of the batch: the weeks without a session or entries at once, the others together.

    Most weeks no run holds a session or enters students: when every run's semesters have
    the same teaching weeks (its calendar's, ``Batch.derived``) that is known for all of them
    at once. When every run also has the same certificates (pass marks), the session and
    the entries are made over the whole batch (``_sit_in_batch``, ``_ready_in_batch``:
    element by element the operations of ``_sit`` and ``ready``, each run's parameters and
    draws its own); otherwise run by run.
    """
    week = batch.week
    session_week = None if batch.n_runs == 1 else batch.derived(_session_week)
    if session_week is None or isinstance(session_week, np.ndarray):  # a run alone, or calendars that differ
        for world in batch.worlds:
            hold_exams(world)
        return
    sitting, entering = week % HALF_YEAR_WEEKS == session_week, (week + 1) % HALF_YEAR_WEEKS == session_week
    if not (sitting or entering):
        return
    marks = batch.worlds[0].scenario.certification.thresholds_points
    if any(w.scenario.certification.thresholds_points != marks for w in batch.worlds):
        for world in batch.worlds:
            hold_exams(world)
        return
    s = batch.students
    if sitting:
        _sit_in_batch(batch, np.asarray(marks))
        s.entered[:] = False  # an entry is for one session
    if entering:
        s.entered[:] = _ready_in_batch(batch, np.asarray(marks))


def _session_week(world: World) -> int:
    """The week of a half-year (0-25) of ``world``'s exam sessions (of its calendar alone: ``Batch.derived``)."""
    return world.calendar.teaching_weeks - 1


def _batch_exam_score(batch: Batch, idx: np.ndarray | slice) -> np.ndarray:
    """``exam_score`` of the students ``idx`` of a batch, each by its run's weight."""
    weight = batch.param("certification.practical_weight", "students", None if isinstance(idx, slice) else idx)
    s = batch.students
    return weight * s.practical_skill[idx] + (1.0 - weight) * s.theory[idx]


def _ready_in_batch(batch: Batch, marks: np.ndarray) -> np.ndarray:
    """``ready`` of every student of a batch whose runs share the pass marks ``marks``."""
    s = batch.students

    def param(name: str) -> float | np.ndarray:
        return batch.param(f"certification.{name}", "students")

    score = _batch_exam_score(batch, slice(None))
    expected = pass_probability(score, marks[np.minimum(s.certificates, len(marks) - 1)],
                                param("difficulty_scale_points"))
    return s.in_programme() & (expected >= param("readiness_pass_probability")) \
        & (score >= s.score_at_failure + param("retake_study_points"))


def _sit_in_batch(batch: Batch, marks: np.ndarray) -> None:
    """``_sit`` of every run of a batch whose runs share the pass marks ``marks``."""
    week = batch.week
    s = batch.students
    u_sit = batch.uniform("certification.fee_funded", week)
    programme_year = (week - s.enrol_week) // WEEKS_PER_YEAR + 1  # World.programme_week, of each student's run
    eligible = s.entered & ((s.stage == SKILL) | (s.stage == INTERNSHIP)) \
        & (programme_year >= batch.param("certification.first_exam_year")) \
        & (s.certificates < len(marks)) & (s.attempts < batch.param("certification.max_attempts"))
    funded = batch.spread([w.this_week.funded.exam_fees for w in batch.worlds])
    sitting = np.flatnonzero(eligible & (u_sit < funded))
    if len(sitting) == 0:
        return
    score = _batch_exam_score(batch, sitting)
    threshold = marks[np.minimum(s.certificates[sitting], len(marks) - 1)]
    u = batch.uniform("certification.exam", week)[sitting]
    passed = u < pass_probability(score, threshold,
                                  batch.param("certification.difficulty_scale_points", "students", sitting))
    winners, losers = sitting[passed], sitting[~passed]
    _record_results(s, winners, losers, score[~passed],
                    batch.param("certification.result_motivation_change", "students", winners),
                    batch.param("certification.result_motivation_change", "students", losers))
    starts = batch.groups.starts["students"]
    sat, won = (np.diff(np.searchsorted(who, starts)).tolist() for who in (sitting, winners))  # each run's
    for world, n_sat, n_won in zip(batch.worlds, sat, won, strict=True):
        world.counters.exam_sittings += n_sat
        world.counters.exam_passes += n_won
    for world, won in batch.by_run("students", winners):
        world.events.add(week, won, "exam_pass", "certificate")
    for world, lost in batch.by_run("students", losers):
        world.events.add(week, lost, "exam_fail", "certificate")


def _record_results(s: Students, winners: np.ndarray, losers: np.ndarray, failed_scores: np.ndarray,
                    winners_change: float | np.ndarray, losers_change: float | np.ndarray) -> None:
    """A session's results: a certificate for each of ``winners``, one more attempt for each of ``losers``.

    A winner's attempts start again and its failed score is forgotten; a loser keeps the score
    it failed with (``failed_scores``, to retake only after studying). Motivation rises by
    ``winners_change`` after a pass, falls by ``losers_change`` after a failure (each its
    run's ``result_motivation_change``), within 0 and 1.
    """
    s.certificates[winners] += 1
    s.attempts[winners] = 0
    s.score_at_failure[winners] = -np.inf
    s.attempts[losers] += 1
    s.score_at_failure[losers] = failed_scores
    s.motivation[winners] = np.minimum(s.motivation[winners] + winners_change, 1.0)
    s.motivation[losers] = np.maximum(s.motivation[losers] - losers_change, 0.0)


def _sit(world: World) -> None:
    p = world.scenario.certification
    s = world.students
    u_sit = world.streams.uniform("certification.fee_funded", world.week, s.n)
    sitting = np.flatnonzero(eligible(world) & (u_sit < world.this_week.funded.exam_fees))
    if len(sitting) == 0:
        return
    score = exam_score(world, sitting)
    threshold = next_threshold(world, sitting)
    u = world.streams.uniform("certification.exam", world.week, s.n)[sitting]
    passed = u < pass_probability(score, threshold, p.difficulty_scale_points)
    winners, losers = sitting[passed], sitting[~passed]
    _record_results(s, winners, losers, score[~passed], p.result_motivation_change, p.result_motivation_change)
    world.counters.exam_sittings += len(sitting)
    world.counters.exam_passes += len(winners)
    world.events.add(world.week, winners, "exam_pass", "certificate")
    world.events.add(world.week, losers, "exam_fail", "certificate")


def _certificate_pass_rate(world: World, totals: RunTotals) -> float:
    grads = totals.graduates
    return rate(np.count_nonzero(world.students.certificates[grads] >= 1), len(grads))


MECHANISM = Mechanism(
    name="certification",
    spans_cities=True,  # the pools only through Batch's methods
    step=hold_exams,
    batch_step=hold_exams_in_batch,
    reads=("students.enrol_week", "students.practical_skill", "students.stage", "students.theory", "this_week.funded"),
    writes=("counters.exam_passes", "counters.exam_sittings", "students.attempts", "students.certificates",
            "students.entered", "students.motivation", "students.score_at_failure"),
    state=(
        StateField("students", "certificates", np.int8, 0, "X certificates held"),
        StateField("students", "attempts", np.int8, 0, "sittings of the next certificate so far"),
        StateField("students", "entered", bool, False, "entered by a mentor for the coming exam session"),
        StateField("students", "score_at_failure", np.float64, -np.inf,
                   "exam score at the last failed sitting of the next certificate (-inf: none)"),
    ),
    streams=("certification.fee_funded", "certification.exam"),
    outcomes=(
        Outcome("certificate_pass_rate", "Certificate pass rate",
                "Share of graduates holding at least one X certificate.", Unit.SHARE, _certificate_pass_rate,
                headline=True),
        Outcome("mean_certificates_per_graduate", "Certificates per graduate",
                "Mean number of X certificates a graduate holds.", Unit.COUNT,
                lambda world, totals: mean_of(world.students.certificates[totals.graduates])),
        Outcome("exam_pass_rate_per_sitting", "Exam pass rate per sitting",
                "Share of certificate exam sittings that passed.", Unit.SHARE,
                lambda world, totals: rate(world.counters.exam_passes, world.counters.exam_sittings)),
    ),
)
