"""A live session's followers over Streamlit's protocol: how fast a lecturer's change reaches them, what
following costs the server between changes, and a poll round (``bench_classroom.py --follow N``).

One server (``streamlit run app.py``, or ``--workers W`` behind ``make serve``'s HAProxy) and N simulated
followers (:class:`bench.classroom.follow.Follower`) that joined with ``/?room=CODE``. The lead changes
the view every ``--every`` seconds through the room store, as the lecturer's session does
(``RoomStore.lead``): page changes (Convolution <-> Pooling) and control changes (the stride). Then
the lead asks a numeric question and every follower answers it on its page (the number field and
"Send my answer", the page's own ``RoomStore.answer``); the store's histogram must count each once.

Each server run is one *route*: ``route`` (the browser waits on the version route,
``core/adapters/live_poll.py``) and, with ``--compare``, ``timed`` first (the same app with
``NEURAL_EXPLAINER_LIVE_ROUTE=0``: a ``st.fragment(run_every=1 s)`` check, the route before). References
in the same run: the same number of tabs on ``bench/bare_follow_page.py`` (an empty fragment rerun
every second: Streamlit's own cost of a timed check), and one cached Convolution view rerun.

Reported per route: the lag from the change to each follower's finished run showing the new
parameters in its link (p50 / p95 / max), followers that never arrived, dropped sessions (closed or
failed runs), the server's CPU per follower-second between changes (a ``--quiet`` phase after every
follower arrived on the first view, heartbeats included, less the idle server's), the poll round
(answers sent within 10 s, counted, lost or doubled against those sent, seconds for all), and the
load average before and after.

Usage: ``python bench/bench_follow.py [--followers 30] [--changes 6] [--every 10] [--workers 0]
[--compare]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

# Run as a script, the repository root is not on sys.path: put it there for the ``bench`` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.classroom.follow import Follower
from bench.classroom.scenarios import BARE
from bench.classroom.servers import ServerPool, settle, wait_healthy
from bench.classroom.session import BrowserSession
from bench.classroom.stats import percentile

ROUTE_ENV = "NEURAL_EXPLAINER_LIVE_ROUTE"  # core.adapters.live_poll.ROUTE_ENV (no app import here)
#: The lead's views, in turn: (page, params); a follower has arrived when its link shows the params.
CHANGES = (
    [("convolution", {"stride": str(s)}) for s in (2, 3)]
    + [("pooling", {"mode": "numbers"})]
    + [("convolution", {"stride": str(s)}) for s in (4, 1)]
    + [("convolution", {"stride": "1", "padding": "same"})]
)
ANSWER_WITHIN_S = 10.0


def load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


async def reference_rerun(server, runs: int = 10) -> float:
    """Server CPU seconds of one cached Convolution view rerun (a session of its own)."""
    session = BrowserSession(server, "convolution")
    for attempt in range(30):  # through HAProxy: 503 until it has seen a worker healthy twice
        try:
            await session.open()
            break
        except OSError:  # urllib's HTTPError among them
            if attempt == 29:
                raise
            await asyncio.sleep(2)
    await session.view()
    await settle(server, timeout=240, quiet=0.03, window=2.0)  # after the app's warm-up
    await session.view()
    before = server.cpu_s()
    for _ in range(runs):
        await session.view()
    cost = (server.cpu_s() - before) / runs
    await session.close()
    return cost


async def idle_cpu_per_s(server, seconds: float = 4.0) -> float:
    """The server's CPU seconds per second with no session running anything."""
    before, start = server.cpu_s(), time.perf_counter()
    await asyncio.sleep(seconds)
    return (server.cpu_s() - before) / (time.perf_counter() - start)


