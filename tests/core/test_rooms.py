"""Live sessions' rooms on SQLite and on a real redis-server: the lead PIN, the limits per browser
session, expiry (an injected clock), followers, questions answered once per session across store
objects and processes, the histogram and the reveal, size caps, and JSON only (a planted pickle is
refused, never executed)."""

from __future__ import annotations

import pickle
import stat
import sys
import threading
import types
from pathlib import Path

import pytest

from bench.storages import run_at_once
from core.data import rooms as R
from core.data.room_backend import (
    MAX_IDLE_CONNECTIONS,
    REDIS_PREFIX,
    RedisRoomBackend,
    SqliteRoomBackend,
    open_backend,
)
from core.data.room_questions import MAX_BARS, Question
from core.data.shared_store import SharedStoreError
from tests.core.queue_backends import RedisServer

LECTURER, STUDENT, OTHER = "lecturer-session", "student-session", "other-session"


class Clock:
    """Seconds that move only when a test says so."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "redis"])
def url(request, tmp_path):
    """An empty store of each kind: a SQLite file in tmp_path, or the module's redis-server (flushed)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'queue.sqlite'}"
    server = request.getfixturevalue("redis_server")
    open_backend(server.url()).conn.flushdb()
    return server.url()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(url, clock):
    return R.open_rooms(url, clock=clock)


def everything_stored(backend) -> bytes:
    """Every key and value the backend holds, concatenated (to look for a secret in it)."""
    if isinstance(backend, SqliteRoomBackend):
        with backend._conn() as conn:
            rows = (
                conn.execute("SELECT key, value FROM kv").fetchall()
                + conn.execute("SELECT key || field, value FROM fields").fetchall()
            )
        return b"".join(k.encode() + (bytes(v) if v is not None else b"") for k, v in rows)
    out = b""
    for key in backend.conn.scan_iter(match=REDIS_PREFIX + "*"):
        kind = backend.conn.type(key)
        if kind == b"string":
            out += key + backend.conn.get(key)
        elif kind == b"hash":
            out += key + b"".join(k + v for k, v in backend.conn.hgetall(key).items())
        else:
            out += key + b"".join(m for m, _ in backend.conn.zrange(key, 0, -1, withscores=True))
    return out


# --------------------------------------------------------------------------- opening, leading, the PIN
def test_a_room_has_a_hard_to_guess_code_and_a_pin_that_is_never_stored(store):
    rooms = [store.open_room() for _ in range(40)]
    assert len({r.code for r in rooms}) == 40
    for r in rooms:
        assert len(r.code) == R.CODE_LENGTH and set(r.code) <= set(R.CODE_ALPHABET)
        assert len(r.pin) == R.PIN_DIGITS and r.pin.isdigit()
    assert not set("01ILO") & set(R.CODE_ALPHABET) and len(R.CODE_ALPHABET) ** R.CODE_LENGTH > 8e8
    stored = everything_stored(store.backend)
    assert rooms[0].code.encode() in stored  # the walk sees the rooms ...
    assert not [r.pin for r in rooms if r.pin.encode() in stored]  # ... and no PIN in clear
    fresh = store.view(rooms[0].code)
    assert (fresh.version, fresh.page, fresh.params, fresh.question) == (0, "home", {}, None)
    assert (
        store.view(rooms[0].code.lower()[:3] + "-" + rooms[0].code[3:]).code == rooms[0].code
    )  # typed loosely


