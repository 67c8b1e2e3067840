"""The training queue's two storages for its tests: SQLite in tmp_path and a real Debian
``redis-server`` on a free loopback port (started here, stopped after the module).

Without ``redis-server`` the Redis cases are skipped, except in CI (``$CI`` set), where they fail:
``make test`` installs it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from core.training.jobs import queue_storage


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """``redis-server`` on 127.0.0.1:<free port>, no persistence, optionally with a password."""

    def __init__(self, folder: Path, *, password: str | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            if os.environ.get("CI"):
                pytest.fail("Debian's redis-server is required in CI (make test installs it)")
            pytest.skip("redis-server is not installed: `make test` installs it with apt-get")
        self.port, self.password = free_port(), password
        args = [
            binary,
            "--bind",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ]
        if password:
            args += ["--requirepass", password]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError as err:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from err
                time.sleep(0.05)

    def url(self, *, password: str | None = None, db: int = 0) -> str:
        auth = f":{password}@" if password else ""
        return f"redis://{auth}127.0.0.1:{self.port}/{db}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "redis"])
def storage(request, tmp_path):
    """A fresh, empty Huey storage of each kind (Redis: the module's server, flushed)."""
    if request.param == "sqlite":
        return queue_storage(f"sqlite:///{tmp_path / 'queue.sqlite'}")
    server = request.getfixturevalue("redis_server")
    huey = queue_storage(server.url())
    huey.storage.conn.flushdb()
    return huey


def twin(huey):
    """Another Huey on the same storage (what a second process opens): one TrainingQueue each."""
    storage = huey.storage
    if hasattr(storage, "filename"):
        return queue_storage(f"sqlite:///{storage.filename}")
    kwargs = storage.conn.connection_pool.connection_kwargs
    return queue_storage(f"redis://{kwargs['host']}:{kwargs['port']}/{kwargs.get('db', 0)}")
