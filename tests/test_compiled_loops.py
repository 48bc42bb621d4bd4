"""Compiled loops (numba: learning, the record's counts and means) give the NumPy numbers bit for bit.

numba is optional (``sim.engine.compiled``): learning and the weekly record's counts and
block means use compiled loops when numba is installed and ``TALENTSIM_NUMBA`` is not
``0``, their NumPy operations otherwise. Both must give the same run exactly (docs/performance.md, issue 17:
a compiled kernel is allowed only where it is bit-identical), on every shipped scenario
alone, in a batch whose runs differ in learning parameters (each run's row of the
kernel's table) and in size, and at the edges the comparisons stand for (scores capped at
100, motivation clipped at 0 and 1, a week's luck cut at 0).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest
from same_run import assert_same_run

from sim.engine.batch import Batch
from sim.engine.clock import WeeklyClock
from sim.engine.compiled import compile_loops
from sim.mechanisms import learning_kernel
from sim.model import build_world, run_batch, run_one
from sim.phases import weekly_phases
from sim.results import _block_means, _block_sums, _sums_like_numpy, count_week
from sim.scenario import resolve_scenario, with_overrides

pytest.importorskip("numba")

T = TypeVar("T")
SHIPPED = sorted(p for p in Path("scenarios").glob("*.yaml"))


def _numpy_path(monkeypatch: pytest.MonkeyPatch, run: Callable[[], T]) -> T:
    with monkeypatch.context() as m:
        m.setenv("TALENTSIM_NUMBA", "0")
        assert learning_kernel.compiled() is None
        return run()


def test_numba_is_used_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALENTSIM_NUMBA", raising=False)
    assert learning_kernel.compiled() is not None


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_run_is_the_same_compiled_or_with_numpy(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALENTSIM_NUMBA", raising=False)
    scenario = resolve_scenario(path, {"intake.cohort_size": 60})
    expected = _numpy_path(monkeypatch, lambda: [run_one(scenario, 4, events=True)])
    assert_same_run(expected[0], run_one(scenario, 4, events=True))


def test_a_batch_of_runs_with_different_learning_parameters_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALENTSIM_NUMBA", raising=False)
    base = resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 50})
    points = [
        base,
        # luck often below 0 (cut at 0), fast motivation (clipped at 0 and 1), scores reaching 100
        with_overrides(base, {"learning.noise_sd": 2.5, "learning.motivation_adjustment_per_week": 1.0,
                              "learning.motivation_progress_effect": 1.0, "learning.motivation_misfit_effect": 1.0,
                              "learning.theory_points_per_week": 60.0,
                              "learning.practical_skill_points_per_week": 80.0,
                              "learning.professionalism_points_per_week": 70.0}, "edges"),
        with_overrides(base, {"learning.ability_effect_per_sd": 0.6, "learning.motivation_effect": 1.0,
                              "learning.classroom_share": 0.1, "learning.unmentored_practice_share": 0.0},
                       "other"),
        resolve_scenario("scenarios/traditional.yaml", {"intake.cohort_size": 40,
                                                        "simulation.horizon_years": base.simulation.horizon_years}),
        resolve_scenario("scenarios/alternating.yaml", {"intake.cohort_size": 30,
                                                        "simulation.horizon_years": base.simulation.horizon_years}),
    ]
    seeds = list(range(21, 21 + len(points)))
    expected = _numpy_path(monkeypatch, lambda: run_batch(points, seeds, events=True))
    for a, b in zip(expected, run_batch(points, seeds, events=True), strict=True):
        assert_same_run(a, b)
    edges = expected[1].students
    assert (edges["theory"] == 100.0).any() and (edges["practical_skill"] == 100.0).any()
    assert ((edges["motivation"] == 0.0) | (edges["motivation"] == 1.0)).any()


@pytest.mark.parametrize("weeks", [1, 30, 140, 300])
def test_the_week_counts_are_the_same_compiled_or_with_numpy(weeks: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALENTSIM_NUMBA", raising=False)
    scenarios = [resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 70}),
                 resolve_scenario("scenarios/traditional.yaml", {"intake.cohort_size": 40}),  # no enterprise mentors
                 resolve_scenario("scenarios/alternating.yaml", {"intake.cohort_size": 55})]
    for runs in (scenarios[:1], scenarios):
        batch = Batch([build_world(sc, seed) for seed, sc in enumerate(runs, start=8)])
        clock = WeeklyClock(weekly_phases(), batch)
        for _ in range(weeks):
            clock.advance()
        compiled = count_week(batch)
        numpy = _numpy_path(monkeypatch, lambda batch=batch: count_week(batch))
        for field in ("stages", "locations", "apprentices", "participating", "school_mentors_active",
                      "enterprise_mentors_active", "mentored", "mentoring", "in_programme", "sm_active", "em_active",
                      "enrolled_scores"):
            a, b = getattr(compiled, field), getattr(numpy, field)
            assert a.dtype == b.dtype and a.shape == b.shape, field
            np.testing.assert_array_equal(a, b, err_msg=field)
        assert compiled.stages.sum() == batch.students.n


def test_a_citys_week_counts_are_the_same_compiled_or_with_numpy(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    """A city's programmes share the pool's mentors: each counts the posts its own apprentices use, once."""
    from test_city_run import write_city

    from sim.city import build_city
    from sim.scenario.city_loading import load_city

    monkeypatch.delenv("TALENTSIM_NUMBA", raising=False)
    batch = build_city(load_city(write_city(tmp_path, a_cohort=240, vacancies=80)), 6)
    clock = WeeklyClock(weekly_phases(), batch)
    checked_sharing = False
    for week in range(1, 161):
        clock.advance()
        if week % 40:
            continue
        compiled = count_week(batch)
        numpy = _numpy_path(monkeypatch, lambda: count_week(batch))
        for field in ("stages", "locations", "apprentices", "participating", "school_mentors_active",
                      "enterprise_mentors_active", "mentored", "mentoring", "in_programme", "sm_active", "em_active",
                      "enrolled_scores"):
            a, b = getattr(compiled, field), getattr(numpy, field)
            assert a.dtype == b.dtype and a.shape == b.shape, field
            np.testing.assert_array_equal(a, b, err_msg=field)
        checked_sharing |= bool((compiled.mentoring > 0).sum() > 1)
    assert checked_sharing  # several programmes had mentored apprentices in a week checked


def test_the_block_sums_replay_numpys_pairwise_summation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALENTSIM_NUMBA", raising=False)
    loops = compile_loops(_block_sums)
    assert loops is not None and _sums_like_numpy(loops[0])
    rng = np.random.default_rng(5)
    # empty blocks, every length around the leaf and split sizes (8, 128, 256), long blocks, signed zeros
    sizes = np.array([0, 1, 7, 8, 9, 127, 128, 129, 255, 256, 257, 1000, 0, 4099, 20_000, 3], dtype=np.int64)
    values = rng.standard_normal(int(sizes.sum())) * 10.0 ** rng.integers(-8, 9, int(sizes.sum()))
    values[-3:] = -0.0
    sums = np.empty(len(sizes))
    loops[0](values, sizes, sums)
    starts = np.concatenate(([0], np.cumsum(sizes)))
    expected = [np.add.reduce(values[starts[g]:starts[g + 1]]) for g in range(len(sizes))]
    assert sums.tobytes() == np.array(expected).tobytes()  # bit for bit, the sign of a zero included
    means = _block_means(values, sizes)
    numpy = _numpy_path(monkeypatch, lambda: _block_means(values, sizes))
    assert means.tobytes() == numpy.tobytes()


def test_a_city_with_its_shared_pool_runs_the_same_with_and_without_the_compiled_loops(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from test_city_run import write_city

    from sim.city import run_city
    from sim.scenario.city_loading import load_city

    plan = load_city(write_city(tmp_path, a_cohort=240, vacancies=80))
    compiled = run_city(plan, 4, events=True)
    numpy_path = _numpy_path(monkeypatch, lambda: run_city(plan, 4, events=True))
    for name in compiled.programmes:
        assert_same_run(numpy_path.programmes[name], compiled.programmes[name])


def test_the_ledgers_of_a_batch_pay_out_the_same_compiled_or_with_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """``LedgerStack.pay_out`` compiled gives each run's ``Ledger.pay_out`` bit for bit, week after week.

    Runs differ in their earmarks (one use paid by no source, uses paid by one, two or every
    source); needs include zero, negative, exactly a balance, and more than every source holds.
    """
    from sim.engine.ledger import SOURCES, USES, ByUse, Ledger, LedgerStack, every_source

    monkeypatch.delenv("TALENTSIM_NUMBA", raising=False)
    rng = np.random.default_rng(9)
    earmarks = [every_source(),
                {use: SOURCES[k % len(SOURCES):k % len(SOURCES) + 2] for k, use in enumerate(USES)},
                {use: (SOURCES[-1],) for use in USES[1:]},  # the first use paid by no source
                {use: tuple(reversed(SOURCES)) for use in USES}]

    def ledgers() -> list[Ledger]:
        return [Ledger(e) for e in earmarks]

    compiled_ledgers, numpy_ledgers = ledgers(), ledgers()
    compiled, numpy = LedgerStack(compiled_ledgers), LedgerStack(numpy_ledgers)
    for week in range(60):
        money = rng.uniform(0.0, 500.0, (len(earmarks), len(SOURCES))) * (rng.random((len(earmarks), 1)) < 0.3)
        for group in (compiled_ledgers, numpy_ledgers):
            for ledger, row in zip(group, money, strict=True):
                for source, yuan in zip(SOURCES, row.tolist(), strict=True):
                    if yuan > 0:
                        ledger.pay_in(source, yuan)
        needs = rng.uniform(0.0, 300.0, (len(earmarks), len(USES)))
        needs[rng.random(needs.shape) < 0.2] = 0.0
        needs[rng.random(needs.shape) < 0.05] = -1.0
        if week % 7 == 3:  # a need exactly what its first source holds
            needs[0, 0] = compiled.balance[0, 0]
        a = compiled.pay_out(needs)
        b = _numpy_path(monkeypatch, lambda needs=needs: numpy.pay_out(needs))
        assert all(isinstance(x, ByUse) for x in a) and a == b
        for name in ("balance", "paid_in", "spent", "week_need", "week_paid", "weeks_short", "unpaid"):
            assert getattr(compiled, name).tobytes() == getattr(numpy, name).tobytes(), name
    assert compiled.weeks_short.sum() > 0 and (compiled.balance == 0.0).any()
    for alone, stacked in zip(numpy_ledgers, compiled_ledgers, strict=True):  # each run's Ledger views its row
        assert alone.spent_by_use() == stacked.spent_by_use() and alone.total_spent == stacked.total_spent


def test_each_runs_block_sum_is_the_sum_of_its_slice(monkeypatch: pytest.MonkeyPatch) -> None:
    """``block_sums`` (mentoring's hours, the firms' costs by run) gives each block's ``ndarray.sum`` bit for bit."""
    from sim.engine.sums import block_sums

    monkeypatch.delenv("TALENTSIM_NUMBA", raising=False)
    rng = np.random.default_rng(11)
    sizes = np.array([0, 3, 8, 130, 0, 1, 600, 9], dtype=np.int64)
    values = rng.standard_normal(int(sizes.sum())) * 10.0 ** rng.integers(-6, 7, int(sizes.sum()))
    starts = np.concatenate(([0], np.cumsum(sizes)))
    expected = [float(values[starts[g]:starts[g + 1]].sum()) for g in range(len(sizes))]
    for found in (block_sums(values, sizes), _numpy_path(monkeypatch, lambda: block_sums(values, sizes)),
                  block_sums(values[::-1].copy()[::-1], sizes)):
        assert np.array(found).tobytes() == np.array(expected).tobytes()
    assert block_sums(values[:5], np.array([5])) == [float(values[:5].sum())]


