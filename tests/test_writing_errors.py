"""Writing outputs fails cleanly: a full disk, a file given as --out, a folder that may not be written.

Each case must end with one message naming the path and the operating system's reason,
exit status 2, no traceback, nothing half-written, and nothing written earlier lost.
CI runs as root, where permissions do not stop writes; so the permission cases inject
the ``OSError`` instead of using ``chmod``, and the disk cases mount a small tmpfs.
"""

from __future__ import annotations

import errno
import json
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import experiment_toys as toys
import pandas as pd
import pytest
import yaml

from sim.atomic import TEMP_PREFIX, atomic_write, output_error
from sim.errors import OutputError, UserError

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")
TINY_SET = [arg for key, value in toys.TINY.items() for arg in ("--set", f"{key}={value}")]


def main(argv: list[str]) -> int:
    from sim.cli import main as talentsim_main

    return talentsim_main(argv)


def talentsim(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run talentsim in a subprocess; ``timeout`` is a hang guard, not a speed limit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COV_", "PYTEST"))}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(TESTS)])
    return subprocess.run([sys.executable, "-m", "sim", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout)


def assert_one_clean_message(stderr: str, *expected: str, alone: bool = True) -> None:
    """One ``talentsim: error:`` paragraph, last, with no traceback, that contains every ``expected`` text.

    ``alone=False`` allows the experiment's progress summary line before it: it is printed when
    every run finished and a later write failed, never when the runs stopped on the error.
    """
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert lines and lines[-1].startswith("talentsim: error: "), stderr
    assert stderr.count("talentsim: error:") == 1, stderr
    if alone:
        assert len(lines) == 1, stderr
    message = lines[-1]
    for part in expected:
        assert part in message, (part, stderr)
    assert ".partial" not in message and TEMP_PREFIX not in message, stderr  # never a hidden temporary


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def failing(original: Callable[..., Any], when: Callable[..., bool], code: int = errno.EACCES) -> Callable[..., Any]:
    """``original``, except that it raises ``OSError(code)`` when ``when(*args)`` holds."""
    def replacement(*args: Any, **kwargs: Any) -> Any:
        if when(*args):
            raise OSError(code, os.strerror(code))
        return original(*args, **kwargs)
    return replacement


# ---------------------------------------------------------------------------- a real full disk


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """``mount(options)`` mounts a fresh 64 KiB tmpfs and returns its folder; all are unmounted at the end."""
    mounted: list[Path] = []

    def mount(options: str = "") -> Path:
        if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("mounting a small tmpfs to fill needs root and mount(8) (CI runs as root)")
        disk = tmp_path / f"disk{len(mounted)}"
        disk.mkdir()
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size=64k{options}", "tmpfs", str(disk)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here ({result.stderr.strip() or result.returncode}); "
                        "the full-disk tests need a container or machine that allows mount (CI does)")
        mounted.append(disk)
        return disk

    try:
        yield mount
    finally:
        for disk in reversed(mounted):
            if subprocess.run(["umount", str(disk)], capture_output=True).returncode != 0:
                subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def test_a_full_disk_ends_with_one_message_and_leaves_no_partial_folder(small_disk: Callable[..., Path],
                                                                         tmp_path: Path) -> None:
    disk = small_disk()
    result = talentsim("run", BASELINE, "--out", str(disk / "run"), "--no-charts", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert_one_clean_message(result.stderr, str(disk / "run"), "No space left on device", "Free some space")
    assert list(disk.iterdir()) == []  # neither the run folder nor its hidden temporary
    assert "output folder:" not in result.stdout


def test_a_read_only_disk_is_reported_before_the_run(small_disk: Callable[..., Path], tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    disk = small_disk(",ro")
    assert main(["run", BASELINE, "--out", str(disk / "run"), "--no-charts", *TINY_SET]) == 2
    assert_one_clean_message(capsys.readouterr().err, str(disk / "run"), "Read-only file system")


# ---------------------------------------------------------------------------- --out names a file


def test_out_an_existing_file_is_refused_by_name(tmp_path: Path) -> None:
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me\n")
    result = talentsim("run", BASELINE, "--out", str(existing), "--no-charts", *TINY_SET, cwd=tmp_path)
    assert result.returncode == 2
    assert_one_clean_message(result.stderr, f"--out {existing} is an existing file, not a folder")
    assert existing.read_text() == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_out_inside_a_file_names_the_file_in_the_way(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me\n")
    assert main(["run", BASELINE, "--out", str(existing / "run"), "--no-charts", *TINY_SET]) == 2
    assert_one_clean_message(capsys.readouterr().err, str(existing / "run"),
                             f"{existing} is a file, not a folder")
    assert existing.read_text() == "keep me\n"


@pytest.mark.parametrize("command", ["sweep", "compare"])
def test_experiments_refuse_out_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str) -> None:
    existing = tmp_path / "notes.txt"
    existing.write_text("keep me\n")
    spec = tmp_path / "toy.yaml"
    spec.write_text(yaml.safe_dump({"design": "grid", "seed": 4, "reps": 1, "parameters": {"x": {"levels": [0]}}}))
    inputs = [str(spec)] if command == "sweep" else [BASELINE, str(ROOT / "scenarios" / "mentor_ratio_low.yaml"),
                                                     "--reps", "2"]
    assert main([command, *inputs, "--out", str(existing), "--workers", "1", "--model", "experiment_toys:noisy",
                 "--no-charts"]) == 2
    assert_one_clean_message(capsys.readouterr().err, f"--out {existing} is an existing file, not a folder")
    assert existing.read_text() == "keep me\n"


# ---------------------------------------------------------------------------- injected errors: run folder


def test_a_failing_parquet_write_leaves_the_folder_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "earlier.txt").write_text("an earlier result\n")
    before = snapshot(tmp_path)
    monkeypatch.setattr(pd.DataFrame, "to_parquet", failing(pd.DataFrame.to_parquet, lambda *a: True))
    assert main(["run", BASELINE, "--out", str(tmp_path / "run"), "--no-charts", *TINY_SET]) == 2
    captured = capsys.readouterr()
    assert_one_clean_message(captured.err, f"Cannot write {tmp_path / 'run' / 'timeseries.parquet'}: "
                                           "Permission denied", "allowed to write")
    assert "output folder:" not in captured.out
    assert snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["earlier.txt"]


def test_a_failing_final_rename_leaves_no_partial_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "earlier.txt").write_text("an earlier result\n")
    (tmp_path / "run").mkdir()  # an empty --out folder is allowed, and is given back empty after a failure
    monkeypatch.setattr(os, "replace", failing(os.replace, lambda src, dst: Path(dst).name == "run", errno.EIO))
    assert main(["run", BASELINE, "--out", str(tmp_path / "run"), "--no-charts", *TINY_SET]) == 2
    assert_one_clean_message(capsys.readouterr().err, f"Cannot write {tmp_path / 'run'}: Input/output error")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["earlier.txt", "run"]
    assert list((tmp_path / "run").iterdir()) == []
    assert (tmp_path / "earlier.txt").read_text() == "an earlier result\n"


def test_a_failing_chart_names_it_in_the_run_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(os, "replace", failing(os.replace, lambda src, dst: str(dst).endswith(".svg"),
                                               errno.ENOSPC))
    assert main(["run", BASELINE, "--out", str(tmp_path / "run"), *TINY_SET]) == 2
    err = capsys.readouterr().err
    assert_one_clean_message(err, f"Cannot write {tmp_path / 'run' / 'charts'}", ".svg: No space left on device")
    assert list(tmp_path.iterdir()) == []


def test_a_default_folder_under_an_unwritable_outputs_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "outputs").write_text("not a folder\n")
    monkeypatch.chdir(tmp_path)
    assert main(["run", BASELINE, "--no-charts", *TINY_SET]) == 2
    assert_one_clean_message(capsys.readouterr().err, "outputs is a file, not a folder")
    assert (tmp_path / "outputs").read_text() == "not a folder\n"


