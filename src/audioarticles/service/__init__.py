"""The HTTP API (`audioarticles api`): `app.py` the routes, `guards.py` the size and rate
limits in front of them; `serve` runs it with uvicorn. Needs the `api` extra
(`pip install 'audioarticles[api]'`)."""

from __future__ import annotations

import socket
from collections.abc import Callable

LOOPBACK = ("127.0.0.1", "::1", "localhost")


def listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound before uvicorn starts (so port 0 gives a known port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def serve(project, sock: socket.socket, started: Callable[[], None] | None = None) -> None:
    """Serve the API on `sock` until SIGINT/SIGTERM (uvicorn's own graceful stop)."""
    import uvicorn

    from audioarticles.service.app import asgi_app

    config = uvicorn.Config(asgi_app(project), log_level="warning", access_log=False,
                            proxy_headers=False, server_header=False, lifespan="on")
    server = uvicorn.Server(config)
    if started is not None:
        original = server.startup

        async def startup(sockets=None):
            await original(sockets)
            started()

        server.startup = startup
    server.run(sockets=[sock])
