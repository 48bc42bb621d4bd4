"""The labour market: host offers, further study, open-market search, follow-up.

``job_search_weeks_before_graduation`` before a cohort graduates its final-year
students turn to what comes next: the further-study share of the school's level
(``programme.level``: ``further_study_share_secondary``, ``_higher`` or ``_undergraduate``)
go on to study (Chinese headline employment rates count them as employed, MyCOS 2019 report),
and ``not_seeking_share`` do not look for work in their first year (MyCOS counts 7.5%
"not placed" half a year on); the others without a host start searching the open
market. Hosts decide in the same week, but never before they have seen the apprentice
work: the *hiring-decision week* is the later of that week and the week in which the
apprentice has worked ``host_min_observation_weeks`` weeks of the programme's final
enterprise period (at the latest the period's last week; ``host_decision_week``). So a
short final internship (the traditional programme's 12 weeks) is decided near its end,
a year-long one at the usual lead. Hosted apprentices wait for their host's decision
before they search. In that week each host offers a job to the apprentices it hosts
(other than those going on to study; those not seeking work on the open market
included) whose composite score reaches its bar (``host_hire_bar_points +
host_bar_per_post_level_points x post level``), best first, while it has vacancies
this year. The others search the open market from then on: weekly job-finding hazard
``open_market_job_rate_per_week x exp(composite_effect x (composite - 50) +
certificate_effect x certificates)``. At graduation everyone still in the programme
becomes employed, in further study or unemployed; graduates keep searching, and the
employed lose jobs at ``job_loss_rate_per_year``. Stages are recorded at graduation,
6 months (26 weeks) and 12 months (52 weeks) after, and at the cut-off of the initial
employment rate (初次就业率: employed, in further study or with a signed agreement
``initial_employment_cutoff_weeks`` after graduation; 9 weeks puts a late-June graduation
at the end of August).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from sim.engine.batch import Batch
from sim.engine.calendar import ProgrammeCalendar
from sim.engine.declarations import StateField, Unit, rate
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import (
    AWAY,
    BASIC,
    EMPLOYED,
    FURTHER_STUDY,
    INTERNSHIP,
    NO_ONE,
    OPEN_MARKET,
    UNEMPLOYED,
    Students,
)
from sim.engine.world import RunTotals, SectorDemand, World
from sim.mechanisms.attrition import weekly_probability
from sim.mechanisms.evaluation import RATING_READS, RATING_WRITES, EvaluationWeights, composite_score, rate_by_hosts
from sim.mechanisms.job_finding import job_finding_rate_per_week
from sim.mechanisms.placement import release
from sim.scenario.schema import WEEKS_PER_YEAR, LabourMarketParams, Scenario

FOLLOW_UP_6M_WEEKS = WEEKS_PER_YEAR // 2
FOLLOW_UP_12M_WEEKS = WEEKS_PER_YEAR


def host_bar(world: World, host: np.ndarray) -> np.ndarray:
    """Composite score each host needs to offer a job."""
    lm = world.scenario.labour_market
    return lm.host_hire_bar_points + lm.host_bar_per_post_level_points * world.enterprises.post_level[host]


def search_start_week(calendar: ProgrammeCalendar, lm: LabourMarketParams) -> int:
    """Programme week in which final-year students start searching: the lead before the last week."""
    return max(calendar.programme_weeks - 1 - lm.job_search_weeks_before_graduation, 0)


def final_enterprise_period(calendar: ProgrammeCalendar) -> tuple[int, int] | None:
    """First and last programme week of the calendar's last enterprise period (None if it has none)."""
    return calendar.final_enterprise_period  # found once, when the calendar is built


def host_decision_week(calendar: ProgrammeCalendar, lm: LabourMarketParams) -> int:
    """Programme week in which hosts decide on job offers: the search start, once they have seen the work.

    ``max(search start, first week of the final enterprise period +
    host_min_observation_weeks - 1)``, but no later than that period's last week (nor
    the programme's).
    """
    search = search_start_week(calendar, lm)
    period = final_enterprise_period(calendar)
    if period is None:
        return search
    start, end = period
    seen = min(start + lm.host_min_observation_weeks - 1, end)
    return min(max(search, seen), calendar.programme_weeks - 1)


