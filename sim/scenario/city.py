"""The city file: programmes, schools, one enterprise pool and one labour market by sector, the bureau.

Why a city: a city education bureau in a national pilot city of industry-education
integration plans across all its colleges (Li & Wang (n.d.) §3.3; issue 18, "The city").
Several colleges place apprentices in the same firms and their graduates look for work
in the same sectors, so the bureau's questions (which majors should grow, where the
special fund goes, which firms to certify) need every programme in one run. A city file
names the city's sectors once, from the Ministry of Education's 2021 catalogue of major
groups (``sim.scenario.sectors``); each programme is a programme scenario file as today,
whose sectors map onto the city's::

    name: example_city
    sectors: [equipment_manufacturing, 51, 财经商贸大类]     # id, code or Chinese name
    schools:
      - {name: City Polytechnic, level: higher}
    programmes:
      - name: mechatronics
        school: City Polytechnic
        scenario: programmes/mechatronics.yaml             # relative to this file
        sectors: [equipment_manufacturing, equipment_manufacturing, electronics_information, finance_commerce]
        cohort_sizes_from_year: {3: 1400}                  # the intake doubles from the fourth year
    enterprises:
      - {sector: equipment_manufacturing, count: 120}
    labour_demand:
      - {sector: equipment_manufacturing, vacancies_per_year: [900, 950, 1000]}
    bureau:
      special_fund_yuan_per_year: 5000000
      special_fund_allocation: per_apprentice

This module holds the file's schema (pydantic, closed keys at every depth, units in
names) and the resolved city a run will use (:class:`CityPlan`, built by
``sim.scenario.city_loading``); :func:`city_of_one` turns a single programme scenario into
a city of one programme. ``sim.city`` runs a resolved city (docs/city.md §5). Every
default's source is in ``CITY_SOURCES`` (docs/city.md prints them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, field_validator

from sim.messages import text
from sim.scenario.schema import Money, ProgrammeLevel, Scenario, Share, StrictModel, param
from sim.scenario.sectors import major_group

MAX_PROGRAMMES = 200
"""Most programmes a city file may hold (a large city has a few dozen colleges, each with a handful of majors)."""

MAX_YEARS = 40
"""Most years a list by year may give: the longest horizon a scenario may run (``simulation.horizon_years``)."""

SectorName = str | int
"""A major group as a city file may write it: its id, any level's code, or its Chinese name."""


def _name(value: str) -> str:
    """A name a dotted key can address: not empty, without a dot or surrounding spaces."""
    if not value.strip() or "." in value or value != value.strip() or "=" in value:
        raise ValueError(text("city.bad_name", found=repr(value)))
    return value


def _sector_id(value: SectorName) -> str:
    return major_group(value).id


CitySector = Annotated[SectorName, AfterValidator(_sector_id)]
"""A sector as written, validated and turned into its catalogue id (an error names the list item)."""


class SchoolSpec(StrictModel):
    """A school of the city: the level decides its programmes' further-study share."""

    name: str = param(..., "-", "School name", "the school's name, as programmes name it")
    level: ProgrammeLevel = param(
        ..., "-", "Level of the school",
        "secondary, higher or undergraduate, as programme.level of a scenario; the school's programmes must have "
        "this level")

    _check_name = field_validator("name")(_name)


class ProgrammeSpec(StrictModel):
    """A school's programme: a programme scenario file, its sectors in the city's terms, its intake by year."""

    name: str = param(..., "-", "Programme name",
                      "the programme's name, unique in the city; --set programmes.NAME.KEY=VALUE addresses it")
    school: str = param(..., "-", "School", "the school the programme belongs to (one of schools)")
    scenario: str = param(..., "-", "Programme scenario file",
                          "the programme's scenario file, relative to the city file's folder")
    sectors: list[CitySector] = param(
        ..., "-", "Sectors in the city's terms",
        "the city sector of each of the programme's sectors, in order (one for each of its intake.n_sectors)",
        min_length=1)
    cohort_sizes_from_year: dict[int, int] = param(
        {}, "students", "Cohort size from a year on",
        "students enrolling each year from the given year of the run on (0: the first intake); years not given "
        "keep the size before them, the first the scenario's intake.cohort_size")

    _check_name = field_validator("name")(_name)

    @field_validator("cohort_sizes_from_year")
    @classmethod
    def _sizes(cls, sizes: dict[int, int]) -> dict[int, int]:
        for year, size in sizes.items():
            if not 0 <= year < MAX_YEARS:
                raise ValueError(text("city.cohort_year_out_of_range", year=year, last=MAX_YEARS - 1))
            if size < 1:
                raise ValueError(text("city.cohort_size_not_positive", year=year, found=size))
        return dict(sorted(sizes.items()))


