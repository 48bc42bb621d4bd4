"""What an experiment folder records about itself: software versions and a fresh default folder."""

from __future__ import annotations

import errno
import hashlib
import importlib.metadata
import os
import platform
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

from sim.atomic import output_error, writing
from sim.errors import OutputError
from sim.messages import text
from sim.scenario import Scenario, scenario_hash, scenario_to_dict
from sim.scenario.city_loading import CitySource, city_hash, city_to_dict

_PACKAGES = ("talentsim", "numpy", "pandas", "scipy", "SALib", "pydantic", "dask", "distributed", "mesa")


def software_versions() -> dict[str, str]:
    """Python, platform and the versions of the packages that shape results."""
    versions = {"python": sys.version.split()[0], "platform": platform.platform()}
    for package in _PACKAGES:
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


def base_hash(base: Scenario | CitySource) -> str:
    """The digest an experiment records of its base: a scenario's (``scenario_hash``) or a city's (``city_hash``)."""
    return city_hash(base.plan) if isinstance(base, CitySource) else scenario_hash(base)


def base_to_dict(base: Scenario | CitySource) -> dict[str, Any]:
    """The resolved base an experiment's manifest records: a scenario's values, or a city's file, overrides and plan."""
    if isinstance(base, CitySource):
        return {"city_file": base.path, "overrides": dict(base.overrides), "city": city_to_dict(base.plan)}
    return scenario_to_dict(base)


MODEL_SOURCES = ("engine", "mechanisms", "scenario/schema.py", "model.py", "initial_world.py", "phases.py",
                 "results.py", "experiments/models.py", "./city.py", "scenario/city.py")
"""The parts of the package whose code decides a run's outcomes (relative to ``sim/``; ``./city.py`` so that the
name is not read as a message id)."""


def model_source_hash() -> str:
    """SHA-256 of the source files that decide a run's outcomes.

    Stored in an experiment's definition, so that resuming a sweep or comparison after the
    model's code changed is refused instead of mixing runs of two different models (the
    package version alone does not change with every edit).
    """
    root = Path(__file__).resolve().parent.parent
    files: list[Path] = []
    for part in MODEL_SOURCES:
        path = root / part
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


MAX_ATTEMPTS = 999
"""How many names (``KIND-...``, ``KIND-...-2`` ...) :func:`new_output_dir` tries."""


def new_output_dir(kind: str, root: str | os.PathLike[str] = "outputs") -> Path:
    """Create and return ``ROOT/KIND-YYYYmmdd-HHMMSS`` (with ``-2``, ``-3`` ... if taken).

    The folder is created exclusively, so two commands started in the same second
    never share one and an earlier experiment is never overwritten.

    Raises:
        sim.errors.OutputError: ``ROOT`` could not be made or written (a file in the
            way, no permission, a full disk), or every one of the names is taken.
    """
    base = Path(root) / f"{kind}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    with writing(base.parent):
        base.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        candidate = base if attempt == 1 else base.with_name(f"{base.name}-{attempt}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise output_error(exc, candidate) from None
        return candidate
    raise OutputError(text("output.no_fresh_folder", path=base, attempts=MAX_ATTEMPTS), base,
                      os.strerror(errno.EEXIST), errno.EEXIST)
