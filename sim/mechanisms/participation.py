"""Enterprise participation: each firm reviews its cooperation once a year and joins, stays or leaves.

"Schools enthusiastic, enterprises cold" (Li (2026) §3.2). A firm reviews its cooperation
agreement once a year, in its own *review week* (drawn uniformly over the 52 weeks of
the year at the start of the run: agreements are signed, and renewed, throughout the
year; assumption). At each review after week 0 the firm closes its books of the weeks
since its last review and takes part in the coming year with probability
``logistic(willingness + stay_bonus x already_in - net_cost_sensitivity x expected net
cost per placement / 10,000 yuan + satisfaction_effect x (satisfaction - 0.5))``.

A firm that leaves takes no new apprentices; the three-party internship agreement
(school, firm, student; Ministry of Education et al. 2021, the internship rules) runs
for the placement's term, so the apprentices it hosts stay until their enterprise period
ends (``placement``).

The expected net cost per placement is the firm's own reckoning for one more apprentice
hosted through a placement (a place filled for the placement's planned term,
``planned_weeks_per_placement``: the calendar's enterprise weeks), in yuan:

    training net cost per apprentice-week x planned weeks      (BIBB: costs - productive returns,
                                                                 less the subsidies received)
  - expected tax credit per placement                           (tax_credit, certified firms)
  - a title's worth x planned weeks / 52                         (a title holder)
  - hiring_cost_saved_yuan_per_hire x expected hires per placement

The training net cost per apprentice-week is the firm's own from its books since its
last review where it hosted, otherwise the mean of the firms that have one, otherwise the
*ex-ante* expectation: the accounts' own weekly formula (``enterprise_accounts.
week_accounts``) applied to the practical-skill path the programme plans
(``planned_practical_skill``: the calendar, the learning rates, full guidance, the
scenario's mean mentor and post) over the enterprise weeks of a placement, less the
completion subsidy the rules would pay for it. Expected hires per placement are the
firm's own past hire rate (its apprentices hired over its placements ended), the
programme's mean until it has one, and ``participation.prior_hire_rate`` before any
placement of the programme has ended. A hire's saving is thus counted once per expected
hire, whatever the placement's length. Satisfaction is the host's own index (evaluation).

In a city (``sim.city``), a firm's log-odds also move with the number of firms of its
sector in the city's pool: ``competition.log_odds_per_doubling_of_competitors x
log2(firms of the sector / competition.reference_competitors)`` (Mühlemann & Wolter 2007:
firms train less where more competitors are near; Stockinger & Zwick 2017: through the
lower retention of the apprentices they train).

Demonstration-unit titles (Li (2026) §6.3: granted to "enterprises with significant
educational achievements", bringing priority in project recommendations and talent
referrals): with ``demonstration_unit_titles`` on, at its review a firm earns the
title for the coming year when the apprentices it hosts score at least the mean
composite score of all apprentices hosted that week (the school names its better
partners by its own measure); a holder counts the title's value,
``demonstration_unit_value_yuan`` per apprentice-year, against its expected net cost.
Job vacancies for the academic year are drawn here too, at each year start.
"""

from __future__ import annotations

import numpy as np

from sim.engine.batch import Batch
from sim.engine.calendar import ProgrammeCalendar
from sim.engine.declarations import StateField, Unit, mean_of, rate
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import ENTERPRISE, SCHOOL, Enterprises
from sim.engine.streams import of_block
from sim.engine.sums import block_sums
from sim.engine.world import World
from sim.mechanisms import tax_credit
from sim.mechanisms.contact import alignment, contact_target
from sim.mechanisms.enterprise_accounts import week_accounts
from sim.mechanisms.evaluation import composite_score
from sim.mechanisms.funding import MONTHS_PER_WEEK
from sim.mechanisms.learning import school_week_shares
from sim.scenario.schema import WEEKS_PER_YEAR, Scenario, scenario_changes


def draw_review_weeks(world: World) -> None:
    """Each firm's week of the year for its yearly review, uniform over the year (set-up draws)."""
    ent = world.enterprises
    u = world.agent_uniform("participation.review_week", -1, "enterprises")
    ent.review_week[:] = np.minimum((u * WEEKS_PER_YEAR).astype(np.int16), WEEKS_PER_YEAR - 1)