class EnterpriseGroupSpec(StrictModel):
    """The city's enterprises of one sector: how many, and how large (log-normal staff)."""

    sector: CitySector = param(..., "-", "Sector", "a city sector")
    count: int = param(..., "enterprises", "Number of enterprises",
                       "enterprises of the sector that can host apprentices", ge=1, le=1_000_000)
    staff_median: float = param(
        250.0, "staff", "Median enterprise staff", "median staff of the sector's enterprises (log-normal)",
        gt=0, le=10_000)
    staff_log_sd: float = param(
        0.8, "log", "Spread of enterprise size", "log-sd of the sector's enterprise staff", ge=0, le=1.5)


class LabourDemandSpec(StrictModel):
    """Vacancies open to the city's graduates in one sector, by year."""

    sector: CitySector = param(..., "-", "Sector", "a city sector")
    vacancies_per_year: list[int] = param(
        ..., "vacancies/year", "Vacancies by year",
        "vacancies open to the city's vocational graduates in each year of the run, the first year first; the last "
        "value holds for the years after it", min_length=1, max_length=MAX_YEARS)

    @field_validator("vacancies_per_year")
    @classmethod
    def _not_negative(cls, vacancies: list[int]) -> list[int]:
        for year, count in enumerate(vacancies):
            if count < 0:
                raise ValueError(text("city.vacancies_negative", year=year, found=count))
        return vacancies


class CertificationSpec(StrictModel):
    """The bureau's criteria for its list of certified firms (产教融合型企业)."""

    enabled: bool = param(False, "-", "Certified list", "the bureau keeps a list of certified firms")
    min_years_hosting: int = param(
        2, "years", "Years of hosting before certification",
        "years a firm must have hosted apprentices before the bureau certifies it (firms are built first, then "
        "certified)", ge=0, le=MAX_YEARS)
    min_apprentices_per_year: int = param(
        5, "apprentices/year", "Apprentices hosted a year",
        "apprentices a firm must host on average in those years", ge=0, le=10_000)
    max_certified_share: float = param(
        1.0, "share", "Largest certified share",
        "the most of the city's enterprise pool the bureau certifies (the best hosts first)", **Share)
    placement_priority: bool = param(
        False, "-", "Certified firms first in placement",
        "in the city's placement rounds students are offered certified firms' places before uncertified ones of "
        "the same sector fit (never before sector fit)")


class TrainingBaseSpec(StrictModel):
    """A shared training base (公共实训基地): practice hours a week, used by the programmes that share it."""

    name: str = param(..., "-", "Training base name", "the base's name, unique in the city")
    capacity_hours_per_week: float = param(
        ..., "hours/week", "Training-base capacity",
        "student practice hours the base can host in a week (workstations x hours open)", ge=0, le=1e9)
    programmes: list[str] = param(..., "-", "Programmes sharing the base", "the programmes that use the base",
                                  min_length=1)

    _check_name = field_validator("name")(_name)


SpecialFundAllocation = Literal["per_student", "per_apprentice", "by_results"]
"""How the bureau divides its special fund between programmes (a school gets its programmes' shares)."""


class BureauSpec(StrictModel):
    """The city education bureau's instruments."""

    certification: CertificationSpec = Field(default_factory=CertificationSpec)
    special_fund_yuan_per_year: float = param(
        0.0, "yuan/year", "City special fund", "the bureau's special fund for school-enterprise programmes",
        **Money)
    special_fund_allocation: SpecialFundAllocation = param(
        "per_student", "-", "Special fund allocation rule",
        "per_student (in proportion to each programme's students), per_apprentice (to its apprentices placed "
        "with a host) or by_results (to its graduates employed or in further study 6 months after graduation, "
        "the year before; per student while no programme has such graduates)")
    training_bases: list[TrainingBaseSpec] = param(
        [], "-", "Shared training bases", "the city's shared training bases and the programmes that share them")
    city_subsidy_yuan_per_apprentice_year: float = param(
        0.0, "yuan/apprentice-year", "City subsidy per apprentice",
        "what the city pays a host for each apprentice it hosts, per year (on top of a programme's own subsidy)",
        **Money)


