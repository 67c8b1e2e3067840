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
from collections.abc import Callable, Sequence
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


def argument_parser(doc: str) -> argparse.ArgumentParser:
    """A parser described by the first line of ``doc``, with ``--backends sqlite redis`` (default both)."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--backends", nargs="+", default=list(KINDS), choices=KINDS)
    return parser


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


#: A table column: its header, the format spec of its cells, and a cell's value from a row.
Column = tuple[str, str, Callable[[dict], object]]


def print_table(title: str, columns: Sequence[Column], rows: Sequence[dict]) -> None:
    """``title``, then a header line and a line a row; the first column left-aligned, the others
    right-aligned, each as wide as its header or widest cell."""
    cells = [[format(value(r), spec) for _, spec, value in columns] for r in rows]
    widths = [max([len(h)] + [len(line[i]) for line in cells]) for i, (h, _, _) in enumerate(columns)]
    print(title)
    for line in [[h for h, _, _ in columns], *cells]:
        right = [cell.rjust(width) for cell, width in zip(line[1:], widths[1:], strict=True)]
        print("  ".join([line[0].ljust(widths[0]), *right]))


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
