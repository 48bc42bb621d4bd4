"""Running a city: its programmes simulated together, sharing one pool of enterprises.

Why one batch: the city's programmes place apprentices with the same firms, under caps
that count every school's interns (issue 18, "The city"), so their weeks must be simulated
together. Each programme keeps its own world (scenario, random streams, calendar, ledger,
counters, event log, students, school mentors); the city's enterprises and enterprise
mentors are one pool, held by a *pool world* with the city's own random streams and the
firms' scenario sections, and every programme's world holds that pool
(``sim.engine.batch``: a batch with a shared pool). The phases over the pool run once a
week (participation, mentor turnover and training, the mentors' effort, the firms' books);
the placement round is one matching of every programme's students to the pool's places
(``sim.mechanisms.placement.place_in_city``); the phases over students stay per programme.

Randomness: one seed for the city. Programme ``p``'s streams are keyed by its name and the
pool's by ``POOL_SEED_NAME``, so adding a programme leaves every other programme's and the
pool's draws as they were; firm ``j`` of a sector has element ``j`` of its sector's streams
(``create_city_enterprises``). A programme scenario on its own is a city of one
(``city_of_one``): it keeps its own firms and streams and runs exactly as ``run_one``.

Outcomes (docs/city.md §8): each programme's from its own world; the firms' outcomes
(participation, satisfaction, the tax credit, the firms' net benefit) are the pool's, the
city's, the same in every programme's row; the tax expenditure is counted once, for the
city, not in a programme's public cost.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.engine.batch import Batch
from sim.engine.calendar import build_calendar
from sim.engine.clock import WeeklyClock
from sim.engine.declarations import SET_UP, StateField, Unit, build_arrays
from sim.engine.events import EventLog
from sim.engine.mechanism import Mechanism
from sim.engine.population import EnterpriseMentors, Enterprises, SchoolMentors, Students
from sim.engine.streams import RandomStreams, stream_key
from sim.engine.world import CityBureau, Curriculum, RunTotals, SectorDemand, World
from sim.initial_world import build_world
from sim.mechanisms.curriculum import starting_alignment
from sim.mechanisms.enterprise_accounts import net_benefit_yuan
from sim.mechanisms.enterprise_pool import create_city_enterprises
from sim.mechanisms.funding import new_ledger
from sim.mechanisms.labour_market import hosted_at_decision
from sim.mechanisms.mentor_selection import select_enterprise_mentors
from sim.phases import MECHANISMS, declared_outcomes, declared_streams, state_fields, weekly_phases
from sim.results import (
    Recorder,
    Recorders,
    RunResult,
    record_week,
    run_totals,
    student_records,
    summarise,
    training_market,
)
from sim.scenario.city import CityPlan
from sim.scenario.city_loading import load_city
from sim.scenario.loading import ScenarioError
from sim.scenario.schema import WEEKS_PER_YEAR, Scenario

POOL_SEED_NAME = "pool of the city"
"""What the pool world's seed is keyed by (a programme's: ``programme.<name>``)."""

POOL_OUTCOMES = ("tax_credit_yuan", "tax_credit_carried_yuan", "enterprise_satisfaction",
                 "enterprise_satisfaction_skill_fit", "enterprise_satisfaction_professionalism",
                 "enterprise_satisfaction_contribution", "enterprise_satisfaction_retention",
                 "enterprise_participation_rate", "demonstration_unit_share", "enterprise_mentor_vacancy_share",
                 "mean_enterprise_mentor_technical_skill", "enterprise_first_year_net_cost_yuan_per_apprentice",
                 "mentor_allowance_paid_by_firms_yuan")
"""Outcomes of the city's firms: in a city of several programmes, the pool's, the same in every programme's row."""

CITY_TOTALS = ("enterprise_net_benefit_yuan_per_placement", "public_cost_yuan", "tax_expenditure_yuan",
               "city_subsidy_yuan", "certified_enterprises", "special_fund_paid_yuan", "searchers_per_vacancy_met")