class CityLabourMarketSpec(StrictModel):
    """The city's open market: the matching function that turns searchers and vacancies into a job-finding rate."""

    reference_searchers_per_vacancy: float = param(
        1.0, "searchers/vacancy", "Reference searchers per vacancy",
        "the ratio of searchers to vacancies at which the open market's job-finding rate is the fitted one "
        "(labour_market.open_market_job_rate_per_week)", gt=0, le=1e6)
    searcher_elasticity: float = param(
        0.5, "1", "Elasticity of hires with respect to searchers",
        "Cobb-Douglas matching function: hires grow with searchers^a x vacancies^(1-a)", ge=0, lt=1)


class CompetitionSpec(StrictModel):
    """Competition between the city's firms for the graduates they train (Mühlemann & Wolter 2007)."""

    log_odds_per_doubling_of_competitors: float = param(
        -0.15, "log-odds", "Participation per doubling of competitors",
        "change in a firm's log-odds of taking part when the firms of its sector in the city double (firms train "
        "less where more competitors are near and may hire away the graduates they trained)", ge=-5, le=5)
    reference_competitors: float = param(
        100.0, "enterprises", "Reference number of competitors",
        "firms of a sector at which competition leaves participation as the programme's parameters set it",
        gt=0, le=1e7)


class City(StrictModel):
    """A city file as written, validated key by key.

    Checks across keys (a programme's school and sectors among the city's, names used
    twice, a base's programmes) and across files (each programme's scenario) are the
    loader's, ``sim.scenario.city_loading``, which can name the key at fault.
    """

    name: str = param("city", "-", "City name", "short name of the city (default: the file's stem)")
    question: str = param("", "-", "Policy question", "the bureau's question the city file answers")
    question_zh: str = param("", "-", "Policy question in Chinese", "the question in Chinese")
    sectors: list[CitySector] = param(
        ..., "-", "Sectors", "the city's sectors: major groups of the 2021 catalogue, by id, code or Chinese name",
        min_length=1)
    schools: list[SchoolSpec] = param(..., "-", "Schools", "the city's schools", min_length=1)
    programmes: list[ProgrammeSpec] = param(
        ..., "-", "Programmes", "the schools' programmes, each a programme scenario file", min_length=1,
        max_length=MAX_PROGRAMMES)
    enterprises: list[EnterpriseGroupSpec] = param(
        [], "-", "Enterprise pool by sector", "the city's enterprises that can host apprentices, by sector")
    labour_demand: list[LabourDemandSpec] = param(
        [], "-", "Labour demand by sector",
        "vacancies by sector and year; a sector without demand keeps the open market of a single programme")
    bureau: BureauSpec = Field(default_factory=BureauSpec)
    labour_market: CityLabourMarketSpec = Field(default_factory=CityLabourMarketSpec)
    competition: CompetitionSpec = Field(default_factory=CompetitionSpec)

    @field_validator("sectors")
    @classmethod
    def _each_sector_once(cls, sectors: list[str]) -> list[str]:
        for index, sector in enumerate(sectors):
            if sector in sectors[:index]:
                raise ValueError(text("city.sector_twice", sector=sector, first=sectors.index(sector),
                                      second=index))
        return sectors


# ---------------------------------------------------------------------------- the resolved city


@dataclass(frozen=True, slots=True)
class Sector:
    """A sector of a resolved city: a catalogue major group, or a programme's own sector in a city of one."""

    id: str
    zh: str
    en: str
    code: int | None
    """The higher-vocational code of the major group; None for a programme's own unnamed sector."""


@dataclass(frozen=True, slots=True)
class ProgrammePlan:
    """One programme of a resolved city."""

    name: str
    school: str
    scenario: Scenario
    """The programme's validated scenario, overrides applied, with the city's ``cohort_sizes_from_year`` as its
    ``intake.cohort_sizes``."""
    sector_of: tuple[int, ...]
    """The city sector (an index into ``CityPlan.sectors``) of each of the programme's sectors."""
    file: str
    """The programme's scenario file as the city file resolves it (empty for a city of one built from a scenario)."""

    @property
    def cohort_sizes(self) -> tuple[int, ...]:
        """Students enrolling in each cohort (one per ``intake.n_cohorts``), first cohort first."""
        return self.scenario.intake.sizes()

    @property
    def n_students(self) -> int:
        """Students over all the programme's cohorts."""
        return self.scenario.n_students


