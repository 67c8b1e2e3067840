"""Start Debian's ``redis-server`` on 127.0.0.1 and a free port, with no persistence, and stop it.

The one Redis starter of the queue and room tests (``tests/core/queue_backends.py``) and of the
storage benchmarks (``bench/storages.py``)::

    from deploy.local.redis_server import RedisServer

    with RedisServer(folder) as server:      # answers on 127.0.0.1:<free port>
        url = server.url(db=1)               # redis://127.0.0.1:<port>/1

Only the standard library is imported here.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from deploy.local.streamlit_server import HOST, free_port


def installed() -> bool:
    """Whether ``redis-server`` is on ``PATH`` (Debian's package ``redis-server``)."""
    return shutil.which("redis-server") is not None


class RedisServer:
    """``redis-server`` on 127.0.0.1:<free port>, no snapshot, no append-only file, optional password.

    Parameters
    ----------
    folder : Path
        Its working directory (``--dir``); nothing is written there with persistence off.
    password : str, optional
        Required of every client (``--requirepass``) when given.
    timeout : float
        Seconds to wait for the port to accept connections.

    Raises
    ------
    FileNotFoundError
        If ``redis-server`` is not installed: ``apt-get install redis-server``.
    RuntimeError
        If it does not accept connections within ``timeout`` seconds or exits first.
    """

    def __init__(self, folder: Path, *, password: str | None = None, timeout: float = 20) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise FileNotFoundError("redis-server is not installed: apt-get install redis-server")
        self.port, self.password = free_port(), password
        args = [binary, "--bind", HOST, "--port", str(self.port), "--save", "", "--appendonly", "no"]
        args += ["--dir", str(folder)] + (["--requirepass", password] if password else [])
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while True:
            try:
                socket.create_connection((HOST, self.port), timeout=0.5).close()
                return
            except OSError as err:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from err
                time.sleep(0.05)

    def url(self, *, password: str | None = None, db: int = 0) -> str:
        """``redis://[:password@]127.0.0.1:<port>/<db>`` (the server's password is not added by itself)."""
        auth = f":{password}@" if password else ""
        return f"redis://{auth}{HOST}:{self.port}/{db}"

    def stop(self) -> None:
        """Terminate it (kill after 10 s) and reap the process."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> RedisServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