def test_only_the_pin_leads_and_wrong_pins_are_limited_per_browser_session(store, clock):
    room = store.open_room()
    view = store.lead(
        room.code,
        room.pin,
        {"page": "convolution", "params": {"stride": 2, "kernel": "sobel_x"}},
        session_id=LECTURER,
    )
    assert (view.version, view.page, view.params) == (1, "convolution", {"stride": "2", "kernel": "sobel_x"})
    again = store.lead(
        room.code,
        room.pin[:4] + " " + room.pin[4:],
        {"page": "convolution", "params": {"stride": 2, "kernel": "sobel_x"}},
        session_id=LECTURER,
    )
    assert again.version == 1  # the same view: no change for followers
    wrong = f"{(int(room.pin) + 1) % 10**R.PIN_DIGITS:0{R.PIN_DIGITS}d}"
    for _ in range(R.MAX_PIN_FAILURES):
        with pytest.raises(R.LeadRefused, match="wrong lead PIN"):
            store.lead(room.code, wrong, {"page": "pooling", "params": {}}, session_id=STUDENT)
    with pytest.raises(R.RoomLimited, match="too many wrong PINs"):  # now even the right PIN, from there
        store.lead(room.code, room.pin, {"page": "pooling", "params": {}}, session_id=STUDENT)
    for follower_change in (
        lambda: store.end_room(room.code, "", session_id=OTHER),
        lambda: store.ask(room.code, "12", Question("How many?"), session_id=OTHER),
    ):
        with pytest.raises(R.LeadRefused):
            follower_change()
    assert store.view(room.code).page == "convolution"  # nothing a follower did changed it
    assert (
        store.lead(room.code, room.pin, {"page": "pooling", "params": {}}, session_id=LECTURER).version == 2
    )
    clock.now += R.LIMIT_WINDOW_S  # the window has passed
    with pytest.raises(R.LeadRefused):
        R.RoomStore(store.backend, clock=clock).lead(
            room.code, wrong, {"page": "x", "params": {}}, session_id=STUDENT
        )


def test_a_fresh_store_object_checks_the_pin_against_the_stored_hash(store, url, clock):
    room = store.open_room()
    twin = R.open_rooms(url, clock=clock)  # another process's store
    assert twin.lead(room.code, room.pin, {"page": "pooling", "params": {}}, session_id=LECTURER).version == 1
    with pytest.raises(R.LeadRefused):
        twin.lead(room.code, "0000000x", {"page": "pooling", "params": {}}, session_id=OTHER)


def test_wrong_codes_are_limited_per_browser_session_not_per_room(store):
    room = store.open_room()
    unused = next(c * R.CODE_LENGTH for c in R.CODE_ALPHABET if c * R.CODE_LENGTH != room.code)
    for guess in [unused, "", "NOT A CODE", "x" * 500][:4] + [unused] * (R.MAX_JOIN_FAILURES - 4):
        with pytest.raises(R.RoomNotFound, match="no live session has this code"):
            store.join(guess, STUDENT)
    with pytest.raises(R.RoomLimited, match="too many wrong codes"):
        store.join(room.code, STUDENT)
    assert store.join(room.code, OTHER).code == room.code  # a neighbour on the same NAT joins


def test_a_room_expires_after_hours_idle_and_ends_when_the_lecturer_ends_it(store, clock):
    room, kept = store.open_room(), store.open_room()
    clock.now += R.IDLE_LIMIT_S - 60
    store.lead(kept.code, kept.pin, {"page": "pooling", "params": {}}, session_id=LECTURER)  # touched
    clock.now += 120
    assert store.view(room.code) is None and store.view(kept.code).page == "pooling"
    with pytest.raises(R.RoomNotFound):
        store.join(room.code, STUDENT)
    with pytest.raises(R.RoomNotFound):
        store.lead(room.code, room.pin, {"page": "pooling", "params": {}}, session_id=LECTURER)
    store.end_room(kept.code, kept.pin, session_id=LECTURER)
    assert store.view(kept.code) is None
    assert kept.code.encode() not in everything_stored(store.backend)  # every record of it deleted


def test_followers_are_counted_by_heartbeat_and_closed_tabs_drop_out(store, clock):
    room = store.open_room()
    assert [store.follow(room.code, f"s{i}") for i in range(3)] == [1, 2, 3]
    assert store.follow(room.code, "s0") == 3  # a heartbeat is not a new follower
    clock.now += R.FOLLOW_TTL_S - 1
    store.follow(room.code, "s1")
    clock.now += 2
    assert store.followers(room.code) == 1  # s0 and s2 closed their tabs
    store.unfollow(room.code, "s1")
    assert store.followers(room.code) == 0
    with pytest.raises(ValueError, match="session_id"):
        store.follow(room.code, "../etc/passwd")


