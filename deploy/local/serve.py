"""``make serve``: several ``streamlit run app.py`` workers behind HAProxy, one training worker.

Usage::

    python deploy/local/serve.py --workers 4 --port 8500     # foreground; Ctrl-C stops everything
    python deploy/local/serve.py --stop                        # stops a running one (``make stop``)

A Streamlit server is one process and its scripts share one GIL, so one process uses about one
core. This starts ``--workers`` (default: the number of cores) Streamlit processes on free local
ports (with ``streamlit_server.py``, the starter the browser tests and the benchmark share),
HAProxy (Debian's ``haproxy``) on ``--host:--port`` with cookie-inserted stickiness, websocket
tunnel timeouts and health checks on ``/_stcore/health`` (``haproxy.cfg.tmpl``), and
``python -m core.training.worker``, the one process that trains (the web workers run with
``NEURAL_EXPLAINER_QUEUE_CONSUMER=external`` and only run inference; they share the training queue
and the model store through the model cache folder). Once a worker is healthy it opens one session
on it, which starts its warm-up (TensorFlow and the shipped models), so no student waits for that.
It then supervises them: a process that exits is started again and warmed (HAProxy meanwhile
sends that worker's students to live ones). SIGINT or SIGTERM stops every process it started.
Its state (ports and process ids) is in ``<run dir>/serve.json``, its logs in ``<run dir>/*.log``
(default run dir ``.serve/``).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import string
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script: deploy/local/ is on sys.path, not the root
    sys.path.insert(0, str(ROOT))

from deploy.local import streamlit_server  # noqa: E402 (needs the root on sys.path)

TEMPLATE = Path(__file__).with_name("haproxy.cfg.tmpl")


def warm_worker(port: int, page: str = "", timeout: float = 120.0) -> bool:
    """Open one session on a worker (directly, not through HAProxy) and run ``page`` once, as a
    browser does: the app's first run starts loading TensorFlow and the shipped models in the
    background (``core.adapters.cached.warmup``), so the first student on this worker does not pay
    for it. Uses Streamlit's own protocol (its protobufs, and ``websockets``, a Streamlit dependency).
    Returns whether the run finished."""
    import asyncio

    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ClientState_pb2 import ClientState
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.asyncio.client import connect

    async def run() -> bool:
        async with connect(
            f"ws://127.0.0.1:{port}/_stcore/stream",
            origin=f"http://127.0.0.1:{port}",
            subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
            max_size=None,
            open_timeout=timeout,
            proxy=None,
        ) as ws:
            state = ClientState(query_string="", page_name=page)
            state.context_info.url = f"http://127.0.0.1:{port}/{page}"
            await ws.send(BackMsg(rerun_script=state).SerializeToString())
            async with asyncio.timeout(timeout):
                async for raw in ws:
                    kind = ForwardMsg.FromString(raw).WhichOneof("type") if isinstance(raw, bytes) else None
                    if kind == "script_finished":
                        return True
        return False

    try:
        return asyncio.run(run())
    except Exception:  # noqa: BLE001 - warming is an optimisation: a failure costs the first student time
        return False


def haproxy_config(host: str, port: int, worker_ports: list[int]) -> str:
    """The HAProxy configuration: ``haproxy.cfg.tmpl`` with the frontend and one server per worker."""
    servers = "\n".join(
        f"    server w{i} 127.0.0.1:{p} check cookie w{i}" for i, p in enumerate(worker_ports, 1)
    )
    return string.Template(TEMPLATE.read_text()).substitute(HOST=host, PORT=port, SERVERS=servers)


class Child:
    """One supervised process: its command, log file, and restarts."""

    def __init__(self, name: str, cmd: list[str], env: dict, log: Path) -> None:
        self.name, self.cmd, self.env, self.log = name, cmd, env, log
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        self.next_start = 0.0
        self.warmed = False

    def start(self) -> None:
        self.proc = streamlit_server.start(self.cmd, env=self.env, log=self.log, append=True)

    def check(self, now: float) -> bool:
        """Restart the process if it exited (at most once a second); True if it was restarted."""
        if self.proc is not None and self.proc.poll() is None:
            return False
        if now < self.next_start:
            return False
        self.restarts += int(self.proc is not None)
        self.next_start = now + 1.0
        self.warmed = False
        self.start()
        return True


def stop_all(children: list[Child], timeout: float = 10.0) -> None:
    """SIGTERM every child's process group at once; SIGKILL what is still running after ``timeout``."""
    streamlit_server.stop([child.proc for child in children if child.proc is not None], timeout=timeout)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="Streamlit worker processes (default: the number of cores)",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address HAProxy listens on (0.0.0.0: every interface)"
    )
    parser.add_argument("--port", type=int, default=8500, help="port HAProxy listens on")
    parser.add_argument("--script", default="app.py", help="the Streamlit script each worker runs")
    parser.add_argument("--run-dir", type=Path, default=ROOT / ".serve", help="state, config and logs")
    parser.add_argument(
        "--no-training-worker",
        action="store_true",
        help="no separate training worker: each web worker trains in its own threads",
    )
    parser.add_argument(
        "--no-warm",
        action="store_true",
        help="do not open a session on each worker at start (the warm-up of TensorFlow and the models)",
    )
    parser.add_argument(
        "--stop", action="store_true", help="stop the running supervisor of --run-dir and exit"
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    return args


def stop_running(run_dir: Path, timeout: float = 45.0) -> int:
    """Send SIGTERM to the supervisor recorded in ``run_dir`` and wait until it is gone."""
    state_file = run_dir / "serve.json"
    try:
        pid = json.loads(state_file.read_text())["pid"]
    except (OSError, ValueError, KeyError):
        print(f"nothing to stop: no {state_file}")
        return 0
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        state_file.unlink(missing_ok=True)
        print(f"the supervisor {pid} had already stopped")
        return 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _running(pid):
            print(f"stopped the supervisor {pid} and everything it started")
            return 0
        time.sleep(0.2)
    print(f"the supervisor {pid} is still running after {timeout:g} s", file=sys.stderr)
    return 1


def _running(pid: int) -> bool:
    """Whether ``pid`` runs (an exited process its parent has not waited for yet does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def main(argv=None) -> int:
    args = parse_args(argv)
    run_dir = args.run_dir.resolve()
    if args.stop:
        return stop_running(run_dir)
    haproxy = shutil.which("haproxy")
    if haproxy is None:
        print(
            "haproxy is not installed: `make serve` installs Debian's haproxy where apt-get is available "
            "(or run: sudo apt-get install haproxy)",
            file=sys.stderr,
        )
        return 2
    run_dir.mkdir(parents=True, exist_ok=True)
    worker_ports = streamlit_server.free_ports(args.workers, args.port + 1)
    config = run_dir / "haproxy.cfg"
    config.write_text(haproxy_config(args.host, args.port, worker_ports))
    check = subprocess.run([haproxy, "-c", "-q", "-f", str(config)], capture_output=True, text=True)
    if check.returncode != 0:
        print(f"invalid HAProxy configuration {config}:\n{check.stdout}{check.stderr}", file=sys.stderr)
        return 2

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # One cookie secret for every worker: after a fail-over, the XSRF cookie a browser got from the
    # dead worker is still valid on the live one (uploads would otherwise be refused until a reload).
    env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))
    children: list[Child] = []
    if not args.no_training_worker:
        env["NEURAL_EXPLAINER_QUEUE_CONSUMER"] = "external"
        children.append(
            Child(
                "training-worker",
                [sys.executable, "-m", "core.training.worker"],
                env,
                run_dir / "training-worker.log",
            )
        )
    for i, port in enumerate(worker_ports, 1):
        cmd = streamlit_server.streamlit_command(
            args.script, port, "--server.fileWatcherType", "none", "--server.runOnSave", "false"
        )
        children.append(Child(f"w{i}", cmd, env, run_dir / f"w{i}.log"))
    web = [c for c in children if c.name.startswith("w")]
    proxy = Child("haproxy", [haproxy, "-db", "-f", str(config)], env, run_dir / "haproxy.log")
    children.append(proxy)

    stopping = False

    def on_signal(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    state_file = run_dir / "serve.json"
    try:
        for child in children:
            child.start()
        url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}"
        ports = ", ".join(map(str, worker_ports))
        print(
            f"serving {args.script} with {args.workers} workers (ports {ports}) behind HAProxy on {url}; "
            f"logs in {run_dir}; Ctrl-C or `make stop` stops everything",
            flush=True,
        )
        last_state = None
        while not stopping:
            now = time.monotonic()
            for child in children:
                if child.check(now):
                    print(f"{child.name} exited; restarted it (restart {child.restarts})", flush=True)
            for child, port in zip(web, worker_ports, strict=True):
                if not args.no_warm and not child.warmed and streamlit_server.is_healthy(port):
                    child.warmed = True  # one session per (re)start; in a thread: supervising goes on
                    threading.Thread(target=warm_worker, args=(port,), daemon=True).start()
            state = {
                "pid": os.getpid(),
                "url": url,
                "port": args.port,
                "script": args.script,
                "workers": {
                    c.name: {"port": p, "pid": c.proc.pid, "restarts": c.restarts}
                    for c, p in zip(web, worker_ports, strict=True)
                },
                "training_worker": next((c.proc.pid for c in children if c.name == "training-worker"), None),
                "haproxy": proxy.proc.pid,
            }
            if state != last_state:
                tmp = state_file.with_suffix(".tmp")
                tmp.write_text(json.dumps(state, indent=1))
                os.replace(tmp, state_file)
                last_state = state
            time.sleep(0.25)
    finally:
        stop_all(children)
        state_file.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
