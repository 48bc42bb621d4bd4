"""The planners' language: message catalogues (gettext, via Babel) and locale formatting.

Why one module: every text a person reads — the registry's labels and units, parameter
labels and descriptions, error templates, the report's and charts' words — is a message
id (plain English) looked up here for the language asked for (``--lang zh|en``, or
``TALENTSIM_LANG`` for a batch job). Machine-readable outputs (CSV/Parquet columns,
``summary.json`` keys, hashes) never pass through here.

Skeleton: English only until the catalogues land (issue "The planners' language").
"""

from __future__ import annotations

import os

LANGUAGES = ("en", "zh")
"""The languages talentsim speaks; ``en`` is the default and the language of the message ids."""

LANG_ENV = "TALENTSIM_LANG"
"""The environment variable that sets the language for a batch job."""


def resolve_language(explicit: str | None = None) -> str:
    """The language to use: ``explicit`` (``--lang``), else ``$TALENTSIM_LANG``, else ``en``."""
    lang = explicit or os.environ.get(LANG_ENV) or "en"
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return lang


def translate(msgid: str, lang: str = "en") -> str:
    """The text of message id ``msgid`` in ``lang`` (the id itself in English)."""
    return msgid
