"""The "Show the code that computes this" expander at the end of every page: the source of the core
functions behind what the page shows."""

from __future__ import annotations

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
            if isinstance(fn, str):
                module, _, qualname = fn.partition(":")
                fn = importlib.import_module(module)
                for part in qualname.split("."):
                    fn = getattr(fn, part)
            st.code(inspect.getsource(fn), language="python")
