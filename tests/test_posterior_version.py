"""A posterior made by another version of the model is refused by ``compare --posterior`` (exit 2).

One small real calibration (a toy model, as in ``tests/test_calibration.py``) gives a
posterior stamped with the current ``MODEL_VERSION``; copies of its folder with the stamp
changed or removed stand for posteriors of an older model.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import calibration_toys as toys
import pytest

from sim.calibration import calibrate
from sim.calibration.posterior import PosteriorError, read_posterior
from sim.cli import main
from sim.experiments.compare import compare
from sim.model_version import MODEL_VERSION

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = [ROOT / "scenarios" / "baseline.yaml", ROOT / "scenarios" / "mentor_ratio_low.yaml"]


@pytest.fixture(scope="module")
def posterior(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished ABC-SMC calibration folder of the normal-mean toy (a few seconds)."""
    out = tmp_path_factory.mktemp("posterior") / "fit"
    definition: dict[str, Any] = {
        "name": "toy", "method": "abc-smc", "seed": 7, "reps": 2, "budget": {"simulations": 5000},
        "scenarios": {"toy": None},
        "parameters": {"theta": {"prior": "normal", "mean": 0.0, "sd": 1.0, "bounds": [-6.0, 6.0]}},
        "targets": [{"scenario": "toy", "outcome": "y", "value": 1.0, "se": 0.5}],
        "abc": {"population_size": 60, "generations": 2}, "predictive": {"draws": 5, "reps": 2}}
    calibrate(definition, out=out, model=toys.normal_mean)
    return out


def with_stamp(posterior: Path, folder: Path, **change: Any) -> Path:
    """A copy of the calibration folder whose manifest's ``model_version`` is changed (None: removed)."""
    shutil.copytree(posterior, folder)
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if change["model_version"] is None:
        del manifest["model_version"]
    else:
        manifest["model_version"] = change["model_version"]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def compare_posterior(folder: Path, out: Path) -> int:
    return main(["compare", *map(str, SCENARIOS), "--reps", "4", "--posterior", str(folder), "--out", str(out),
                 "--workers", "1", "--model", "calibration_toys:scaled_mean", "--no-charts", "--quiet"])


def test_calibrate_stamps_the_model_version(posterior: Path) -> None:
    manifest = json.loads((posterior / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["model_version"] == MODEL_VERSION
    particles, read = read_posterior(posterior)
    assert read["model_version"] == MODEL_VERSION and len(particles) > 0


def test_a_current_posterior_is_accepted(posterior: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert compare_posterior(posterior, tmp_path / "cmp") == 0, capsys.readouterr().err
    assert (tmp_path / "cmp" / "posterior_differences.csv").is_file()


@pytest.mark.parametrize(("stamp", "made_with"), [
    (MODEL_VERSION + 1, f"this posterior was made with model version {MODEL_VERSION + 1}"),
    ("0.9-old", "this posterior was made with model version 0.9-old"),
    (None, "this posterior was made by an older model with no version stamp"),
], ids=["another version", "a text version", "no version"])
def test_a_posterior_of_another_model_is_refused(posterior: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str], stamp: Any,
                                                 made_with: str) -> None:
    folder = with_stamp(posterior, tmp_path / "old-fit", model_version=stamp)
    out = tmp_path / "cmp"
    assert compare_posterior(folder, out) == 2
    captured = capsys.readouterr()
    err = captured.err
    assert captured.out == ""
    assert err.startswith(f"talentsim: error: --posterior {folder}: {made_with}")
    assert f"this talentsim is model version {MODEL_VERSION}" in err
    assert str(folder / "manifest.json") in err and "Rerun talentsim calibrate" in err
    assert "Traceback" not in err and err.count("\n") == 1, "one paragraph"
    assert not out.exists(), "refused before any run"
    with pytest.raises(PosteriorError, match="Rerun talentsim calibrate"):  # the Python API refuses it too
        compare(SCENARIOS, 4, 1, model=toys.scaled_mean, posterior=folder)


def test_the_refusal_is_translated(posterior: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no --out: a run would make outputs/ here
    folder = with_stamp(posterior, tmp_path / "old-fit", model_version=None)
    code = main(["compare", *map(str, SCENARIOS), "--posterior", str(folder), "--lang", "zh",
                 "--model", "calibration_toys:scaled_mean"])
    assert code == 2
    assert "此后验由没有版本标记的旧模型生成" in capsys.readouterr().err
    assert not (tmp_path / "outputs").exists()
