"""The scenario schema: every parameter of the model, its default, unit and meaning.

A scenario file says only what differs from these defaults. Every field carries a
unit (``json_schema_extra={"unit": ...}``) and a one-line description, which
``talentsim params`` lists and ``docs/model.md`` cites with its source. Unknown keys
are errors at every depth (``extra="forbid"``): a typo must never be silently ignored.

Units: weeks and years of simulated time, yuan (CNY), hours, points on a 0-100 skill
scale, shares in [0, 1]. Abilities are standardised (mean 0, sd 1).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

WEEKS_PER_YEAR = 52
"""Simulated weeks in one academic year (a fixed convention, not a parameter)."""


def param(default: Any, unit: str, description: str, **constraints: Any) -> Any:
    """A model parameter: a pydantic Field with a unit and a one-line description."""
    return Field(default, description=description, json_schema_extra={"unit": unit}, **constraints)


class StrictModel(BaseModel):
    """Base of every scenario section: unknown keys forbidden, assignment validated."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)


Share = dict(ge=0.0, le=1.0)
Positive = dict(gt=0)
NonNegative = dict(ge=0)


class SimulationParams(StrictModel):
    """How long the run lasts."""

    horizon_years: int = param(
        6, "years", "simulated time; 6 follows three yearly cohorts of a 3-year programme "
        "to 12 months after the last graduation", ge=1, le=40)


class IntakeParams(StrictModel):
    """Who enrols: one cohort at the start of each academic year."""

    cohort_size: int = param(700, "students", "students enrolling each year", **Positive)
    n_cohorts: int = param(3, "cohorts", "number of yearly cohorts enrolled", ge=1, le=30)
    ability_sd: float = param(1.0, "sd", "spread of standardised ability (mean 0)", **NonNegative)
    motivation_mean: float = param(0.6, "share", "mean initial motivation (0-1)", gt=0.0, lt=1.0)
    motivation_concentration: float = param(
        8.0, "1", "Beta concentration of initial motivation (higher = less spread)", **Positive)
    initial_theory_mean: float = param(30.0, "points", "mean theory score at enrolment", ge=0, le=100)
    initial_practical_skill_mean: float = param(
        15.0, "points", "mean practical-skill score at enrolment", ge=0, le=100)
    initial_professionalism_mean: float = param(
        30.0, "points", "mean professionalism score at enrolment", ge=0, le=100)
    initial_skill_sd: float = param(8.0, "points", "spread of the three initial skill scores", **NonNegative)
    n_sectors: int = param(4, "sectors", "majors / industry sectors students and firms belong to", ge=1, le=50)


class Block(StrictModel):
    """One stretch of a custom programme calendar."""

    weeks: int = param(20, "weeks", "length of this block", ge=1, le=520)
    location: Literal["school", "enterprise", "holiday"] = param(
        "school", "-", "where the student is during the block")
    stage: Literal["basic", "skill", "internship"] = param(
        "basic", "-", "programme stage during the block")


class CalendarParams(StrictModel):
    """The programme's schedule pattern in weeks since enrolment."""

    schedule: Literal["2+1", "1.5+1.5", "alternating", "school_only", "custom"] = param(
        "2+1", "-", "schedule pattern: years at school + years in the enterprise, alternating "
        "semesters, school only with a short internship, or custom blocks")
    programme_years: int = param(3, "years", "length of the programme", ge=1, le=6)
    teaching_weeks_per_semester: int = param(
        20, "weeks", "teaching weeks in each of the two semesters; the rest of a 26-week "
        "half-year is holiday", ge=4, le=26)
    internship_weeks: int = param(
        12, "weeks", "length of the final internship under the school_only pattern", ge=1, le=52)
    custom_blocks: list[Block] = param(
        [], "-", "the calendar when schedule is custom: blocks in order from enrolment")

    @model_validator(mode="after")
    def validate_custom_blocks(self) -> CalendarParams:
        """A custom schedule needs blocks; blocks must fit inside the programme."""
        total = sum(b.weeks for b in self.custom_blocks)
        if self.schedule == "custom" and not self.custom_blocks:
            raise ValueError("schedule 'custom' needs calendar.custom_blocks (a list of blocks)")
        if total > self.programme_years * WEEKS_PER_YEAR:
            raise ValueError(
                f"calendar.custom_blocks last {total} weeks, longer than "
                f"programme_years x 52 = {self.programme_years * WEEKS_PER_YEAR}")
        return self