def further_study_share(scenario: Scenario) -> float:
    """The share of graduates going on to further study at the programme's level."""
    lm = scenario.labour_market
    return {"secondary": lm.further_study_share_secondary, "higher": lm.further_study_share_higher,
            "undergraduate": lm.further_study_share_undergraduate}[scenario.programme.level]


def _choose_paths(world: World, cohort: slice) -> None:
    """Final-year students of ``cohort`` choose further study, not seeking work, or the labour market."""
    s = world.students
    idx = np.arange(cohort.start, cohort.stop)
    idx = idx[s.in_programme()[idx]]
    lm = world.scenario.labour_market
    study = further_study_share(world.scenario)
    u = world.streams.uniform("labour_market.further_study", world.week, s.n)[idx]
    s.further_study[idx[u < study]] = True
    s.not_seeking[idx[(u >= study) & (u < min(1.0, study + lm.not_seeking_share))]] = True


def _host_decisions(world: World, cohort: slice) -> None:
    s = world.students
    ev = world.scenario.evaluation
    idx = np.arange(cohort.start, cohort.stop)
    idx = idx[s.in_programme()[idx]]
    hosted = idx[s.host[idx] >= 0]
    s.host_at_decision[hosted] = s.host[hosted]
    hosted = hosted[~s.further_study[hosted]]
    if len(hosted):
        score = composite_score(s, ev, hosted)
        host = s.host[hosted]
        ok = score >= host_bar(world, host)
        cand, cand_host, cand_score = hosted[ok], host[ok], score[ok]
        order = np.lexsort((-cand_score, cand_host))
        cand, cand_host = cand[order], cand_host[order]
        rank = np.arange(len(cand)) - np.searchsorted(cand_host, cand_host, side="left")
        offered = rank < world.enterprises.vacancies[cand_host]
        winners = cand[offered]
        s.offered_by_host[winners] = True
        np.subtract.at(world.enterprises.vacancies, cand_host[offered], 1)
        world.counters.host_offers += len(winners)
        world.events.add(world.week, winners, "host_offer", "retained", s.host[winners])


def _search(batch: Batch, searching: np.ndarray) -> np.ndarray:
    """Who of ``searching`` (batch positions, ascending) finds a job on the open market this week."""
    if len(searching) == 0:
        return searching
    s = batch.students

    def at(value: Callable[[World], float]) -> float | np.ndarray:
        return batch.value(value, "students", searching)

    score = composite_score(s, EvaluationWeights.in_batch(batch, searching), searching)
    log_m = batch.param("labour_market.composite_effect_per_point", "students", searching) * (score - 50.0) + \
        batch.param("labour_market.certificate_effect", "students", searching) * s.certificates[searching]
    rate = batch.param("labour_market.open_market_job_rate_per_week", "students", searching)
    u = batch.uniform("labour_market.search", batch.week, searching)[searching]
    demands = [programmes[0].sector_demand for programmes in batch.programmes_of_pools()] if batch.pools \
        else [batch.worlds[0].sector_demand]
    if len(demands) == 1:  # a run, a batch of runs, or one city
        return searching[_found(demands[0], s.sector, searching, rate, log_m, u, batch.week)]
    # a batch of cities: each city's searchers compete for its own sectors' vacancies
    first_students = batch.groups.starts["students"][batch.groups.pool_group_starts()]  # each city's first
    cuts = np.searchsorted(searching, first_students).tolist()
    found = np.zeros(len(searching), dtype=bool)
    for k, demand in enumerate(demands):
        part = slice(cuts[k], cuts[k + 1])
        found[part] = _found(demand, s.sector, searching[part], rate[part] if isinstance(rate, np.ndarray) else rate,
                             log_m[part], u[part], batch.week)
    return searching[found]