"""The city row's own figures (``city_firms``), over the programmes' sums and means: the pool's books, the public
cost with the tax expenditure and the city's subsidy, the bureau's fund, the labour market's ratio (docs/city.md §8)."""


def city_outcome_names(plan: CityPlan, mechanisms: tuple[Mechanism, ...] = MECHANISMS) -> list[str]:
    """The names ``CityResult.outcomes()`` may give for this city (what a sweep or calibration target may name)."""
    own = [o.name for o in declared_outcomes(mechanisms)]
    city = list(dict.fromkeys([*own, *CITY_TOTALS]))
    rows = [*own, "special_fund_paid_yuan"]
    schools = dict.fromkeys(p.school for p in plan.programmes)
    return [*city, *(f"schools.{school}.{name}" for school in schools for name in rows),
            *(f"programmes.{p.name}.{name}" for p in plan.programmes for name in rows)]


def _graduates(world: World, totals: RunTotals) -> float:
    return float(len(totals.graduates))


def _observed(world: World, totals: RunTotals) -> float:
    return float(np.count_nonzero(totals.observed))


def _seen_at(snapshot: str) -> Callable[[World, RunTotals], float]:
    return lambda world, totals: float(np.count_nonzero(getattr(world.students, snapshot) > 0))


DENOMINATORS: dict[str, Callable[[World, RunTotals], float]] = {
    "placement_rate": lambda world, totals: float(np.count_nonzero(totals.finished)),
    "never_placed_share": lambda world, totals: float(np.count_nonzero(
        world.students.reached_enterprise_period & totals.finished)),
    "completion_rate": _observed,
    "dropout_rate": _observed,
    "certificate_pass_rate": _graduates,
    "mean_certificates_per_graduate": _graduates,
    "further_study_rate": _graduates,
    "employment_rate_at_graduation": _seen_at("stage_at_graduation"),
    "job_employment_rate_at_graduation": _seen_at("stage_at_graduation"),
    "initial_employment_rate": _seen_at("stage_at_initial_cutoff"),
    "employment_rate_6m": _seen_at("stage_at_6m"),
    "job_employment_rate_6m": _seen_at("stage_at_6m"),
    "employment_rate_12m": _seen_at("stage_at_12m"),
    "job_employment_rate_12m": _seen_at("stage_at_12m"),
    "host_retention_rate": lambda world, totals: float(len(hosted_at_decision(world, totals))),
    "practice_hours_cut_share": lambda world, totals: world.counters.practice_hours_planned,
    "cost_per_graduate_yuan": _graduates,
    "public_cost_per_graduate_yuan": _graduates,
}
"""What each of these outcomes of a programme is a share or a mean of (its denominator): the school and city rows
weigh the programmes' figures by it, which gives the figure of all their students together; an outcome not named
here is weighed by the programmes' students (an approximation, said in docs/city.md §5)."""

FIRM_SECTIONS = ("enterprises", "enterprise_mentors", "participation")
"""Scenario sections a shared firm acts on: every programme of a city must agree on them (the city's size and
sectors of firms aside, which the city file gives)."""

FIRM_KEYS = ("incentives.certified_enterprise_share", "incentives.tax_credit_share",
             "incentives.enterprise_mentor_salary_subsidy_yuan_per_month", "incentives.demonstration_unit_titles",
             "incentives.demonstration_unit_value_yuan", "incentives.mentor_honours", "incentives.honours_share",
             "incentives.honours_effort", "incentives.effort_per_1000_yuan_month",
             "funding.firms_pay_mentor_allowance", "contact.adjustment_rate_per_week",
             "contact.placement_fit_gain", "intake.enrol_to_committed_places")
"""Single keys of other sections that shared firms or mentors act on (the same rule as ``FIRM_SECTIONS``)."""

CITY_SIZE_KEYS = frozenset({"enterprises.count", "enterprises.staff_median", "enterprises.staff_log_sd"})
"""Firm keys a programme may set differently: the city's pool replaces its own firms."""


