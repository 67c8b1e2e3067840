"""The lecturer's examples in a live session's payload: a photo keeps its size (PNG when it fits,
else JPEG, else downscaled) and decodes with the uploads' decoder; points travel exactly; anything
else (a pickle, other keys, a GIF, too many or non-finite points, oversize) is refused."""

from __future__ import annotations

import base64
import io
import json
import pickle

import numpy as np
import pytest
from PIL import Image

from core.data.images import load_image
from core.data.room_examples import (
    MAX_IMAGE_BYTES,
    MAX_POINTS,
    ExampleError,
    decode_examples,
    encode_examples,
    encode_photo,
)
from core.data.room_records import MAX_PAYLOAD_BYTES

NOISE = np.random.default_rng(0).integers(0, 256, (384, 512, 3), dtype=np.uint8)  # PNG ≈ 590 kB


def smooth(height: int, width: int) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x * 255 // width, y * 255 // height, (x + y) % 256], axis=-1).astype(np.uint8)


def test_a_photo_that_fits_travels_as_png_exactly():
    pixels = smooth(120, 160)
    kind, data = encode_photo(pixels)
    assert kind == "png" and len(data) <= MAX_IMAGE_BYTES
    decoded = decode_examples(encode_examples(photo=("cat.png", pixels)))
    name, raw = decoded["photo"]
    assert name == "cat.png" and np.array_equal(np.rint(load_image(raw) * 255).astype(np.uint8), pixels)


def test_a_large_photo_keeps_its_size_as_jpeg_or_shrinks_to_fit():
    kind, data = encode_photo(NOISE)
    assert kind == "jpeg" and len(data) <= MAX_IMAGE_BYTES
    back = np.rint(load_image(data) * 255)
    assert back.shape == NOISE.shape  # the follower's feature map has the lecturer's shape
    kind, data = encode_photo(NOISE, max_bytes=20_000)  # not even the lowest JPEG quality fits
    assert len(data) <= 20_000 and Image.open(io.BytesIO(data)).width < 512


def test_points_travel_exactly_and_the_whole_payload_fits_the_room():
    points = np.column_stack(
        [np.linspace(-3, 3, MAX_POINTS), np.linspace(5, -5, MAX_POINTS), np.arange(100) % 2]
    )
    raw = encode_examples(photo=("noise.png", NOISE), points=points)
    assert len(raw) <= MAX_PAYLOAD_BYTES
    assert np.array_equal(decode_examples(raw)["points"], points)
    assert encode_examples() is None


@pytest.mark.parametrize(
    "points, why",
    [
        ([[0, 0, 1]] * (MAX_POINTS + 1), "at most"),
        ([[0, float("nan"), 1]], "finite"),
        ([[0, 1e7, 1]], "finite"),
        ([[0, 0, 2]], "class must be 0 or 1"),
        ([[0, 0]], "rows of x1, x2, class"),
        ([["a", 0, 1]], "three numbers"),
    ],
)
def test_points_that_break_the_limits_are_refused(points, why):
    with pytest.raises(ValueError, match=why):
        encode_examples(points=points)
    raw = json.dumps({"points": points}).encode()
    with pytest.raises(ExampleError, match=why):
        decode_examples(raw)


def gif_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, format="GIF")
    return out.getvalue()


@pytest.mark.parametrize(
    "raw, why",
    [
        (pickle.dumps({"photo": 1}), "not JSON"),
        (b"[1, 2]", "an object"),
        (json.dumps({"photo": {"image": "AAAA"}, "path": "/etc/passwd"}).encode(), "an object"),
        (json.dumps({"photo": {"image": "not base64!"}}).encode(), "not base64"),
        (json.dumps({"photo": {"image": base64.b64encode(gif_bytes()).decode()}}).encode(), "PNG or a JPEG"),
        (json.dumps({"photo": {"image": "A" * (MAX_IMAGE_BYTES * 4 // 3 + 8)}}).encode(), "over"),
        (json.dumps({"photo": "x"}).encode(), "name"),
        (b" " * (MAX_PAYLOAD_BYTES + 1), "at most"),
    ],
)
def test_anything_else_is_refused_before_it_is_decoded(raw, why):
    with pytest.raises(ExampleError, match=why):
        decode_examples(raw)


def test_a_matrix_and_a_drawing_travel_with_their_widget_keys():
    matrix = np.arange(12, dtype=np.float32).reshape(3, 4) / 4
    png = io.BytesIO()
    Image.new("RGBA", (280, 280), (255, 255, 255, 255)).save(png, format="PNG")
    raw = encode_examples(matrix=("pool_matrix_ng_max", matrix), drawing=("act_canvas", 280, png.getvalue()))
    got = decode_examples(raw)
    assert got["matrix"][0] == "pool_matrix_ng_max" and np.array_equal(got["matrix"][1], matrix)
    assert got["drawing"] == ("act_canvas", 280, png.getvalue())


@pytest.mark.parametrize(
    "part, why",
    [
        ({"matrix": {"key": "conv_matrix", "values": [[1, 2], [3]]}}, "rows of numbers"),
        ({"matrix": {"key": "conv_matrix", "values": [[0] * 33]}}, "1 to 32 rows and columns"),
        ({"matrix": {"key": "conv_matrix", "values": [[1e300]]}}, "within"),
        ({"matrix": {"key": "../etc/passwd", "values": [[1]]}}, "widget key"),
        ({"matrix": {"key": "conv_matrix", "values": [[1]], "extra": 1}}, "object of key, values"),
        (
            {"drawing": {"key": "act_canvas", "size": 280, "image": base64.b64encode(b"GIF89a").decode()}},
            "PNG",
        ),
        ({"drawing": {"key": "act_canvas", "size": 5000, "image": ""}}, "canvas side"),
        ({"drawing": {"key": "act_canvas", "size": 280, "image": "A" * 90_000}}, "at most"),
    ],
)
def test_a_matrix_or_drawing_that_breaks_the_rules_is_refused(part, why):
    with pytest.raises(ExampleError, match=why):
        decode_examples(json.dumps(part).encode())