async def bare_ticks(pool: ServerPool, sessions: int, seconds: float) -> dict:
    """Server CPU ms per session-second of ``bench/bare_follow_page.py``'s empty timed fragment."""
    server = pool.start("bare", "bench/bare_follow_page.py")
    await wait_healthy(server, 120)
    await settle(server, timeout=30)
    idle = await idle_cpu_per_s(server)
    tabs = [Follower(server, BARE) for _ in range(sessions)]
    for tab in tabs:
        await tab.open()
    await asyncio.gather(*(tab.view() for tab in tabs))
    stop = asyncio.Event()
    tasks = [asyncio.create_task(tab.follow(stop, [])) for tab in tabs]
    await asyncio.sleep(2)
    load_before, before, start = load(), server.cpu_s(), time.perf_counter()
    await asyncio.sleep(seconds)
    cost = ((server.cpu_s() - before) / (time.perf_counter() - start) - idle) / sessions
    if set(tabs[0].statuses) != {"fragment"}:
        print(f"the bare page's ticks were not fragment runs: {tabs[0].statuses}", file=sys.stderr)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    for tab in tabs:
        await tab.close()
    pool.stop(server)
    return {
        "route": "bare",
        "cpu_ms_per_follower_s": 1000 * cost,
        "load_before": load_before,
        "load_after": load(),
    }


async def poll_round(store, room, followers: list[Follower]) -> dict:
    """The lead asks; every follower answers ``i % 5`` on its page; the store's histogram is checked."""
    from core.data.room_questions import Question

    qid = store.ask(room.code, room.pin, Question(prompt="Bench: pick 0 to 4"), session_id="bench-lead")
    start = time.perf_counter()
    sent = await asyncio.gather(*(f.answer(qid, i % 5, ANSWER_WITHIN_S) for i, f in enumerate(followers)))
    seconds = time.perf_counter() - start
    histogram = store.histogram(room.code, qid)
    expected = Counter(str(i % 5) for i, ok in enumerate(sent) if ok)  # the answers the pages sent
    counted = dict(zip(histogram.labels, histogram.counts, strict=True))
    wrong = sum(abs(counted.get(label, 0) - expected.get(label, 0)) for label in set(counted) | set(expected))
    return {
        "answers_sent": sum(sent),
        "answers_counted": histogram.total,
        "answers_lost_or_doubled": wrong,  # counted against sent, value by value
        "answers_not_sent_in_10s": len(followers) - sum(sent),
        "answer_round_s": seconds,
    }