# ---------------------------------------------------------------------------- injected errors: experiment store


def toy_sweep_file(folder: Path) -> Path:
    path = folder / "toy.yaml"
    path.write_text(yaml.safe_dump({"design": "grid", "seed": 4, "reps": 1,
                                    "parameters": {"x": {"levels": [0, 1, 2]}}}))
    return path


def sweep_args(spec: Path, out: Path) -> list[str]:
    return ["sweep", str(spec), "--out", str(out), "--workers", "1", "--model", "experiment_toys:noisy",
            "--no-charts", "--quiet"]


def test_a_failing_run_file_keeps_the_stored_runs_and_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = toy_sweep_file(tmp_path), tmp_path / "out"
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", failing(os.replace, lambda src, dst: Path(dst).name == "p0000001-r00000.json"))
        assert main(sweep_args(spec, out)) == 2
    err = capsys.readouterr().err
    assert_one_clean_message(err, f"Cannot write {out / 'runs' / 'p0000001-r00000.json'}: Permission denied",
                             f"The runs already stored in {out} are kept", f"--out {out}")
    stored = sorted(p.name for p in (out / "runs").iterdir())
    assert "p0000001-r00000.json" not in stored and not [n for n in stored if n.startswith(TEMP_PREFIX)]
    assert "p0000000-r00000.json" in stored
    for name in stored:  # every stored file is whole
        assert json.loads((out / "runs" / name).read_text())["error"] is None
    kept = {name: (out / "runs" / name).read_bytes() for name in stored}
    json.loads((out / "experiment.json").read_text())

    assert main(sweep_args(spec, out)) == 0  # the same command finishes the rest
    for name, content in kept.items():
        assert (out / "runs" / name).read_bytes() == content
    assert len(pd.read_parquet(out / "results.parquet")) == 3


