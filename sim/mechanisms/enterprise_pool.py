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


def post_staff_shares(scenario: Scenario, streams: RandomStreams, n: int) -> np.ndarray:
    """Share of each firm's staff in the apprentice post: Beta(mean x k, (1 - mean) x k), k the concentration."""
    p = scenario.enterprises
    k = p.post_staff_share_concentration
    if p.post_staff_share >= 1.0:
        return np.ones(n)
    # by inversion of one uniform per firm, so a firm keeps its rank in every scenario (common random
    # numbers across the mean and the spread); both Beta parameters kept above 0 (a share within a
    # float's smallest step of 0 would make one 0)
    u = streams.uniform("enterprises.post_staff_share", -1, n)
    return np.asarray(betaincinv(max(p.post_staff_share * k, 1e-12), max((1.0 - p.post_staff_share) * k, 1e-12), u))


def create_enterprises(scenario: Scenario, streams: RandomStreams) -> dict[str, np.ndarray]:
    """Draw the enterprise pool: the set-up attributes, by name."""
    p = scenario.enterprises
    n = p.count
    g = streams.generator  # one stream per attribute: firm i keeps its draws when firms are added
    sector = g("enterprises.sector").integers(0, scenario.intake.n_sectors, n).astype(np.int16)
    log_size = p.staff_log_sd * g("enterprises.staff").standard_normal(n)
    staff = np.maximum(10, np.round(p.staff_median * np.exp(log_size))).astype(np.int32)
    post_staff = np.maximum(1, np.round(post_staff_shares(scenario, streams, n) * staff)).astype(np.int32)
    post_level = g("enterprises.post_level").beta(p.post_level_alpha, p.post_level_beta, n)
    slots = 1 + g("enterprises.slots").poisson(max(p.slots_offered_mean - 1.0, 0.0), n)
    capacity = apprentice_capacity(slots, staff, post_staff, p.firm_intern_cap_share, p.post_intern_cap_share)
    willingness = scenario.participation.willingness_log_odds + scenario.participation.willingness_sd * \
        g("enterprises.willingness").standard_normal(n)
    participating = g("enterprises.initial_participation").random(n) < p.initial_participation_share
    certified = g("enterprises.certified").random(n) < scenario.incentives.certified_enterprise_share
    return {"sector": sector, "staff": staff, "post_staff": post_staff, "post_level": post_level,
            "capacity": capacity, "willingness": willingness, "participating": participating,
            "certified": certified}


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
             "enterprises.certified"),
)