def _found(demand: SectorDemand | None, sectors: np.ndarray, searching: np.ndarray, rate: float | np.ndarray,
           log_m: np.ndarray, u: np.ndarray, week: int) -> np.ndarray:
    """Which of ``searching`` find a job this week (their rates, effects and draws), given their city's demand.

    No demand: the fitted open-market rate. A city's sectors: the fitted rate scaled by the
    matching function at this week's searchers per vacancy, and no sector hiring more than
    its open vacancies (the luckiest searchers, lowest draw per chance, first).
    """
    if demand is None:
        return u < -np.expm1(-rate * np.exp(log_m))
    sector = sectors[searching]
    vacancies = demand.open_vacancies(week)
    searchers = np.bincount(sector, minlength=len(vacancies))
    scale = job_finding_rate_per_week(searchers, vacancies, fitted_rate_per_week=1.0,
                                      reference_searchers_per_vacancy=demand.reference_searchers_per_vacancy,
                                      searcher_elasticity=demand.searcher_elasticity)
    given = ~np.isnan(vacancies)
    demand.searcher_weeks += float(searchers[given].sum())
    demand.scale_sum += float((searchers * scale)[given].sum())
    p = -np.expm1(-rate * scale[sector] * np.exp(log_m))
    found = u < p
    for k in np.flatnonzero(given):
        in_sector = np.flatnonzero(found & (sector == k))
        room = int(vacancies[k])
        if len(in_sector) > room:
            keep = in_sector[np.argsort(u[in_sector] / p[in_sector], kind="stable")[:room]]
            found[in_sector] = False
            found[keep] = True
    demand.filled += np.bincount(sector[found], minlength=len(vacancies))
    return found


def _graduate(world: World, cohort: slice) -> None:
    s = world.students
    idx = np.arange(cohort.start, cohort.stop)
    idx = idx[s.in_programme()[idx]]
    if len(idx) == 0:
        return
    ent = world.enterprises
    retained = idx[s.offered_by_host[idx]]
    if world.sector_demand is not None:  # a host's hire fills one of its sector's vacancies in the city
        world.sector_demand.open_vacancies(world.week)
        world.sector_demand.filled += np.bincount(ent.sector[s.host_at_decision[retained]],
                                                  minlength=len(world.sector_demand.filled))
    s.employer[retained] = s.host_at_decision[retained]
    s.week_job_found[retained] = world.week
    saving = world.scenario.participation.hiring_cost_saved_yuan_per_hire
    np.add.at(ent.hires_from_placements, s.employer[retained], 1)
    np.add.at(ent.total_hiring_savings_yuan, s.employer[retained], saving)
    world.counters.hiring_savings_yuan += saving * len(retained)
    hosted = idx[s.host[idx] >= 0]
    rate_by_hosts(world, hosted, retained=s.offered_by_host[hosted] & (s.host_at_decision[hosted] == s.host[hosted]))
    employed = s.week_job_found[idx] >= 0
    new_stage = np.where(employed, EMPLOYED,
                         np.where(s.further_study[idx], FURTHER_STUDY, UNEMPLOYED))
    s.stage[idx] = new_stage
    s.location[idx] = AWAY
    s.week_graduated[idx] = world.week
    release(world, idx, keep_job_offer=True)
    s.stage_at_graduation[idx] = new_stage
    world.events.add(world.week, idx, "graduation", "completed")
    world.events.add(world.week, retained, "hire", "host", s.employer[retained])


def run_labour_market(batch: Batch) -> None:
    """Host decisions, search, graduation, job loss and follow-up snapshots for this week."""
    s = batch.students
    week = batch.week
    alone = batch.n_runs == 1  # a single run: its cohorts one by one, as before (the batch tests compare the two)
    cohort_week = None if alone else batch.cohorts().programme_weeks(s, week)  # enrolment is fixed all week
    final_year = _decide_and_find_searchers_alone(batch.worlds[0]) if cohort_week is None else \
        _decide_and_find_searchers(batch, cohort_week)
    # the unemployed (stage UNEMPLOYED) are never final-year students (in the programme), so the two
    # sets are disjoint and their sorted union is each run's searchers in ascending order, run by run
    searching = np.sort(np.concatenate((final_year, _unemployed_searching(s, week))))
    found = _search(batch, searching)
    events = any(w.events.enabled for w in batch.worlds)
    if len(found):
        s.week_job_found[found] = week
        s.employer[found] = OPEN_MARKET
        graduates = found[s.stage[found] == UNEMPLOYED]
        s.stage[graduates] = EMPLOYED
        if events:
            for world, local in batch.by_run("students", found):
                world.events.add(week, local, "hire", "open_market")

    employed = np.flatnonzero(s.stage == EMPLOYED)
    if len(employed):
        u = batch.uniform("labour_market.job_loss", week, employed)[employed]
        rate_per_year = batch.param("labour_market.job_loss_rate_per_year", "students", employed)
        loss = batch.value(_job_loss_probability, "students", employed) if isinstance(rate_per_year, np.ndarray) \
            else _weekly_job_loss(rate_per_year)  # every run's rate the same: one chance
        lost = employed[u < loss]  # the same for everyone of a run
        s.stage[lost] = UNEMPLOYED
        s.employer[lost] = NO_ONE
        s.week_job_found[lost] = -1
        if events:
            for world, local in batch.by_run("students", lost):
                world.events.add(week, local, "job_loss", "separation")

    if cohort_week is None:
        _graduate_and_follow_up_alone(batch.worlds[0])
    else:
        _graduate_and_follow_up(batch, cohort_week)


