"""What ``talentsim app`` was started with, shared by every browser tab of the server.

The page module reads it (:func:`app_config`); the command sets it (:func:`configure`)
before the server starts, and a test sets it before rendering the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sim.app.cache import ResultCache
from sim.app.pool import RunPool

MAX_VARIANTS = 4
"""Variants a tab compares with its reference (issue 19)."""

DEFAULT_REPS = 10
"""Replications per scenario the page starts with."""


@dataclass
class AppConfig:
    """The app's settings and its shared machinery.

    Attributes:
        references: Scenario files a tab may start from: the files given on the command
            line first, then the shipped scenarios.
        lang: The language a new tab starts in (``--lang``).
        pool: The app-wide pool of worker processes (``--workers``).
        cache: The result cache (``outputs/app-cache``, ``--cache-limit-mb``).
        save_folder: Where saved variants go by default.
    """

    references: list[Path]
    lang: str
    pool: RunPool
    cache: ResultCache
    save_folder: Path = field(default_factory=lambda: Path("scenarios"))


_CONFIG: list[AppConfig] = []


def configure(config: AppConfig) -> None:
    """Set the configuration every tab of this process uses."""
    _CONFIG[:] = [config]


def app_config() -> AppConfig:
    """The configuration set by :func:`configure`.

    Raises:
        RuntimeError: Nothing configured it (start the page with ``talentsim app``).
    """
    if not _CONFIG:
        raise RuntimeError("sim.app is not configured: start it with 'talentsim app'")
    return _CONFIG[0]
