"""The live session's store: the cost of one follower poll, and a poll round of answers counted once.

A follower's page reruns a tiny check every second (``st.fragment(run_every=1)``): one
``RoomStore.view(code)``, a read of one small JSON record. It is timed (wall and this process's CPU)
on SQLite and on a real ``redis-server``, against a reference measured in the same run: one bare key
read of the same backend (``backend.get`` of a 16-byte value). Also timed: a follower's heartbeat
(``follow``, every few seconds) and the lecturer's ``lead`` (the PIN already checked once in this
process). The CPU per follower-second is the poll's CPU plus a heartbeat every 10 s.

The poll round: ``--answers`` sessions (default 300) answer one question from two processes at once,
every session in both (a worker that receives the same answer twice), all within 10 s: the histogram
must count each session exactly once (0 lost, 0 doubled).

Usage: ``python bench/bench_rooms.py [--answers 300] [--backends sqlite redis]`` (Redis needs Debian's
``redis-server``; it is started on a free loopback port and stopped after).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# Run as a script, the repository root is not on sys.path: put it there for the ``bench`` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.storages import Storage, add_kinds_option, measure_each, run_at_once, timed  # noqa: E402
from core.data import rooms as R  # noqa: E402
from core.data.room_questions import Question  # noqa: E402

LECTURER = "lecturer-session"


def answer_all(url: str, code: str, qid: str, n: int, start, results) -> None:
    """One worker process: its own store; sessions 0..n-1 each answer once, as fast as it can."""
    store = R.open_rooms(url)
    start.wait()
    t0 = time.perf_counter()
    counted = sum(store.answer(code, qid, f"student-{i}", float(i % 9)) for i in range(n))
    results.put((counted, time.perf_counter() - t0))


def measure(storage: Storage, n_answers: int) -> dict:
    url = storage.url()
    store = R.open_rooms(url)
    room = store.open_room()
    params = {f"param_{i}": str(i) for i in range(12)} | {
        "kernel": "sobel_x",
        "stride": "2",
        "padding": "same",
    }
    store.lead(
        room.code,
        room.pin,
        {
            "page": "convolution",
            "params": params,
            "payload": b"\x89PNG" + bytes(60_000),
            "payload_kind": "image/png",
        },
        session_id=LECTURER,
    )
    qid = store.ask(room.code, room.pin, Question("Output width?", answer=14), session_id=LECTURER)
    store.backend.put("bench:reference", b"0123456789abcdef", 600)
    row = {"record_bytes": len(store.backend.get(f"room:{room.code}:view"))}
    row["reference"] = timed(lambda: store.backend.get("bench:reference"), 2000)
    row["view"] = timed(lambda: store.view(room.code), 2000)
    row["follow"] = timed(lambda: store.follow(room.code, "follower-1"), 500)
    flip = iter(range(10**9))
    row["lead"] = timed(
        lambda: store.lead(
            room.code,
            room.pin,
            {"page": "convolution", "params": params | {"stride": str(next(flip) % 3 + 1)}},
            session_id=LECTURER,
        ),
        200,
    )
    done = run_at_once(answer_all, (url, room.code, qid, n_answers))
    hist = store.histogram(room.code, qid)
    row |= {
        "answers": n_answers,
        "counted_true": sum(c for c, _ in done),
        "histogram_total": hist.total,
        "round_s": max(s for _, s in done),
    }
    return row


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--answers", type=int, default=300, help="sessions answering (default 300)")
    add_kinds_option(parser)
    args = parser.parse_args(argv)
    rows = measure_each(args.backends, lambda storage: measure(storage, args.answers))
    print("one follower poll = RoomStore.view(code); reference = one bare key read of the same backend")
    print(
        f"{'store':7} {'record B':>8} {'ref µs':>7} {'view µs':>8} {'view/ref':>9} {'view CPU µs':>12} "
        f"{'follow µs':>10} {'lead µs':>8} {'CPU µs per follower-s':>22}"
    )
    for r in rows:
        view, follow, reference = r["view"], r["follow"], r["reference"]
        per_s = view.cpu + follow.cpu / 10
        print(
            f"{r['backend']:7} {r['record_bytes']:>8} {reference.wall * 1e6:>7.1f} "
            f"{view.wall * 1e6:>8.1f} {view.wall / reference.wall:>9.1f} "
            f"{view.cpu * 1e6:>12.1f} {follow.wall * 1e6:>10.1f} "
            f"{r['lead'].wall * 1e6:>8.1f} {per_s * 1e6:>22.1f}"
        )
    print("\npoll round: every session answers from two processes at once (each answer sent twice)")
    print(
        f"{'store':7} {'sessions':>8} {'counted':>8} {'in histogram':>13} {'lost':>5} {'doubled':>8} "
        f"{'round s':>8}"
    )
    for r in rows:
        total = r["histogram_total"]
        print(
            f"{r['backend']:7} {r['answers']:>8} {r['counted_true']:>8} {total:>13} "
            f"{max(0, r['answers'] - total):>5} {max(0, total - r['answers']):>8} {r['round_s']:>8.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
