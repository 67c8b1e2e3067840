"""core.adapters.heap: the heap is frozen once after loading, and what sessions allocate later is still
freed."""

import gc
import threading
import time
import weakref

import pytest
from streamlit.testing.v1 import AppTest

from core.adapters import heap


class Node:
    """A reference cycle that only the cyclic garbage collector can free."""

    def __init__(self):
        self.me = self


@pytest.fixture(autouse=True)
def no_other_thread_freezes():
    """Earlier tests in the same process may have started the app's warm-up thread, which ends with
    a freeze of its own; wait for every thread that may freeze, so each test sees only its own."""
    for thread in threading.enumerate():
        if thread.name == "neural-explainer-warmup":
            thread.join(timeout=600)
    yield


def test_freeze_happens_once_per_request_and_later_cycles_are_collected():
    before = Node()  # a cycle alive at the freeze: frozen with the heap
    before_ref = weakref.ref(before)
    heap.request_freeze()
    assert heap.freeze_if_needed() is True
    count = heap.freeze_count()
    assert gc.get_freeze_count() > 0
    assert heap.freeze_if_needed() is False  # nothing new loaded: no second freeze
    assert heap.freeze_count() == count

    after = Node()
    after_ref = weakref.ref(after)
    del before, after
    gc.collect()
    assert after_ref() is None  # allocated after the freeze: still collected
    assert before_ref() is not None  # frozen: collections skip it (until a refreeze)
    assert heap.freeze_count() == count  # and this test's collection froze nothing


def _session_script():
    import streamlit as st

    from core.adapters import heap

    class Session:
        def __init__(self):
            self.me = self  # a cycle, as Streamlit's own objects have

    if st.query_params.get("load"):
        heap.request_freeze()  # stands for loading a shared model
    else:
        st.session_state.session_object = Session()
    heap.after_run()  # what app.py does at the end of every run
    st.write("ran")


def _session(load: bool) -> AppTest:
    at = AppTest.from_function(_session_script, default_timeout=30)
    if load:
        at.query_params["load"] = "1"
    at.run()
    assert at.markdown[0].value == "ran"
    return at


def test_a_session_that_starts_after_the_freeze_is_freed_when_it_ends():
    _session(load=True)  # a first visitor loads a model: freeze
    before = heap.freeze_count()
    assert before > 0
    student = _session(load=False)
    student.run()  # clicks: no freeze on ordinary runs
    assert heap.freeze_count() == before
    ref = weakref.ref(student.session_state["session_object"])
    del student
    gc.collect()
    assert ref() is None


def test_a_session_open_during_a_freeze_is_freed_by_the_next_refreeze(monkeypatch):
    student = _session(load=False)
    ref = weakref.ref(student.session_state["session_object"])
    _session(load=True)  # a freeze while the student's session is open
    del student
    gc.collect()
    assert ref() is not None  # pinned by the frozen session state ...
    monkeypatch.setattr(heap, "REFREEZE_S", 0.0)
    assert heap.freeze_if_needed() is True  # ... until the periodic thaw-collect-freeze
    assert ref() is None


def _keras_script():
    import keras  # noqa: F401 - Streamlit's clean-up looks for it in sys.modules
    import streamlit as st

    from core.adapters import streamlit_patches

    streamlit_patches.keep_keras_state_between_runs()
    st.write("ran")


def test_streamlit_no_longer_clears_the_keras_session_after_each_run(monkeypatch):
    """Streamlit's clean-up calls ``keras.backend.clear_session()`` after every run once Keras is
    imported (it empties TensorFlow's kernel cache); the app's replacement does not."""
    import keras

    calls = []
    original = keras.backend.clear_session

    def counting_clear_session(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(keras.backend, "clear_session", counting_clear_session)
    from streamlit.runtime.scriptrunner import script_runner

    streamlit_own = script_runner._clean_problem_modules
    streamlit_own()
    # Streamlit's own clears it ...
    assert calls == [1] or streamlit_own.__module__ == "core.adapters.streamlit_patches"
    calls.clear()
    at = AppTest.from_function(_keras_script, default_timeout=120)
    at.run()
    at.run()
    assert at.markdown[0].value == "ran"
    assert calls == []  # ... the app's does not


def test_the_end_of_a_run_collects_in_full_at_most_once_per_interval(monkeypatch):
    """Cyclic garbage made by a run is freed by the next run end that is due, not by every run end."""
    monkeypatch.setattr(heap, "COLLECT_EVERY_S", 100.0)
    gc.disable()  # only heap.after_run collects here
    try:
        while heap.after_run(now=time.monotonic() + 1e6) == "freeze":  # a freeze another test asked for
            pass
        done = heap.collection_count()
        garbage = Node()
        ref = weakref.ref(garbage)
        del garbage
        assert heap.after_run(now=time.monotonic() + 50.0) is None  # within the interval: no collection
        assert ref() is not None
        assert heap.collection_count() == done
        assert heap.after_run(now=time.monotonic() + 101.0) == "collect"
        assert ref() is None
        assert heap.collection_count() == done + 1
    finally:
        gc.enable()


def test_streamlit_collects_after_no_run_the_app_collects_instead():
    """``.streamlit/config.toml`` turns off Streamlit's full collection after every run."""
    from streamlit import config

    assert config.get_option("runner.postScriptGC") is False
