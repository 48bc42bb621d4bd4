"""What the browser tests share: Debian's chromium, the guard that requires it, and the fonts it drew.

Playwright cannot download its own browser here, so the tests launch Debian's chromium
(``CHROMIUM``) with ``CHROMIUM_ARGS`` (headless, no background traffic). ``require_browser``
skips a browser test when something it needs is missing, and fails it instead under
``TALENTSIM_REQUIRE_BROWSER=1`` (as CI sets it). ``platform_fonts`` says which fonts a
node's text was actually drawn with: a page can ask for a CJK font and still fall back
to another (or to boxes) when the font does not load.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def require_browser(*modules: str, install: str) -> None:
    """Skip (or, under TALENTSIM_REQUIRE_BROWSER=1, fail) unless chromium and ``modules`` are there.

    ``install``: how to install the modules, said in the reason.
    """
    reason = None
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        for module in modules:
            try:
                importlib.import_module(module)
            except ImportError:
                reason = f"{module} is not installed ({install})"
                break
    if reason and os.environ.get("TALENTSIM_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; TALENTSIM_REQUIRE_BROWSER=1 requires the browser test to run")
    if reason:
        pytest.skip(reason)


def platform_fonts(page: Any, selector: str) -> list[dict]:
    """The fonts Chromium drew the text of the node ``selector`` with (DevTools: CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
