"""Training as a shared job on a Huey task queue: one run per config, across every web process.

A click on "Retrain" must not train inside the student's script thread (the page would hang), and
thirty students asking for the same config (through any of the lecture's web workers) must train it
once. :class:`TrainingQueue` puts each request on a `Huey <https://huey.readthedocs.io>`_ queue:

- **Storage.** ``$NEURAL_EXPLAINER_QUEUE_URL``: ``redis://host:6379/0`` for a cluster (the
  ``redis`` package), else SQLite in the model cache folder
  (``<cache>/training-queue.sqlite``), which every worker process of one machine shares.
- **Consumer.** The process that trains. ``python -m core.training.worker`` runs Huey's own consumer
  (the one that holds the GPU in ``make serve`` and on Kubernetes; set
  ``NEURAL_EXPLAINER_QUEUE_CONSUMER=external`` in the web processes). Otherwise (``make run``, one
  process) the web process consumes with ``max_concurrent`` daemon threads of its own.
- **One job per config.** A job record ``job:<config.key>`` in Huey's key-value storage is created
  with ``put_if_empty`` (atomic in SQLite and Redis): the first request enqueues the task, later
  ones from any process read the same record. The consumer writes the progress into it (throttled),
  so every session of every worker sees the same status, progress and time left, then the result
  or the error. A failed job, a finished one older than ``finished_ttl_s`` and a running one whose
  consumer stopped reporting for ``stale_s`` (it died) are run again on the next request.

``task`` is a module-level function ``task(config, progress)`` returning something small and
picklable (the weights go to the model store, which other processes read); ``config`` is a frozen,
picklable config with ``key`` and optionally ``epochs``. No Streamlit here: a page polls
:meth:`TrainingQueue.status` from an ``st.fragment(run_every=...)``.
"""
from __future__ import annotations

import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import huey

#: Environment variable: how many trainings a consumer runs at a time (default 1).
SLOTS_ENV_VAR = "NEURAL_EXPLAINER_TRAINING_SLOTS"
#: Environment variable: the queue's storage, ``redis://...`` or ``sqlite:///path`` (default:
#: SQLite in the model cache folder).
QUEUE_URL_ENV_VAR = "NEURAL_EXPLAINER_QUEUE_URL"
#: Environment variable: ``external`` when ``python -m core.training.worker`` consumes the queue
#: (the web processes of ``make serve``); anything else: this process consumes it itself.
CONSUMER_ENV_VAR = "NEURAL_EXPLAINER_QUEUE_CONSUMER"
#: progress(epoch, batch_index, loss, metrics, fraction): see ``core.training.fit.ProgressFn``.
ProgressFn = Callable[[int, int, float, dict, float], None]
#: The name of the queue (and of its Huey instance) in the storage.
QUEUE_NAME = "neural-explainer-training"

_log = logging.getLogger(__name__)


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
    result : object
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