def planned_practical_skill(world: World) -> np.ndarray:
    """Practical skill after each programme week of an apprentice whose programme goes as planned, points.

    The plan: an apprentice of average ability and the intake's mean motivation, with
    no luck, given all the guidance it needs and a funded training base, taught by
    mentors of the scenario's mean attributes on a post of the mean technical level,
    with the curriculum at the alignment the programme works towards (its target,
    ``curriculum``) moved by the coordination the contact rules sustain; learning as in
    ``learning`` (rate x input x (1 - skill / 100) per week), week by week along the
    calendar's plan for a placed apprentice.
    """
    sc = world.scenario
    lp = sc.learning
    sm = sc.school_mentors
    em = sc.enterprise_mentors
    dual = sc.programme.dual_mentor
    sessions = sc.contact.enterprise_mentor_school_sessions_per_semester if dual else 0.0
    align = float(alignment(world, contact_target(sc.contact.school_mentor_visits_per_month, sessions),
                            sc.programme.curriculum_alignment))
    factor = 1.0 + lp.motivation_effect * (sc.intake.motivation_mean - 0.5) / 0.5
    mentor_practice = sm.dual_qualified_share * sm.practical_skill_dual_qualified + \
        (1.0 - sm.dual_qualified_share) * sm.practical_skill_other
    in_practice = float(school_week_shares(sc.school_mentors.desired_hours_per_student_week,
                                           sc.programme.school_practice_hours_share, 1.0)[1])
    school = in_practice * mentor_practice * (0.5 + 0.5 * align)
    quality = em.technical_skill_mean * (0.3 + 0.7 * em.pedagogical_skill_mean) if dual else 0.0
    ums = lp.unmentored_practice_share
    post = 0.5 + sc.enterprises.post_level_alpha / (sc.enterprises.post_level_alpha + sc.enterprises.post_level_beta)
    firm = post * (0.5 + 0.5 * align) * (ums + (1.0 - ums) * quality)
    where = world.calendar.location
    inputs = np.where(where == SCHOOL, school, np.where(where == ENTERPRISE, firm, 0.0))
    gain = np.minimum(lp.practical_skill_points_per_week * inputs * factor, 100.0)
    # x' = x + gain (1 - x / 100)  <=>  100 - x' = (100 - x)(1 - gain / 100)
    return 100.0 - (100.0 - sc.intake.initial_practical_skill_mean) * np.cumprod(1.0 - gain / 100.0)


def planned_weeks_per_placement(calendar: ProgrammeCalendar) -> int:
    """Enterprise weeks of the programme's plan: the term of a placement from the first enterprise week on."""
    return calendar.enterprise_weeks  # counted once, when the calendar is built


_EX_ANTE_KNOWN: dict[tuple[int, int], tuple[Scenario, ProgrammeCalendar, int, float]] = {}
"""The last ex-ante net cost found for a (scenario, calendar) pair, with the scenarios' change count it was found at."""
_EX_ANTE_KNOWN_MAX: int = 256
"""Pairs remembered at most (the memo is emptied when it would hold more: a sweep's runs come and go)."""


def ex_ante_net_cost_per_week(world: World) -> float:
    """Training net cost per apprentice-week a firm expects before anyone has hosted, yuan (remembered).

    ``_ex_ante_net_cost_per_week``: a pure function of the run's scenario and its calendar's
    plan, asked at each review week until a firm of the run has hosted (some 75 times a run,
    about 50 us each, and by each run of a batch). Remembered per (scenario, calendar) while
    no scenario section has been assigned to (``scenario_changes``, as ``Batch.param``
    keeps its values), so a parameter set on a running model still takes effect at the
    next review.
    """
    scenario, calendar = world.scenario, world.calendar
    key = (id(scenario), id(calendar))
    changes = scenario_changes()
    known = _EX_ANTE_KNOWN.get(key)
    if known is not None and known[0] is scenario and known[1] is calendar and known[2] == changes:
        return known[3]
    net = _ex_ante_net_cost_per_week(world)
    if len(_EX_ANTE_KNOWN) >= _EX_ANTE_KNOWN_MAX:
        _EX_ANTE_KNOWN.clear()
    _EX_ANTE_KNOWN[key] = (scenario, calendar, changes, net)
    return net


