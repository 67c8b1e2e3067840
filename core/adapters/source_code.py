"""The "Show the code that computes this" expander at the end of every page: the source of the core
functions behind what the page shows."""

from __future__ import annotations

import functools
import importlib
import inspect
from collections.abc import Callable

import streamlit as st


def show_source(*functions: Callable | str) -> None:
    """An expander with the source code of the core functions behind a page.

    Pages import only ``core.adapters``, ``core.figures``, ``core.maths`` and ``core.data``; a
    function of ``core.models`` or ``core.training`` is named ``"core.models.hed:preprocess"``
    (module, colon, qualified name such as ``"DCGAN.train_step"``) and imported here.
    """
    with st.expander("Show the code that computes this"):
        for fn in functions:
            st.code(source(fn), language="python")


@functools.lru_cache(maxsize=256)
def source(fn: Callable | str) -> str:
    """The source text of ``fn`` (a function, or ``"module:qualname"``), read once per process: the
    server does not reload code (``fileWatcherType = "none"``), and reading it parses the file.

    Raises
    ------
    ImportError, AttributeError
        ``fn`` names no importable module or no attribute of it.
    OSError, TypeError
        As :func:`inspect.getsource` (no source file; not a function, class or module).
    """
    if isinstance(fn, str):
        module, _, qualname = fn.partition(":")
        fn = importlib.import_module(module)
        for part in qualname.split("."):
            fn = getattr(fn, part)
    return inspect.getsource(fn)