@dataclass
class CityResult:
    """Everything a city run produced: each programme's run, and the city's tables."""

    city_name: str
    seed: int
    programmes: dict[str, RunResult]
    schools: dict[str, str]
    """Each programme's school."""
    pool_training_market: pd.DataFrame
    """The city's training market (BIBB's indicators) by year and city sector: every programme's applicants."""
    city_firms: dict[str, float]
    """The pool's outcomes (``POOL_OUTCOMES``) and the city's totals that are not a programme's sum."""
    sectors: tuple[str, ...] = ()
    sector_names: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The sectors' names by language (``en``, ``zh``), in the order of ``sectors``."""
    wall_seconds: float = 0.0
    extra: dict[str, object] = field(default_factory=dict)

    def summary_table(self) -> pd.DataFrame:
        """One row per programme, per school and for the city (``level``: programme, school or city)."""
        rows = []
        for name, result in self.programmes.items():
            denominators = {f"denominator:{k}": v for k, v in result.extra.get("denominators", {}).items()}
            rows.append({"level": "programme", "name": name, "school": self.schools[name], **result.summary,
                         **denominators})
        programmes = pd.DataFrame(rows)
        totals = [programmes]
        for school, part in programmes.groupby("school", sort=False):
            totals.append(pd.DataFrame([{"level": "school", "name": school, "school": school,
                                         **self._aggregate(part)}]))
        totals.append(pd.DataFrame([{"level": "city", "name": self.city_name, "school": "",
                                     **self._aggregate(programmes), **self.city_firms}]))
        table = pd.concat(totals, ignore_index=True)
        return table.drop(columns=[c for c in table.columns if c.startswith("denominator:")])

    def outcomes(self) -> dict[str, float]:
        """Every number of ``summary_table`` by one name, as an experiment's run records it.

        The city's row by the outcomes' own names (``placement_rate``), a school's as
        ``schools.NAME.OUTCOME`` and a programme's as ``programmes.NAME.OUTCOME``: the
        names a sweep's ``outcomes`` or a calibration's targets give.
        """
        found: dict[str, float] = {}
        own = {o.name for o in declared_outcomes(MECHANISMS)} | {"special_fund_paid_yuan"}
        for row in self.summary_table().to_dict("records"):
            level, name = row.pop("level"), row.pop("name")
            row.pop("school")
            if level == "city":
                found.update({str(key): float(value) for key, value in row.items()})
            else:  # a programme's or school's own outcomes, not the city's columns its row holds empty
                found.update({f"{level}s.{name}.{key}": float(value) for key, value in row.items() if key in own})
        return found

    def _aggregate(self, part: pd.DataFrame) -> dict[str, float]:
        """Programmes' outcomes added up: counts and money summed, rates and means weighted by students."""
        units = {o.name: o.unit for o in declared_outcomes(MECHANISMS)}
        weights = part["n_students"].to_numpy(dtype=float)
        out: dict[str, float] = {}
        for name in part.columns:
            if name in ("level", "name", "school") or name.startswith("denominator:"):
                continue
            unit = units.get(name, Unit.YUAN)  # the city's own additions are money paid (special_fund_paid_yuan)
            values = part[name].to_numpy(dtype=float)
            if name in POOL_OUTCOMES:
                out[name] = float(values[0])
            elif _is_total(name, unit):
                out[name] = float(np.nansum(values))
            else:
                by = part[f"denominator:{name}"].to_numpy(dtype=float) if f"denominator:{name}" in part \
                    else weights
                ok = ~np.isnan(values) & (by > 0)
                out[name] = float(np.average(values[ok], weights=by[ok])) if ok.any() else float("nan")
        return out


def _is_total(name: str, unit: Unit) -> bool:
    """An outcome that adds up over programmes: a head count, a count, or money in all (not per head)."""
    if "_per_" in name or name.startswith("mean_"):
        return False
    return unit in (Unit.PERSONS, Unit.COUNT, Unit.YUAN) or name.startswith("n_")


