"""Comparisons kept by the inputs that decide them, so returning to a setting already run is instant.

A comparison's results are decided by the resolved scenarios (every value, names
included), the model's code, the master seed and the number of replications; the key
hashes exactly those (:func:`cache_key`; the model's code by
:func:`sim.experiments.manifest.model_source_hash`, the same hash an experiment folder
records). Each entry is an ordinary ``talentsim compare`` folder under
``outputs/app-cache/KEY/`` (``talentsim report`` reads it), marked complete by
``complete.json``, written last and atomically: a folder without it is a comparison that
was cancelled or is still running, which ``compare`` resumes from its stored runs.

The folder has a size limit: after each comparison the oldest entries (by last use) are
removed until the folder is under it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from sim.atomic import atomic_write, writing
from sim.experiments.manifest import model_source_hash
from sim.scenario import Scenario, scenario_hash

CACHE_FOLDER = Path("outputs") / "app-cache"
"""The default cache folder (relative to where ``talentsim app`` starts)."""

CACHE_LIMIT_MB = 500
"""The default size limit of the cache folder, megabytes (``--cache-limit-mb``)."""

COMPLETE = "complete.json"
"""The file that marks an entry complete (written last, atomically)."""


@functools.cache
def _model_source_hash() -> str:
    """The model's source hash, read once per process (the app does not reload the model's code)."""
    return model_source_hash()


def cache_key(scenarios: Sequence[Scenario], master_seed: int, reps: int) -> str:
    """The key of a comparison: SHA-256 of its resolved scenarios' hashes, the model's source hash, seed and R.

    The order of the scenarios counts (the first is the reference).
    """
    definition = {"scenarios": [scenario_hash(scenario) for scenario in scenarios],
                  "model_source_hash": _model_source_hash(), "master_seed": int(master_seed), "reps": int(reps)}
    text = json.dumps(definition, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


class ResultCache:
    """The cache folder: one ``talentsim compare`` folder per key, oldest removed beyond the size limit.

    Args:
        folder: Where the entries live (made when first written).
        limit_bytes: The folder's size limit.
    """

    def __init__(self, folder: str | os.PathLike[str] = CACHE_FOLDER,
                 limit_bytes: int = CACHE_LIMIT_MB * 2**20) -> None:
        self.folder = Path(folder)
        self.limit_bytes = int(limit_bytes)

    def entry(self, key: str) -> Path:
        """The folder of the entry ``key`` (it may not exist yet)."""
        return self.folder / key[:32]

    def get(self, key: str) -> Path | None:
        """The complete entry for ``key``, marked as just used; None when there is none."""
        folder = self.entry(key)
        marker = folder / COMPLETE
        if not marker.is_file():
            return None
        with contextlib.suppress(OSError):
            os.utime(marker)  # last use: eviction removes the least recently used first
        return folder

    def complete(self, key: str, about: dict[str, object]) -> Path:
        """Mark the entry ``key`` complete (after its comparison, charts and report are written), then evict.

        Raises:
            sim.errors.OutputError: The marker could not be written.
        """
        folder = self.entry(key)
        data = json.dumps({"key": key, **about}, ensure_ascii=False, indent=1).encode("utf-8")
        atomic_write(folder / COMPLETE, lambda handle: handle.write(data))
        self.evict(keep=folder)
        return folder

    def size_bytes(self) -> int:
        """The size of every file in the cache folder."""
        if not self.folder.is_dir():
            return 0
        return sum(path.stat().st_size for path in self.folder.rglob("*") if path.is_file())

    def evict(self, keep: Path | None = None) -> list[Path]:
        """Remove the least recently used entries until the folder is under its limit (never ``keep``).

        Returns:
            The folders removed.
        """
        if not self.folder.is_dir():
            return []
        entries = [path for path in self.folder.iterdir() if path.is_dir()]
        sizes = {path: sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) for path in entries}
        total = sum(sizes.values())
        removed: list[Path] = []
        for path in sorted(entries, key=_last_used):
            if total <= self.limit_bytes:
                break
            if keep is not None and path.resolve() == keep.resolve():
                continue
            with writing(path):
                shutil.rmtree(path)
            total -= sizes[path]
            removed.append(path)
        return removed


def _last_used(folder: Path) -> float:
    """When an entry was last used: its marker's time, else (incomplete) the folder's."""
    for candidate in (folder / COMPLETE, folder):
        with contextlib.suppress(OSError):
            return candidate.stat().st_mtime
    return time.time()
