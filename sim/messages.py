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

    # ------------------------------------------------------------ writing outputs (sim.atomic and its callers)
    # {path}: the file or folder that could not be written; {reason}: the operating
    # system's words for the cause (strerror), e.g. "No space left on device".
    "output.no_space": (
        "Cannot write {path}: {reason}. Free some space on that disk, or choose an output folder (--out) on "
        "another disk, and run the command again; nothing was left half-written."),
    "output.not_permitted": (
        "Cannot write {path}: {reason}. Choose an output folder (--out) you are allowed to write to, or change "
        "the folder's permissions, and run the command again; nothing was left half-written."),
    "output.not_a_folder": (
        "Cannot write {path}: {folder} is a file, not a folder. Choose another output folder (--out), or move "
        "that file away, and run the command again; nothing was left half-written."),
    "output.out_is_a_file": (
        "--out {path} is an existing file, not a folder: talentsim writes its results into a folder. Choose a "
        "folder that does not exist yet (talentsim creates it) or an empty one; the file was left untouched."),
    "output.folder_not_empty": (
        "--out {path}: the folder already holds files; talentsim never overwrites an earlier run. Choose a new "
        "folder, or leave --out out for a fresh one under outputs/."),
    "output.os_error": (
        "Cannot write {path}: {reason}. Fix the cause or choose another output folder (--out), and run the "
        "command again; nothing was left half-written."),
    "output.store_kept": (
        "Cannot write {path}: {reason}. The runs already stored in {folder} are kept and nothing was left "
        "half-written: fix the cause (free some space, or allow writing there), then run the same command "
        "with --out {folder} again to finish the rest."),

    # ------------------------------------------------------------ Mesa agent views (sim.model._ArrayAgent)
    # {agent}: the agent class; {population}: where its arrays live, e.g. "model.world.enterprises";
    # {names}: the attributes that can be set, comma-separated.
    "agents.unknown_attribute": (
        "{agent} has no attribute {name!r} to set. An agent's attributes are its row of the arrays in "
        "{population}: {names}."),
    "agents.derived_attribute": (
        "{agent}.{name} is computed from the attributes {population} stores and cannot be set; set those "
        "instead: {names}."),
    "agents.not_a_whole_number": (
        "{agent}.{name} holds whole numbers ({dtype}) and cannot hold {value!r} unchanged; give a whole number "
        "in its range."),
    "agents.not_true_or_false": (
        "{agent}.{name} holds True or False and cannot hold {value!r} unchanged; give True or False."),
}


def text(template_id: str, **fields: Any) -> str:
    """The message ``template_id`` with its placeholders filled in.

    Raises:
        KeyError: ``template_id`` is not a template, or a placeholder has no value.
    """
    return TEMPLATES[template_id].format(**fields)
