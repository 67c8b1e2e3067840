"""Run one measurement on each storage kind the queue and the live rooms use: SQLite and Redis.

Shared by ``bench/bench_queue.py`` and ``bench/bench_rooms.py``: the ``--backends`` option, a fresh
temporary folder per kind, a real ``redis-server`` on a free loopback port for the Redis kind
(:mod:`deploy.local.redis_server`, stopped after), the timer both tables are built from, and
writers racing from several processes (also used by ``tests/core/test_rooms.py``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from deploy.local import redis_server

KINDS = ("sqlite", "redis")


@dataclass(frozen=True)
class Storage:
    """One storage kind's place for a measurement: ``url(i)`` is its i-th database (Redis) or file."""

    kind: str
    folder: Path
    server: redis_server.RedisServer | None = None

    def path(self, i: int = 0) -> Path:
        """The i-th SQLite file in the folder."""
        return self.folder / f"store{i}.sqlite"

    def url(self, i: int = 0) -> str:
        """``redis://127.0.0.1:<port>/<i>`` or ``sqlite:///<folder>/store<i>.sqlite``."""
        return self.server.url(db=i) if self.server is not None else f"sqlite:///{self.path(i)}"


@dataclass(frozen=True)
class Timing:
    """Median wall seconds and mean CPU seconds of this process, per call."""

    wall: float
    cpu: float


def add_kinds_option(parser: argparse.ArgumentParser) -> None:
    """``--backends sqlite redis``: the storage kinds to measure (default both)."""
    parser.add_argument("--backends", nargs="+", default=list(KINDS), choices=KINDS)


def measure_each(kinds, measure: Callable[[Storage], dict]) -> list[dict]:
    """``{"backend": kind} | measure(storage)`` for each kind, each in a fresh temporary folder.

    Redis is skipped, with a line saying so, where ``redis-server`` is not installed.
    """
    rows = []
    for kind in kinds:
        if kind == "redis" and not redis_server.installed():
            print("redis: skipped (redis-server is not installed; `make test` installs it)")
            continue
        with tempfile.TemporaryDirectory() as name:
            folder = Path(name)
            with redis_server.RedisServer(folder) if kind == "redis" else nullcontext() as server:
                rows.append({"backend": kind} | measure(Storage(kind, folder, server)))
    return rows


def timed(call: Callable[[], object], repeat: int, *, warm_up: int = 1) -> Timing:
    """The :class:`Timing` of ``call()`` over ``repeat`` runs, after ``warm_up`` untimed runs."""
    for _ in range(warm_up):
        call()
    walls = []
    cpu0 = time.process_time()
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        walls.append(time.perf_counter() - start)
    return Timing(statistics.median(walls), (time.process_time() - cpu0) / repeat)


def run_at_once(target: Callable, args: tuple, *, processes: int = 2, timeout: float = 300) -> list:
    """What ``target(*args, start, results)`` puts on ``results``, from each of ``processes`` processes.

    The processes are spawned (no state forked from this one) and wait on the barrier ``start`` so that
    they begin together; ``target`` must be importable by name (a module-level function).

    Raises
    ------
    queue.Empty
        If a process puts nothing within ``timeout`` seconds.
    """
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Barrier(processes), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args, start, results)) for _ in range(processes)]
    for p in procs:
        p.start()
    try:
        return [results.get(timeout=timeout) for _ in procs]
    finally:
        for p in procs:
            p.join(60)
