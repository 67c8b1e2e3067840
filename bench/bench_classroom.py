"""Lecture-hall load benchmark: N students use the running app at once over Streamlit's websocket.

Run (from the repository root; every run starts and stops its own servers)::

    .venv/bin/python bench/bench_classroom.py                      # 30 students, 4 pages
    .venv/bin/python bench/bench_classroom.py --students 5 --clicks 3 --think 0.5 1.5 --pages convolution gan
    .venv/bin/python bench/bench_classroom.py --single             # 1 student, 10 clicks, think 0.5 s
    .venv/bin/python bench/bench_classroom.py --churn 40           # 2 x 40 short sessions: RSS growth
    .venv/bin/python bench/bench_classroom.py --first-visit        # fresh server per page, deep link
    .venv/bin/python bench/bench_classroom.py --train-during       # + one student retrains the CNN meanwhile
    .venv/bin/python bench/bench_classroom.py --json artifacts/classroom.json -v
    .venv/bin/python bench/bench_classroom.py --workers 2 --pages convolution   # HAProxy, 2 workers
    .venv/bin/python bench/bench_classroom.py --workers 2 --kill-worker-at 10   # + a worker crashes at 10 s

What it does
------------
Starts ``streamlit run app.py`` and the reference page ``bench/bare_page.py`` (one slider, one line
of text) on two free ports of 127.0.0.1, waits for ``/_stcore/health``, then for the bare page and
for each page in ``--pages``, one at a time on the same server: one warm-up view and a wait until
the server is idle, then the *load phase*: ``--students`` simulated browsers start over ``--ramp``
seconds; each opens a websocket, asks for the page (the *first view*) and makes ``--clicks``
clicks, each after a think time drawn uniformly from ``--think a b``. A click changes one widget,
named by ``CLICK_SCRIPTS`` in ``scenarios`` (all students walk the same list, as in a lecture;
``--diverse``: each picks at random). Both servers are stopped at the end, also on Ctrl-C, an
error or the ``--max-minutes`` limit; every wait has a ``--timeout``. The app server gets an empty
model cache (``NEURAL_EXPLAINER_CACHE``) so a retrain really trains and nothing is written to
yours. The simulated browsers share this process (asyncio) and the machine with the servers: on
few cores they take a little CPU from them.

``--workers N`` starts each server as ``make serve`` does (``deploy/local/serve.py``: N Streamlit
workers behind HAProxy, a training worker): every simulated browser first loads the page over HTTP
to get HAProxy's stickiness cookie, then sends it with its websocket and media requests, and reports
which worker served it and any media request answered by another one ("sticky misses").
``--kill-worker-at S`` SIGKILLs one web worker S seconds into each app load phase: students on it
reconnect as the browser does (their clicks in flight count as failed clicks) and go on.

The package ``bench/classroom/`` holds the pieces, each a module read bottom-up: ``servers``
(the pool, on ``deploy/local/streamlit_server.py``, the starter ``make serve`` and the browser tests
share), ``message_cache`` and ``widgets`` (what a browser keeps), ``session`` (one simulated
browser: Streamlit's websocket protocol as its frontend speaks it, checked against 1.67),
``scenarios`` (the pages and the widget keys students click), ``students`` (students and load
phases), ``stats`` (numbers and tables), ``modes`` and ``cli``.

What the numbers mean
---------------------
students, clicks
    Simulated students; clicks completed (``script_finished`` received).
p50 / p95 / max s
    Click latency: from sending the rerun to its ``script_finished``; what a student waits for
    before the page stops showing "Running" (browser rendering not included).
clk/s
    Completed clicks / wall time of the load phase (first student start to last student done).
    With think time it is capped by the students; below the bare page's it means the server could
    not keep up.
view s, view KB
    The first view (median): latency, and bytes received (websocket + images).
click KB med / max
    Bytes per click: websocket payload bytes received for that click (every message until the next
    click), plus any ``/media/...`` or ``app/static/...`` URL (in image elements or Plotly specs) the
    session had not fetched yet, fetched over HTTP once per session like a browser cache.
refs
    ``ref_hash`` messages received per click (median): elements the client had cached.
exc
    ``exception`` elements (and script compilation errors) received, all actions together.
drop, tmo
    Sessions that ended early (connection closed, or a wait over ``--timeout``); timeouts alone.
fb
    Fallbacks: the click script named a widget that the page did not draw (renamed key?), or that
    was disabled; a plain rerun was sent instead.
RSS MB
    ``VmRSS`` of the server process (and its children) before and after the load phase.
x bare
    The page's p95 / the bare page's p95, and its clk/s / the bare page's clk/s.

Below the table: the most frequent exception messages; at the end the CPU the simulated browsers
used and the load average (other work on the machine skews every number). ``-v`` prints each view
and click with a digest of the elements it received: a click that changes the view changes it.
``--query lecture=1`` starts every session in lecture mode; ``--json`` keeps every action.

``--first-visit``: per page a fresh server and one deep link: server start (process to health), time
to the first heading (``st.title``) and to ``script_finished``; reference: ``python -c "import
tensorflow"`` in the same run. ``--churn K``: sessions that open a page, click once and disconnect, in
batches of ``--churn-batch``; RSS after K and after another K. Note that Streamlit keeps a
disconnected session (and its session state) for ``server.disconnectedSessionTTL`` = 120 s, at most
128 of them, so some growth within K is expected; the check is that the second K does not add as
much again. ``--train-during``: each page's load phase is run a second time while one more session
on ``cnn_activations`` submits the "Retrain" form (``act_retrain``; 1 epoch); the table then shows
the students' p95 with (``+train``) and without it.

``--follow N``: a live session (``bench/bench_follow.py``): one lead changes the view every 10 s, N
followers that joined by ``?room=CODE`` follow; lag p50/p95/max from the change to each follower's
finished view, the server's CPU ms per follower-second between changes, dropped sessions, and a poll
round (N answers on the followers' pages, each counted once). Further flags go to it, e.g.
``--follow 60 --compare`` (also the timed-fragment route, before/after in one run) or ``--follow 120
--workers 2``; references in the same run: an empty timed fragment, a cached Convolution rerun.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.classroom.cli import main  # noqa: E402 (needs the repository root on sys.path)


def follow_main(argv: list[str]) -> int:
    """``--follow N [flags]``: the live-session scenario of ``bench/bench_follow.py``."""
    from bench import bench_follow

    index = argv.index("--follow")
    if index + 1 >= len(argv) or not argv[index + 1].isdigit():
        raise SystemExit("--follow needs a number of followers, e.g. --follow 30")
    return bench_follow.main(["--followers", argv[index + 1], *argv[:index], *argv[index + 2 :]])


if __name__ == "__main__":
    sys.exit(follow_main(sys.argv[1:]) if "--follow" in sys.argv[1:] else main())
