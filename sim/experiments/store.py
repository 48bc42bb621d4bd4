"""The run store: an experiment folder that survives interruption.

Layout of ``DIR``::

    experiment.json     what the experiment is (its definition and that definition's hash)
    runs/p0000012-r00003.json   one finished run: point, rep, seed, parameters, outcomes, error
    results.parquet ... consolidated tables, rebuilt from runs/ at the end

Why this shape: a run is written the moment it finishes, as a temporary file in the
same folder renamed over its final name (``os.replace`` is atomic), so a killed
process leaves only whole files; each run has exactly one file, keyed by
``(point, rep)``, so a resumed experiment can never duplicate one. Reopening a folder
whose definition hash differs is refused rather than mixing two experiments. The
number of points and replications is not part of the hash: seeds are keyed to
``(point, rep)``, so growing an experiment keeps every stored run valid (each stored
run's parameters are checked against the new design before it is reused).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import pandas as pd

from sim.atomic import TEMP_PREFIX, atomic_write, file_in_the_way, output_error, writing
from sim.errors import OutputError, UserError
from sim.messages import text

SPEC_FILE = "experiment.json"
RUNS_DIR = "runs"
LOCK_FILE = ".lock"


class StoreError(UserError):
    """An output folder that cannot take this experiment."""


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One finished run (successful or failed), as stored and as tabulated.

    Attributes:
        point: Design point (sweep) or scenario index (comparison).
        rep: Replication index, from 0.
        seed: The integer seed the run was given.
        params: The varied parameters' values (sweep), or ``{"scenario": label}``.
        outcomes: Outcome name -> value; empty when the run failed.
        error: ``None``, or the error text of a failed run.
        error_kind: ``None``, ``"exception"`` or ``"worker_lost"``.
        traceback: Where a failed run raised (kept in the run file, not in tables).
    """

    point: int
    rep: int
    seed: int
    params: dict[str, Any] = field(default_factory=dict)
    outcomes: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    error_kind: str | None = None
    traceback: str = ""

    @property
    def key(self) -> tuple[int, int]:
        """The run's identity in the store."""
        return (self.point, self.rep)

    @property
    def failed(self) -> bool:
        """True when the run produced no outcomes."""
        return self.error is not None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (floats keep their exact value through ``repr``)."""
        return {"point": self.point, "rep": self.rep, "seed": self.seed, "params": self.params,
                "outcomes": self.outcomes, "error": self.error, "error_kind": self.error_kind,
                "traceback": self.traceback}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunRecord:
        """Rebuild a record written by :meth:`to_json`."""
        return cls(point=int(data["point"]), rep=int(data["rep"]), seed=int(data["seed"]),
                   params=dict(data["params"]), outcomes={k: float(v) for k, v in data["outcomes"].items()},
                   error=data["error"], error_kind=data["error_kind"], traceback=data.get("traceback", ""))


def canonical_json(obj: Any) -> str:
    """A stable JSON text of ``obj`` (sorted keys, no whitespace) for hashing."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=True, default=str)