class ProgrammeParams(StrictModel):
    """The school-enterprise programme itself."""

    dual_mentor: bool = param(
        True, "-", "apprentices get an enterprise mentor (false: unmentored internship posts)")
    curriculum_alignment: float = param(
        0.6, "share", "how well the curriculum matches enterprise post standards (co-developed "
        "curricula raise it)", **Share)
    school_practice_hours_share: float = param(
        0.3, "share", "share of school weeks spent in on-campus practical training", **Share)


class SchoolMentorParams(StrictModel):
    """On-campus mentors (professional teachers)."""

    students_per_mentor: float = param(
        20.0, "students/mentor", "enrolled students per school mentor (sets the pool size)", gt=0, le=1000)
    guidance_hours_per_week: float = param(
        10.0, "hours/week", "mentoring hours one school mentor can give per week at full effort", **Positive)
    desired_hours_per_student_week: float = param(
        0.5, "hours/week", "guidance a student needs per week for full benefit", **Positive)
    dual_qualified_share: float = param(
        0.5, "share", "share of school mentors who are dual-qualified (have enterprise practice)", **Share)
    teaching_quality_mean: float = param(0.7, "share", "mean teaching quality (0-1)", **Share)
    practical_skill_dual_qualified: float = param(
        0.7, "share", "mean practical skill of a dual-qualified school mentor (0-1)", **Share)
    practical_skill_other: float = param(
        0.35, "share", "mean practical skill of a school mentor without enterprise practice (0-1)", **Share)
    min_teaching_years: float = param(3.0, "years", "selection rule: minimum years of teaching", **NonNegative)
    base_effort: float = param(0.75, "share", "effort without incentives (0-1)", **Share)
    remuneration_yuan_per_month: float = param(
        300.0, "yuan/month", "mentoring allowance per school mentor, paid from programme funds", **NonNegative)
    turnover_rate_per_year: float = param(0.05, "1/year", "annual hazard that a school mentor leaves", **NonNegative)
    replacement_delay_weeks: int = param(
        8, "weeks", "weeks a vacated mentor post stays empty before a replacement starts", ge=0, le=104)


class EnterpriseMentorParams(StrictModel):
    """Enterprise mentors (master craftsmen)."""

    apprentices_per_mentor: int = param(
        4, "apprentices/mentor", "most apprentices one enterprise mentor may take", ge=1, le=100)
    guidance_hours_per_week: float = param(
        6.0, "hours/week", "guidance hours one enterprise mentor can give per week at full effort", **Positive)
    desired_hours_per_apprentice_week: float = param(
        2.0, "hours/week", "guidance an apprentice needs per week for full benefit", **Positive)
    technical_skill_mean: float = param(0.8, "share", "mean technical skill (0-1)", **Share)
    pedagogical_skill_mean: float = param(
        0.4, "share", "mean pedagogical skill (0-1): 'can do but cannot teach'", **Share)
    min_frontline_years: float = param(5.0, "years", "selection rule: minimum years of frontline work", **NonNegative)
    base_effort: float = param(0.55, "share", "effort without incentives (0-1)", **Share)
    remuneration_yuan_per_month: float = param(
        300.0, "yuan/month", "teaching allowance per active enterprise mentor, paid from programme funds",
        **NonNegative)
    hourly_cost_yuan: float = param(
        80.0, "yuan/hour", "what an hour of a mentor's time costs the enterprise", **NonNegative)
    turnover_rate_per_year: float = param(
        0.10, "1/year", "annual hazard that an enterprise mentor leaves", **NonNegative)
    replacement_delay_weeks: int = param(
        8, "weeks", "weeks a vacated enterprise-mentor post stays empty", ge=0, le=104)


class ContactParams(StrictModel):
    """Seed 003's contact rules between the two kinds of mentor."""

    school_mentor_visits_per_month: float = param(
        2.0, "visits/month", "enterprise visits per school mentor with apprentices placed", **NonNegative)
    enterprise_mentor_school_sessions_per_semester: float = param(
        4.0, "sessions/semester", "teaching sessions at school per enterprise mentor", **NonNegative)
    hours_per_visit: float = param(4.0, "hours", "school-mentor hours one enterprise visit takes", **NonNegative)
    cost_yuan_per_visit: float = param(150.0, "yuan", "travel cost of one visit, paid from programme funds",
                                       **NonNegative)
    alignment_gain: float = param(
        0.35, "share", "most that full contact adds to curriculum alignment (towards 1)", **Share)
    adjustment_rate_per_week: float = param(
        0.05, "1/week", "speed at which coordination follows the contact actually made", **Share)


