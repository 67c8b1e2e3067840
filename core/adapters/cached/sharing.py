"""How the caches share what they hold: shared resources that ask for a heap freeze, shared
views built once per key, and read-only arrays.

``st.cache_resource`` values are one object for every session: arrays are marked read-only
(:func:`read_only`) and views must never be mutated. ``st.cache_data`` values are copied for each
caller instead.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable

import numpy as np
import streamlit as st

from core.adapters import heap


def shared_resource(**options):
    """``st.cache_resource(**options)`` for a long-lived shared object (a model, a data set):
    after each load, the heap is frozen at the end of the run (see :mod:`core.adapters.heap`), so full
    garbage collections stop walking what was just loaded. Before a load, once TensorFlow has been
    imported, the process's devices are set up (:func:`core.models.runtime.configure_devices`: GPU
    memory growth, so the web processes and the training worker can share a GPU)."""

    def decorate(loader):
        @functools.wraps(loader)
        def load(*args, **kwargs):
            if "tensorflow" in sys.modules:
                from core.models import runtime

                runtime.configure_devices()
            value = loader(*args, **kwargs)
            heap.request_freeze()
            return value

        return st.cache_resource(**options)(load)

    return decorate


def read_only(array: np.ndarray) -> np.ndarray:
    """``array`` itself, made read-only: it is shared by every session, and writing to it raises
    ``ValueError``."""
    array.setflags(write=False)
    return array


@st.cache_resource(max_entries=256, show_spinner=False)
def shared_view(key: tuple, _build: Callable[[], object]):
    """A figure (or a tuple of figures and arrays) built once per ``key`` and shared by every
    session: 30 students on one view cost one build. ``key`` must name everything the result
    shows (page, image key, parameters); ``_build`` (not hashed) makes it on a miss. Read-only:
    never mutate the result (``display.show_figure`` styles a copy)."""
    return _build()