def _of_cohorts(batch: Batch, values: list[int]) -> int | np.ndarray:
    """One value per run (``values[g]``: run ``g``'s) for each of ``batch.cohorts()``; a run alone's value as it is."""
    return values[0] if batch.n_runs == 1 else np.array(values)[batch.cohorts().run]


@functools.lru_cache(maxsize=64)
def _weekly_job_loss(rate_per_year: float) -> float:
    """An employed graduate's chance of losing the job in a week (a pure function of the rate: kept, not redone)."""
    return float(weekly_probability(rate_per_year, np.zeros(1))[0])


def _job_loss_probability(world: World) -> float:
    """An employed graduate's chance of losing the job this week in ``world``'s run."""
    return _weekly_job_loss(world.scenario.labour_market.job_loss_rate_per_year)


def _decide_and_find_searchers(batch: Batch, cohort_week: np.ndarray) -> np.ndarray:
    """This week's path choices and host offers in every run, then the final-year students who search (ascending).

    Final-year students choose their path at the search start and hosts decide on offers at
    the decision week, cohort by cohort of each run in turn (as each run alone). Searching:
    final-year students past the search start (hosted ones once their host has decided), as
    batch positions; the unemployed graduates who search are found over the whole batch
    (``_unemployed_searching``). Every run's cohorts are looked at at once (``Batch.cohorts``;
    ``cohort_week``: this week's programme week of each).
    """
    s = batch.students
    worlds = batch.worlds
    cohorts = batch.cohorts()
    search, decision, length = _search_and_decision_weeks(batch)
    at_search, at_decision = cohort_week == search, cohort_week == decision
    for k in np.flatnonzero(at_search | at_decision).tolist():
        world = worlds[int(cohorts.run[k])]
        c = int(cohorts.cohort[k])
        if at_search[k]:
            _choose_paths(world, world.cohort(c))
        if at_decision[k]:
            _host_decisions(world, world.cohort(c))
    final = np.flatnonzero((search <= cohort_week) & (cohort_week < length))  # a cohort's week is the same all week
    if len(final) == 0:
        return np.zeros(0, dtype=np.int64)
    first, stop = cohorts.first[final], cohorts.stop[final]
    decided = decision if isinstance(decision, int) else decision[final]
    waiting = np.repeat(cohort_week[final] < decided, stop - first)  # hosted apprentices await the decision
    rows = _cohort_rows(first, stop)
    stage = s.stage[rows]  # one cohort (the usual week alone): views of its students, no gather
    seeking = (stage >= BASIC) & (stage <= INTERNSHIP) & ~s.offered_by_host[rows] & ~s.further_study[rows] & \
        (s.week_job_found[rows] < 0) & ~s.not_seeking[rows] & (~waiting | (s.host[rows] < 0))
    return np.flatnonzero(seeking) + rows.start if isinstance(rows, slice) else rows[seeking]


def _cohort_rows(first: np.ndarray, stop: np.ndarray) -> slice | np.ndarray:
    """The batch positions of the students of some cohorts (``first``, ``stop``: each one's), cohort after cohort.

    One cohort (the usual week): a slice, whose arrays are views of its students, no gather.
    """
    if len(first) == 1:
        return slice(int(first[0]), int(stop[0]))
    return np.concatenate([np.arange(a, b) for a, b in zip(first.tolist(), stop.tolist(), strict=True)])