def queue_storage(url: str | None = None) -> huey.Huey:
    """The Huey instance for ``url`` (default ``$NEURAL_EXPLAINER_QUEUE_URL``).

    ``redis://...`` gives a ``RedisHuey``; ``sqlite:///path`` or nothing a ``SqliteHuey`` (default
    file ``<model cache>/training-queue.sqlite``; if that folder cannot be created, the system's
    temporary folder, so a misconfigured cache still trains).

    Raises
    ------
    ValueError
        For any other URL scheme.
    """
    url = (os.environ.get(QUEUE_URL_ENV_VAR, "") if url is None else url).strip()
    if url.startswith(("redis://", "rediss://", "unix://")):
        return huey.RedisHuey(QUEUE_NAME, url=url, results=False)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite://"))
    elif not url:
        from core.training.store import default_cache_dir

        path = default_cache_dir() / "training-queue.sqlite"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            path = Path(tempfile.gettempdir()) / f"neural-explainer-{os.getuid()}-training-queue.sqlite"
    else:
        raise ValueError(f"{QUEUE_URL_ENV_VAR} must be redis://... or sqlite:///path, got {url!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    return huey.SqliteHuey(QUEUE_NAME, filename=str(path), results=False)


class _Stopped(RuntimeError):
    """Raised in a running task's progress callback when its consumer shuts down."""


class TrainingQueue:
    """Submit trainings to a Huey queue, deduplicated by config key; read their state from anywhere.

    Parameters
    ----------
    storage : huey.Huey, optional
        Default :func:`queue_storage` (``$NEURAL_EXPLAINER_QUEUE_URL``).
    max_concurrent : int, optional
        Trainings at a time when this process consumes the queue itself.
    consume : bool, optional
        Start ``max_concurrent`` consumer threads in this process (default: unless
        ``$NEURAL_EXPLAINER_QUEUE_CONSUMER`` is ``external``).
    finished_ttl_s : float, optional
        A finished job older than this is run again on request (the model store then finds the
        weights, unless they were deleted).
    stale_s : float, optional
        A running job without a progress report for this long belongs to a consumer that died;
        a new request runs it again.
    clock : callable, optional
        Seconds since the epoch (``time.time``: records are compared across processes).

    Raises
    ------
    ValueError
        If ``max_concurrent`` is below 1.
    """

    def __init__(self, storage: huey.Huey | None = None, *, max_concurrent: int = 1,
                 consume: bool | None = None, finished_ttl_s: float = 3600.0, stale_s: float = 300.0,
                 clock: Callable[[], float] = time.time) -> None:
        if int(max_concurrent) < 1:
            raise ValueError(f"max_concurrent must be >= 1, got {max_concurrent!r}")
        self.huey = storage if storage is not None else queue_storage()
        self._clock, self._ttl, self._stale = clock, float(finished_ttl_s), float(stale_s)
        self._slots = int(max_concurrent)
        self._closed = threading.Event()
        self._threads: list[threading.Thread] = []
        self._run = self.huey.task(name="train")(self._execute)
        if consume is None:
            consume = os.environ.get(CONSUMER_ENV_VAR, "").strip().lower() != "external"
        if consume:
            self.start_consumer_threads()

    # --- any process: submit and read ----------------------------------------------------------

    def submit(self, config, task: Callable[[Any, ProgressFn], Any]) -> JobView:
        """Queue ``task(config, progress)`` unless a current job for ``config.key`` exists.

        Parameters
        ----------
        config : frozen, picklable config with ``key`` (str) and, optionally, ``epochs`` (int)
        task : module-level callable ``task(config, progress) -> result``
            Runs in the consumer; calls ``progress(epoch, batch_index, loss, metrics,
            fraction)`` as ``core.training.fit.train`` does. An exception fails the job.

        Returns
        -------
        JobView
            The new job, or the queued, running or finished one for this key.

        Raises
        ------
        RuntimeError
            After :meth:`shutdown`.
        """
        if self._closed.is_set():
            raise RuntimeError("the training queue was shut down")
        key = config.key
        record = {"status": "queued", "enqueued": self._clock(), "updated": self._clock(),
                  "epochs": getattr(config, "epochs", None), "fraction": 0.0, "message": "",
                  "eta_s": None, "result": None, "error": ""}
        if not self.huey.put_if_empty(self._record_key(key), record):
            current = self._record(key)
            if current is not None and not self._expired(current):
                return self._view(key, current)
            self.huey.put(self._record_key(key), record)          # failed, outdated or orphaned: again
        self._run(config, task)
        return self._view(key, record)

    def status(self, key: str) -> JobView | None:
        """The latest :class:`JobView` of the job for ``key``; None if there is none."""
        record = self._record(key)
        return None if record is None else self._view(key, record)

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

    # --- the consumer: run tasks and report into the record ---------------------------------------

    def _execute(self, config, task) -> None:
        key = config.key
        started, last_write = self._clock(), 0.0
        of = f"/{config.epochs}" if getattr(config, "epochs", None) else ""
        record = dict(self._record(key) or {}, status="running", started=started, updated=started,
                      fraction=0.0, message="", eta_s=None, error="", result=None)
        self.huey.put(self._record_key(key), record)

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
            if now - last_write >= 0.5 or done >= 1.0:         # a storage write at most twice a second
                self.huey.put(self._record_key(key), record)
                last_write = now

        try:
            result, error = task(config, progress), ""
        except Exception as exc:  # noqa: BLE001 - every failure reaches the waiters as a message
            _log.exception("training job %s failed", key)
            result, error = None, f"{type(exc).__name__}: {exc}"
        record.update(status="failed" if error else "done", result=result, error=error,
                      updated=self._clock())
        if not error:
            record.update(fraction=1.0, eta_s=0.0)
        self.huey.put(self._record_key(key), record)

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
                _log.debug("training task ended with an error", exc_info=True)

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

    def _record(self, key: str) -> dict | None:
        value = self.huey.get(self._record_key(key), peek=True)
        return value if isinstance(value, dict) else None

    def _expired(self, record: dict) -> bool:
        age = self._clock() - float(record.get("updated", 0.0))
        status = record.get("status")
        return (status == "failed" or (status == "done" and age > self._ttl)
                or (status == "running" and age > self._stale))

    def _view(self, key: str, record: dict) -> JobView:
        status = record.get("status", "queued")
        if status == "running" and self._clock() - float(record.get("updated", 0.0)) > self._stale:
            status = "failed"
            record = dict(record, error="RuntimeError: the training worker stopped responding")
        position = 0
        if status == "queued":
            mine = float(record.get("enqueued", 0.0))
            earlier = 0
            for pending in self.huey.pending():
                other = pending.args[0].key if pending.args else None
                if other == key:
                    continue
                other_record = self._record(other) if other else None
                if other_record and float(other_record.get("enqueued", 0.0)) < mine:
                    earlier += 1
            position = 1 + earlier
        return JobView(key, status, position, float(record.get("fraction", 0.0)),
                       record.get("message", ""), record.get("eta_s"), record.get("result"),
                       record.get("error", ""))


def slots_from_env(environ=None) -> int:
    """Trainings at a time from ``$NEURAL_EXPLAINER_TRAINING_SLOTS`` (unset or empty: 1).

    Raises
    ------
    ValueError
        If the variable is set to anything but a positive integer.
    """
    raw = (os.environ if environ is None else environ).get(SLOTS_ENV_VAR, "").strip()
    if not raw:
        return 1
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{SLOTS_ENV_VAR} must be a positive integer (trainings at a time), got {raw!r}")
    return int(raw)


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
