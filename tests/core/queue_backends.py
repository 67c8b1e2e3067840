"""The training queue's two storages for its tests: SQLite in tmp_path and a real Debian
``redis-server`` on a free loopback port (started by :mod:`deploy.local.redis_server`, stopped after
the module).

Without ``redis-server`` the Redis cases are skipped, except in CI (``$CI`` set), where they fail:
``make test`` installs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import deploy.local.redis_server
from core.training.jobs import queue_storage

ROOT = Path(__file__).resolve().parents[2]


class RedisServer(deploy.local.redis_server.RedisServer):
    """:class:`deploy.local.redis_server.RedisServer`, or the test skipped where ``redis-server`` is not
    installed (failed in CI: ``make test`` installs it)."""

    def __init__(self, folder: Path, *, password: str | None = None) -> None:
        if not deploy.local.redis_server.installed():
            if os.environ.get("CI"):
                pytest.fail("Debian's redis-server is required in CI (make test installs it)")
            pytest.skip("redis-server is not installed: `make test` installs it with apt-get")
        super().__init__(folder, password=password)


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


def worker_env(queue_url: str, **extra: str) -> dict[str, str]:
    """This process's environment with the repository on ``PYTHONPATH``, the queue at ``queue_url`` and
    ``extra`` (e.g. ``NEURAL_EXPLAINER_CACHE``): what a web process and the worker process share."""
    return dict(os.environ, PYTHONPATH=str(ROOT), NEURAL_EXPLAINER_QUEUE_URL=queue_url, **extra)


@contextmanager
def running_worker(env: dict[str, str], log: Path, *args: str) -> Iterator[subprocess.Popen]:
    """The queue's real consumer, ``python -m core.training.worker *args``, in ``env``, its stderr in
    ``log``; terminated (and reaped) when the block ends."""
    with log.open("w") as err:
        worker = subprocess.Popen(
            [sys.executable, "-m", "core.training.worker", *args],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            yield worker
        finally:
            worker.terminate()
            worker.wait(timeout=30)
