"""Training as a shared job on a Huey task queue: one run per config, fair to every session.

A click on "Retrain" must not train inside the student's script thread (the page would hang), and
thirty students asking for the same config (through any of the lecture's web workers) must train it
once. :class:`TrainingQueue` puts each request on a `Huey <https://huey.readthedocs.io>`_ queue:

- **Storage.** ``$NEURAL_EXPLAINER_QUEUE_URL``: ``redis://:PASSWORD@host:6379/0`` for a cluster (the
  ``redis`` package; the password is Redis' ``requirepass``, from the Kubernetes Secret or the
  compose environment file; a Redis that wants a password and gets none refuses the queue with a
  :class:`QueueConfigError` saying so), else SQLite in a private (0700) folder of the model cache
  (``<cache>/queue/training-queue.sqlite``), which every worker process of one machine shares.
- **Nothing is unpickled.** Messages and records are JSON (:mod:`core.training.queue_codec`): a job
  names its task from an allow-list and carries its config as a JSON object; anything else read
  from the storage is refused (logged, the job failed with a message), never executed.
- **Consumer.** The process that trains. ``python -m core.training.worker`` runs Huey's own consumer
  (the one that holds the GPU in ``make serve`` and on Kubernetes; set
  ``NEURAL_EXPLAINER_QUEUE_CONSUMER=external`` in the web processes). Otherwise (``make run``, one
  process) the web process consumes with ``max_concurrent`` daemon threads of its own.
- **One job per config.** A job record ``job:<config.key>`` in Huey's key-value storage: the first
  request enqueues the task, later ones from any process join the same record. The consumer writes
  the progress into it (throttled), so every session of every worker sees the same status, progress
  and time left, then the result or the error. A failed job, a finished one older than
  ``finished_ttl_s`` and a running one whose consumer stopped reporting for ``stale_s`` (it died)
  are run again on the next request.
- **Fair to every session.** A request names its browser session: a session has at most one
  unstarted job, and a new request replaces it (the new job takes its place in line; a job that
  other sessions also asked for stays for them). At most ``max_pending`` (default 20,
  ``$NEURAL_EXPLAINER_QUEUE_MAX_PENDING``) jobs wait at a time; one more raises :class:`QueueFull`
  ("the queue is full, about N min", from the recorded training times).
- **Position without a scan.** Each new job takes a ticket; the consumer counts the tickets it has
  taken, so a job's place in line is ``ticket - started``: two reads per status poll, whatever the
  queue's length (a dropped job's ticket counts until the consumer skips it, in an instant once a
  training slot is free).

The bookkeeping (tickets, sessions, counters) changes under a short lock in the storage itself
(``put_if_empty``, atomic in SQLite and Redis), so it holds across processes and machines.

``task`` is a module-level function ``task(config, progress)`` on the allow-list, returning JSON data
(the weights go to the model store, which other processes read); ``config`` is a frozen config
dataclass with ``key`` and optionally ``epochs``. No Streamlit here: a page polls
:meth:`TrainingQueue.status` from an ``st.fragment(run_every=...)``.
"""

from __future__ import annotations

import logging
import math
import os
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import huey
from huey.constants import EmptyData

from core.training import queue_codec
from core.training.queue_backend import (  # noqa: F401
    CONSUMER_ENV_VAR,
    QUEUE_NAME,
    QUEUE_URL_ENV_VAR,
    QueueConfigError,
    queue_storage,
    redact,
)
from core.training.queue_codec import QueueDataError

