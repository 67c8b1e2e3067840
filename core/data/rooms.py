"""Live sessions: a lecturer's room that the class follows, and its questions ("predict, then reveal").

A room is a few JSON records in the shared store (:mod:`core.data.room_backend`: SQLite on one machine,
Redis when ``$NEURAL_EXPLAINER_QUEUE_URL`` says so), so every web process and machine sees the same:

- ``view`` — the one small record a follower polls every second: the lecturer's page, its query
  parameters, the digest of the lecturer's own example (``payload``, fetched only when it changes),
  the open question without its answer, and a ``version`` that counts the changes.
- ``lead`` — the salted ``hashlib.scrypt`` hash of the lead PIN (the PIN itself is shown once, by
  :meth:`RoomStore.open_room`, and never stored). Every change (:meth:`~RoomStore.lead`,
  :meth:`~RoomStore.ask`, :meth:`~RoomStore.reveal`, :meth:`~RoomStore.end_room`) needs it.
- ``payload:<sha256>``, ``q:<id>`` (a question with its hidden answer), ``answers:<id>`` (one field per
  browser session: counted once across processes), ``followers`` (heartbeats, counted over
  :data:`FOLLOW_TTL_S`).

Limits: wrong codes (:meth:`~RoomStore.join`) and wrong PINs are counted per browser session id,
never per IP address (a hall shares one campus NAT address); a room unchanged for :data:`IDLE_LIMIT_S`
is gone; every size is capped before anything is stored. Records are JSON, checked when read: any other
bytes found under a room's key (a planted pickle) are refused with :class:`RoomDataError`, never loaded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.data.room_questions import Histogram, Question, histogram_of
from core.data.room_records import (  # noqa: F401
    CODE_ALPHABET,
    CODE_LENGTH,
    MAX_PAYLOAD_BYTES,
    MAX_VIEW_RECORD_BYTES,
    PIN_DIGITS,
    LeadRefused,
    RoomDataError,
    RoomError,
    RoomLimited,
    RoomNotFound,
    check_session_id,
    clean_params,
    dump_record,
    load_record,
    normalise_code,
    pin_hash,
    valid_page,
)

#: A room no lecturer changed for this long is gone (3 hours: a lecture and its break).
IDLE_LIMIT_S = 3 * 3600.0
#: A follower whose last heartbeat is older than this is no longer counted (a closed tab).
FOLLOW_TTL_S = 30.0
#: Failures per browser session within :data:`LIMIT_WINDOW_S`, then refused until the window ends.
MAX_JOIN_FAILURES = 10
MAX_PIN_FAILURES = 5
LIMIT_WINDOW_S = 15 * 60.0
#: Caps on the counts.
MAX_QUESTIONS = 100
MAX_ANSWERS = 2000
MAX_FOLLOWERS = 5000


@dataclass(frozen=True)
class OpenedRoom:
    """What :meth:`RoomStore.open_room` returns: ``pin`` is shown once and stored only as a hash."""

    code: str
    pin: str


@dataclass(frozen=True)
class RoomView:
    """The record a follower polls (``RoomStore.view``).

    ``params`` are the page's query parameters; ``payload`` is ``{"sha256", "kind", "size"}`` of the
    lecturer's example or None; ``question`` is ``{"id", "page", "prompt", "kind", "choices", "revealed"}``
    (plus ``"answer"`` once revealed) or None.
    """

    code: str
    version: int
    page: str
    params: dict
    payload: dict | None
    question: dict | None
    touched: float


class RoomStore:
    """The live sessions on one backend (:func:`core.data.room_backend.open_backend`).

    Parameters
    ----------
    backend : SqliteRoomBackend or RedisRoomBackend
    clock : callable, optional
        Seconds (``time.time``); tests pass their own to test expiry and the limits' windows.
    """

    def __init__(self, backend, *, clock: Callable[[], float] = time.time) -> None:
        self.backend, self.clock = backend, clock
        self._verified: dict[tuple[str, bytes], bool] = {}  # (code, sha256(salt + pin)) checked here

    # ------------------------------------------------------------------ opening and leading
    def open_room(self) -> OpenedRoom:
        """Open a room: a fresh join code and lead PIN (``secrets``); only the PIN's scrypt hash is kept."""
        pin = f"{secrets.randbelow(10**PIN_DIGITS):0{PIN_DIGITS}d}"
        salt = secrets.token_bytes(16)
        secret = {"salt": salt.hex(), "hash": pin_hash(pin, salt).hex()}
        now = self.clock()
        while True:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            view = {
                "code": code,
                "version": 0,
                "page": "home",
                "params": {},
                "payload": None,
                "question": None,
                "questions": 0,
                "touched": now,
            }
            if self.backend.create(f"room:{code}:view", dump_record(view), IDLE_LIMIT_S * 2):
                self.backend.put(f"room:{code}:lead", dump_record(secret), IDLE_LIMIT_S * 2)
                return OpenedRoom(code, pin)

    def view(self, code: str) -> RoomView | None:
        """The room's current view (one record read), or None for no such, ended or idle room."""
        code = normalise_code(code)
        record = (
            None
            if code is None
            else load_record(self.backend.get(f"room:{code}:view"), limit=MAX_VIEW_RECORD_BYTES)
        )
        if record is None:
            return None
        if (
            not isinstance(record.get("touched"), (int, float))
            or self.clock() - record["touched"] > IDLE_LIMIT_S
        ):
            self.backend.delete_prefix(f"room:{code}:")
            return None
        try:
            return RoomView(
                code,
                int(record["version"]),
                str(record["page"]),
                dict(record["params"]),
                record["payload"],
                record["question"],
                float(record["touched"]),
            )
        except (KeyError, TypeError, ValueError):
            raise RoomDataError("a room's view record lacks its fields: refused") from None

    def join(self, code: str, session_id: str) -> RoomView:
        """The room's view for a student who typed or scanned ``code``; wrong codes are counted per session.

        Raises
        ------
        RoomLimited
            After :data:`MAX_JOIN_FAILURES` wrong codes from ``session_id`` within :data:`LIMIT_WINDOW_S`.
        RoomNotFound
            For a wrong, ended or expired code (and counted).
        """
        self._check_limit("join", check_session_id(session_id), MAX_JOIN_FAILURES)
        found = self.view(code)
        if found is None:
            self._count_failure("join", session_id)
            raise RoomNotFound(
                "no live session has this code: check it on the projector (6 letters and digits)"
            )
        return found

    def lead(self, code: str, pin: str, view: dict, *, session_id: str) -> RoomView:
        """Publish the lecturer's view: ``{"page": url_path, "params": {...}, "payload": bytes or None,
        "payload_kind": "image/png" ...}``; the version grows when page, parameters or payload change.

        Raises
        ------
        LeadRefused, RoomLimited, RoomNotFound
            Without the right PIN (counted per session), after too many wrong ones, or for no room.
        ValueError
            For a page name that is not a url path, too many or too long parameters, or a payload
            over :data:`MAX_PAYLOAD_BYTES`.
        """
        code = self._authorise(code, pin, session_id)
        if not isinstance(view, dict):
            raise TypeError(
                "view must be a dict with 'page', 'params' and optionally 'payload', 'payload_kind'"
            )
        page, params = view.get("page"), clean_params(view.get("params", {}))
        if not isinstance(page, str) or not valid_page(page):
            raise ValueError("page must be a page's url path: 1 to 64 lower-case letters, digits or '_'")
        payload = self._store_payload(code, view.get("payload"), view.get("payload_kind", ""))

        def change(record):
            record["touched"] = self.clock()
            if (record["page"], record["params"], record["payload"]) != (page, params, payload):
                record.update(page=page, params=params, payload=payload, version=record["version"] + 1)

        return self._change_view(code, change)

    def payload(self, code: str, sha256: str) -> tuple[str, bytes] | None:
        """The lecturer's example ``(kind, bytes)`` named by a view's ``payload["sha256"]``, or None."""
        code = normalise_code(code)
        if code is None or not re.fullmatch(r"[0-9a-f]{64}", str(sha256)):
            return None
        record = load_record(self.backend.get(f"room:{code}:payload:{sha256}"))
        if record is None:
            return None
        try:
            data, kind = base64.b64decode(record["data"], validate=True), str(record["kind"])
        except (KeyError, TypeError, ValueError):
            raise RoomDataError("a room's payload record is not base64 with a kind: refused") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise RoomDataError("a room's payload does not match its digest: refused")
        return kind, data

    def end_room(self, code: str, pin: str, *, session_id: str) -> None:
        """End the room now (every record of it is deleted; followers find no room)."""
        code = self._authorise(code, pin, session_id)
        self.backend.delete_prefix(f"room:{code}:")

    # ------------------------------------------------------------------ followers
    def follow(self, code: str, session_id: str) -> int:
        """Count ``session_id`` as following for :data:`FOLLOW_TTL_S` (call again within it); returns
        the followers counted now. A missing room raises :class:`RoomNotFound`."""
        session_id = check_session_id(session_id)
        if self.view(code) is None:
            raise RoomNotFound("this live session has ended")
        key = f"room:{normalise_code(code)}:followers"
        self.backend.set_score(key, session_id, self.clock(), cap=MAX_FOLLOWERS, ttl_s=IDLE_LIMIT_S * 2)
        return self.followers(code)

    def unfollow(self, code: str, session_id: str) -> None:
        """``session_id`` explores on its own: no longer counted."""
        code = normalise_code(code)
        if code is not None:
            self.backend.remove_member(f"room:{code}:followers", check_session_id(session_id))

    def followers(self, code: str) -> int:
        """How many sessions sent a heartbeat within :data:`FOLLOW_TTL_S`."""
        code = normalise_code(code)
        return (
            0
            if code is None
            else self.backend.count_since(f"room:{code}:followers", self.clock() - FOLLOW_TTL_S)
        )

    # ------------------------------------------------------------------ questions
    def ask(self, code: str, pin: str, question: Question, *, session_id: str) -> str:
        """Ask the class ``question`` about the current view; returns its id. The answer stays hidden
        (only in the question's own record) until :meth:`reveal`."""
        code = self._authorise(code, pin, session_id)
        if not isinstance(question, Question):
            raise TypeError("question must be a core.data.room_questions.Question")
        box = {}

        def change(record):
            if record["questions"] >= MAX_QUESTIONS:
                raise RoomError(f"a live session asks at most {MAX_QUESTIONS} questions; start a new one")
            box["id"] = qid = str(record["questions"] + 1)
            self.backend.put(
                f"room:{code}:q:{qid}",
                dump_record(question.to_json() | {"revealed": False}),
                IDLE_LIMIT_S * 2,
            )
            record.update(
                questions=record["questions"] + 1,
                version=record["version"] + 1,
                touched=self.clock(),
                question={
                    "id": qid,
                    "page": record["page"],  # the page asked about: it hides its result until the reveal
                    "prompt": question.prompt,
                    "kind": question.kind,
                    "choices": list(question.choices),
                    "revealed": False,
                },
            )

        self._change_view(code, change)
        return box["id"]

    def answer(self, code: str, question_id: str, session_id: str, value) -> bool:
        """Record ``session_id``'s answer: True if counted, False if this session already answered
        (its first answer stays). Atomic in the store: counted once whichever process receives it.

        Raises
        ------
        RoomNotFound
            No such room or question.
        RoomError
            The question was revealed (answers are closed) or has :data:`MAX_ANSWERS` answers.
        ValueError
            A value that is not a number (numeric) or not one of the choices.
        """
        session_id = check_session_id(session_id)
        question, revealed = self._question(code, question_id)
        value = question.check_answer(value)
        if revealed:
            raise RoomError("the answer has been revealed: this question takes no more answers")
        added = self.backend.add_once(
            f"room:{normalise_code(code)}:answers:{question_id}",
            session_id,
            dump_record({"value": value}),
            cap=MAX_ANSWERS,
            ttl_s=IDLE_LIMIT_S * 2,
        )
        if added is None:
            raise RoomError(f"this question has its {MAX_ANSWERS} answers")
        return added

    def histogram(self, code: str, question_id: str) -> Histogram:
        """The answers so far as bars; the app's answer in it only once revealed."""
        question, revealed = self._question(code, question_id)
        raw = self.backend.values(f"room:{normalise_code(code)}:answers:{question_id}")
        try:
            values = [question.check_answer(load_record(r, limit=1024)["value"]) for r in raw]
        except (KeyError, TypeError, ValueError) as exc:
            raise RoomDataError(
                f"an answer in the store is not one this question takes ({exc}): refused"
            ) from None
        return histogram_of(question, values, revealed=revealed)

    def reveal(self, code: str, pin: str, question_id: str, *, session_id: str) -> Histogram:
        """Close the question and show the app's answer (in its histogram and in the followers' view)."""
        code = self._authorise(code, pin, session_id)
        question, _ = self._question(code, question_id)

        def mark(raw):
            record = load_record(raw)
            if record is None:
                raise RoomNotFound("no such question in this live session")
            return dump_record(record | {"revealed": True})

        self.backend.update(f"room:{code}:q:{question_id}", mark, IDLE_LIMIT_S * 2)

        def change(record):
            if record["question"] and record["question"]["id"] == question_id:
                record["question"] = record["question"] | {"revealed": True, "answer": question.answer}
                record["version"] += 1
            record["touched"] = self.clock()

        self._change_view(code, change)
        return self.histogram(code, question_id)

    # ------------------------------------------------------------------ internals
    def _question(self, code: str, question_id: str) -> tuple[Question, bool]:
        code = normalise_code(code)
        if code is None or not re.fullmatch(r"[0-9]{1,4}", str(question_id)) or self.view(code) is None:
            raise RoomNotFound("no such live session or question")
        record = load_record(self.backend.get(f"room:{code}:q:{question_id}"))
        if record is None:
            raise RoomNotFound("no such question in this live session")
        return Question.from_json(record), bool(record["revealed"])

    def _change_view(self, code: str, change: Callable[[dict], None]) -> RoomView:
        def update(raw):
            record = load_record(raw, limit=MAX_VIEW_RECORD_BYTES)
            if record is None:
                raise RoomNotFound("this live session has ended")
            change(record)
            new = dump_record(record)
            if len(new) > MAX_VIEW_RECORD_BYTES:
                raise ValueError(
                    f"the view is over {MAX_VIEW_RECORD_BYTES} bytes: fewer or shorter parameters"
                )
            return new

        self.backend.update(f"room:{code}:view", update, IDLE_LIMIT_S * 2)
        return self.view(code)

    def _store_payload(self, code: str, data, kind: str) -> dict | None:
        if data is None:
            return None
        if not isinstance(data, (bytes, bytearray)) or len(data) > MAX_PAYLOAD_BYTES:
            raise ValueError(
                f"payload must be bytes, at most {MAX_PAYLOAD_BYTES // 1024} KiB "
                f"(send a downscaled image); got {len(data) if hasattr(data, '__len__') else type(data)}"
            )
        if not isinstance(kind, str) or not re.fullmatch(r"[a-z0-9/+.-]{0,64}", kind):
            raise ValueError("payload_kind must be a short media type such as 'image/png'")
        sha = hashlib.sha256(data).hexdigest()
        key = f"room:{code}:payload:{sha}"
        if not self.backend.touch(key, IDLE_LIMIT_S * 2):  # the same example: not sent again
            record = {"kind": kind, "data": base64.b64encode(bytes(data)).decode("ascii")}
            self.backend.put(key, dump_record(record), IDLE_LIMIT_S * 2)
        return {"sha256": sha, "kind": kind, "size": len(data)}

    def _authorise(self, code: str, pin: str, session_id: str) -> str:
        """The normalised code when ``pin`` leads it; counts a wrong PIN against ``session_id``."""
        self._check_limit("pin", check_session_id(session_id), MAX_PIN_FAILURES)
        code = normalise_code(code)
        secret = None if code is None else load_record(self.backend.get(f"room:{code}:lead"))
        if secret is None or self.view(code) is None:
            raise RoomNotFound("this live session has ended or its code is wrong")
        pin = re.sub(r"\s", "", pin) if isinstance(pin, str) else ""
        try:
            salt = bytes.fromhex(secret["salt"])
        except (KeyError, TypeError, ValueError):
            raise RoomDataError("a room's lead record is not one: refused") from None
        memo = (code, hashlib.sha256(salt + pin.encode()).digest())
        if not self._verified.get(memo):
            if not (
                len(pin) == PIN_DIGITS
                and pin.isdigit()
                and hmac.compare_digest(pin_hash(pin, salt).hex(), secret["hash"])
            ):
                self._count_failure("pin", session_id)
                raise LeadRefused(
                    "wrong lead PIN: only the lecturer who started this live session can change it"
                )
            if len(self._verified) > 256:
                self._verified.clear()
            self._verified[memo] = True
        self.backend.touch(f"room:{code}:lead", IDLE_LIMIT_S * 2)  # lives as long as the room is led
        return code

    def _check_limit(self, what: str, session_id: str, limit: int) -> None:
        record = load_record(self.backend.get(f"limit:{what}:{session_id}"))
        if record and record["n"] >= limit and self.clock() - record["since"] < LIMIT_WINDOW_S:
            wait = int((LIMIT_WINDOW_S - (self.clock() - record["since"])) // 60) + 1
            raise RoomLimited(
                f"too many wrong {'codes' if what == 'join' else 'PINs'} from this browser: "
                f"try again in {wait} min"
            )

    def _count_failure(self, what: str, session_id: str) -> None:
        now = self.clock()

        def count(raw):
            record = load_record(raw)
            if record is None or now - record["since"] >= LIMIT_WINDOW_S:
                record = {"n": 0, "since": now}
            return dump_record(record | {"n": record["n"] + 1})

        self.backend.update(f"limit:{what}:{session_id}", count, LIMIT_WINDOW_S)


def open_rooms(url: str | None = None, *, clock: Callable[[], float] = time.time) -> RoomStore:
    """The :class:`RoomStore` on ``url``'s backend (default ``$NEURAL_EXPLAINER_QUEUE_URL``)."""
    from core.data.room_backend import open_backend

    return RoomStore(open_backend(url), clock=clock)