class LearningParams(StrictModel):
    """Weekly skill growth (points on the 0-100 scale)."""

    theory_points_per_week: float = param(
        1.3, "points/week", "theory gain per teaching week at full input, before diminishing returns", **NonNegative)
    practical_skill_points_per_week: float = param(
        2.4, "points/week", "practical-skill gain per week at full input, before diminishing returns",
        **NonNegative)
    professionalism_points_per_week: float = param(
        1.2, "points/week", "professionalism gain per week at full input, before diminishing returns",
        **NonNegative)
    classroom_share: float = param(
        0.6, "share", "share of school theory input that comes from classes rather than mentoring", **Share)
    unmentored_practice_share: float = param(
        0.35, "share", "practical input of a post without a mentor, relative to a mentored one", **Share)
    ability_effect_per_sd: float = param(
        0.15, "1/sd", "relative change in learning per standard deviation of ability", **NonNegative)
    motivation_effect: float = param(
        0.5, "1", "relative change in learning between motivation 0.5 and 1", ge=0.0, le=1.0)
    noise_sd: float = param(0.3, "1", "sd of the weekly multiplicative learning shock", **NonNegative)
    motivation_adjustment_per_week: float = param(
        0.02, "1/week", "speed at which motivation follows the support received", **Share)


class AttritionParams(StrictModel):
    """Dropout and early termination of apprenticeships."""

    dropout_rate_per_year: float = param(
        0.03, "1/year", "dropout hazard of a well-supported, well-placed, motivated student", **NonNegative)
    support_effect: float = param(
        1.2, "log-hazard", "added log-hazard at zero guidance (scaled by the guidance shortfall)", **NonNegative)
    fit_effect: float = param(0.6, "log-hazard", "added log-hazard of a placement outside the student's sector",
                              **NonNegative)
    motivation_effect: float = param(
        2.0, "log-hazard", "added log-hazard per unit of motivation below 0.5", **NonNegative)
    termination_rate_per_year: float = param(
        0.05, "1/year", "hazard that a host ends an apprenticeship whose skill meets its post", **NonNegative)
    termination_skill_gap_effect: float = param(
        0.05, "log-hazard/point", "added log-hazard per practical-skill point below the post's need", **NonNegative)
    dropout_after_termination: float = param(
        0.3, "share", "chance that a student whose apprenticeship ends leaves the programme", **Share)


class CertificationParams(StrictModel):
    """1+X skill certificates: exam sessions at the end of each semester."""

    thresholds_points: list[float] = param(
        [52.0, 66.0], "points", "exam-score pass mark of each X certificate, in order", min_length=1, max_length=5)
    difficulty_scale_points: float = param(
        5.0, "points", "logistic spread of the pass probability around the mark", **Positive)
    practical_weight: float = param(0.8, "share", "weight of practical skill in the exam score (rest theory)", **Share)
    first_exam_year: int = param(2, "programme year", "first programme year with exam sessions", ge=1, le=6)
    max_attempts: int = param(3, "attempts", "sittings allowed per certificate (first try + retakes)", ge=1, le=10)
    exam_fee_yuan: float = param(200.0, "yuan", "fee per sitting, paid from programme funds", **NonNegative)


class EvaluationParams(StrictModel):
    """Composite student score (seed 003, section 5.3)."""

    theory_weight: float = param(0.3, "share", "weight of theory in the composite score", **Share)
    practical_skill_weight: float = param(0.5, "share", "weight of practical skill in the composite score", **Share)
    professionalism_weight: float = param(0.2, "share", "weight of professionalism in the composite score", **Share)

    @model_validator(mode="after")
    def validate_weights_sum_to_one(self) -> EvaluationParams:
        """The three weights are shares of one score."""
        total = self.theory_weight + self.practical_skill_weight + self.professionalism_weight
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"evaluation weights must add up to 1, they add up to {total:g}")
        return self


