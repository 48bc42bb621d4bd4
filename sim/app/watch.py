"""One run watched week by week: the Mesa model's ``step`` and the series the live charts draw.

Why its own small class: the page must stay responsive while a run plays at 10,000
students. The model steps in the tab's own thread (``TalentModel.step``, one simulated
week, vectorised over students), never on the page's thread; the page reads only the few
weekly numbers the charts need (:meth:`WatchedRun.chart_series`, a few hundred floats),
never the student arrays, and redraws a light ECharts chart instead of a matplotlib figure.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import numpy as np

from sim.scenario import Scenario

CHARTS: Mapping[str, tuple[str, ...]] = {
    "stages": ("n_student", "n_apprentice", "n_employee", "n_unemployed", "n_dropped_out"),
    "workload": ("school_mentor_workload", "enterprise_mentor_workload"),
    "enterprises": ("n_participating_enterprises",),
    "funds": ("balance_yuan", "spent_yuan"),
}
"""The live charts and the time-series columns each draws (labels from ``sim.outcomes.SERIES``)."""


class WatchedRun:
    """One replication of a scenario, advanced a week at a time.

    Args:
        scenario: The scenario (the page's reference or a variant).
        seed: The run's seed.
    """

    def __init__(self, scenario: Scenario, seed: int) -> None:
        from sim.model import TalentModel  # the model is loaded only when a run is watched

        self.model = TalentModel(scenario, seed=seed, mesa_agents=False)
        self.lock = threading.Lock()  # the stepping thread and the page never read half a week

    @property
    def week(self) -> int:
        """Weeks simulated so far."""
        return int(self.model.clock.now)

    @property
    def horizon_weeks(self) -> int:
        """Weeks the run lasts."""
        return int(self.model.scenario.horizon_weeks)

    @property
    def finished(self) -> bool:
        """True at the horizon."""
        return not self.model.running

    def step(self) -> bool:
        """Simulate one week (nothing at the horizon); True if a week was simulated."""
        with self.lock:
            if not self.model.running:
                return False
            self.model.step()
            return True

    def chart_series(self) -> dict[str, list[float]]:
        """The weeks so far of every column the live charts draw, plus ``week`` (a week with no value: 0)."""
        names = ["week", *(name for chart in CHARTS.values() for name in chart)]
        with self.lock:
            return {name: np.nan_to_num(self.model.recorder.recorded(name)).tolist() for name in names}
