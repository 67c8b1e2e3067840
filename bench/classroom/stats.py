"""Statistics of a load phase (percentiles, medians, bytes, failures) and the tables the benchmark
prints: every page against the bare page measured in the same run (``x bare`` columns)."""

from __future__ import annotations

import statistics
from collections import Counter

from bench.classroom.scenarios import BARE, TRAIN_FORM, TRAIN_PAGE
from bench.classroom.students import PhaseResult


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0 to 100) by the nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def median(values) -> float:
    """The median; NaN for no values."""
    values = list(values)
    return statistics.median(values) if values else float("nan")


def summarize(phase: PhaseResult) -> dict:
    """One row of the load tables (``LOAD_COLUMNS``, ``PROXY_COLUMNS``) for ``phase``."""
    clicks = [a for s in phase.students for a in s.clicks if a.ok]
    views = [s.view for s in phase.students if s.view is not None and s.view.ok]
    actions = [a for s in phase.students for a in s.actions]
    latencies = [a.latency for a in clicks]
    return {
        "name": phase.name,
        "page": phase.page,
        "students": len(phase.students),
        "clicks": len(clicks),
        "p50_s": percentile(latencies, 50),
        "p95_s": percentile(latencies, 95),
        "max_s": max(latencies, default=float("nan")),
        "clicks_per_s": len(clicks) / phase.wall_s if phase.wall_s else float("nan"),
        "wall_s": phase.wall_s,
        "view_s": median(a.latency for a in views),
        "view_kb": median(a.total_bytes / 1e3 for a in views),
        "click_kb_med": median(a.total_bytes / 1e3 for a in clicks),
        "click_kb_max": max((a.total_bytes / 1e3 for a in clicks), default=float("nan")),
        "refs_med": median(a.refs for a in clicks),
        "exceptions": sum(a.exceptions for a in actions),
        "dropped": sum(1 for s in phase.students if s.dropped),
        "drop_reasons": dict(Counter(s.dropped for s in phase.students if s.dropped)),
        "timeouts": sum(1 for a in actions if a.status == "timeout"),
        "fallbacks": sum(1 for a in actions if a.kind == "fallback"),
        "page_not_found": sum(1 for a in actions if a.page_not_found),
        "errors": dict(Counter(e for a in actions for e in a.errors).most_common(5)),
        "rss_before_mb": phase.rss_before,
        "rss_after_mb": phase.rss_after,
        "trainer": phase.trainer,
        "cpu_s": phase.cpu_s,
        "cpu_ms_per_click": 1e3 * phase.cpu_s / len(clicks) if clicks else float("nan"),
        "failed_clicks": sum(s.failed_clicks for s in phase.students),
        "reconnects": sum(s.reconnects for s in phase.students),
        "sticky_misses": sum(s.sticky_misses for s in phase.students),
        "media_errors": sum(a.media_errors for a in actions),
        "sessions_per_worker": dict(
            sorted(Counter(s.served_by[0] for s in phase.students if s.served_by).items())
        ),
        "killed": phase.killed,
    }


def fmt(value, spec: str) -> str:
    """``value`` formatted with ``spec``; "-" for None or NaN."""
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    return format(value, spec)


#: Every column a classroom table shows, by its row key: (header, format spec of its cells; "" for
#: text). A table names the keys it shows (:func:`columns`), so a column reads the same in every table.
COLUMNS: dict[str, tuple[str, str]] = {
    # summarize(): the load and proxy tables
    "name": ("page", ""),
    "students": ("stud", "d"),
    "clicks": ("clicks", "d"),
    "p50_s": ("p50 s", ".2f"),
    "p95_s": ("p95 s", ".2f"),
    "max_s": ("max s", ".2f"),
    "clicks_per_s": ("clk/s", ".2f"),
    "view_s": ("view s", ".2f"),
    "view_kb": ("view KB", ".0f"),
    "click_kb_med": ("click KB med", ".1f"),
    "click_kb_max": ("max", ".1f"),
    "refs_med": ("refs", ".0f"),
    "exceptions": ("exc", "d"),
    "dropped": ("drop", "d"),
    "timeouts": ("tmo", "d"),
    "fallbacks": ("fb", "d"),
    "rss_before_mb": ("RSS MB before", ".0f"),
    "rss_after_mb": ("after", ".0f"),
    "cpu_ms_per_click": ("CPU ms/clk", ".0f"),
    "p95_ratio": ("p95 x bare", ".1f"),
    "cps_ratio": ("clk/s x bare", ".2f"),
    "sessions_per_worker": ("sessions per worker", ""),
    "failed_clicks": ("failed clicks", "d"),
    "reconnects": ("reconnects", "d"),
    "sticky_misses": ("sticky misses", "d"),
    "media_errors": ("media errors", "d"),
    # modes.churn: RSS (MB) at the start, after K and after 2K sessions, and the growth
    "server": ("server", ""),
    "pages": ("pages", ""),
    "sessions": ("sessions", "d"),
    "rss0": ("RSS start", ".0f"),
    "rss1": ("after K", ".0f"),
    "rss2": ("after 2K", ".0f"),
    "growth1": ("+1st K", "+.0f"),
    "growth2": ("+2nd K", "+.0f"),
    "per_session_kb": ("KB/session (2nd K)", ".0f"),
    # modes.first_visit
    "page": ("page", ""),
    "server_start_s": ("server start s", ".2f"),
    "heading_s": ("first heading s", ".2f"),
    "finished_s": ("script_finished s", ".2f"),
    "tf_ratio": ("x import tf", ".2f"),
    "status": ("status", ""),
    "runs": ("runs", "d"),
    "rss_mb": ("RSS MB", ".0f"),
}


