"""Scenarios: the parameter schema, scenario files, overrides and the parameter list."""

from sim.scenario.loading import (
    ScenarioError,
    apply_overrides,
    load_scenario,
    parse_set_options,
    resolve_scenario,
    scenario_from_dict,
    scenario_hash,
    scenario_to_dict,
    with_overrides,
)
from sim.scenario.params import ParamInfo, format_params_table, list_params
from sim.scenario.schema import Scenario

__all__ = [
    "ParamInfo",
    "Scenario",
    "ScenarioError",
    "apply_overrides",
    "format_params_table",
    "list_params",
    "load_scenario",
    "parse_set_options",
    "resolve_scenario",
    "scenario_from_dict",
    "scenario_hash",
    "scenario_to_dict",
    "with_overrides",
]
