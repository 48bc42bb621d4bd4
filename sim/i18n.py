"""The planners' language: message catalogues (gettext, via Babel) and locale formatting.

Why one module: every text a person reads — the registry's labels and units, parameter
labels and descriptions, error templates, the report's and charts' words — is a message
id (plain English) looked up here for the language asked for (``--lang zh|en``, or
``TALENTSIM_LANG`` for a batch job). Machine-readable outputs (CSV/Parquet columns,
``summary.json`` keys, hashes) never pass through here.

How it works:

* The catalogue of a language is ``sim/locale/<lang>/LC_MESSAGES/talentsim.po`` (gettext
  ``.po``, read at run time with ``babel.messages.pofile.read_po`` and turned into a
  ``babel.support.Translations``; nothing is compiled, so it works after ``pip install -e .``
  and from a wheel alike). English needs no catalogue: the message ids are English.
  ``sim/locale/extract.py`` gathers every message id into ``sim/locale/talentsim.pot`` and
  checks that the zh catalogue translates each one.
* The *current language* is a context variable: ``with use_language("zh"):`` makes every
  ``gettext`` / ``_`` call, every ``sim.messages.text`` template and every report and chart
  built inside the block speak Chinese. The command line enters it once (``sim.cli.main``);
  library functions that show text take ``lang=None`` (None: the current language).
  Outside any block the language is English, whatever ``TALENTSIM_LANG`` says: only the
  command line reads the environment (:func:`resolve_language`).
* Numbers go through Babel's locale data (``zh_Hans_CN`` for Chinese, ``en_US`` for
  English); money in Chinese is shown in 万元, or 亿元 from 10,000 万元 up (:func:`yuan_scale`).

Message ids are whole sentences with named ``{placeholders}`` (``str.format`` style), the same
in every language. A unit's message id is its English display text (``yuan/month``,
``percentage points``): :func:`unit_text`.

This module is at the bottom of the layer order: it imports only ``sim.errors``.
"""

from __future__ import annotations

import contextvars
import functools
import io
import math
import os
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sim.errors import UserError

LANGUAGES = ("en", "zh")
"""The languages talentsim speaks; ``en`` is the default and the language of the message ids."""

LANG_ENV = "TALENTSIM_LANG"
"""The environment variable that sets the language for a batch job."""

DOMAIN = "talentsim"
"""The gettext domain: the catalogues are ``LOCALE_DIR/<lang>/LC_MESSAGES/talentsim.po``."""

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
"""Where the catalogues live (package data of ``sim``)."""

BABEL_LOCALES = {"en": "en_US", "zh": "zh_Hans_CN"}
"""The Babel locale whose number formats each language uses."""

HTML_LANG = {"en": "en", "zh": "zh-CN"}
"""The ``lang`` attribute of a report's ``<html>`` element."""

WAN = 10_000.0
"""One 万 (ten thousand): Chinese money is shown in 万元."""

YI = 100_000_000.0
"""One 亿 (a hundred million): from 10,000 万元 up, money is shown in 亿元."""

_current: contextvars.ContextVar[str] = contextvars.ContextVar("talentsim_lang", default="en")


class LanguageError(UserError, ValueError):
    """A language talentsim does not speak (``--lang`` or ``TALENTSIM_LANG``)."""


def resolve_language(explicit: str | None = None) -> str:
    """The language to use: ``explicit`` (``--lang``), else ``$TALENTSIM_LANG``, else ``en``.

    Raises:
        LanguageError: the language (given or from the environment) is not one of ``LANGUAGES``.
    """
    lang = explicit or os.environ.get(LANG_ENV) or "en"
    if lang not in LANGUAGES:
        source = "--lang" if explicit else LANG_ENV
        raise LanguageError(f"{source} {lang!r}: unknown language; expected one of {', '.join(LANGUAGES)}")
    return lang


def current_language() -> str:
    """The language of the current context (``en`` outside any :func:`use_language` block)."""
    return _current.get()


@contextmanager
def use_language(lang: str | None) -> Iterator[str]:
    """Speak ``lang`` inside the block (None: keep the current language); yields the language used.

    Raises:
        LanguageError: ``lang`` is not one of ``LANGUAGES``.
    """
    if lang is None:
        yield current_language()
        return
    if lang not in LANGUAGES:
        raise LanguageError(f"{lang!r}: unknown language; expected one of {', '.join(LANGUAGES)}")
    token = _current.set(lang)
    try:
        yield lang
    finally:
        _current.reset(token)