def columns(*names: str | tuple[str, str]) -> list[tuple[str, str, str]]:
    """The (header, row key, format spec) of each column named, for :func:`print_table`.

    Parameters
    ----------
    *names : str or (str, str)
        A key of :data:`COLUMNS`, or ``(key, header)`` where one table heads that column otherwise.

    Raises
    ------
    ValueError
        If a key is not in :data:`COLUMNS` (add it there with its header and format spec).
    """
    table = []
    for name in names:
        key, header = name if isinstance(name, tuple) else (name, None)
        if key not in COLUMNS:
            raise ValueError(
                f"column {key!r} is not in bench.classroom.stats.COLUMNS; add it there as "
                f"{key!r}: (header, format spec)"
            )
        table.append((COLUMNS[key][0] if header is None else header, key, COLUMNS[key][1]))
    return table


def print_table(rows: list[dict], columns: list[tuple[str, str, str]]) -> None:
    """``columns``: (header, row key, format spec), as :func:`columns` gives them. The first column
    left-aligned, the others right, each as wide as its header or widest cell."""
    headers = [header for header, _, _ in columns]
    cells = [[fmt(row.get(key), spec) for _, key, spec in columns] for row in rows]
    widths = [max([len(h), *(len(c[i]) for c in cells)]) for i, h in enumerate(headers)]
    for line in [headers, *cells]:
        padded = [v.rjust(w) if i else v.ljust(w) for i, (v, w) in enumerate(zip(line, widths, strict=True))]
        print("  ".join(padded))


LOAD_COLUMNS = columns(
    "name",
    "students",
    "clicks",
    "p50_s",
    "p95_s",
    "max_s",
    "clicks_per_s",
    "view_s",
    "view_kb",
    "click_kb_med",
    "click_kb_max",
    "refs_med",
    "exceptions",
    "dropped",
    "timeouts",
    "fallbacks",
    "rss_before_mb",
    "rss_after_mb",
    "cpu_ms_per_click",
    "p95_ratio",
    "cps_ratio",
)
PROXY_COLUMNS = columns(
    "name", "sessions_per_worker", "failed_clicks", "reconnects", "sticky_misses", "media_errors"
)


def print_load_report(summaries: list[dict], args) -> None:
    """The load table (pages first, the bare page last, with the ratios to it) and what went wrong."""
    bare = next((s for s in summaries if s["page"] == BARE), None)
    pages = [s for s in summaries if s["page"] != BARE] + ([bare] if bare else [])
    for s in pages:
        if bare and bare["p95_s"] and bare["clicks_per_s"]:
            s["p95_ratio"] = s["p95_s"] / bare["p95_s"]
            s["cps_ratio"] = s["clicks_per_s"] / bare["clicks_per_s"]
    print(
        f"\nClassroom load: {args.students} students x {args.clicks} clicks, think {args.think[0]:g}-"
        f"{args.think[1]:g} s, ramp {args.ramp:g} s, {'diverse' if args.diverse else 'same sequence'}"
        f"{', query ' + args.query if args.query else ''}"
    )
    print_table(pages, LOAD_COLUMNS)
    if args.workers:
        print(f"Through HAProxy, {args.workers} workers per server (deploy/local/serve.py):")
        rows = [
            dict(s, sessions_per_worker=" ".join(f"{k}:{v}" for k, v in s["sessions_per_worker"].items()))
            for s in pages
        ]
        print_table(rows, PROXY_COLUMNS)
        for s in pages:
            if s["killed"]:
                print(f"  {s['name']}: worker {s['killed']['worker']} killed during the load")
    for s in pages:
        if s["trainer"]:
            t = s["trainer"]
            print(
                f"  {s['name']}: "
                + (
                    f"Retrain form submitted at {t.get('started_s')} s into the load, "
                    f"took {t.get('duration_s')} s ({t.get('status')}), load lasted "
                    f"{t['load_wall_s']} s"
                    if t["form_found"]
                    else f"the Retrain form ({TRAIN_FORM}) was not found on {TRAIN_PAGE}"
                    + (f" ({t['error']})" if "error" in t else "")
                )
            )
        for error, count in s["errors"].items():
            print(f"  {s['name']}: {count} x {error[:160]}")
        if s["drop_reasons"]:
            print(f"  {s['name']}: sessions dropped: {s['drop_reasons']}")
        if s["page_not_found"]:
            print(f"  {s['name']}: the server answered page_not_found {s['page_not_found']} times")
