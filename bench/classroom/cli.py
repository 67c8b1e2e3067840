"""Lecture-hall load benchmark: N students use the running app at once over Streamlit's websocket.

The command line of ``bench/bench_classroom.py`` (its docstring says what every flag and number
means): parse the flags, start the servers, run the mode, print the tables, stop every server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from bench.classroom.modes import churn, classroom, first_visit
from bench.classroom.scenarios import CLICK_SCRIPTS, DEFAULT_PAGES, TRAIN_FORM
from bench.classroom.servers import ServerPool


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--students", type=int, default=30, help="simulated students (default 30)")
    parser.add_argument("--clicks", type=int, default=5, help="clicks per student (default 5)")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(2.0, 6.0),
        metavar=("A", "B"),
        help="think time before each click, uniform in [A, B] s (default 2 6)",
    )
    parser.add_argument(
        "--ramp", type=float, default=5.0, help="seconds over which sessions start (default 5)"
    )
    parser.add_argument(
        "--pages",
        nargs="*",
        default=DEFAULT_PAGES,
        help=f"url paths, 'home' for the home page; none: the bare page only "
        f"(default {' '.join(DEFAULT_PAGES)})",
    )
    parser.add_argument(
        "--diverse", action="store_true", help="each click is a random entry of the page's script"
    )
    parser.add_argument(
        "--single",
        action="store_true",
        help="1 student, 10 clicks, think 0.5 s, no ramp: server time per click",
    )
    parser.add_argument(
        "--churn", type=int, metavar="K", help="instead of the load: 2 x K short sessions, RSS growth"
    )
    parser.add_argument("--churn-batch", type=int, default=4, help="parallel sessions in --churn (default 4)")
    parser.add_argument("--churn-settle", type=float, default=3.0, help="wait before each RSS of --churn (s)")
    parser.add_argument(
        "--first-visit",
        action="store_true",
        help="instead of the load: a fresh server per page, one deep-link visit",
    )
    parser.add_argument(
        "--train-during",
        action="store_true",
        help=f"repeat each load phase while a student submits the {TRAIN_FORM} form",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="serve each script with deploy/local/serve.py: N workers behind HAProxy "
        "(default: one plain streamlit process)",
    )
    parser.add_argument(
        "--kill-worker-at",
        type=float,
        default=None,
        metavar="S",
        help="with --workers >= 2: SIGKILL a web worker S seconds into each app load phase",
    )
    parser.add_argument("--query", default="", help="query string of the first view, e.g. lecture=1")
    parser.add_argument("--port-base", type=int, default=8700, help="first port to try (default 8700)")
    parser.add_argument(
        "--timeout", type=float, default=120.0, help="limit of every single wait, s (default 120)"
    )
    parser.add_argument(
        "--max-minutes", type=float, default=60.0, help="the whole run stops after this (default 60)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed of think times and --diverse")
    parser.add_argument("--json", metavar="PATH", help="also write the results (and every action) here")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every view and click")
    args = parser.parse_args(argv)
    if args.single:
        args.students, args.clicks, args.think, args.ramp = 1, 10, (0.5, 0.5), 0.0
    unknown = [p for p in args.pages if p not in CLICK_SCRIPTS]
    if unknown:
        print(f"note: no click script for {unknown}: their clicks are plain reruns (counted as fallbacks)")
    if args.think[0] > args.think[1] or args.students < 1 or args.clicks < 0:
        parser.error("need --think A <= B, --students >= 1, --clicks >= 0")
    return args


async def run(args, pool: ServerPool) -> dict:
    """The mode the flags ask for; its results (what ``--json`` writes)."""
    if args.first_visit:
        return await first_visit(pool, args)
    if args.churn:
        return await churn(pool, args)
    return await classroom(pool, args)


def _interrupt(*_) -> None:
    raise KeyboardInterrupt  # SIGTERM: stop the servers like Ctrl-C does


def main(argv=None) -> int:
    """Run the benchmark; 0, or 1 on a server error, 2 past ``--max-minutes``, 130 interrupted."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="bench_classroom-"))
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    try:
        with ServerPool(args.port_base, workdir, workers=args.workers) as pool:
            try:
                results = asyncio.run(asyncio.wait_for(run(args, pool), args.max_minutes * 60))
            except TimeoutError:
                print(f"stopped: the run exceeded --max-minutes {args.max_minutes:g}", file=sys.stderr)
                return 2
            except RuntimeError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
    except KeyboardInterrupt:
        print("interrupted: servers stopped", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    machine = {
        "cpus": os.cpu_count(),
        "loadavg_start": load_before,
        "loadavg_end": os.getloadavg()[0],
        "client_cpu_s": usage.ru_utime + usage.ru_stime,
        "total_s": time.perf_counter() - started,
    }
    print(
        f"\ntotal {machine['total_s']:.0f} s; the simulated browsers used "
        f"{machine['client_cpu_s']:.0f} s of CPU "
        f"(this process); {machine['cpus']} CPUs, 1-min load average {load_before:.1f} at the start, "
        f"{machine['loadavg_end']:.1f} at the end (above 0 before the start: other work shares the CPUs)"
    )
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(
            json.dumps({"args": vars(args), "machine": machine, **results}, indent=1, default=str)
        )
        print(f"results written to {args.json}")
    return 0