def test_a_failing_results_table_keeps_the_earlier_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = toy_sweep_file(tmp_path), tmp_path / "out"
    assert main(sweep_args(spec, out)) == 0
    before = snapshot(out)
    capsys.readouterr()
    monkeypatch.setattr(pd.DataFrame, "to_parquet", failing(pd.DataFrame.to_parquet, lambda *a: True, errno.ENOSPC))
    assert main(sweep_args(spec, out)) == 2
    assert_one_clean_message(capsys.readouterr().err, f"Cannot write {out / 'results.parquet'}: No space left on "
                                                      "device", "are kept", alone=False)
    after = snapshot(out)
    assert {k: v for k, v in after.items() if k != "experiment.json"} == \
        {k: v for k, v in before.items() if k != "experiment.json"}  # experiment.json: only its 'updated' time
    assert not [p for p in out.rglob(TEMP_PREFIX + "*")]


def test_a_store_that_cannot_start_leaves_no_folder_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = toy_sweep_file(tmp_path), tmp_path / "out"
    with monkeypatch.context() as patch:
        patch.setattr(os, "replace", failing(os.replace, lambda src, dst: Path(dst).name == "experiment.json",
                                             errno.ENOSPC))
        assert main(sweep_args(spec, out)) == 2
    assert_one_clean_message(capsys.readouterr().err, f"Cannot write {out / 'experiment.json'}: No space left")
    assert not out.exists()
    assert main(sweep_args(spec, out)) == 0  # and once there is room, the same command works


def test_a_failing_report_keeps_the_earlier_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    spec, out = toy_sweep_file(tmp_path), tmp_path / "out"
    assert main(sweep_args(spec, out)) == 0
    (out / "report.html").write_text("<p>the earlier report</p>\n")
    capsys.readouterr()
    monkeypatch.setattr(os, "replace", failing(os.replace, lambda src, dst: Path(dst).name == "report.html"))
    assert main(["report", str(out)]) == 2
    assert_one_clean_message(capsys.readouterr().err, f"Cannot write {out / 'report.html'}: Permission denied")
    assert (out / "report.html").read_text() == "<p>the earlier report</p>\n"
    assert not [p for p in out.rglob(TEMP_PREFIX + "*")]


# ---------------------------------------------------------------------------- atomic_write and OutputError


def test_atomic_write_turns_an_os_error_into_an_output_error_and_keeps_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    target.write_text("old\n")

    def write(handle: Any) -> None:
        handle.write(b"half")
        raise OSError(errno.ENOSPC, "Error writing bytes to file. Detail: [errno 28] No space left on device")

    with pytest.raises(OutputError) as info:
        atomic_write(target, write)
    assert isinstance(info.value, UserError)
    assert info.value.path == target and info.value.errno == errno.ENOSPC
    assert info.value.reason == "No space left on device"  # the OS's words, not pyarrow's wrapping
    assert str(info.value).startswith(f"Cannot write {target}: No space left on device.")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json"]


def test_atomic_write_under_a_file_names_the_file(tmp_path: Path) -> None:
    blocker = tmp_path / "results"
    blocker.write_text("x")
    with pytest.raises(OutputError, match=f"{blocker} is a file, not a folder"):
        atomic_write(blocker / "charts" / "a.png", lambda handle: handle.write(b"png"))
    assert blocker.read_text() == "x"


def test_an_os_error_without_a_number_keeps_its_text(tmp_path: Path) -> None:
    error = output_error(OSError("disk quota exceeded somewhere"), tmp_path / "x")
    assert error.errno is None and error.reason == "disk quota exceeded somewhere"
    assert str(error).startswith(f"Cannot write {tmp_path / 'x'}: disk quota exceeded somewhere.")


def test_output_errors_survive_pickling(tmp_path: Path) -> None:
    error = output_error(OSError(errno.EACCES, "Permission denied"), tmp_path / "x")
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is OutputError and str(back) == str(error)
    assert (back.path, back.reason, back.errno) == (error.path, error.reason, error.errno)
