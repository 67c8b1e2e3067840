"""Start a Streamlit server on 127.0.0.1, wait for ``/_stcore/health``, stop it: the one starter.

Used by ``make serve`` (``deploy/local/serve.py``: its web workers), the browser tests
(``tests/browser/server.py``) and the lecture-hall benchmark (``bench/classroom/servers.py``)::

    from deploy.local.streamlit_server import running

    with running("app.py", env={"NEURAL_EXPLAINER_WARMUP": "1"}) as url:   # http://127.0.0.1:<free port>
        ...                                                                # the server answers health

Every process is started in a session of its own (``start_new_session``), so :func:`stop` signals
its whole process group: a Streamlit server with its child processes, or ``serve.py``, which stops
what it started on SIGTERM. Only the standard library is imported here.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
HEALTH_PATH = "/_stcore/health"


def free_port(host: str = HOST) -> int:
    """A port that the operating system says is free on ``host`` now (bind to port 0)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def free_ports(count: int, start: int, host: str = HOST) -> list[int]:
    """``count`` ports from ``start`` upwards that can be bound on ``host`` now.

    Raises
    ------
    ValueError
        If ``count`` is below 1 or ``start`` is not a port number (1 to 65535).
    RuntimeError
        If fewer than ``count`` ports are free between ``start`` and 65535: pick a lower ``start``.
    """
    if count < 1 or not 1 <= start <= 65535:
        raise ValueError(
            f"free_ports needs count >= 1 and 1 <= start <= 65535, got count={count}, start={start}"
        )
    ports, port = [], start
    while len(ports) < count:
        if port > 65535:
            raise RuntimeError(
                f"only {len(ports)} of {count} ports are free from {start}: pick a lower start"
            )
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
                ports.append(port)
            except OSError:
                pass
        port += 1
    return ports


def streamlit_command(script: str | Path, port: int, *options: str) -> list[str]:
    """``python -m streamlit run script`` on ``127.0.0.1:port``, headless, no usage statistics.

    ``options`` are further ``--section.option value`` words, e.g. ``"--server.runOnSave", "false"``.
    """
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.address",
        HOST,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *options,
    ]


def start(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    append: bool = False,
    cwd: Path = ROOT,
) -> subprocess.Popen:
    """Start ``cmd`` in a session of its own, output (stdout and stderr) to ``log`` or nowhere.

    ``env`` is added to this process's environment; ``append`` keeps what ``log`` already holds
    (a supervisor restarting a worker), else the file starts empty.
    """
    full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    if log is None:
        return subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=full_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    with open(log, "ab" if append else "wb") as out:
        return subprocess.Popen(
            list(cmd),
            cwd=cwd,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def is_healthy(port: int, *, timeout: float = 2.0) -> bool:
    """Whether ``http://127.0.0.1:port/_stcore/health`` answers ``ok`` within ``timeout`` seconds."""
    try:
        url = f"http://{HOST}:{port}{HEALTH_PATH}"
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (127.0.0.1 only)
            return response.read().strip() == b"ok"
    except (OSError, http.client.HTTPException):  # nothing listening yet, or another program on the port
        return False


def log_tail(log: Path | None, lines: int = 30) -> str:
    """The last ``lines`` lines of ``log`` ("" if there is none)."""
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log else ""
    except OSError:
        return ""


def check_health(proc: subprocess.Popen, port: int, *, log: Path | None = None) -> bool:
    """One poll of ``proc``'s server: whether it answers health now (an event loop calls this in a
    thread, between its own sleeps).

    Raises
    ------
    RuntimeError
        If the process has exited; the message ends with the tail of ``log``: look there.
    """
    if proc.poll() is not None:
        raise RuntimeError(f"the server on port {port} exited with code {proc.returncode}:\n{log_tail(log)}")
    return is_healthy(port)


def wait_healthy(
    proc: subprocess.Popen, port: int, *, timeout: float, log: Path | None = None, poll: float = 0.25
) -> float:
    """Poll the health endpoint of ``proc``'s server until it answers; return the seconds waited.

    Raises
    ------
    RuntimeError
        If the process exits first, or ``timeout`` seconds pass without an answer; the message ends
        with the tail of ``log``. Look there, or give a slow first start a longer ``timeout``.
    """
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if check_health(proc, port, log=log):
            return time.perf_counter() - started
        time.sleep(poll)
    raise RuntimeError(f"the server on port {port} was not healthy after {timeout:.0f} s:\n{log_tail(log)}")


def _signal_group(proc: subprocess.Popen, signum: int) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signum)
        except ProcessLookupError:
            pass


def stop(procs: Sequence[subprocess.Popen], *, timeout: float = 10.0) -> None:
    """SIGTERM every process group of ``procs`` at once; SIGKILL those still running after ``timeout``.

    Processes must have been started by :func:`start` (each leads its own process group).
    """
    for proc in procs:
        _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(proc, signal.SIGKILL)
            proc.wait(5)


@contextmanager
def running(
    script: str | Path,
    *,
    port: int | None = None,
    options: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    timeout: float = 90.0,
) -> Iterator[str]:
    """Yield the base URL of ``streamlit run script`` once it is healthy; stop it afterwards.

    ``port`` defaults to a free one; ``options``, ``env`` and ``log`` are those of
    :func:`streamlit_command` and :func:`start`. Raises ``RuntimeError`` as :func:`wait_healthy`.
    """
    port = free_port() if port is None else port
    proc = start(streamlit_command(script, port, *options), env=env, log=log)
    try:
        wait_healthy(proc, port, timeout=timeout, log=log)
        yield f"http://{HOST}:{port}"
    finally:
        stop([proc])