#: Environment variable: how many trainings a consumer runs at a time (default 1).
SLOTS_ENV_VAR = "NEURAL_EXPLAINER_TRAINING_SLOTS"
#: Environment variable: the most jobs waiting at a time (default :data:`DEFAULT_MAX_PENDING`).
MAX_PENDING_ENV_VAR = "NEURAL_EXPLAINER_QUEUE_MAX_PENDING"
#: Jobs waiting at most: 20 short trainings (~30 s to 2 min each) is a lecture's patience.
DEFAULT_MAX_PENDING = 20
#: Seconds a training is assumed to take before any has been timed (the "about N min" estimate).
DEFAULT_JOB_S = 120.0
#: progress(epoch, batch_index, loss, metrics, fraction): see ``core.training.fit.ProgressFn``.
ProgressFn = Callable[[int, int, float, dict, float], None]
#: A storage lock older than this belongs to a process that died holding it.
LOCK_STALE_S = 10.0
#: How long a request waits for the storage lock before giving up.
LOCK_WAIT_S = 10.0

_COUNTERS, _DURATION, _LOCK = "queue:counters", "queue:duration", "queue:lock"
_STATUSES = ("queued", "running", "done", "failed")
_log = logging.getLogger(__name__)


class QueueFull(RuntimeError):
    """Too many jobs are waiting; the message says for about how long (pages show it as is).

    Attributes
    ----------
    pending : int
        Jobs waiting.
    minutes : int
        Their estimated training time in minutes, at least 1.
    """

    def __init__(self, pending: int, minutes: int) -> None:
        self.pending, self.minutes = int(pending), int(minutes)
        super().__init__(
            f"The training queue is full, about {self.minutes} min of training is waiting "
            f"({self.pending} jobs). Please try again in a few minutes."
        )


@dataclass(frozen=True)
class JobView:
    """A snapshot of one training job, safe to keep and read from any thread.

    Attributes
    ----------
    key : str
        ``config.key`` of the job.
    status : {"queued", "running", "done", "failed"}
    position : int
        Place in the queue: 1 = next to start; 0 once running or finished.
    fraction : float
        Progress in [0, 1], as the task's progress callback last reported it.
    message : str
        ``"epoch 3/15 · loss 0.123"`` once the task reports progress, else "".
    eta_s : float or None
        Seconds left: the running time so far extrapolated to ``fraction`` = 1; None before
        the first progress report.
    result : JSON data
        What the task returned (status "done"), else None.
    error : str
        ``"TypeName: message"`` of the exception that failed the task (status "failed"), else "".
    """

    key: str
    status: str
    position: int = 0
    fraction: float = 0.0
    message: str = ""
    eta_s: float | None = None
    result: Any = None
    error: str = ""

    @property
    def finished(self) -> bool:
        """Whether the job is done or failed."""
        return self.status in ("done", "failed")


def max_pending_from_env(environ=None) -> int:
    """The pending-job cap from ``$NEURAL_EXPLAINER_QUEUE_MAX_PENDING`` (unset: 20).

    Raises
    ------
    ValueError
        If the variable is set to anything but a positive integer.
    """
    return positive_int_from_env(MAX_PENDING_ENV_VAR, DEFAULT_MAX_PENDING, "jobs waiting at most", environ)


def positive_int_from_env(name: str, default: int, meaning: str, environ=None) -> int:
    """The positive integer in environment variable ``name``; ``default`` when it is unset or empty.

    Raises
    ------
    ValueError
        If the variable is set to anything but a positive integer; the message names it and says what
        the number means (``meaning``).
    """
    raw = (os.environ if environ is None else environ).get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name} must be a positive integer ({meaning}), got {raw!r}")
    return int(raw)


class _Stopped(RuntimeError):
    """Raised in a running task's progress callback when its consumer shuts down."""


