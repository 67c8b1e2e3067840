"""Print rows of values as an aligned plain-text table (the training commands' summaries)."""

from __future__ import annotations

import sys


def print_table(rows: list[dict], *, file=None) -> None:
    """Print dict rows as an aligned text table (to ``file``, default the current stdout).

    The first row's keys are the columns, in order; every row must have them. Nothing is
    printed for no rows.
    """
    if not rows:
        return
    file = file or sys.stdout
    cols = list(rows[0])
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    print("  ".join(c.ljust(widths[c]) for c in cols), file=file)
    print("  ".join("-" * widths[c] for c in cols), file=file)
    for r in rows:
        print("  ".join(str(r[c]).ljust(widths[c]) for c in cols), file=file)