# --------------------------------------------------------------------------- payload and caps
def test_the_lecturers_example_travels_by_digest_and_sizes_are_capped(store):
    room = store.open_room()
    photo = bytes(range(256)) * 400
    view = store.lead(
        room.code,
        room.pin,
        {
            "page": "convolution",
            "params": {"source": "upload"},
            "payload": photo,
            "payload_kind": "image/png",
        },
        session_id=LECTURER,
    )
    assert view.payload["size"] == len(photo) and view.payload["kind"] == "image/png"
    assert store.payload(room.code, view.payload["sha256"]) == ("image/png", photo)
    assert len(store.backend.get(f"room:{room.code}:view")) < 1024
    too_big = b"\0" * (R.MAX_PAYLOAD_BYTES + 1)
    with pytest.raises(ValueError, match="at most 256 KiB"):
        store.lead(
            room.code,
            room.pin,
            {"page": "convolution", "params": {}, "payload": too_big},
            session_id=LECTURER,
        )
    with pytest.raises(ValueError, match="at most 64 query parameters"):
        store.lead(
            room.code,
            room.pin,
            {"page": "convolution", "params": {f"p{i}": i for i in range(65)}},
            session_id=LECTURER,
        )
    with pytest.raises(ValueError, match="512 characters"):
        store.lead(
            room.code, room.pin, {"page": "convolution", "params": {"m": "9" * 513}}, session_id=LECTURER
        )
    with pytest.raises(ValueError, match="url path"):
        store.lead(room.code, room.pin, {"page": "../../secrets", "params": {}}, session_id=LECTURER)
    assert store.view(room.code).version == 1  # refused changes left no trace


