"""Text a student types, bounded before anything parses it.

A text box on a page reaches the server as one string. Streamlit's ``max_chars`` cuts a longer
string on the server, but a parser must not rely on it (the parsers are also called from code and
tests), and a parser such as :func:`ast.literal_eval` costs time and memory in proportion to the
text, with the interpreter lock held: a 4 MB paste takes seconds and gigabytes. Every parser of
typed text in :mod:`core.maths` therefore calls :func:`bounded_text` first, and echoes the text in
its messages only through :func:`shortened`.
"""

from __future__ import annotations

#: Characters of typed text quoted back in an error message.
ECHO_CHARS = 60


def bounded_text(text, *, max_chars: int, name: str) -> str:
    """``str(text)``, refused before any parsing when it is longer than ``max_chars``.

    Parameters
    ----------
    text : str or object
        What the student typed (anything else is turned into ``str`` first).
    max_chars : int, >= 1
        The longest text accepted, in characters (Python ``len``).
    name : str
        The box's label, for the message ("Array", "Signal x", ...).

    Returns
    -------
    str
        The text, unchanged.

    Raises
    ------
    ValueError
        If the text has more than ``max_chars`` characters; the message names the box and the
        limit, e.g. "Array: at most 4,000 characters here, got 4,000,001. Type fewer values."
    """
    if max_chars < 1:
        raise ValueError(f"`max_chars` must be at least 1, got {max_chars}.")
    text = text if isinstance(text, str) else str(text)
    if len(text) > max_chars:
        raise ValueError(
            f"{name}: at most {max_chars:,} characters here, got {len(text):,}. Type fewer or shorter values."
        )
    return text


def shortened(text: str, limit: int = ECHO_CHARS) -> str:
    """``repr(text)``, cut to about ``limit`` characters with "…" (for quoting typed text in a message)."""
    text = str(text)
    return repr(text) if len(text) <= limit else repr(text[:limit]) + "…"