class TrainingQueue:
    """Submit trainings to a Huey queue, deduplicated by config key and fair to every session;
    read their state from anywhere.

    Parameters
    ----------
    storage : huey.Huey, optional
        Default :func:`queue_storage` (``$NEURAL_EXPLAINER_QUEUE_URL``). Its serializer must be
        :class:`core.training.queue_codec.JsonSerializer` (as :func:`queue_storage` makes it).
    max_concurrent : int, optional
        Trainings at a time when this process consumes the queue itself (and the divisor of the
        "about N min" estimate).
    consume : bool, optional
        Start ``max_concurrent`` consumer threads in this process (default: unless
        ``$NEURAL_EXPLAINER_QUEUE_CONSUMER`` is ``external``).
    finished_ttl_s : float, optional
        A finished job older than this is run again on request (the model store then finds the
        weights, unless they were deleted).
    stale_s : float, optional
        A running job without a progress report for this long belongs to a consumer that died;
        a new request runs it again.
    max_pending : int, optional
        Jobs waiting at most (default :func:`max_pending_from_env`).
    clock : callable, optional
        Seconds since the epoch (``time.time``: records are compared across processes).

    Raises
    ------
    ValueError
        If ``max_concurrent`` or ``max_pending`` is below 1, or ``storage`` pickles.
    """

    def __init__(
        self,
        storage: huey.Huey | None = None,
        *,
        max_concurrent: int = 1,
        consume: bool | None = None,
        finished_ttl_s: float = 3600.0,
        stale_s: float = 300.0,
        max_pending: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if int(max_concurrent) < 1:
            raise ValueError(f"max_concurrent must be >= 1, got {max_concurrent!r}")
        self.max_pending = max_pending_from_env() if max_pending is None else int(max_pending)
        if self.max_pending < 1:
            raise ValueError(f"max_pending must be >= 1, got {max_pending!r}")
        self.huey = storage if storage is not None else queue_storage()
        if not isinstance(self.huey.serializer, queue_codec.JsonSerializer):
            raise ValueError(
                "storage must use core.training.queue_codec.JsonSerializer "
                "(queue_storage() makes it so): the queue never unpickles"
            )
        self._clock, self._ttl, self._stale = clock, float(finished_ttl_s), float(stale_s)
        self._slots = int(max_concurrent)
        self._closed = threading.Event()
        self._threads: list[threading.Thread] = []
        self._local_lock = threading.Lock()
        self._run = self.huey.task(name="train")(self._execute)
        if consume is None:
            consume = os.environ.get(CONSUMER_ENV_VAR, "").strip().lower() != "external"
        if consume:
            self.start_consumer_threads()

    # --- any process: submit and read ----------------------------------------------------------

    def submit(
        self, config, task: Callable[[Any, ProgressFn], Any], *, session: str | None = None
    ) -> JobView:
        """Queue ``task(config, progress)`` for ``session`` unless a current job for ``config.key`` exists.

        Parameters
        ----------
        config : frozen config dataclass with ``key`` (str) and, optionally, ``epochs`` (int)
            It travels as JSON (``to_dict()`` or its fields) and is rebuilt by its class.
        task : module-level callable ``task(config, progress) -> JSON data``
            On the allow-list (:func:`core.training.queue_codec.register_task`). Runs in the
            consumer; calls ``progress(epoch, batch_index, loss, metrics, fraction)`` as
            ``core.training.fit.train`` does. An exception fails the job.
        session : str, optional
            Who asks (a browser session's id). A session's unstarted job is replaced by its new
            one; None (a script, a test) asks without a limit per caller.

        Returns
        -------
        JobView
            The new job, or the queued, running or finished one for this key (shared, not queued
            again, and not counted twice).

        Raises
        ------
        QueueFull
            If a new job would make more than ``max_pending`` wait.
        ValueError
            If ``task`` is not on the allow-list or ``config`` does not survive JSON.
        RuntimeError
            After :meth:`shutdown`.
        """
        if self._closed.is_set():
            raise RuntimeError("the training queue was shut down")
        spec = queue_codec.spec_for(task, config)
        data, key = queue_codec.config_to_data(config), config.key
        if queue_codec.config_from_data(spec, data).key != key:
            raise ValueError(
                f"config {type(config).__name__} does not survive JSON (its key changes): "
                "give it a to_dict() that its fields rebuild"
            )
        with self._locked():
            counters = self._counters()
            record = self._get_or_none(self._record_key(key))
            if isinstance(record, dict) and not self._expired(record, counters):
                if record.get("status") == "queued":
                    self._join(key, record, session, counters)
                return self._view(key, record, counters)
            mine = self._pending_of(session, counters)
            reuse = mine is not None and mine[1]["sessions"] == [session] and not mine[1].get("anonymous")
            if reuse:  # the session's unstarted job: replaced in its place
                ticket = int(mine[1]["ticket"])
                self.huey.delete(self._record_key(mine[0]))
            else:
                self._check_room(counters)
                if mine is not None:
                    self._leave(session, *mine, counters)
                counters["issued"] += 1
                counters["pending"] += 1
                ticket = counters["issued"]
            now = self._clock()
            record = {
                "status": "queued",
                "enqueued": now,
                "updated": now,
                "ticket": ticket,
                "epochs": getattr(config, "epochs", None),
                "fraction": 0.0,
                "message": "",
                "eta_s": None,
                "result": None,
                "error": "",
                "sessions": [session] if session else [],
                "anonymous": session is None,
            }
            self.huey.put(f"slot:{ticket}", {"task": spec.name, "config": data, "key": key})
            self.huey.put(self._record_key(key), record)
            if session:
                self.huey.put(f"session:{session}", {"key": key, "ticket": ticket})
            self.huey.put(_COUNTERS, counters)
            if not reuse:
                self._run(ticket)
            return self._view(key, record, counters)

    def status(self, key: str) -> JobView | None:
        """The latest :class:`JobView` of the job for ``key``; None if there is none.

        Two reads in one round trip (the record and the counters), however many jobs wait. A
        record that is not the queue's JSON reads as a failed job (and is never unpickled)."""
        names = [self._record_key(key), _COUNTERS]
        raw = self.huey.storage.peek_many(names)
        values = {}
        for name in names:
            blob = raw.get(name, EmptyData)
            try:
                values[name] = (
                    None if blob is EmptyData or blob is None else self.huey.serializer.deserialize(blob)
                )
            except QueueDataError as exc:
                _log.warning("training queue: refused the stored %s: %s", name, exc)
                values[name] = (
                    {"status": "failed", "error": f"QueueDataError: {exc}"} if name != _COUNTERS else None
                )
        record = values[names[0]]
        if record is None:
            return None
        return self._view(
            key,
            record if isinstance(record, dict) else {"status": "failed"},
            _clean_counters(values[_COUNTERS]),
        )

    def wait(self, key: str, timeout: float | None = None, *, poll_s: float = 0.2) -> JobView:
        """Poll until the job for ``key`` finishes, or ``timeout`` seconds pass.

        Returns
        -------
        JobView
            Finished, unless the timeout passed first.

        Raises
        ------
        KeyError
            If no job for ``key`` is known (submit it first).
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            view = self.status(key)
            if view is None:
                raise KeyError(f"no training job for key {key!r}; submit it first")
            if view.finished or (deadline is not None and time.monotonic() >= deadline):
                return view
            time.sleep(poll_s)

    def pending_count(self) -> int:
        """Jobs waiting (not started, not dropped)."""
        with self._locked():
            return min(self._counters()["pending"], self.huey.pending_count())

    # --- fairness bookkeeping (under the storage lock) ---------------------------------------------

    def _join(self, key: str, record: dict, session: str | None, counters: dict) -> None:
        """Add ``session`` to a queued job's askers (leaving its own other unstarted job)."""
        sessions = _sessions(record)
        if session is None:
            if not record.get("anonymous"):
                self.huey.put(self._record_key(key), dict(record, anonymous=True))
            return
        if session in sessions:
            return
        mine = self._pending_of(session, counters)
        if mine is not None and mine[0] != key:
            self._leave(session, *mine, counters)
            self.huey.put(_COUNTERS, counters)
        record["sessions"] = sessions + [session]
        self.huey.put(self._record_key(key), record)
        self.huey.put(f"session:{session}", {"key": key, "ticket": record.get("ticket")})

    def _pending_of(self, session: str | None, counters: dict) -> tuple[str, dict] | None:
        """``(key, record)`` of the session's unstarted job, or None."""
        if not session:
            return None
        pointer = self._get_or_none(f"session:{session}")
        if not (isinstance(pointer, dict) and isinstance(pointer.get("key"), str)):
            return None
        record = self._get_or_none(self._record_key(pointer["key"]))
        ticket = record.get("ticket") if isinstance(record, dict) else None
        if (
            isinstance(record, dict)
            and record.get("status") == "queued"
            and ticket == pointer.get("ticket")
            and (_number(ticket) or 0) > counters["started"]
            and session in _sessions(record)
        ):
            record["sessions"] = _sessions(record)
            return pointer["key"], record
        return None

    def _leave(self, session: str, key: str, record: dict, counters: dict) -> None:
        """Take ``session`` off its unstarted job; a job nobody else asked for is dropped."""
        record["sessions"] = [s for s in _sessions(record) if s != session]
        if record["sessions"] or record.get("anonymous"):
            self.huey.put(self._record_key(key), record)
            return
        self.huey.delete(self._record_key(key))
        self.huey.delete(f"slot:{record.get('ticket')}")  # the consumer skips its ticket
        counters["pending"] = max(0, counters["pending"] - 1)

    def _check_room(self, counters: dict) -> None:
        waiting = self.huey.pending_count()  # queued messages, dropped ones included
        pending = min(counters["pending"], waiting)
        if pending >= self.max_pending or waiting >= 5 * self.max_pending:
            duration = self._get_or_none(_DURATION)
            mean_s = _number(duration.get("mean_s")) if isinstance(duration, dict) else None
            per_job = mean_s if mean_s and mean_s > 0 else DEFAULT_JOB_S
            raise QueueFull(pending, max(1, math.ceil(pending * per_job / self._slots / 60.0)))

    @contextmanager
    def _locked(self):
        """The storage lock around the bookkeeping (``put_if_empty`` in SQLite or Redis); a lock
        older than :data:`LOCK_STALE_S` was left by a dead process and is broken.

        Raises
        ------
        RuntimeError
            If the lock stays taken for :data:`LOCK_WAIT_S`.
        """
        token, deadline = uuid.uuid4().hex, time.monotonic() + LOCK_WAIT_S
        with self._local_lock:
            while not self.huey.put_if_empty(_LOCK, {"owner": token, "at": time.time()}):
                try:
                    held = self.huey.get(_LOCK, peek=True)
                except QueueDataError:  # not the queue's JSON: nobody's lock
                    held = {}
                if held is None:  # released since put_if_empty: try again at once (deleting it
                    continue  # here could delete a lock another process has just taken)
                at = _number(held.get("at")) if isinstance(held, dict) else None
                if at is None or time.time() - at > LOCK_STALE_S:
                    self.huey.delete(_LOCK)
                elif time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the training queue's storage stayed locked for {LOCK_WAIT_S:g} s; try again"
                    )
                else:
                    time.sleep(0.005)
            try:
                yield
            finally:
                held = self._get_or_none(_LOCK)
                if isinstance(held, dict) and held.get("owner") == token:
                    self.huey.delete(_LOCK)

    # --- the consumer: run tasks and report into the record ---------------------------------------

    def _execute(self, ticket) -> None:
        if not isinstance(ticket, int) or isinstance(ticket, bool):
            _log.warning("training queue: refused a message with ticket %r", ticket)
            return
        with self._locked():
            counters = self._counters()
            counters["started"] += 1
            slot = self._get_or_none(f"slot:{ticket}")
            self.huey.delete(f"slot:{ticket}")
            if isinstance(slot, dict):
                counters["pending"] = max(0, counters["pending"] - 1)
            self.huey.put(_COUNTERS, counters)
            key = slot.get("key") if isinstance(slot, dict) else None
            record = self._get_or_none(self._record_key(key)) if isinstance(key, str) else None
            if not (
                isinstance(record, dict)
                and record.get("ticket") == ticket
                and record.get("status") == "queued"
            ):
                _log.info("training queue: ticket %s was replaced or dropped; skipped", ticket)
                return
            for session in _sessions(record):
                pointer = self._get_or_none(f"session:{session}")
                if isinstance(pointer, dict) and pointer.get("key") == key:
                    self.huey.delete(f"session:{session}")
            started = self._clock()
            record.update(
                status="running",
                started=started,
                updated=started,
                sessions=[],
                fraction=0.0,
                message="",
                eta_s=None,
                error="",
                result=None,
            )
            self.huey.put(self._record_key(key), record)
        try:
            spec = queue_codec.allowed(slot.get("task"))
            if spec is None:
                raise QueueDataError(
                    f"refused: task {slot.get('task')!r} is not on the training queue's allow-list"
                )
            config = queue_codec.config_from_data(spec, slot.get("config"))
            if config.key != key:
                raise QueueDataError("refused: the queued config does not match its job's key")
            task = queue_codec.resolve(spec.task)
        except (ValueError, ImportError, AttributeError) as exc:
            _log.warning("training queue: job %s refused: %s", key, exc)
            record.update(status="failed", error=f"{type(exc).__name__}: {exc}", updated=self._clock())
            self.huey.put(self._record_key(key), record)
            return
        self._train(key, config, task, record)

    def _train(self, key: str, config, task, record: dict) -> None:
        started, last_write = record["started"], 0.0
        of = f"/{config.epochs}" if getattr(config, "epochs", None) else ""

        def progress(epoch, batch_index, loss, metrics, fraction):
            nonlocal last_write
            if self._closed.is_set():
                raise _Stopped("the training queue was shut down")
            now = self._clock()
            record["fraction"] = min(max(float(fraction), 0.0), 1.0)
            record["message"] = f"epoch {epoch + 1}{of} · loss {loss:.3f}"
            done = record["fraction"]
            record["eta_s"] = (now - started) * (1.0 - done) / done if done > 0 else None
            record["updated"] = now
            if now - last_write >= 0.5 or done >= 1.0:  # a storage write at most twice a second
                self.huey.put(self._record_key(key), record)
                last_write = now

        try:
            result = queue_codec.to_json_value(task(config, progress), what="the task's result")
            error = ""
        except Exception as exc:  # noqa: BLE001 - every failure reaches the waiters as a message
            _log.exception("training job %s failed", key)
            result, error = None, f"{type(exc).__name__}: {exc}"
        record.update(status="failed" if error else "done", result=result, error=error, updated=self._clock())
        if not error:
            record.update(fraction=1.0, eta_s=0.0)
            self._record_duration(record["updated"] - started)
        self.huey.put(self._record_key(key), record)

    def _record_duration(self, seconds: float) -> None:
        """A moving average of training times, for the "about N min" of :class:`QueueFull`."""
        old = self._get_or_none(_DURATION)
        mean = _number(old.get("mean_s")) if isinstance(old, dict) else None
        seconds = max(float(seconds), 0.0)
        self.huey.put(_DURATION, {"mean_s": seconds if mean is None else 0.7 * mean + 0.3 * seconds})

    def start_consumer_threads(self) -> None:
        """Consume the queue in this process: ``max_concurrent`` daemon threads that take tasks
        with Huey's ``dequeue`` and run them with ``execute`` (as Huey's consumer does)."""
        for i in range(self._slots - len(self._threads)):
            thread = threading.Thread(target=self._consume, name=f"training-{i}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _consume(self) -> None:
        while not self._closed.is_set():
            try:
                message = self.huey.dequeue()
            except (QueueDataError, huey.exceptions.HueyException) as exc:
                _log.warning("training queue: refused a queued message (not run): %s", exc)
                continue
            except Exception:  # noqa: BLE001 - a storage hiccup must not end the consumer
                _log.exception("reading the training queue failed")
                message = None
            if message is None:
                self._closed.wait(0.2)
                continue
            try:
                self.huey.execute(message)
            except _Stopped:
                pass
            except Exception:  # noqa: BLE001 - the task's own failure is already in its record
                _log.warning("training task ended with an error", exc_info=True)

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop this process's consumer threads: a running task stops at its next progress report
        (its job fails with "shut down"); queued tasks stay in the queue for the next consumer."""
        self._closed.set()
        if wait:
            for thread in self._threads:
                thread.join(timeout=30)

    # --- records --------------------------------------------------------------------------------

    @staticmethod
    def _record_key(key: str) -> str:
        return f"job:{key}"

    def _get_or_none(self, name: str) -> Any:
        """The stored value of ``name``; None if missing or refused (not the queue's JSON: logged)."""
        try:
            return self.huey.get(name, peek=True)
        except QueueDataError as exc:
            _log.warning("training queue: refused the stored %s: %s", name, exc)
            return None

    def _counters(self) -> dict:
        return _clean_counters(self._get_or_none(_COUNTERS))

    def _expired(self, record: dict, counters: dict) -> bool:
        age = self._clock() - (_number(record.get("updated")) or 0.0)
        status = record.get("status")
        lost = status == "queued" and (_number(record.get("ticket")) or 0) <= counters["started"]
        return (
            status not in _STATUSES
            or status == "failed"
            or lost
            or (status == "done" and age > self._ttl)
            or (status == "running" and age > self._stale)
        )

    def _view(self, key: str, record: dict, counters: dict) -> JobView:
        status = record.get("status")
        status = status if status in _STATUSES else "failed"
        error = str(record.get("error") or "")
        if status == "running" and self._clock() - (_number(record.get("updated")) or 0.0) > self._stale:
            status, error = "failed", "RuntimeError: the training worker stopped responding"
        elif status == "failed" and not error:
            error = "QueueDataError: refused: the job's stored record is not the training queue's"
        position = 0
        if status == "queued":
            position = max(1, int(_number(record.get("ticket")) or 0) - counters["started"])
        eta_s = _number(record.get("eta_s"))
        return JobView(
            key,
            status,
            position,
            min(max(_number(record.get("fraction")) or 0.0, 0.0), 1.0),
            str(record.get("message") or ""),
            eta_s,
            record.get("result"),
            error,
        )


def _number(value: Any) -> float | None:
    """``value`` as a finite float, or None (stored data is checked, never trusted)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _sessions(record: dict) -> list[str]:
    sessions = record.get("sessions")
    return [s for s in sessions if isinstance(s, str)] if isinstance(sessions, list) else []


def _clean_counters(value: Any) -> dict:
    value = value if isinstance(value, dict) else {}
    return {name: int(_number(value.get(name)) or 0) for name in ("issued", "started", "pending")}


def slots_from_env(environ=None) -> int:
    """Trainings at a time from ``$NEURAL_EXPLAINER_TRAINING_SLOTS`` (unset or empty: 1).

    Raises
    ------
    ValueError
        If the variable is set to anything but a positive integer.
    """
    return positive_int_from_env(SLOTS_ENV_VAR, 1, "trainings at a time", environ)


_default: TrainingQueue | None = None
_default_guard = threading.Lock()


def default_queue(*, consume: bool | None = None) -> TrainingQueue:
    """The process-wide :class:`TrainingQueue` the pages share, created on first use with
    :func:`queue_storage` and :func:`slots_from_env` consumer threads (none where
    ``$NEURAL_EXPLAINER_QUEUE_CONSUMER=external``, or ``consume=False``)."""
    global _default
    with _default_guard:
        if _default is None:
            _default = TrainingQueue(max_concurrent=slots_from_env(), consume=consume)
        return _default
