"""Lecture-hall load benchmark: N students use the running app at once over Streamlit's websocket.

Run (from the repository root; every run starts and stops its own servers)::

    .venv/bin/python bench/bench_classroom.py                      # 30 students, 4 pages
    .venv/bin/python bench/bench_classroom.py --students 5 --clicks 3 --think 0.5 1.5 --pages convolution gan
    .venv/bin/python bench/bench_classroom.py --single             # 1 student, 10 clicks, 0.5 s think, per page
    .venv/bin/python bench/bench_classroom.py --churn 40           # open/click/close 2 x 40 sessions: RSS growth
    .venv/bin/python bench/bench_classroom.py --first-visit        # fresh server per page, deep link
    .venv/bin/python bench/bench_classroom.py --train-during       # + one student retrains the CNN meanwhile
    .venv/bin/python bench/bench_classroom.py --json artifacts/classroom.json -v
    .venv/bin/python bench/bench_classroom.py --workers 2 --pages convolution   # make serve: HAProxy, 2 workers
    .venv/bin/python bench/bench_classroom.py --workers 2 --kill-worker-at 10   # + a worker crashes at 10 s

What it does
------------
Starts ``streamlit run app.py`` and the reference page ``bench/bare_page.py`` (one slider, one line
of text) on two free ports of 127.0.0.1, waits for ``/_stcore/health``, then for the bare page and
for each page in ``--pages``, one at a time on the same server: one warm-up view and a wait until the server is idle, then the *load
phase*: ``--students`` simulated browsers start over ``--ramp`` seconds; each opens a websocket,
asks for the page (the *first view*) and makes ``--clicks`` clicks, each after a think time drawn
uniformly from ``--think a b``. A click changes one widget, named by ``CLICK_SCRIPTS`` below (all
students walk the same list, as in a lecture; ``--diverse``: each picks at random). Both servers are
stopped at the end, also on Ctrl-C, an error or the ``--max-minutes`` limit; every wait has a
``--timeout``. The app server gets an empty model cache (``NEURAL_EXPLAINER_CACHE``) so a retrain
really trains and nothing is written to yours. The simulated browsers share this process (asyncio)
and the machine with the servers: on few cores they take a little CPU from them.

``--workers N`` starts each server as ``make serve`` does (``deploy/local/serve.py``: N Streamlit
workers behind HAProxy, a training worker): every simulated browser first loads the page over HTTP
to get HAProxy's stickiness cookie, then sends it with its websocket and media requests, and reports
which worker served it and any media request answered by another one ("sticky misses").
``--kill-worker-at S`` SIGKILLs one web worker S seconds into each app load phase: students on it
reconnect as the browser does (their clicks in flight count as failed clicks) and go on.

The simulated browser speaks the protocol of Streamlit's own frontend (checked against 1.67):

* websocket ``/_stcore/stream``, ``Sec-WebSocket-Protocol: streamlit, PLACEHOLDER_AUTH_TOKEN`` (what
  the browser sends without an XSRF cookie; the server only uses it for auth cookies) and an
  ``Origin`` equal to the host;
* a ``BackMsg.rerun_script`` ``ClientState`` per view or click: ``query_string`` (the URL's, updated
  by ``page_info_changed`` as the app syncs its URL), ``page_name`` = the URL path (``""`` for the
  default page) until the server has named the page, then ``page_script_hash`` (from
  ``new_session``, then ``navigation``) and no name; ``context_info``; ``widget_states`` = every
  widget the page drew (learnt from ``new_element`` deltas; its id ends with ``-<key>``): the
  proto's ``default`` unless the server set ``set_value`` or the student changed it; buttons only
  as a one-off ``trigger_value``; form widgets only once the form is submitted;
* ``fragment_id`` = the ``Delta.fragment_id`` of the changed widget's delta, so a widget inside an
  ``st.fragment`` reruns only that fragment (``script_finished`` then says
  ``FINISHED_FRAGMENT_RUN_SUCCESSFULLY``);
* the ForwardMsg cache: a ``new_element`` of >= ``global.minCachedMessageSize`` (10 kB) comes with
  ``metadata.cacheable`` and a ``hash``; the client keeps it and lists every hash it holds in
  ``cached_message_hashes`` of its next rerun; the server then sends ``ref_hash`` instead of an
  element with that hash. A kept message expires when ``max_cached_message_age`` (``new_session``
  config, 2) finished runs have passed without it being sent or referenced (a fragment run ages only
  that fragment's messages). This is emulated as the frontend does it, so the bytes counted are
  those a browser would receive.
* A view or click is done at the first ``script_finished`` that is not ``FINISHED_EARLY_FOR_RERUN``
  (``st.rerun()`` and the first deep-link run end early and start another run).

What the numbers mean
---------------------
students, clicks
    Simulated students; clicks completed (``script_finished`` received).
p50 / p95 / max s
    Click latency: from sending the rerun to its ``script_finished``; what a student waits for
    before the page stops showing "Running" (browser rendering not included).
clk/s
    Completed clicks / wall time of the load phase (first student start to last student done).
    With think time it is capped by the students; below the bare page's it means the server could
    not keep up.
view s, view KB
    The first view (median): latency, and bytes received (websocket + images).
click KB med / max
    Bytes per click: websocket payload bytes received for that click (every message until the next
    click), plus any ``/media/...`` or ``app/static/...`` URL (in image elements or Plotly specs) the
    session had not fetched yet, fetched over HTTP once per session like a browser cache.
refs
    ``ref_hash`` messages received per click (median): elements the client had cached.
exc
    ``exception`` elements (and script compilation errors) received, all actions together.
drop, tmo
    Sessions that ended early (connection closed, or a wait over ``--timeout``); timeouts alone.
fb
    Fallbacks: the click script named a widget that the page did not draw (renamed key?), or that
    was disabled; a plain rerun was sent instead.
RSS MB
    ``VmRSS`` of the server process (and its children) before and after the load phase.
x bare
    The page's p95 / the bare page's p95, and its clk/s / the bare page's clk/s.

Below the table: the most frequent exception messages; at the end the CPU the simulated browsers
used and the load average (other work on the machine skews every number). ``-v`` prints each view
and click with a digest of the elements it received: a click that changes the view changes it.
``--query lecture=1`` starts every session in lecture mode; ``--json`` keeps every action.

``--first-visit``: per page a fresh server and one deep link: server start (process to health), time
to the first heading (``st.title``) and to ``script_finished``; reference: ``python -c "import
tensorflow"`` in the same run. ``--churn K``: sessions that open a page, click once and disconnect, in
batches of ``--churn-batch``; RSS after K and after another K. Note that Streamlit keeps a
disconnected session (and its session state) for ``server.disconnectedSessionTTL`` = 120 s, at most
128 of them, so some growth within K is expected; the check is that the second K does not add as
much again. ``--train-during``: each page's load phase is run a second time while one more session
on ``cnn_activations`` submits the "Retrain" form (``act_retrain``; 1 epoch); the table then shows
the students' p95 with (``+train``) and without it.
"""
from __future__ import annotations

