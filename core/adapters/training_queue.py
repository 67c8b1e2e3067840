"""The pages' side of the shared training queue (:mod:`core.training.jobs`): who asks (this browser
session, so a session has one waiting job at most) and what a full queue tells the student."""

from __future__ import annotations

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
