"""Model functions an experiment can run: the talent model, and known test functions.

A model function is a picklable top-level callable
``model(params, scenario, seed) -> {outcome: value}``: ``params`` are the values of the
varied parameters at one design point (dotted keys; empty in a comparison),
``scenario`` is the experiment's base scenario (or the compared scenario) and ``seed``
the run's integer seed. It must be pure (no I/O, no global state) and should return a
small dict: that is all that travels back from a worker.

Swapping the model for a function with known answers (Ishigami) checks the sweep and
sensitivity machinery without the simulation's noise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sim.scenario import Scenario, with_overrides
from sim.scenario.city_loading import CitySource

ModelFn = Callable[[Mapping[str, Any], Any, int], Mapping[str, float]]
"""``model(params, scenario, seed) -> outcomes``."""
BatchFn = Callable[[Sequence[Mapping[str, Any]], Sequence[Any], Sequence[int]], list[dict[str, float]]]
"""``batch(params of each run, scenario of each run, seed of each run) -> outcomes of each run``."""


def talent_model(params: Mapping[str, Any], scenario: Scenario | CitySource, seed: int) -> dict[str, float]:
    """Run the simulation once and return its summary outcomes (the default model).

    ``scenario`` may be a city (``CitySource``): its programmes run together and the
    outcomes are ``CityResult.outcomes()`` (the city's row by the outcomes' names, each
    school's and programme's prefixed ``schools.NAME.``, ``programmes.NAME.``).
    """
    if isinstance(scenario, CitySource):
        from sim.city import run_city

        return run_city(scenario.load(params), seed, students=False).outcomes()
    from sim.model import run_one  # imported here: workers import the model only when they run it

    result = run_one(with_overrides(scenario, params, "sweep point"), seed, students=False)
    return {str(name): float(value) for name, value in result.summary.items()}


def talent_model_batch(params: Sequence[Mapping[str, Any]], scenarios: Sequence[Scenario],
                       seeds: Sequence[int]) -> list[dict[str, float]]:
    """``talent_model`` of several runs, simulated together (``sim.model.run_batch``); outcomes in run order.

    Runs that share a horizon are one batch; each run's outcomes are exactly those of
    ``talent_model`` with its params, scenario and seed. Cities' runs are batched with each
    other (``sim.city.run_cities``: the cities' pools side by side), not with programme runs.
    """
    from sim.model import run_batch, shape_key

    outcomes: list[dict[str, float]] = [{} for _ in scenarios]
    resolved: dict[int, Scenario] = {}
    cities: dict[int, CitySource] = {}
    for i, (p, sc) in enumerate(zip(params, scenarios, strict=True)):
        if isinstance(sc, CitySource):
            cities[i] = sc
        else:
            resolved[i] = with_overrides(sc, p, "sweep point")
    if cities:
        from sim.city import run_cities

        members = list(cities)
        for i, city in zip(members, run_cities([cities[i].load(params[i]) for i in members],
                                               [seeds[i] for i in members], students=False), strict=True):
            outcomes[i] = city.outcomes()
    by_shape: dict[int, list[int]] = {}
    for i, sc in resolved.items():
        by_shape.setdefault(shape_key(sc), []).append(i)
    for members in by_shape.values():
        results = run_batch([resolved[i] for i in members], [seeds[i] for i in members], students=False)
        for i, result in zip(members, results, strict=True):
            outcomes[i] = {str(name): float(value) for name, value in result.summary.items()}
    return outcomes


BATCHED: Mapping[ModelFn, BatchFn] = {talent_model: talent_model_batch}
"""Model functions that can run several runs at once, and the function that does.

A model function not listed here (``--model`` callables, the Ishigami function) runs one
run at a time, as before; a listed one runs a batch of ``--batch`` runs per call.
"""


ISHIGAMI_A = 7.0
ISHIGAMI_B = 0.1


def ishigami(params: Mapping[str, Any], scenario: Any, seed: int) -> dict[str, float]:
    """The Ishigami function of ``x1, x2, x3`` (each uniform on [-pi, pi]); ignores scenario and seed.

    ``y = sin(x1) + a sin(x2)^2 + b x3^4 sin(x1)`` with ``a = 7``, ``b = 0.1``; see
    :data:`ISHIGAMI_INDICES` for its Sobol' indices (Ishigami and Homma, 1990).
    """
    x1, x2, x3 = float(params["x1"]), float(params["x2"]), float(params["x3"])
    y = math.sin(x1) + ISHIGAMI_A * math.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * math.sin(x1)
    return {"y": y}


def _ishigami_indices(a: float = ISHIGAMI_A, b: float = ISHIGAMI_B) -> dict[str, tuple[float, float]]:
    """Analytic first-order and total Sobol' indices of the Ishigami function."""
    pi = math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return {"x1": (v1 / total, (v1 + v13) / total), "x2": (v2 / total, v2 / total), "x3": (0.0, v13 / total)}


ISHIGAMI_INDICES = _ishigami_indices()
"""Parameter -> (S1, ST): about x1 (0.314, 0.558), x2 (0.442, 0.442), x3 (0.0, 0.244)."""