import argparse
import asyncio
import hashlib
import http.client
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

ROOT = Path(__file__).resolve().parents[1]
APP = "app.py"
BARE_SCRIPT = "bench/bare_page.py"
BARE = "bare"
DEFAULT_PAGES = ["convolution", "cnn_activations", "autoencoder", "gan"]

# One click = (widget key, value). Values: slider, number -> the number (clamped to the widget's
# range); selectbox, radio, select_slider -> the option's label as shown (str(value) is tried
# first), else an int is an index into the options; toggle, checkbox -> bool; button -> True.
# Students walk the list in order (cycling); with --diverse each click is a random entry. A click to
# the value the widget already has still sends a rerun (a browser would send none).
CLICK_SCRIPTS: dict[str, list[tuple[str, Any]]] = {
    BARE: [("bare_x", 10), ("bare_x", 20), ("bare_x", 30), ("bare_x", 40)],
    "home": [("lecture_toggle", True), ("lecture_toggle", False)],
    "convolution": [              # conv_kernel by index of KERNELS: 7 laplacian_8, 15 gaussian_5x5, ...
        ("conv_kernel", 7), ("conv_stride", 2), ("conv_row", 100), ("conv_kernel", 15),
        ("conv_stride", 3), ("conv_col", 50), ("conv_kernel", 16), ("conv_stride", 1),
    ],
    "cnn_activations": [          # act_zoom_map lives in the layer_explorer fragment
        ("act_class", 3), ("act_zoom_map", 5), ("act_class", 1), ("act_index", 2),
        ("act_zoom_map", 10), ("act_class", 8),
    ],
    "autoencoder": [              # ae_x / ae_y live in the latent_plane fragment
        ("ae_x", 1.0), ("ae_grid", 10), ("ae_from", 3), ("ae_y", -1.0), ("ae_noise", 0.8), ("ae_k", 8),
    ],
    "gan": [                      # gan_toy_both is a button in the toy_gan fragment
        ("gan_seed", 1), ("gan_epoch", 5), ("gan_toy_both", True), ("gan_seed", 2), ("gan_pick", 3),
        ("gan_epoch", 10),
    ],
    "pooling": [("pool_kind", 1), ("pool_size", 3), ("pool_stride", 2), ("pool_padding", "same")],
    "layer_arithmetic": [("arch_n", 28), ("arch_f", 5), ("arch_s", 2), ("arch_n", 224)],
    "boolean_neurons": [("bool_w1", 0.5), ("bool_fn", 1), ("bool_w2", -1.0), ("bool_fn", 3)],
    "perceptron": [("perc_step", 3), ("perc_rule", 1), ("perc_step", 1), ("perc_rule", 0)],
}

TRAIN_PAGE, TRAIN_FORM = "cnn_activations", "act_retrain"
# Each --train-during phase asks for another config, so the model store really trains each time.
TRAIN_CONFIGS = [{"act_rt_epochs": 1, "act_rt_dropout": d, "act_rt_bn": bn}
                 for bn in (False, True) for d in ("0.0", "0.1", "0.25", "0.5")]
SERVE = ROOT / "deploy" / "local" / "serve.py"
STICKY_COOKIE = "NESERVER"                   # deploy/local/haproxy.cfg.tmpl
CACHE_ENV_VAR = "NEURAL_EXPLAINER_CACHE"    # core.training.store.CACHE_ENV_VAR (not imported: keras)
MEDIA_URL = re.compile(rb"(?:/media/[0-9A-Za-z_.-]+|app/static/[0-9A-Za-z_./%-]+)")
FINAL = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR,
         ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}


# --- servers ---------------------------------------------------------------------------------------

@dataclass
class Server:
    """One ``streamlit run`` subprocess on 127.0.0.1."""

    name: str
    script: str
    port: int
    proc: subprocess.Popen
    log: Path
    started: float
    ready_s: float = 0.0
    workers: int = 0                  # > 0: deploy/local/serve.py, this many workers behind HAProxy
    run_dir: Optional[Path] = None

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
        return sum(_vm_rss_kb(pid) for pid in _process_tree(self.proc.pid)) / 1024

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def _vm_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _process_tree(root: int) -> list[int]:
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
_SERVERS: list = []


class ServerPool:
    """Starts servers on free ports and stops every one of them on exit (context manager)."""

    def __init__(self, port_base: int, workdir: Path, workers: int = 0):
        self.next_port = port_base
        self.workers = workers
        self.workdir = workdir
        self.servers: list[Server] = []

    def __enter__(self) -> "ServerPool":
        return self

    def __exit__(self, *exc) -> None:
        for server in self.servers:
            self.stop(server)

    def free_port(self) -> int:
        for port in range(self.next_port, self.next_port + 1000):
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
            self.next_port = port + 1
            return port
        raise RuntimeError(f"no free port from {self.next_port}")

    def start(self, name: str, script: str) -> Server:
        port = self.free_port()
        log = self.workdir / f"{name}-{port}.log"
        env = {**os.environ, "PYTHONUNBUFFERED": "1", CACHE_ENV_VAR: str(self.workdir / f"model-cache-{port}")}
        cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true"]
        run_dir = None
        if self.workers:
            run_dir = self.workdir / f"serve-{name}-{port}"
            cmd = [sys.executable, str(SERVE), "--workers", str(self.workers), "--port", str(port),
                   "--script", script, "--run-dir", str(run_dir)]
            self.next_port = port + self.workers + 1
        with open(log, "wb") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        server = Server(name, script, port, proc, log, time.perf_counter(), workers=self.workers, run_dir=run_dir)
        self.servers.append(server)
        _SERVERS.append(server)
        return server

    @staticmethod
    def stop(server: Server) -> None:
        if server in _SERVERS:
            _SERVERS.remove(server)
        if server.proc.poll() is None:
            server.proc.terminate()
            try:
                server.proc.wait(15)
            except subprocess.TimeoutExpired:
                server.proc.kill()
                server.proc.wait(5)


def _http_get(url: str, timeout: float) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:      # noqa: S310 (127.0.0.1 only)
        return response.read()


