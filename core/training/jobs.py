"""Training as a shared job: one run per config, a few at a time, watched by every session that asks.

A click on "Retrain" must not train inside the student's script thread (the page would hang), and
thirty students asking for the same config must train it once. :class:`TrainingQueue` runs each
request on a worker thread of a ``concurrent.futures.ThreadPoolExecutor``: requests are
deduplicated by ``config.key``, at most ``max_concurrent`` run at once and the others wait in
submission order; when the process exits, queued jobs fail and a running one stops at its next
progress report. Anyone may read a job's :class:`JobView` by key (status, queue position,
progress, time left, then the result or the error), so every session waiting for the same config
sees the same job. No Streamlit here: a page polls :meth:`TrainingQueue.status` from an
``st.fragment(run_every=...)``.

The interface (``submit(config, task)``, ``status(key)``, ``wait(key)``, where ``task`` is a
module-level function ``task(config, progress)`` returning something small and picklable, the
trained weights going to the model store rather than through the queue) is one a cross-process
backend (e.g. Huey with a result store) can offer too, so pages need not change when one is
swapped in behind :func:`default_queue`.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable

#: Environment variable: how many trainings one process runs at a time (default 1).
SLOTS_ENV_VAR = "NEURAL_EXPLAINER_TRAINING_SLOTS"
#: progress(epoch, batch_index, loss, metrics, fraction): see ``core.training.fit.ProgressFn``.
ProgressFn = Callable[[int, int, float, dict, float], None]

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


class _Job:
    """The mutable record behind a :class:`JobView`; guarded by its queue's lock."""

    def __init__(self, key: str, seq: int, epochs: int | None) -> None:
        self.key, self.seq, self.epochs = key, seq, epochs
        self.status, self.fraction, self.message, self.eta_s = "queued", 0.0, "", None
        self.result, self.error, self.started = None, "", 0.0


class TrainingQueue:
    """Run training tasks on worker threads, deduplicated by config key, at most a few at a time.

    Parameters
    ----------
    max_concurrent : int, optional
        Tasks running at the same time (worker threads); later ones wait in submission order.
    keep_finished : int, optional
        Finished jobs remembered (results and errors); older ones are forgotten, and a new
        request for their key runs the task again (the model store then finds the weights).
    clock : callable, optional
        Seconds, monotonic (``time.monotonic``); the time-left estimate uses it.

    Raises
    ------
    ValueError
        If ``max_concurrent`` or ``keep_finished`` is below 1.
    """

    def __init__(self, *, max_concurrent: int = 1, keep_finished: int = 32,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if int(max_concurrent) < 1 or int(keep_finished) < 1:
            raise ValueError(f"max_concurrent and keep_finished must be >= 1, got "
                             f"{max_concurrent!r} and {keep_finished!r}")
        self._executor = ThreadPoolExecutor(max_workers=int(max_concurrent),
                                            thread_name_prefix="training")
        self._changed = threading.Condition()
        self._jobs: dict[str, _Job] = {}
        self._finished: deque[_Job] = deque()
        self._keep, self._clock, self._seq = int(keep_finished), clock, 0
        self._closed = False
        # Worker threads are joined at interpreter exit, before ``atexit`` handlers run: this hook
        # (the one concurrent.futures uses itself) stops the trainings instead of finishing them all.
        register = getattr(threading, "_register_atexit", None)
        if register is not None:
            register(self.shutdown, wait=False)

    def submit(self, config, task: Callable[[Any, ProgressFn], Any]) -> JobView:
        """Queue ``task(config, progress)`` unless a job for ``config.key`` is already known.

        Parameters
        ----------
        config : frozen config with ``key`` (str) and, optionally, ``epochs`` (int)
            Identifies the job; ``epochs`` goes into the progress message.
        task : callable ``task(config, progress) -> result``
            Runs on a worker thread; calls ``progress(epoch, batch_index, loss, metrics,
            fraction)`` as ``core.training.fit.train`` does. An exception fails the job.

        Returns
        -------
        JobView
            The new job, or the queued, running or finished one for this key (a failed one is
            replaced: asking again retries).

        Raises
        ------
        RuntimeError
            After :meth:`shutdown`.
        """
        with self._changed:
            job = self._jobs.get(config.key)
            if job is None or job.status == "failed":
                self._seq += 1
                job = self._jobs[config.key] = _Job(config.key, self._seq, getattr(config, "epochs", None))
                self._executor.submit(self._run, job, config, task)
            return self._view(job)

    def status(self, key: str) -> JobView | None:
        """The latest :class:`JobView` of the job for ``key``; None if there is none (any more)."""
        with self._changed:
            job = self._jobs.get(key)
            return None if job is None else self._view(job)

    def wait(self, key: str, timeout: float | None = None) -> JobView:
        """Block until the current job for ``key`` finishes, or ``timeout`` seconds pass.

        Returns
        -------
        JobView
            Finished, unless the timeout passed first.

        Raises
        ------
        KeyError
            If no job for ``key`` is known (submit it first).
        """
        with self._changed:
            job = self._jobs.get(key)
            if job is None:
                raise KeyError(f"no training job for key {key!r}; submit it first")
            self._changed.wait_for(lambda: job.status in ("done", "failed"), timeout)
            return self._view(job)

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop: queued jobs fail at once, running ones at their next progress report; with
        ``wait``, return when the workers have stopped. Called at interpreter exit."""
        with self._changed:
            self._closed = True
            for job in self._jobs.values():
                if job.status == "queued":
                    job.status, job.error = "failed", "RuntimeError: the training queue was shut down"
            self._changed.notify_all()
        self._executor.shutdown(wait=wait, cancel_futures=True)

    def _view(self, job: _Job) -> JobView:
        position = 0
        if job.status == "queued":
            position = 1 + sum(1 for j in self._jobs.values() if j.status == "queued" and j.seq < job.seq)
        return JobView(job.key, job.status, position, job.fraction, job.message, job.eta_s,
                       job.result, job.error)

    def _run(self, job: _Job, config, task) -> None:
        def progress(epoch, batch_index, loss, metrics, fraction):
            if self._closed:
                raise RuntimeError("the training queue was shut down")
            elapsed = self._clock() - job.started
            of = f"/{job.epochs}" if job.epochs else ""
            with self._changed:
                job.fraction = min(max(float(fraction), 0.0), 1.0)
                job.message = f"epoch {epoch + 1}{of} · loss {loss:.3f}"
                job.eta_s = elapsed * (1.0 - job.fraction) / job.fraction if job.fraction > 0 else None

        with self._changed:
            if job.status != "queued":                     # failed by shutdown() meanwhile
                return
            job.status, job.started = "running", self._clock()
        try:
            result, error = task(config, progress), ""
        except Exception as exc:  # noqa: BLE001 - every failure reaches the waiters as a message
            _log.exception("training job %s failed", job.key)
            result, error = None, f"{type(exc).__name__}: {exc}"
        with self._changed:
            job.status, job.result, job.error = ("failed", None, error) if error else ("done", result, "")
            if not error:
                job.fraction, job.eta_s = 1.0, 0.0
            self._finished.append(job)
            while len(self._finished) > self._keep:
                old = self._finished.popleft()
                if self._jobs.get(old.key) is old:
                    del self._jobs[old.key]
            self._changed.notify_all()


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


def default_queue() -> TrainingQueue:
    """The process-wide :class:`TrainingQueue` the pages share, created on first use with
    :func:`slots_from_env` workers."""
    global _default
    with _default_guard:
        if _default is None:
            _default = TrainingQueue(max_concurrent=slots_from_env())
        return _default
