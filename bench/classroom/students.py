"""Students and load phases: each student opens the page, thinks and clicks through its plan; a
phase starts ``--students`` of them over ``--ramp`` seconds against one server (optionally with one
more student retraining the CNN, or a worker killed on the way) and keeps every action."""

from __future__ import annotations

import asyncio
import http.client
import random
import time
from dataclasses import dataclass, field

from websockets.exceptions import ConnectionClosed, InvalidHandshake

from bench.classroom.scenarios import BARE, TRAIN_FORM, TRAIN_PAGE, click_plan
from bench.classroom.servers import RUNNING, Server, kill_a_worker, settle
from bench.classroom.session import Action, BrowserSession


@dataclass
class StudentResult:
    """One student's session: its first view, its clicks, and how it ended."""

    view: Action | None = None
    clicks: list[Action] = field(default_factory=list)
    dropped: str = ""  # why the session ended early; "" if it did not
    failed_clicks: int = 0  # clicks whose websocket closed (a worker died): reconnected
    reconnects: int = 0
    served_by: list[str] = field(default_factory=list)  # the worker of each session (proxy)
    sticky_misses: int = 0  # media requests answered by another worker than the session's

    @property
    def actions(self) -> list[Action]:
        return ([self.view] if self.view else []) + self.clicks


@dataclass
class PhaseResult:
    """One load phase on one page: every student, the wall time, the server's memory and CPU."""

    name: str
    page: str
    students: list[StudentResult]
    wall_s: float
    rss_before: float
    rss_after: float
    trainer: dict | None = None
    cpu_s: float = 0.0  # CPU time of the server's processes during the phase
    killed: dict | None = None  # --kill-worker-at: which worker, when


async def run_student(server: Server, page: str, args, index: int, start_at: float, log) -> StudentResult:
    """Wait for this student's start, open the page, then think and click."""
    rng = random.Random(args.seed * 100_003 + index)
    plan = click_plan(page, args.clicks, rng, args.diverse)
    result = StudentResult()
    await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
    session = BrowserSession(server, page, query=args.query, timeout=args.timeout, log=log)
    try:
        await session.open()
        result.served_by.append(session.served_by)
        result.view = await session.view()
        if not result.view.ok:
            result.dropped = result.view.status
            return result
        for key, value in plan:
            await asyncio.sleep(rng.uniform(*args.think))
            action = await session.click(key, value)
            if action.status == "closed" and server.workers and result.reconnects < 3:
                # The worker went away: the browser reconnects (HAProxy redispatches its cookie to a
                # live worker) and the page comes back from its URL; the click is counted as failed.
                result.failed_clicks += 1
                result.reconnects += 1
                result.sticky_misses += session.sticky_misses
                await session.close()
                session = BrowserSession(
                    server, page, query=args.query, timeout=args.timeout, log=log, cookie=session.cookie
                )
                await session.open()
                result.served_by.append(session.served_by)
                again = await session.view()
                if not again.ok:
                    result.dropped = again.status
                    break
                action = await session.click(key, value)
            result.clicks.append(action)
            if not action.ok:
                result.dropped = action.status
                break
        await asyncio.sleep(0.2)  # trailing messages (session_status_changed) of the last click
    except (TimeoutError, OSError, http.client.HTTPException, ConnectionClosed, InvalidHandshake) as exc:
        result.dropped = type(exc).__name__
    finally:
        result.sticky_misses += session.sticky_misses
        await session.close()
    return result


