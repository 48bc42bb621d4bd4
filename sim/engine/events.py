"""The optional event log: one flat record per stage change, placement, exam, hire, exit.

Events are appended in vectorised chunks (all students a phase moved in one week at
once), and only when the run asked for them, so the hot path pays nothing otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


class EventLog:
    """Chunks of (week, student, kind, reason, other) records."""

    __slots__ = ("_chunks", "enabled")

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._chunks: list[tuple[int, np.ndarray, str, str, np.ndarray | int]] = []

    def add(self, week: int, students: np.ndarray, kind: str, reason: str = "",
            other: np.ndarray | int = -1) -> None:
        """Record that ``students`` had event ``kind`` in ``week`` (``other``: enterprise, mentor...)."""
        if self.enabled and len(students):
            self._chunks.append((week, np.asarray(students, dtype=np.int64), kind, reason, other))

    def to_frame(self) -> pd.DataFrame:
        """The log as a table, one row per event, in the order they happened."""
        cols: dict[str, list[np.ndarray]] = {"week": [], "student": [], "event": [], "reason": [], "other": []}
        for week, who, kind, reason, other in self._chunks:
            n = len(who)
            cols["week"].append(np.full(n, week, dtype=np.int32))
            cols["student"].append(who)
            cols["event"].append(np.full(n, kind, dtype=object))
            cols["reason"].append(np.full(n, reason, dtype=object))
            cols["other"].append(np.broadcast_to(np.asarray(other, dtype=np.int64), (n,)))
        if not self._chunks:
            return pd.DataFrame({"week": np.array([], np.int32), "student": np.array([], np.int64),
                                 "event": np.array([], object), "reason": np.array([], object),
                                 "other": np.array([], np.int64)})
        frame = pd.DataFrame({k: np.concatenate(v) for k, v in cols.items()})
        frame["event"] = frame["event"].astype("category")
        frame["reason"] = frame["reason"].astype("category")
        return frame
