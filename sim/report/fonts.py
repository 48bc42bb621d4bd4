"""The CJK font that Chinese reports and charts are drawn with, on any machine.

Neither a fresh Debian machine nor CI has a CJK system font: without one, a browser
draws 现代学徒制 as empty boxes (with no console error) and matplotlib as empty boxes
with a "Glyph ... missing from font(s)" warning. So talentsim brings its own: Noto Sans
SC Regular (SIL Open Font License 1.1), shipped inside the PyPI package
``pylopdf-fonts-zh-cn`` that ``pip install -e .`` installs.

* Charts register the font file with matplotlib (:func:`register_chart_font`) and list
  it in ``font.family`` (:func:`chart_font_families`): first for Chinese charts, after
  DejaVu Sans for English ones (so a Chinese scenario name in an English chart still
  shows). SVG text is written as paths, so an SVG shows the same glyphs everywhere.
* The HTML report embeds the subset of the font that its text uses, as an
  ``@font-face`` with a WOFF data URI (:func:`font_face_css`): no file or URL beside it.
"""

from __future__ import annotations

import base64
import functools
import io
import re
from collections.abc import Callable, Iterable
from pathlib import Path

FONT_PACKAGE = "pylopdf-fonts-zh-cn"
"""The PyPI package that ships the font (a dependency in ``pyproject.toml``)."""

CHART_FAMILY = "Noto Sans SC"
"""The font's family name, as matplotlib's font manager knows it after registration."""

LATIN_FAMILY = "DejaVu Sans"
"""matplotlib's own font, first in English charts."""

WEB_FAMILY = "talentsim Noto Sans SC"
"""The family name the report's ``@font-face`` declares (distinct from any installed font)."""

KEPT_NAME_IDS = (0, 1, 2, 3, 4, 5, 6, 7, 11, 13, 14)
"""Name records a subset keeps: copyright, names, version, vendor, and the OFL licence and its URL."""

_CJK = re.compile("[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff\u3400-\u4dbf"
                  "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
"""CJK ideographs, radicals, punctuation, kana, bopomofo and full-width forms."""


@functools.cache
def font_path() -> Path:
    """The Noto Sans SC Regular file of the installed font package.

    Raises:
        RuntimeError: The package is not installed (reinstall talentsim: ``pip install -e .``).
    """
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:  # pragma: no cover - a dependency of talentsim
        raise RuntimeError(f"the font package {FONT_PACKAGE} is missing; reinstall talentsim "
                           "(pip install -e .)") from None
    return Path(pylopdf_fonts_zh_cn.sans_path())


@functools.cache
def character_map() -> frozenset[int]:
    """The code points the font has a glyph for."""
    from fontTools.ttLib import TTFont

    with TTFont(font_path(), lazy=True) as font:
        return frozenset(font.getBestCmap())


@functools.cache
def register_chart_font() -> str:
    """Add the font file to matplotlib's font manager (once per process); return its family name.

    The package has the regular weight only. It is registered a second time as the bold
    weight too, so a bold title finds a face without matplotlib's "Failed to find font
    weight bold" warning; Chinese titles are emboldened by a stroke instead
    (:data:`sim.report.charts` ``FAUX_BOLD``).
    """
    import dataclasses

    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = str(font_path())
    regular = font_manager.ttfFontProperty(FT2Font(path))
    font_manager.fontManager.ttflist.append(dataclasses.replace(regular, weight=700))
    font_manager.fontManager.addfont(path)  # the regular face; clears the cache of earlier look-ups
    return CHART_FAMILY


def chart_font_families(lang: str) -> list[str]:
    """``font.family`` for a chart in ``lang``: the CJK font first in Chinese, else as DejaVu Sans's fallback."""
    cjk = register_chart_font()
    return [cjk, LATIN_FAMILY] if lang == "zh" else [LATIN_FAMILY, cjk]


def has_cjk(text: str) -> bool:
    """True if ``text`` holds a CJK character (which a machine without CJK fonts cannot show)."""
    return _CJK.search(text) is not None


def subset_woff(characters: Iterable[str]) -> bytes:
    """The font cut down to ``characters`` (those it has), as WOFF bytes (the same bytes for the same text).

    The subset keeps the font's copyright and licence records (OFL 1.1 asks for them).
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    cmap = character_map()
    wanted = sorted({ord(c) for c in characters if ord(c) in cmap})
    options = subset.Options()
    options.flavor = "woff"
    options.name_IDs = list(KEPT_NAME_IDS)
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    options.drop_tables += ["DSIG"]
    with TTFont(font_path(), recalcTimestamp=False, lazy=False) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=wanted)
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.flavor = "woff"
        font.save(buffer)
    return buffer.getvalue()


SANS = ('"Segoe UI", "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", "DejaVu Sans", "PingFang SC", '
        '"Microsoft YaHei", sans-serif')
"""The report's sans-serif fonts (Latin text, and CJK text on a machine that has a CJK font)."""

MONO = 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace'
"""The report's monospace fonts (keys, file names, hashes)."""

_DATA_URI = re.compile(r"data:[^\"')\s]*")


def stacks_css(embedded: bool) -> str:
    """The report's ``--sans`` and ``--mono`` font stacks, led by the embedded font when there is one.

    The embedded font must come first: Chromium draws a character that the first
    installed font of a stack lacks as an empty box, without looking further down the
    stack for a web font, while it does fall back from a web font that lacks a character
    (ASCII, not embedded) to the installed fonts after it.
    """
    if not embedded:
        return f":root {{ --sans: {SANS}; --mono: {MONO}; }}"
    web = f'"{WEB_FAMILY}"'
    return f":root {{ --sans: {web}, {SANS}; --mono: {web}, {MONO}; }}"


def page_characters(page: str) -> set[str]:
    """Every character an HTML page can show: its text and attributes, without data URIs, entities decoded."""
    import html

    return {c for c in html.unescape(_DATA_URI.sub("", page)) if c.isprintable() or c == "\u3000"}


def embedded_characters(characters: Iterable[str], lang: str) -> set[str]:
    """The characters a page embeds glyphs for: in Chinese every one beyond ASCII, else the CJK ones.

    ASCII text is drawn by the installed Latin fonts (every machine has them), so keys,
    numbers and English words keep their usual typeface.
    """
    if lang == "zh":
        return {c for c in characters if ord(c) > 127}
    return {c for c in characters if has_cjk(c)}


def embed_font(render: Callable[[str], str], lang: str) -> str:
    """An HTML page whose CJK text shows on any machine: the subset of the font it uses, embedded.

    Args:
        render: Renders the page with the given CSS (font stacks, and the ``@font-face``
            rule when one is needed) at the top of its style sheet.
        lang: The page's language. A Chinese page always embeds; an English page only
            when it holds CJK text (a Chinese scenario name). See :func:`embedded_characters`.

    Returns:
        The page.
    """
    page = render(stacks_css(embedded=False))
    wanted = embedded_characters(page_characters(page), lang)
    if lang != "zh" and not wanted:
        return page
    return render(font_face_css(wanted) + "\n  " + stacks_css(embedded=True))


def font_face_css(characters: Iterable[str]) -> str:
    """An ``@font-face`` rule declaring :data:`WEB_FAMILY` as the subset for ``characters``, embedded."""
    data = base64.b64encode(subset_woff(characters)).decode("ascii")
    return (f'@font-face {{ font-family: "{WEB_FAMILY}"; font-style: normal; '
            f'font-display: block; src: url(data:font/woff;base64,{data}) format("woff"); }}')