class LabourMarketParams(StrictModel):
    """Graduation, host offers, the open market and further study."""

    job_search_weeks_before_graduation: int = param(
        16, "weeks", "weeks before graduation when hosts decide and others start searching", ge=0, le=52)
    host_hire_bar_points: float = param(
        50.0, "points", "composite score a host needs to offer a job, for a post of level 0", **NonNegative)
    host_bar_per_post_level_points: float = param(
        20.0, "points", "extra composite needed per unit of the post's technical level", **NonNegative)
    not_seeking_share: float = param(
        0.05, "share", "share of graduates not seeking work in their first year (e.g. preparing for exams)",
        **Share)
    further_study_share: float = param(
        0.063, "share", "share of graduates going on to a bachelor's (counted as employed)", **Share)
    open_market_job_rate_per_week: float = param(
        0.06, "1/week", "weekly job-finding hazard on the open market at composite 50", **NonNegative)
    composite_effect_per_point: float = param(
        0.02, "log-hazard/point", "change in job-finding log-hazard per composite point above 50", **NonNegative)
    certificate_effect: float = param(
        0.3, "log-hazard", "change in job-finding log-hazard per certificate held", **NonNegative)
    job_loss_rate_per_year: float = param(0.08, "1/year", "hazard that an employed graduate loses the job",
                                          **NonNegative)


class EnterpriseParams(StrictModel):
    """Host enterprises and their posts."""

    count: int = param(70, "enterprises", "enterprises the programme can work with", ge=1, le=1_000_000)
    staff_median: float = param(250.0, "staff", "median staff of an enterprise (log-normal)", **Positive)
    staff_log_sd: float = param(0.8, "log", "log-sd of enterprise staff", **NonNegative)
    post_staff_share: float = param(
        0.3, "share", "share of an enterprise's staff in the posts apprentices take", gt=0.0, le=1.0)
    slots_offered_mean: float = param(20.0, "apprentices", "apprentice places an enterprise offers, mean",
                                      **Positive)
    firm_intern_cap_share: float = param(
        0.10, "share", "interns may be at most this share of a firm's staff", **Share)
    post_intern_cap_share: float = param(
        0.20, "share", "interns may be at most this share of one post's staff", **Share)
    post_level_alpha: float = param(2.0, "1", "Beta alpha of the posts' technical level (0-1)", **Positive)
    post_level_beta: float = param(4.0, "1", "Beta beta of the posts' technical level: mostly low", **Positive)
    initial_participation_share: float = param(
        0.8, "share", "share of enterprises taking part in the first year", **Share)
    vacancy_rate_per_year: float = param(
        0.10, "share/year", "vacancies per year as a share of post staff", **NonNegative)


class ParticipationParams(StrictModel):
    """The yearly decision of each enterprise to join, stay or leave."""

    apprentice_wage_yuan_per_week: float = param(
        500.0, "yuan/week", "what a host pays an apprentice per enterprise week", **NonNegative)
    consumables_yuan_per_apprentice_week: float = param(
        150.0, "yuan/week", "equipment, materials and other training costs per apprentice enterprise week",
        **NonNegative)
    skilled_output_yuan_per_week: float = param(
        2000.0, "yuan/week", "value a skilled worker produces per week in the post", **NonNegative)
    productive_time_share: float = param(
        0.6, "share", "share of an apprentice's enterprise time spent in productive work", **Share)
    hiring_cost_saved_yuan: float = param(
        10000.0, "yuan", "recruitment and induction cost saved by hiring an own apprentice", **NonNegative)
    willingness_log_odds: float = param(
        1.0, "log-odds", "mean willingness to take part beyond money ('enterprises cold' < 0)")
    willingness_sd: float = param(1.0, "log-odds", "spread of willingness across enterprises", **NonNegative)
    net_cost_sensitivity_per_10k_yuan: float = param(
        1.0, "log-odds", "fall in the log-odds of taking part per 10,000 yuan of expected net cost per apprentice",
        **NonNegative)
    satisfaction_effect: float = param(
        2.0, "log-odds", "rise in log-odds per unit of satisfaction above 0.5", **NonNegative)
    stay_bonus_log_odds: float = param(1.5, "log-odds", "inertia: extra log-odds for a firm already taking part",
                                       **NonNegative)