def _http_get_with(url: str, timeout: float, cookie: str) -> tuple[bytes, str, str]:
    """GET with the session's cookie; (body, the HAProxy stickiness cookie it set or "", the worker
    that answered from ``X-Served-By`` or "")."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (127.0.0.1 only)
        body = response.read()
        sticky = next((c.split(";")[0] for c in response.headers.get_all("Set-Cookie") or []
                       if c.startswith(STICKY_COOKIE + "=")), "")
        return body, sticky, response.headers.get("X-Served-By", "")


async def wait_healthy(server: Server, timeout: float) -> None:
    """Poll ``/_stcore/health`` until it answers "ok"; raise if the process dies or time runs out."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if server.proc.poll() is not None:
            raise RuntimeError(f"{server.name} server exited ({server.proc.returncode}):\n{server.log_tail()}")
        try:
            if (await asyncio.to_thread(_http_get, server.base + "/_stcore/health", 2.0)).strip() == b"ok":
                server.ready_s = time.perf_counter() - server.started
                return
        except OSError:
            pass
        await asyncio.sleep(0.25)
    raise RuntimeError(f"{server.name} server not healthy after {timeout:.0f} s:\n{server.log_tail()}")


# --- the browser's ForwardMsg cache and widget state ------------------------------------------------

class MessageCache:
    """The frontend's ForwardMsgCache: keeps cacheable messages, answers ``ref_hash``, ages entries."""

    def __init__(self) -> None:
        self.entries: dict[str, list] = {}       # hash -> [raw bytes, run count at last use, fragment id]
        self.run_count = 0

    def hashes(self) -> list[str]:
        return list(self.entries)

    def resolve(self, msg: ForwardMsg, raw: bytes) -> tuple[ForwardMsg, int]:
        """The message to act on and, for a ``ref_hash``, the bytes the reference saved."""
        if msg.WhichOneof("type") != "ref_hash":
            if msg.metadata.cacheable and msg.hash:
                if msg.hash in self.entries:
                    self.entries[msg.hash][1] = self.run_count
                else:
                    self.entries[msg.hash] = [raw, self.run_count, msg.delta.fragment_id]
            return msg, 0
        entry = self.entries.get(msg.ref_hash)
        if entry is None:
            raise RuntimeError(f"ref_hash {msg.ref_hash} not in the client cache (protocol emulation bug)")
        entry[1] = self.run_count
        full = ForwardMsg.FromString(entry[0])
        full.metadata.CopyFrom(msg.metadata)
        return full, len(entry[0])

    def script_finished(self, max_age: int, fragment_ids: list[str]) -> None:
        """One more finished run: drop entries unused for more than ``max_age`` runs."""
        self.run_count += 1
        for key, (_, used, fragment) in list(self.entries.items()):
            if fragment_ids and (not fragment or fragment not in fragment_ids):
                continue
            if self.run_count - used > max_age:
                del self.entries[key]


@dataclass
class Widget:
    """A widget the page drew, as the browser knows it."""

    id: str
    kind: str                   # the Element oneof: slider, selectbox, button, ...
    proto: Any
    fragment_id: str
    form_id: str
    state: Optional[WidgetState]      # what the browser sends on every rerun; None: nothing
    committed: bool = False           # a form widget whose form was submitted


def _option_label(options, value) -> Optional[str]:
    """The option label a click names: its label, else an int index, else a label prefix."""
    options = list(options)
    if str(value) in options:
        return str(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(options):
        return options[value]
    return next((o for o in options if o.startswith(str(value))), None)


def _has(proto, name: str) -> bool:
    try:
        return proto.HasField(name)
    except ValueError:
        return True


def initial_state(widget_id: str, kind: str, proto) -> Optional[WidgetState]:
    """The state the frontend holds for a widget it has just drawn (``value`` if set, else default)."""
    state = WidgetState(id=widget_id)
    set_value = getattr(proto, "set_value", False)
    if kind == "slider":
        if proto.type == Slider.SELECT_SLIDER:
            labels = list(proto.raw_value) if set_value else [proto.options[int(i)] for i in proto.default]
            state.string_array_value.data.extend(labels)
        else:
            state.double_array_value.data.extend(list(proto.value) if set_value else list(proto.default))
    elif kind in ("selectbox", "radio"):
        if set_value:
            if not _has(proto, "raw_value"):
                return None
            state.string_value = proto.raw_value
        elif _has(proto, "default") and 0 <= proto.default < len(proto.options):
            state.string_value = proto.options[proto.default]
        else:
            return None
    elif kind == "number_input":
        name = "value" if set_value else "default"
        if not _has(proto, name):
            return None
        number = getattr(proto, name)
        if proto.data_type == NumberInput.INT:
            state.int_value = int(number)
        else:
            state.double_value = number
    elif kind == "checkbox":
        state.bool_value = proto.value if set_value else proto.default
    elif kind in ("text_input", "text_area"):
        name = "value" if set_value else "default"
        if not _has(proto, name):
            return None
        state.string_value = getattr(proto, name)
    else:
        return None
    return state


def clicked_state(widget: Widget, value) -> Optional[WidgetState]:
    """The state the browser sends after the student sets ``widget`` to ``value``; None if it can't."""
    proto, state = widget.proto, WidgetState(id=widget.id)
    if widget.kind == "button":
        state.trigger_value = True
    elif widget.kind == "slider" and proto.type == Slider.SELECT_SLIDER:
        label = _option_label(proto.options, value)
        if label is None:
            return None
        state.string_array_value.data.append(label)
    elif widget.kind == "slider":
        values = value if isinstance(value, (list, tuple)) else [value]
        numbers = [min(max(float(v), proto.min), proto.max) for v in values]
        if proto.data_type == Slider.INT:
            numbers = [float(round(v)) for v in numbers]
        state.double_array_value.data.extend(numbers)
    elif widget.kind in ("selectbox", "radio"):
        label = _option_label(proto.options, value)
        if label is None:
            return None
        state.string_value = label
    elif widget.kind == "number_input":
        number = value
        if proto.has_min:
            number = max(number, proto.min)
        if proto.has_max:
            number = min(number, proto.max)
        if proto.data_type == NumberInput.INT:
            state.int_value = int(number)
        else:
            state.double_value = float(number)
    elif widget.kind == "checkbox":
        state.bool_value = bool(value)
    elif widget.kind in ("text_input", "text_area"):
        state.string_value = str(value)
    else:
        return None
    return state


class WidgetTracker:
    """Every widget the page drew, its fragment and the state the browser would send."""

    def __init__(self) -> None:
        self.by_id: dict[str, Widget] = {}
        self.seen: set[str] = set()

    def run_started(self) -> None:
        self.seen = set()

    def element(self, element, fragment_id: str) -> None:
        kind = element.WhichOneof("type")
        proto = getattr(element, kind, None) if kind else None
        widget_id = getattr(proto, "id", "") if proto is not None else ""
        if not widget_id or not isinstance(widget_id, str):
            return
        old = self.by_id.get(widget_id)
        keep = old is not None and old.kind == kind and not getattr(proto, "set_value", False)
        state = old.state if keep else initial_state(widget_id, kind, proto)
        self.by_id[widget_id] = Widget(widget_id, kind, proto, fragment_id, getattr(proto, "form_id", ""),
                                       state, committed=keep and old.committed)
        self.seen.add(widget_id)

    def run_finished(self, fragment_ids: list[str]) -> None:
        """Forget widgets the finished run did not draw (only the fragment's, for a fragment run)."""
        for widget_id, widget in list(self.by_id.items()):
            in_run = not fragment_ids or widget.fragment_id in fragment_ids
            if in_run and widget_id not in self.seen:
                del self.by_id[widget_id]

    def find(self, key: str) -> Optional[Widget]:
        matches = [w for w in self.by_id.values() if w.id == key or w.id.endswith("-" + key)]
        return next((w for w in matches if w.id in self.seen), matches[0] if matches else None)

    def submit_button(self, form_id: str) -> Optional[Widget]:
        return next((w for w in self.by_id.values() if w.kind == "button" and w.proto.is_form_submitter
                     and w.form_id == form_id), None)

    def states(self, extra: list[WidgetState]) -> list[WidgetState]:
        out = {w.id: w.state for w in self.by_id.values()
               if w.state is not None and (not w.form_id or w.committed)}
        out.update({s.id: s for s in extra})
        return list(out.values())


# --- one simulated browser ---------------------------------------------------------------------------

@dataclass
class Action:
    """One rerun request (view, click, fallback or form submit) and what came back for it."""

    kind: str
    label: str
    sent: float
    done: Optional[float] = None
    status: str = ""                  # finished | fragment | compile_error | timeout | closed | error
    ws_bytes: int = 0
    media_bytes: int = 0
    messages: int = 0
    refs: int = 0
    ref_saved_bytes: int = 0
    runs: int = 0
    exceptions: int = 0
    first_heading: Optional[float] = None
    page_not_found: bool = False
    element_hashes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)       # "Type: message" of each exception
    media_urls: list[str] = field(default_factory=list)
    media_errors: int = 0
    finished: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def ok(self) -> bool:
        return self.status in ("finished", "fragment", "compile_error")

    @property
    def latency(self) -> float:
        return (self.done or self.sent) - self.sent

    @property
    def total_bytes(self) -> int:
        return self.ws_bytes + self.media_bytes

    @property
    def digest(self) -> str:
        return hashlib.sha1("".join(self.element_hashes).encode()).hexdigest()[:10]

    def record(self) -> dict:
        return {"kind": self.kind, "label": self.label, "status": self.status, "latency_s": round(self.latency, 4),
                "ws_bytes": self.ws_bytes, "media_bytes": self.media_bytes, "messages": self.messages,
                "refs": self.refs, "ref_saved_bytes": self.ref_saved_bytes, "runs": self.runs,
                "elements": len(self.element_hashes), "exceptions": self.exceptions, "errors": self.errors,
                "digest": self.digest,
                "heading_s": None if self.first_heading is None else round(self.first_heading - self.sent, 4)}


