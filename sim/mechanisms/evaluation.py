"""Evaluation: the school's composite score, and the host's own satisfaction with its apprentices.

Li (2026) (section 5.3) scores students as 30% theory + 50% skill + 20%
professionalism; the weights are parameters. That is the *school's* measure. A host
judges the apprentices it trained by what its posts need of them, not by the school's
score (assumption; the reasoning is in docs/model.md, 7.16), in four parts, each 0-1:

- *skill fit*: ``min(1, practical skill / the post's need)``, the need being the
  practical skill the host's post requires (``attrition.post_need``: higher-level posts
  need more); theory does not enter;
- *professionalism*: ``professionalism / 100``;
- *productive contribution*: the share of the apprentice's training cost with this host
  (wage, consumables, mentor time and allowance) that its productive work paid back,
  ``min(1, output / cost)`` over its weeks in the firm (``enterprise_accounts``);
- *staying on*: 1 if the apprentice completed the placement and joined the host, 0 if
  it completed it without joining, dropped out or was let go.

The host's satisfaction index is their weighted mean, ``sum_k w_k x part_k / sum_k w_k``
(relative weights ``evaluation.host_*_weight``). A host rates each apprentice whose
placement with it ends: at graduation, and when the apprentice drops out or the host
ends the apprenticeship (``exits``); a firm that withdraws does not rate the apprentices
it sends back. A firm's satisfaction (``Enterprises.satisfaction()``), which its yearly
participation decision reads, is the mean index of its ratings so far.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.engine.batch import Batch
from sim.engine.declarations import StateField, Unit, mean_of, rate
from sim.engine.mechanism import Mechanism, Outcome
from sim.engine.population import Enterprises, Students
from sim.engine.world import World
from sim.mechanisms.attrition import post_need
from sim.scenario.schema import EvaluationParams

# The parts of a host's satisfaction with an apprentice, in the order of their weights.
HOST_PARTS: tuple[str, ...] = ("skill_fit", "professionalism", "contribution", "retention")

_PART_LABELS = {
    "skill_fit": ("Enterprise satisfaction: skill fit",
                  "Hosts' mean rating of how far their apprentices' practical skill met the post's need (0-1)."),
    "professionalism": ("Enterprise satisfaction: professionalism",
                        "Hosts' mean rating of their apprentices' professionalism (professionalism / 100)."),
    "contribution": ("Enterprise satisfaction: productive contribution",
                     "Hosts' mean share of an apprentice's training cost its productive work paid back (0-1)."),
    "retention": ("Enterprise satisfaction: staying on",
                  "Share of the apprentices hosts rated who completed the placement and joined the host."),
}


class EvaluationWeights(NamedTuple):
    """The composite score's weights: one scenario's, or per student of a batch's runs."""

    theory_weight: float | np.ndarray
    practical_skill_weight: float | np.ndarray
    professionalism_weight: float | np.ndarray

    @staticmethod
    def in_batch(batch: Batch, idx: np.ndarray) -> EvaluationWeights:
        """Each run's weights for the students ``idx`` of ``batch`` (parameters: ``Batch.param`` keeps them)."""
        return EvaluationWeights(*(batch.param(f"evaluation.{name}", "students", idx)
                                   for name in EvaluationWeights._fields))


def composite_score(students: Students, params: EvaluationParams | EvaluationWeights,
                    idx: np.ndarray | slice = slice(None)) -> np.ndarray:
    """The weighted composite score, points 0-100 (the school's measure)."""
    return (params.theory_weight * students.theory[idx]
            + params.practical_skill_weight * students.practical_skill[idx]
            + params.professionalism_weight * students.professionalism[idx])


def host_weights(params: EvaluationParams) -> np.ndarray:
    """The relative weights of the host's parts, in the order of ``HOST_PARTS``."""
    return np.array([params.host_skill_fit_weight, params.host_professionalism_weight,
                     params.host_contribution_weight, params.host_retention_weight])


def host_index(params: EvaluationParams, parts: np.ndarray) -> np.ndarray:
    """A host's satisfaction index (0-1) from its parts (rows in the order of ``HOST_PARTS``)."""
    return weighted_host_index(host_weights(params), parts)