def test_a_batchs_counts_by_run_are_the_same_compiled_or_with_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TALENTSIM_NUMBA", raising=False)
    scenarios = [resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": n}) for n in (30, 1, 55)]
    batch = Batch([build_world(sc, seed) for seed, sc in enumerate(scenarios, start=3)])
    mask = np.random.default_rng(2).random(batch.students.n) < 0.4
    compiled = batch.counts("students", mask)
    numpy = _numpy_path(monkeypatch, lambda: batch.counts("students", mask))
    assert compiled.dtype == numpy.dtype == np.int64
    np.testing.assert_array_equal(compiled, numpy)
    assert compiled.sum() == mask.sum()


def test_a_citys_tallies_over_shared_posts_are_the_same_compiled_or_with_numpy(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``post_tallies``, ``programme_sums`` and ``post_counts`` give ``np.bincount``'s counts and sums bit for bit.

    Posts held by students of several programmes, students without a post (-1, not marked),
    marked and unmarked students, per-programme and per-post values of very different sizes
    (so that the order of the additions shows in the last bits), a post no one holds.
    """
    from sim.engine.sums import post_counts, post_tallies, programme_sums

    rng = np.random.default_rng(11)
    for _ in range(20):
        n_students, n_posts, n_programmes = int(rng.integers(1, 3_000)), int(rng.integers(1, 400)), 7
        post = rng.integers(-1, n_posts, n_students).astype(np.int32)
        marked = (post >= 0) & (rng.random(n_students) < 0.8)
        group = np.sort(rng.integers(0, n_programmes, n_students))
        programme_values = rng.standard_normal(n_programmes) * 10.0 ** rng.integers(-6, 7, n_programmes)
        post_values = rng.standard_normal(n_posts) * 10.0 ** rng.integers(-6, 7, n_posts)
        tallies = (post, marked, group, programme_values, n_posts)
        sums_of = (post, marked, group, post_values, n_programmes)
        count, total = post_tallies(*tallies)
        sums = programme_sums(*sums_of)
        numpy_count, numpy_total = _numpy_path(monkeypatch, functools.partial(post_tallies, *tallies))
        numpy_sums = _numpy_path(monkeypatch, functools.partial(programme_sums, *sums_of))
        assert np.array_equal(count, numpy_count)
        assert total.tobytes() == numpy_total.tobytes()
        assert sums.tobytes() == numpy_sums.tobytes()
        assert count.sum() == marked.sum()
        rows = np.array([post_values, post_values[::-1] * 3.0])  # several rows of values in one pass: each row's sums
        both = programme_sums(post, marked, group, rows, n_programmes)
        assert both.tobytes() == _numpy_path(monkeypatch, functools.partial(
            programme_sums, post, marked, group, rows, n_programmes)).tobytes()
        assert both[0].tobytes() == sums.tobytes()
        assert np.array_equal(post_counts(post, n_posts), np.bincount(post[post >= 0], minlength=n_posts))
        assert np.array_equal(_numpy_path(monkeypatch, functools.partial(post_counts, post, n_posts)),
                              post_counts(post, n_posts))


@pytest.mark.parametrize("weeks", [1, 30, 140, 300])
def test_a_batchs_mentor_posts_and_hosts_are_found_the_same_compiled_or_with_numpy(
        weeks: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """``Batch.held_to_global``, ``funding.school_mentor_posts``, mentoring's counts and hand-out: NumPy's exactly.

    Runs of different sizes (one without enterprise mentors), students with a post and
    without (-1 kept), at school, in firms and out of the programme, at several weeks.
    """
    from sim.mechanisms.funding import school_mentor_posts

    monkeypatch.delenv("TALENTSIM_NUMBA", raising=False)
    scenarios = [resolve_scenario("scenarios/baseline.yaml", {"intake.cohort_size": 70}),
                 resolve_scenario("scenarios/traditional.yaml", {"intake.cohort_size": 40}),
                 resolve_scenario("scenarios/alternating.yaml", {"intake.cohort_size": 55})]
    batch = Batch([build_world(sc, seed) for seed, sc in enumerate(scenarios, start=5)])
    clock = WeeklyClock(weekly_phases(), batch)
    for _ in range(weeks):
        clock.advance()
    s = batch.students
    held = [("school_mentors", s.school_mentor, s.location == 0, "students"),
            ("enterprise_mentors", s.enterprise_mentor, s.enterprise_mentor >= 0, "students"),
            ("enterprises", s.host, s.host >= 0, "students"),
            ("enterprises", s.host, np.ones(s.n, dtype=bool), "students"),  # -1 (no host) kept as it is
            ("enterprises", batch.enterprise_mentors.enterprise, batch.enterprise_mentors.enterprise >= 0,
             "enterprise_mentors")]
    for population, local, owners, owner_population in held:
        compiled = batch.held_to_global(population, local, owners, owner_population)
        numpy = _numpy_path(monkeypatch, functools.partial(batch.held_to_global, population, local, owners,
                                                           owner_population))
        expected = batch.local_to_global(population, local[owners], owners, owner_population)
        assert compiled.dtype == numpy.dtype == expected.dtype, population
        np.testing.assert_array_equal(compiled, expected, err_msg=population)
        np.testing.assert_array_equal(numpy, expected, err_msg=population)
    compiled_posts = school_mentor_posts(batch)
    numpy_posts = _numpy_path(monkeypatch, lambda: school_mentor_posts(batch))
    for field in ("in_programme", "at_school", "at_firm"):
        np.testing.assert_array_equal(getattr(compiled_posts, field), getattr(numpy_posts, field), err_msg=field)
    from sim.mechanisms.mentoring import MenteeCounts, hand_out_guidance

    compiled_mentees = MenteeCounts.of(batch)
    numpy_mentees = _numpy_path(monkeypatch, lambda: MenteeCounts.of(batch))
    for field in ("mentees_at_school", "visiting", "apprentices"):
        a, b = getattr(compiled_mentees, field), getattr(numpy_mentees, field)
        assert a.dtype == b.dtype, field
        np.testing.assert_array_equal(a, b, err_msg=field)
    rng = np.random.default_rng(weeks)
    shares = rng.random(batch.school_mentors.n), rng.random(batch.enterprise_mentors.n)
    before = s.guidance_school.copy(), s.guidance_enterprise.copy()
    hand_out_guidance(batch, *shares)
    compiled_guidance = s.guidance_school.copy(), s.guidance_enterprise.copy()
    s.guidance_school[:], s.guidance_enterprise[:] = before
    _numpy_path(monkeypatch, lambda: hand_out_guidance(batch, *shares))
    np.testing.assert_array_equal(compiled_guidance[0], s.guidance_school)
    np.testing.assert_array_equal(compiled_guidance[1], s.guidance_enterprise)
    if weeks in (30, 140):  # mentees enrolled, at school and placed (all have left by week 300)
        assert compiled_posts.in_programme.any() and compiled_posts.at_school.any() and compiled_posts.at_firm.any()
        assert compiled_mentees.mentees_at_school.any() and compiled_mentees.apprentices.any()
        assert (compiled_guidance[0] != before[0]).any() and (compiled_guidance[1] != before[1]).any()


def test_attritions_thinning_is_the_same_compiled_or_with_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The students in the programme, those placed, and those whose draw is below a bound, as NumPy finds them.

    Random stages, places and draws; a bound for all (the compiled pass) and one per student
    (NumPy's, also with numba), and a batch whose runs differ in their attrition rates run
    alone and together, with numba and without.
    """
    from types import SimpleNamespace

    from sim.mechanisms.attrition import draws_below, in_programme_and_hosted

    monkeypatch.delenv("TALENTSIM_NUMBA", raising=False)
    rng = np.random.default_rng(4)
    students = SimpleNamespace(stage=rng.integers(0, 8, 5_000).astype(np.int8),
                               location=rng.integers(0, 3, 5_000).astype(np.int8), n=5_000)
    students.in_programme = lambda: (students.stage >= 1) & (students.stage <= 3)
    batch = SimpleNamespace(students=students)
    active, hosted = in_programme_and_hosted(batch)  # type: ignore[arg-type]
    numpy_active, numpy_hosted = _numpy_path(monkeypatch, lambda: in_programme_and_hosted(batch))  # type: ignore[arg-type]
    assert active.dtype == numpy_active.dtype and hosted.dtype == numpy_hosted.dtype
    np.testing.assert_array_equal(active, numpy_active)
    np.testing.assert_array_equal(hosted, numpy_hosted)
    assert 0 < len(hosted) < len(active) < students.n
    draws = rng.random(5_000)
    for most in (0.0, 0.03, np.float64(0.5), rng.random(len(active)) * 0.1):
        found = draws_below(draws, active, most)
        expected = _numpy_path(monkeypatch, functools.partial(draws_below, draws, active, most))
        for a, b in zip(found, expected, strict=True):
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)
    rates = [{"attrition.dropout_rate_per_year": r, "attrition.termination_rate_per_year": t,
              "attrition.support_effect": e, "intake.cohort_size": 60}
             for r, t, e in ((0.05, 0.1, 1.0), (0.3, 0.02, 1.0), (0.05, 0.1, 2.5))]
    scenarios = [resolve_scenario("scenarios/baseline.yaml", r) for r in rates]
    together = run_batch(scenarios, [1, 2, 3], events=True)
    numpy = _numpy_path(monkeypatch, lambda: run_batch(scenarios, [1, 2, 3], events=True))
    for k, scenario in enumerate(scenarios):
        assert_same_run(run_one(scenario, k + 1, events=True), together[k])
        assert_same_run(numpy[k], together[k])
    assert together[1].summary["dropout_rate"] > together[0].summary["dropout_rate"]


def test_a_city_paying_every_mentor_in_full_gives_the_pool_the_efforts_of_the_full_tally(tmp_path: Path) -> None:
    """With every programme's mentor pay funded in full, ``pool_mentor_effort`` skips the tally: the same efforts.

    Each pool post's paid share is the mean of its apprentices' programmes' shares; with every
    share 1 that mean is exactly 1 (k ones over k), so the shortcut must give, bit for bit, the
    efforts the tally gives.
    """
    from test_city_run import write_city

    from sim.city import build_city
    from sim.engine.sums import post_means, post_tallies
    from sim.mechanisms.incentives import enterprise_mentor_effort, pool_mentor_effort, scenario_params
    from sim.scenario.city_loading import load_city

    batch = build_city(load_city(write_city(tmp_path, a_cohort=240, vacancies=80)), 6)
    clock = WeeklyClock(weekly_phases(), batch)
    for _ in range(120):
        clock.advance()
    assert batch.pool is not None
    for w in batch.worlds:
        w.this_week.funded.enterprise_mentor_remuneration = 1.0
    pool_mentor_effort(batch)
    s = batch.students
    shares = np.ones(batch.n_runs)
    guided, paid_shares = post_tallies(s.enterprise_mentor, s.enterprise_mentor >= 0,
                                       batch.groups.group_of("students"), shares, batch.enterprise_mentors.n)
    assert (guided > 1).any()  # posts guiding several apprentices, of several programmes
    assert not batch.pool.scenario.incentives.mentor_honours  # no honours: the effort is the paid share's alone
    expected = enterprise_mentor_effort(scenario_params(batch.pool.scenario),
                                        post_means(paid_shares, guided, float(shares.mean())), 0.0)
    np.testing.assert_array_equal(batch.enterprise_mentors.effort, np.broadcast_to(expected, guided.shape))