def definition_hash(definition: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of an experiment definition."""
    return hashlib.sha256(canonical_json(definition).encode("utf-8")).hexdigest()


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write ``obj`` as indented JSON, atomically."""
    text = json.dumps(obj, indent=2, allow_nan=True, default=str) + "\n"
    atomic_write(path, lambda f: f.write(text.encode("utf-8")))


CSV_ENCODING = "utf-8-sig"
"""CSV files are UTF-8 with a byte-order mark: Excel then opens Chinese scenario names intact (without
the mark it reads the file in the machine's ANSI code page), and ``pandas.read_csv`` drops the mark,
so the column names read the same."""


def write_table_atomic(path: Path, table: pd.DataFrame) -> None:
    """Write a DataFrame as Parquet or CSV (by the file's suffix; CSV in :data:`CSV_ENCODING`), atomically."""
    if path.suffix == ".parquet":
        atomic_write(path, lambda f: table.to_parquet(f, index=False))
    elif path.suffix == ".csv":
        atomic_write(path, lambda f: f.write(table.to_csv(index=False).encode(CSV_ENCODING)))
    else:
        raise ValueError(f"no writer for a table named {path.name}")


class RunStore:
    """An experiment folder, locked while open (a context manager).

    Args:
        directory: The folder (``--out``); created if missing.
        kind: ``"sweep"``, ``"compare"`` or another experiment kind.
        definition: Everything that decides each run's result except the experiment's
            size (hashed; a different hash against an existing folder is refused).
        sizes: The current size, e.g. ``{"points": 40, "reps": 5}`` (recorded only).
        extra: Anything else to record in ``experiment.json`` (versions, file names).

    Raises:
        StoreError: On entry, when the folder holds another experiment, holds files
            that are not an experiment, or is open in another process.
        sim.errors.OutputError: On entry, or from a method that writes, when the folder
            or a file could not be written (a full disk, no permission, a file in the
            way). Nothing is left half-written: runs stored earlier are kept, and a
            folder this store had just created is removed again.
    """

    def __init__(self, directory: str | os.PathLike[str], kind: str, definition: Mapping[str, Any],
                 sizes: Mapping[str, int], extra: Mapping[str, Any] | None = None) -> None:
        self.directory = Path(directory)
        self.kind = kind
        self.definition = dict(definition)
        self.hash = definition_hash(self.definition)
        self.sizes = dict(sizes)
        self.extra = dict(extra or {})
        self._lock: IO[str] | None = None

    @property
    def runs_dir(self) -> Path:
        """Where the per-run files live."""
        return self.directory / RUNS_DIR

    def __enter__(self) -> Self:
        self._check_folder()
        created, locked = not self.directory.exists(), False
        try:
            with writing(self.directory):
                self.runs_dir.mkdir(parents=True, exist_ok=True)
            with writing(self.directory / LOCK_FILE):
                self._lock = open(self.directory / LOCK_FILE, "w")  # held until __exit__
            try:
                fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(text("store.in_use", folder=self.directory)) from None
            except OSError as exc:  # e.g. no locks on this file system
                raise output_error(exc, self.directory / LOCK_FILE) from None
            locked = True
            self._check_definition()
            for stale in [*self.directory.glob(TEMP_PREFIX + "*"), *self.runs_dir.glob(TEMP_PREFIX + "*")]:
                with writing(stale):
                    stale.unlink(missing_ok=True)  # left by a killed process; never a whole file
            self._write_spec()
        except BaseException:
            if created and locked:  # a folder this call made and nobody else uses: remove it again
                shutil.rmtree(self.directory, ignore_errors=True)
            self._unlock()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._unlock()

    def _unlock(self) -> None:
        if self._lock is not None:
            with suppress(OSError):
                fcntl.flock(self._lock, fcntl.LOCK_UN)
            with suppress(OSError):
                self._lock.close()
            self._lock = None

    def _check_folder(self) -> None:
        """Refuse a folder that exists, is not empty and is not an experiment folder.

        A folder holding only the lock file and an empty ``runs/`` is taken as empty: it
        is what an experiment that could not write its definition leaves behind.
        """
        if file_in_the_way(self.directory) == self.directory:
            raise StoreError(text("output.out_is_a_file", path=self.directory))
        with writing(self.directory):
            if self.directory.is_dir() and not (self.directory / SPEC_FILE).exists():
                if any(not self._left_by_a_failed_start(p) for p in self.directory.iterdir()):
                    raise StoreError(text("store.not_an_experiment", folder=self.directory, spec_file=SPEC_FILE))

    @staticmethod
    def _left_by_a_failed_start(path: Path) -> bool:
        if path.name == LOCK_FILE:
            return True
        return path.name == RUNS_DIR and path.is_dir() and not any(path.iterdir())

    def _check_definition(self) -> None:
        """Refuse an existing experiment folder whose definition differs from ours."""
        path = self.directory / SPEC_FILE
        if not path.exists():
            return
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
            old_kind, old_hash, old_definition = spec["kind"], spec["definition_hash"], spec["definition"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StoreError(text("store.unreadable_definition", path=path, reason=exc)) from None
        if old_kind != self.kind:
            raise StoreError(text("store.other_kind", folder=self.directory, found=old_kind, expected=self.kind))
        if old_hash != self.hash:
            changed = sorted(k for k in {*old_definition, *self.definition}
                             if old_definition.get(k) != self.definition.get(k))
            if changed:
                raise StoreError(text("store.different_definition", folder=self.directory, kind=self.kind,
                                      changed=", ".join(changed)))
            raise StoreError(text("store.different_definition_unnamed", folder=self.directory, kind=self.kind))

    def _write_spec(self) -> None:
        path = self.directory / SPEC_FILE
        now = datetime.now(UTC).isoformat(timespec="seconds")
        created = now
        if path.exists():
            created = json.loads(path.read_text(encoding="utf-8")).get("created", now)
        write_json_atomic(path, {"kind": self.kind, "definition_hash": self.hash, "created": created,
                                 "updated": now, "sizes": self.sizes, "definition": self.definition,
                                 **self.extra})

    def stored(self) -> dict[tuple[int, int], RunRecord]:
        """Every run stored so far, keyed by ``(point, rep)``."""
        records: dict[tuple[int, int], RunRecord] = {}
        for path in sorted(self.runs_dir.glob("p*-r*.json")):
            try:
                record = RunRecord.from_json(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise StoreError(text("store.unreadable_run", path=path, reason=exc)) from None
            records[record.key] = record
        return records

    def save(self, record: RunRecord) -> None:
        """Store one finished run (atomically; replaces an earlier attempt of the same run)."""
        path = self.runs_dir / f"p{record.point:07d}-r{record.rep:05d}.json"
        content = json.dumps(record.to_json(), allow_nan=True, default=_json_default)
        with self._keeping_runs():
            atomic_write(path, lambda f: f.write(content.encode("utf-8")))

    def write_table(self, name: str, table: pd.DataFrame) -> Path:
        """Write a consolidated table into the folder, atomically."""
        path = self.directory / name
        with self._keeping_runs():
            write_table_atomic(path, table)
        return path

    def write_json(self, name: str, obj: Any) -> Path:
        """Write a JSON file (e.g. the manifest) into the folder, atomically."""
        path = self.directory / name
        with self._keeping_runs():
            write_json_atomic(path, obj)
        return path

    @contextmanager
    def _keeping_runs(self) -> Iterator[None]:
        """An :class:`OutputError` in the block says that the stored runs are kept and how to resume."""
        try:
            yield
        except OutputError as err:
            raise OutputError(text("output.store_kept", path=err.path, reason=err.reason, folder=self.directory),
                              err.path, err.reason, err.errno) from None


def _json_default(value: Any) -> Any:
    """JSON for NumPy scalars that slipped into parameters."""
    return value.item() if hasattr(value, "item") else str(value)
