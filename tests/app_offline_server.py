"""Run ``talentsim ARGS`` with outbound network blocked in this process (for tests/test_app_browser.py).

Every connection and name lookup to anything but this machine is refused and reported on
stderr with the marker ``OUTBOUND-REFUSED``, so the test can assert that the server
never tried to reach the network (a Solara CDN fetch, telemetry, a version check).
"""

from __future__ import annotations

import socket
import sys

MARKER = "OUTBOUND-REFUSED"
LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost", "0.0.0.0", ""}

_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex
_getaddrinfo = socket.getaddrinfo


def _local(address: object) -> bool:
    if isinstance(address, tuple) and address:
        return str(address[0]) in LOCAL_HOSTS
    return True  # a Unix socket path


def _refuse(what: object) -> OSError:
    print(f"{MARKER} {what!r}", file=sys.stderr, flush=True)
    return ConnectionRefusedError(f"outbound network is blocked in this test: {what!r}")


def connect(self: socket.socket, address: object) -> None:
    if not _local(address):
        raise _refuse(address)
    return _connect(self, address)  # type: ignore[arg-type]


def connect_ex(self: socket.socket, address: object) -> int:
    if not _local(address):
        raise _refuse(address)
    return _connect_ex(self, address)  # type: ignore[arg-type]


def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    if host is not None and str(host) not in LOCAL_HOSTS:
        raise _refuse(host)
    return _getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


socket.socket.connect = connect  # type: ignore[method-assign]
socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]

if __name__ == "__main__":
    from sim.cli import main

    sys.exit(main(sys.argv[1:]))
