"""The lecturer's own examples in a live session's payload: what the page's address cannot hold.

A view's link names the controls, not the lecturer's uploaded photo or the perceptron points they
clicked; these travel as one JSON document in the room's payload slot
(:meth:`core.data.rooms.RoomStore.lead`, at most :data:`~core.data.room_records.MAX_PAYLOAD_BYTES`):

``{"photo": {"name": str, "image": base64 PNG or JPEG}, "points": [[x1, x2, class], ...]}``

Each part is optional. The photo is the decoded upload the session keeps (uint8 (H, W, 3), at most
512 px a side), sent as PNG when it fits in :data:`MAX_IMAGE_BYTES`, else as JPEG (quality 92, then
lower), else downscaled: the follower decodes it with the uploads' bounded decoder
(:func:`core.data.images.load_image`). Nothing here is unpickled or used as a path; a document that
breaks a rule is refused with :class:`ExampleError` before anything is built from it.
"""

from __future__ import annotations

import base64
import binascii
import io
import json

import numpy as np

from core.data.room_records import MAX_PAYLOAD_BYTES

#: The payload's media type in the room's view record.
EXAMPLES_KIND = "application/json"
#: The photo's encoded bytes at most (base64 makes 4/3 of it; the points and the JSON's frame fit the rest).
MAX_IMAGE_BYTES = 170_000
#: Points at most (the perceptron page's own cap) and the largest |coordinate|.
MAX_POINTS = 100
MAX_COORDINATE = 1e6
#: A photo's name at most, in characters (it is the lecturer's text, shown to the followers).
MAX_NAME_CHARS = 80
_JPEG_QUALITIES = (92, 85, 75)


class ExampleError(ValueError):
    """A payload that is not the lecturer's examples as this module writes them: refused."""


def encode_photo(pixels: np.ndarray, *, max_bytes: int = MAX_IMAGE_BYTES) -> tuple[str, bytes]:
    """The photo as ``("png" or "jpeg", bytes)`` of at most ``max_bytes``.

    Parameters
    ----------
    pixels : ndarray (H, W, 3), uint8
        The decoded upload (its size is kept when the JPEG fits, so the follower's feature map has the
        lecturer's shape).

    Raises
    ------
    ValueError
        For pixels that are not (H, W, 3) uint8 of at most 4096 px a side.
    """
    from PIL import Image

    pixels = np.asarray(pixels)
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3 or max(pixels.shape[:2]) > 4096:
        raise ValueError(f"pixels must be uint8 (H, W, 3) of at most 4096 px a side, got {pixels.shape}")
    image = Image.fromarray(pixels, "RGB")
    while True:
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        if out.tell() <= max_bytes:
            return "png", out.getvalue()
        for quality in _JPEG_QUALITIES:
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=quality)
            if out.tell() <= max_bytes:
                return "jpeg", out.getvalue()
        image = image.resize((max(1, image.width * 3 // 4), max(1, image.height * 3 // 4)), Image.LANCZOS)


def encode_examples(*, photo: tuple[str, np.ndarray] | None = None, points=None) -> bytes | None:
    """The payload for :meth:`core.data.rooms.RoomStore.lead` (``payload_kind`` :data:`EXAMPLES_KIND`),
    or None when there is nothing to send.

    Parameters
    ----------
    photo : (name, ndarray (H, W, 3) uint8), optional
    points : array-like (N, 3), optional
        ``x1, x2, class`` rows (class 0 or 1), at most :data:`MAX_POINTS`.

    Raises
    ------
    ValueError
        For points or a photo that break the limits above, or a document over
        :data:`~core.data.room_records.MAX_PAYLOAD_BYTES`.
    """
    document = {}
    if photo is not None:
        name, pixels = photo
        _, data = encode_photo(pixels)
        document["photo"] = {"name": str(name)[:MAX_NAME_CHARS], "image": base64.b64encode(data).decode()}
    if points is not None:
        document["points"] = _check_points(points).tolist()
    if not document:
        return None
    raw = json.dumps(document, separators=(",", ":"), allow_nan=False).encode()
    if len(raw) > MAX_PAYLOAD_BYTES:
        raise ValueError(f"the examples make {len(raw)} bytes, over the room's {MAX_PAYLOAD_BYTES}")
    return raw


def decode_examples(raw: bytes) -> dict:
    """The lecturer's examples from a payload: ``{"photo": (name, image file bytes), "points": ndarray
    (N, 3) float64}``, each part only if sent. The photo's bytes still go through the uploads' decoder.

    Raises
    ------
    ExampleError
        For more than :data:`~core.data.room_records.MAX_PAYLOAD_BYTES`, bytes that are not this JSON
        document, an image over :data:`MAX_IMAGE_BYTES` or not PNG/JPEG, or points that break the limits.
    """
    if not isinstance(raw, (bytes, bytearray)) or len(raw) > MAX_PAYLOAD_BYTES:
        raise ExampleError(f"the lecturer's examples must be at most {MAX_PAYLOAD_BYTES} bytes of JSON")
    try:
        document = json.loads(bytes(raw).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise ExampleError("the lecturer's examples are not JSON: refused") from None
    if not isinstance(document, dict) or not set(document) <= {"photo", "points"}:
        raise ExampleError("the lecturer's examples must be an object with 'photo' and/or 'points'")
    examples = {}
    if "photo" in document:
        photo = document["photo"]
        if not isinstance(photo, dict) or not isinstance(photo.get("image"), str):
            raise ExampleError("the lecturer's photo must be {'name', 'image': base64}")
        if len(photo["image"]) > (MAX_IMAGE_BYTES + 2) // 3 * 4:
            raise ExampleError(f"the lecturer's photo is over {MAX_IMAGE_BYTES} bytes: refused")
        try:
            data = base64.b64decode(photo["image"], validate=True)
        except (binascii.Error, ValueError):
            raise ExampleError("the lecturer's photo is not base64: refused") from None
        if not (data.startswith(b"\x89PNG\r\n\x1a\n") or data.startswith(b"\xff\xd8\xff")):
            raise ExampleError("the lecturer's photo must be a PNG or a JPEG")
        examples["photo"] = (str(photo.get("name", "the lecturer's photo"))[:MAX_NAME_CHARS], data)
    if "points" in document:
        try:
            examples["points"] = _check_points(document["points"])
        except ValueError as exc:
            raise ExampleError(f"the lecturer's points are refused: {exc}") from None
    return examples


def _check_points(points) -> np.ndarray:
    """``points`` as float64 (N, 3): 1 to :data:`MAX_POINTS` rows of finite x1, x2 within
    ±:data:`MAX_COORDINATE` and a class of 0 or 1."""
    if isinstance(points, (list, tuple)) and len(points) > MAX_POINTS:
        raise ValueError(f"at most {MAX_POINTS} points")
    try:
        rows = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("points must be rows of three numbers: x1, x2, class") from None
    if rows.ndim != 2 or rows.shape[1] != 3 or not 1 <= rows.shape[0] <= MAX_POINTS:
        raise ValueError(f"points must be 1 to {MAX_POINTS} rows of x1, x2, class; got shape {rows.shape}")
    if not np.isfinite(rows).all() or np.abs(rows[:, :2]).max() > MAX_COORDINATE:
        raise ValueError(f"coordinates must be finite, within ±{MAX_COORDINATE:g}")
    if not np.isin(rows[:, 2], (0.0, 1.0)).all():
        raise ValueError("each point's class must be 0 or 1")
    return rows
