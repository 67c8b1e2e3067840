"""The training queue's status poll with many pending jobs: the old scan against the ticket counter.

A waiting page polls ``TrainingQueue.status(key)`` every second. The queue before the ticket
counter found a job's place in line by unpickling every pending message and reading every other
job's record (:data:`BEFORE` is that version, loaded from git); now it reads the job's record and
the counters in one round trip. Both are timed with ``--jobs`` pending jobs (default 2,000) on the
same storage kind, against a reference measured in the same run: one bare key read from that
storage (``storage.peek_data``). Also timed: one new request (``submit``) with that queue.

Usage: ``python bench/bench_queue.py [--jobs 2000] [--backends sqlite redis]`` (Redis needs Debian's
``redis-server``; it is started on a free loopback port and stopped after).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Run as a script, the repository root is not on sys.path: put it there for the ``bench`` package.
sys.path.insert(0, str(ROOT))

from bench.storages import Storage, argument_parser, measure_each, print_table, timed  # noqa: E402
from core.training import jobs, queue_codec  # noqa: E402

#: The queue before JSON messages and the ticket counter (its status scanned the pending jobs).
BEFORE = "9fd0dc0^"


@dataclass(frozen=True)
class BenchConfig:
    key: str
    epochs: int = 1


def bench_task(config, progress):
    return config.key


def load_before():
    """``core.training.jobs`` as of :data:`BEFORE`, as a module named ``jobs_before``."""
    source = subprocess.run(
        ["git", "show", f"{BEFORE}:core/training/jobs.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp(prefix="bench-queue-")) / "jobs_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("jobs_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["jobs_before"] = module
    spec.loader.exec_module(module)
    return module


def measure(storage: Storage, n_jobs: int, before_module) -> dict:
    """Timings on one storage kind: db 0 (or file 0) before, db 1 (file 1) after."""
    import huey

    if storage.server is None:
        old_storage = huey.SqliteHuey("bench", filename=str(storage.path(0)), results=False)
    else:
        old_storage = huey.RedisHuey("bench", url=storage.url(0), results=False)
    old = before_module.TrainingQueue(old_storage, consume=False)
    new_storage = jobs.queue_storage(storage.url(1))
    new = jobs.TrainingQueue(new_storage, consume=False, max_pending=n_jobs + 1)
    for i in range(n_jobs):
        old.submit(BenchConfig(f"job{i}"), bench_task)
        new.submit(BenchConfig(f"job{i}"), bench_task, session=f"student{i}")
    last = f"job{n_jobs - 1}"
    assert old.status(last).position == new.status(last).position == n_jobs
    new_storage.put("reference", {"x": 1})
    row = {
        "jobs": n_jobs,
        "reference": timed(lambda: new_storage.storage.peek_data("reference"), 200).wall,
        "before": timed(lambda: old.status(last), 5 if n_jobs > 500 else 20).wall,
        "after": timed(lambda: new.status(last), 200).wall,
    }
    counter = iter(range(10**6))
    row["submit"] = timed(
        lambda: new.submit(BenchConfig(f"extra{next(counter)}"), bench_task, session="one-student"), 50
    ).wall
    return row


def main(argv=None) -> int:
    parser = argument_parser(__doc__)
    parser.add_argument("--jobs", type=int, default=2000, help="pending jobs (default 2000)")
    args = parser.parse_args(argv)
    queue_codec.register_task("bench", bench_task, BenchConfig)
    before_module = load_before()
    rows = measure_each(args.backends, lambda storage: measure(storage, args.jobs, before_module))
    print_table(
        "status(key) of the last of N pending jobs; reference = one bare key read of the same storage",
        [
            ("storage", "", lambda r: r["backend"]),
            ("N", "", lambda r: r["jobs"]),
            ("ref µs", ".1f", lambda r: r["reference"] * 1e6),
            ("before ms", ".2f", lambda r: r["before"] * 1e3),
            ("after ms", ".3f", lambda r: r["after"] * 1e3),
            ("before/ref", ".0f", lambda r: r["before"] / r["reference"]),
            ("after/ref", ".1f", lambda r: r["after"] / r["reference"]),
            ("before/after", ".0f", lambda r: r["before"] / r["after"]),
            ("submit/ref", ".1f", lambda r: r["submit"] / r["reference"]),
        ],
        rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