def _search_and_decision_weeks(batch: Batch) -> tuple[int | np.ndarray, int | np.ndarray, int | np.ndarray]:
    """Each cohort's search start, hosts' decision week and programme length (``batch.cohorts()``), programme weeks.

    They depend on the run's calendar (its length and final enterprise period) and two
    parameters alone: when every run has the same (the usual batch: one scenario, many
    seeds), the first run's weeks are every cohort's, found once; otherwise run by run.
    """
    worlds = batch.worlds
    weeks = batch.plans().weeks
    lead = batch.param("labour_market.job_search_weeks_before_graduation")
    observe = batch.param("labour_market.host_min_observation_weeks")
    periods = [w.calendar.final_enterprise_period for w in worlds]
    if not isinstance(lead, np.ndarray) and not isinstance(observe, np.ndarray) \
            and periods.count(periods[0]) == len(periods) and (weeks == weeks[0]).all():
        calendar, lm = worlds[0].calendar, worlds[0].scenario.labour_market
        return search_start_week(calendar, lm), host_decision_week(calendar, lm), calendar.programme_weeks
    return (_of_cohorts(batch, [search_start_week(w.calendar, w.scenario.labour_market) for w in worlds]),
            _of_cohorts(batch, [host_decision_week(w.calendar, w.scenario.labour_market) for w in worlds]),
            weeks[batch.cohorts().run])


def _decide_and_find_searchers_alone(world: World) -> np.ndarray:
    """``_decide_and_find_searchers`` of a batch of one run, cohort by cohort (no batch bookkeeping to pay for).

    Final-year students choose their path at the search start and hosts decide on offers at
    the decision week. Searching: final-year students past the search start (hosted ones
    once their host has decided); the unemployed graduates who search are found over the
    whole batch (``_unemployed_searching``).
    """
    s = world.students
    lm = world.scenario.labour_market
    search_week = search_start_week(world.calendar, lm)
    decision_week = host_decision_week(world.calendar, lm)
    cohort_weeks = [world.cohort_programme_week(c) for c in range(world.scenario.intake.n_cohorts)]
    for c, cohort_week in enumerate(cohort_weeks):
        if cohort_week == search_week:
            _choose_paths(world, world.cohort(c))
        if cohort_week == decision_week:
            _host_decisions(world, world.cohort(c))
    parts = []
    for c, cohort_week in enumerate(cohort_weeks):  # a cohort's programme week is the same all this week
        if search_week <= cohort_week < world.calendar.programme_weeks:
            sl = world.cohort(c)
            stage = s.stage[sl]
            seeking = (stage >= BASIC) & (stage <= INTERNSHIP) & ~s.offered_by_host[sl] & ~s.further_study[sl] & \
                (s.week_job_found[sl] < 0) & ~s.not_seeking[sl]
            if cohort_week < decision_week:  # hosted apprentices wait for their host's decision
                seeking &= s.host[sl] < 0
            parts.append(np.flatnonzero(seeking) + sl.start)
    return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)


def _unemployed_searching(s: Students, week: int) -> np.ndarray:
    """Unemployed graduates who search the open market this week (those not seeking work only a year after graduation).

    Positions in ``s`` (a run's students or a batch's), ascending.
    """
    unemployed = (s.stage == UNEMPLOYED) & \
        (~s.not_seeking | (week > s.week_graduated + FOLLOW_UP_12M_WEEKS) & (s.week_graduated >= 0))
    return np.flatnonzero(unemployed)


def _graduate_and_follow_up(batch: Batch, cohort_week: np.ndarray) -> None:
    """Graduation in a cohort's last week; the follow-up snapshots at the cut-off, 6 and 12 months (every run).

    The cohorts due this week are found at once over the batch (``Batch.cohorts``;
    ``cohort_week``: this week's programme week of each). Each cohort graduating is dealt
    with as its run alone deals with it, run by run and cohort by cohort; then each
    snapshot is taken of all cohorts due at once (a snapshot reads and writes its cohort's
    own students alone, so it is the same taken after the other cohorts' graduation).
    """
    worlds = batch.worlds
    cohorts = batch.cohorts()
    s = batch.students
    length = batch.plans().weeks[cohorts.run]
    cutoff = batch.param("labour_market.initial_employment_cutoff_weeks", "students", cohorts.first)
    since = cohort_week - (length - 1)  # weeks since the graduation week
    for k in np.flatnonzero(since == 0).tolist():
        world = worlds[int(cohorts.run[k])]
        _graduate(world, world.cohort(int(cohorts.cohort[k])))
    for snapshot, due in ((s.stage_at_initial_cutoff, since == cutoff), (s.stage_at_6m, since == FOLLOW_UP_6M_WEEKS),
                          (s.stage_at_12m, since == FOLLOW_UP_12M_WEEKS)):
        if due.any():
            rows = _cohort_rows(cohorts.first[due], cohorts.stop[due])
            snapshot[rows] = _stage_if_graduated(s, rows)