def _firm_values(scenario: Scenario) -> dict[str, object]:
    """The values of ``scenario`` a shared firm acts on (``FIRM_SECTIONS``, ``FIRM_KEYS``), by dotted key."""
    values: dict[str, object] = {}
    for section in FIRM_SECTIONS:
        for key, value in getattr(scenario, section).model_dump().items():
            if f"{section}.{key}" not in CITY_SIZE_KEYS:
                values[f"{section}.{key}"] = value
    for dotted in FIRM_KEYS:
        section, key = dotted.split(".")
        values[dotted] = getattr(getattr(scenario, section), key)
    return values


def check_firm_agreement(plan: CityPlan) -> None:
    """Every programme of a city must give its shared firms the same parameters; name the first that differs.

    Raises:
        ScenarioError: a programme's scenario differs from the first programme's in a firm key.
    """
    if len(plan.programmes) < 2:
        return
    lead = plan.programmes[0]
    lead_values = _firm_values(lead.scenario)
    for programme in plan.programmes[1:]:
        for key, value in _firm_values(programme.scenario).items():
            if value != lead_values[key]:
                raise ScenarioError.from_template(
                    "city.firm_key_differs", plan.source, f"programmes.{programme.name}.{key}",
                    programme=repr(programme.name), firm_key=key, value=repr(value), first=repr(lead.name),
                    first_value=repr(lead_values[key]))
    if lead_values["intake.enrol_to_committed_places"]:
        raise ScenarioError.from_template("city.committed_places", plan.source,
                                          f"programmes.{lead.name}.intake.enrol_to_committed_places")
    if not plan.enterprises:
        raise ScenarioError.from_template("city.no_pool", plan.source, "enterprises")


def _seed(seed: int, name: str) -> np.random.SeedSequence:
    """The seed of one part of the city (a programme, or the pool), keyed by its name."""
    return np.random.SeedSequence(seed, spawn_key=(stream_key(name),))


def build_pool(plan: CityPlan, seed: int, mechanisms: tuple[Mechanism, ...] = MECHANISMS) -> World:
    """The city's pool world: the pool's enterprises and enterprise mentors, the city's streams, no students."""
    assert plan.enterprises is not None
    scenario = plan.programmes[0].scenario  # the programmes agree on every firm key (check_firm_agreement)
    declared = state_fields(mechanisms)
    streams = RandomStreams(_seed(seed, POOL_SEED_NAME), declared_streams(mechanisms))

    def of(population: str) -> list[StateField]:
        return [f for f in declared if f.population == population]

    groups = [(group.sector, plan.sectors[group.sector].id, group.count, group.staff_median, group.staff_log_sd)
              for group in plan.enterprises]
    firms = create_city_enterprises(scenario, streams, groups)
    # each sector's mentors from the sector's own streams, as its firms: more firms elsewhere change none of them
    parts, first, firm_blocks, mentor_blocks, first_mentor = [], 0, [], [], 0
    for _index, sector_id, count, _median, _log_sd in groups:
        part = select_enterprise_mentors(scenario, streams, firms["capacity"][first:first + count],
                                         firms["post_staff"][first:first + count],
                                         purpose=f"enterprise_mentors.{sector_id}.selection")
        part["enterprise"] = part["enterprise"] + np.int32(first)
        parts.append(part)
        firm_blocks.append((sector_id, first, count))
        mentor_blocks.append((sector_id, first_mentor, len(part["effort"])))
        first += count
        first_mentor += len(part["effort"])
    mentors = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]} if parts else \
        select_enterprise_mentors(scenario, streams, firms["capacity"], firms["post_staff"])
    no_school_mentors = {name: np.zeros(0) for name in ("teaching_years", "teaching_quality", "practical_skill",
                                                        "effort")}
    no_school_mentors.update(dual_qualified=np.zeros(0, dtype=bool), vacant_until=np.zeros(0, dtype=np.int32))
    no_students: dict[str, np.ndarray] = {f.name: np.zeros(0, dtype=f.dtype) for f in of("students")
                                          if f.initial == SET_UP}
    pool = World(
        scenario=scenario,
        streams=streams,
        calendar=build_calendar(scenario.calendar),
        students=build_arrays(Students, 0, of("students"), no_students, n=0),
        school_mentors=build_arrays(SchoolMentors, 0, of("school_mentors"), no_school_mentors),
        enterprise_mentors=build_arrays(EnterpriseMentors, len(mentors["effort"]), of("enterprise_mentors"),
                                        mentors),
        enterprises=build_arrays(Enterprises, len(firms["staff"]), of("enterprises"), firms),
        ledger=new_ledger(scenario),
        events=EventLog(False),
        curriculum=Curriculum(alignment=starting_alignment(scenario)),
        pool_shared=True,
    )
    pool.n_sectors = len(plan.sectors)
    if parts:  # the pool's weekly luck by sector, as its set-up draws: firm j of a sector draws element j
        pool.draw_blocks = {"enterprises": tuple(firm_blocks), "enterprise_mentors": tuple(mentor_blocks)}
    in_sector = np.bincount(pool.enterprises.sector, minlength=len(plan.sectors))[pool.enterprises.sector]
    competition = plan.competition
    pool.competition_log_odds = competition.log_odds_per_doubling_of_competitors * \
        np.log2(in_sector / competition.reference_competitors)
    return pool