async def follow_route(args, pool: ServerPool, store, route: str) -> dict:
    """One server run: followers on ``route`` ("route" or "timed"), the changes, the poll round."""
    os.environ[ROUTE_ENV] = "0" if route == "timed" else "1"
    server = pool.start(f"follow-{route}", "app.py")
    await wait_healthy(server, 180)
    view_cpu = await reference_rerun(server)  # its first run starts the warm-up (TensorFlow, models)
    await settle(server, timeout=240, quiet=0.03, window=2.0)  # the warm-up thread has finished
    idle = await idle_cpu_per_s(server)

    room = store.open_room()
    store.lead(
        room.code, room.pin, {"page": "convolution", "params": {"stride": "1"}}, session_id="bench-lead"
    )
    followers = [
        Follower(server, "home", query=f"room={room.code}", code=room.code) for _ in range(args.followers)
    ]
    for f in followers:
        await f.open()
    await asyncio.gather(*(f.view() for f in followers))
    stop, changes = asyncio.Event(), []
    tasks = [asyncio.create_task(f.follow(stop, changes)) for f in followers]
    deadline = time.perf_counter() + 90
    while time.perf_counter() < deadline and not all(f.shows({"stride": "1"}) for f in followers):
        await asyncio.sleep(0.2)  # every follower on the first view
    await asyncio.sleep(3)
    load_before = load()
    # between changes: a quiet phase of its own (heartbeats included), then the changes
    runs = sum(sum(f.statuses.values()) for f in followers)
    before, start = server.cpu_s(), time.perf_counter()
    await asyncio.sleep(args.quiet)
    quiet_s = time.perf_counter() - start
    runs = sum(sum(f.statuses.values()) for f in followers) - runs
    per_follower_ms = 1000 * ((server.cpu_s() - before) / quiet_s - idle) / args.followers

    lags, missing, worst = [], 0, []
    for index in range(args.changes):
        page, params = CHANGES[index % len(CHANGES)]
        sent = time.perf_counter()
        store.lead(room.code, room.pin, {"page": page, "params": params}, session_id="bench-lead")
        changes.append((index, sent, params))
        deadline = sent + args.every
        while time.perf_counter() < deadline and not all(index in f.arrived for f in followers):
            await asyncio.sleep(0.1)
        arrived = [f.arrived[index] - sent for f in followers if index in f.arrived]
        lags += arrived
        worst.append(f"{max(arrived, default=float('nan')):.1f}")
        missing += len(followers) - len(arrived)
        await asyncio.sleep(max(0.0, deadline - time.perf_counter()))
    load_after = load()
    answers = await poll_round(store, room, followers)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    dropped = sum(f.closed or f.failed > 0 for f in followers)
    routes = Counter("route" if f.watching else "timed" if f.auto else "none" for f in followers)
    for f in followers:
        await f.close()
    pool.stop(server)
    return {
        "route": route,
        "followers_on": dict(routes),
        "lag_p50_s": percentile(lags, 50),
        "lag_p95_s": percentile(lags, 95),
        "lag_max_s": max(lags, default=float("nan")),
        "lag_max_by_change": "/".join(worst),
        "never_arrived": missing,
        "dropped": dropped,
        "quiet_s": quiet_s,
        "quiet_runs_per_follower_s": runs / quiet_s / args.followers,
        "cpu_ms_per_follower_s": per_follower_ms,
        "idle_server_cpu_ms_per_s": 1000 * idle,
        "convolution_rerun_cpu_ms": 1000 * view_cpu,
        "poll_errors": sum(f.poll_errors for f in followers),
        **answers,
        "load_before": load_before,
        "load_after": load_after,
    }


async def run(args, pool: ServerPool, store) -> list[dict]:
    rows = [await bare_ticks(pool, args.followers, args.every)]
    for route in ("route", "timed") if args.compare else ("route",):
        rows.append(await follow_route(args, pool, store, route))
    bare = rows[0]["cpu_ms_per_follower_s"]
    for row in rows[1:]:
        row["cpu_vs_bare_tick"] = row["cpu_ms_per_follower_s"] / bare if bare > 0 else float("nan")
    return rows


def print_rows(args, rows: list[dict]) -> None:
    print(
        f"followers {args.followers}, workers {args.workers or 1}, "
        f"changes {args.changes} every {args.every} s"
    )
    keys = list(dict.fromkeys(k for row in rows for k in row))
    width = max(map(len, keys))
    for key in keys:
        cells = [row.get(key, "") for row in rows]
        print(
            f"{key:<{width}}  "
            + "  ".join(f"{c:>12.3f}" if isinstance(c, float) else f"{c!s:>12}" for c in cells)
        )


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followers", type=int, default=30)
    parser.add_argument("--changes", type=int, default=6)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between the lead's changes")
    parser.add_argument("--quiet", type=float, default=20.0, help="seconds of the between-changes phase")
    parser.add_argument("--workers", type=int, default=0, help="> 0: make serve's workers behind HAProxy")
    parser.add_argument("--compare", action="store_true", help="also the timed fragment (the route before)")
    parser.add_argument("--port-base", type=int, default=8650)
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_follow_") as folder:
        os.environ["NEURAL_EXPLAINER_QUEUE_URL"] = f"sqlite:///{folder}/queue.sqlite"  # the servers' and ours
        from core.data.rooms import open_rooms

        store = open_rooms()
        with ServerPool(args.port_base, Path(folder), workers=args.workers) as pool:
            rows = asyncio.run(run(args, pool, store))
    print_rows(args, rows)
    bad = any(
        r.get("dropped")
        or r.get("never_arrived")
        or r.get("answers_lost_or_doubled")
        or r.get("answers_not_sent_in_10s")
        for r in rows
    )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
