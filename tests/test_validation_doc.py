"""docs/validation.md is what the model gives today (regenerate: docs/regenerate.py validation)."""

from __future__ import annotations

from pathlib import Path

from sim.experiments.validation import TARGETS, run_validation, validation_markdown
from sim.outcomes import BY_NAME

DOC = Path(__file__).resolve().parents[1] / "docs" / "validation.md"


def test_every_target_names_a_registry_outcome():
    for target in TARGETS:
        assert target.outcome in BY_NAME, target


def test_validation_doc_matches_the_model():
    current = validation_markdown(run_validation(workers=2))
    assert DOC.read_text(encoding="utf-8") == current, \
        "docs/validation.md is stale: .venv/bin/python docs/regenerate.py validation, then read the diff"
