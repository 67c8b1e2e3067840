"""One simulated browser tab: Streamlit's websocket protocol as its own frontend speaks it (checked
against Streamlit 1.67), and what came back for each view or click.

* websocket ``/_stcore/stream``, ``Sec-WebSocket-Protocol: streamlit, PLACEHOLDER_AUTH_TOKEN`` (what
  the browser sends without an XSRF cookie; the server only uses it for auth cookies) and an
  ``Origin`` equal to the host;
* a ``BackMsg.rerun_script`` ``ClientState`` per view or click: ``query_string`` (the URL's, updated
  by ``page_info_changed`` as the app syncs its URL), ``page_name`` = the URL path (``""`` for the
  default page) until the server has named the page, then ``page_script_hash`` (from
  ``new_session``, then ``navigation``) and no name; ``context_info``; ``widget_states`` = every
  widget the page drew (``widgets.py``);
* ``fragment_id`` = the ``Delta.fragment_id`` of the changed widget's delta, so a widget inside an
  ``st.fragment`` reruns only that fragment (``script_finished`` then says
  ``FINISHED_FRAGMENT_RUN_SUCCESSFULLY``);
* the ForwardMsg cache (``message_cache.py``), so the bytes counted are those a browser receives;
* a view or click is done at the first ``script_finished`` that is not ``FINISHED_EARLY_FOR_RERUN``
  (``st.rerun()`` and the first deep-link run end early and start another run).

Through ``make serve``'s HAProxy a session first loads the page over HTTP to get the stickiness
cookie, then sends it with its websocket and media requests, and counts media requests answered by
another worker ("sticky misses").
"""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import re
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from bench.classroom.message_cache import MessageCache
from bench.classroom.scenarios import BARE
from bench.classroom.servers import Server
from bench.classroom.widgets import WidgetTracker, clicked_state

STICKY_COOKIE = "NESERVER"  # deploy/local/haproxy.cfg.tmpl
MEDIA_URL = re.compile(rb"(?:/media/[0-9A-Za-z_.-]+|app/static/[0-9A-Za-z_./%-]+)")
STATUS_NAMES = {
    ForwardMsg.FINISHED_SUCCESSFULLY: "finished",
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY: "fragment",
}  # else "compile_error"


