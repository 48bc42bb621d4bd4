"""The model's declared version: which mechanisms made an output that must not outlive them.

``MODEL_VERSION`` is bumped by hand (add 1) in the same commit as any change that changes
what a run outputs for the same scenario and seed: a mechanism added, removed or changed,
a parameter renamed, removed or given another meaning or default, a constant, the order
of the week's phases or of the random draws. When ``tests/test_golden.py`` fails for an
intended model change and the golden file is regenerated (``tests/golden/README.md``),
bump it. Changes that leave every output as it was (messages, reports, charts, speed-ups,
refactors) do not bump it.

What reads it: ``talentsim calibrate`` writes it into its folder's ``manifest.json``
(``model_version``), and ``compare --posterior`` refuses a posterior made with another
version, or with none (made before the stamp existed): its particles are the parameter
values that fitted an older model's outputs, not this model's, so the calibration must
be rerun. Unlike ``sim.experiments.manifest.model_source_hash`` (which changes with any
edit of the model's files and stops a changed model from resuming an unfinished
experiment), the version changes only when a person says the outputs did.

Version 6 covers one change to city runs made without a bump (2026-12-07): a city pool's
weekly draws keyed by sector instead of by position in the pool. No output the version
stamps could be of a city before then (cities entered calibration in the same change), and
every programme scenario's outputs stayed bit for bit as they were.

This module imports nothing: every layer may read it.
"""

from __future__ import annotations

MODEL_VERSION = 6
"""The version of the model's mechanisms; add 1 whenever a change alters a run's outputs (see above)."""

__all__ = ["MODEL_VERSION"]