def _ex_ante_net_cost_per_week(world: World) -> float:
    """Training net cost per apprentice-week a firm expects before anyone has hosted, yuan.

    The accounts' formula applied, week by week, to the planned practical skill of the
    enterprise weeks of a placement, with the planned mentor hours and (where firms pay
    it) a mentor's allowance shared by a full complement of apprentices, less the
    completion subsidy the rules would pay for a trainee who completes the plan with a
    certificate (enterprise apprenticeships only), spread over those weeks.

    Computed afresh; ``ex_ante_net_cost_per_week`` answers from its memo.
    """
    sc = world.scenario
    em = sc.enterprise_mentors
    dual = sc.programme.dual_mentor
    weeks = np.flatnonzero(world.calendar.location == ENTERPRISE)
    path = planned_practical_skill(world)
    skill = path[weeks] if len(weeks) else path[-1:]
    hours = em.desired_hours_per_apprentice_week if dual else 0.0
    allowance = em.remuneration_yuan_per_month * MONTHS_PER_WEEK / em.apprentices_per_mentor \
        if dual and sc.funding.firms_pay_mentor_allowance else 0.0
    week = week_accounts(sc, 1.0, hours, skill, allowance)
    net = float(np.mean(np.asarray(week.cost) - np.asarray(week.output)))
    if sc.programme.kind == "enterprise_apprenticeship" and len(weeks):
        inc = sc.incentives
        net -= (inc.apprentice_subsidy_yuan_per_year + inc.apprentice_subsidy_certificate_bonus_yuan_per_year) \
            / WEEKS_PER_YEAR
    return net


def close_year(world: World, firms: np.ndarray) -> None:
    """Turn the reviewing ``firms``' books since their last review into training net cost per apprentice-week.

    Costs less productive returns and the subsidies received (BIBB's net cost, less the
    support the firm was paid), per apprentice-week hosted; a firm that hosted no one
    keeps its last figure.
    """
    close_books(world.enterprises, firms)


def close_books(ent: Enterprises, firms: np.ndarray) -> None:
    """``close_year`` of the firms ``firms`` of ``ent``: one run's, or a batch's (every firm's books are its own)."""
    weeks = ent.year_apprentice_weeks[firms]
    hosted = weeks > 0
    net_cost = (ent.year_cost_yuan[firms] - ent.year_benefit_yuan[firms]) / np.where(hosted, weeks, 1.0)
    ent.last_net_cost_per_apprentice_week[firms] = np.where(hosted, net_cost,
                                                            ent.last_net_cost_per_apprentice_week[firms])
    for books in (ent.year_cost_yuan, ent.year_benefit_yuan, ent.year_apprentice_weeks):
        books[firms] = 0.0


def training_net_cost_per_week(batch: Batch, firms: np.ndarray) -> np.ndarray:
    """Each of ``firms``' expected training net cost per apprentice-week: its own, its run's firms' mean, or ex ante.

    ``firms``: ascending batch positions. The fallback is found only for the runs with a
    reviewing firm that has no figure of its own: each run's mean of the figures its firms
    have (``float(figures.mean())`` of the run alone: its sum, ``np.add.reduce``'s, by
    ``block_sums`` over every run's block at once, over their count), or ex ante.
    """
    every = batch.enterprises.last_net_cost_per_apprentice_week
    own = every[firms]
    missing = np.isnan(own)
    if not missing.any():
        return own
    owners = batch.firm_worlds()
    if len(owners) == 1:  # a run alone (or a city's pool): its firms' mean, without the batch's bookkeeping
        every_known = every[~np.isnan(every)]
        own[missing] = float(every_known.mean()) if len(every_known) else ex_ante_net_cost_per_week(owners[0])
        return own
    groups = batch.groups  # each missing firm's run (a city's: its pool)
    run_of = (groups.pool_of_agent if batch.shares_pool else groups.group_of)("enterprises")[firms[missing]]
    known = np.flatnonzero(~np.isnan(every))
    counts = np.diff(np.searchsorted(known, batch.groups.starts["enterprises"]))
    # each run's sum over its count: the division a run alone makes (an int count is exact as a float)
    fallback = np.asarray(block_sums(every[known], counts)) / np.maximum(counts, 1)
    if not counts.all():  # runs none of whose firms has hosted yet expect the ex-ante figure
        asking = np.zeros(len(owners), dtype=bool)
        asking[run_of] = True
        for g in np.flatnonzero(asking & (counts == 0)).tolist():
            fallback[g] = ex_ante_net_cost_per_week(owners[g])
    own[missing] = fallback[run_of]
    return own


