"""The pages' side of the shared training queue (:mod:`core.training.jobs`): who asks (this browser
session, so a session has one waiting job at most) and what a full queue tells the student."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from core.training import jobs as training_jobs


def session_id() -> str | None:
    """This browser session's id (Streamlit's ``session_id``); None outside a script run."""
    ctx = get_script_run_ctx()
    return None if ctx is None else ctx.session_id


def submit(queue: training_jobs.TrainingQueue, config, task, *, notice_key: str):
    """``queue.submit(config, task)`` for this session (its unstarted job, if any, is replaced).

    Parameters
    ----------
    notice_key : str
        Session key (with the page's prefix) that keeps the "queue is full" message for
        :func:`show_notice`; works from a widget callback, which runs before the page.

    Returns
    -------
    JobView or None
        None when the queue is full (the message waits under ``notice_key``).
    """
    try:
        view = queue.submit(config, task, session=session_id())
    except training_jobs.QueueFull as exc:
        st.session_state[notice_key] = str(exc)
        return None
    st.session_state.pop(notice_key, None)
    return view


def show_notice(notice_key: str) -> None:
    """Show (once) the "queue is full, about N min" message that :func:`submit` kept."""
    message = st.session_state.pop(notice_key, None)
    if message:
        st.warning(message, icon=":material/hourglass_top:")


def show_progress(key: str, describe: Callable[[training_jobs.JobView], str]) -> None:
    """The state of the shared job ``key``, for a fragment polled while it waits or runs: its place in
    the queue, or a progress bar captioned ``describe(view)`` and the time left; once it has ended (or
    is gone), a full rerun, so the page can act on its outcome."""
    view = training_jobs.default_queue().status(key)
    if view is None or view.finished:
        st.rerun(scope="app")
    if view.status == "queued":
        st.info(f"Waiting for the server's training slot: place {view.position} in the queue.")
    else:
        left = "" if view.eta_s is None else f" · about {view.eta_s:.0f} s left"
        st.progress(view.fraction, describe(view) + left)
