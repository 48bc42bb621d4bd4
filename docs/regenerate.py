"""Rewrite the generated parameter table in docs/model.md in place.

Run after changing a default, a unit, a description or a source::

    .venv/bin/python docs/regenerate.py

The table between the marker lines of ``docs/model.md`` is replaced by
``sim.scenario.sources.parameter_table_markdown()``; the rest of the file is left as it
is. ``tests/test_docs.py`` fails until the table is regenerated.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL_DOC = ROOT / "docs" / "model.md"


def main() -> int:
    """Regenerate the table; print what happened; return the exit status."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from sim.scenario.sources import missing_sources, replace_parameter_block, stale_sources

    for key in missing_sources():
        print(f"warning: {key} has no source in sim/scenario/sources.py", file=sys.stderr)
    for key in stale_sources():
        print(f"warning: {key} in sim/scenario/sources.py is not a parameter", file=sys.stderr)
    old = MODEL_DOC.read_text(encoding="utf-8")
    new = replace_parameter_block(old)
    if new == old:
        print(f"{MODEL_DOC.relative_to(ROOT)}: parameter table already up to date")
        return 0
    tmp = MODEL_DOC.with_suffix(".md.tmp")
    tmp.write_text(new, encoding="utf-8")
    tmp.replace(MODEL_DOC)
    print(f"{MODEL_DOC.relative_to(ROOT)}: parameter table regenerated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
