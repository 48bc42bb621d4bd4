"""Build the message catalogue template ``sim/locale/talentsim.pot`` and check the translations.

Run from the repository (``python -m sim.locale.extract``) after changing any text a
person reads; it writes the ``.pot`` and merges it into every language's ``.po`` (new
message ids arrive untranslated; the translations of ids no longer used are kept as
obsolete ``#~`` entries, to reuse when an English text was reworded). ``--check`` changes
nothing and exits 1 when the ``.pot`` is out of date or a catalogue lacks a translation,
or a translation's ``{placeholders}`` differ from its message id's (the test suite runs
the same check, ``tests/test_i18n.py``).

Where the message ids come from (the English text is the id):

* the message templates, ``sim.messages.TEMPLATES`` (comment: the template id);
* the outcome registry: every outcome's label and description (``sim/mechanisms/*.py``)
  and every time-series column's label (``sim.outcomes.SERIES``);
* the parameter list: every parameter's label, description and unit (the schema fields'
  ``title``, ``description`` and unit, ``sim/scenario/schema.py``);
* the unit texts of outcomes (``sim.report.data.UNIT_DISPLAY``);
* literal first arguments of ``_``, ``N_``, ``gettext``, ``translate`` and ``unit_text``
  calls in ``sim/**/*.py`` (Babel's Python extractor), and of ``_`` and ``_html`` calls
  in the report's Jinja2 templates (Jinja2's Babel extractor).
"""

from __future__ import annotations

import argparse
import datetime
import io
import string
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from sim.i18n import BABEL_LOCALES, DOMAIN, LANGUAGES, LOCALE_DIR, catalogue_path

PACKAGE = Path(__file__).resolve().parents[1]
ROOT = PACKAGE.parent
POT = LOCALE_DIR / f"{DOMAIN}.pot"
TEMPLATES_DIR = PACKAGE / "report" / "templates"

PYTHON_KEYWORDS = {"_": None, "N_": None, "gettext": None, "translate": (1,), "unit_text": (1,)}
"""Functions whose first argument, when a literal string, is a message id (Babel keyword specs)."""
JINJA_KEYWORDS = {"_": (1,), "_html": (1,)}
FIXED_DATE = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
"""The header date of the ``.pot``: fixed, so an unchanged catalogue gives an unchanged file."""
TRANSLATOR_COMMENT = ("Message ids are English whole sentences with {named} placeholders (str.format): "
                      "keep every placeholder, and the 'FILE: KEY: ' prefix of messages about a place in a file.")


Entry = tuple[str, str, str]
"""(message id, where it comes from as a path relative to the repository, a comment)."""


def registry_entries() -> Iterator[Entry]:
    """Message ids of the templates, outcomes, time-series columns, parameters and units."""
    from sim.messages import TEMPLATES
    from sim.outcomes import OUTCOMES, SERIES
    from sim.report.data import UNIT_DISPLAY
    from sim.scenario import list_params

    for template_id, template in TEMPLATES.items():
        yield template, "sim/messages.py", f"template {template_id}"
    for outcome in OUTCOMES:
        yield outcome.label, "sim/outcomes.py", f"outcome {outcome.name}: label"
        yield outcome.description, "sim/outcomes.py", f"outcome {outcome.name}: description"
    for series in SERIES:
        yield series.label, "sim/outcomes.py", f"time-series column {series.name}: label"
    for row in list_params():
        yield row.label, "sim/scenario/schema.py", f"parameter {row.key}: label"
        yield row.description, "sim/scenario/schema.py", f"parameter {row.key}: description"
        if row.unit not in ("", "-"):
            yield row.unit, "sim/scenario/schema.py", f"unit of parameter {row.key}"
    for kind, (_scale, unit, diff_unit) in UNIT_DISPLAY.items():
        yield unit, "sim/report/data.py", f"unit of {kind.value} values"
        yield diff_unit, "sim/report/data.py", f"unit of differences of {kind.value} values"


def source_entries() -> Iterator[Entry]:
    """Message ids marked in the Python modules of ``sim/`` and in the report's templates."""
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.resolve() == Path(__file__).resolve():
            continue
        for _line, message, comments, _context in extract_from_file(
                "python", str(path), keywords=PYTHON_KEYWORDS, comment_tags=("i18n:",), strip_comment_tags=True):
            if isinstance(message, str):
                yield message, path.relative_to(ROOT).as_posix(), " ".join(comments)
    for path in sorted(TEMPLATES_DIR.glob("*.html")):
        for _line, message, comments, _context in extract_from_file(
                "jinja2.ext:babel_extract", str(path), keywords=JINJA_KEYWORDS, comment_tags=("i18n:",),
                strip_comment_tags=True, options={"trim_blocks": "true", "lstrip_blocks": "true"}):
            if isinstance(message, str):
                yield message, path.relative_to(ROOT).as_posix(), " ".join(comments)


