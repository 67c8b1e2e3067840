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

import sys
import time
from pathlib import Path

# Run as a script, the repository root is not on sys.path: put it there for the ``bench`` package.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.storages import Storage, argument_parser, measure_each, print_table, run_at_once, timed  # noqa: E402
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
    parser = argument_parser(__doc__)
    parser.add_argument("--answers", type=int, default=300, help="sessions answering (default 300)")
    args = parser.parse_args(argv)
    rows = measure_each(args.backends, lambda storage: measure(storage, args.answers))
    print_table(
        "one follower poll = RoomStore.view(code); reference = one bare key read of the same backend",
        [
            ("store", "", lambda r: r["backend"]),
            ("record B", "", lambda r: r["record_bytes"]),
            ("ref µs", ".1f", lambda r: r["reference"].wall * 1e6),
            ("view µs", ".1f", lambda r: r["view"].wall * 1e6),
            ("view/ref", ".1f", lambda r: r["view"].wall / r["reference"].wall),
            ("view CPU µs", ".1f", lambda r: r["view"].cpu * 1e6),
            ("follow µs", ".1f", lambda r: r["follow"].wall * 1e6),
            ("lead µs", ".1f", lambda r: r["lead"].wall * 1e6),
            # a poll every second and a heartbeat every 10 s
            ("CPU µs per follower-s", ".1f", lambda r: (r["view"].cpu + r["follow"].cpu / 10) * 1e6),
        ],
        rows,
    )
    print_table(
        "\npoll round: every session answers from two processes at once (each answer sent twice)",
        [
            ("store", "", lambda r: r["backend"]),
            ("sessions", "", lambda r: r["answers"]),
            ("counted", "", lambda r: r["counted_true"]),
            ("in histogram", "", lambda r: r["histogram_total"]),
            ("lost", "", lambda r: max(0, r["answers"] - r["histogram_total"])),
            ("doubled", "", lambda r: max(0, r["histogram_total"] - r["answers"])),
            ("round s", ".2f", lambda r: r["round_s"]),
        ],
        rows,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