def _graduate_and_follow_up_alone(world: World) -> None:
    """``_graduate_and_follow_up`` of a batch of one run, cohort by cohort."""
    for c in range(world.scenario.intake.n_cohorts):
        _follow_up_cohort(world, c)


def _follow_up_cohort(world: World, c: int) -> None:
    """Graduation in cohort ``c``'s last week; its follow-up snapshots at the cut-off, 6 and 12 months."""
    s = world.students
    lm = world.scenario.labour_market
    sl = world.cohort(c)
    grad_week = world.cohort_graduation_week(c)
    if world.week == grad_week:
        _graduate(world, sl)
    if world.week == grad_week + lm.initial_employment_cutoff_weeks:
        s.stage_at_initial_cutoff[sl] = _stage_if_graduated(s, sl)
    if world.week == grad_week + FOLLOW_UP_6M_WEEKS:
        s.stage_at_6m[sl] = _stage_if_graduated(s, sl)
    elif world.week == grad_week + FOLLOW_UP_12M_WEEKS:
        s.stage_at_12m[sl] = _stage_if_graduated(s, sl)


def _stage_if_graduated(s: Students, rows: slice | np.ndarray) -> np.ndarray:
    """A follow-up snapshot of the students ``rows``: the stage of those who graduated, 0 (not observed) for others."""
    return np.where(s.week_graduated[rows] >= 0, s.stage[rows], 0)


def _employment(snapshot: np.ndarray, jobs_only: bool) -> float:
    """Employment among the graduates observed in a snapshot (headline: further study counts)."""
    seen = snapshot[snapshot > 0]
    ok = seen == EMPLOYED if jobs_only else (seen == EMPLOYED) | (seen == FURTHER_STUDY)
    return rate(np.count_nonzero(ok), len(seen))


def hosted_at_decision(world: World, totals: RunTotals) -> np.ndarray:
    """Graduates who had a host when hosts decided and did not choose further study."""
    s = world.students
    grads = totals.graduates
    return grads[(s.host_at_decision[grads] >= 0) & ~s.further_study[grads]]


def retaining_hosts(world: World, totals: RunTotals) -> np.ndarray:
    """The host of each graduate it retained (one entry per retained graduate)."""
    s = world.students
    hosted = hosted_at_decision(world, totals)
    return s.host_at_decision[hosted[s.offered_by_host[hosted]]]


def _host_retention_rate(world: World, totals: RunTotals) -> float:
    return rate(len(retaining_hosts(world, totals)), len(hosted_at_decision(world, totals)))


def _completion_rate(world: World, totals: RunTotals) -> float:
    graduated = np.count_nonzero(totals.observed & (world.students.week_graduated >= 0))
    return rate(graduated, int(np.count_nonzero(totals.observed)))


def _employment_outcome(name: str, label: str, snapshot: str, jobs_only: bool, headline: bool) -> Outcome:
    """An employment rate read from one follow-up snapshot of ``Students``."""
    what = "in a job (further study not counted)" if jobs_only else \
        "in a job or in further study (the headline rate of Chinese statistics, as MyCOS counts it)"
    when = {"stage_at_graduation": "at graduation", "stage_at_6m": "6 months after graduation",
            "stage_at_12m": "12 months after graduation",
            "stage_at_initial_cutoff": "at the cut-off of the initial employment rate"}[snapshot]
    return Outcome(name, label, f"Share of the graduates observed {when} who are {what}.", Unit.SHARE,
                   lambda world, totals: _employment(getattr(world.students, snapshot), jobs_only), headline=headline)


