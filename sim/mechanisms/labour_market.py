"""The labour market: host offers, further study, open-market search, follow-up.

``job_search_weeks_before_graduation`` before a cohort graduates, each host decides:
``further_study_share`` of the cohort choose a bachelor's (Chinese headline employment
rates count them as employed, calibration.md), and ``not_seeking_share`` do not look for work in their first year (MyCOS
counts 7.5% "not placed" half a year on); then each host offers a job to the
other apprentices it hosts (those not seeking work on the open market included) whose composite score reaches its bar
(``host_hire_bar_points + host_bar_per_post_level_points x post level``), best first,
while it has vacancies this year. The others search the open market from then on: weekly job-finding
hazard ``open_market_job_rate_per_week x exp(composite_effect x (composite - 50) +
certificate_effect x certificates)``. At graduation everyone still in the programme
becomes employed, in further study or unemployed; graduates keep searching, and the
employed lose jobs at ``job_loss_rate_per_year``. Stages are recorded at graduation,
6 months (26 weeks) and 12 months (52 weeks) after.
"""

from __future__ import annotations

import numpy as np

from sim.engine.population import AWAY, EMPLOYED, FURTHER_STUDY, NO_ONE, OPEN_MARKET, UNEMPLOYED
from sim.engine.world import World
from sim.mechanisms.attrition import weekly_probability
from sim.mechanisms.evaluation import composite_score, skill_index
from sim.mechanisms.intake import cohort_slice

FOLLOW_UP_6M_WEEKS = 26
FOLLOW_UP_12M_WEEKS = 52


def host_bar(world: World, host: np.ndarray) -> np.ndarray:
    """Composite score each host needs to offer a job."""
    lm = world.scenario.labour_market
    return lm.host_hire_bar_points + lm.host_bar_per_post_level_points * world.enterprises.post_level[host]


def _host_decisions(world: World, cohort: slice) -> None:
    s = world.students
    ev = world.scenario.evaluation
    idx = np.arange(cohort.start, cohort.stop)
    idx = idx[s.in_programme()[idx]]
    lm = world.scenario.labour_market
    u = world.streams.uniform("labour_market.further_study", world.week, s.n)[idx]
    s.further_study[idx[u < lm.further_study_share]] = True
    s.not_seeking[idx[(u >= lm.further_study_share) & (u < lm.further_study_share + lm.not_seeking_share)]] = True
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


def _search(world: World, searching: np.ndarray) -> np.ndarray:
    """Who of ``searching`` finds a job on the open market this week."""
    if len(searching) == 0:
        return searching
    lm = world.scenario.labour_market
    s = world.students
    score = composite_score(s, world.scenario.evaluation, searching)
    log_m = lm.composite_effect_per_point * (score - 50.0) + lm.certificate_effect * s.certificates[searching]
    p = -np.expm1(-lm.open_market_job_rate_per_week * np.exp(log_m))
    u = world.streams.uniform("labour_market.search", world.week, int(searching[-1]) + 1)[searching]
    return searching[u < p]


def _graduate(world: World, cohort: slice) -> None:
    s = world.students
    idx = np.arange(cohort.start, cohort.stop)
    idx = idx[s.in_programme()[idx]]
    if len(idx) == 0:
        return
    ent = world.enterprises
    retained = idx[s.offered_by_host[idx]]
    s.employer[retained] = s.host_at_decision[retained]
    s.week_job_found[retained] = world.week
    saving = world.scenario.participation.hiring_cost_saved_yuan
    np.add.at(ent.year_hiring_savings_yuan, s.employer[retained], saving)
    np.add.at(ent.total_hiring_savings_yuan, s.employer[retained], saving)
    world.counters.hiring_savings_yuan += saving * len(retained)
    rated = idx[s.host[idx] >= 0]
    sat = skill_index(s, world.scenario.evaluation, rated)
    np.add.at(ent.satisfaction_sum, s.host[rated], sat)
    np.add.at(ent.satisfaction_count, s.host[rated], 1.0)
    employed = s.week_job_found[idx] >= 0
    new_stage = np.where(employed, EMPLOYED,
                         np.where(s.further_study[idx], FURTHER_STUDY, UNEMPLOYED))
    s.stage[idx] = new_stage
    s.location[idx] = AWAY
    s.week_graduated[idx] = world.week
    s.host[idx] = NO_ONE
    s.enterprise_mentor[idx] = NO_ONE
    s.stage_at_graduation[idx] = new_stage
    world.events.add(world.week, idx, "graduation", "completed")
    world.events.add(world.week, retained, "hire", "host", s.employer[retained])


def run_labour_market(world: World) -> None:
    """Host decisions, search, graduation, job loss and follow-up snapshots for this week."""
    sc = world.scenario
    s = world.students
    lm = sc.labour_market
    cal = world.calendar
    for c in range(sc.intake.n_cohorts):
        sl = cohort_slice(sc, c)
        grad_week = int(s.enrol_week[sl.start]) + cal.programme_weeks - 1
        if world.week == grad_week - lm.job_search_weeks_before_graduation:
            _host_decisions(world, sl)

    # open-market search: final-year students past the decision week, and unemployed graduates
    decision_passed = world.week >= world.graduation_week() - lm.job_search_weeks_before_graduation
    candidates = s.in_programme() & decision_passed & ~s.offered_by_host & ~s.further_study & \
        (s.week_job_found < 0)
    candidates |= s.stage == UNEMPLOYED
    candidates &= ~s.not_seeking | (world.week > s.week_graduated + FOLLOW_UP_12M_WEEKS) & (s.week_graduated >= 0)
    found = _search(world, np.flatnonzero(candidates))
    if len(found):
        s.week_job_found[found] = world.week
        s.employer[found] = OPEN_MARKET
        graduates = found[s.stage[found] == UNEMPLOYED]
        s.stage[graduates] = EMPLOYED
        world.events.add(world.week, found, "hire", "open_market")

    employed = np.flatnonzero(s.stage == EMPLOYED)
    if len(employed):
        u = world.streams.uniform("labour_market.job_loss", world.week, int(employed[-1]) + 1)[employed]
        lost = employed[u < weekly_probability(lm.job_loss_rate_per_year, np.zeros(1))]  # the same for everyone
        s.stage[lost] = UNEMPLOYED
        s.employer[lost] = NO_ONE
        s.week_job_found[lost] = -1
        world.events.add(world.week, lost, "job_loss", "separation")

    for c in range(sc.intake.n_cohorts):
        sl = cohort_slice(sc, c)
        grad_week = int(s.enrol_week[sl.start]) + cal.programme_weeks - 1
        if world.week == grad_week:
            _graduate(world, sl)
        elif world.week == grad_week + FOLLOW_UP_6M_WEEKS:
            s.stage_at_6m[sl] = np.where(s.week_graduated[sl] >= 0, s.stage[sl], 0)
        elif world.week == grad_week + FOLLOW_UP_12M_WEEKS:
            s.stage_at_12m[sl] = np.where(s.week_graduated[sl] >= 0, s.stage[sl], 0)