def weighted_host_index(weights: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """``host_index`` at the weights ``weights`` (``host_weights`` of some scenario's parameters)."""
    return np.asarray(weights @ parts / weights.sum())


def host_weights_in_batch(batch: Batch) -> np.ndarray | None:
    """``host_weights`` of every run of ``batch`` when all runs weigh the parts alike (None when they differ).

    Read as parameters (``Batch.param`` keeps them while no scenario changes): equal
    weights are the same numbers, so one array serves every run.
    """
    weights = [batch.param(f"evaluation.host_{part}_weight") for part in HOST_PARTS]
    if any(isinstance(w, np.ndarray) for w in weights):
        return None
    return np.array(weights)


def host_rating_parts(world: World, who: np.ndarray, retained: np.ndarray) -> np.ndarray:
    """The four parts (rows, ``HOST_PARTS`` order) of the rating each host gives the apprentices ``who``.

    ``who`` must have a host; ``retained`` marks those who joined it.
    """
    s = world.students
    host = s.host[who]
    need = post_need(world.enterprises.post_level[host])
    cost = s.hosted_cost_yuan[who]
    parts = np.empty((len(HOST_PARTS), len(who)))  # filled row by row (np.vstack's overhead is most of the cost)
    parts[0] = np.minimum(1.0, s.practical_skill[who] / np.maximum(need, 1e-9))  # skill fit
    parts[1] = s.professionalism[who] / 100.0
    parts[2] = np.minimum(1.0, np.divide(s.hosted_output_yuan[who], cost, out=np.zeros(len(who)),
                                         where=cost > 0))  # contribution
    parts[3] = retained  # retention: 1.0 for those who joined the host
    return parts


def rate_by_hosts(world: World, who: np.ndarray, retained: np.ndarray) -> None:
    """Each host rates the apprentices ``who`` whose placement with it ends (adds to its satisfaction)."""
    if len(who) == 0:
        return
    ent = world.enterprises
    host = world.students.host[who]
    parts = host_rating_parts(world, who, retained)
    # one rating (the usual case): a plain indexed add is exactly np.add.at's, at a fraction of its cost
    add = _add_one if len(host) == 1 else np.add.at
    add(ent.satisfaction_sum, host, host_index(world.scenario.evaluation, parts))
    add(ent.satisfaction_count, host, 1.0)
    for k, part in enumerate(HOST_PARTS):
        add(getattr(ent, f"satisfaction_{part}_sum"), host, parts[k])


def rating_parts_in_batch(batch: Batch, who: np.ndarray, retained: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``host_rating_parts`` of the apprentices ``who`` (batch positions, hosted) of any runs of ``batch``.

    Element by element the operations of ``host_rating_parts`` of each apprentice's run
    alone; also gives each apprentice's host as a position in the batch's firms.
    """
    s = batch.students
    host = batch.local_to_global("enterprises", s.host[who], who)
    need = post_need(batch.enterprises.post_level[host])
    cost = s.hosted_cost_yuan[who]
    parts = np.empty((len(HOST_PARTS), len(who)))
    parts[0] = np.minimum(1.0, s.practical_skill[who] / np.maximum(need, 1e-9))  # skill fit
    parts[1] = s.professionalism[who] / 100.0
    parts[2] = np.minimum(1.0, np.divide(s.hosted_output_yuan[who], cost, out=np.zeros(len(who)),
                                         where=cost > 0))  # contribution
    parts[3] = retained
    return parts, host


_FEW_RATINGS = 8  # up to this many ratings are added one by one in Python: the same sums, cheaper than np.add.at
# (an engine detail, not a model constant)


def add_ratings(enterprises: Enterprises, host: np.ndarray, index: np.ndarray, parts: np.ndarray) -> None:
    """Add ratings to their hosts' sums, one after the other in the order given (as ``rate_by_hosts`` adds them).

    ``host``: positions in ``enterprises``; ``index``: each rating's satisfaction index;
    ``parts``: its parts (rows in the order of ``HOST_PARTS``).
    """
    if len(host) == 0:
        return
    totals = [enterprises.satisfaction_sum, enterprises.satisfaction_count,
              *(getattr(enterprises, f"satisfaction_{part}_sum") for part in HOST_PARTS)]
    values = [index, np.ones(len(host)), *parts]
    if len(host) > _FEW_RATINGS:
        for total, value in zip(totals, values, strict=True):
            np.add.at(total, host, value)
        return
    # a few ratings (the usual week): plain indexed adds, one after the other, are np.add.at's at a fraction of its cost
    at = host.tolist()
    for total, value in zip(totals, values, strict=True):
        for i, v in zip(at, value.tolist(), strict=True):
            total[i] += v


def _add_one(totals: np.ndarray, at: np.ndarray, value: np.ndarray | float) -> None:
    """``np.add.at(totals, at, value)`` for a single position ``at`` (one element of ``value``), by scalar indexing."""
    i = int(at[0])
    totals[i] += value if isinstance(value, float) else value[0]


def _part_outcome(part: str) -> Outcome:
    label, description = _PART_LABELS[part]
    return Outcome(f"enterprise_satisfaction_{part}", label, description, Unit.INDEX,
                   lambda world, totals: rate(getattr(world.enterprises, f"satisfaction_{part}_sum").sum(),
                                              world.enterprises.satisfaction_count.sum()))


# what rating an apprentice reads and writes (called from labour_market and exits)
RATING_READS = ("enterprises.post_level", "students.hosted_cost_yuan", "students.hosted_output_yuan",
                "students.practical_skill", "students.professionalism")
RATING_WRITES = ("enterprises.satisfaction_contribution_sum", "enterprises.satisfaction_count",
                 "enterprises.satisfaction_professionalism_sum", "enterprises.satisfaction_retention_sum",
                 "enterprises.satisfaction_skill_fit_sum", "enterprises.satisfaction_sum")


MECHANISM = Mechanism(
    name="evaluation",
    step=None,
    state=(
        StateField("enterprises", "satisfaction_sum", np.float64, 0.0,
                   "sum of the satisfaction index of the apprentices the firm rated"),
        StateField("enterprises", "satisfaction_count", np.float64, 0.0, "apprentices the firm rated"),
        *(StateField("enterprises", f"satisfaction_{part}_sum", np.float64, 0.0,
                     f"sum of the {part.replace('_', ' ')} part of the firm's ratings") for part in HOST_PARTS),
    ),
    outcomes=(
        Outcome("mean_composite_score", "Composite score of graduates",
                "Graduates' mean composite score (30% theory + 50% skill + 20% professionalism by default).",
                Unit.POINTS, lambda world, totals: mean_of(
                    composite_score(world.students, world.scenario.evaluation, totals.graduates)), headline=True),
        Outcome("enterprise_satisfaction", "Enterprise satisfaction",
                "Hosts' mean satisfaction index (0-1) with the apprentices they trained: skill fit, "
                "professionalism, productive contribution and staying on.", Unit.INDEX,
                lambda world, totals: rate(world.enterprises.satisfaction_sum.sum(),
                                           world.enterprises.satisfaction_count.sum()), headline=True),
        *(_part_outcome(part) for part in HOST_PARTS),
    ),
)
