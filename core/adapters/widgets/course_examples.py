"""The course's examples as one control: a selectbox whose first entry picks nothing and whose other
entries load an example's settings into the page's widgets (Boolean neurons' weights, Layer
arithmetic's sizes)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from core.adapters import errors
from core.data.course import plain

#: The entry that loads nothing: the selectbox's first, and its value until an example is picked.
NONE = "—"
#: How that entry reads.
NONE_LABEL = "— pick one to load it —"


def where_in_course(example: Any) -> str:
    """The example's ``source`` as students read it, without the "Course notes, " every one starts with."""
    return plain(example.source).removeprefix("Course notes, ")


def describe(name: str, example: Any) -> str:
    """An example's entry: its title (or name) and where in the course it is."""
    return f"{getattr(example, 'title', name)} ({where_in_course(example)})"


def course_examples_select(
    where: Any,
    label: str,
    examples: Mapping[str, Any],
    *,
    key: str,
    load: Callable[[Any], None],
) -> None:
    """Draw the selectbox in ``where``; picking an example calls ``load(example)`` before the rerun.

    Parameters
    ----------
    where : Streamlit container
        Where the selectbox goes.
    label : str
        Its label.
    examples : mapping of str to example
        The examples by name, in the order listed; each has a ``source`` (where the course gives it) and
        may have a ``title`` (shown instead of its name).
    key : str
        The selectbox's session key (its value is :data:`NONE` or a name of ``examples``).
    load : callable
        Sets the page's widget values (``st.session_state``) to an example's settings.
    """

    @errors.guarded
    def picked() -> None:
        example = examples.get(st.session_state[key])
        if example is not None:
            load(example)

    where.selectbox(
        label,
        [NONE, *examples],
        key=key,
        on_change=picked,
        format_func=lambda name: NONE_LABEL if name == NONE else describe(name, examples[name]),
    )