def http_get(url: str, timeout: float, cookie: str) -> tuple[bytes, str, str]:
    """GET with the session's cookie; (body, the HAProxy stickiness cookie it set or "", the worker
    that answered from ``X-Served-By`` or "")."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (127.0.0.1 only)
        body = response.read()
        sticky = next(
            (
                c.split(";")[0]
                for c in response.headers.get_all("Set-Cookie") or []
                if c.startswith(STICKY_COOKIE + "=")
            ),
            "",
        )
        return body, sticky, response.headers.get("X-Served-By", "")


@dataclass
class Action:
    """One rerun request (view, click, fallback or form submit) and what came back for it."""

    kind: str
    label: str
    sent: float
    done: float | None = None
    status: str = ""  # finished | fragment | compile_error | timeout | closed | error
    ws_bytes: int = 0
    media_bytes: int = 0
    messages: int = 0
    refs: int = 0
    ref_saved_bytes: int = 0
    runs: int = 0
    exceptions: int = 0
    first_heading: float | None = None
    page_not_found: bool = False
    element_hashes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # "Type: message" of each exception
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
        return {
            "kind": self.kind,
            "label": self.label,
            "status": self.status,
            "latency_s": round(self.latency, 4),
            "ws_bytes": self.ws_bytes,
            "media_bytes": self.media_bytes,
            "messages": self.messages,
            "refs": self.refs,
            "ref_saved_bytes": self.ref_saved_bytes,
            "runs": self.runs,
            "elements": len(self.element_hashes),
            "exceptions": self.exceptions,
            "errors": self.errors,
            "digest": self.digest,
            "heading_s": None if self.first_heading is None else round(self.first_heading - self.sent, 4),
        }


class BrowserSession:
    """One student's browser tab on one page: a websocket, the message cache and the widget states."""

    def __init__(
        self,
        server: Server,
        page: str,
        *,
        query: str = "",
        timeout: float = 120.0,
        log: Callable[[Action], None] | None = None,
        cookie: str = "",
    ):
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
        self.reader: asyncio.Task | None = None
        self.current: Action | None = None
        self.closed = False
        self.log = log

    async def open(self) -> None:
        """Through the proxy, first load the page as a browser does: HAProxy's answer sets the
        cookie that keeps this session's websocket and media requests on one worker."""
        if self.server.workers:
            _, sticky, self.served_by = await asyncio.to_thread(
                http_get, f"{self.server.base}/{self.page_name}", self.timeout, self.cookie
            )
            if sticky:
                self.cookie = sticky
        uri = f"ws://127.0.0.1:{self.server.port}/_stcore/stream"
        self.ws = await connect(
            uri,
            subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
            origin=self.server.base,
            max_size=None,
            open_timeout=self.timeout,
            additional_headers={"Cookie": self.cookie} if self.cookie else None,
            proxy=None,
            user_agent_header="bench_classroom (Streamlit protocol emulation)",
        )
        self.reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            self.reader.cancel()
            # a cancel of close() itself still propagates
            await asyncio.gather(self.reader, return_exceptions=True)

    async def _read(self) -> None:
        status = "closed"
        try:
            async for raw in self.ws:
                if isinstance(raw, bytes):
                    self._on_message(raw, time.perf_counter())
        except ConnectionClosed:
            pass
        except Exception as exc:  # noqa: BLE001 - a message this emulation cannot handle
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

    def _on_element(self, msg: ForwardMsg, raw: bytes, now: float, action: Action | None) -> None:
        element = msg.delta.new_element
        self.widgets.element(element, msg.delta.fragment_id)
        if action is None:
            return
        kind = element.WhichOneof("type")
        if kind != "download_button":  # its deferred_file_id is new on every run
            action.element_hashes.append(msg.hash or hashlib.sha1(raw).hexdigest())
        if kind == "exception":
            action.exceptions += 1
            action.errors.append(f"{element.exception.type}: {element.exception.message[:300]}")
        elif kind == "heading" and action.first_heading is None:
            action.first_heading = now
        if kind in ("imgs", "plotly_chart", "markdown", "html", "video", "audio"):
            action.media_urls += [u.decode() for u in MEDIA_URL.findall(element.SerializeToString())]

    def _on_script_finished(self, msg: ForwardMsg, now: float, action: Action | None) -> None:
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
            action.status = STATUS_NAMES.get(status, "compile_error")
            action.finished.set()

    def _client_state(self, fragment_id: str, extra: list[WidgetState]) -> ClientState:
        state = ClientState(
            query_string=self.query, fragment_id=fragment_id, cached_message_hashes=self.cache.hashes()
        )
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

    async def rerun(
        self,
        kind: str,
        label: str,
        *,
        fragment_id: str = "",
        extra: list[WidgetState] | None = None,
        timeout: float | None = None,
    ) -> Action:
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
        except TimeoutError:
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
                    http_get, self.server.base + "/" + url.lstrip("/"), self.timeout, self.cookie
                )
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
        reason = (
            "not on the page"
            if widget is None
            else "disabled"
            if getattr(widget.proto, "disabled", False)
            else "in a form"
            if widget.form_id
            else ""
        )
        state = None if reason else clicked_state(widget, value)
        if state is None:
            return await self.rerun("fallback", f"{key}={value} ({reason or 'value not accepted'})")
        if widget.kind != "button":
            widget.state = state
        return await self.rerun(
            "click",
            f"{key}={value}",
            fragment_id=widget.fragment_id,
            extra=[state] if widget.kind == "button" else [],
        )

    async def submit_form(self, form_id: str, values: dict, timeout: float) -> Action | None:
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
        return await self.rerun(
            "submit", f"{form_id} {values}", fragment_id=button.fragment_id, extra=[trigger], timeout=timeout
        )
