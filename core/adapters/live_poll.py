"""A live session's version route: the follower's browser waits for a change, not a Python run.

A follower used to learn of the lecturer's change by a browser-timed ``st.fragment(run_every=1 s)``:
a script run per follower per second, about 2 ms of server CPU each even for an empty fragment
(Streamlit's own cost: a ``rerun_script``, a script run, its deltas and ``script_finished``). Here the
follower's page mounts a script-only component (``static/live_follow.js``, components v2: no iframe,
nothing fetched from outside) that asks this process's route ``GET {base}/api/live/{CODE}?v=VERSION``
for the room's version (one small JSON answer, no script run). The route holds a request that names
the version its page shows until the room's version is another, for at most :data:`WAIT_S` seconds
(a long poll, :data:`MAX_WAITING` at most per process, each waiter looking at the shared cached read
every :data:`CACHE_S` seconds), so a follower between changes costs one request per :data:`WAIT_S`.
The browser then asks Python for a check (a trigger, which reruns the follower's page once: that run
moves to the lecturer's view) when the version differs from the one the page shows; the follower's
heartbeat is a timed fragment of its own (:mod:`core.adapters.live_session`).

The route is added to the running Starlette app of ``streamlit run`` (Streamlit 1.67 serves its
protocol with Starlette; ``st.App(routes=...)`` is the public way to add one, but needs its own
launcher): :func:`serve` finds the app through the session's websocket scope (``scope["app"]``)
the first time a follower joins in this process, and inserts the route before Streamlit's own. Where
that is impossible (AppTest, another server), :func:`serve` returns None and the follower keeps the
timed fragment. The route answers only codes joined in this process (:data:`MAX_ROOMS` at most, the
oldest forgotten first: a made-up code costs a dictionary look-up, never a store read), and reads
each room from the store at most once per :data:`CACHE_S` seconds whatever the number of followers:
with SQLite on one machine or Redis across machines, every worker answers from the shared store.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict

from core.data.room_records import RoomError, normalise_code
from core.data.shared_store import SharedStoreError

__all__ = [
    "CACHE_S",
    "MAX_ROOMS",
    "MAX_WAITING",
    "POLL_S",
    "ROUTE",
    "ROUTE_ENV",
    "WAIT_S",
    "room_version",
    "route_path",
    "serve",
]

#: The follower's browser asks again this long after an answer (a long poll's, or an error's base).
POLL_S = 1.0
#: A room's version is read from the store at most this often per process, seconds.
CACHE_S = 0.25
#: Rooms this process answers for (joined here); the least recently joined are forgotten first.
MAX_ROOMS = 256
#: The route's path under the app's base path.
ROUTE = "api/live/{code}"
#: ``0`` in the environment: no route, followers keep the timed fragment (a proxy that does not pass
#: ``api/``; the benchmark's reference).
ROUTE_ENV = "NEURAL_EXPLAINER_LIVE_ROUTE"

#: A request that names the version its page shows waits this long for another, seconds (a long
#: poll: a follower costs one request per change or per WAIT_S, not one per POLL_S).
WAIT_S = 20.0
#: Requests waiting at once per process; past it, a request is answered at once.
MAX_WAITING = 4096

_lock = threading.Lock()
_waiting = 0
_installed: bool | None = None  # None: not tried yet in this process
_rooms: OrderedDict[str, object] = OrderedDict()  # code -> its store
_cache: dict[str, tuple[float, int | None]] = {}  # code -> (read at, version or None: no room)


def route_path(code: str, base_path: str = "") -> str:
    """The path a browser asks for ``code``'s version, under the server's ``baseUrlPath``.

    Examples
    --------
    >>> route_path("ABC234", "lecture/")
    '/lecture/api/live/ABC234'
    """
    base = base_path.strip("/")
    return "/" + (base + "/" if base else "") + ROUTE.format(code=code)


def room_version(code: str, *, now: float | None = None) -> tuple[int, int | None]:
    """What the route answers for ``code``: ``(HTTP status, version)``.

    ``(404, None)`` for a code not joined in this process (or not a code at all), ``(200, None)``
    for a room that ended or expired, ``(200, version)`` for an open room, ``(503, None)`` when the
    store cannot be read. The store is read at most once per :data:`CACHE_S` seconds per code.
    """
    code = normalise_code(code)
    store = _rooms.get(code) if code is not None else None
    if store is None:
        return 404, None
    now = time.monotonic() if now is None else now
    cached = _cache.get(code)
    if cached is not None and now - cached[0] < CACHE_S:
        return 200, cached[1]
    try:
        view = store.view(code)
    except (RoomError, SharedStoreError, OSError):
        return 503, None
    version = None if view is None else int(view.version)
    _cache[code] = (now, version)
    return 200, version


async def _answer(request):
    """``?v=VERSION``: wait (at most :data:`WAIT_S`) until the room's version is another; else at once."""
    import asyncio

    from starlette.responses import JSONResponse

    global _waiting
    code = str(request.path_params.get("code", ""))[:16]
    known = str(request.query_params.get("v", ""))[:12]
    status, version = room_version(code)
    if known and status == 200 and str(version) == known and _waiting < MAX_WAITING:
        _waiting += 1  # one event loop: no lock needed
        try:
            deadline = time.monotonic() + WAIT_S
            while status == 200 and str(version) == known and time.monotonic() < deadline:
                await asyncio.sleep(CACHE_S)  # every waiter of a room shares one read per CACHE_S
                status, version = room_version(code)
        finally:
            _waiting -= 1
    return JSONResponse({"v": version}, status_code=status, headers={"Cache-Control": "no-store"})


def _running_app():
    """The Starlette app serving this script run's session, or None (no server, another server)."""
    try:
        from streamlit.runtime import Runtime
        from streamlit.runtime.scriptrunner import get_script_run_ctx

        ctx = get_script_run_ctx()
        if ctx is None or not Runtime.exists():
            return None
        client = Runtime.instance().get_client(ctx.session_id)
        websocket = getattr(client, "_websocket", None)
        app = getattr(websocket, "scope", {}).get("app")
        from starlette.applications import Starlette
    except Exception:  # noqa: BLE001 (Streamlit internals changed: the follower keeps the timed fragment)
        return None
    return app if isinstance(app, Starlette) else None  # AppTest's runtime is a stand-in


def _install(base_path: str) -> bool:
    global _installed
    if _installed is not None:
        return _installed
    app = _running_app()
    if app is None:
        return False  # tried again by the next follower's run (the first may be an AppTest)
    from starlette.routing import Route

    app.router.routes.insert(0, Route(route_path("{code}", base_path), _answer, methods=["GET"]))
    _installed = True
    return True


def serve(code: str, store, base_path: str = "") -> str | None:
    """Answer ``code``'s version on this process's route; the path to poll, or None if there is none.

    Parameters
    ----------
    code : str
        A room code that a session of this process joined (the store said it exists).
    store : core.data.rooms.RoomStore
        The store the route reads the room from.
    base_path : str
        The server's ``server.baseUrlPath``.

    Returns
    -------
    str or None
        The route's path for ``code``, or None where no route can be added (then the caller keeps a
        timed check).
    """
    code = normalise_code(code)
    if code is None:
        raise ValueError("serve needs a room code as the store writes it (letters and digits)")
    with _lock:
        _rooms[code] = store
        _rooms.move_to_end(code)
        while len(_rooms) > MAX_ROOMS:
            forgotten, _ = _rooms.popitem(last=False)
            _cache.pop(forgotten, None)
        installed = os.environ.get(ROUTE_ENV, "1") != "0" and _install(base_path)
    return route_path(code, base_path) if installed else None
