"""The benchmark's three modes: the lecture (bare page, then each page, one load phase at a time),
churn (short sessions, memory growth) and first visit (a fresh server per page, a deep link)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from bench.classroom.scenarios import APP, BARE, BARE_ENV, BARE_SCRIPT, TRAIN_CONFIGS
from bench.classroom.servers import ROOT, ServerPool, wait_healthy
from bench.classroom.stats import columns, fmt, percentile, print_load_report, print_table, summarize
from bench.classroom.students import StudentResult, load_phase, one_view, run_student, warm_up

CHURN_COLUMNS = columns(
    "server",
    "pages",
    "sessions",
    "p50_s",
    "rss0",
    "rss1",
    "rss2",
    "growth1",
    "growth2",
    "per_session_kb",
    "exceptions",
    "dropped",
    "fallbacks",
)
FIRST_VISIT_COLUMNS = columns(
    "page",
    "server_start_s",
    "heading_s",
    "finished_s",
    "tf_ratio",
    "status",
    "runs",
    "view_kb",
    "exceptions",
    "rss_mb",
)


async def classroom(pool: ServerPool, args) -> dict:
    """The default mode: bare page, then each page, one load phase at a time."""
    bare = pool.start(BARE, BARE_SCRIPT, env=BARE_ENV)
    app = pool.start("app", APP) if args.pages else None
    await asyncio.gather(*[wait_healthy(s, args.timeout) for s in (bare, app) if s])
    print(
        f"servers up: bare page {bare.base} ({bare.ready_s:.1f} s)"
        + (f", app {app.base} ({app.ready_s:.1f} s)" if app else ""),
        flush=True,
    )
    phases = []
    for page in [BARE, *args.pages]:
        server = bare if page == BARE else app
        runs = [None]
        if args.train_during and page != BARE:
            runs.append(TRAIN_CONFIGS[len(phases) % len(TRAIN_CONFIGS)])  # a new config: it really trains
        for train in runs:
            print(f"load phase: {page}{' +train' if train else ''} ...", flush=True)
            phase = await load_phase(server, page, args, train=train)
            phases.append(phase)
            s = summarize(phase)
            print(
                f"  {s['clicks']} clicks in {phase.wall_s:.1f} s, p95 {fmt(s['p95_s'], '.2f')} s, "
                f"RSS {phase.rss_after:.0f} MB",
                flush=True,
            )
    summaries = [summarize(p) for p in phases]
    print_load_report(summaries, args)
    return {
        "load": summaries,
        "actions": {p.name: [[a.record() for a in s.actions] for s in p.students] for p in phases},
    }


async def churn(pool: ServerPool, args) -> dict:
    """Sessions that open a page, click once and leave, in small batches; RSS after K and 2K."""
    bare = pool.start(BARE, BARE_SCRIPT, env=BARE_ENV)
    app = pool.start("app", APP)
    await asyncio.gather(wait_healthy(bare, args.timeout), wait_healthy(app, args.timeout))
    rows = []
    churn_args = argparse.Namespace(**{**vars(args), "clicks": 1, "think": (0.0, 0.0)})
    for server, pages in ((bare, [BARE]), (app, args.pages)):
        for page in pages:
            await warm_up(server, page, args)
        row = {"server": server.name, "pages": " ".join(pages), "rss0": server.rss_mb()}
        results: list[StudentResult] = []
        for half in (1, 2):
            first_session, last_session = len(results) + 1, len(results) + args.churn
            print(f"churn: {server.name}, sessions {first_session}-{last_session} ...", flush=True)
            for first in range(0, args.churn, args.churn_batch):
                batch = range(len(results), len(results) + min(args.churn_batch, args.churn - first))
                results += await asyncio.gather(
                    *[run_student(server, pages[i % len(pages)], churn_args, i, 0.0, None) for i in batch]
                )
            await asyncio.sleep(args.churn_settle)
            row[f"rss{half}"] = server.rss_mb()
        actions = [a for r in results for a in r.actions if a.ok]
        row.update(
            sessions=len(results),
            dropped=sum(1 for r in results if r.dropped),
            exceptions=sum(a.exceptions for r in results for a in r.actions),
            fallbacks=sum(1 for r in results for a in r.actions if a.kind == "fallback"),
            p50_s=percentile([a.latency for a in actions], 50),
            growth1=row["rss1"] - row["rss0"],
            growth2=row["rss2"] - row["rss1"],
            per_session_kb=(row["rss2"] - row["rss1"]) * 1024 / args.churn,
        )
        rows.append(row)
    print(
        f"\nChurn: 2 x {args.churn} sessions per server (view + 1 click + disconnect, batches of "
        f"{args.churn_batch}), RSS {args.churn_settle:g} s after each K"
    )
    print_table(rows, CHURN_COLUMNS)
    print("  (disconnected sessions are kept for server.disconnectedSessionTTL = 120 s, at most 128)")
    return {"churn": rows}


async def first_visit(pool: ServerPool, args) -> dict:
    """Per page a fresh app server and one deep-link visit; reference: importing TensorFlow."""
    started = time.perf_counter()
    quiet = asyncio.subprocess.DEVNULL
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import tensorflow", cwd=ROOT, stdout=quiet, stderr=quiet
    )
    await asyncio.wait_for(proc.wait(), args.timeout)
    tf_s = time.perf_counter() - started
    rows = []
    for page in args.pages:
        print(f"first visit: {page} on a fresh server ...", flush=True)
        server = pool.start(f"app-{page}", APP)
        await wait_healthy(server, args.timeout)
        view = await one_view(server, page, args)
        rows.append(
            {
                "page": page,
                "server_start_s": server.ready_s,
                "heading_s": None if view.first_heading is None else view.first_heading - view.sent,
                "finished_s": view.latency if view.ok else None,
                "status": view.status,
                "view_kb": view.total_bytes / 1e3,
                "runs": view.runs,
                "exceptions": view.exceptions,
                "rss_mb": server.rss_mb(),
                "tf_ratio": view.latency / tf_s if view.ok else None,
            }
        )
        pool.stop(server)
    print(
        f"\nFirst visit (fresh server per page, deep link); reference: python -c 'import tensorflow' "
        f"= {tf_s:.2f} s"
    )
    print_table(rows, FIRST_VISIT_COLUMNS)
    return {"first_visit": rows, "import_tensorflow_s": tf_s}
