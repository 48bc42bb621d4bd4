"""The scenario schema: every parameter of the model, its default, unit and meaning.

A scenario file says only what differs from these defaults. Every field carries a
unit (``json_schema_extra={"unit": ...}``), a short label (the field's ``title``, e.g.
"Students per school mentor") and a one-line description, which ``talentsim params``
lists and ``docs/model.md`` cites with its source. Unknown keys are errors at every
depth (``extra="forbid"``): a typo must never be silently ignored.

Bounds are what the model can honour: every value inside them runs to the horizon
(``tests/test_valid_input.py`` draws scenarios from these bounds). Where a bound is
narrower than the quantity's natural range (a money cap, a largest firm size), the
reason is written beside it.

Units: weeks and years of simulated time, yuan (CNY), hours, points on a 0-100 skill
scale, shares in [0, 1]. Abilities are standardised (mean 0, sd 1).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.messages import text

WEEKS_PER_YEAR = 52
"""Simulated weeks in one academic year (a fixed convention, not a parameter)."""


def param(default: Any, unit: str, label: str, description: str, **constraints: Any) -> Any:
    """A model parameter: a pydantic Field with a unit, a short label and a one-line description.

    Args:
        default: the baseline value.
        unit: unit of the value (``-`` for none).
        label: a short human name in sentence case, without the unit (stored as the
            field's ``title``): what a report or a chart shows, and the message id of
            the parameter's name in a translation catalogue.
        description: one-line meaning.
        **constraints: bounds and lengths (``ge``, ``gt``, ``le``, ``lt``, ``min_length``, ...).
    """
    return Field(default, title=label, description=description, json_schema_extra={"unit": unit}, **constraints)


class StrictModel(BaseModel):
    """Base of every scenario section: unknown keys forbidden, assignment validated.

    Every assignment to a section (a parameter set on a running model) is counted
    (``scenario_changes``), so what reads a scenario often may keep what it read until one
    changes.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        _CHANGES.count += 1


class _ChangeCount:
    """How many assignments scenario sections have had in this process (``scenario_changes``)."""

    __slots__ = ("count",)

    def __init__(self) -> None:
        self.count = 0


_CHANGES = _ChangeCount()


def scenario_changes() -> int:
    """A number that grows whenever any scenario section in this process is assigned to (never otherwise)."""
    return _CHANGES.count


Share = dict(ge=0.0, le=1.0)
Positive = dict(gt=0)
NonNegative = dict(ge=0)
Money = dict(ge=0, le=1e10)
"""A yuan amount (per week, month, year, visit, sitting or apprentice): at most 10 billion yuan.

Far beyond any real figure (the baseline's largest is 1.4 million a year), and it keeps the
ledger and the enterprises' accounts finite: amounts near the float maximum (1e308) overflow
to inf when summed, and inf - inf or 0 x inf turns a balance, a cost or the tax relief into NaN."""


class SimulationParams(StrictModel):
    """How long the run lasts."""

    horizon_years: int = param(
        6, "years", "Simulated horizon",
        "simulated time; 6 follows three yearly cohorts of a 3-year programme to 12 months after the last graduation",
        ge=1, le=40)


class IntakeParams(StrictModel):
    """Who enrols: one cohort at the start of each academic year."""

    cohort_size: int = param(700, "students", "Students enrolled per year", "students enrolling each year", **Positive)
    n_cohorts: int = param(3, "cohorts", "Number of cohorts", "number of yearly cohorts enrolled", ge=1, le=30)
    cohort_sizes: list[Annotated[int, Field(gt=0)]] = param(
        [], "students", "Students enrolled in each cohort",
        "students enrolling in each cohort, the first cohort first (one per n_cohorts); empty: every cohort "
        "cohort_size (a city file's cohort_sizes_from_year sets it)")
    # ability_sd <= 5: learning scales with exp(ability_effect x ability); a spread of 1e300 made it
    # overflow to inf and the graduates' mean scores NaN. 5 standard units is far beyond any cohort.
    ability_sd: float = param(
        1.0, "sd", "Spread of student ability",
        "spread of standardised ability (mean 0)", ge=0, le=5)
    motivation_mean: float = param(
        0.6, "share", "Mean initial motivation",
        "mean initial motivation (0-1)", gt=0.0, lt=1.0)
    # ge=1: below 1 the Beta is U-shaped (nearly every student at motivation 0 or 1), and a tiny
    # concentration underflows the Beta parameters (mean x concentration) to 0, which numpy refuses
    motivation_concentration: float = param(
        8.0, "1", "Concentration of initial motivation",
        "Beta concentration of initial motivation (higher = less spread)", ge=1.0)
    initial_theory_mean: float = param(
        30.0, "points", "Mean theory score at enrolment",
        "mean theory score at enrolment", ge=0, le=100)
    initial_practical_skill_mean: float = param(
        15.0, "points", "Mean practical skill at enrolment",
        "mean practical-skill score at enrolment", ge=0, le=100)
    initial_professionalism_mean: float = param(
        30.0, "points", "Mean professionalism at enrolment",
        "mean professionalism score at enrolment", ge=0, le=100)
    initial_skill_sd: float = param(
        8.0, "points", "Spread of initial skill scores",
        "spread of the three initial skill scores", **NonNegative)
    n_sectors: int = param(
        4, "sectors", "Number of sectors",
        "majors / industry sectors students and firms belong to", ge=1, le=50)
    enrol_to_committed_places: bool = param(
        False, "-", "Enrol to the places firms commit",
        "a cohort enrols only as many students as the participating firms commit places for it (招生即招工): "
        "their places, shared by the cohorts whose enterprise periods overlap")

    @model_validator(mode="after")
    def validate_cohort_sizes(self) -> IntakeParams:
        """Sizes by cohort, when given, name every cohort."""
        if self.cohort_sizes and len(self.cohort_sizes) != self.n_cohorts:
            raise ValueError(text("scenario.cohort_sizes_length", n_cohorts=self.n_cohorts,
                                  found=len(self.cohort_sizes)))
        return self

    def sizes(self) -> tuple[int, ...]:
        """Students enrolling in each cohort, the first first."""
        return tuple(self.cohort_sizes) if self.cohort_sizes else (self.cohort_size,) * self.n_cohorts


class Block(StrictModel):
    """One stretch of a custom programme calendar."""

    weeks: int = param(20, "weeks", "Block length", "length of this block", ge=1, le=520)
    location: Literal["school", "enterprise", "holiday"] = param(
        "school", "-", "Block location",
        "where the student is during the block")
    stage: Literal["basic", "skill", "internship"] = param(
        "basic", "-", "Block stage",
        "programme stage during the block")


class CalendarParams(StrictModel):
    """The programme's schedule pattern in weeks since enrolment."""

    schedule: Literal["2+1", "1.5+1.5", "alternating", "school_only", "custom"] = param(
        "2+1", "-", "Schedule pattern",
        "schedule pattern: years at school + years in the enterprise, alternating semesters, school only with a short "
        "internship, or custom blocks")
    programme_years: int = param(3, "years", "Programme length", "length of the programme", ge=1, le=6)
    teaching_weeks_per_semester: int = param(
        20, "weeks", "Teaching weeks per semester",
        f"teaching weeks in each of the two semesters; the rest of a {WEEKS_PER_YEAR // 2}-week half-year is holiday",
        ge=4, le=WEEKS_PER_YEAR // 2)
    internship_weeks: int = param(
        12, "weeks", "School-only internship length",
        "length of the final internship under the school_only pattern", ge=1, le=WEEKS_PER_YEAR)
    custom_blocks: list[Block] = param(
        [], "-", "Custom calendar blocks",
        "the calendar when schedule is custom: blocks in order from enrolment")

    @model_validator(mode="after")
    def validate_custom_blocks(self) -> CalendarParams:
        """A custom schedule needs blocks; blocks must fit inside the programme."""
        total = sum(b.weeks for b in self.custom_blocks)
        if self.schedule == "custom" and not self.custom_blocks:
            raise ValueError(text("scenario.custom_without_blocks"))
        if total > self.programme_years * WEEKS_PER_YEAR:
            raise ValueError(text("scenario.custom_blocks_too_long", total=total, weeks_per_year=WEEKS_PER_YEAR,
                                  weeks=self.programme_years * WEEKS_PER_YEAR))
        return self


ProgrammeKind = Literal["school_based", "enterprise_apprenticeship"]
"""Which ministry's apprenticeship the programme is (``programme.kind``).

``school_based``: the education ministry's modern apprenticeship pilots (现代学徒制), whose
apprentices are students on an internship (the 2021 internship rules: an allowance of at
least 80% of the post's probation wage). ``enterprise_apprenticeship``: the labour
ministry's enterprise new-style apprenticeship (企业新型学徒制), whose apprentices are
employees on a labour contract with a wage, for whom the firm can claim the per-trainee
subsidy."""


ProgrammeLevel = Literal["secondary", "higher", "undergraduate"]
"""The level of the programme's school (``programme.level``): a secondary vocational school (中职), a
higher vocational college (高职) or an applied undergraduate college; it decides the share of graduates
going on to further study."""


class ProgrammeParams(StrictModel):
    """The school-enterprise programme itself."""

    level: ProgrammeLevel = param(
        "higher", "-", "Level of the school",
        "secondary (a secondary vocational school), higher (a higher vocational college) or undergraduate (an "
        "applied undergraduate college): decides which further-study share applies")

    kind: ProgrammeKind = param(
        "school_based", "-", "Kind of apprenticeship",
        "school_based (students on internships, the education ministry's pilots) or enterprise_apprenticeship "
        "(employees on a labour contract, the labour ministry's new-style apprenticeship): decides the "
        "apprentice's pay and whether hosts can claim the apprentice subsidy")

    dual_mentor: bool = param(
        True, "-", "Dual-mentor system",
        "apprentices get an enterprise mentor (false: unmentored internship posts)")
    curriculum_alignment: float = param(
        0.6, "share", "Curriculum alignment with posts",
        "how well the curriculum is to match enterprise post standards: the target that co-developing it with the "
        "firms works towards (it starts at curriculum.initial_alignment)", **Share)
    school_practice_hours_share: float = param(
        0.3, "share", "School time in practical training",
        "share of a school week's teaching hours (those mentoring leaves) spent in on-campus practical training; "
        "the rest is classroom theory", **Share)
    # le=1e9: far beyond any base (the default hosts 18,000), and finite
    training_base_capacity_hours_per_week: float = param(
        18_000.0, "hours/week", "Training-base capacity",
        "student practice hours the on-campus training base can host in a week (workstations x hours open); "
        "practice the timetable asks beyond it is cut pro rata and taught in class", ge=0, le=1e9)


class CurriculumParams(StrictModel):
    """Co-developing the curriculum with the firms: mentors' hours build its alignment over years."""

    initial_alignment: float = param(
        0.4, "share", "Alignment of the school's own curriculum",
        "how well the curriculum the programme starts with, written by the school alone, matches enterprise post "
        "standards (0-1)", **Share)
    # le=1000: about 20 hours a week, two working days, beyond which a mentor would no longer be mentoring
    codevelopment_hours_per_mentor_year: float = param(
        24.0, "hours/year", "Co-development hours per mentor",
        "hours each active school mentor and enterprise mentor gives in a year to co-developing the curriculum "
        "while its alignment is below the target (taken from their guidance hours)", ge=0, le=1000)
    alignment_gain_per_1000_hours: float = param(
        0.15, "share/(1000 hours)", "Alignment gained per 1,000 co-development hours",
        "alignment one curriculum (one per major) gains per 1,000 mentor hours of co-development", ge=0, le=1000)


class SchoolMentorParams(StrictModel):
    """On-campus mentors (professional teachers)."""

    # ge=1: fewer than one student per mentor is not a mentoring ratio, and a tiny ratio makes the
    # pool (students / ratio) infinite
    students_per_mentor: float = param(
        20.0, "students/mentor", "Students per school mentor",
        "enrolled students per school mentor (sets the pool size)", ge=1, le=1000)
    guidance_hours_per_week: float = param(
        10.0, "hours/week", "School mentor guidance capacity",
        "mentoring hours one school mentor can give per week at full effort", **Positive)
    desired_hours_per_student_week: float = param(
        0.5, "hours/week", "Guidance each student needs",
        "guidance a student needs per week for full benefit", **Positive)
    dual_qualified_share: float = param(
        0.5, "share", "Dual-qualified school mentors",
        "share of school mentors who are dual-qualified (have enterprise practice)", **Share)
    teaching_quality_mean: float = param(
        0.7, "share", "School mentor teaching quality",
        "mean teaching quality (0-1) of an experienced teacher", **Share)
    practical_skill_dual_qualified: float = param(
        0.7, "share", "Practical skill of dual-qualified school mentors",
        "mean practical skill of a dual-qualified school mentor (0-1)", **Share)
    practical_skill_other: float = param(
        0.35, "share", "Practical skill of other school mentors",
        "mean practical skill of a school mentor without enterprise practice (0-1)", **Share)
    # le=45: a working life; a stricter rule than that leaves every post unfilled
    min_teaching_years: float = param(
        3.0, "years", "Minimum teaching experience",
        "selection rule: minimum years of teaching", ge=0, le=45)
    candidates_per_post: int = param(
        2, "teachers/post", "Teachers at hand per school-mentor post",
        "the school's own teachers it can choose from for each mentor post; when none meets the selection "
        "rule the post waits for outside recruitment", ge=1, le=1000)
    novice_quality_gap: float = param(
        0.05, "share", "Teaching quality a novice lacks",
        "how far a teacher with no experience falls short of an experienced one's teaching quality (0-1 "
        "units); the shortfall shrinks with years of teaching", **Share)
    base_effort: float = param(0.75, "share", "School mentor base effort", "effort without incentives (0-1)", **Share)
    remuneration_yuan_per_month: float = param(
        300.0, "yuan/month", "School mentor allowance",
        "mentoring allowance per school mentor, paid from programme funds", **Money)
    turnover_rate_per_year: float = param(
        0.05, "1/year", "School mentor turnover",
        "annual hazard that a school mentor leaves", **NonNegative)
    replacement_delay_weeks: int = param(
        8, "weeks", "School mentor replacement delay",
        "weeks a vacated mentor post stays empty before a replacement starts", ge=0, le=104)


class EnterpriseMentorParams(StrictModel):
    """Enterprise mentors (master craftsmen)."""

    apprentices_per_mentor: int = param(
        4, "apprentices/mentor", "Apprentices per enterprise mentor",
        "most apprentices one enterprise mentor may take", ge=1, le=100)
    guidance_hours_per_week: float = param(
        6.0, "hours/week", "Enterprise mentor guidance capacity",
        "guidance hours one enterprise mentor can give per week at full effort", **Positive)
    desired_hours_per_apprentice_week: float = param(
        2.0, "hours/week", "Guidance each apprentice needs",
        "guidance an apprentice needs per week for full benefit", **Positive)
    technical_skill_mean: float = param(
        0.8, "share", "Enterprise mentor technical skill",
        "mean technical skill (0-1) of an experienced frontline worker", **Share)
    pedagogical_skill_mean: float = param(
        0.4, "share", "Enterprise mentor teaching skill",
        "mean pedagogical skill (0-1): 'can do but cannot teach'", **Share)
    # le=45: a working life; a stricter rule than that leaves every post unfilled
    min_frontline_years: float = param(
        5.0, "years", "Minimum frontline experience",
        "selection rule: minimum years of frontline work", ge=0, le=45)
    novice_skill_gap: float = param(
        0.4, "share", "Technical skill a novice lacks",
        "how far a worker with no frontline experience falls short of an experienced one's technical skill "
        "(0-1 units); the shortfall shrinks with years of frontline work", **Share)
    base_effort: float = param(
        0.55, "share", "Enterprise mentor base effort",
        "effort without incentives (0-1)", **Share)
    remuneration_yuan_per_month: float = param(
        300.0, "yuan/month", "Enterprise mentor allowance",
        "teaching allowance per active enterprise mentor (paid by the host, or by programme funds: "
        "funding.firms_pay_mentor_allowance)", **Money)
    hourly_cost_yuan: float = param(
        80.0, "yuan/hour", "Enterprise mentor hourly cost",
        "what an hour of a mentor's time costs the enterprise", **Money)
    turnover_rate_per_year: float = param(
        0.10, "1/year", "Enterprise mentor turnover",
        "annual hazard that an enterprise mentor leaves", **NonNegative)
    replacement_delay_weeks: int = param(
        8, "weeks", "Enterprise mentor replacement delay",
        "weeks a vacated enterprise-mentor post stays empty", ge=0, le=104)


class ContactParams(StrictModel):
    """The contact rules between the two kinds of mentor (Li (2026) §5.2)."""

    school_mentor_visits_per_month: float = param(
        2.0, "visits/month", "School mentor visits to enterprises",
        "enterprise visits per school mentor with apprentices placed", **NonNegative)
    enterprise_mentor_school_sessions_per_semester: float = param(
        4.0, "sessions/semester", "Enterprise mentor sessions at school",
        "teaching sessions at school per enterprise mentor", **NonNegative)
    hours_per_visit: float = param(
        4.0, "hours", "Time per enterprise visit",
        "school-mentor hours one enterprise visit takes", **NonNegative)
    cost_yuan_per_visit: float = param(
        150.0, "yuan", "Travel cost per visit",
        "travel cost of one visit, paid from programme funds", **Money)
    alignment_gain: float = param(
        0.35, "share", "Alignment gain from full contact",
        "most that full contact adds to curriculum alignment (towards 1)", **Share)
    adjustment_rate_per_week: float = param(
        0.05, "1/week", "Coordination adjustment speed",
        "speed at which coordination follows the contact actually made", **Share)
    problem_warning_weeks: float = param(
        4.0, "weeks", "Warning time of a placement problem",
        "weeks between the first signs of a problem in a placement and the dropout or termination it leads "
        "to; a school mentor's visit within them notices it", ge=0, le=52)
    problem_resolution_share: float = param(
        0.5, "share", "Noticed problems resolved",
        "share of the placement problems a visit notices in time that the two mentors resolve", **Share)
    placement_fit_gain: float = param(
        0.5, "share", "Fitting posts found at full coordination",
        "chance that a student placed with a fully coordinated firm of another sector is put on a post that "
        "fits their training (scaled by the firm's coordination)", **Share)


class LearningParams(StrictModel):
    """Weekly skill growth (points on the 0-100 scale)."""

    theory_points_per_week: float = param(
        1.86, "points/week", "Theory learning rate",
        "theory gain per school week spent wholly in class at full input, before diminishing returns",
        **NonNegative)
    practical_skill_points_per_week: float = param(
        2.1, "points/week", "Practical-skill learning rate",
        "practical-skill gain per week at full input, before diminishing returns", **NonNegative)
    professionalism_points_per_week: float = param(
        1.2, "points/week", "Professionalism learning rate",
        "professionalism gain per week at full input, before diminishing returns", **NonNegative)
    classroom_share: float = param(
        0.6, "share", "Classroom part of theory input",
        "share of what a class hour teaches that does not depend on the mentor's guidance", **Share)
    unmentored_practice_share: float = param(
        0.35, "share", "Practice input without a mentor",
        "practical input of a post without a mentor, relative to a mentored one", **Share)
    # ability_effect_per_sd <= 5: the same overflow of exp(ability_effect x ability); an effect of 5
    # already makes a student one sd above the mean learn 150 times as fast.
    ability_effect_per_sd: float = param(
        0.15, "1/sd", "Effect of ability on learning",
        "relative change in learning per standard deviation of ability", ge=0, le=5)
    motivation_effect: float = param(
        0.5, "1", "Effect of motivation on learning",
        "relative change in learning between motivation 0.5 and 1", ge=0.0, le=1.0)
    noise_sd: float = param(
        0.3, "1", "Weekly learning noise",
        "sd of the weekly multiplicative learning shock", **NonNegative)
    motivation_adjustment_per_week: float = param(
        0.02, "1/week", "Motivation adjustment speed",
        "speed at which motivation moves towards the student's disposition shifted by this week's experience",
        **Share)
    motivation_progress_effect: float = param(
        0.5, "1", "Effect of progress on motivation",
        "shift of the motivation target per unit of learning input received below (or above) the planned input",
        ge=0.0, le=1.0)
    motivation_misfit_effect: float = param(
        0.2, "1", "Effect of an out-of-sector placement on motivation",
        "fall of the motivation target during a placement outside the student's sector", **Share)


class AttritionParams(StrictModel):
    """Dropout and early termination of apprenticeships."""

    dropout_rate_per_year: float = param(
        0.03, "1/year", "Base dropout rate",
        "dropout hazard of a well-supported, well-placed, motivated student", **NonNegative)
    support_effect: float = param(
        1.2, "log-hazard", "Effect of missing guidance on dropout",
        "added log-hazard at zero guidance (scaled by the guidance shortfall)", **NonNegative)
    fit_effect: float = param(
        0.6, "log-hazard", "Effect of out-of-sector placement on dropout",
        "added log-hazard of a placement outside the student's sector", **NonNegative)
    motivation_effect: float = param(
        2.0, "log-hazard", "Effect of low motivation on dropout",
        "added log-hazard per unit of motivation below 0.5", **NonNegative)
    termination_rate_per_year: float = param(
        0.057, "1/year", "Base placement termination rate",
        "hazard that a host ends an apprenticeship whose skill meets its post", **NonNegative)
    apprentice_leave_rate_per_year: float = param(
        0.05, "1/year", "Base rate of apprentices leaving a placement",
        "hazard that a well-supported, well-placed apprentice leaves the placement (back to school); poor "
        "guidance and a misfit raise it as they raise dropout", **NonNegative)
    new_placement_share_after_dissolution: float = param(
        0.5, "share", "New placement after a dissolution",
        "share of apprentices whose placement ended early who take a new placement at the next round", **Share)
    termination_skill_gap_effect: float = param(
        0.05, "log-hazard/point", "Effect of skill gap on placement termination",
        "added log-hazard per practical-skill point below the post's need", **NonNegative)
    leave_school_share_without_new_placement: float = param(
        0.3, "share", "Leaving school after a dissolution",
        "share of the apprentices whose placement ended early, and who take no new placement, who leave school "
        "(the others stay on the school-only track)", **Share)


class CertificationParams(StrictModel):
    """1+X skill certificates: exam sessions at the end of each semester."""

    n_certificates: int = param(
        2, "certificates", "X certificates on offer",
        "skill certificates a student can earn, taken in order (the X of 1+X)", ge=1, le=5)
    pass_mark_points: float = param(
        45.0, "points", "Pass mark of the first certificate",
        "exam score at which a student passes the first X certificate with probability 1/2 (above 100: out of "
        "reach)",
        ge=0.0, le=200.0)
    pass_mark_step_points: float = param(
        12.0, "points", "Pass mark rise per further certificate",
        "how much higher each further certificate's pass mark is than the one before", ge=-200.0, le=200.0)
    difficulty_scale_points: float = param(
        5.0, "points", "Exam difficulty spread",
        "logistic spread of the pass probability around the mark", **Positive)
    practical_weight: float = param(
        0.6, "share", "Practical-skill weight in exams",
        "weight of practical skill in the exam score (rest theory)", **Share)
    first_exam_year: int = param(
        2, "programme year", "First exam year",
        "first programme year with exam sessions", ge=1, le=6)
    max_attempts: int = param(
        3, "attempts", "Sittings per certificate",
        "sittings allowed per certificate (first try + retakes)", ge=1, le=10)
    # lt=1: a pass probability never reaches 1, so a bar of 1 would enter nobody
    readiness_pass_probability: float = param(
        0.5, "share", "Readiness bar for an exam entry",
        "pass probability at which a mentor enters a student for the next certificate (0: everyone eligible sits)",
        ge=0.0, lt=1.0)
    retake_study_points: float = param(
        5.0, "points", "Study before a retake",
        "exam-score points a student must gain after a failed sitting before a mentor enters them again",
        ge=0.0, le=100.0)
    result_motivation_change: float = param(
        0.05, "1", "Motivation change after an exam result",
        "motivation gained by a pass and lost by a failure (0-1 scale)", **Share)
    exam_fee_yuan: float = param(
        200.0, "yuan", "Exam fee per sitting",
        "fee per sitting, paid from programme funds", **Money)


    @property
    def thresholds_points(self) -> list[float]:
        """The pass mark of each certificate in order, points: the first mark, then a step each."""
        return [self.pass_mark_points + k * self.pass_mark_step_points for k in range(self.n_certificates)]


class EvaluationParams(StrictModel):
    """Composite student score (Li (2026), section 5.3)."""

    theory_weight: float = param(
        0.3, "share", "Theory weight in composite score",
        "weight of theory in the composite score", **Share)
    practical_skill_weight: float = param(
        0.5, "share", "Practical-skill weight in composite score",
        "weight of practical skill in the composite score", **Share)
    professionalism_weight: float = param(
        0.2, "share", "Professionalism weight in composite score",
        "weight of professionalism in the composite score", **Share)
    # The host's own satisfaction (sim/mechanisms/evaluation.py): relative weights of its four
    # parts; the index divides by their sum, so each may be moved alone.
    host_skill_fit_weight: float = param(
        0.25, "1", "Skill-fit weight in host satisfaction",
        "relative weight of skill fit (practical skill against the post's need) in a host's satisfaction",
        ge=0, le=1)
    host_professionalism_weight: float = param(
        0.25, "1", "Professionalism weight in host satisfaction",
        "relative weight of professionalism in a host's satisfaction", ge=0, le=1)
    host_contribution_weight: float = param(
        0.25, "1", "Contribution weight in host satisfaction",
        "relative weight of productive contribution (share of training cost paid back) in a host's satisfaction",
        ge=0, le=1)
    host_retention_weight: float = param(
        0.25, "1", "Staying-on weight in host satisfaction",
        "relative weight of staying on (completed the placement and joined the host) in a host's satisfaction",
        ge=0, le=1)

    @model_validator(mode="after")
    def validate_weights_sum_to_one(self) -> EvaluationParams:
        """The three weights are shares of one score; the host's weights are not all zero."""
        total = self.theory_weight + self.practical_skill_weight + self.professionalism_weight
        if abs(total - 1.0) > 1e-6:
            raise ValueError(text("scenario.weights_not_one", total=total))
        if self.host_skill_fit_weight + self.host_professionalism_weight + self.host_contribution_weight \
                + self.host_retention_weight <= 0:
            raise ValueError(text("scenario.host_weights_zero"))
        return self


class LabourMarketParams(StrictModel):
    """Graduation, host offers, the open market and further study."""

    job_search_weeks_before_graduation: int = param(
        12, "weeks", "Job search lead time",
        "weeks before graduation when final-year students start searching and hosts decide (no host decides "
        "before it has seen host_min_observation_weeks of the final enterprise period)", ge=0, le=WEEKS_PER_YEAR)
    host_min_observation_weeks: int = param(
        8, "weeks", "Work a host sees before deciding",
        "weeks of the final enterprise period a host sees an apprentice work before it decides whether to offer a "
        "job (at the latest at the period's end)", ge=1, le=WEEKS_PER_YEAR)
    host_hire_bar_points: float = param(
        48.0, "points", "Host hiring bar",
        "composite score a host needs to offer a job, for a post of level 0", **NonNegative)
    host_bar_per_post_level_points: float = param(
        20.0, "points", "Hiring bar rise per post level",
        "extra composite needed per unit of the post's technical level", **NonNegative)
    not_seeking_share: float = param(
        0.05, "share", "Graduates not seeking work",
        "share of graduates not seeking work in their first year (e.g. preparing for exams)", **Share)
    further_study_share_secondary: float = param(
        0.5, "share", "Further study after a secondary school",
        "share of a secondary vocational school's graduates going on to further study (counted as employed)",
        **Share)
    further_study_share_higher: float = param(
        0.2, "share", "Further study after a higher vocational college",
        "share of a higher vocational college's graduates going on to a bachelor's (counted as employed)", **Share)
    further_study_share_undergraduate: float = param(
        0.18, "share", "Further study after an undergraduate college",
        "share of an applied undergraduate college's graduates going on to a master's (counted as employed)",
        **Share)
    initial_employment_cutoff_weeks: int = param(
        9, "weeks", "Cut-off of the initial employment rate",
        "weeks after graduation at which the initial employment rate (初次就业率) is counted", ge=0, le=26)
    open_market_job_rate_per_week: float = param(
        0.055, "1/week", "Open-market job-finding rate",
        "weekly job-finding hazard on the open market at composite 50", **NonNegative)
    composite_effect_per_point: float = param(
        0.02, "log-hazard/point", "Effect of composite score on job finding",
        "change in job-finding log-hazard per composite point above 50", **NonNegative)
    certificate_effect: float = param(
        0.3, "log-hazard", "Effect of certificates on job finding",
        "change in job-finding log-hazard per certificate held", **NonNegative)
    job_loss_rate_per_year: float = param(
        0.08, "1/year", "Job loss rate",
        "hazard that an employed graduate loses the job", **NonNegative)


class EnterpriseParams(StrictModel):
    """Host enterprises and their posts."""

    count: int = param(
        70, "enterprises", "Number of enterprises",
        "enterprises the programme can work with", ge=1, le=1_000_000)
    # staff_median <= 10,000 and staff_log_sd <= 1.5: a firm's staff, median x exp(log-sd x z), is
    # stored as an int32 and must stay below 2^31; at these bounds that takes z > 8.2 standard
    # deviations (odds below 1e-15 per firm), while log-sd 6 overflowed and crashed the set-up
    # ("repeats may not contain negative values"). A log-sd of 1.5 already puts the middle 95% of
    # firms between 1/19 and 19 times the median (13 to 4,700 staff at the baseline's 250).
    staff_median: float = param(
        250.0, "staff", "Median enterprise staff",
        "median staff of an enterprise (log-normal)", gt=0, le=10_000)
    staff_log_sd: float = param(
        0.8, "log", "Spread of enterprise size",
        "log-sd of enterprise staff", ge=0, le=1.5)
    post_staff_share: float = param(
        0.3, "share", "Staff in apprentice posts",
        "mean share of an enterprise's staff in the posts apprentices take", gt=0.0, le=1.0)
    # ge=0.1: below it the Beta draw puts almost every firm at a share of 0 or 1
    post_staff_share_concentration: float = param(
        4.0, "1", "Similarity of firms' apprentice-post shares",
        "Beta concentration of the share of staff in the apprentice post across firms (higher: more alike)",
        ge=0.1, le=10_000)
    # le=1000: more than any one host takes; unbounded, the Poisson draw of places fails ('lam value too large')
    slots_offered_mean: float = param(
        20.0, "apprentices", "Placements offered per enterprise",
        "apprentice places an enterprise offers, mean", gt=0, le=1000)
    firm_intern_cap_share: float = param(
        0.10, "share", "Intern cap per enterprise",
        "interns may be at most this share of a firm's staff", **Share)
    post_intern_cap_share: float = param(
        0.20, "share", "Intern cap per post",
        "interns may be at most this share of one post's staff", **Share)
    post_level_alpha: float = param(
        2.0, "1", "Post technical level alpha",
        "Beta alpha of the posts' technical level (0-1)", **Positive)
    post_level_beta: float = param(
        4.0, "1", "Post technical level beta",
        "Beta beta of the posts' technical level: mostly low", **Positive)
    initial_participation_share: float = param(
        0.8, "share", "Initial enterprise participation",
        "share of enterprises taking part in the first year", **Share)
    # le=2: even high-churn assembly lines refill their posts about twice a year at most; unbounded, the
    # Poisson draw of vacancies fails ('lam value too large') or overflows the int32 vacancy count
    vacancy_rate_per_year: float = param(
        0.10, "share/year", "Vacancy rate",
        "vacancies per year as a share of post staff", ge=0, le=2.0)


class ParticipationParams(StrictModel):
    """The yearly decision of each enterprise to join, stay or leave."""

    post_wage_yuan_per_week: float = param(
        625.0, "yuan/week", "Wage of the apprentice post",
        "what the firm pays a worker in the post an apprentice takes, per week; an apprentice of an enterprise "
        "apprenticeship (an employee) is paid it", **Money)
    internship_pay_share_of_post_wage: float = param(
        0.8, "share", "Intern pay against the post's wage",
        "what a host pays a school-based apprentice (an intern), as a share of the post's wage", **Share)
    consumables_yuan_per_apprentice_week: float = param(
        150.0, "yuan/week", "Training consumables per apprentice",
        "equipment, materials and other training costs per apprentice enterprise week", **Money)
    skilled_output_yuan_per_week: float = param(
        1900.0, "yuan/week", "Skilled worker output",
        "value a skilled worker produces per week in the post", **Money)
    productive_time_share: float = param(
        0.6, "share", "Apprentice productive time",
        "share of an apprentice's enterprise time spent in productive work", **Share)
    hiring_cost_saved_yuan_per_hire: float = param(
        10000.0, "yuan/hire", "Hiring cost saved per apprentice hired",
        "recruitment and induction cost saved, once, by hiring an own apprentice instead of an outsider", **Money)
    prior_hire_rate: float = param(
        0.66, "hires/placement", "Expected hires per placement before any",
        "hires a firm expects per placement before any apprentice of the programme has finished a placement",
        **Share)
    vat_yuan_per_employee_year: float = param(
        34_000.0, "yuan/employee/year", "VAT paid per employee",
        "value-added tax a firm pays per employee and year: the base of its education surcharges, which cap its "
        "tax credit", **Money)
    willingness_log_odds: float = param(
        1.0, "log-odds", "Mean enterprise willingness",
        "mean willingness to take part beyond money ('enterprises cold' < 0)")
    willingness_sd: float = param(
        1.0, "log-odds", "Spread of enterprise willingness",
        "spread of willingness across enterprises", **NonNegative)
    net_cost_sensitivity_per_10k_yuan: float = param(
        1.0, "log-odds", "Sensitivity to net training cost",
        "fall in the log-odds of taking part per 10,000 yuan of expected net cost per apprentice", **NonNegative)
    satisfaction_effect: float = param(
        2.0, "log-odds", "Effect of satisfaction on participation",
        "rise in log-odds per unit of satisfaction above 0.5", **NonNegative)
    stay_bonus_log_odds: float = param(
        1.5, "log-odds", "Stay bonus for participating enterprises",
        "inertia: extra log-odds for a firm already taking part", **NonNegative)


FundingSource = Literal["school_special_fund", "government", "enterprise_cost_sharing"]
"""Where the programme's money comes from (``sim.engine.ledger.SOURCES`` reads this list)."""


def _sources(default: list[str], label: str, use: str) -> Any:
    return param(default, "-", label,
                 f"sources that pay for {use}, in the order they are drawn on (none listed: never paid)",
                 max_length=3)


class EarmarkParams(StrictModel):
    """Earmarked funds: which sources pay for each use of the programme's money, in order.

    Each week a use is paid only from the sources listed for it, the first listed drawn
    on first; when they are empty the use goes short, whatever other sources hold. The
    defaults, and where they come from, are in ``sim.scenario.sources``.
    """

    training_base: list[FundingSource] = _sources(
        ["enterprise_cost_sharing", "government", "school_special_fund"], "Sources paying the training base",
        "the on-campus training base's running costs")
    school_mentor_remuneration: list[FundingSource] = _sources(
        ["school_special_fund"], "Sources paying school-mentor allowances", "school mentors' allowances")
    practice_substitutes: list[FundingSource] = _sources(
        ["school_special_fund"], "Sources paying practice substitutes",
        "substitute teachers for school mentors away in enterprise practice")
    enterprise_mentor_remuneration: list[FundingSource] = _sources(
        ["government", "school_special_fund"], "Sources paying enterprise-mentor pay",
        "the enterprise mentors' salary subsidy (and their allowance when the programme pays it)")
    contact_visits: list[FundingSource] = _sources(
        ["school_special_fund"], "Sources paying visit travel", "school mentors' travel to enterprises")
    exam_fees: list[FundingSource] = _sources(
        ["government", "school_special_fund"], "Sources paying exam fees", "certificate exam fees")
    apprentice_subsidy: list[FundingSource] = _sources(
        ["government"], "Sources paying the apprentice subsidy", "the per-apprentice subsidy to host enterprises")


class FundingParams(StrictModel):
    """The programme ledger: money in by source, money out by use (each from its earmarked sources)."""

    school_special_fund_yuan_per_year: float = param(
        1_400_000.0, "yuan/year", "School special funds",
        "school special funds paid in at the start of each year with a cohort enrolled", **Money)
    government_yuan_per_year: float = param(
        800_000.0, "yuan/year", "Government programme funds",
        "government programme funds paid in at the start of each year with a cohort enrolled", **Money)
    enterprise_cost_sharing_yuan_per_apprentice_year: float = param(
        300.0, "yuan/apprentice/year", "Enterprise cost sharing per apprentice",
        "enterprise cost-sharing per apprentice-year hosted, paid in week by week as apprentices are hosted", **Money)
    training_base_fixed_yuan_per_student_week: float = param(
        10.0, "yuan/week", "Training base fixed cost per student",
        "the on-campus training base's running cost per student per school teaching week, whatever the practice "
        "hours (upkeep, energy, staff)", **Money)
    practice_consumables_yuan_per_practice_hour: float = param(
        1.8, "yuan/hour", "Practice consumables per hour",
        "materials and wear the training base uses per student practice hour", **Money)
    firms_pay_mentor_allowance: bool = param(
        True, "-", "Firms pay their mentors' allowance",
        "the host pays its enterprise mentors' allowance (a cost in its accounts); "
        "false: programme funds pay it")
    earmarks: EarmarkParams = Field(default_factory=EarmarkParams)


class IncentiveParams(StrictModel):
    """Incentives for mentors and enterprises (Li (2026), section 6)."""

    apprentice_subsidy_yuan_per_year: float = param(
        4000.0, "yuan/trainee/year", "Apprentice subsidy per trainee-year",
        "subsidy to the host per trainee-year of an enterprise apprenticeship, paid when the trainee completes "
        "(enterprise_apprenticeship programmes only)", **Money)
    apprentice_subsidy_certificate_bonus_yuan_per_year: float = param(
        1000.0, "yuan/trainee/year", "Subsidy bonus for a certificate",
        "added per trainee-year to the completion subsidy of a trainee who holds a skill certificate at "
        "completion", **Money)
    certified_enterprise_share: float = param(
        0.0, "share", "Certified industry-education enterprises",
        "share of the enterprise pool on the certified list of industry-education integration enterprises "
        "(产教融合型企业), who may claim the education-surcharge credit", **Share)
    tax_credit_share: float = param(
        0.3, "share", "Education-surcharge credit rate",
        "share of a certified firm's qualifying investment in vocational education (training consumables and "
        "equipment, its cost-sharing payments) credited against its education surcharges", **Share)
    enterprise_mentor_salary_subsidy_yuan_per_month: float = param(
        0.0, "yuan/month", "Enterprise mentor salary subsidy",
        "extra salary subsidy per active enterprise mentor, paid from programme funds", **Money)
    mentor_honours: bool = param(
        False, "-", "Mentor honours",
        "each year the school honours its best mentors (excellent-mentor titles): incentives.honours_share of each "
        "kind, ranked by their mentees' composite score")
    career_development: bool = param(
        False, "-", "Mentoring counts for promotion",
        "mentoring counts towards promotion, which keeps mentors in their posts (incentives.career_turnover_factor)")
    demonstration_unit_titles: bool = param(
        False, "-", "Demonstration unit titles",
        "at its yearly review a host whose apprentices outscore the programme's earns the 'demonstration unit' "
        "title for a year")
    effort_per_1000_yuan_month: float = param(
        0.15, "effort/(1000 yuan/month)", "Effort gain from mentor pay",
        "effort added per 1,000 yuan/month of allowance and subsidy", **NonNegative)
    honours_share: float = param(
        0.1, "share", "Share of mentors honoured",
        "share of each kind of mentors (with mentees) honoured at each year start, the best by their mentees' "
        "composite score", **Share)
    honours_effort: float = param(
        0.1, "effort", "Effort gain of an honoured mentor",
        "effort an honoured mentor adds in its year of honour", **Share)
    career_turnover_factor: float = param(
        0.5, "1", "Turnover with career credit",
        "factor on the yearly hazard that a mentor leaves the post when mentoring counts towards promotion",
        **Share)
    demonstration_unit_value_yuan: float = param(
        3000.0, "yuan/apprentice-year", "Value of a demonstration unit title",
        "what holding the title is worth to a firm in its participation decision (priority in project "
        "recommendations and talent referrals, Li (2026) §6.3), per apprentice-year it expects to host", **Money)


class MentorDevelopmentParams(StrictModel):
    """Two-way training: school mentors practise in firms, enterprise mentors learn to teach."""

    school_mentor_practice_share_per_year: float = param(
        0.2, "share/year", "School mentors in enterprise practice",
        "share of school mentors doing enterprise practice each year", **Share)
    practice_gain: float = param(
        0.25, "share", "Skill gain from enterprise practice",
        "share of the gap to full practical skill closed by a year's practice", **Share)
    enterprise_mentor_training_share_per_year: float = param(
        0.5, "share/year", "Enterprise mentors trained in teaching",
        "share of enterprise mentors trained in teaching methods each year", **Share)
    pedagogy_gain: float = param(
        0.2, "share", "Teaching skill gain from training",
        "share of the gap to full pedagogical skill closed by one training", **Share)
    practice_weeks_per_year: int = param(
        4, "weeks", "Weeks a school mentor's enterprise practice takes",
        "teaching weeks a school mentor doing enterprise practice spends away, from the start of the year: their "
        "guidance hours are lost unless a substitute is paid", ge=0, le=20)
    substitute_yuan_per_teacher_week: float = param(
        2300.0, "yuan/week", "Substitute for a teacher in practice",
        "what a substitute for a school mentor away in enterprise practice costs per week (paid from the sources "
        "funding.earmarks.practice_substitutes names)", **Money)


class Scenario(StrictModel):
    """A whole scenario: the baseline defaults plus what a file changes."""

    name: str = param("baseline", "-", "Scenario name", "short name of the scenario")
    question: str = param("", "-", "Policy question", "the policy question the scenario answers")
    question_zh: str = param(
        "", "-", "Policy question in Chinese",
        "the policy question in Chinese, shown by Chinese reports (--lang zh; empty: the question as written)")
    simulation: SimulationParams = Field(default_factory=SimulationParams)
    intake: IntakeParams = Field(default_factory=IntakeParams)
    calendar: CalendarParams = Field(default_factory=CalendarParams)
    programme: ProgrammeParams = Field(default_factory=ProgrammeParams)
    curriculum: CurriculumParams = Field(default_factory=CurriculumParams)
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
        return sum(self.intake.sizes())

    @property
    def horizon_weeks(self) -> int:
        """Simulated weeks."""
        return self.simulation.horizon_years * WEEKS_PER_YEAR
