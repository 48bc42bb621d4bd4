"""What the browser tests share: which fonts Chromium actually drew a node's text with.

A page can ask for a CJK font and still fall back to another (or to boxes) when the font
does not load; DevTools' ``CSS.getPlatformFontsForNode`` says what was drawn.
"""

from __future__ import annotations

from typing import Any


def platform_fonts(page: Any, selector: str) -> list[dict]:
    """The fonts Chromium drew the text of the node ``selector`` with (DevTools: CSS.getPlatformFontsForNode)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