def build_template() -> Catalog:
    """The catalogue template: every message id, once, with where it comes from."""
    catalog = Catalog(domain=DOMAIN, project="talentsim", version="0.1.0", copyright_holder="talentsim",
                      msgid_bugs_address="", creation_date=FIXED_DATE, revision_date=FIXED_DATE,
                      header_comment="# Message catalogue template of talentsim (sim/locale/extract.py builds it).\n"
                                     f"# {TRANSLATOR_COMMENT}", fuzzy=False)
    for message, location, comment in _entries():
        if not message:
            continue
        existing = catalog.get(message)
        comments = [comment] if comment else []
        if existing is not None:
            if (location, 0) not in existing.locations:
                existing.locations.append((location, 0))
            existing.auto_comments.extend(c for c in comments if c not in existing.auto_comments)
            continue
        catalog.add(message, locations=[(location, 0)], auto_comments=comments,  # line 0: not written
                    flags=("python-brace-format",) if placeholders(message) else ())
    return catalog


def _entries() -> Iterable[Entry]:
    yield from registry_entries()
    yield from source_entries()


def render(catalog: Catalog, *, keep_obsolete: bool = False) -> bytes:
    """A catalogue as ``.po`` / ``.pot`` text (no line numbers, so moving code changes nothing).

    ``keep_obsolete`` keeps the translations of message ids no longer used (``#~``
    entries), so a translator can reuse them when an English text is reworded.
    """
    for message in catalog:  # Babel flags any '%' as printf-style; these messages use str.format
        message.flags.discard("python-format")
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, include_lineno=False, ignore_obsolete=not keep_obsolete,
             include_previous=False)
    return buffer.getvalue()


def read_catalogue(lang: str) -> Catalog:
    """The ``.po`` catalogue of a language (empty if missing)."""
    path = catalogue_path(lang)
    if not path.is_file():
        return Catalog(locale=BABEL_LOCALES[lang], domain=DOMAIN)
    with path.open("rb") as handle:
        return read_po(handle, locale=BABEL_LOCALES[lang], domain=DOMAIN)


def placeholders(message: str) -> list[str]:
    """The ``{named}`` placeholders of a message with their format specs, sorted (``{{`` is not one)."""
    found = []
    try:
        for _text, field, spec, conversion in string.Formatter().parse(message):
            if field is not None:
                found.append(f"{field}{'!' + conversion if conversion else ''}{':' + spec if spec else ''}")
    except ValueError:
        return ["<unbalanced braces>"]
    return sorted(found)


def problems(lang: str, template: Catalog | None = None) -> list[str]:
    """What is wrong with a language's catalogue: missing, fuzzy or empty translations, differing placeholders."""
    template = template or build_template()
    catalogue = read_catalogue(lang)
    found = []
    for message in template:
        if not message.id:
            continue
        msgid = str(message.id)
        entry = catalogue.get(msgid)
        if entry is None:
            found.append(f"{lang}: missing: {msgid!r}")
        elif not entry.string:
            found.append(f"{lang}: untranslated: {msgid!r}")
        elif entry.fuzzy:
            found.append(f"{lang}: fuzzy (not used until checked): {msgid!r}")
        elif placeholders(str(entry.string)) != placeholders(msgid):
            found.append(f"{lang}: placeholders differ: {msgid!r} has {placeholders(msgid)}, "
                         f"the translation {str(entry.string)!r} has {placeholders(str(entry.string))}")
    return found


def update(template: Catalog) -> list[Path]:
    """Write the ``.pot`` and merge it into each language's ``.po``; return the files written."""
    written = [POT]
    POT.write_bytes(render(template))
    for lang in LANGUAGES:
        if lang == "en":
            continue
        catalogue = read_catalogue(lang)
        catalogue.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalogue.project, catalogue.version = "talentsim", "0.1.0"
        catalogue.header_comment = (f"# {lang} messages of talentsim: translate each msgid into msgstr, then run\n"
                                    "# python -m sim.locale.extract --check (glossary: sim/locale/glossary.csv).\n"
                                    f"# {TRANSLATOR_COMMENT}")
        catalogue.last_translator = catalogue.language_team = "talentsim"
        catalogue.revision_date = FIXED_DATE
        catalogue.creation_date = FIXED_DATE
        catalogue.fuzzy = False
        path = catalogue_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render(catalogue, keep_obsolete=True))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.locale.extract [--check]``."""
    parser = argparse.ArgumentParser(prog="python -m sim.locale.extract", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if the .pot is stale or a translation is missing or wrong")
    args = parser.parse_args(argv)
    template = build_template()
    if args.check:
        found = [] if POT.is_file() and POT.read_bytes() == render(template) else [
            f"{POT.relative_to(ROOT)} is out of date: run python -m sim.locale.extract"]
        for lang in LANGUAGES:
            if lang != "en":
                found += problems(lang, template)
        for line in found:
            print(line, file=sys.stderr)
        print(f"{len(template) - 1} message ids; {len(found)} problem(s)")
        return 1 if found else 0
    for path in update(template):
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