class FundingParams(StrictModel):
    """The programme ledger: money in by source, money out by use."""

    school_special_fund_yuan_per_year: float = param(
        1_400_000.0, "yuan/year", "school special funds paid in at the start of each year", **NonNegative)
    government_yuan_per_year: float = param(
        800_000.0, "yuan/year", "government programme funds paid in at the start of each year", **NonNegative)
    enterprise_cost_sharing_yuan_per_apprentice_year: float = param(
        300.0, "yuan/apprentice/year", "enterprise cost-sharing per apprentice hosted, paid in yearly",
        **NonNegative)
    training_base_yuan_per_student_week: float = param(
        25.0, "yuan/week", "on-campus training-base running cost per student per school teaching week", **NonNegative)


class IncentiveParams(StrictModel):
    """Incentives for mentors and enterprises (seed 003, section 6)."""

    apprentice_subsidy_yuan_per_year: float = param(
        0.0, "yuan/apprentice/year", "government subsidy to a host per apprentice (national guideline >= 5,000)",
        **NonNegative)
    tax_relief_share: float = param(
        0.0, "share", "share of a host's training investment credited against education surcharges "
        "(30% for certified firms)", **Share)
    enterprise_mentor_salary_subsidy_yuan_per_month: float = param(
        0.0, "yuan/month", "extra salary subsidy per active enterprise mentor, paid from programme funds",
        **NonNegative)
    mentor_honours: bool = param(False, "-", "honours for good mentors (excellent-mentor titles)")
    career_development: bool = param(False, "-", "mentoring counts towards promotion")
    demonstration_unit_titles: bool = param(
        False, "-", "hosts can earn the 'demonstration unit' title")
    effort_per_1000_yuan_month: float = param(
        0.15, "effort/(1000 yuan/month)", "effort added per 1,000 yuan/month of allowance and subsidy", **NonNegative)
    honours_effort: float = param(0.05, "effort", "effort added by honours", **Share)
    career_effort: float = param(0.05, "effort", "effort added by career development", **Share)
    demonstration_unit_value_yuan: float = param(
        3000.0, "yuan/apprentice", "what the title is worth to a host, per apprentice", **NonNegative)


class MentorDevelopmentParams(StrictModel):
    """Two-way training: school mentors practise in firms, enterprise mentors learn to teach."""

    school_mentor_practice_share_per_year: float = param(
        0.2, "share/year", "share of school mentors doing enterprise practice each year", **Share)
    practice_gain: float = param(
        0.25, "share", "share of the gap to full practical skill closed by a year's practice", **Share)
    enterprise_mentor_training_share_per_year: float = param(
        0.5, "share/year", "share of enterprise mentors trained in teaching methods each year", **Share)
    pedagogy_gain: float = param(
        0.2, "share", "share of the gap to full pedagogical skill closed by one training", **Share)


class Scenario(StrictModel):
    """A whole scenario: the baseline defaults plus what a file changes."""

    name: str = param("baseline", "-", "short name of the scenario")
    question: str = param("", "-", "the policy question the scenario answers")
    simulation: SimulationParams = Field(default_factory=SimulationParams)
    intake: IntakeParams = Field(default_factory=IntakeParams)
    calendar: CalendarParams = Field(default_factory=CalendarParams)
    programme: ProgrammeParams = Field(default_factory=ProgrammeParams)
    school_mentors: SchoolMentorParams = Field(default_factory=SchoolMentorParams)
    enterprise_mentors: EnterpriseMentorParams = Field(default_factory=EnterpriseMentorParams)
    contact: ContactParams = Field(default_factory=ContactParams)
    learning: LearningParams = Field(default_factory=LearningParams)
    attrition: AttritionParams = Field(default_factory=AttritionParams)
    certification: CertificationParams = Field(default_factory=CertificationParams)
    evaluation: EvaluationParams = Field(default_factory=EvaluationParams)
    labour_market: LabourMarketParams = Field(default_factory=LabourMarketParams)
    enterprises: EnterpriseParams = Field(default_factory=EnterpriseParams)
    participation: ParticipationParams = Field(default_factory=ParticipationParams)
    funding: FundingParams = Field(default_factory=FundingParams)
    incentives: IncentiveParams = Field(default_factory=IncentiveParams)
    mentor_development: MentorDevelopmentParams = Field(default_factory=MentorDevelopmentParams)

    @property
    def n_students(self) -> int:
        """Students over all cohorts."""
        return self.intake.cohort_size * self.intake.n_cohorts

    @property
    def horizon_weeks(self) -> int:
        """Simulated weeks."""
        return self.simulation.horizon_years * WEEKS_PER_YEAR
