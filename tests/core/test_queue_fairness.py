"""A fair training queue, on SQLite and on a real redis-server: one pending job per session (a new
request replaces the unstarted one), shared jobs counted once, a global cap with a "queue is full,
about N min" message, and the place in line from a ticket counter (no scan of the queue).

Most tests submit without a consumer (``consume=False``), so every job stays pending and the counts
are exact; the consumer is started where the order of runs is the point.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import pytest

from core.training.jobs import (
    DEFAULT_MAX_PENDING,
    MAX_PENDING_ENV_VAR,
    QueueFull,
    TrainingQueue,
    max_pending_from_env,
)
from core.training.queue_codec import register_task
from tests.core.queue_backends import twin

WAIT_S = 20.0


@dataclass(frozen=True)
class Job:
    key: str
    epochs: int = 1


#: Keys in the order the consumer ran them (this module's tasks append here).
RAN: list[str] = []
#: Released to let a gated task finish; ``STARTED`` is set when one starts.
RELEASE, STARTED = threading.Event(), threading.Event()
#: The fake clock of the queue in the timing test (seconds).
NOW = [1000.0]


def run_task(config, progress):
    RAN.append(config.key)
    return config.key


def gated_task(config, progress):
    RAN.append(config.key)
    STARTED.set()
    assert RELEASE.wait(WAIT_S), "the test never released the task"
    return config.key


def minute_task(config, progress):
    """A training that takes 60 s on the queue's fake clock."""
    NOW[0] += 60.0
    return config.key


for _name, _task in (("test-run", run_task), ("test-gated-fair", gated_task), ("test-minute", minute_task)):
    register_task(_name, _task, Job)


@pytest.fixture(autouse=True)
def _reset():
    RAN.clear()
    RELEASE.clear()
    STARTED.clear()
    yield
    RELEASE.set()


def test_one_session_asking_for_50_jobs_leaves_one_pending_and_only_the_last_runs(storage):
    q = TrainingQueue(storage, consume=False, max_pending=20)
    for i in range(50):
        view = q.submit(Job(f"job{i}"), run_task, session="s1")
        assert (view.status, view.position) == ("queued", 1)  # it keeps its place in line
    assert q.pending_count() == 1 and storage.pending_count() == 1
    assert [q.status(f"job{i}") for i in range(49)] == [None] * 49  # replaced: gone
    q.start_consumer_threads()
    try:
        assert q.wait("job49", timeout=WAIT_S).result == "job49"
    finally:
        q.shutdown()
    assert RAN == ["job49"]


def test_the_global_cap_holds_across_sessions_and_says_how_long(storage):
    q = TrainingQueue(storage, consume=False, max_pending=5)
    for i in range(5):
        q.submit(Job(f"j{i}"), run_task, session=f"s{i}")
    with pytest.raises(QueueFull, match=r"^The training queue is full, about 10 min") as full:
        q.submit(Job("one-more"), run_task, session="s9")  # 5 jobs x 120 s before any is timed
    assert (full.value.pending, full.value.minutes) == (5, 10)
    assert q.status("one-more") is None
    # What a full queue still allows: joining a waiting job, and replacing one's own unstarted job.
    assert q.submit(Job("j0"), run_task, session="s9").position == 1
    assert q.submit(Job("j2b"), run_task, session="s2").position == 3  # takes j2's place
    assert q.pending_count() == 5 and storage.pending_count() == 5
    with pytest.raises(QueueFull):
        q.submit(Job("anonymous"), run_task)
    assert max_pending_from_env({}) == DEFAULT_MAX_PENDING == 20
    assert max_pending_from_env({MAX_PENDING_ENV_VAR: "3"}) == 3
    with pytest.raises(ValueError, match=MAX_PENDING_ENV_VAR):
        max_pending_from_env({MAX_PENDING_ENV_VAR: "0"})


def test_the_estimate_comes_from_recorded_training_times(storage):
    NOW[0] = 1000.0
    q = TrainingQueue(storage, consume=True, max_pending=3, clock=lambda: NOW[0])
    try:
        q.submit(Job("timed"), minute_task)
        assert q.wait("timed", timeout=WAIT_S).status == "done"
    finally:
        q.shutdown()
    idle = TrainingQueue(twin(storage), consume=False, max_pending=3, clock=lambda: NOW[0])
    for i in range(3):
        idle.submit(Job(f"w{i}"), run_task, session=f"s{i}")
    with pytest.raises(QueueFull, match="about 3 min"):  # 3 waiting x 60 s
        idle.submit(Job("w3"), run_task, session="s3")