def _programme_hire_rate(world: World) -> float:
    """The run's hires over its placements ended (the prior before any placement has ended)."""
    ent = world.enterprises
    ended = ent.placements_ended.sum()
    return ent.hires_from_placements.sum() / ended if ended > 0 else world.scenario.participation.prior_hire_rate


def expected_hires_per_placement(batch: Batch, firms: np.ndarray) -> np.ndarray:
    """Each of ``firms``' past hire rate (hires over placements ended); its run's mean, or the prior, before."""
    ent = batch.enterprises
    ended = ent.placements_ended[firms]
    own = ended > 0
    rate = ent.hires_from_placements[firms] / np.maximum(ended, 1)
    if own.all():
        return rate
    return np.where(own, rate, _programme_hire_rates(batch, firms))


def _programme_hire_rates(batch: Batch, firms: np.ndarray) -> float | np.ndarray:
    """``_programme_hire_rate`` of the run of each of ``firms`` (batch positions).

    In a batch of several runs with firms of their own, every run's hires and placements
    ended are counted at once (whole numbers: exact however added) and divided as a run
    alone divides them (its counts as floats).
    """
    if batch.n_runs == 1 or batch.shares_pool:  # a city's: its pool's
        return batch.value(_programme_hire_rate, "enterprises", firms)
    ent = batch.enterprises
    run = batch.groups.group_of("enterprises")
    ended = np.bincount(run, weights=ent.placements_ended, minlength=batch.n_runs)[run[firms]]
    hires = np.bincount(run, weights=ent.hires_from_placements, minlength=batch.n_runs)[run[firms]]
    return np.where(ended > 0, hires / np.maximum(ended, 1.0),
                    batch.param("participation.prior_hire_rate", "enterprises", firms))


def _planned_weeks(world: World) -> int:
    """``planned_weeks_per_placement`` of ``world``'s calendar (``Batch.derived``: of the calendar alone)."""
    return planned_weeks_per_placement(world.calendar)


def _title_worth(world: World) -> float:
    """A title holder's worth per apprentice-year, yuan (0 in a run without titles: its firms subtract nothing).

    Of the scenario alone (``Batch.derived``).
    """
    inc = world.scenario.incentives
    return inc.demonstration_unit_value_yuan if inc.demonstration_unit_titles else 0.0


def expected_net_costs(batch: Batch, firms: np.ndarray) -> np.ndarray:
    """The expected net cost per placement of ``firms`` (ascending batch positions), yuan (see the module's docstring).

    Each firm's terms come from its own run (its calendar, its scenario, its run's firms).
    """
    ent = batch.enterprises
    weeks = batch.derived(_planned_weeks, "enterprises", firms)
    net = training_net_cost_per_week(batch, firms) * weeks
    net -= tax_credit.expected_credit_per_placement(batch, firms, weeks)
    if any(w.scenario.incentives.demonstration_unit_titles for w in batch.worlds):
        # a run without titles subtracts 0.0, which leaves every number as it is
        net -= np.where(ent.demonstration_unit[firms], batch.derived(_title_worth, "enterprises", firms), 0.0) * \
            weeks / WEEKS_PER_YEAR
    return net - batch.param("participation.hiring_cost_saved_yuan_per_hire", "enterprises", firms) \
        * expected_hires_per_placement(batch, firms)


