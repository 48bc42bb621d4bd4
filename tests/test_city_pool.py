"""A city's enterprise pool, drawn sector by sector (sim.mechanisms.enterprise_pool.create_city_enterprises).

Issue 18, item 2: a firm's random draws are keyed by its sector and its index within the
sector, so adding firms in one sector, adding a sector, or listing the sectors in another
order leaves every other firm's luck unchanged (common random numbers across city variants).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.engine.streams import RandomStreams
from sim.mechanisms.enterprise_pool import create_city_enterprises, create_enterprises
from sim.phases import declared_streams
from sim.scenario import resolve_scenario

SCENARIO = resolve_scenario(None, {})
CITY_ATTRIBUTES = ("staff", "post_staff", "post_level", "capacity", "willingness", "participating", "certified")


def pool(groups: list[tuple[int, str, int, float, float]], seed: int = 3) -> dict[str, np.ndarray]:
    return create_city_enterprises(SCENARIO, RandomStreams(seed, declared_streams()), groups)


def by_sector(firms: dict[str, np.ndarray], sector: int) -> dict[str, np.ndarray]:
    """The firms of one sector, in their order within it."""
    mine = firms["sector"] == sector
    return {name: values[mine] for name, values in firms.items()}


MANUFACTURING = (0, "equipment_manufacturing", 40, 250.0, 0.8)
SOFTWARE = (1, "electronics_information", 25, 120.0, 0.5)


def test_the_pool_has_each_sectors_firms_in_the_order_given() -> None:
    firms = pool([MANUFACTURING, SOFTWARE])
    assert firms["sector"].tolist() == [0] * 40 + [1] * 25
    assert set(firms) == {"sector", *CITY_ATTRIBUTES}
    assert all(len(values) == 65 for values in firms.values())
    # each sector's staff follow its own median (log-normal): the smaller sector's firms are smaller
    assert np.median(by_sector(firms, 1)["staff"]) < np.median(by_sector(firms, 0)["staff"])
    # the internship caps hold for every firm (10% of staff, 20% of the post's staff)
    assert (firms["capacity"] <= np.floor(0.10 * firms["staff"] + 1e-9)).all()
    assert (firms["capacity"] <= np.floor(0.20 * firms["post_staff"] + 1e-9)).all()


@pytest.mark.parametrize("name", ["staff", "post_staff", "post_level", "capacity", "willingness", "participating",
                                  "certified"])
def test_more_firms_in_one_sector_leave_every_existing_firms_draws(name: str) -> None:
    before = pool([MANUFACTURING, SOFTWARE])
    grown = pool([(0, "equipment_manufacturing", 70, 250.0, 0.8), SOFTWARE])
    assert by_sector(grown, 0)[name][:40].tolist() == by_sector(before, 0)[name].tolist()
    assert by_sector(grown, 1)[name].tolist() == by_sector(before, 1)[name].tolist()


def test_a_new_sector_or_another_order_leaves_the_other_sectors_firms() -> None:
    before = pool([MANUFACTURING, SOFTWARE])
    with_finance = pool([(0, "finance_commerce", 10, 80.0, 0.6), (1, "equipment_manufacturing", 40, 250.0, 0.8),
                         (2, "electronics_information", 25, 120.0, 0.5)])
    for name in CITY_ATTRIBUTES:
        assert by_sector(with_finance, 1)[name].tolist() == by_sector(before, 0)[name].tolist()
        assert by_sector(with_finance, 2)[name].tolist() == by_sector(before, 1)[name].tolist()


def test_sectors_draw_from_their_own_streams_and_seeds_matter() -> None:
    firms = pool([MANUFACTURING, (1, "electronics_information", 40, 250.0, 0.8)])
    # two sectors of the same size and parameters: different firms
    assert by_sector(firms, 0)["post_level"].tolist() != by_sector(firms, 1)["post_level"].tolist()
    assert pool([MANUFACTURING], seed=4)["post_level"].tolist() != pool([MANUFACTURING], seed=3)["post_level"].tolist()
    assert pool([MANUFACTURING], seed=3)["post_level"].tolist() == pool([MANUFACTURING], seed=3)["post_level"].tolist()


def test_a_programmes_own_pool_is_drawn_as_before() -> None:
    # the programme's pool keeps its streams (enterprises.<attribute>): the golden outputs guard its values;
    # here, that a city draw does not disturb it
    streams = RandomStreams(3, declared_streams())
    alone = create_enterprises(SCENARIO, streams)
    streams = RandomStreams(3, declared_streams())
    create_city_enterprises(SCENARIO, streams, [MANUFACTURING])
    again = create_enterprises(SCENARIO, streams)
    for name in alone:
        assert alone[name].tolist() == again[name].tolist()


def test_a_pool_without_sectors_has_no_firm() -> None:
    firms = pool([])
    assert set(firms) == {"sector", *CITY_ATTRIBUTES} and all(len(values) == 0 for values in firms.values())
