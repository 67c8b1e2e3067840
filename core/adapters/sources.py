"""The "Sources" panel at the end of a page: the course documents it cites and the published references
it relies on, by title (:mod:`core.data.course`), never by file name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import streamlit as st

from core.data.course import cite, document, reference

__all__ = ["sources_lines", "sources_panel"]


def sources_lines(
    course: Mapping[str, Iterable[str]] | Iterable[str] = (), references: Iterable[str] = ()
) -> list[str]:
    """The panel's Markdown lines, one per course document then one per reference.

    Parameters
    ----------
    course : mapping of document key -> sections or headings, or iterable of document keys
        The course documents the page cites (keys of :data:`core.data.course.DOCUMENTS`), each with
        the sections (numbered documents) or slide headings (slide decks) the page uses.
    references : iterable of str
        Keys of :data:`core.data.course.REFERENCES`.

    Raises
    ------
    ValueError
        If a key is unknown or a section/heading is not valid for its document (see
        :func:`core.data.course.cite`).
    """
    places = course if isinstance(course, Mapping) else {key: () for key in course}
    lines = []
    for key, where in places.items():
        doc = document(key)
        where = [where] if isinstance(where, str) else list(where)
        if not where:
            lines.append(f"- {cite(key)} — {doc.covers}")
            continue
        cited = [cite(key, w).removeprefix(cite(key)) for w in where]  # " §1.2" / ", *Padding*"
        parts = [c.lstrip(", ").strip() for c in cited]
        lines.append(f"- {cite(key)}: {'; '.join(parts)} — {doc.covers}")
    lines += [f"- {reference(key)}" for key in references]
    return lines


def sources_panel(
    course: Mapping[str, Iterable[str]] | Iterable[str] = (), references: Iterable[str] = ()
) -> None:
    """An expander "Sources" listing the course documents the page cites and its published references.

    Parameters and errors as :func:`sources_lines`.
    """
    lines = sources_lines(course, references)
    with st.expander("Sources"):
        st.markdown("\n".join(lines) if lines else "This page cites no sources.")