@dataclass(frozen=True, slots=True)
class EnterpriseGroup:
    """The city's enterprises of one sector."""

    sector: int
    count: int
    staff_median: float
    staff_log_sd: float


@dataclass(frozen=True, slots=True)
class CityPlan:
    """A city resolved for a run: every name turned into an index, every programme's scenario loaded.

    What ``sim.city.run_city`` reads.
    """

    name: str
    question: str
    question_zh: str
    sectors: tuple[Sector, ...]
    schools: tuple[SchoolSpec, ...]
    programmes: tuple[ProgrammePlan, ...]
    enterprises: tuple[EnterpriseGroup, ...] | None
    """The city's pool by sector; None in a city of one, whose pool is its programme's (``enterprises``)."""
    vacancies_per_year: dict[int, tuple[int, ...]]
    """Vacancies by city sector index and year; a sector not in it has no stated demand (today's open market)."""
    bureau: BureauSpec
    labour_market: CityLabourMarketSpec
    competition: CompetitionSpec
    source: str
    """The city file, or the scenario's name for a city of one."""

    @property
    def n_students(self) -> int:
        """Students over every programme and cohort."""
        return sum(programme.n_students for programme in self.programmes)

    def programme(self, name: str) -> ProgrammePlan:
        """The programme called ``name``.

        Raises:
            KeyError: no programme has that name.
        """
        for programme in self.programmes:
            if programme.name == name:
                return programme
        raise KeyError(name)


def city_of_one(scenario: Scenario, source: str = "") -> CityPlan:
    """A single programme scenario as a city of one programme: nothing of the city added.

    The programme keeps its own sectors (unnamed: ``sector_1`` ...), its own enterprise
    pool (``enterprises`` None) and today's open market (no demand given); the bureau has
    no fund, base, subsidy or certified list. So a run of this city must give what a run
    of the scenario gives, bit for bit: the requirement the engine's city will be held to.

    Args:
        scenario: the validated programme scenario.
        source: where it came from, for messages (default: the scenario's name).
    """
    n_sectors = scenario.intake.n_sectors
    sectors = tuple(Sector(f"sector_{i + 1}", f"行业 {i + 1}", f"sector {i + 1}", None) for i in range(n_sectors))
    school = SchoolSpec(name=scenario.name, level=scenario.programme.level)
    programme = ProgrammePlan(
        name=scenario.name, school=school.name, scenario=scenario, sector_of=tuple(range(n_sectors)), file="")
    return CityPlan(name=scenario.name, question=scenario.question, question_zh=scenario.question_zh,
                    sectors=sectors, schools=(school,), programmes=(programme,), enterprises=None,
                    vacancies_per_year={}, bureau=BureauSpec(), labour_market=CityLabourMarketSpec(),
                    competition=CompetitionSpec(), source=source or scenario.name)


def cohort_sizes(first_size: int, n_cohorts: int, from_year: dict[int, int]) -> tuple[int, ...]:
    """Students of each cohort: ``first_size`` until a year of ``from_year`` changes it, that size from then on."""
    sizes = []
    size = first_size
    for year in range(n_cohorts):
        size = from_year.get(year, size)
        sizes.append(size)
    return tuple(sizes)


# ---------------------------------------------------------------------------- sources of the defaults

