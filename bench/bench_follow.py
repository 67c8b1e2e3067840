"""A live session's followers over Streamlit's protocol: how fast a lecturer's change reaches them, and
what following costs the server between changes.

One server (``streamlit run app.py``, or ``--workers W`` behind ``make serve``'s HAProxy) and N simulated
followers (:class:`bench.classroom.session.BrowserSession`) that joined with ``/?room=CODE``. Each
follower answers the server's ``auto_rerun`` (the follower's ``st.fragment(run_every=1 s)``) as a browser
does: a ``rerun_script`` of that fragment every interval after the last one finished. The lead changes
the view every ``--every`` seconds through the room store, as the lecturer's session does
(``RoomStore.lead``): page changes (Convolution <-> Pooling) and control changes (the stride).

Reported: the lag from the change to each follower's finished run showing the new parameters in its
link (p50 / p95 / max), followers that never arrived, dropped sessions (closed or failed runs), and the
server's CPU per follower-second in the quiet part of each interval (after every follower arrived,
less the idle server's), against references measured in the same run: the same number of tabs on
``bench/bare_follow_page.py`` (an empty fragment rerun every second: Streamlit's own cost), and one
cached Convolution view rerun.

Usage: ``python bench/bench_follow.py [--followers 30] [--changes 6] [--every 10] [--workers 0]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs

# Run as a script, the repository root is not on sys.path: put it there for the ``bench`` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.classroom.scenarios import BARE
from bench.classroom.servers import ServerPool, settle, wait_healthy
from bench.classroom.session import BrowserSession

#: The lead's views, in turn: (page, params); a follower has arrived when its link shows the params.
CHANGES = (
    [("convolution", {"stride": str(s)}) for s in (2, 3)]
    + [("pooling", {"mode": "numbers"})]
    + [("convolution", {"stride": str(s)}) for s in (4, 1)]
    + [("convolution", {"stride": "1", "padding": "same"})]
)


class Follower(BrowserSession):
    """A tab that joined a room: it reruns the server's timed fragment as the browser's timer does."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto: tuple[float, str] | None = None
        self.arrived: dict[int, float] = {}
        self.failed = 0
        self.statuses: dict[str, int] = {}

    def _on_message(self, raw: bytes, now: float) -> None:
        super()._on_message(raw, now)
        msg = ForwardMsg.FromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "auto_rerun":
            self.auto = (msg.auto_rerun.interval, msg.auto_rerun.fragment_id)
        elif kind == "stop_auto_rerun":
            self.auto = None

    def shows(self, params: dict) -> bool:
        query = {k: v[-1] for k, v in parse_qs(self.query).items()}
        return all(query.get(k) == v for k, v in params.items())

    async def follow(self, stop: asyncio.Event, changes: list) -> None:
        while not stop.is_set() and not self.closed:
            if self.auto is None:
                await asyncio.sleep(0.2)
                continue
            await asyncio.sleep(self.auto[0])
            action = await self.rerun("tick", "tick", fragment_id=self.auto[1])
            self.failed += not action.ok
            self.statuses[action.status] = self.statuses.get(action.status, 0) + 1
            if changes and action.ok:
                index, _, params = changes[-1]
                if index not in self.arrived and self.shows(params):
                    self.arrived[index] = action.done


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))] if values else float("nan")


async def reference_rerun(server, runs: int = 10) -> float:
    """Server CPU seconds of one cached Convolution view rerun (a session of its own)."""
    session = BrowserSession(server, "convolution")
    await session.open()
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


async def bare_ticks(pool: ServerPool, sessions: int, seconds: float) -> float:
    """Server CPU seconds per session-second of ``bench/bare_follow_page.py``'s empty timed fragment."""
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
    before, start = server.cpu_s(), time.perf_counter()
    await asyncio.sleep(seconds)
    cost = ((server.cpu_s() - before) / (time.perf_counter() - start) - idle) / sessions
    if set(tabs[0].statuses) != {"fragment"}:
        print(f"the bare page's ticks were not fragment runs: {tabs[0].statuses}", file=sys.stderr)
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    for tab in tabs:
        await tab.close()
    pool.stop(server)
    return cost


async def run(args, pool: ServerPool, store) -> dict:
    bare_cpu = await bare_ticks(pool, args.followers, args.every)
    server = pool.start("follow", "app.py")
    await wait_healthy(server, 180)
    await settle(server, timeout=30)
    idle = await idle_cpu_per_s(server)
    view_cpu = await reference_rerun(server)

    room = store.open_room()
    store.lead(
        room.code, room.pin, {"page": "convolution", "params": {"stride": "1"}}, session_id="bench-lead"
    )
    followers = [Follower(server, "home", query=f"room={room.code}") for _ in range(args.followers)]
    for f in followers:
        await f.open()
    await asyncio.gather(*(f.view() for f in followers))
    stop, changes = asyncio.Event(), []
    tasks = [asyncio.create_task(f.follow(stop, changes)) for f in followers]
    await asyncio.sleep(args.every)  # every follower on the first view

    lags, missing, quiet = [], 0, []
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
        missing += len(followers) - len(arrived)
        start, cpu = time.perf_counter(), server.cpu_s()
        if deadline - start > 1.0:  # the quiet part: everyone is there
            await asyncio.sleep(deadline - start)
            quiet.append((server.cpu_s() - cpu, time.perf_counter() - start))
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    dropped = sum(f.closed or f.failed > 0 for f in followers)
    for f in followers:
        await f.close()
    cpu_s, seconds = sum(c for c, _ in quiet), sum(s for _, s in quiet)
    per_follower_ms = 1000 * (cpu_s / seconds - idle) / args.followers if seconds else float("nan")
    return {
        "followers": args.followers,
        "changes": args.changes,
        "lag_p50_s": percentile(lags, 0.5),
        "lag_p95_s": percentile(lags, 0.95),
        "lag_max_s": max(lags, default=float("nan")),
        "never_arrived": missing,
        "dropped": dropped,
        "quiet_s": seconds,
        "cpu_ms_per_follower_s": per_follower_ms,
        "idle_server_cpu_ms_per_s": 1000 * idle,
        "bare_tick_cpu_ms_per_session_s": 1000 * bare_cpu,
        "follower_vs_bare_tick": per_follower_ms / (1000 * bare_cpu) if bare_cpu else float("nan"),
        "convolution_rerun_cpu_ms": 1000 * view_cpu,
        "follower_s_per_rerun": (view_cpu * 1000 / per_follower_ms) if per_follower_ms > 0 else float("nan"),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followers", type=int, default=30)
    parser.add_argument("--changes", type=int, default=6)
    parser.add_argument("--every", type=float, default=10.0, help="seconds between the lead's changes")
    parser.add_argument("--workers", type=int, default=0, help="> 0: make serve's workers behind HAProxy")
    parser.add_argument("--port-base", type=int, default=8650)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench_follow_") as folder:
        os.environ["NEURAL_EXPLAINER_QUEUE_URL"] = f"sqlite:///{folder}/queue.sqlite"  # the servers' and ours
        from core.data.rooms import open_rooms

        store = open_rooms()
        with ServerPool(args.port_base, Path(folder), workers=args.workers) as pool:
            result = asyncio.run(run(args, pool, store))
    width = max(map(len, result))
    for key, value in result.items():
        print(f"{key:<{width}}  {value:.3f}" if isinstance(value, float) else f"{key:<{width}}  {value}")
    return 0 if result["dropped"] == 0 and result["never_arrived"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
