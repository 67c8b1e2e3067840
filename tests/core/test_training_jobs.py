"""core.training.jobs: deduplicated training jobs on a real Huey queue (SQLite storage in tmp_path).

Tasks are module-level functions on the queue's allow-list (registered below: the queue carries
their names and JSON configs, never pickles) sequenced with events; every wait is bounded, so a
broken queue fails a test instead of hanging it. The last tests run the real consumer
(``python -m core.training.worker --tasks`` this module) and two submitting processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from core.training.jobs import SLOTS_ENV_VAR, TrainingQueue, default_queue, queue_storage, slots_from_env
from core.training.queue_codec import register_task
from tests.core.queue_backends import running_worker, worker_env

WAIT_S = 20.0
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Config:
    key: str
    epochs: int = 3


class Gate:
    """Records its runs, says when it started and waits until it is let through."""

    def __init__(self, result="weights saved", error: Exception | None = None) -> None:
        self.runs: list[str] = []
        self.started, self.release = threading.Event(), threading.Event()
        self.result, self.error = result, error


#: The gate of each config key in the current test (tasks find theirs here: they are pickled).
GATES: dict[str, Gate] = {}


def gated_task(config, progress):
    gate = GATES[config.key]
    gate.runs.append(config.key)
    gate.started.set()
    assert gate.release.wait(WAIT_S), "the test never released the task"
    if gate.error is not None:
        raise gate.error
    return f"{gate.result} for {config.key}"


def key_task(config, progress):
    return config.key


register_task("test-gated", gated_task, Config)
register_task("test-key", key_task, Config)


@pytest.fixture
def storage(tmp_path):
    GATES.clear()
    return queue_storage(f"sqlite:///{tmp_path / 'queue.sqlite'}")


@pytest.fixture
def queue(storage):
    q = TrainingQueue(storage, max_concurrent=1, consume=True)
    yield q
    for gate in GATES.values():
        gate.release.set()
    q.shutdown(wait=True)


def test_same_key_twice_runs_once_and_both_see_the_result(queue):
    gate = GATES["a"] = Gate()
    first = queue.submit(Config("a"), gated_task)
    second = queue.submit(Config("a"), gated_task)
    assert first.key == second.key == "a"
    assert gate.started.wait(WAIT_S)
    assert queue.status("a").status == "running"
    gate.release.set()
    done = queue.wait("a", timeout=WAIT_S)
    assert done.status == "done" and done.result == "weights saved for a"
    assert queue.submit(Config("a"), gated_task).result == "weights saved for a"  # finished: not rerun
    time.sleep(0.5)
    assert gate.runs == ["a"]
    with pytest.raises(ValueError, match="max_concurrent"):
        TrainingQueue(queue.huey, max_concurrent=0)


def test_a_second_key_waits_in_line_then_runs(queue):
    first, second, third = (GATES.setdefault(k, Gate()) for k in "abc")
    queue.submit(Config("a"), gated_task)
    assert first.started.wait(WAIT_S)
    b = queue.submit(Config("b"), gated_task)
    c = queue.submit(Config("c"), gated_task)
    assert (b.status, b.position) == ("queued", 1)
    assert (c.status, c.position) == ("queued", 2)
    assert queue.status("a").position == 0
    assert not second.started.is_set()  # one slot: b has not started
    first.release.set()
    assert second.started.wait(WAIT_S)
    assert queue.status("b").status == "running"
    assert (queue.status("c").status, queue.status("c").position) == ("queued", 1)
    second.release.set()
    third.release.set()
    assert queue.wait("c", timeout=WAIT_S).result == "weights saved for c"
    assert first.runs + second.runs + third.runs == ["a", "b", "c"]


def test_two_slots_run_two_keys_at_once(storage):
    q = TrainingQueue(storage, max_concurrent=2, consume=True)
    first, second = GATES.setdefault("a", Gate()), GATES.setdefault("b", Gate())
    try:
        q.submit(Config("a"), gated_task)
        q.submit(Config("b"), gated_task)
        assert first.started.wait(WAIT_S) and second.started.wait(WAIT_S)
        assert q.status("a").status == q.status("b").status == "running"
    finally:
        first.release.set()
        second.release.set()
        q.shutdown(wait=True)


def test_a_failure_reaches_every_waiter_and_a_resubmit_retries(queue):
    gate = GATES["a"] = Gate(error=ValueError("data: comes from 'keras', load the matching source"))
    queue.submit(Config("a"), gated_task)
    seen: list = []
    waiters = [
        threading.Thread(target=lambda: seen.append(queue.wait("a", timeout=WAIT_S))) for _ in range(3)
    ]
    for waiter in waiters:
        waiter.start()
    gate.release.set()
    for waiter in waiters:
        waiter.join(WAIT_S)
    assert len(seen) == 3
    assert {(v.status, v.error) for v in seen} == {
        ("failed", "ValueError: data: comes from 'keras', load the matching source")
    }
    assert queue.status("a").error.startswith("ValueError: ")  # a later look sees it too
    gate.error = None
    retried = queue.submit(Config("a"), gated_task)
    assert retried.status in ("queued", "running") and retried.error == ""
    assert queue.wait("a", timeout=WAIT_S).result == "weights saved for a"
    assert gate.runs == ["a", "a"]


PROGRESS = {name: threading.Event() for name in ("started", "go", "reported", "finish")}


def progress_task(config, progress):
    PROGRESS["started"].set()
    PROGRESS["go"].wait(WAIT_S)
    progress(0, 7, 0.5, {"accuracy": 0.9}, 0.25)  # a quarter done, 30 s in
    PROGRESS["reported"].set()
    PROGRESS["finish"].wait(WAIT_S)
    return "ok"


register_task("test-progress", progress_task, Config)


def test_progress_fraction_message_and_time_left(storage):
    now = [100.0]
    q = TrainingQueue(storage, clock=lambda: now[0], consume=True)
    for event in PROGRESS.values():
        event.clear()
    try:
        q.submit(Config("a", epochs=3), progress_task)
        assert PROGRESS["started"].wait(WAIT_S)
        assert q.status("a").eta_s is None and q.status("a").message == ""
        now[0] = 130.0
        PROGRESS["go"].set()
        assert PROGRESS["reported"].wait(WAIT_S)
        view = q.status("a")
        assert view.fraction == 0.25
        assert view.message == "epoch 1/3 · loss 0.500"
        assert view.eta_s == pytest.approx(90.0)  # 30 s a quarter: 90 s left
        PROGRESS["finish"].set()
        done = q.wait("a", timeout=WAIT_S)
        assert (done.fraction, done.eta_s, done.result) == (1.0, 0.0, "ok")
    finally:
        PROGRESS["go"].set()
        PROGRESS["finish"].set()
        q.shutdown(wait=True)


def test_old_results_and_dead_consumers_are_run_again(storage):
    now = [1000.0]
    q = TrainingQueue(storage, clock=lambda: now[0], finished_ttl_s=60, stale_s=30, consume=True)
    try:
        q.submit(Config("a"), key_task)
        assert q.wait("a", timeout=WAIT_S).result == "a"
        now[0] += 30
        assert q.submit(Config("a"), key_task).status == "done"  # fresh: the same result
        # A consumer that died mid-training: its record says "running", with no report since.
        q.huey.put("job:b", {"status": "running", "updated": now[0], "enqueued": now[0]})
        assert q.status("b").status == "running"
        now[0] += 31
        assert q.status("b").status == "failed" and "stopped responding" in q.status("b").error
        now[0] += 60  # "a" is now an hour-old result
        q.submit(Config("a"), key_task)
        q.submit(Config("b"), key_task)
        assert [q.wait(k, timeout=WAIT_S).result for k in "ab"] == ["a", "b"]
        assert q.status("a").status == "done"
    finally:
        q.shutdown(wait=True)


def test_slots_come_from_the_environment():
    assert slots_from_env({}) == 1
    assert slots_from_env({SLOTS_ENV_VAR: "3"}) == 3
    for bad in ("0", "-1", "two"):
        with pytest.raises(ValueError, match=SLOTS_ENV_VAR):
            slots_from_env({SLOTS_ENV_VAR: bad})


def test_storage_urls(tmp_path):
    assert type(queue_storage(f"sqlite:///{tmp_path / 'q.sqlite'}")).__name__ == "SqliteHuey"
    assert type(queue_storage("redis://127.0.0.1:6379/0", check=False)).__name__ == "RedisHuey"  # lazily
    with pytest.raises(ValueError, match="redis://"):
        queue_storage("amqp://broker")


def test_the_default_queue_is_one_per_process(tmp_path, monkeypatch):
    """One per process, in the model cache's private queue folder (this test's own: the process's
    default queue, which the page tests use, is put back afterwards)."""
    from core.training import jobs

    monkeypatch.setenv("NEURAL_EXPLAINER_CACHE", str(tmp_path))
    monkeypatch.delenv(jobs.QUEUE_URL_ENV_VAR, raising=False)
    monkeypatch.setattr(jobs, "_default", None)
    first = default_queue(consume=False)
    assert first is default_queue()
    assert Path(first.huey.storage.filename) == tmp_path / "queue" / "training-queue.sqlite"


def test_shutdown_stops_the_running_task(storage):
    q = TrainingQueue(storage, consume=True)
    GATES["long"] = Gate()
    q.submit(Config("long"), slow_task)
    assert GATES["long"].started.wait(WAIT_S)
    q.shutdown(wait=True)  # returns: the running task stopped
    assert q.status("long").status == "failed" and "shut down" in q.status("long").error
    assert len(GATES["long"].runs) < 1000
    with pytest.raises(RuntimeError, match="shut down"):
        q.submit(Config("other"), key_task)


def slow_task(config, progress):
    gate = GATES[config.key]
    gate.started.set()
    for batch in range(1000):
        gate.runs.append(str(batch))
        progress(0, batch, 1.0, {}, batch / 1000)
        time.sleep(0.01)
    return "never"


register_task("test-slow", slow_task, Config)


def counted_task(config, progress):
    """Appends one line per run to the file named by the config's key (a run counter shared by
    processes), then takes a moment, as a training does."""
    with open(config.key, "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
    for batch in range(5):
        progress(0, batch, 1.0, {}, (batch + 1) / 5)
        time.sleep(0.2)
    return {"trained_by": os.getpid()}


register_task("test-counted", counted_task, Config)


SUBMIT = """
import json, sys
from core.training.jobs import TrainingQueue
from tests.core.test_training_jobs import Config, counted_task
q = TrainingQueue(consume=False)
q.submit(Config(sys.argv[1]), counted_task)
print(json.dumps(q.wait(sys.argv[1], timeout=60).__dict__), flush=True)
"""


def test_two_web_processes_share_one_training_in_the_worker_process(tmp_path):
    """Two "web workers" (consume=False) ask for the same config; the real consumer process
    (``python -m core.training.worker``) trains it once and both see its result."""
    env = worker_env(f"sqlite:///{tmp_path / 'queue.sqlite'}")
    runs = tmp_path / "runs.txt"
    tasks = ("--tasks", "tests.core.test_training_jobs")
    with running_worker(env, tmp_path / "worker.log", "--workers", "2", *tasks) as worker:
        webs = [
            subprocess.Popen(
                [sys.executable, "-c", SUBMIT, str(runs)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        outs = [web.communicate(timeout=90) for web in webs]
    views = [json.loads(out.strip().splitlines()[-1]) for out, _ in outs]
    assert [v["status"] for v in views] == ["done", "done"], [err for _, err in outs]
    assert views[0]["result"] == views[1]["result"]
    lines = runs.read_text().split()
    assert lines == [str(views[0]["result"]["trained_by"])]  # one training, in the worker
    assert int(lines[0]) == worker.pid
    assert all(int(lines[0]) != web.pid for web in webs)
