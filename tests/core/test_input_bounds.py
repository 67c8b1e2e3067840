"""What a student types or a browser sends is bounded before it is parsed or decoded.

The parsers of typed text (shapes, arrays, 1-D signals) refuse long text before the parser sees it;
the canvas' PNG is refused from its header unless it is the canvas' own size; a data editor's state
is refused from its counts before any row is looked at.
"""

import io

import numpy as np
import pytest
from PIL import Image

from core.adapters.editor_bounds import editor_state_problem
from core.data import drawing
from core.data.drawing import decode_drawing, drawing_byte_limit, png_size
from core.data.images import MAX_PIXELS, ImageLoadError
from core.maths.convolution1d import MAX_NUMBERS_CHARS, parse_numbers
from core.maths.tensors import (
    COURSE_IMAGE_BATCH,
    MAX_ARRAY_CHARS,
    MAX_AXIS_LENGTH,
    MAX_SHAPE_CHARS,
    MAX_TENSOR_SIZE,
    parse_array,
    parse_shape,
    reshape,
    tensor_info,
)
from core.maths.typed_text import bounded_text, shortened

PASTE_4MB = "[" + "1, " * (4 * 2**20 // 3) + "1]"  # the 4 MB paste: a valid literal


# --- typed text ------------------------------------------------------------------------------------


def test_the_4mb_paste_is_refused_before_the_parser(literal_eval_calls):
    assert len(PASTE_4MB) > 4_000_000
    with pytest.raises(ValueError, match=r"Array: at most 4,000 characters here, got 4,194,30\d"):
        parse_array(PASTE_4MB)
    assert literal_eval_calls == []  # ast.literal_eval never saw it


def test_the_array_limit_is_exact(literal_eval_calls):
    at_limit = "[1" + " " * (MAX_ARRAY_CHARS - 3) + "]"
    assert len(at_limit) == MAX_ARRAY_CHARS and parse_array(at_limit).tolist() == [1]
    assert literal_eval_calls == [MAX_ARRAY_CHARS]
    with pytest.raises(ValueError, match="at most 4,000 characters"):
        parse_array(at_limit + " ")
    assert literal_eval_calls == [MAX_ARRAY_CHARS]


def test_messages_quote_only_the_start_of_long_text():
    bad = "[" + "x, " * 1300  # 3,901 characters, not an array
    with pytest.raises(ValueError) as err:
        parse_array(bad)
    assert "is not an array" in str(err.value) and len(str(err.value)) < 250
    assert shortened("abc") == "'abc'" and shortened("a" * 100, 10) == repr("a" * 10) + "…"


def test_a_shape_of_400_zeros_is_refused_by_its_length():
    with pytest.raises(ValueError, match=r"Shape: at most 100 characters here, got 403"):
        parse_shape("(1" + "0" * 400 + ")")


def test_huge_axes_and_sizes_are_refused_before_arithmetic():
    with pytest.raises(
        ValueError, match=r"each axis is at most 1,000,000,000 long here, got a 90-digit number"
    ):
        parse_shape("(1" + "0" * 89 + ")")  # 92 characters: within the length limit
    with pytest.raises(ValueError, match=r"each axis is at most 1,000,000,000 long here, got 1,000,000,001"):
        parse_shape("(1000000001, 3)")
    with pytest.raises(
        ValueError, match=r"at most 1,000,000,000,000,000 values \(10\^15\) in all here, got about 10\^18"
    ):
        parse_shape("(1000000000, 1000000000)")
    with pytest.raises(ValueError, match=r"got about 10\^400"):
        tensor_info((10**400,))  # was an OverflowError in the GiB figure
    with pytest.raises(ValueError, match="not a whole number"):
        parse_shape("(--3, 2)")


def test_the_largest_accepted_shape_keeps_every_figure_exact():
    big = parse_shape("(1000000, 1000000000)")
    info = tensor_info(big, "float64")
    assert info.size == MAX_TENSOR_SIZE and info.nbytes == 8 * 10**15
    assert info.nbytes / 2**30 == pytest.approx(7450580.596923828)
    assert parse_shape(str(COURSE_IMAGE_BATCH)) == COURSE_IMAGE_BATCH  # the seed's batch is still welcome
    assert parse_shape("0009, +2") == (9, 2) and parse_shape(f"({MAX_AXIS_LENGTH})") == (MAX_AXIS_LENGTH,)
    assert reshape(np.arange(6), parse_shape("(-1, 3)", allow_infer=True)).shape == (2, 3)
    assert len(str(COURSE_IMAGE_BATCH)) < MAX_SHAPE_CHARS


def test_1d_numbers_are_bounded_before_they_are_split():
    with pytest.raises(ValueError, match=r"Signal x: at most 1,000 characters here, got 4,194,30\d"):
        parse_numbers(PASTE_4MB, "Signal x")
    np.testing.assert_array_equal(parse_numbers(", ".join(["1"] * 64), "Kernel w"), np.ones(64))
    with pytest.raises(ValueError, match="at most 64 numbers"):
        parse_numbers(", ".join(["1"] * 65), "Kernel w")
    assert len(", ".join(["-0.123456789"] * 64)) < MAX_NUMBERS_CHARS  # 64 long numbers still fit


def test_bounded_text():
    assert bounded_text("abc", max_chars=3, name="x") == "abc"
    assert bounded_text(12, max_chars=3, name="x") == "12"
    with pytest.raises(ValueError, match="Box: at most 3 characters here, got 4"):
        bounded_text("abcd", max_chars=3, name="Box")


# --- the drawing canvas ----------------------------------------------------------------------------


def png(array_or_image) -> bytes:
    img = array_or_image if isinstance(array_or_image, Image.Image) else Image.fromarray(array_or_image)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def a_drawing(size: int = 280) -> np.ndarray:
    pixels = np.full((size, size, 4), 255, np.uint8)
    pixels[60:220, 130:150, :3] = 0  # a black "1"
    return pixels


def test_a_normal_drawing_decodes_to_its_pixels():
    pixels = a_drawing()
    data = png(pixels)
    assert png_size(data) == (280, 280)
    out = decode_drawing(data, width=280, height=280)
    assert out.dtype == np.uint8 and out.shape == (280, 280, 4)
    np.testing.assert_array_equal(out, pixels)


def test_a_30_megapixel_canvas_is_refused_from_its_header(monkeypatch):
    bomb = png(Image.new("L", (6000, 5000), 255))  # flat colour: small on disk
    assert len(bomb) < drawing_byte_limit(280, 280) and 6000 * 5000 < MAX_PIXELS  # under both upload limits
    opened = []
    monkeypatch.setattr(Image, "open", lambda *a, **k: opened.append(1))
    with pytest.raises(ImageLoadError, match=r"6,000×5,000 pixels \(30.0 MP\); this canvas is 280×280"):
        decode_drawing(bomb, width=280, height=280)
    assert opened == []  # Pillow never saw it


def test_other_bad_drawings_are_refused_with_a_message():
    good = png(a_drawing())
    with pytest.raises(ImageLoadError, match="at most 379,136"):
        decode_drawing(good + b"\0" * drawing_byte_limit(280, 280), width=280, height=280)
    with pytest.raises(ImageLoadError, match="281×280 pixels"):
        decode_drawing(png(a_drawing()[:, :281].repeat(2, axis=1)[:, :281]), width=280, height=280)
    with pytest.raises(ImageLoadError, match="not a PNG"):
        decode_drawing(b"GIF89a" + good[6:], width=280, height=280)
    with pytest.raises(ImageLoadError, match="could not be read"):
        decode_drawing(good[: len(good) // 2], width=280, height=280)
    with pytest.raises(ImageLoadError, match="empty"):
        decode_drawing(b"", width=280, height=280)
    assert drawing.drawing_byte_limit(280, 280) == 4 * 280 * 280 + 64 * 1024


# --- data editors ----------------------------------------------------------------------------------


class Untouchable(dict):
    """An added row that fails the test if anything looks inside it."""

    def keys(self):
        raise AssertionError("a row was inspected before the count was checked")

    __iter__ = keys


def test_10000_added_rows_are_refused_from_the_count_alone():
    state = {"edited_rows": {}, "added_rows": [Untouchable() for _ in range(10_000)], "deleted_rows": []}
    msg = editor_state_problem(state, rows=6, columns=["0", "1"], max_rows=6, fixed=True)
    assert msg.startswith("This table has a fixed size (6 rows)") and "10,000 added" in msg
    msg = editor_state_problem(state, rows=6, columns=["x1", "x2", "class"], max_rows=400, fixed=False)
    assert msg == "At most 400 rows here; the edits would make 10,006."


def test_editor_states_that_fit_pass_and_others_say_why():
    cols = ["x1", "x2", "class"]
    ok = {"edited_rows": {0: {"x1": 2.0}}, "added_rows": [{"x1": 1, "class": 0}], "deleted_rows": [5]}
    assert editor_state_problem(ok, rows=6, columns=cols, max_rows=400, fixed=False) is None
    assert editor_state_problem(None, rows=6, columns=cols, max_rows=400, fixed=False) is None
    full = {"added_rows": [{"x1": 1}] * 394}
    assert editor_state_problem(full, rows=6, columns=cols, max_rows=400, fixed=False) is None
    assert "401" in editor_state_problem(
        {"added_rows": [{"x1": 1}] * 395}, rows=6, columns=cols, max_rows=400, fixed=False
    )
    for bad, says in [
        ({"edited_rows": {6: {"x1": 1}}}, "can be edited"),
        ({"edited_rows": {0: {"y": 1}}}, "can be edited"),
        ({"added_rows": [{"evil": 1}]}, "may only fill"),
        ({"deleted_rows": [99]}, "can be deleted"),
        ({"added_rows": "x"}, "could not be read"),
        ("x", "could not be read"),
    ]:
        assert says in editor_state_problem(bad, rows=6, columns=cols, max_rows=400, fixed=False), bad