class BrowserSession:
    """One student's browser tab on one page: a websocket, the message cache and the widget states."""

    def __init__(self, server: Server, page: str, *, query: str = "", timeout: float = 120.0,
                 log: Optional[callable] = None, cookie: str = ""):
        self.server, self.page, self.query, self.timeout = server, page, query, timeout
        self.cookie, self.served_by, self.sticky_misses = cookie, "", 0
        self.page_name = "" if page in ("home", BARE) else page
        self.page_hash = ""
        self.max_age = 2
        self.new_session_seen = False
        self.cache = MessageCache()
        self.widgets = WidgetTracker()
        self.fetched: set[str] = set()
        self.ws = None
        self.reader: Optional[asyncio.Task] = None
        self.current: Optional[Action] = None
        self.closed = False
        self.log = log

    async def open(self) -> None:
        """Through the proxy, first load the page as a browser does: HAProxy's answer sets the
        cookie that keeps this session's websocket and media requests on one worker."""
        if self.server.workers:
            _, sticky, self.served_by = await asyncio.to_thread(
                _http_get_with, f"{self.server.base}/{self.page_name}", self.timeout, self.cookie)
            if sticky:
                self.cookie = sticky
        uri = f"ws://127.0.0.1:{self.server.port}/_stcore/stream"
        self.ws = await connect(uri, subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
                                origin=self.server.base, max_size=None, open_timeout=self.timeout,
                                additional_headers={"Cookie": self.cookie} if self.cookie else None,
                                proxy=None, user_agent_header="bench_classroom (Streamlit protocol emulation)")
        self.reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
            await asyncio.gather(self.reader, return_exceptions=True)     # a cancel of close() still propagates

    async def _read(self) -> None:
        status = "closed"
        try:
            async for raw in self.ws:
                if isinstance(raw, bytes):
                    self._on_message(raw, time.perf_counter())
        except ConnectionClosed:
            pass
        except Exception as exc:        # noqa: BLE001 - a message this emulation cannot handle
            status = "error"
            print(f"protocol error on {self.page}: {exc!r}", file=sys.stderr, flush=True)
        finally:
            self.closed = True
            if self.current is not None and not self.current.finished.is_set():
                self.current.status = status
                self.current.finished.set()

    def _on_message(self, raw: bytes, now: float) -> None:
        action = self.current
        msg, saved = self.cache.resolve(ForwardMsg.FromString(raw), raw)
        if action is not None:
            action.ws_bytes += len(raw)
            action.messages += 1
            action.refs += saved > 0
            action.ref_saved_bytes += saved
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.new_session_seen = True
            self.page_hash = msg.new_session.page_script_hash
            self.max_age = msg.new_session.config.max_cached_message_age
            self.widgets.run_started()
            if action is not None:
                action.runs += 1
        elif kind == "navigation":
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            self._on_element(msg, raw, now, action)
        elif kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
            if action is not None:
                action.exceptions += 1
                error = msg.session_event.script_compilation_exception
                action.errors.append(f"{error.type}: {error.message[:300]}")
        elif kind == "page_not_found" and action is not None:
            action.page_not_found = True
        elif kind == "script_finished":
            self._on_script_finished(msg, now, action)

    def _on_element(self, msg: ForwardMsg, raw: bytes, now: float, action: Optional[Action]) -> None:
        element = msg.delta.new_element
        self.widgets.element(element, msg.delta.fragment_id)
        if action is None:
            return
        kind = element.WhichOneof("type")
        if kind != "download_button":      # its deferred_file_id is new on every run
            action.element_hashes.append(msg.hash or hashlib.sha1(raw).hexdigest())
        if kind == "exception":
            action.exceptions += 1
            action.errors.append(f"{element.exception.type}: {element.exception.message[:300]}")
        elif kind == "heading" and action.first_heading is None:
            action.first_heading = now
        if kind in ("imgs", "plotly_chart", "markdown", "html", "video", "audio"):
            action.media_urls += [u.decode() for u in MEDIA_URL.findall(element.SerializeToString())]

    def _on_script_finished(self, msg: ForwardMsg, now: float, action: Optional[Action]) -> None:
        status, run = msg.script_finished, msg.metadata.run
        if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            return
        fragment_ids = list(run.fragment_ids)
        if run.script_run_id and self.new_session_seen:
            self.cache.script_finished(self.max_age, fragment_ids)
        if status != ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
            self.widgets.run_finished(fragment_ids)
        if action is not None and not action.finished.is_set():
            action.done = now
            action.status = {ForwardMsg.FINISHED_SUCCESSFULLY: "finished",
                             ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY: "fragment"}.get(status, "compile_error")
            action.finished.set()

    def _client_state(self, fragment_id: str, extra: list[WidgetState]) -> ClientState:
        state = ClientState(query_string=self.query, fragment_id=fragment_id,
                            cached_message_hashes=self.cache.hashes())
        if self.page_hash:
            state.page_script_hash = self.page_hash
        else:
            state.page_name = self.page_name
        state.widget_states.widgets.extend(self.widgets.states(extra))
        info = state.context_info
        info.timezone, info.timezone_offset, info.locale = "UTC", 0, "en-US"
        info.url = f"{self.server.base}/{self.page_name}" + (f"?{self.query}" if self.query else "")
        info.color_scheme = "light"
        return state

    async def rerun(self, kind: str, label: str, *, fragment_id: str = "",
                    extra: Optional[list[WidgetState]] = None, timeout: Optional[float] = None) -> Action:
        """Send one ``rerun_script`` and wait for its final ``script_finished``; fetch new media."""
        action = Action(kind, label, time.perf_counter())
        if self.closed:
            action.status = "closed"
            return action
        message = BackMsg(rerun_script=self._client_state(fragment_id, extra or []))
        self.new_session_seen = False
        self.current = action
        action.sent = time.perf_counter()
        try:
            await self.ws.send(message.SerializeToString())
            await asyncio.wait_for(action.finished.wait(), timeout or self.timeout)
        except asyncio.TimeoutError:
            action.status = "timeout"
        except ConnectionClosed:
            action.status = "closed"
        if action.ok:
            await self._fetch_media(action)
        if self.log is not None:
            self.log(action)
        return action

    async def _fetch_media(self, action: Action) -> None:
        for url in dict.fromkeys(action.media_urls):
            if url in self.fetched:
                continue
            self.fetched.add(url)
            try:
                body, _, served_by = await asyncio.to_thread(
                    _http_get_with, self.server.base + "/" + url.lstrip("/"), self.timeout, self.cookie)
                action.media_bytes += len(body)
                if self.server.workers and served_by != self.served_by:
                    self.sticky_misses += 1
            except (OSError, http.client.HTTPException):
                action.media_errors += 1

    async def view(self) -> Action:
        return await self.rerun("view", self.page or "home")

    async def click(self, key: str, value) -> Action:
        """Set one widget as the student would; a plain rerun ("fallback") if that is impossible."""
        widget = self.widgets.find(key)
        reason = ("not on the page" if widget is None else "disabled" if getattr(widget.proto, "disabled", False)
                  else "in a form" if widget.form_id else "")
        state = None if reason else clicked_state(widget, value)
        if state is None:
            return await self.rerun("fallback", f"{key}={value} ({reason or 'value not accepted'})")
        if widget.kind != "button":
            widget.state = state
        return await self.rerun("click", f"{key}={value}", fragment_id=widget.fragment_id,
                                extra=[state] if widget.kind == "button" else [])

    async def submit_form(self, form_id: str, values: dict, timeout: float) -> Optional[Action]:
        """Fill a form and press its submit button; None if the page has no such form."""
        button = self.widgets.submit_button(form_id)
        if button is None:
            return None
        for key, value in values.items():
            widget = self.widgets.find(key)
            state = clicked_state(widget, value) if widget is not None else None
            if state is not None:
                widget.state = state
        for widget in self.widgets.by_id.values():
            if widget.form_id == form_id:
                widget.committed = True
        trigger = WidgetState(id=button.id, trigger_value=True)
        return await self.rerun("submit", f"{form_id} {values}", fragment_id=button.fragment_id,
                                extra=[trigger], timeout=timeout)