def test_a_shared_job_is_queued_once_and_stays_while_anyone_wants_it(storage):
    q = TrainingQueue(storage, consume=False, max_pending=20)
    shared = q.submit(Job("shared"), run_task, session="a")
    assert q.submit(Job("shared"), run_task, session="b") == shared  # deduplicated: the same job
    assert q.submit(Job("shared"), run_task, session="b") == shared  # asking twice counts once
    assert q.pending_count() == 1
    q.submit(Job("a-next"), run_task, session="a")  # a moves on; b still wants it
    assert q.status("shared").status == "queued"
    assert q.pending_count() == 2
    q.submit(Job("b-next"), run_task, session="b")  # nobody wants it any more
    assert q.status("shared") is None
    assert q.pending_count() == 2
    q.submit(Job("a-next"), run_task, session="c")  # c joins a's job ...
    q.submit(Job("c-own"), run_task, session="c")  # ... and leaves it: a keeps it
    assert q.status("a-next").status == "queued" and q.pending_count() == 3
    q.submit(Job("b-next"), run_task, session="c")  # c's own job is dropped
    assert q.status("c-own") is None and q.pending_count() == 2
    q.start_consumer_threads()
    try:
        assert [q.wait(k, timeout=WAIT_S).status for k in ("b-next", "a-next")] == ["done", "done"]
    finally:
        q.shutdown()
    assert RAN == ["b-next", "a-next"]  # b-next took the shared job's place; c-own's ticket skipped


def test_the_position_is_the_place_in_line(storage):
    q = TrainingQueue(storage, consume=False, max_pending=20)
    first = q.submit(Job("first"), gated_task, session="s0")
    views = [q.submit(Job(f"k{i}"), run_task, session=f"s{i + 1}") for i in range(4)]
    assert [first.position] + [v.position for v in views] == [1, 2, 3, 4, 5]
    assert q.submit(Job("k1b"), run_task, session="s2").position == 3  # replaced in its place
    q.start_consumer_threads()
    try:
        assert STARTED.wait(WAIT_S)
        assert (q.status("first").status, q.status("first").position) == ("running", 0)
        assert [q.status(k).position for k in ("k0", "k1b", "k2", "k3")] == [1, 2, 3, 4]
        RELEASE.set()
        assert q.wait("k3", timeout=WAIT_S).status == "done"
    finally:
        RELEASE.set()
        q.shutdown()
    assert RAN == ["first", "k0", "k1b", "k2", "k3"]


def test_concurrent_requests_from_two_processes_keep_the_rules(storage):
    """Two queue objects (two web processes) and 16 sessions asking at once, 5 times each."""
    web = [TrainingQueue(huey, consume=False, max_pending=10) for huey in (storage, twin(storage))]
    refused: list[str] = []

    def student(i: int) -> None:
        for k in range(5):
            try:
                web[i % 2].submit(Job(f"s{i}-{k}"), run_task, session=f"s{i}")
            except QueueFull:
                refused.append(f"s{i}-{k}")

    threads = [threading.Thread(target=student, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_S)
    waiting = [f"s{i}-{k}" for i in range(16) for k in range(5) if web[0].status(f"s{i}-{k}") is not None]
    assert web[0].pending_count() == len(waiting) == 10 == storage.pending_count()
    assert all(sum(key.startswith(f"s{i}-") for key in waiting) <= 1 for i in range(16))
    assert len(refused) >= 6  # six sessions found it full


def test_a_lock_released_and_taken_again_while_a_process_waits_stays_taken(storage, monkeypatch):
    """A process waits for the storage lock and reads it just after its holder released it and a third
    process took it: it must wait for the third, not delete its lock (two holders would each write
    their own counters, and a job's record would outlive its place in the count)."""
    waiting, others = TrainingQueue(storage, consume=False, max_pending=10), twin(storage)
    lock = "queue:lock"  # core.training.jobs' storage key of the lock
    assert others.put_if_empty(lock, {"owner": "first", "at": time.time()})
    real_get, moved = storage.get, []

    def get(name, peek=False):
        if name != lock or moved:
            return real_get(name, peek=peek)
        others.delete(lock)  # the first holder releases between the waiter's put_if_empty and this read
        seen = real_get(name, peek=peek)
        assert others.put_if_empty(lock, {"owner": "third", "at": time.time()})  # and a third takes it
        moved.append(seen)
        return seen

    monkeypatch.setattr(storage, "get", get)
    submitted = threading.Thread(target=waiting.submit, args=(Job("x"), run_task), kwargs={"session": "a"})
    submitted.start()
    time.sleep(0.5)
    try:
        assert moved == [None]  # the waiter did read the lock between the two holders
        assert submitted.is_alive()  # ... and still waits
        assert others.get(lock, peek=True)["owner"] == "third"
    finally:
        others.delete(lock)  # the third releases
        submitted.join(WAIT_S)
    assert not submitted.is_alive() and waiting.pending_count() == 1
