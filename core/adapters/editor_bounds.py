"""Data editors check what the browser sent before Streamlit applies it.

``st.data_editor`` keeps the browser's edits as a state ``{"edited_rows": {row: {column: value}},
"added_rows": [{column: value}, ...], "deleted_rows": [row, ...]}`` and applies it to the data
frame row by row, inside the widget call, whatever ``num_rows`` says: a crafted websocket message
that adds 10,000 rows to a fixed-size grid costs seconds of CPU, and an unknown column or a row
position past the end raises inside Streamlit. :func:`bounded_editor` reads that state from
``st.session_state`` *before* the widget is drawn, and when it is out of bounds drops it (the grid
shows its data as it was) and says why. The check itself, :func:`editor_state_problem`, looks at
the counts first and at individual rows only once their number is known to be small.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

#: The data editor's name for the index column in its state (``streamlit.elements.lib.column_config_utils``).
INDEX_COLUMN = "_index"


def _position(value: Any, rows: int) -> int | None:
    """``value`` as a row position in 0..rows-1, or None (the state's keys arrive as str or int)."""
    try:
        pos = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return pos if 0 <= pos < rows and str(pos) == str(value).strip() else None


def editor_state_problem(
    state: Any, *, rows: int, columns: Sequence[str], max_rows: int, fixed: bool
) -> str | None:
    """Why a data editor's state cannot be applied to a ``rows`` × ``len(columns)`` table, or None.

    Parameters
    ----------
    state : mapping or None
        The editor's state as ``st.session_state[key]`` holds it (None: nothing edited yet).
    rows : int
        Rows of the data the editor was given.
    columns : sequence of str
        Its column names.
    max_rows : int
        Most rows the edited table may have.
    fixed : bool
        ``num_rows="fixed"``: no row may be added or deleted.

    Returns
    -------
    str or None
        A message for the page (what was sent, what is allowed), or None when the state fits.

    Notes
    -----
    The counts (added, deleted and edited rows) are checked before any single row is looked at,
    so a state with 10,000 rows is refused in constant time.
    """
    if state is None:
        return None
    if not isinstance(state, Mapping):
        return "The table's edits could not be read."
    edited, added, deleted = (
        state.get("edited_rows") or {},
        state.get("added_rows") or [],
        state.get("deleted_rows") or [],
    )
    if not isinstance(edited, Mapping) or not isinstance(added, list) or not isinstance(deleted, list):
        return "The table's edits could not be read."
    if fixed and (added or deleted):
        return (
            f"This table has a fixed size ({rows} rows): rows cannot be added or deleted here, "
            f"got {len(added):,} added and {len(deleted):,} deleted."
        )
    if rows - len(deleted) + len(added) > max_rows or len(edited) > rows or len(deleted) > rows:
        return (
            f"At most {max_rows:,} rows here; the edits would make "
            f"{max(rows - len(deleted), 0) + len(added):,}."
        )
    allowed = set(map(str, columns)) | {INDEX_COLUMN}
    if len({_position(d, rows) for d in deleted} - {None}) != len(deleted):
        return "Only rows of the table can be deleted."
    for pos, changes in edited.items():
        if _position(pos, rows) is None or not isinstance(changes, Mapping) or not set(changes) <= allowed:
            return (
                f"Only the table's {rows} rows and its columns {', '.join(map(str, columns))} can be edited."
            )
    for row in added:
        if not isinstance(row, Mapping) or not set(row) <= allowed:
            return f"An added row may only fill the columns {', '.join(map(str, columns))}."
    return None


def bounded_editor(key: str, *, rows: int, columns: Sequence[str], max_rows: int, fixed: bool) -> str | None:
    """Drop the browser's edits of the data editor ``key`` if they are out of bounds; call it
    just before ``st.data_editor(..., key=key)``.

    Shows an ``st.warning`` with the reason when edits are dropped (the grid then shows its data
    unedited); parameters as in :func:`editor_state_problem`.

    Returns
    -------
    str or None
        The reason the edits were dropped, or None when they were kept.
    """
    if key not in st.session_state:
        return None
    problem = editor_state_problem(
        st.session_state[key], rows=rows, columns=columns, max_rows=max_rows, fixed=fixed
    )
    if problem is not None:
        del st.session_state[key]
        st.warning(f"{problem} The table is shown as it was before these edits.")
    return problem