def _language(lang: str | None) -> str:
    return current_language() if lang is None else lang


def catalogue_path(lang: str) -> Path:
    """The ``.po`` file of a language."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(lang: str) -> Any:
    """The ``babel.support.Translations`` of a language, read from its ``.po`` (cached).

    English, and a language whose catalogue is missing, get ``gettext.NullTranslations``
    (every message is its own id).
    """
    import gettext

    path = catalogue_path(lang)
    if lang == "en" or not path.is_file():
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import Translations

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=BABEL_LOCALES[lang], domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)  # a fuzzy entry is not a translation yet
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def translate(msgid: str, lang: str | None = "en", *, context: str | None = None) -> str:
    """The text of message id ``msgid`` in ``lang`` (None: the current language; the id itself in English).

    Args:
        msgid: the English text (a whole sentence, a label, a unit).
        lang: the language.
        context: the message context (msgctxt), e.g. ``unit``.
    """
    lang = _language(lang)
    if lang == "en" or not msgid:
        return msgid
    catalogue = translations(lang)
    return str(catalogue.pgettext(context, msgid) if context else catalogue.gettext(msgid))


def gettext(msgid: str) -> str:
    """``msgid`` in the current language: the ``_()`` of modules that show text."""
    return translate(msgid, None)


_ = gettext


def N_(msgid: str) -> str:
    """Mark ``msgid`` for the catalogue without translating it (module-level tables); returns it unchanged."""
    return msgid


def unit_text(unit: Any, lang: str | None = None) -> str:
    """The display text of a unit in ``lang`` (None: the current language).

    Args:
        unit: a unit as English display text (``%``, ``points, 0-100``, ``students/mentor``),
            or a unit kind (an enum whose value is its English name, ``persons``).
        lang: the language.
    """
    name = str(getattr(unit, "value", unit))
    if name in ("", "-"):
        return name
    return translate(name, lang)


# ---------------------------------------------------------------------------- numbers


def format_number(value: Any, lang: str | None = None, decimals: int | None = None, *,
                  significant: int | None = None, signed: bool = False, grouping: bool = True) -> str:
    """A number in the language's locale (Babel: ``zh_Hans_CN``, ``en_US``).

    Args:
        value: the number (anything ``float()`` takes); NaN and infinities give ``–``.
        lang: the language (None: the current language).
        decimals: digits after the decimal point (fixed). None with ``significant`` None: 2.
        significant: instead of ``decimals``, at most this many significant digits
            (trailing zeros dropped, as ``format(value, ".3g")`` without the exponent).
        signed: put ``+`` before a positive number.
        grouping: separate thousands (``12,345``).

    Returns:
        The text; a value that rounds to zero never shows ``-0``. A value that is not
        a number is returned as ``str(value)``.
    """
    from babel.numbers import format_decimal

    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not math.isfinite(number):
        return "–"
    locale = BABEL_LOCALES[_language(lang)]
    if significant is not None:
        pattern = "@" + "#" * max(0, significant - 1)
        if abs(number) >= 10 ** significant:  # more whole digits than significant ones: show them all
            pattern = "#,##0" if grouping else "0"
    else:
        places = 2 if decimals is None else decimals
        pattern = ("#,##0" if grouping else "0") + ("." + "0" * places if places > 0 else "")
    text = format_decimal(number, format=pattern, locale=locale)
    if text.startswith("-") and not any(c in "123456789" for c in text):
        text = text[1:]  # no "-0" from rounding noise
    elif signed and number > 0 and any(c in "123456789" for c in text):
        text = "+" + text
    return text


def format_percent(share: Any, lang: str | None = None, decimals: int = 1, *, signed: bool = False) -> str:
    """A share (0-1) as percent with ``decimals`` digits, e.g. ``62.5%``."""
    try:
        number = float(share) * 100
    except (TypeError, ValueError):
        return str(share)
    shown = format_number(number, lang, decimals, signed=signed)
    return shown if shown == "–" else f"{shown}%"


def yuan_scale(max_abs_yuan: float, lang: str | None = None) -> tuple[float, str]:
    """The divisor and unit text for showing amounts of money up to ``max_abs_yuan``.

    Chinese: 万元 (10,000 yuan), or 亿元 from 10,000 万元 (10^8 yuan) up. English: yuan.
    One scale serves a whole table row or chart axis, so its values compare at a glance.

    Returns:
        ``(divisor, unit)``: shown value = yuan / divisor.
    """
    if _language(lang) == "zh":
        if math.isfinite(max_abs_yuan) and abs(max_abs_yuan) >= WAN * WAN:
            return YI, unit_text("hundred million yuan", "zh")
        return WAN, unit_text("ten thousand yuan", "zh")
    return 1.0, unit_text("yuan", lang)


MONEY_DECIMALS = {WAN: 2, YI: 2, 1.0: 0}
"""Digits after the decimal point for money by divisor: 万元 and 亿元 with 2, yuan with none."""


def format_yuan(value: Any, lang: str | None = None, decimals: int | None = None, *, unit: bool = True,
                divisor: float | None = None, signed: bool = False) -> str:
    """An amount of money: ``12.35 万元`` / ``1.20 亿元`` in Chinese, ``123,456 yuan`` in English.

    Args:
        value: yuan.
        lang: the language (None: the current language).
        decimals: digits after the decimal point (default: 2 for 万元 and 亿元, 0 for yuan).
        unit: append the unit.
        divisor: use this scale (from :func:`yuan_scale` of a whole row or axis) instead of
            the value's own.
        signed: put ``+`` before a positive amount.
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if divisor is None:
        divisor, unit_name = yuan_scale(abs(number), lang)
    else:
        unit_name = _money_unit(divisor, lang)
    places = MONEY_DECIMALS.get(divisor, 2) if decimals is None else decimals
    shown = format_number(number / divisor if math.isfinite(number) else number, lang, places, signed=signed)
    return f"{shown} {unit_name}" if unit and shown != "–" else shown


