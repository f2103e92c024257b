"""A real uvicorn server on 127.0.0.1 for browser and API fuzzing tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI

START_TIMEOUT = 20.0


def bound_socket() -> socket.socket:
    """Return a TCP socket bound to a port of 127.0.0.1 that the system chose.

    The port stays taken while the socket is open, so no other test (in
    another pytest-xdist worker, say) can take it before the server listens.
    """
    bound = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    bound.bind(("127.0.0.1", 0))
    return bound


@contextmanager
def live_server(app: FastAPI, **options: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn in a thread and yield its base URL.

    ``options`` are further arguments of ``uvicorn.Config``.
    """
    with bound_socket() as listener:
        port: int = listener.getsockname()[1]
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            ws="none",
            **options,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, args=([listener],), daemon=True)
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError(f"uvicorn did not start on 127.0.0.1:{port}")
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=10)