def has_pool(plan: CityPlan) -> bool:
    """Whether the city's programmes share a pool of firms (not: a city of one programme keeping its own)."""
    return not (plan.enterprises is None or (not plan.enterprises and len(plan.programmes) == 1))


def build_city(plan: CityPlan, seed: int, events: bool = False,
               mechanisms: tuple[Mechanism, ...] = MECHANISMS) -> Batch:
    """The batch of a city's programmes: one world each, sharing the pool (a city of one: its own firms)."""
    if not has_pool(plan):
        # a city of one without a pool of its own (a programme scenario, or a city file listing no firms): the
        # programme keeps its own firms and sectors, and runs as its scenario does
        return Batch([build_world(plan.programmes[0].scenario, seed, events, mechanisms)])
    check_firm_agreement(plan)
    pool = build_pool(plan, seed, mechanisms)
    worlds = []
    for programme in plan.programmes:
        world = build_world(programme.scenario, _seed(seed, f"programme.{programme.name}"), events, mechanisms,
                            pool=pool)
        world.pool_shared = True
        world.n_sectors = len(plan.sectors)
        world.students.sector[:] = np.asarray(programme.sector_of, dtype=np.int16)[world.students.sector]
        worlds.append(world)
    demand = sector_demand(plan)
    for world in (pool, *worlds):
        world.sector_demand = demand
    names = [programme.name for programme in plan.programmes]
    base_of = [-1] * len(names)
    for index, base in enumerate(plan.bureau.training_bases):
        for name in base.programmes:
            base_of[names.index(name)] = index
    pool.bureau = CityBureau(spec=plan.bureau, hosted_by_year=[], peak_hosted=np.zeros(pool.enterprises.n, np.int64),
                             fund_paid_yuan=np.zeros(len(names)), base_of=tuple(base_of))
    return Batch(worlds, pool)


def with_labour_demand(market: pd.DataFrame, batch: Batch, demand: SectorDemand | None) -> pd.DataFrame:
    """The city's training market with its labour market beside it, by year and sector (BIBB's last indicator).

    ``graduates``: the city's students of the sector who graduated in the year (every
    programme); ``vacancies``: the city's stated demand for the year (NaN where not given);
    ``vacancies_per_graduate``: their ratio (NaN with no graduate or no demand).
    """
    s = batch.students
    done = s.week_graduated >= 0
    n_sectors = batch.worlds[0].n_sectors
    years = int(market["year"].max()) + 1 if len(market) else 0
    graduates = np.zeros((max(years, 1), n_sectors), dtype=np.int64)
    year = s.week_graduated[done] // WEEKS_PER_YEAR
    inside = year < len(graduates)
    np.add.at(graduates, (year[inside], s.sector[done][inside]), 1)
    out = market.copy()
    out["graduates"] = [int(graduates[y, k]) for y, k in zip(out["year"], out["sector"], strict=True)]
    if demand is None:
        out["vacancies"] = np.nan
    else:
        rows = demand.vacancies_per_year
        out["vacancies"] = [float(rows[min(y, len(rows) - 1), k]) for y, k in zip(out["year"], out["sector"],
                                                                                    strict=True)]
    out["vacancies_per_graduate"] = np.divide(out["vacancies"], out["graduates"],
                                              out=np.full(len(out), np.nan), where=out["graduates"] > 0)
    return out


