"""A live session's follower as its browser behaves (``core/adapters/live_session.py``), over
Streamlit's protocol (:class:`bench.classroom.session.BrowserSession`).

Two routes, whichever the server draws:

* **version route** (``core/adapters/live_poll.py``, ``static/live_follow.js``): the page draws a
  script-only component; the browser asks ``GET /api/live/CODE?v=SEEN`` (a long poll: the server
  answers when the version is not ``SEEN``, or after 20 s; one kept-alive HTTP/1.1 connection, the
  session's HAProxy cookie) and reruns the page (a ``rerun_script``, what the component's trigger
  sends) only when the version differs from the one it last saw; the heartbeat is the page's timed
  fragment (the server's ``auto_rerun``, every 30 s / 3), rerun by the browser's timer;
* **timed fragment** (the server's ``auto_rerun``): a ``rerun_script`` of that fragment every interval
  after the last one finished, as the browser's timer does.

A follower has *arrived* at a change when a finished run shows the change's parameters in its link.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from urllib.parse import parse_qs

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench.classroom.session import BrowserSession

POLL_S = 1.0  # core.adapters.live_poll.POLL_S
WAIT_S = 20.0  # core.adapters.live_poll.WAIT_S
WATCH = "neural_explainer_live_follow"  # the component's name (live_session.py)


class VersionClient:
    """``GET path`` on one kept-alive HTTP/1.1 connection (a browser's ``fetch``); the JSON's ``v``."""

    def __init__(self, port: int, cookie: str) -> None:
        self.port, self.cookie = port, cookie
        self.reader = self.writer = None

    async def get(self, path: str, timeout: float = 10.0):
        for attempt in (0, 1):  # a connection the server closed is opened again once
            try:
                if self.writer is None:
                    self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
                cookie = f"Cookie: {self.cookie}\r\n" if self.cookie else ""
                self.writer.write(
                    f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n{cookie}\r\n".encode()
                )
                head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), timeout)
                status = int(head.split(b" ", 2)[1])
                length = next(
                    int(line.split(b":", 1)[1])
                    for line in head.lower().split(b"\r\n")
                    if line.startswith(b"content-length:")
                )
                body = await asyncio.wait_for(self.reader.readexactly(length), timeout)
                return status, body
            except (OSError, asyncio.IncompleteReadError, StopIteration, ValueError):
                await self.close()
                if attempt:
                    raise
        raise OSError("unreachable")

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Follower(BrowserSession):
    """A tab that joined room ``code``: it follows by the version route, or by the timed fragment."""

    def __init__(self, *args, code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.code = code
        self.auto: tuple[float, str] | None = None
        self.watching = False  # the page drew the browser's wait (live_follow.js)
        self.arrived: dict[int, float] = {}
        self.failed = 0
        self.statuses: dict[str, int] = {}
        self.polls = self.poll_errors = 0
        self.lock = asyncio.Lock()  # one run at a time, as a browser's session
        self.asked = time.perf_counter()

    def _on_message(self, raw: bytes, now: float) -> None:
        super()._on_message(raw, now)
        msg = ForwardMsg.FromString(raw)
        kind = msg.WhichOneof("type")
        if kind == "auto_rerun":
            self.auto = (msg.auto_rerun.interval, msg.auto_rerun.fragment_id)
        elif kind == "stop_auto_rerun":
            self.auto = None

    def _on_element(self, msg: ForwardMsg, raw: bytes, now: float, action) -> None:
        super()._on_element(msg, raw, now, action)  # msg: resolved from the message cache
        element = msg.delta.new_element
        if element.WhichOneof("type") == "bidi_component" and element.bidi_component.component_name.endswith(
            WATCH
        ):
            self.watching = True

    def shows(self, params: dict) -> bool:
        query = {k: v[-1] for k, v in parse_qs(self.query).items()}
        return all(query.get(k) == v for k, v in params.items())

    async def check(self, label: str, fragment_id: str, changes: list):
        self.asked = time.perf_counter()
        async with self.lock:
            action = await self.rerun("tick", label, fragment_id=fragment_id)
        self.failed += not action.ok
        self.statuses[action.status] = self.statuses.get(action.status, 0) + 1
        if changes and action.ok:
            index, _, params = changes[-1]
            if index not in self.arrived and self.shows(params):
                self.arrived[index] = action.done
        return action

    async def follow(self, stop: asyncio.Event, changes: list) -> None:
        client = VersionClient(self.server.port, self.cookie)
        beats = asyncio.create_task(self._beat(stop, changes))
        seen = ""
        await asyncio.sleep(random.random() * POLL_S)
        try:
            while not stop.is_set() and not self.closed:
                if self.watching:
                    try:  # a long poll: the server answers when the version is not ``seen``
                        status, body = await client.get(
                            f"/api/live/{self.code}?v={seen}", timeout=WAIT_S + 10
                        )
                        self.polls += 1
                        version = str(json.loads(body)["v"]) if status == 200 else None
                    except (OSError, TimeoutError, ValueError, KeyError):
                        self.poll_errors += 1
                        version = None
                    if version is None:
                        await asyncio.sleep(POLL_S)
                    elif version != seen:
                        seen = version
                        await self.check("watch", "", changes)  # the whole page, once
                elif self.auto is not None:
                    await asyncio.sleep(self.auto[0])
                    await self.check("tick", self.auto[1], changes)
                else:
                    await asyncio.sleep(0.2)
        finally:
            beats.cancel()
            await asyncio.gather(beats, return_exceptions=True)
            await client.close()

    async def _beat(self, stop: asyncio.Event, changes: list) -> None:
        """The browser's heartbeat: the page's timed fragment, every ``auto_rerun`` interval (version
        route only; with the timed check, that fragment is the check itself)."""
        beat = time.perf_counter()
        while not stop.is_set() and not self.closed:
            await asyncio.sleep(1.0)
            if self.watching and self.auto is not None and time.perf_counter() - beat >= self.auto[0]:
                beat = time.perf_counter()
                await self.check("beat", self.auto[1], changes)

    async def answer(self, question_id: str, value: float, timeout: float = 10.0) -> bool:
        """Type ``value`` into the open question's number field and send it, as the page's form."""
        deadline = time.perf_counter() + timeout
        key = f"liveq_num_{question_id}"
        while self.widgets.find(key) is None and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)  # the question reaches the page at the follower's next check
        if self.widgets.find(key) is None:
            return False
        async with self.lock:
            typed = await self.click(key, value)
            sent = await self.click(f"liveq_send_{question_id}", True)
        return typed.ok and sent.ok and typed.kind == "click" and sent.kind == "click"
