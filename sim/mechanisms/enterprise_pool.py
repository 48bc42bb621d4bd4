"""The enterprises a programme can work with, and how many apprentices each may host.

Posts are mostly low-technology (Chen, Zhang & Qi (n.d.) §2: assembly-line operators), so the post's
technical level is drawn from a Beta distribution skewed low. The share of a firm's
staff in the apprentice post varies by firm (Beta with mean ``post_staff_share`` and
concentration ``post_staff_share_concentration``): on an assembly line the operators are
most of the staff, elsewhere the post is a small team. Chinese internship rules cap
interns at 10% of a firm's staff and 20% of one post's staff (internship rules of 2016
Art. 9), so the
post cap binds where the post is less than half the staff and the firm cap where it is
more. The certified list of industry-education integration enterprises (Caishui [2019]
No. 46) is drawn here too: each firm is on it with probability
``incentives.certified_enterprise_share``, by its own draw, so a larger share adds firms
to the list without taking any off.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy.special import betaincinv

from sim.engine.declarations import SET_UP, StateField
from sim.engine.mechanism import Mechanism
from sim.engine.streams import RandomStreams
from sim.scenario.schema import Scenario


def apprentice_capacity(slots_offered: np.ndarray, staff: np.ndarray, post_staff: np.ndarray,
                        firm_cap_share: float, post_cap_share: float) -> np.ndarray:
    """Places a firm may fill: what it offers, within the firm and post caps."""
    firm_cap = np.floor(firm_cap_share * staff + 1e-9)
    post_cap = np.floor(post_cap_share * post_staff + 1e-9)
    return np.minimum(slots_offered, np.minimum(firm_cap, post_cap)).astype(np.int32)


def post_staff_shares(scenario: Scenario, streams: RandomStreams, n: int,
                      stream: str = "enterprises.post_staff_share") -> np.ndarray:
    """Share of each firm's staff in the apprentice post: Beta(mean x k, (1 - mean) x k), k the concentration."""
    p = scenario.enterprises
    k = p.post_staff_share_concentration
    if p.post_staff_share >= 1.0:
        return np.ones(n)
    # by inversion of one uniform per firm, so a firm keeps its rank in every scenario (common random
    # numbers across the mean and the spread); both Beta parameters kept above 0 (a share within a
    # float's smallest step of 0 would make one 0)
    u = streams.uniform(stream, -1, n)
    return np.asarray(betaincinv(max(p.post_staff_share * k, 1e-12), max((1.0 - p.post_staff_share) * k, 1e-12), u))


def _draw_firms(scenario: Scenario, streams: RandomStreams, n: int, stream: Callable[[str], str],
                staff_median: float, staff_log_sd: float) -> dict[str, np.ndarray]:
    """The set-up attributes of ``n`` firms (sector aside), each attribute from its stream ``stream(attribute)``."""
    p = scenario.enterprises
    g = streams.generator  # one stream per attribute: firm i keeps its draws when firms are added
    log_size = staff_log_sd * g(stream("staff")).standard_normal(n)
    staff = np.maximum(10, np.round(staff_median * np.exp(log_size))).astype(np.int32)
    post_staff = np.maximum(1, np.round(post_staff_shares(scenario, streams, n, stream("post_staff_share"))
                                        * staff)).astype(np.int32)
    post_level = g(stream("post_level")).beta(p.post_level_alpha, p.post_level_beta, n)
    slots = 1 + g(stream("slots")).poisson(max(p.slots_offered_mean - 1.0, 0.0), n)
    capacity = apprentice_capacity(slots, staff, post_staff, p.firm_intern_cap_share, p.post_intern_cap_share)
    willingness = scenario.participation.willingness_log_odds + scenario.participation.willingness_sd * \
        g(stream("willingness")).standard_normal(n)
    participating = g(stream("initial_participation")).random(n) < p.initial_participation_share
    certified = g(stream("certified")).random(n) < scenario.incentives.certified_enterprise_share
    return {"staff": staff, "post_staff": post_staff, "post_level": post_level, "capacity": capacity,
            "willingness": willingness, "participating": participating, "certified": certified}


def create_enterprises(scenario: Scenario, streams: RandomStreams) -> dict[str, np.ndarray]:
    """Draw the enterprise pool of one programme: the set-up attributes, by name.

    A firm's sector is drawn too (uniform over the programme's sectors); firm ``i`` has
    element ``i`` of every attribute's stream.
    """
    p = scenario.enterprises
    n = p.count
    sector = streams.generator("enterprises.sector").integers(0, scenario.intake.n_sectors, n).astype(np.int16)
    firms = _draw_firms(scenario, streams, n, lambda attribute: f"enterprises.{attribute}", p.staff_median,
                        p.staff_log_sd)
    return {"sector": sector, **firms}


def create_city_enterprises(scenario: Scenario, streams: RandomStreams,
                            groups: Sequence[tuple[int, str, int, float, float]]) -> dict[str, np.ndarray]:
    """Draw a city's enterprise pool, sector by sector: the set-up attributes, by name.

    ``groups``: one ``(sector index, sector id, count, staff median, staff log-sd)`` per
    sector of the city's pool (docs/city.md: ``enterprises``), in the order the pool lists
    them; ``scenario`` gives every other firm parameter (a shared firm has one set).
    Firm ``j`` of a sector has element ``j`` of the sector's own stream of every attribute
    (``enterprises.{sector id}.{attribute}``), so adding firms to one sector, adding a
    sector or listing the sectors in another order leaves every other firm's draws as they
    were (common random numbers across city variants; issue 18, item 2).
    """
    parts = []
    for index, sector_id, count, staff_median, staff_log_sd in groups:
        firms = _draw_firms(scenario, streams, count, _sector_stream(sector_id), staff_median, staff_log_sd)
        parts.append({"sector": np.full(count, index, dtype=np.int16), **firms})
    if not parts:  # no sector: no firm (the attributes' arrays, empty)
        return {"sector": np.zeros(0, dtype=np.int16),
                **_draw_firms(scenario, streams, 0, _sector_stream("none"), 1.0, 0.0)}
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def _sector_stream(sector_id: str) -> Callable[[str], str]:
    """The stream name of an attribute of a city sector's firms: ``enterprises.<sector id>.<attribute>``."""
    return lambda attribute: f"enterprises.{sector_id}.{attribute}"


MECHANISM = Mechanism(
    name="enterprise_pool",
    step=None,
    state=(
        StateField("enterprises", "sector", np.int16, SET_UP, "industry sector"),
        StateField("enterprises", "staff", np.int32, SET_UP, "all staff"),
        StateField("enterprises", "post_staff", np.int32, SET_UP, "staff in the apprentice post"),
        StateField("enterprises", "post_level", np.float64, SET_UP, "technical level of the post, 0-1"),
        StateField("enterprises", "capacity", np.int32, SET_UP, "apprentice places under the internship rules"),
        StateField("enterprises", "willingness", np.float64, SET_UP, "log-odds of taking part beyond money"),
        StateField("enterprises", "participating", bool, SET_UP, "takes part in the programme this year"),
        StateField("enterprises", "certified", bool, SET_UP,
                   "on the certified list of industry-education integration enterprises (tax_credit)"),
    ),
    streams=("enterprises.sector", "enterprises.staff", "enterprises.post_level", "enterprises.slots",
             "enterprises.willingness", "enterprises.initial_participation", "enterprises.post_staff_share",
             "enterprises.certified",
             # a city's pool: one stream per sector and attribute (create_city_enterprises)
             "enterprises.{sector}.{attribute}"),
)