_A = "assumption"
CITY_SOURCES: dict[str, str] = {
    "name": "label of the city (not a model quantity)",
    "question": "label of the city (not a model quantity)",
    "question_zh": "label of the city (not a model quantity)",
    "sectors": "required; Ministry of Education, 职业教育专业目录（2021年） (19 major groups)",
    "schools": "required",
    "programmes": "required",
    "programmes[].cohort_sizes_from_year": "none by default: every cohort the scenario's intake.cohort_size",
    "enterprises": "none by default: no city pool (a city of one uses its programme's)",
    "enterprises[].staff_median": "the scenario default enterprises.staff_median (assumption)",
    "enterprises[].staff_log_sd": "the scenario default enterprises.staff_log_sd (assumption)",
    "labour_demand": "none by default: the open market of a single programme (docs/model.md §7.17)",
    "bureau.certification.enabled": "off by default (assumption: the list is the bureau's instrument, which a city "
                                    "turns on)",
    "bureau.certification.min_years_hosting": "assumption (the national measures certify firms already built up, "
                                              "'先建后认': NDRC & Ministry of Education, 建设产教融合型企业实施办法"
                                              "（试行）, 2019, Art. 3; no number of years)",
    "bureau.certification.min_apprentices_per_year": _A,
    "bureau.certification.max_certified_share": "assumption (no quota: every firm that meets the criteria)",
    "bureau.certification.placement_priority": "off by default (assumption; a proposal: docs/model.md states no "
                                               "placement priority for certified firms)",
    "bureau.special_fund_yuan_per_year": "none by default (assumption: the bureau's fund is what a city file gives)",
    "bureau.special_fund_allocation": "assumption (per student: the usual basis of per-student funding, 生均拨款)",
    "bureau.training_bases": "none by default",
    "bureau.city_subsidy_yuan_per_apprentice_year": "none by default (assumption)",
    "labour_market.reference_searchers_per_vacancy": "assumption (one searcher per vacancy; a city file should "
                                                     "set its baseline's own ratio: "
                                                     "benchmarks/city_reference_ratio.py)",
    "labour_market.searcher_elasticity": "Petrongolo & Pissarides (2001): elasticity of hires with respect to "
                                         "unemployment 0.5-0.7; the lower end",
    "competition.log_odds_per_doubling_of_competitors": (
        "the sign from Mühlemann & Wolter (2007): Swiss firms are less likely to train where more competing firms "
        "are in the same area; the channel from Stockinger & Zwick (2017): lower retention of the apprentices "
        "trained; the size an assumption (their coefficients were not read here)"),
    "competition.reference_competitors": "assumption (a round number; a city file should set its baseline's own "
                                         "competition, as the calibrated participation reflects it: docs/city.md §5)",
}
"""The source of each city key's default (or "required"), by dotted key; ``tests/test_city.py`` checks each has one."""


def city_keys(model: type[StrictModel] = City, prefix: str = "") -> dict[str, bool]:
    """Every key of the city schema, dotted, and whether it is required (has no default).

    A section (``bureau``) is not a key itself, only its keys are; a list of entries is a
    key and so are its entries' keys (``programmes``, ``programmes[].name``).
    """
    keys: dict[str, bool] = {}
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        inner = _item_model(field.annotation)
        listed = getattr(field.annotation, "__origin__", None) is list
        if inner is None or listed:
            keys[key] = field.is_required()
        if inner is not None:
            keys.update(city_keys(inner, f"{key}[]." if listed else f"{key}."))
    return keys


TABLE_BEGIN = "<!-- BEGIN CITY KEYS (generated by sim.scenario.city; do not edit by hand) -->"
"""The line after which ``docs/city.md`` carries the generated table of the city file's keys."""

TABLE_END = "<!-- END CITY KEYS -->"
"""The line before which that table ends."""


def city_table_markdown() -> str:
    """The table of every key of a city file (unit, default, meaning, source) that ``docs/city.md`` carries.

    ``tests/test_city.py`` fails when the table in the documentation differs from this one.
    """
    rows = ["| key | unit | default | meaning | source |", "|---|---|---|---|---|"]
    for key, required in city_keys().items():
        field = city_field(key)
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        default = "required" if required else f"`{_shown_default(field.get_default(call_default_factory=True))}`"
        source = CITY_SOURCES.get(key) or "required"
        rows.append(f"| `{key}` | {extra.get('unit', '-')} | {default} | {field.description or ''} | {source} |")
    return "\n".join(rows) + "\n"


def _shown_default(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.1f}"
    return repr(value) if isinstance(value, str) else str(value)


def city_field(key: str) -> Any:
    """The schema field of a dotted city key (``programmes[].name``)."""
    model: type[StrictModel] | None = City
    field = None
    for part in key.replace("[]", "").split("."):
        assert model is not None, key
        field = model.model_fields[part]
        model = _item_model(field.annotation)
    return field


def _item_model(annotation: Any) -> type[StrictModel] | None:
    """The model a field holds (itself, or as the items of a list), or None."""
    if isinstance(annotation, type) and issubclass(annotation, StrictModel):
        return annotation
    args = getattr(annotation, "__args__", ())
    if getattr(annotation, "__origin__", None) is list and args and isinstance(args[0], type) \
            and issubclass(args[0], StrictModel):
        return args[0]
    return None


__all__ = ["CITY_SOURCES", "TABLE_BEGIN", "TABLE_END", "BureauSpec", "City", "CityPlan", "CompetitionSpec",
           "EnterpriseGroup",
           "ProgrammePlan", "ProgrammeSpec", "Sector", "city_field", "city_keys", "city_of_one", "city_table_markdown",
           "cohort_sizes"]