def _money_unit(divisor: float, lang: str | None) -> str:
    if divisor == YI:
        return unit_text("hundred million yuan", lang)
    if divisor == WAN:
        return unit_text("ten thousand yuan", lang)
    return unit_text("yuan", lang)


# ---------------------------------------------------------------------------- plain-text tables


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: wide (CJK) characters count two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def ljust(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (CJK-aware ``str.ljust``)."""
    return text + " " * max(0, width - display_width(text))


def rjust(text: str, width: int) -> str:
    """``text`` padded on the left to ``width`` terminal columns (CJK-aware ``str.rjust``)."""
    return " " * max(0, width - display_width(text)) + text


# ---------------------------------------------------------------------------- Jinja2


def install_jinja(env: Any, lang: str | None = None) -> None:
    """Give a Jinja2 environment the functions its templates translate with, in ``lang``.

    ``{{ _("Outcomes") }}`` is the text in ``lang``; ``{{ _("{n} design points", n=3) }}``
    fills placeholders after translating. The catalogue's text is trusted like the
    template's own (written by us, so ``Sobol' index`` keeps its apostrophe), while the
    placeholder values are escaped; ``_html`` says so where a message id holds markup
    (``<code>--reps R</code>``). ``html_lang`` is the ``<html lang>`` value. The
    catalogue's extractor (``sim/locale/extract.py``) finds ``_`` and ``_html`` calls in
    the templates.
    """
    from markupsafe import Markup

    chosen = _language(lang)

    def markup(msgid: str, **fields: Any) -> Markup:
        shown = Markup(translate(msgid, chosen))  # catalogue text, written by us: trusted markup
        return shown.format(**fields) if fields else shown

    def number(value: Any, decimals: int | None = None) -> str:
        return format_number(value, chosen, decimals)

    env.globals.update({"_": markup, "_html": markup, "html_lang": HTML_LANG[chosen], "lang": chosen,
                        "format_number": number})


__all__ = [
    "BABEL_LOCALES",
    "DOMAIN",
    "HTML_LANG",
    "LANGUAGES",
    "LANG_ENV",
    "LOCALE_DIR",
    "N_",
    "LanguageError",
    "_",
    "catalogue_path",
    "current_language",
    "display_width",
    "format_number",
    "format_percent",
    "format_yuan",
    "gettext",
    "install_jinja",
    "ljust",
    "resolve_language",
    "rjust",
    "translate",
    "translations",
    "unit_text",
    "use_language",
    "yuan_scale",
]
