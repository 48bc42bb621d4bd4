"""The outcome registry: every outcome of a run and every time-series column, declared once.

Each mechanism declares the outcomes it contributes (``Mechanism.outcomes``, with the
function that computes each from the finished world); this module gathers them in the
order of ``sim.phases.MECHANISMS`` and declares the weekly time-series columns. The
summary (``sim.results.summarise``), the printed tables, ``compare``'s headline list,
the report's labels and units and the Mesa DataCollector all read from here, so an
outcome is named, labelled and described in one place. Labels and descriptions are
message ids (plain English) for a translation catalogue; ``Unit`` is a unit *kind*,
turned into display text by the presentation layer.
"""

from __future__ import annotations

from sim.engine.declarations import Series, Unit, check_unique
from sim.engine.ledger import SOURCES, USES
from sim.engine.mechanism import Outcome
from sim.phases import MECHANISMS, declared_outcomes

OUTCOMES: tuple[Outcome, ...] = declared_outcomes(MECHANISMS)
"""Every summary outcome, in mechanism order."""

BY_NAME: dict[str, Outcome] = {o.name: o for o in OUTCOMES}

HEADLINE: tuple[str, ...] = tuple(o.name for o in OUTCOMES if o.headline)
"""The outcomes printed after a run and in comparison tables (every outcome is in the files)."""


def _money(name: str, label: str) -> Series:
    return Series(name, label, Unit.YUAN)


SERIES: tuple[Series, ...] = (
    Series("week", "Week", Unit.WEEKS),
    Series("n_not_enrolled", "Not yet enrolled", Unit.PERSONS),
    Series("n_student", "Students (at school, not placed)", Unit.PERSONS),
    Series("n_apprentice", "Apprentices (placed with a host)", Unit.PERSONS),
    Series("n_employee", "Employed graduates", Unit.PERSONS),
    Series("n_further_study", "Graduates in further study", Unit.PERSONS),
    Series("n_unemployed", "Unemployed graduates", Unit.PERSONS),
    Series("n_dropped_out", "Dropped out", Unit.PERSONS),
    Series("n_basic", "In the basic stage", Unit.PERSONS),
    Series("n_skill", "In the skill stage", Unit.PERSONS),
    Series("n_internship", "In the internship stage", Unit.PERSONS),
    Series("n_at_school", "At school this week", Unit.PERSONS),
    Series("n_at_enterprise", "In an enterprise this week", Unit.PERSONS),
    Series("mean_theory", "Mean theory in the programme", Unit.POINTS),
    Series("mean_practical_skill", "Mean practical skill in the programme", Unit.POINTS),
    Series("mean_professionalism", "Mean professionalism in the programme", Unit.POINTS),
    _money("spent_yuan", "Spent so far"),
    *(_money(f"spent_{use}_yuan", f"Spent on {use.replace('_', ' ')} so far") for use in USES),
    *(_money(f"spent_{source}_yuan", f"Spent from {source.replace('_', ' ')} so far") for source in SOURCES),
    _money("balance_yuan", "Balance"),
    *(Series(f"funded_share_{use}", f"Share of {use.replace('_', ' ')} need paid", Unit.SHARE) for use in USES),
    Series("n_participating_enterprises", "Participating enterprises", Unit.COUNT),
    Series("n_active_school_mentors", "Active school mentors", Unit.PERSONS),
    Series("n_active_enterprise_mentors", "Active enterprise mentors", Unit.PERSONS),
    Series("school_mentor_teaching_quality", "Teaching quality of active school mentors", Unit.INDEX),
    Series("enterprise_mentor_technical_skill", "Technical skill of active enterprise mentors", Unit.INDEX),
    Series("school_mentor_workload", "School-mentor workload", Unit.RATIO),
    Series("enterprise_mentor_workload", "Enterprise-mentor workload", Unit.RATIO),
    Series("school_guidance_share", "Share of school guidance given", Unit.SHARE),
    Series("enterprise_guidance_share", "Share of enterprise guidance given", Unit.SHARE),
    Series("curriculum_alignment", "Curriculum alignment built by co-development", Unit.SHARE),
)
"""The weekly time-series columns, in order (``timeseries.parquet``).

``funded_share_<use>`` is the share of that week's programme need for the use that its
earmarked sources paid (empty in a week it needed nothing): below 1, the use went short.
"""

SERIES_BY_NAME: dict[str, Series] = {s.name: s for s in SERIES}
check_unique("time-series column", ((s.name, "sim.outcomes") for s in SERIES))


def label(name: str) -> str:
    """The label (a message id) of an outcome or a time-series column; the name itself if neither."""
    found = BY_NAME.get(name) or SERIES_BY_NAME.get(name)
    return found.label if found is not None else name


def unit(name: str) -> Unit | None:
    """The unit kind of an outcome or a time-series column (None if neither)."""
    found = BY_NAME.get(name) or SERIES_BY_NAME.get(name)
    return found.unit if found is not None else None