def expected_net_cost(world: World, firms: np.ndarray) -> np.ndarray:
    """The expected net cost per placement of ``firms`` of one run, yuan (``expected_net_costs`` of its batch alone)."""
    return expected_net_costs(Batch([world]), np.asarray(firms))


def award_titles(world: World, firms: np.ndarray, hosting: tuple[World, ...] | None = None) -> None:
    """The reviewing ``firms`` whose apprentices outscore the programme's hold the title for the coming year.

    ``hosting``: the worlds whose apprentices the firms host (None: ``world`` alone); in a
    city, every programme's apprentices are scored, each by its own programme's weights,
    and a firm is measured against the mean of all of them.
    """
    ent = world.enterprises
    hosts, scores = [], []
    for programme in (world,) if hosting is None else hosting:
        s = programme.students
        hosted = np.flatnonzero(s.host >= 0)
        hosts.append(s.host[hosted])
        scores.append(composite_score(s, programme.scenario.evaluation, hosted))
    host, score = (hosts[0], scores[0]) if len(hosts) == 1 else (np.concatenate(hosts), np.concatenate(scores))
    ent.demonstration_unit[firms] = False
    if len(host) == 0:
        return
    total = np.bincount(host, weights=score, minlength=ent.n)[firms]
    count = np.bincount(host, minlength=ent.n)[firms]
    ent.demonstration_unit[firms] = (count > 0) & (total >= float(score.mean()) * count)
    world.counters.demonstration_unit_years += int(np.count_nonzero(ent.demonstration_unit[firms]))


def participation_probabilities(batch: Batch, net_cost_yuan: np.ndarray, firms: np.ndarray) -> np.ndarray:
    """Probability that each of ``firms`` (batch positions) takes part in the coming year, by its run's parameters."""
    ent = batch.enterprises

    def param(name: str) -> float | np.ndarray:
        return batch.param(f"participation.{name}", "enterprises", firms)

    log_odds = (ent.willingness[firms] + param("stay_bonus_log_odds") * ent.participating[firms]
                - param("net_cost_sensitivity_per_10k_yuan") * net_cost_yuan / 10_000.0
                + param("satisfaction_effect") * (ent.satisfaction(firms) - 0.5))
    competition = [pool.competition_log_odds for pool in batch.pools]
    if any(c is not None for c in competition):  # a city: its sector's competitors
        shifts = np.concatenate([np.zeros(pool.enterprises.n) if c is None else c
                                 for pool, c in zip(batch.pools, competition, strict=True)]) \
            if len(competition) > 1 else competition[0]
        assert shifts is not None
        log_odds = log_odds + shifts[firms]
    return 1.0 / (1.0 + np.exp(-log_odds))


def participation_probability(world: World, net_cost_yuan: np.ndarray,
                              firms: np.ndarray | slice = slice(None)) -> np.ndarray:
    """Probability that each of ``firms`` of one run takes part in the coming year (its batch alone)."""
    return participation_probabilities(Batch([world]), net_cost_yuan, np.arange(world.enterprises.n)[firms])