# --- students and phases -------------------------------------------------------------------------

@dataclass
class StudentResult:
    view: Optional[Action] = None
    clicks: list[Action] = field(default_factory=list)
    dropped: str = ""                 # why the session ended early; "" if it did not
    failed_clicks: int = 0            # clicks whose websocket closed (a worker died): reconnected
    reconnects: int = 0
    served_by: list[str] = field(default_factory=list)    # the worker of each session (proxy)
    sticky_misses: int = 0            # media requests answered by another worker than the session's

    @property
    def actions(self) -> list[Action]:
        return ([self.view] if self.view else []) + self.clicks


@dataclass
class PhaseResult:
    name: str
    page: str
    students: list[StudentResult]
    wall_s: float
    rss_before: float
    rss_after: float
    trainer: Optional[dict] = None
    cpu_s: float = 0.0                # CPU time of the server's processes during the phase
    killed: Optional[dict] = None     # --kill-worker-at: which worker, when


def click_plan(page: str, clicks: int, rng: random.Random, diverse: bool) -> list[tuple[str, Any]]:
    script = CLICK_SCRIPTS.get(page) or [("__no_script__", 0)]
    if diverse:
        return [rng.choice(script) for _ in range(clicks)]
    return [script[i % len(script)] for i in range(clicks)]


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
                session = BrowserSession(server, page, query=args.query, timeout=args.timeout, log=log,
                                         cookie=session.cookie)
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
        await asyncio.sleep(0.2)            # trailing messages (session_status_changed) of the last click
    except (OSError, http.client.HTTPException, ConnectionClosed, InvalidHandshake, asyncio.TimeoutError) as exc:
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
        except (OSError, ConnectionClosed, InvalidHandshake, asyncio.TimeoutError) as exc:
            self.result["error"] = type(exc).__name__
            return False
        self.result["view_status"] = view.status
        return view.ok

    async def submit(self, load_started: float) -> dict:
        """Wait half the ramp, submit the form, wait for the run (training and rerun) to finish."""
        try:
            await asyncio.sleep(max(0.0, load_started + self.args.ramp / 2 - time.perf_counter()))
            action = await self.session.submit_form(TRAIN_FORM, self.config, timeout=max(self.args.timeout, 600))
            if action is not None:
                self.result.update(form_found=True, status=action.status, duration_s=round(action.latency, 2),
                                   started_s=round(action.sent - load_started, 2),
                                   exceptions=action.exceptions, errors=action.errors)
        except (OSError, ConnectionClosed, asyncio.TimeoutError) as exc:
            self.result["error"] = type(exc).__name__
        finally:
            await self.session.close()
        return self.result


