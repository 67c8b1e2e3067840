"""core.training.jobs: deduplicated, queued training jobs on real worker threads.

Tasks are small real functions sequenced with events; every wait is bounded, so a broken queue
fails a test instead of hanging it.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest

from core.training.jobs import SLOTS_ENV_VAR, TrainingQueue, default_queue, slots_from_env

WAIT_S = 10.0


@dataclass(frozen=True)
class Config:
    key: str
    epochs: int = 3


class Gate:
    """A task that records its runs, says when it started and waits until it is let through."""

    def __init__(self, result="weights saved", error: Exception | None = None) -> None:
        self.runs: list[str] = []
        self.started, self.release = threading.Event(), threading.Event()
        self.result, self.error = result, error

    def __call__(self, config, progress):
        self.runs.append(config.key)
        self.started.set()
        assert self.release.wait(WAIT_S), "the test never released the task"
        if self.error is not None:
            raise self.error
        return f"{self.result} for {config.key}"


@pytest.fixture
def queue():
    q = TrainingQueue(max_concurrent=1)
    yield q
    q.shutdown(wait=True)


def test_same_key_twice_runs_once_and_both_see_the_result(queue):
    task = Gate()
    first = queue.submit(Config("a"), task)
    second = queue.submit(Config("a"), task)
    assert first.key == second.key == "a"
    assert task.started.wait(WAIT_S)
    assert queue.status("a").status == "running"
    task.release.set()
    done = queue.wait("a", timeout=WAIT_S)
    assert done.status == "done" and done.result == "weights saved for a"
    assert queue.submit(Config("a"), task).result == "weights saved for a"   # finished: not rerun
    assert task.runs == ["a"]


def test_a_second_key_waits_in_line_then_runs(queue):
    first, second, third = Gate(), Gate(), Gate()
    queue.submit(Config("a"), first)
    assert first.started.wait(WAIT_S)
    b, c = queue.submit(Config("b"), second), queue.submit(Config("c"), third)
    assert (b.status, b.position) == ("queued", 1)
    assert (c.status, c.position) == ("queued", 2)
    assert queue.status("a").position == 0
    assert not second.started.is_set()                      # one slot: b has not started
    first.release.set()
    assert second.started.wait(WAIT_S)
    assert queue.status("b").status == "running"
    assert (queue.status("c").status, queue.status("c").position) == ("queued", 1)
    second.release.set()
    third.release.set()
    assert queue.wait("c", timeout=WAIT_S).result == "weights saved for c"
    assert first.runs + second.runs + third.runs == ["a", "b", "c"]


def test_two_slots_run_two_keys_at_once():
    q = TrainingQueue(max_concurrent=2)
    first, second = Gate(), Gate()
    try:
        q.submit(Config("a"), first)
        q.submit(Config("b"), second)
        assert first.started.wait(WAIT_S) and second.started.wait(WAIT_S)
        assert q.status("a").status == q.status("b").status == "running"
    finally:
        first.release.set()
        second.release.set()
        q.shutdown(wait=True)


def test_a_failure_reaches_every_waiter_and_a_resubmit_retries(queue):
    task = Gate(error=ValueError("data: comes from 'keras', load the matching source"))
    queue.submit(Config("a"), task)
    seen: list = []
    waiters = [threading.Thread(target=lambda: seen.append(queue.wait("a", timeout=WAIT_S)))
               for _ in range(3)]
    for waiter in waiters:
        waiter.start()
    task.release.set()
    for waiter in waiters:
        waiter.join(WAIT_S)
    assert len(seen) == 3
    assert {(v.status, v.error) for v in seen} == {
        ("failed", "ValueError: data: comes from 'keras', load the matching source")}
    assert queue.status("a").error.startswith("ValueError: ")       # a later look sees it too
    task.error = None
    retried = queue.submit(Config("a"), task)
    assert retried.status in ("queued", "running") and retried.error == ""
    assert queue.wait("a", timeout=WAIT_S).result == "weights saved for a"
    assert task.runs == ["a", "a"]


def test_progress_fraction_message_and_time_left():
    now = [100.0]
    q = TrainingQueue(clock=lambda: now[0])
    started, go, reported, finish = (threading.Event() for _ in range(4))

    def task(config, progress):
        started.set()
        go.wait(WAIT_S)
        progress(0, 7, 0.5, {"accuracy": 0.9}, 0.25)   # a quarter done, 30 s in
        reported.set()
        finish.wait(WAIT_S)
        return "ok"

    try:
        q.submit(Config("a", epochs=3), task)
        assert started.wait(WAIT_S)
        assert q.status("a").eta_s is None and q.status("a").message == ""
        now[0] = 130.0
        go.set()
        assert reported.wait(WAIT_S)
        view = q.status("a")
        assert view.fraction == 0.25
        assert view.message == "epoch 1/3 · loss 0.500"
        assert view.eta_s == pytest.approx(90.0)                    # 30 s a quarter: 90 s left
        finish.set()
        done = q.wait("a", timeout=WAIT_S)
        assert (done.fraction, done.eta_s, done.result) == (1.0, 0.0, "ok")
    finally:
        go.set()
        finish.set()
        q.shutdown(wait=True)


def test_finished_jobs_are_bounded():
    q = TrainingQueue(keep_finished=2)
    try:
        for key in "abc":
            q.submit(Config(key), lambda config, progress: config.key)
            q.wait(key, timeout=WAIT_S)
        assert q.status("a") is None                                 # forgotten: the oldest
        assert [q.status(k).result for k in "bc"] == ["b", "c"]
        with pytest.raises(KeyError, match="submit it first"):
            q.wait("a", timeout=0)
    finally:
        q.shutdown(wait=True)


def test_slots_come_from_the_environment():
    assert slots_from_env({}) == 1
    assert slots_from_env({SLOTS_ENV_VAR: " 3 "}) == 3
    for bad in ("0", "two", "-1"):
        with pytest.raises(ValueError, match=SLOTS_ENV_VAR):
            slots_from_env({SLOTS_ENV_VAR: bad})
    with pytest.raises(ValueError, match="max_concurrent"):
        TrainingQueue(max_concurrent=0)


def test_the_default_queue_is_one_per_process():
    assert default_queue() is default_queue()


def test_an_exiting_process_does_not_wait_for_trainings(tmp_path):
    """Worker threads are joined at exit: a long training (and one queued behind it) must stop at
    its next progress report once the main thread has ended, not hold the process."""
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "exit_while_training.py"
    script.write_text(
        "import time\n"
        "from core.training.jobs import TrainingQueue\n"
        "class Config:\n"
        "    def __init__(self, key): self.key, self.epochs = key, 1\n"
        "def task(config, progress):\n"
        "    for batch in range(6000):           # 60 s unless stopped\n"
        "        progress(0, batch, 1.0, {}, batch / 6000)\n"
        "        time.sleep(0.01)\n"
        "q = TrainingQueue()\n"
        "q.submit(Config('long'), task)\n"
        "q.submit(Config('queued'), task)\n"
        "time.sleep(0.2)\n"
        "print('main done', q.status('long').status, q.status('queued').position, flush=True)\n")
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(script)], cwd=root, env={"PYTHONPATH": str(root)},
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0 and "main done running 1" in out.stdout, out.stderr


def test_shutdown_fails_queued_jobs_and_stops_the_running_one():
    q = TrainingQueue()
    started, reports = threading.Event(), []

    def task(config, progress):
        started.set()
        for batch in range(1000):
            reports.append(batch)
            progress(0, batch, 1.0, {}, batch / 1000)
            threading.Event().wait(0.01)
        return "never"

    q.submit(Config("long"), task)
    q.submit(Config("queued"), task)
    assert started.wait(WAIT_S)
    q.shutdown(wait=True)                                     # returns: the running task stopped
    assert q.status("long").status == "failed" and "shut down" in q.status("long").error
    assert q.status("queued").status == "failed" and len(reports) < 1000
