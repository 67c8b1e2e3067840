"""The app's one error boundary: no traceback reaches a student.

Streamlit runs app code in three places, and an exception in any of them would otherwise draw
Streamlit's exception box (``client.showErrorDetails``, which ``.streamlit/config.toml`` sets to
"none" as the backstop):

* the page script, which ``app.py`` runs inside :func:`error_boundary`;
* a fragment's rerun, which Streamlit starts itself without passing through the page script
  (``ScriptRunner`` calls the stored fragment directly);
* a widget callback (``on_click`` / ``on_change``), which runs before the script, outside it.

Fragments and callbacks are therefore wrapped where they are defined with :func:`guarded`
(``@st.fragment`` above ``@errors.guarded``). ``tests/app/test_error_boundary.py`` checks that every
fragment and every callback of the pages is guarded.

Each failure is logged with its traceback under a short incident id; the student sees one line
with that id, never a stack or a server path, and the rest of the page (and every other
student's session) keeps working. ``st.stop()``, ``st.rerun()`` and ``st.switch_page()`` raise
Streamlit's control exceptions, which derive from ``BaseException`` and pass through untouched.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import secrets
from collections.abc import Callable, Iterator
from typing import TypeVar

import streamlit as st
from streamlit.errors import FragmentHandledException

_LOG = logging.getLogger("neural_explainer.incidents")

F = TypeVar("F", bound=Callable)

#: Session-state key of the incidents of widget callbacks not shown yet (a list of ids).
PENDING_KEY = "error_incidents"
#: What a student sees; ``{incident}`` is the id an operator looks up in the server log.
MESSAGE = (
    "Something went wrong here, sorry. The error was logged as incident **{incident}**: "
    "the rest of the page still works; change a setting or reload the page to try again."
)


def new_incident_id() -> str:
    """A short random id (8 hex digits) that names one failure in the log and on the page."""
    return secrets.token_hex(4)


def report(exc: BaseException, where: str) -> str:
    """Log ``exc`` with its traceback under a new incident id and show the student the short
    message with that id (no stack, no path, no exception text).

    In a widget callback (which runs before the script, so nothing drawn there is sure to stay on
    screen: a rerun that follows drops it) the id is kept in the session and shown by the next
    :func:`error_boundary` the script enters (the page's, or the fragment's when only a fragment
    reruns).

    Parameters
    ----------
    exc : BaseException
        The exception caught.
    where : str
        What was running ("page cnn_activations", "fragment or callback __main__.reveal", ...),
        for the log.

    Returns
    -------
    str
        The incident id.
    """
    incident = new_incident_id()
    _LOG.error(
        "incident %s in %s: %s",
        incident,
        where,
        type(exc).__name__,
        exc_info=(type(exc), exc, exc.__traceback__),
    )
    try:
        if _in_callback():
            st.session_state.setdefault(PENDING_KEY, []).append(incident)
        else:
            _show(incident)
    except Exception:  # noqa: BLE001 - showing the message must never raise in its turn
        _LOG.exception("incident %s: the message could not be shown", incident)
    return incident


def _show(incident: str) -> None:
    st.error(MESSAGE.format(incident=incident), icon=":material/error:")


def _in_callback() -> bool:
    """Whether Streamlit is running widget callbacks (before the script run has started)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx is not None and not ctx.has_script_started


def show_pending() -> None:
    """Show the incidents of this session's callbacks that no run has shown yet."""
    if _in_callback():
        return
    for incident in st.session_state.pop(PENDING_KEY, None) or ():
        _show(incident)


@contextlib.contextmanager
def error_boundary(where: str = "page") -> Iterator[None]:
    """Run the ``with`` block; an exception in it is logged and replaced by the short message.

    ``app.py`` runs the page inside it. On entry it shows the incidents of this session's widget
    callbacks that are still to be shown (:func:`report`). Streamlit's control flow (``st.stop``,
    ``st.rerun``, ``st.switch_page``: ``BaseException`` subclasses) and a fragment failure
    Streamlit has already drawn (``FragmentHandledException``) pass through.

    Parameters
    ----------
    where : str
        What runs inside, named in the log line.
    """
    try:
        show_pending()
        yield
    except FragmentHandledException:
        raise
    except Exception as exc:  # noqa: BLE001 - this is the boundary: every app error ends here
        report(exc, where)


def guarded(func: F) -> F:
    """Run ``func`` inside :func:`error_boundary`: for fragments (``@st.fragment`` above
    ``@guarded``) and widget callbacks, which Streamlit calls outside the page script.

    The wrapper keeps ``func``'s module and qualified name (``functools.wraps``): Streamlit derives
    a fragment's id from them. A guarded function that fails returns None.
    """
    kind = "fragment or callback"

    @functools.wraps(func)
    def run(*args, **kwargs):
        with error_boundary(f"{kind} {func.__module__}.{func.__qualname__}"):
            return func(*args, **kwargs)
        return None

    run.__guarded__ = True
    return run  # type: ignore[return-value]
