"""Serve the web app with several worker processes: ``python -m webapp.serve`` (what
``python app.py`` runs when HOIDAP_WORKERS > 1), on HOIDAP_HOST:HOIDAP_PORT.

Each worker builds the whole app (``app:create_served_app``, settings from the same HOIDAP_*
environment), so each holds its own index and model (~350 MB resident each with the seed index) and its own answer
cache; they share the index directory and follow each other's admin changes
(``ServiceHolder.follow``).

Why not ``uvicorn app:create_app --factory --workers N``: two things.

* ``tcp_listener``: uvicorn's multi-worker listening socket reports ``proto`` 0, so asyncio never
  turns TCP_NODELAY on for its connections (uvicorn issue #3149) and every keep-alive response
  waits ~40 ms for the client's delayed ACK. Measured with ``eval.load``, 1 client: 2.5 ms p50
  with one worker, 48 ms with ``uvicorn --workers 2``.
* This module imports almost nothing: worker processes are started with ``spawn``, which
  re-imports the parent's ``__main__``; were that ``app.py`` (Gradio, FastAPI, the service), a
  worker would not answer uvicorn's 5 s start-up health check on a busy machine and would be
  killed and restarted again and again.
"""
from __future__ import annotations

import socket
import sys

__all__ = ["tcp_listener", "serve_workers"]


def tcp_listener(config) -> socket.socket:
    """uvicorn's listening socket (``config.bind_socket()``) re-wrapped to say it is TCP, so the
    connections accepted on it get TCP_NODELAY."""
    sock = config.bind_socket()
    fixed = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    fixed.set_inheritable(True)
    return fixed


def serve_workers(host: str, port: int, workers: int) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config("app:create_served_app", factory=True, host=host, port=port, workers=workers,
                            log_level="warning", access_log=False)
    Multiprocess(config, sockets=[tcp_listener(config)]).run()


def main() -> int:
    from settings import get_settings

    settings = get_settings()
    serve_workers(settings.host, settings.port, max(2, settings.workers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
