"""The training queue runs no one's code: nothing read from SQLite or Redis is unpickled, only
allow-listed tasks run, Redis needs its password, SQLite lives in a private folder.

The planted payload is a real pickle whose ``__reduce__`` creates a marker file when unpickled (a
control shows that ``pickle.loads`` does create it); the queue must refuse it on both storages and
the marker must never appear.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import stat
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from huey.registry import Message

from core.training import jobs, queue_codec
from core.training.jobs import QueueConfigError, TrainingQueue, queue_storage
from core.training.queue_codec import JsonSerializer, QueueDataError, register_task
from tests.core.queue_backends import RedisServer

WAIT_S = 20.0


@dataclass(frozen=True)
class Config:
    key: str
    epochs: int = 1


def echo_task(config, progress):
    progress(0, 0, 0.5, {}, 1.0)
    return {"key": config.key, "epochs": config.epochs}


register_task("test-echo", echo_task, Config)


class Plant:
    """Unpickling this creates ``path`` (what an attacker's payload would do, harmlessly)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def planted_pickle(tmp_path: Path) -> tuple[bytes, Path]:
    marker = tmp_path / "the-pickle-ran"
    payload = pickle.dumps(Plant(marker))
    control = tmp_path / "control"
    pickle.loads(pickle.dumps(Plant(control)))  # the payload is live: unpickling runs it
    assert control.exists()
    return payload, marker


def wait_until(condition, timeout=WAIT_S):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_pickle_under_a_job_key_is_refused_not_run(storage, tmp_path, caplog):
    payload, marker = planted_pickle(tmp_path)
    storage.storage.put_data("job:a", payload)
    q = TrainingQueue(storage, consume=True)
    try:
        with caplog.at_level(logging.WARNING, logger="core.training.jobs"):
            view = q.status("a")  # what a waiting page polls every second
        assert (view.status, view.position) == ("failed", 0)
        assert view.error.startswith("QueueDataError: refused") and "never unpickled" in view.error
        assert "refused the stored job:a" in caplog.text
        assert not marker.exists()
        assert q.submit(Config("a"), echo_task).key == "a"  # a new request replaces the refused record
        assert q.wait("a", timeout=WAIT_S).result == {"key": "a", "epochs": 1}
        assert not marker.exists()
    finally:
        q.shutdown()


def test_a_pickle_as_a_queued_message_is_refused_not_run(storage, tmp_path, caplog):
    payload, marker = planted_pickle(tmp_path)
    storage.storage.enqueue(payload)
    assert storage.pending_count() == 1
    with caplog.at_level(logging.WARNING, logger="core.training.jobs"):
        q = TrainingQueue(storage, consume=True)
        try:
            wait_until(lambda: storage.pending_count() == 0)
            q.submit(Config("after"), echo_task)  # the consumer goes on with real work
            assert q.wait("after", timeout=WAIT_S).status == "done"
        finally:
            q.shutdown()
    assert not marker.exists()
    assert "refused a queued message (not run)" in caplog.text
    assert storage.pending_count() == 0


def test_a_json_job_for_a_task_off_the_allow_list_is_refused(storage, tmp_path):
    """Valid JSON written by someone else: a known message naming a task that is not allowed, and
    a message for a Huey task that does not exist. Neither imports nor runs anything."""
    q = TrainingQueue(storage, consume=False)
    storage.put("slot:1", {"task": "os:system", "config": {"key": "x"}, "key": "x"})
    storage.put("job:x", {"status": "queued", "ticket": 1, "updated": time.time(), "sessions": []})
    storage.put("queue:counters", {"issued": 1, "started": 0, "pending": 1})
    q._run(1)  # the queue's own message for ticket 1
    forged = Message("id-1", "os.system", None, 0, 0, None, ["touch " + str(tmp_path / "ran")], {})
    storage.storage.enqueue(JsonSerializer().serialize(forged))
    q.start_consumer_threads()
    try:
        wait_until(lambda: storage.pending_count() == 0 and q.status("x").finished)
    finally:
        q.shutdown()
    view = q.status("x")
    assert view.status == "failed"
    assert view.error == "QueueDataError: refused: task 'os:system' is not on the training queue's allow-list"
    assert not (tmp_path / "ran").exists()


def test_submit_takes_only_allow_listed_tasks_and_json_configs(storage):
    q = TrainingQueue(storage, consume=False)

    def local_task(config, progress):
        return None

    with pytest.raises(ValueError, match="allow-list"):
        q.submit(Config("a"), local_task)
    with pytest.raises(ValueError, match="module-level"):
        register_task("test-local", local_task, Config)
    with pytest.raises(ValueError, match="frozen dataclass"):
        register_task("test-dict", echo_task, dict)
    with pytest.raises(ValueError, match="already registered"):
        register_task("test-echo", queue_codec.resolve("core.training.digits:train_digit_job"), Config)
    with pytest.raises(ValueError, match="takes .*Config configs"):
        q.submit(Config("a"), queue_codec.resolve("core.training.digits:train_digit_job"))
    assert storage.pending_count() == 0


def test_the_app_tasks_configs_travel_as_json():
    """The two real tasks' configs rebuild from their JSON with the same key (so the consumer
    trains exactly what was asked)."""
    from core.models.mnist_cnn import MnistCnnConfig
    from core.models.regularisation import RegularisationConfig

    for config, name in (
        (MnistCnnConfig(filters=(8, 16), dropout=0.25, train_size=300), "digit-model"),
        (RegularisationConfig("l2", l2=1e-3, epochs=3), "regularisation-result"),
    ):
        data = json.loads(json.dumps(queue_codec.config_to_data(config)))
        rebuilt = queue_codec.config_from_data(queue_codec.allowed(name), data)
        assert rebuilt == config and rebuilt.key == config.key
        with pytest.raises(ValueError, match="do not match"):
            queue_codec.config_from_data(queue_codec.allowed(name), dict(data, kind="Other"))
        with pytest.raises(ValueError):
            queue_codec.config_from_data(
                queue_codec.allowed(name), dict(data, epochs=0)
            )  # the class validates


def test_the_serializer_writes_and_reads_json_only():
    codec = JsonSerializer()
    record = {"status": "done", "result": {"acc": 0.98, "warnings": ["a"]}, "eta_s": None, "n": (1, 2)}
    blob = codec.serialize(record)
    assert json.loads(blob) == {"v": 1, "value": dict(record, n=[1, 2])}
    assert codec.deserialize(blob) == dict(record, n=[1, 2])
    message = Message("id", "core.training.jobs.train", None, 0, 0, None, (7,), {}, retry_backoff=0)
    assert codec.deserialize(codec.serialize(message)) == message._replace(args=[7])
    assert codec.serialize({"x": float("nan")}) == b'{"v":1,"value":{"x":null}}'
    with pytest.raises(TypeError, match="JSON data"):
        codec.serialize({"model": object()})
    with pytest.raises(TypeError, match="ETA"):
        codec.serialize(message._replace(eta=1))
    bad = [
        pickle.dumps({"status": "done"}),
        b"",
        b"\xff\xfe",
        b'{"v":1,"value":NaN}',
        b'{"status":"done"}',
        b'{"v":2,"value":1}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"v":1,"value":"' + b"x" * queue_codec.MAX_BLOB_BYTES + b'"}',
        b'{"v":1,"message":{"id":"i","name":"n","args":[],"kwargs":{},"eta":"2030-01-01"}}',
        b'{"v":1,"message":{"id":"i","name":"n","args":"rm","kwargs":{}}}',
        b'{"v":1,"message":{"id":"i","name":"n","args":[],"kwargs":{},"evil":1}}',
    ]
    for blob in bad:
        with pytest.raises(QueueDataError, match="refused"):
            codec.deserialize(blob)


# --------------------------------------------------------------------------- Redis' password
def test_redis_without_its_password_refuses_the_queue_with_a_clear_error(tmp_path):
    server = RedisServer(tmp_path, password="s3cret-for-the-test")
    try:
        with pytest.raises(QueueConfigError, match=r"requires a password.*redis://:PASSWORD@host:6379/0"):
            queue_storage(server.url())
        with pytest.raises(QueueConfigError, match="password in the URL is wrong") as wrong:
            queue_storage(server.url(password="not-it"))
        assert "not-it" not in str(wrong.value) and "***" in str(wrong.value)
        q = TrainingQueue(queue_storage(server.url(password="s3cret-for-the-test")), consume=True)
        try:
            q.submit(Config("pw"), echo_task)
            assert q.wait("pw", timeout=WAIT_S).result == {"key": "pw", "epochs": 1}
        finally:
            q.shutdown()
    finally:
        server.stop()
    with pytest.raises(QueueConfigError, match="cannot reach Redis"):
        queue_storage(server.url(password="s3cret-for-the-test"))


# --------------------------------------------------------------------------- SQLite's folder
def test_the_default_sqlite_file_is_in_a_private_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURAL_EXPLAINER_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv(jobs.QUEUE_URL_ENV_VAR, raising=False)
    monkeypatch.delenv(jobs.CONSUMER_ENV_VAR, raising=False)
    path = Path(queue_storage().storage.filename)
    assert path == tmp_path / "cache" / "queue" / "training-queue.sqlite"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.parent.chmod(0o755)  # loosened by hand: tightened again
    queue_storage()
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_an_unusable_cache_gives_a_private_temporary_folder_or_a_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NEURAL_EXPLAINER_CACHE", str(blocker / "cache"))
    monkeypatch.delenv(jobs.QUEUE_URL_ENV_VAR, raising=False)
    monkeypatch.delenv(jobs.CONSUMER_ENV_VAR, raising=False)
    path = Path(queue_storage().storage.filename)  # one process: its own private folder
    assert path.parent.name.startswith("neural-explainer-queue-") and path.parent != Path("/tmp")
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert queue_storage().storage.filename != str(path)  # never a predictable, shared path
    monkeypatch.setenv(jobs.CONSUMER_ENV_VAR, "external")  # web processes + worker must share one file
    with pytest.raises(QueueConfigError, match="NEURAL_EXPLAINER_CACHE"):
        queue_storage()
    monkeypatch.delenv(jobs.CONSUMER_ENV_VAR)
    with pytest.raises(QueueConfigError, match="cannot be made private"):
        queue_storage(shared=True)  # the training worker's call
    assert os.path.basename(jobs.redact("redis://:pw@h:1/0")) == "0" and "pw" not in jobs.redact(
        "redis://:pw@h:1/0"
    )
