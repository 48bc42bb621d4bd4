"""The local server of ``talentsim app``: Solara on uvicorn, with nothing fetched from the network.

Why each setting: Solara's page loads its JavaScript, CSS and fonts from a CDN path
that its server answers from a local folder (``SOLARA_ASSETS_PROXY``); the
``solara-assets`` package, part of the ``app`` extra, fills that folder. An asset missing
from it would make the server fetch it from the CDN: :func:`build_asgi_app` replaces
that fetch with a refusal, so the server never goes to the network (the page's request fails and
the browser test sees it). Solara's usage telemetry (Mixpanel) is switched off. The CJK
font the reports embed is served from the installed font package at :data:`FONT_URL`,
so Chinese labels render on a machine without CJK fonts.
"""

from __future__ import annotations

import errno
import os
import socket
import types
from typing import Any

from sim.app.config import AppConfig, configure
from sim.errors import UserError
from sim.i18n import translate

FONT_URL = "/_talentsim/font/NotoSansSC-Regular.otf"
"""Where the page loads the CJK font from (this server)."""

FONT_FAMILY = "talentsim Noto Sans SC"
"""The family name the page's ``@font-face`` declares."""

OFFLINE_ENVIRONMENT = {
    "SOLARA_APP": "sim.app.page",
    "SOLARA_ASSETS_PROXY": "True",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_THEME_SHOW_BANNER": "False",
    "SOLARA_THEME_TITLE": "talentsim",
}
"""Solara's settings for an offline app (read when ``solara`` is first imported)."""

LOOPBACK = "127.0.0.1"


class CdnRefused(RuntimeError):
    """An asset the installed packages do not ship: the server does not fetch it."""


def _refuse_network(url: str, *args: Any, **kwargs: Any) -> Any:
    raise CdnRefused(translate("talentsim app does not fetch {url}: it is not in the installed packages; "
                               "reinstall the app extra (pip install -e \".[app]\")").format(url=url))


def check_port_free(host: str, port: int) -> None:
    """Fail before starting when ``host:port`` cannot be bound (taken, or not an address of this machine).

    Raises:
        UserError: One paragraph naming the address and what to do.
    """
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UserError(translate("{host}:{port} is already in use (another talentsim app, or another "
                                          "program); choose a free port with --port", None).format(
                    host=host, port=port)) from None
            raise UserError(translate("cannot listen on {host}:{port} ({reason}); give an address of this machine "
                                      "with --host, or a port from 1024 to 65535 with --port", None).format(
                host=host, port=port, reason=exc.strerror or exc)) from None


def build_asgi_app() -> Any:
    """Solara's Starlette app, set up offline, with the font route added."""
    os.environ.update(OFFLINE_ENVIRONMENT)
    import solara.server.cdn_helper as cdn_helper
    import solara.server.settings as solara_settings
    from starlette.responses import FileResponse
    from starlette.routing import Route

    from sim.report.fonts import font_path

    solara_settings.telemetry.mixpanel_enable = False
    # the CDN fetch of an asset missing from the local copy is refused, never made
    setattr(cdn_helper, "requests", types.SimpleNamespace(get=_refuse_network))  # noqa: B010
    from solara.server.starlette import app

    async def font(request: Any) -> FileResponse:
        return FileResponse(font_path(), media_type="font/otf", headers={"Cache-Control": "max-age=86400"})

    if not any(getattr(route, "path", None) == FONT_URL for route in app.router.routes):
        app.router.routes.insert(0, Route(FONT_URL, endpoint=font))
    return app


def serve(config: AppConfig, host: str, port: int, on_started: Any = None) -> None:
    """Serve the app on ``host:port`` until interrupted (Ctrl-C), then stop the worker pool.

    Args:
        config: The app's settings, pool and cache (shared by every tab).
        host: The address to listen on (``127.0.0.1`` unless ``--host``).
        port: The port.
        on_started: Called once the server listens (the command prints the address then).
    """
    import uvicorn

    configure(config)
    app = build_asgi_app()

    class Server(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if on_started is not None and self.started:
                on_started()

    server = Server(uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on"))
    try:
        server.run()
    finally:
        config.pool.shutdown()
