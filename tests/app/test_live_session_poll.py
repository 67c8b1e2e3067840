"""The follower's version route (:mod:`core.adapters.live_poll`): what it answers for a room joined in
this process, a made-up code, an ended room; one store read per room per ``CACHE_S`` whatever the
number of followers asking; the oldest rooms forgotten past ``MAX_ROOMS``. A real SQLite room store."""

from __future__ import annotations

import pytest

from core.adapters import live_poll
from core.data.rooms import open_rooms


class CountingStore:
    """The real store, counting its ``view`` reads."""

    def __init__(self, store):
        self.store, self.reads = store, 0

    def view(self, code):
        self.reads += 1
        return self.store.view(code)


@pytest.fixture
def rooms(tmp_path):
    return open_rooms(f"sqlite:///{tmp_path / 'queue.sqlite'}")


def test_route_path_under_the_base_path():
    assert live_poll.route_path("ABC234") == "/api/live/ABC234"
    assert live_poll.route_path("ABC234", "/lecture/") == "/lecture/api/live/ABC234"


def test_a_served_room_answers_its_version_from_one_read_per_interval(rooms):
    room = rooms.open_room()
    rooms.lead(room.code, room.pin, {"page": "pooling", "params": {}}, session_id="lead")
    store = CountingStore(rooms)
    assert live_poll.serve(room.code.lower(), store) is None  # no server in this process: no route
    version = rooms.view(room.code).version
    answers = [live_poll.room_version(room.code, now=100.0 + i * 0.01) for i in range(20)]
    assert answers == [(200, version)] * 20 and store.reads == 1  # twenty followers, one read
    rooms.lead(room.code, room.pin, {"page": "convolution", "params": {}}, session_id="lead")
    assert live_poll.room_version(room.code, now=100.0 + live_poll.CACHE_S) == (200, version + 1)
    assert store.reads == 2
    rooms.end_room(room.code, room.pin, session_id="lead")
    assert live_poll.room_version(room.code, now=200.0) == (200, None)  # ended: the page checks


def test_codes_not_joined_here_cost_no_read(rooms):
    store = CountingStore(rooms)
    room = rooms.open_room()
    live_poll.serve(room.code, store)
    other = rooms.open_room()  # exists in the store, never joined in this process
    for code in (other.code, "ZZZZZZ", "../../etc", "", "x" * 40):
        assert live_poll.room_version(code, now=300.0) == (404, None)
    assert store.reads == 0
    with pytest.raises(ValueError, match="room code"):
        live_poll.serve("not a code!", store)


def test_the_oldest_rooms_are_forgotten_past_the_limit(rooms, monkeypatch):
    monkeypatch.setattr(live_poll, "MAX_ROOMS", 2)
    codes = [rooms.open_room().code for _ in range(3)]
    for code in codes:
        live_poll.serve(code, rooms)
    assert live_poll.room_version(codes[0], now=400.0) == (404, None)
    assert [live_poll.room_version(c, now=400.0)[0] for c in codes[1:]] == [200, 200]


def ask(code: str, version=None):
    """The route's answer to ``GET /api/live/CODE[?v=version]``: (status, JSON)."""
    import asyncio
    import json

    from starlette.requests import Request

    query = b"" if version is None else f"v={version}".encode()
    scope = {
        "type": "http",
        "method": "GET",
        "path_params": {"code": code},
        "query_string": query,
        "headers": [],
    }
    response = asyncio.run(live_poll._answer(Request(scope)))
    assert response.headers["cache-control"] == "no-store"
    return response.status_code, json.loads(response.body)


def test_the_route_holds_a_request_until_the_version_changes(rooms, monkeypatch):
    """``?v=`` the version the page shows: the answer comes when the lead changes the view, or after
    WAIT_S; without ``v`` (or with another version) at once."""
    import threading
    import time

    monkeypatch.setattr(live_poll, "WAIT_S", 1.5)
    room = rooms.open_room()
    live_poll.serve(room.code, rooms)
    version = rooms.view(room.code).version

    assert ask(room.code) == (200, {"v": version})  # no version named: at once
    assert ask(room.code, version + 7) == (200, {"v": version})  # another version: at once
    start = time.monotonic()
    assert ask(room.code, version) == (200, {"v": version})  # nothing changed: after WAIT_S
    assert 1.4 <= time.monotonic() - start < 3.0

    lead = threading.Timer(
        0.5, rooms.lead, (room.code, room.pin, {"page": "pooling", "params": {}}), {"session_id": "lead"}
    )
    lead.start()
    start = time.monotonic()
    assert ask(room.code, version) == (200, {"v": version + 1})
    assert 0.4 <= time.monotonic() - start < 1.4  # the change, within CACHE_S of it
    assert ask("ZZZZZZ", 1) == (404, {"v": None})