MECHANISM = Mechanism(
    name="labour_market",
    spans_cities=True,  # the pools only through Batch's methods, each city's demand its own
    step=None,
    batch_step=run_labour_market,
    reads=("enterprises.post_level", "enterprises.sector", "students.certificates", "students.enrol_week",
           "students.practical_skill", "students.professionalism", "students.sector", "students.theory",
           *RATING_READS),
    writes=(*RATING_WRITES, "counters.hiring_savings_yuan", "counters.host_offers",
            "enterprises.hires_from_placements", "enterprises.placements_ended",
            "enterprises.total_hiring_savings_yuan", "enterprises.vacancies", "students.employer",
            "students.enterprise_mentor",
            "students.further_study", "students.host", "students.host_at_decision", "students.location",
            "students.not_seeking", "students.offered_by_host", "students.stage", "students.stage_at_12m",
            "students.stage_at_6m", "students.stage_at_graduation", "students.stage_at_initial_cutoff",
            "students.week_graduated",
            "students.week_job_found"),
    state=(
        StateField("students", "offered_by_host", bool, False, "the host offered a job"),
        StateField("students", "host_at_decision", np.int32, NO_ONE, "host when hosts decided, or NO_ONE"),
        StateField("students", "further_study", bool, False, "chose a bachelor's (专升本)"),
        StateField("students", "not_seeking", bool, False, "not looking for work in the first year"),
        StateField("students", "employer", np.int32, NO_ONE, "enterprise, OPEN_MARKET or NO_ONE"),
        StateField("students", "week_job_found", np.int32, -1, "week the current job was found, or -1"),
        StateField("students", "week_graduated", np.int32, -1, "week of graduation, or -1"),
        StateField("students", "stage_at_graduation", np.int8, 0, "Stage at graduation, 0 if not observed"),
        StateField("students", "stage_at_6m", np.int8, 0, "Stage 6 months after graduation, 0 if not observed"),
        StateField("students", "stage_at_12m", np.int8, 0, "Stage 12 months after graduation, 0 if not observed"),
        StateField("students", "stage_at_initial_cutoff", np.int8, 0,
                   "Stage at the cut-off of the initial employment rate, 0 if not observed"),
        StateField("enterprises", "hires_from_placements", np.int32, 0,
                   "its own apprentices the firm hired, whole run"),
    ),
    streams=("labour_market.further_study", "labour_market.search", "labour_market.job_loss"),
    outcomes=(
        Outcome("n_graduates", "Graduates", "Students who graduated during the run.", Unit.PERSONS,
                lambda world, totals: float(len(totals.graduates))),
        Outcome("completion_rate", "Completion rate",
                "Share of the students of finished cohorts who graduated.", Unit.SHARE, _completion_rate,
                headline=True),
        _employment_outcome("employment_rate_at_graduation", "Employment rate at graduation",
                            "stage_at_graduation", jobs_only=False, headline=True),
        _employment_outcome("initial_employment_rate", "Initial employment rate", "stage_at_initial_cutoff",
                            jobs_only=False, headline=True),
        _employment_outcome("employment_rate_6m", "Employment rate at 6 months", "stage_at_6m",
                            jobs_only=False, headline=True),
        _employment_outcome("employment_rate_12m", "Employment rate at 12 months", "stage_at_12m",
                            jobs_only=False, headline=True),
        _employment_outcome("job_employment_rate_at_graduation", "Job-only employment rate at graduation",
                            "stage_at_graduation", jobs_only=True, headline=True),
        _employment_outcome("job_employment_rate_6m", "Job-only employment rate at 6 months", "stage_at_6m",
                            jobs_only=True, headline=False),
        _employment_outcome("job_employment_rate_12m", "Job-only employment rate at 12 months", "stage_at_12m",
                            jobs_only=True, headline=False),
        Outcome("further_study_rate", "Further study rate",
                "Share of graduates who went on to further study at graduation.", Unit.SHARE,
                lambda world, totals: rate(np.count_nonzero(world.students.stage_at_graduation == FURTHER_STUDY),
                                           len(totals.graduates))),
        Outcome("host_retention_rate", "Host retention rate",
                "Share of the graduates hosted when hosts decided (further study aside) whom their host hired.",
                Unit.SHARE, _host_retention_rate, headline=True),
        Outcome("hiring_savings_yuan", "Hiring savings of hosts",
                "Recruitment costs hosts saved by hiring their own apprentices, whole run.", Unit.YUAN,
                lambda world, totals: world.counters.hiring_savings_yuan),
    ),
)
