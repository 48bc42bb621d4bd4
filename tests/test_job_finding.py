"""The city's open-market matching function (sim.mechanisms.job_finding): known answers and shape."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.mechanisms.job_finding import job_finding_rate_per_week
from sim.scenario.schema import Scenario

FITTED = Scenario().labour_market.open_market_job_rate_per_week
"""Today's fitted weekly rate (0.055 at the time of writing), read from the schema so the test follows it."""


def rate(searchers: np.ndarray | float, vacancies: np.ndarray | float | None,
         reference: float = 2.0, elasticity: float = 0.5) -> np.ndarray:
    return job_finding_rate_per_week(searchers, vacancies, fitted_rate_per_week=FITTED,
                                     reference_searchers_per_vacancy=reference, searcher_elasticity=elasticity)


def test_the_reference_ratio_gives_the_fitted_rate() -> None:
    assert rate(600, 300) == pytest.approx(FITTED)
    assert rate(np.array([200.0, 4000.0]), np.array([100.0, 2000.0])).tolist() == pytest.approx([FITTED, FITTED])


def test_known_answers_of_the_cobb_douglas_rate() -> None:
    # four times the reference ratio: (1/4)^(1-0.5) = 1/2 the rate; a quarter of it: twice the rate
    assert rate(800, 100) == pytest.approx(FITTED / 2)
    assert rate(50, 100) == pytest.approx(FITTED * 2)
    # elasticity 0.7: (1/4)^0.3
    assert rate(800, 100, elasticity=0.7) == pytest.approx(FITTED * 0.25**0.3)
    # elasticity 0: the rate falls in proportion to the ratio (hires fixed by vacancies)
    assert rate(800, 100, elasticity=0.0) == pytest.approx(FITTED / 4)


def test_no_demand_given_keeps_todays_rate() -> None:
    assert rate(np.array([10.0, 500.0, 0.0]), None).tolist() == [FITTED, FITTED, FITTED]
    both = rate(np.array([800.0, 800.0]), np.array([np.nan, 100.0]))
    assert both.tolist() == pytest.approx([FITTED, FITTED / 2])


def test_no_vacancies_no_jobs_and_no_searchers_the_rate_of_a_lone_searcher() -> None:
    assert rate(100, 0) == 0.0
    assert rate(0, 0) == 0.0
    assert rate(0, 50) == pytest.approx(rate(1, 50))


@given(st.floats(1, 1e6), st.floats(1, 1e6), st.floats(1.0001, 10), st.floats(0, 0.99))
def test_more_searchers_per_vacancy_never_raise_the_rate(searchers: float, vacancies: float, factor: float,
                                                         elasticity: float) -> None:
    before = rate(searchers, vacancies, elasticity=elasticity)
    assert rate(searchers * factor, vacancies, elasticity=elasticity) < before
    assert rate(searchers, vacancies * factor, elasticity=elasticity) > before


@pytest.mark.parametrize("kwargs", [
    dict(fitted_rate_per_week=0.0, reference_searchers_per_vacancy=1.0),
    dict(fitted_rate_per_week=0.05, reference_searchers_per_vacancy=0.0),
    dict(fitted_rate_per_week=0.05, reference_searchers_per_vacancy=1.0, searcher_elasticity=1.0),
])
def test_parameters_outside_the_model_are_refused(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        job_finding_rate_per_week(10.0, 10.0, **kwargs)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="searchers"):
        rate(-1, 10)
    with pytest.raises(ValueError, match="vacancies"):
        rate(1, -10)