def review_participation(batch: Batch) -> None:
    """Vacancies at year starts; each firm in its review week (after week 0) joins, stays or leaves.

    The reviews of all runs are decided together: the reviewing firms are found once over
    the batch, each run closes its own books (and awards its titles), and the expected
    costs, draws and decisions are made for all of them at once, each from its own run.
    """
    ent = batch.enterprises
    week = batch.week
    owners = batch.firm_worlds()  # each run's own firms, or a city's pool world
    if (ent.review_week < 0).any():
        for world in owners:
            if (world.enterprises.review_week < 0).any():
                draw_review_weeks(world)
    year_start = ProgrammeCalendar.is_year_start(week)
    if year_start:
        for world in owners:
            rate = world.scenario.enterprises.vacancy_rate_per_year
            for key, block in world.blocks_of("enterprises"):  # a city's pool: each sector from its own stream
                rng = world.streams.generator(of_block("labour_market.vacancies", key), week)
                world.enterprises.vacancies[block] = rng.poisson(rate * world.enterprises.post_staff[block])
    if week > 0:
        reviewing = np.flatnonzero(ent.review_week == week % WEEKS_PER_YEAR)
        if len(reviewing):
            hosting = dict(zip(map(id, batch.pools), batch.programmes_of_pools(), strict=True))
            close_books(ent, reviewing)  # every firm's own books: as each run closes its own
            if any(world.scenario.incentives.demonstration_unit_titles for world in owners):
                for world, firms in batch.by_run("enterprises", reviewing):
                    world.counters.reviews += len(firms)
                    if world.scenario.incentives.demonstration_unit_titles:
                        award_titles(world, firms, hosting.get(id(world)))  # a pool's: its programmes
            else:  # no titles to award: each run (or the pool) counts its reviewing firms
                counts = np.diff(np.searchsorted(reviewing, batch.groups.starts["enterprises"])).tolist()
                for world, n in zip(owners, counts, strict=True):
                    world.counters.reviews += n
            for pool, programmes in zip(batch.pools, batch.programmes_of_pools(), strict=True):
                for world in programmes:  # a city's programmes count the pool's reviews and titles as their own
                    world.counters.reviews = pool.counters.reviews
                    world.counters.demonstration_unit_years = pool.counters.demonstration_unit_years
            net_cost = expected_net_costs(batch, reviewing)
            # each run draws up to its last reviewing firm (a stream's first draws do not depend on how many follow)
            u = batch.uniform("participation.decision", week, reviewing, population="enterprises")[reviewing]
            now = u < participation_probabilities(batch, net_cost, reviewing)
            ent.participating[reviewing] = now
            ent.demonstration_unit[reviewing] &= now
    if year_start:
        # a city's programmes share the pool: each counts the pool's share taking part as its own
        for world in batch.worlds if not batch.pools else (*batch.pools, *batch.worlds):
            world.counters.participation_years.append(float(world.enterprises.participating.mean()))


def decide_participation(world: World) -> None:
    """The participation phase of one run (``review_participation`` of its batch alone)."""
    review_participation(Batch([world]))


MECHANISM = Mechanism(
    name="participation",
    spans_cities=True,  # the pools only through Batch's methods
    step=None,
    batch_step=review_participation,
    reads=("enterprises.capacity", "enterprises.certified", "enterprises.hires_from_placements",
           "enterprises.placements_ended", "enterprises.post_staff", "enterprises.satisfaction_count",
           "enterprises.satisfaction_sum", "enterprises.staff", "enterprises.willingness", "students.host",
           "students.practical_skill", "students.professionalism", "students.stage", "students.theory"),
    writes=("counters.demonstration_unit_years", "counters.participation_years", "counters.reviews",
            "enterprises.demonstration_unit",
            "enterprises.last_net_cost_per_apprentice_week", "enterprises.participating", "enterprises.review_week",
            "enterprises.vacancies", "enterprises.year_apprentice_weeks", "enterprises.year_benefit_yuan",
            "enterprises.year_cost_yuan"),
    state=(
        StateField("enterprises", "vacancies", np.int32, 0, "job vacancies left this year"),
        StateField("enterprises", "last_net_cost_per_apprentice_week", np.float64, np.nan,
                   "the firm's last known training net cost per apprentice-week (less subsidies received), yuan; "
                   "NaN before it hosted"),
        StateField("enterprises", "review_week", np.int16, -1,
                   "week of the year (0-51) of the firm's yearly review; -1 until drawn in week 0"),
        StateField("enterprises", "demonstration_unit", bool, False, "holds the demonstration-unit title this year"),
    ),
    streams=("labour_market.vacancies", "participation.decision", "participation.review_week"),
    outcomes=(
        Outcome("enterprise_participation_rate", "Enterprise participation",
                "Share of the enterprise pool taking part, mean over the years.", Unit.SHARE,
                lambda world, totals: mean_of(world.counters.participation_years), headline=True),
        Outcome("demonstration_unit_share", "Reviews ending in a demonstration-unit title",
                "Share of the firms' yearly reviews (after week 0) at which the firm earned the demonstration-unit "
                "title (0 when titles are off).", Unit.SHARE,
                lambda world, totals: rate(world.counters.demonstration_unit_years, world.counters.reviews)),
    ),
)
