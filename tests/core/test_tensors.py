"""core.maths.tensors: the seeds' tensor numbers; np.reshape and np.broadcast_shapes as oracles."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.maths.tensors import COURSE_IMAGE_BATCH, broadcast, parse_array, parse_shape, reshape, tensor_info


def test_course_image_batch():
    """001_0ab6af07a5a8fe8c.txt L180: (25000, 300, 450, 3) = 10,125,000,000 values, 40.5 GB as float32."""
    info = tensor_info(COURSE_IMAGE_BATCH)
    assert (info.rank, info.size, info.nbytes) == (4, 10_125_000_000, 40_500_000_000)
    assert info.size_expression() == "25,000 × 300 × 450 × 3 = 10,125,000,000"
    assert tensor_info(COURSE_IMAGE_BATCH, "uint8").nbytes == 10_125_000_000


def test_seed002_rank_shape_size_reshape_broadcast():
    """002_7b3b2c01a09ce879.txt L201 (rank 4, [3, 2, 4, 5]), L225-242 (reshape), L244-259 (broadcast)."""
    info = tensor_info(parse_shape("[3, 2, 4, 5]"))
    assert (info.rank, info.size) == (4, 120) and tensor_info(()).size == 1
    x = parse_array("[[1], [2], [3]]")
    assert x.shape == (3, 1) and reshape(x, (1, 3)).tolist() == [[1, 2, 3]]
    assert reshape(np.zeros(60000 * 784), (60000, 28, 28, -1)).shape == (60000, 28, 28, 1)  # 001 L245
    b = broadcast(parse_array("[1, 2, 3]").shape, parse_array("2").shape)
    assert b.shape == (3,) and (parse_array("[1, 2, 3]") * parse_array("2")).tolist() == [2, 4, 6]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(1, 4), max_size=4), st.lists(st.integers(1, 4), max_size=4))
def test_broadcast_matches_numpy(a, b):
    a = tuple(1 if i % 2 else d for i, d in enumerate(a))  # plenty of 1s, so both outcomes occur
    try:
        expected = np.broadcast_shapes(tuple(a), tuple(b))
    except ValueError:
        expected = None
    assert broadcast(a, b).shape == expected
    assert len(broadcast(a, b).steps) >= (1 if (a or b) else 0)


def test_reshape_errors_say_why():
    with pytest.raises(ValueError, match="6 values cannot fill \\(4, 2\\), which holds 8"):
        reshape(np.arange(6), (4, 2))
    with pytest.raises(ValueError, match="not a multiple"):
        reshape(np.arange(7), (2, -1))
    assert reshape(np.arange(6), (-1, 3)).tolist() == np.arange(6).reshape(-1, 3).tolist()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: parse_shape("(3, a2)"), "not a whole number"),
        (lambda: parse_shape("(-3, 2)"), "negative"),
        (lambda: parse_shape("(-1, -1)", allow_infer=True), "only one"),
        (lambda: parse_shape("1 " * 9), "at most"),
        (lambda: parse_array("[[1, 2], [3]]"), "same length"),
        (lambda: parse_array("__import__('os')"), "not an array"),
        (lambda: parse_array("[1, nan]"), "not an array"),
        (lambda: tensor_info((2,), "float8"), "`dtype`"),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