def sector_demand(plan: CityPlan) -> SectorDemand | None:
    """The city's labour demand by sector and year, as the labour market reads it (None: no demand given)."""
    if not plan.vacancies_per_year:
        return None
    years = plan.programmes[0].scenario.simulation.horizon_years
    vacancies = np.full((years, len(plan.sectors)), np.nan)
    for sector, by_year in plan.vacancies_per_year.items():
        for year in range(years):
            vacancies[year, sector] = by_year[min(year, len(by_year) - 1)]  # the last value holds after it
    market = plan.labour_market
    return SectorDemand(vacancies_per_year=vacancies,
                        reference_searchers_per_vacancy=market.reference_searchers_per_vacancy,
                        searcher_elasticity=market.searcher_elasticity, filled=np.zeros(len(plan.sectors)))


def run_city(plan: CityPlan, seed: int = 0, *, events: bool = False, students: bool = True,
             mechanisms: tuple[Mechanism, ...] = MECHANISMS) -> CityResult:
    """Run a city to its horizon: each programme's results, and the city's tables (no I/O)."""
    return run_cities([plan], [seed], events=events, students=students, mechanisms=mechanisms)[0]


def run_cities(plans: Sequence[CityPlan], seeds: Sequence[int], *, events: bool = False, students: bool = True,
               mechanisms: tuple[Mechanism, ...] = MECHANISMS) -> list[CityResult]:
    """Run replication ``seeds[i]`` of city ``plans[i]`` for every ``i``, simulated together; results in that order.

    Why together: a city's replications (or the cities a comparison or sweep runs) pay the
    fixed cost of a simulated week once, as a batch of runs does (``sim.model.run_batch``).
    Cities with a pool of firms and the same horizon are one batch (``Batch.of_cities``):
    the phases that span cities run once over all of them, the others city by city. Each
    result is bit for bit the one the city run alone gives (its ``wall_seconds`` aside: the
    batch's time shared equally). A city of one programme keeping its own firms runs alone.
    """
    if len(plans) != len(seeds):
        raise ValueError(f"run_cities needs one seed per city, got {len(plans)} cities, {len(seeds)} seeds")
    together: dict[tuple[int, int], list[int]] = {}  # (horizon in weeks, -1: pooled; a city alone: its index)
    for i, plan in enumerate(plans):
        together.setdefault((plan.programmes[0].scenario.horizon_weeks, -1 if has_pool(plan) else i), []).append(i)
    results: list[CityResult | None] = [None] * len(plans)
    for (horizon, _), members in together.items():
        started = time.perf_counter()
        cities = [build_city(plans[i], seeds[i], events, mechanisms) for i in members]
        batch = cities[0] if len(cities) == 1 else Batch.of_cities(cities)
        clock = WeeklyClock(weekly_phases(mechanisms), batch)
        recorders = Recorders(batch.n_runs, horizon)
        while clock.now < horizon:
            clock.advance()
            record_week(batch, recorders)
        share = (time.perf_counter() - started) / len(members)
        first = 0
        for i, city in zip(members, cities, strict=True):
            results[i] = city_result(plans[i], seeds[i], city, recorders[first:first + city.n_runs], events=events,
                                     students=students, mechanisms=mechanisms, wall_seconds=share)
            first += city.n_runs
    return [r for r in results if r is not None]