def action_logger(args, phase: str):
    if not args.verbose:
        return None

    def log(action: Action) -> None:
        print(f"  [{phase}] {action.kind:8} {action.label:38.38} {action.status:8} {action.latency:7.3f} s "
              f"{action.ws_bytes / 1e3:8.1f} kB  refs {action.refs:2}  elements {len(action.element_hashes):3}  "
              f"exc {action.exceptions}  view {action.digest}", flush=True)
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
    for other in [server, *(s for s in _SERVERS if s is not server)]:
        await settle(other, timeout=max(args.timeout, 120))      # the other server's start-up too
    return action


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (``/proc/<pid>/stat``), seconds; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


async def settle(server: Server, *, timeout: float, quiet: float = 0.15, window: float = 1.0) -> float:
    """Wait until the server used less than ``quiet`` of a core over ``window`` seconds (or
    ``timeout`` passed); return the seconds waited."""
    start = time.perf_counter()
    last = sum(_cpu_seconds(pid) for pid in _process_tree(server.proc.pid))
    while time.perf_counter() - start < timeout:
        await asyncio.sleep(window)
        now = sum(_cpu_seconds(pid) for pid in _process_tree(server.proc.pid))
        if now - last < quiet * window:
            break
        last = now
    return time.perf_counter() - start


async def load_phase(server: Server, page: str, args, *, train: Optional[dict] = None) -> PhaseResult:
    """Warm-up view, then ``--students`` students on ``page`` at once; RSS before and after."""
    name = page + (" +train" if train else "")
    warm = await warm_up(server, page, args)
    if not warm.ok:
        print(f"  warm-up view of {page}: {warm.status}", flush=True)
    trainer = Trainer(server, args, train) if train else None
    if trainer is not None and not await trainer.open():
        print(f"  the training student could not open {TRAIN_PAGE}: {trainer.result}", flush=True)
    rss_before = server.rss_mb()
    cpu_before = sum(_cpu_seconds(pid) for pid in _process_tree(server.proc.pid))
    start = time.perf_counter()
    n = args.students
    log = action_logger(args, name)
    tasks = [run_student(server, page, args, i, start + args.ramp * i / n, log) for i in range(n)]
    training = asyncio.create_task(trainer.submit(start)) if trainer else None
    killing = (asyncio.create_task(kill_a_worker(server, start + args.kill_worker_at))
               if args.kill_worker_at is not None and server.workers > 1 and page != BARE else None)
    students = await asyncio.gather(*tasks)
    wall = time.perf_counter() - start
    cpu = sum(_cpu_seconds(pid) for pid in _process_tree(server.proc.pid)) - cpu_before
    trainer_result = await training if training else None
    if trainer_result is not None:
        trainer_result["load_wall_s"] = round(wall, 2)
    killed = await killing if killing else None
    return PhaseResult(name, page, list(students), wall, rss_before, server.rss_mb(), trainer_result,
                       cpu_s=cpu, killed=killed)


async def kill_a_worker(server: Server, at: float) -> dict:
    """SIGKILL the web worker with the most sessions' stickiness (``w1``) at ``at``: a crash mid-lecture."""
    await asyncio.sleep(max(0.0, at - time.perf_counter()))
    pids = server.worker_pids()
    name, pid = sorted(pids.items())[0]
    os.kill(pid, signal.SIGKILL)
    print(f"  killed worker {name} (pid {pid})", flush=True)
    return {"worker": name, "pid": pid, "at_s": round(at, 1)}


# --- statistics and tables -------------------------------------------------------------------------

def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


def _median(values) -> float:
    values = list(values)
    return statistics.median(values) if values else float("nan")


def summarize(phase: PhaseResult) -> dict:
    clicks = [a for s in phase.students for a in s.clicks if a.ok]
    views = [s.view for s in phase.students if s.view is not None and s.view.ok]
    actions = [a for s in phase.students for a in s.actions]
    latencies = [a.latency for a in clicks]
    return {
        "name": phase.name, "page": phase.page, "students": len(phase.students), "clicks": len(clicks),
        "p50_s": _pct(latencies, 50), "p95_s": _pct(latencies, 95), "max_s": max(latencies, default=float("nan")),
        "clicks_per_s": len(clicks) / phase.wall_s if phase.wall_s else float("nan"), "wall_s": phase.wall_s,
        "view_s": _median(a.latency for a in views), "view_kb": _median(a.total_bytes / 1e3 for a in views),
        "click_kb_med": _median(a.total_bytes / 1e3 for a in clicks),
        "click_kb_max": max((a.total_bytes / 1e3 for a in clicks), default=float("nan")),
        "refs_med": _median(a.refs for a in clicks),
        "exceptions": sum(a.exceptions for a in actions),
        "dropped": sum(1 for s in phase.students if s.dropped),
        "drop_reasons": dict(Counter(s.dropped for s in phase.students if s.dropped)),
        "timeouts": sum(1 for a in actions if a.status == "timeout"),
        "fallbacks": sum(1 for a in actions if a.kind == "fallback"),
        "page_not_found": sum(1 for a in actions if a.page_not_found),
        "errors": dict(Counter(e for a in actions for e in a.errors).most_common(5)),
        "rss_before_mb": phase.rss_before, "rss_after_mb": phase.rss_after, "trainer": phase.trainer,
        "cpu_s": phase.cpu_s, "cpu_ms_per_click": 1e3 * phase.cpu_s / len(clicks) if clicks else float("nan"),
        "failed_clicks": sum(s.failed_clicks for s in phase.students),
        "reconnects": sum(s.reconnects for s in phase.students),
        "sticky_misses": sum(s.sticky_misses for s in phase.students),
        "media_errors": sum(a.media_errors for a in actions),
        "sessions_per_worker": dict(sorted(Counter(s.served_by[0] for s in phase.students if s.served_by).items())),
        "killed": phase.killed,
    }


