"""The records of a live session's room (:mod:`core.data.rooms`): what a join code, a lead PIN, a
browser session id and a page's parameters may be, the errors, and the JSON codec that refuses
anything else found in the store (bounded before it is parsed, never unpickled).
"""

from __future__ import annotations

import hashlib
import json
import re

#: Join codes: 6 characters from 31 that cannot be misread (no 0/O, 1/I/L): 31**6 ≈ 8.9e8 codes.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
# : Lead PINs: 8 digits (1e8), shown once (``core.data.rooms.MAX_PIN_FAILURES`` wrong tries per session and
# window).
PIN_DIGITS = 8
#: scrypt's cost (n=2**14, r=8: 16 MiB and ~50 ms per check; a verified PIN is remembered per process).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
#: The lecturer's example (a downscaled photo, a typed matrix) at most, in bytes.
MAX_PAYLOAD_BYTES = 256 * 1024
#: Caps on what a record may hold: the page's parameters, the view record, any record read back
#: (the largest is a payload's: base64 of :data:`MAX_PAYLOAD_BYTES`).
MAX_PARAMS = 64
MAX_PARAM_CHARS = 512
MAX_VIEW_RECORD_BYTES = 16 * 1024
MAX_RECORD_BYTES = 2 * MAX_PAYLOAD_BYTES
#: Browser session ids (Streamlit's are UUIDs).
_SESSION = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
_PAGE = re.compile(r"[a-z0-9_]{1,64}\Z")


class RoomError(ValueError):
    """A room request that cannot be served; the message says what to do."""


class RoomNotFound(RoomError):
    """No such room: a wrong code, or a room that ended or expired."""


class LeadRefused(RoomError):
    """A change to a room without its lead PIN."""


class RoomLimited(RoomError):
    """Too many wrong codes or PINs from one browser session; try again later."""


class RoomDataError(RoomError):
    """Bytes in the store that are not one of the rooms' JSON records: refused, never loaded."""


def check_session_id(session_id: str) -> str:
    if not isinstance(session_id, str) or not _SESSION.match(session_id):
        raise ValueError("session_id must be 1 to 64 letters, digits, '-' or '_' (the browser session's id)")
    return session_id


def normalise_code(code: str) -> str | None:
    """``code`` upper-cased without spaces or dashes, or None if it cannot be a join code."""
    if not isinstance(code, str) or len(code) > 32:
        return None
    code = re.sub(r"[\s-]", "", code).upper()
    return code if len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code) else None


def dump_record(record: dict) -> bytes:
    return json.dumps(record, separators=(",", ":"), allow_nan=False).encode()


def load_record(raw: bytes | None, *, limit: int = MAX_RECORD_BYTES) -> dict | None:
    """A record as a dict; anything else (too long, not UTF-8 JSON, not an object) is refused."""
    if raw is None:
        return None
    if len(raw) > limit:
        raise RoomDataError(f"a room record of {len(raw)} bytes is over the {limit}-byte limit: refused")
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise RoomDataError("a room record is not JSON (planted or corrupt): refused, not loaded") from None
    if not isinstance(record, dict):
        raise RoomDataError("a room record is not a JSON object: refused")
    return record


def clean_params(params: dict) -> dict:
    if not isinstance(params, dict) or len(params) > MAX_PARAMS:
        raise ValueError(f"params must be a dict of at most {MAX_PARAMS} query parameters")
    clean = {}
    for key, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        if (
            not isinstance(key, str)
            or not 0 < len(key) <= 64
            or len(values) > 32
            or not all(
                isinstance(v, (str, int, float, bool)) and len(str(v)) <= MAX_PARAM_CHARS for v in values
            )
        ):
            raise ValueError(
                f"query parameter {str(key)[:64]!r}: names of 1 to 64 characters, values texts, "
                f"numbers or booleans of at most {MAX_PARAM_CHARS} characters (at most 32 of them)"
            )
        clean[key] = [str(v) for v in values] if isinstance(value, (list, tuple)) else str(value)
    return clean


def pin_hash(pin: str, salt: bytes) -> bytes:
    """scrypt(``pin``, ``salt``) with :data:`SCRYPT_N`, :data:`SCRYPT_R`, :data:`SCRYPT_P`: 32 bytes."""
    return hashlib.scrypt(pin.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)


def valid_page(page) -> bool:
    """Whether ``page`` can be a page's url path (1 to 64 lower-case letters, digits or ``_``)."""
    return isinstance(page, str) and bool(_PAGE.match(page))
