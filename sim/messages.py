"""Every message talentsim shows a user, worded once, as whole-sentence templates.

Why one place: a message assembled from fragments in the code that raises it cannot be
translated (word order differs between languages) and drifts in tone. Each template is
a whole sentence or paragraph with named placeholders (``{path}``, ``{key}``,
``{expected}``); the English text is also the message id a translation catalogue will
key on. ``text(template_id, **fields)`` fills one in; a placeholder left unfilled is a
bug and raises ``KeyError`` at once.

This module is at the bottom of the layer order: every layer may import it, and it
imports nothing of talentsim.
"""

from __future__ import annotations

from typing import Any

TEMPLATES: dict[str, str] = {
    # Sections are added by the layer that raises the message (scenario, experiments,
    # writing outputs, command line). Keep each entry a whole sentence with named
    # placeholders; never build a message by joining fragments.
}


def text(template_id: str, **fields: Any) -> str:
    """The message ``template_id`` with its placeholders filled in.

    Raises:
        KeyError: ``template_id`` is not a template, or a placeholder has no value.
    """
    return TEMPLATES[template_id].format(**fields)
