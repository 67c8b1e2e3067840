"""The training-job panel of the pages that train (CNN activations, Training a CNN): submit a
configuration to the shared training queue, watch its progress, act on its outcome.

Training never runs in a student's script thread: a submission is a job on the server's queue
(:mod:`core.training.jobs`, through :mod:`core.adapters.training_queue`, which names this browser
session so it keeps one waiting job at most and says so when the queue is full). A page uses three
calls, all keyed by a session-state ``prefix`` (``"act_rt"``, ``"train"``):

- :func:`submit` in its form's callback: builds the job's config from the form's values and queues
  it; ``<prefix>_job`` then holds ``{"kind", "config", "title"}``, ``<prefix>_full`` the "queue is
  full" message when it did not fit;
- :func:`finished` near the top of the page: the job's outcome once it has ended (and forgets the
  job), so the page can show the new model or re-read its results before it draws them;
- :func:`show` below the form: the "queue is full" notice, the last failure (``<prefix>_error``,
  kept until the next submission) and, while the job waits or runs, its progress in a fragment
  polled every second that reruns the page when the job ends.

Each job kind (:data:`KINDS`) has a config builder in ``core.models`` and a queue task in
``core.training``; the pages pass only the form's values.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from core.adapters import training_queue
from core.adapters.errors import guarded

#: The jobs the pages submit (see :func:`_kinds`).
KINDS = ("digit_cnn", "regularisation")


def _kinds() -> dict:
    """kind -> (config builder, queue task), imported on first use (they import TensorFlow)."""
    from core.models.registry import retrained_cnn_config
    from core.models.regularisation import labelled_config
    from core.training import digits, regularisation

    return {
        "digit_cnn": (retrained_cnn_config, digits.train_digit_job),
        "regularisation": (labelled_config, regularisation.train_result_job),
    }


def _queue():
    from core.training import jobs

    return jobs.default_queue()


def submit(prefix: str, kind: str, *, title: str = "", **options: Any) -> bool:
    """Queue a job of ``kind`` for this session with the form's ``options`` (for a widget callback).

    Parameters
    ----------
    prefix : str
        The page's session-state prefix: the job goes to ``<prefix>_job``.
    kind : str
        One of :data:`KINDS`.
    title : str
        What the page calls the result (the model menu's label of a retrained CNN).
    **options
        The config builder's keyword arguments (epochs, dropout, ...).

    Returns
    -------
    bool
        Whether the job was queued (or joined an identical one); False when the queue is full
        (the message waits for :func:`show`).

    Raises
    ------
    ValueError
        If ``kind`` is unknown, or an option is out of the config's range (the builder says which).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {sorted(KINDS)}, got {kind!r}")
    make_config, task = _kinds()[kind]
    config = make_config(**options)
    if training_queue.submit(_queue(), config, task, notice_key=f"{prefix}_full") is None:
        return False
    st.session_state.pop(f"{prefix}_error", None)
    st.session_state[f"{prefix}_job"] = {"kind": kind, "config": config, "title": title}
    return True


def finished(prefix: str):
    """The outcome of this session's job once it has ended, else None (call it near the page's top).

    A job whose record the queue no longer has (it expired, the storage was reset) is submitted
    again; one that no longer fits the queue is dropped (the notice says so). A failed job's error
    is kept for :func:`show`.

    Returns
    -------
    core.models.choice.TrainingOutcome or None
        ``model_key`` ``"retrained:<config.key>"`` and ``entry`` ``(title, config)`` when the job
        is done, ``error`` when it failed; None while it waits or runs, or when there is none.
    """
    job = st.session_state.get(f"{prefix}_job")
    if job is None:
        return None
    from core.models import choice

    queue = _queue()
    view = queue.status(job["config"].key) or training_queue.submit(
        queue, job["config"], _kinds()[job["kind"]][1], notice_key=f"{prefix}_full"
    )
    outcome = (
        None if view is None else choice.training_outcome(view, config=job["config"], title=job["title"])
    )
    if view is None or outcome is not None:
        del st.session_state[f"{prefix}_job"]
    if outcome is not None and outcome.error is not None:
        st.session_state[f"{prefix}_error"] = outcome.error
    return outcome


def show(prefix: str) -> None:
    """Below the form: the "queue is full" notice (once), the last failure, and the running job's
    progress (:func:`progress`)."""
    training_queue.show_notice(f"{prefix}_full")
    if f"{prefix}_error" in st.session_state:
        st.error(f"Training failed: {st.session_state[f'{prefix}_error']}. Submit the form again to retry.")
    job = st.session_state.get(f"{prefix}_job")
    if job is not None:
        progress(job["config"].key)


@st.fragment(run_every=1.0)
@guarded
def progress(key: str) -> None:
    """The shared job's state, polled every second while it waits or runs (the training runs on the
    server's queue, not here); once it ends, a full rerun lets :func:`finished` act on it."""
    training_queue.show_progress(key, lambda view: f"Training {view.message or '(starting)'}")