def test_changes_from_two_store_objects_at_once_are_all_counted(url):
    store = R.open_rooms(url)
    room = store.open_room()
    stores = [R.open_rooms(url) for _ in range(2)]  # two web processes' stores
    start = threading.Barrier(2)

    def lead_many(which: int) -> None:
        start.wait()
        for i in range(20):
            stores[which].lead(
                room.code, room.pin, {"page": "pooling", "params": {"n": f"{which}-{i}"}}, session_id=LECTURER
            )

    threads = [threading.Thread(target=lead_many, args=(w,)) for w in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert store.view(room.code).version == 40  # no change lost to another


def test_the_same_example_is_stored_once_and_a_damaged_one_is_refused(store):
    room = store.open_room()
    photo = b"\x89PNG" + bytes(1000)
    first = store.lead(
        room.code,
        room.pin,
        {"page": "convolution", "params": {}, "payload": photo, "payload_kind": "image/png"},
        session_id=LECTURER,
    )
    key = f"room:{room.code}:payload:{first.payload['sha256']}"
    store.backend.put(key, R.dump_record({"kind": "image/png", "data": "AAAA"}), 60)  # not the photo
    again = store.lead(
        room.code,
        room.pin,
        {"page": "convolution", "params": {"x": 1}, "payload": photo, "payload_kind": "image/png"},
        session_id=LECTURER,
    )
    assert again.payload == first.payload and again.version == 2
    with pytest.raises(R.RoomDataError, match="does not match its digest"):
        store.payload(room.code, first.payload["sha256"])  # (it was not written again)
    store.backend.put(key, b'{"kind": "image/png"}', 60)
    with pytest.raises(R.RoomDataError, match="not base64"):
        store.payload(room.code, first.payload["sha256"])
    assert store.payload(room.code, "../../etc/passwd") is None


class Planted:
    """What an attacker with write access to the store would plant: unpickling it writes a file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "pwned"))


def test_a_planted_pickle_is_refused_and_never_executed(store, tmp_path):
    room = store.open_room()
    qid = store.ask(room.code, room.pin, Question("Output size?", answer=14), session_id=LECTURER)
    marker = tmp_path / "executed"
    blob = pickle.dumps(Planted(marker))
    store.backend.add_once(f"room:{room.code}:answers:{qid}", "planted", blob, cap=10, ttl_s=60)
    with pytest.raises(R.RoomDataError, match="not JSON"):
        store.histogram(room.code, qid)
    store.backend.put(f"room:{room.code}:view", blob, 60)
    with pytest.raises(R.RoomDataError, match="not JSON"):
        store.view(room.code)
    store.backend.put(f"room:{room.code}:view", b'["a", "list"]', 60)
    with pytest.raises(R.RoomDataError, match="not a JSON object"):
        store.view(room.code)
    assert not marker.exists()


# --------------------------------------------------------------------------- questions
def test_predict_then_reveal_a_numeric_question(store):
    room = store.open_room()
    qid = store.ask(
        room.code, room.pin, Question("Output width for stride 2?", answer=14), session_id=LECTURER
    )
    shown = store.view(room.code).question
    assert shown == {
        "id": qid,
        "page": "home",  # the page asked about hides its own result until the reveal
        "prompt": "Output width for stride 2?",
        "kind": "numeric",
        "choices": [],
        "revealed": False,
    }  # no answer in what followers read
    assert b"14" not in store.backend.get(f"room:{room.code}:view")
    answers = {"a": 14, "b": 14, "c": 13, "d": 28.0, "e": 14}
    assert all(store.answer(room.code, qid, s, v) for s, v in answers.items())
    assert store.answer(room.code, qid, "c", 14) is False  # a second answer: the first stays
    with pytest.raises(ValueError, match="must be a number"):
        store.answer(room.code, qid, "f", "fourteen")
    with pytest.raises(ValueError, match="finite"):
        store.answer(room.code, qid, "f", float("inf"))
    hist = store.histogram(room.code, qid)
    assert (hist.labels, hist.counts, hist.total, hist.answer) == (("13", "14", "28"), (1, 3, 1), 5, None)
    revealed = store.reveal(room.code, room.pin, qid, session_id=LECTURER)
    assert (revealed.answer, revealed.revealed, revealed.counts) == (14.0, True, (1, 3, 1))
    assert store.view(room.code).question["answer"] == 14.0 and store.view(room.code).question["revealed"]
    with pytest.raises(R.RoomError, match="revealed"):
        store.answer(room.code, qid, "late", 14)


def test_a_multiple_choice_question_counts_every_choice(store):
    room = store.open_room()
    q = Question("Which class?", "choice", ("cat", "dog", "ship"), answer="ship")
    qid = store.ask(room.code, room.pin, q, session_id=LECTURER)
    for session, value in [("a", "dog"), ("b", "ship"), ("c", "dog")]:
        store.answer(room.code, qid, session, value)
    with pytest.raises(ValueError, match="one of"):
        store.answer(room.code, qid, "d", "horse")
    hist = store.histogram(room.code, qid)
    assert (hist.labels, hist.counts, hist.total) == (("cat", "dog", "ship"), (0, 2, 1), 3)
    with pytest.raises(ValueError, match="not one of the choices"):
        Question("Which?", "choice", ("a", "b"), answer="c")


def test_many_distinct_numeric_answers_are_binned():
    from core.data.room_questions import histogram_of

    hist = histogram_of(Question("Loss?"), [float(v) for v in range(100)], revealed=False)
    assert len(hist.labels) == MAX_BARS and sum(hist.counts) == 100 and hist.labels[-1].endswith("]")
    assert hist.counts[0] == 9 and hist.counts[-1] == 9  # width 99/12: 0..8, and 91..99


def answer_from(url: str, code: str, qid: str, sessions: list[str], start, results) -> None:
    """One worker: its own store object (connection), all ``sessions`` answering as fast as it can."""
    store = R.open_rooms(url)
    start.wait()
    results.put(sum(store.answer(code, qid, s, float(i % 7)) for i, s in enumerate(sessions)))


def test_one_answer_per_session_is_counted_once_across_threads(url):
    store = R.open_rooms(url)  # real time, as the workers
    room = store.open_room()
    qid = store.ask(room.code, room.pin, Question("Predict"), session_id=LECTURER)
    sessions = [f"s{i}" for i in range(60)]
    import queue

    start, results = threading.Barrier(4), queue.Queue()
    threads = [
        threading.Thread(target=answer_from, args=(url, room.code, qid, sessions, start, results))
        for _ in range(4)
    ]  # four store objects, same sessions
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    counted = [results.get_nowait() for _ in threads]
    assert sum(counted) == 60 and store.histogram(room.code, qid).total == 60


def test_sqlite_connections_are_reused_by_short_lived_threads_and_bounded(tmp_path):
    store = R.open_rooms(f"sqlite:///{tmp_path / 'queue.sqlite'}")
    backend = store.backend
    room = store.open_room()
    opened = backend.opened

    def poll() -> None:  # one follower's check: one script run, one new thread, as Streamlit's
        assert store.view(room.code).code == room.code

    for _ in range(200):
        thread = threading.Thread(target=poll)
        thread.start()
        thread.join(10)
    assert backend.opened == opened  # 200 threads, one after another: no new connection

    start = threading.Barrier(40)
    seen = []

    def poll_together() -> None:
        start.wait(10)
        for _ in range(20):
            seen.append(store.view(room.code).version)

    threads = [threading.Thread(target=poll_together) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert seen == [0] * 800
    assert backend.opened <= opened + 40  # at most one per thread lent at once
    assert backend.idle_connections() <= MAX_IDLE_CONNECTIONS  # the rest closed when given back
    before = backend.opened
    for _ in range(3):  # and a later wave reuses the pool again
        threads = [threading.Thread(target=poll) for _ in range(MAX_IDLE_CONNECTIONS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
    assert backend.opened - before <= MAX_IDLE_CONNECTIONS


def test_a_failed_write_does_not_lend_a_connection_inside_a_transaction(tmp_path):
    backend = SqliteRoomBackend(tmp_path / "rooms.sqlite")

    def refuse(raw):
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        backend.update("k", refuse, 60)
    backend.put("k", b"v", 60)  # the pool's connection is not left in the failed transaction
    assert backend.get("k") == b"v" and backend.update("k", lambda raw: raw + b"w", 60) == b"vw"


def test_one_answer_per_session_is_counted_once_across_processes(url, monkeypatch):
    # spawn re-runs the parent's __main__ file in each child; after AppTest.from_function in this process
    # that is a
    # page script in a temporary folder (gone by now), so the children start from a bare __main__.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    store = R.open_rooms(url)  # real time, as the workers
    room = store.open_room()
    qid = store.ask(room.code, room.pin, Question("Predict"), session_id=LECTURER)
    sessions = [f"p{i}" for i in range(80)]
    counted = run_at_once(answer_from, (url, room.code, qid, sessions), timeout=120)
    assert sum(counted) == 80 and store.histogram(room.code, qid).total == 80
    assert sum(store.histogram(room.code, qid).counts) == 80


def test_answers_per_question_are_capped(store, monkeypatch):
    monkeypatch.setattr(R, "MAX_ANSWERS", 3)
    room = store.open_room()
    qid = store.ask(room.code, room.pin, Question("Predict"), session_id=LECTURER)
    for s in "abc":
        store.answer(room.code, qid, s, 1)
    with pytest.raises(R.RoomError, match="has its 3 answers"):
        store.answer(room.code, qid, "d", 1)


# --------------------------------------------------------------------------- where the rooms live
def test_the_default_sqlite_file_sits_in_the_queues_private_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("NEURAL_EXPLAINER_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("NEURAL_EXPLAINER_QUEUE_URL", raising=False)
    backend = open_backend()
    assert isinstance(backend, SqliteRoomBackend)
    assert backend.path == tmp_path / "cache" / "queue" / "rooms.sqlite"
    assert stat.S_IMODE(backend.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(backend.path.stat().st_mode) == 0o600
    named = open_backend(f"sqlite:///{tmp_path / 'elsewhere' / 'queue.sqlite'}")
    assert named.path.samefile(tmp_path / "elsewhere" / "rooms.sqlite")  # beside the queue's own file
    with pytest.raises(ValueError, match="redis://... or sqlite:///path"):
        open_backend("postgres://db/x")


def test_redis_without_its_password_refuses_the_rooms_clearly(tmp_path):
    server = RedisServer(tmp_path, password="pw-for-the-rooms")
    try:
        with pytest.raises(SharedStoreError, match="refused the live sessions: it requires a password"):
            open_backend(server.url())
        backend = open_backend(server.url(password="pw-for-the-rooms"))
        assert isinstance(backend, RedisRoomBackend)
        assert R.RoomStore(backend).open_room().code
    finally:
        server.stop()