def _fmt(value, spec: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    return format(value, spec)


def print_table(rows: list[dict], columns: list[tuple[str, str, str]]) -> None:
    """``columns``: (header, row key, format spec)."""
    cells = [[_fmt(row.get(key), spec) for _, key, spec in columns] for row in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, (h, _, _) in enumerate(columns)]
    print("  ".join(h.rjust(w) if i else h.ljust(w) for i, ((h, _, _), w) in enumerate(zip(columns, widths))))
    for c in cells:
        print("  ".join(v.rjust(w) if i else v.ljust(w) for i, (v, w) in enumerate(zip(c, widths))))


LOAD_COLUMNS = [("page", "name", ""), ("stud", "students", "d"), ("clicks", "clicks", "d"),
                ("p50 s", "p50_s", ".2f"), ("p95 s", "p95_s", ".2f"), ("max s", "max_s", ".2f"),
                ("clk/s", "clicks_per_s", ".2f"), ("view s", "view_s", ".2f"), ("view KB", "view_kb", ".0f"),
                ("click KB med", "click_kb_med", ".1f"), ("max", "click_kb_max", ".1f"), ("refs", "refs_med", ".0f"),
                ("exc", "exceptions", "d"), ("drop", "dropped", "d"), ("tmo", "timeouts", "d"),
                ("fb", "fallbacks", "d"), ("RSS MB before", "rss_before_mb", ".0f"), ("after", "rss_after_mb", ".0f"),
                ("CPU ms/clk", "cpu_ms_per_click", ".0f"),
                ("p95 x bare", "p95_ratio", ".1f"), ("clk/s x bare", "cps_ratio", ".2f")]
PROXY_COLUMNS = [("page", "name", ""), ("sessions per worker", "sessions_per_worker", ""),
                 ("failed clicks", "failed_clicks", "d"), ("reconnects", "reconnects", "d"),
                 ("sticky misses", "sticky_misses", "d"), ("media errors", "media_errors", "d")]


def print_load_report(summaries: list[dict], args) -> None:
    bare = next((s for s in summaries if s["page"] == BARE), None)
    pages = [s for s in summaries if s["page"] != BARE] + ([bare] if bare else [])
    for s in pages:
        if bare and bare["p95_s"] and bare["clicks_per_s"]:
            s["p95_ratio"] = s["p95_s"] / bare["p95_s"]
            s["cps_ratio"] = s["clicks_per_s"] / bare["clicks_per_s"]
    print(f"\nClassroom load: {args.students} students x {args.clicks} clicks, think {args.think[0]:g}-"
          f"{args.think[1]:g} s, ramp {args.ramp:g} s, {'diverse' if args.diverse else 'same sequence'}"
          f"{', query ' + args.query if args.query else ''}")
    print_table(pages, LOAD_COLUMNS)
    if args.workers:
        print(f"Through HAProxy, {args.workers} workers per server (deploy/local/serve.py):")
        print_table([dict(s, sessions_per_worker=" ".join(f"{k}:{v}" for k, v in s["sessions_per_worker"].items()))
                     for s in pages], PROXY_COLUMNS)
        for s in pages:
            if s["killed"]:
                print(f"  {s['name']}: worker {s['killed']['worker']} killed during the load")
    for s in pages:
        if s["trainer"]:
            t = s["trainer"]
            print(f"  {s['name']}: " + (f"Retrain form submitted at {t.get('started_s')} s into the load, "
                                       f"took {t.get('duration_s')} s ({t.get('status')}), load lasted "
                                       f"{t['load_wall_s']} s" if t["form_found"] else
                                       f"the Retrain form ({TRAIN_FORM}) was not found on {TRAIN_PAGE}"
                                       + (f" ({t['error']})" if "error" in t else "")))
        for error, count in s["errors"].items():
            print(f"  {s['name']}: {count} x {error[:160]}")
        if s["drop_reasons"]:
            print(f"  {s['name']}: sessions dropped: {s['drop_reasons']}")
        if s["page_not_found"]:
            print(f"  {s['name']}: the server answered page_not_found {s['page_not_found']} times")


# --- modes -----------------------------------------------------------------------------------------

async def classroom(pool: ServerPool, args) -> dict:
    """The default mode: bare page, then each page, one load phase at a time."""
    bare = pool.start(BARE, BARE_SCRIPT)
    app = pool.start("app", APP) if args.pages else None
    await asyncio.gather(*[wait_healthy(s, args.timeout) for s in (bare, app) if s])
    print(f"servers up: bare page {bare.base} ({bare.ready_s:.1f} s)"
          + (f", app {app.base} ({app.ready_s:.1f} s)" if app else ""), flush=True)
    phases = []
    for page in [BARE, *args.pages]:
        server = bare if page == BARE else app
        runs = [None]
        if args.train_during and page != BARE:
            runs.append(TRAIN_CONFIGS[len(phases) % len(TRAIN_CONFIGS)])     # a new config: it really trains
        for train in runs:
            print(f"load phase: {page}{' +train' if train else ''} ...", flush=True)
            phase = await load_phase(server, page, args, train=train)
            phases.append(phase)
            s = summarize(phase)
            print(f"  {s['clicks']} clicks in {phase.wall_s:.1f} s, p95 {_fmt(s['p95_s'], '.2f')} s, "
                  f"RSS {phase.rss_after:.0f} MB", flush=True)
    summaries = [summarize(p) for p in phases]
    print_load_report(summaries, args)
    return {"load": summaries,
            "actions": {p.name: [[a.record() for a in s.actions] for s in p.students] for p in phases}}


async def churn(pool: ServerPool, args) -> dict:
    """Sessions that open a page, click once and leave, in small batches; RSS after K and 2K."""
    bare = pool.start(BARE, BARE_SCRIPT)
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
            print(f"churn: {server.name}, sessions {len(results) + 1}-{len(results) + args.churn} ...", flush=True)
            for first in range(0, args.churn, args.churn_batch):
                batch = range(len(results), len(results) + min(args.churn_batch, args.churn - first))
                results += await asyncio.gather(*[
                    run_student(server, pages[i % len(pages)], churn_args, i, 0.0, None) for i in batch])
            await asyncio.sleep(args.churn_settle)
            row[f"rss{half}"] = server.rss_mb()
        actions = [a for r in results for a in r.actions if a.ok]
        row.update(sessions=len(results), dropped=sum(1 for r in results if r.dropped),
                   exceptions=sum(a.exceptions for r in results for a in r.actions),
                   fallbacks=sum(1 for r in results for a in r.actions if a.kind == "fallback"),
                   p50_s=_pct([a.latency for a in actions], 50),
                   growth1=row["rss1"] - row["rss0"], growth2=row["rss2"] - row["rss1"],
                   per_session_kb=(row["rss2"] - row["rss1"]) * 1024 / args.churn)
        rows.append(row)
    print(f"\nChurn: 2 x {args.churn} sessions per server (view + 1 click + disconnect, batches of "
          f"{args.churn_batch}), RSS {args.churn_settle:g} s after each K")
    print_table(rows, [("server", "server", ""), ("pages", "pages", ""), ("sessions", "sessions", "d"),
                       ("p50 s", "p50_s", ".2f"), ("RSS start", "rss0", ".0f"), ("after K", "rss1", ".0f"),
                       ("after 2K", "rss2", ".0f"), ("+1st K", "growth1", "+.0f"), ("+2nd K", "growth2", "+.0f"),
                       ("KB/session (2nd K)", "per_session_kb", ".0f"), ("exc", "exceptions", "d"),
                       ("drop", "dropped", "d"), ("fb", "fallbacks", "d")])
    print("  (disconnected sessions are kept for server.disconnectedSessionTTL = 120 s, at most 128)")
    return {"churn": rows}


async def first_visit(pool: ServerPool, args) -> dict:
    """Per page a fresh app server and one deep-link visit; reference: importing TensorFlow."""
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "import tensorflow", cwd=ROOT,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    await asyncio.wait_for(proc.wait(), args.timeout)
    tf_s = time.perf_counter() - started
    rows = []
    for page in args.pages:
        print(f"first visit: {page} on a fresh server ...", flush=True)
        server = pool.start(f"app-{page}", APP)
        await wait_healthy(server, args.timeout)
        view = await one_view(server, page, args)
        rows.append({"page": page, "server_start_s": server.ready_s,
                     "heading_s": None if view.first_heading is None else view.first_heading - view.sent,
                     "finished_s": view.latency if view.ok else None, "status": view.status,
                     "view_kb": view.total_bytes / 1e3, "runs": view.runs, "exceptions": view.exceptions,
                     "rss_mb": server.rss_mb(), "tf_ratio": view.latency / tf_s if view.ok else None})
        pool.stop(server)
    print(f"\nFirst visit (fresh server per page, deep link); reference: python -c 'import tensorflow' "
          f"= {tf_s:.2f} s")
    print_table(rows, [("page", "page", ""), ("server start s", "server_start_s", ".2f"),
                       ("first heading s", "heading_s", ".2f"), ("script_finished s", "finished_s", ".2f"),
                       ("x import tf", "tf_ratio", ".2f"), ("status", "status", ""), ("runs", "runs", "d"),
                       ("view KB", "view_kb", ".0f"), ("exc", "exceptions", "d"), ("RSS MB", "rss_mb", ".0f")])
    return {"first_visit": rows, "import_tensorflow_s": tf_s}


# --- command line ------------------------------------------------------------------------------------

def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=30, help="simulated students (default 30)")
    parser.add_argument("--clicks", type=int, default=5, help="clicks per student (default 5)")
    parser.add_argument("--think", type=float, nargs=2, default=(2.0, 6.0), metavar=("A", "B"),
                        help="think time before each click, uniform in [A, B] s (default 2 6)")
    parser.add_argument("--ramp", type=float, default=5.0, help="seconds over which sessions start (default 5)")
    parser.add_argument("--pages", nargs="*", default=DEFAULT_PAGES,
                        help=f"url paths, 'home' for the home page; none: the bare page only "
                             f"(default {' '.join(DEFAULT_PAGES)})")
    parser.add_argument("--diverse", action="store_true", help="each click is a random entry of the page's script")
    parser.add_argument("--single", action="store_true",
                        help="1 student, 10 clicks, think 0.5 s, no ramp: server time per click")
    parser.add_argument("--churn", type=int, metavar="K", help="instead of the load: 2 x K short sessions, RSS growth")
    parser.add_argument("--churn-batch", type=int, default=4, help="parallel sessions in --churn (default 4)")
    parser.add_argument("--churn-settle", type=float, default=3.0, help="wait before each RSS of --churn (s)")
    parser.add_argument("--first-visit", action="store_true",
                        help="instead of the load: a fresh server per page, one deep-link visit")
    parser.add_argument("--train-during", action="store_true",
                        help=f"repeat each load phase while a student submits the {TRAIN_FORM} form")
    parser.add_argument("--workers", type=int, default=0,
                        help="serve each script with deploy/local/serve.py: N workers behind HAProxy (default: "
                             "one plain streamlit process)")
    parser.add_argument("--kill-worker-at", type=float, default=None, metavar="S",
                        help="with --workers >= 2: SIGKILL a web worker S seconds into each app load phase")
    parser.add_argument("--query", default="", help="query string of the first view, e.g. lecture=1")
    parser.add_argument("--port-base", type=int, default=8700, help="first port to try (default 8700)")
    parser.add_argument("--timeout", type=float, default=120.0, help="limit of every single wait, s (default 120)")
    parser.add_argument("--max-minutes", type=float, default=60.0, help="the whole run stops after this (default 60)")
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
    if args.first_visit:
        return await first_visit(pool, args)
    if args.churn:
        return await churn(pool, args)
    return await classroom(pool, args)


def _interrupt(*_) -> None:
    raise KeyboardInterrupt        # SIGTERM: stop the servers like Ctrl-C does


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    workdir = Path(tempfile.mkdtemp(prefix="bench_classroom-"))
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    try:
        with ServerPool(args.port_base, workdir, workers=args.workers) as pool:
            try:
                results = asyncio.run(asyncio.wait_for(run(args, pool), args.max_minutes * 60))
            except asyncio.TimeoutError:
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
    machine = {"cpus": os.cpu_count(), "loadavg_start": load_before, "loadavg_end": os.getloadavg()[0],
               "client_cpu_s": usage.ru_utime + usage.ru_stime, "total_s": time.perf_counter() - started}
    print(f"\ntotal {machine['total_s']:.0f} s; the simulated browsers used {machine['client_cpu_s']:.0f} s of CPU "
          f"(this process); {machine['cpus']} CPUs, 1-min load average {load_before:.1f} at the start, "
          f"{machine['loadavg_end']:.1f} at the end (above 0 before the start: other work shares the CPUs)")
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps({"args": vars(args), "machine": machine, **results},
                                              indent=1, default=str))
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
