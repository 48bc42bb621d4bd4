"""A memory estimate for a run, checked before the run starts.

A scenario with too many students must be refused with a clear message, not end in
the operating system killing the process (or the machine swapping) hours later.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from sim.scenario.loading import ScenarioError
from sim.scenario.schema import Scenario

BYTES_PER_STUDENT = 365
"""Bytes of memory one student needs during a run.

Measured (``benchmarks/run.py``, ``bytes_per_student_measured`` in
``benchmarks/results.json``): the peak RSS of a 1,000,002-student run (three cohorts,
three years, with the per-student table) less that of a 180-student run, per student,
was 362 bytes on 2026-12-07 (354 earlier that day, before the compiled passes' working
arrays of the week's counts and of attrition; 344 on 2026-12-06; 330 on 2026-12-01, before
the placement, subsidy and initial-employment state; 290 and 291 before the credibility
issue); rounded up. This number must be kept true: whoever
adds a per-student array or record must measure again and update it.
"""

BYTES_PER_ENTERPRISE = 300
"""Bytes of memory one enterprise needs during a run."""

BYTES_PER_MENTOR = 300
"""Bytes of memory one mentor (school or enterprise) needs during a run."""

BASE_BYTES = 150 * 2**20
"""Fixed memory of the interpreter and the libraries (numpy, pandas, simpy, mesa): 150 MiB."""

DEFAULT_LIMIT_SHARE = 0.75
"""Share of the machine's memory a run may use by default."""

FALLBACK_MEMORY_BYTES = 8 * 2**30
"""Memory assumed when the operating system does not report it (8 GiB)."""

GIB = 2**30


def estimate_run_bytes(scenario: Scenario) -> int:
    """Estimate the peak memory of one run of a scenario.

    Args:
        scenario: the scenario to run.

    Returns:
        Bytes: students x ``BYTES_PER_STUDENT`` + (enterprises + mentors) x 300 +
        ``BASE_BYTES``. School mentors follow ``students_per_mentor``; enterprise
        mentors are counted for every apprentice place offered (the model selects a mentor
        for each place at set-up, taken or not).
    """
    students = scenario.n_students
    school_mentors = math.ceil(students / scenario.school_mentors.students_per_mentor)
    places = math.ceil(scenario.enterprises.count * scenario.enterprises.slots_offered_mean)
    enterprise_mentors = math.ceil(places / scenario.enterprise_mentors.apprentices_per_mentor)
    return (
        students * BYTES_PER_STUDENT
        + scenario.enterprises.count * BYTES_PER_ENTERPRISE
        + (school_mentors + enterprise_mentors) * BYTES_PER_MENTOR
        + BASE_BYTES
    )


def default_memory_limit_bytes() -> int:
    """The memory a run may use unless told otherwise: 75% of the machine's memory.

    The machine's memory is the physical memory (``os.sysconf``), or the container's
    memory limit (cgroup) when that is smaller; 8 GiB when neither can be read.
    """
    total = _physical_memory_bytes()
    cgroup = _cgroup_limit_bytes()
    if cgroup is not None:
        total = min(total, cgroup)
    return int(total * DEFAULT_LIMIT_SHARE)


def check_memory(scenario: Scenario, limit_bytes: int | None = None, source: str = "<scenario>") -> int:
    """Refuse a scenario whose run would not fit in memory.

    Args:
        scenario: the scenario to run.
        limit_bytes: the most a run may use; None means ``default_memory_limit_bytes()``.
        source: the file (or other source) named in the error message.

    Returns:
        The estimate in bytes, when it fits.

    Raises:
        ScenarioError: the estimate exceeds the limit (key ``intake.cohort_size``).
    """
    limit = default_memory_limit_bytes() if limit_bytes is None else limit_bytes
    estimate = estimate_run_bytes(scenario)
    if estimate > limit:
        if scenario.intake.cohort_sizes:
            raise ScenarioError.from_template(
                "scenario.too_many_students_by_cohort" if limit_bytes is None
                else "scenario.too_many_students_by_cohort_for_limit", source, "intake.cohort_sizes",
                sizes=", ".join(f"{size:,}" for size in scenario.intake.cohort_sizes), students=scenario.n_students,
                estimate=estimate / GIB, limit=limit / GIB)
        raise ScenarioError.from_template(
            "scenario.too_many_students" if limit_bytes is None else "scenario.too_many_students_for_limit",
            source, "intake.cohort_size", cohort_size=scenario.intake.cohort_size,
            n_cohorts=scenario.intake.n_cohorts, students=scenario.n_students, estimate=estimate / GIB,
            limit=limit / GIB)
    return estimate


def _physical_memory_bytes() -> int:
    try:
        pages = os.sysconf("SC_PHYS_PAGES")
        page_size = os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return FALLBACK_MEMORY_BYTES
    if pages <= 0 or page_size <= 0:
        return FALLBACK_MEMORY_BYTES
    return pages * page_size


def _cgroup_limit_bytes() -> int | None:
    """The container's memory limit (cgroup v2, then v1), or None when there is none."""
    for path in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(path).read_text().strip()
        except OSError:
            continue
        if text.isdigit() and int(text) < 2**60:  # "max" or a huge number means no limit
            return int(text)
    return None
