"""The benchmark's servers: a pool that starts ``streamlit run`` (or ``make serve``'s supervisor) on
free ports with ``deploy/local/streamlit_server.py``, the project's one starter, waits for them,
measures their memory and CPU, and stops every one of them at the end."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from deploy.local import streamlit_server

ROOT = streamlit_server.ROOT
SERVE = ROOT / "deploy" / "local" / "serve.py"
CACHE_ENV_VAR = "NEURAL_EXPLAINER_CACHE"  # core.training.store.CACHE_ENV_VAR (not imported: keras)


@dataclass
class Server:
    """One ``streamlit run`` subprocess on 127.0.0.1 (or ``serve.py`` with ``workers`` behind HAProxy)."""

    name: str
    script: str
    port: int
    proc: subprocess.Popen
    log: Path
    started: float
    ready_s: float = 0.0
    workers: int = 0  # > 0: deploy/local/serve.py, this many workers behind HAProxy
    run_dir: Path | None = None

    def worker_pids(self) -> dict[str, int]:
        """The web workers' process ids by HAProxy server name (``w1`` ...), from serve.json."""
        try:
            state = json.loads((self.run_dir / "serve.json").read_text())
        except (OSError, ValueError, TypeError):
            return {}
        return {name: w["pid"] for name, w in state["workers"].items()}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss_mb(self) -> float:
        """VmRSS of the server and all its descendants, MB."""
        return sum(_vm_rss_kb(pid) for pid in process_tree(self.proc.pid)) / 1024

    def cpu_s(self) -> float:
        """User + system CPU time of the server and all its descendants so far, seconds."""
        return sum(_cpu_seconds(pid) for pid in process_tree(self.proc.pid))

    def log_tail(self, lines: int = 30) -> str:
        return streamlit_server.log_tail(self.log, lines)


def _vm_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (``/proc/<pid>/stat``), seconds; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


def process_tree(root: int) -> list[int]:
    """``root`` and every process descended from it (``/proc``), parents first."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


#: Every server of this run (the load phases wait until all of them are idle).
RUNNING: list[Server] = []


class ServerPool:
    """Starts servers on free ports and stops every one of them on exit (context manager)."""

    def __init__(self, port_base: int, workdir: Path, workers: int = 0):
        self.next_port = port_base
        self.workers = workers
        self.workdir = workdir
        self.servers: list[Server] = []

    def __enter__(self) -> ServerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.stop(*self.servers)

    def start(self, name: str, script: str, env: dict[str, str] | None = None) -> Server:
        """Start ``script`` (relative to the repository root) with an empty model cache of its own;
        ``env``: more environment variables for it."""
        port = streamlit_server.free_ports(1, self.next_port)[0]
        self.next_port = port + 1
        log = self.workdir / f"{name}-{port}.log"
        env = {CACHE_ENV_VAR: str(self.workdir / f"model-cache-{port}"), **(env or {})}
        cmd = streamlit_server.streamlit_command(script, port)
        run_dir = None
        if self.workers:
            run_dir = self.workdir / f"serve-{name}-{port}"
            cmd = [
                sys.executable,
                str(SERVE),
                "--workers",
                str(self.workers),
                "--port",
                str(port),
                "--script",
                script,
                "--run-dir",
                str(run_dir),
            ]
            self.next_port = port + self.workers + 1
        proc = streamlit_server.start(cmd, env=env, log=log)
        server = Server(
            name, script, port, proc, log, time.perf_counter(), workers=self.workers, run_dir=run_dir
        )
        self.servers.append(server)
        RUNNING.append(server)
        return server

    def stop(self, *servers: Server) -> None:
        """SIGTERM the servers (``serve.py`` then stops its workers and HAProxy) and wait for them."""
        for server in servers:
            if server in RUNNING:
                RUNNING.remove(server)
        streamlit_server.stop([server.proc for server in servers], timeout=15)


async def wait_healthy(server: Server, timeout: float) -> None:
    """Poll ``/_stcore/health`` until it answers "ok" (``server.ready_s``: seconds from the start);
    raise ``RuntimeError`` if the process dies or time runs out."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        try:
            healthy = await asyncio.to_thread(
                streamlit_server.check_health, server.proc, server.port, log=server.log
            )
        except RuntimeError as exc:
            raise RuntimeError(f"{server.name}: {exc}") from None
        if healthy:
            server.ready_s = time.perf_counter() - server.started
            return
        await asyncio.sleep(0.25)
    raise RuntimeError(f"{server.name} server not healthy after {timeout:.0f} s:\n{server.log_tail()}")


async def settle(server: Server, *, timeout: float, quiet: float = 0.15, window: float = 1.0) -> float:
    """Wait until the server used less than ``quiet`` of a core over ``window`` seconds (or
    ``timeout`` passed); return the seconds waited."""
    start = time.perf_counter()
    last = server.cpu_s()
    while time.perf_counter() - start < timeout:
        await asyncio.sleep(window)
        now = server.cpu_s()
        if now - last < quiet * window:
            break
        last = now
    return time.perf_counter() - start


async def kill_a_worker(server: Server, at: float) -> dict:
    """SIGKILL the web worker with the most sessions' stickiness (``w1``) at ``at``: a crash mid-lecture."""
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    pids = server.worker_pids()
    name, pid = sorted(pids.items())[0]
    os.kill(pid, signal.SIGKILL)
    print(f"  killed worker {name} (pid {pid})", flush=True)
    return {"worker": name, "pid": pid, "at_s": round(at, 1)}