def city_result(plan: CityPlan, seed: int, batch: Batch, recorders: Sequence[Recorder], *, events: bool = False,
                students: bool = True, mechanisms: tuple[Mechanism, ...] = MECHANISMS,
                wall_seconds: float = 0.0) -> CityResult:
    """The results of a city's batch as far as it has run (``run_city`` at the horizon, ``TalentModel`` any week)."""
    outcomes = declared_outcomes(mechanisms)
    results: dict[str, RunResult] = {}
    for programme, world, recorder in zip(plan.programmes, batch.worlds, recorders, strict=True):
        totals = run_totals(world, recorder)
        results[programme.name] = RunResult(
            scenario_name=programme.scenario.name, seed=seed, summary=summarise(world, recorder, outcomes),
            timeseries=recorder.frame(), students=student_records(world) if students else None,
            events=world.events.to_frame() if events else None, training_market=training_market(world),
            extra={"denominators": {name: count(world, totals) for name, count in DENOMINATORS.items()}})
    pool = batch.pool
    city_firms: dict[str, float] = {}
    if pool is not None:
        placements = sum(w.counters.placements for w in batch.worlds)
        city_firms["enterprise_net_benefit_yuan_per_placement"] = \
            float(net_benefit_yuan(pool).sum()) / placements if placements else float("nan")
        tax = float(pool.enterprises.total_tax_credit_yuan.sum())
        public = sum(r.summary["public_cost_yuan"] for r in results.values())
        subsidy = pool.bureau.subsidy_paid_yuan if pool.bureau is not None else 0.0
        city_firms["public_cost_yuan"] = public + tax + subsidy
        city_firms["tax_expenditure_yuan"] = tax
        city_firms["city_subsidy_yuan"] = subsidy
        city_firms["certified_enterprises"] = float(np.count_nonzero(pool.enterprises.certified))
        if pool.bureau is not None:
            city_firms["special_fund_paid_yuan"] = float(pool.bureau.fund_paid_yuan.sum())
            for programme, paid in zip(plan.programmes, pool.bureau.fund_paid_yuan, strict=True):
                results[programme.name].summary["special_fund_paid_yuan"] = float(paid)
        if pool.sector_demand is not None:
            city_firms["searchers_per_vacancy_met"] = pool.sector_demand.ratio_met()
    market = training_market(pool) if pool is not None else next(iter(results.values())).training_market
    if pool is not None and market is not None:
        market = with_labour_demand(market, batch, pool.sector_demand)
    return CityResult(
        city_name=plan.name, seed=seed, programmes=results,
        schools={p.name: p.school for p in plan.programmes},
        pool_training_market=market if market is not None else pd.DataFrame(),
        city_firms=city_firms, sectors=tuple(s.id for s in plan.sectors),
        sector_names={"en": tuple(s.en for s in plan.sectors), "zh": tuple(s.zh for s in plan.sectors)},
        wall_seconds=wall_seconds)


def run_city_file(task: tuple[str, Mapping[str, Any] | None, int]) -> CityResult:
    """One replication of a city file (a backend's task: the file, its ``--set`` overrides, the seed)."""
    path, overrides, seed = task
    return run_city(load_city(path, overrides, overrides_source="--set"), seed, students=False)


def run_city_files(task: tuple[str, Mapping[str, Any] | None, tuple[int, ...]]) -> list[CityResult]:
    """Replications of a city file simulated together (a backend's task: the file, its overrides, the seeds)."""
    path, overrides, seeds = task
    plan = load_city(path, overrides, overrides_source="--set")
    return run_cities([plan] * len(seeds), list(seeds), students=False)


__all__ = [
    "CITY_TOTALS",
    "POOL_OUTCOMES",
    "CityResult",
    "build_city",
    "build_pool",
    "check_firm_agreement",
    "city_outcome_names",
    "city_result",
    "has_pool",
    "run_cities",
    "run_city",
    "run_city_file",
    "run_city_files",
]