class Trainer:
    """One more student, on the CNN page, who submits the Retrain form once the load is under way."""

    def __init__(self, server: Server, args, config: dict):
        self.session = BrowserSession(server, TRAIN_PAGE, timeout=max(args.timeout, 300))
        self.args, self.config = args, config
        self.result: dict = {"config": config, "form_found": False}

    async def open(self) -> bool:
        """Connect and view the page before the load starts (this also loads TensorFlow)."""
        try:
            await self.session.open()
            view = await self.session.view()
        except (TimeoutError, OSError, ConnectionClosed, InvalidHandshake) as exc:
            self.result["error"] = type(exc).__name__
            return False
        self.result["view_status"] = view.status
        return view.ok

    async def submit(self, load_started: float) -> dict:
        """Wait half the ramp, submit the form, wait for the run (training and rerun) to finish."""
        try:
            await asyncio.sleep(max(0.0, load_started + self.args.ramp / 2 - time.perf_counter()))
            action = await self.session.submit_form(
                TRAIN_FORM, self.config, timeout=max(self.args.timeout, 600)
            )
            if action is not None:
                self.result.update(
                    form_found=True,
                    status=action.status,
                    duration_s=round(action.latency, 2),
                    started_s=round(action.sent - load_started, 2),
                    exceptions=action.exceptions,
                    errors=action.errors,
                )
        except (TimeoutError, OSError, ConnectionClosed) as exc:
            self.result["error"] = type(exc).__name__
        finally:
            await self.session.close()
        return self.result


def action_logger(args, phase: str):
    if not args.verbose:
        return None

    def log(action: Action) -> None:
        print(
            f"  [{phase}] {action.kind:8} {action.label:38.38} {action.status:8} {action.latency:7.3f} s "
            f"{action.ws_bytes / 1e3:8.1f} kB  refs {action.refs:2}  "
            f"elements {len(action.element_hashes):3}  "
            f"exc {action.exceptions}  view {action.digest}",
            flush=True,
        )
        for error in action.errors[:3]:
            print(f"      exception: {error}", flush=True)

    return log


async def one_view(server: Server, page: str, args) -> Action:
    """One new session that views ``page`` once and disconnects."""
    session = BrowserSession(server, page, query=args.query, timeout=max(args.timeout, 300))
    try:
        await session.open()
        return await session.view()
    finally:
        await session.close()


async def warm_up(server: Server, page: str, args) -> Action:
    """One view of ``page``, then wait until the server is idle (its background warm-up of
    TensorFlow and the shipped models done), so the load phase measures the steady state; the
    start-up itself is what ``--first-visit`` measures."""
    action = await one_view(server, page, args)
    for other in [server, *(s for s in RUNNING if s is not server)]:
        await settle(other, timeout=max(args.timeout, 120))  # the other server's start-up too
    return action


async def load_phase(server: Server, page: str, args, *, train: dict | None = None) -> PhaseResult:
    """Warm-up view, then ``--students`` students on ``page`` at once; RSS before and after."""
    name = page + (" +train" if train else "")
    warm = await warm_up(server, page, args)
    if not warm.ok:
        print(f"  warm-up view of {page}: {warm.status}", flush=True)
    trainer = Trainer(server, args, train) if train else None
    if trainer is not None and not await trainer.open():
        print(f"  the training student could not open {TRAIN_PAGE}: {trainer.result}", flush=True)
    rss_before = server.rss_mb()
    cpu_before = server.cpu_s()
    start = time.perf_counter()
    n = args.students
    log = action_logger(args, name)
    tasks = [run_student(server, page, args, i, start + args.ramp * i / n, log) for i in range(n)]
    training = asyncio.create_task(trainer.submit(start)) if trainer else None
    killing = (
        asyncio.create_task(kill_a_worker(server, start + args.kill_worker_at))
        if args.kill_worker_at is not None and server.workers > 1 and page != BARE
        else None
    )
    students = await asyncio.gather(*tasks)
    wall = time.perf_counter() - start
    cpu = server.cpu_s() - cpu_before
    trainer_result = await training if training else None
    if trainer_result is not None:
        trainer_result["load_wall_s"] = round(wall, 2)
    killed = await killing if killing else None
    return PhaseResult(
        name,
        page,
        list(students),
        wall,
        rss_before,
        server.rss_mb(),
        trainer_result,
        cpu_s=cpu,
        killed=killed,
    )
