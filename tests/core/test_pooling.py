"""core.maths.pooling and core.data.pooling_examples: the seeds' worked matrices exactly, and oracle tests
against TensorFlow's pooling ops."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.data import pooling_examples as pooling_presets
from core.maths import pooling
from core.maths.pooling import (
    avg_pool2d,
    global_avg_pool2d,
    global_max_pool2d,
    max_pool2d,
    pool_output_size,
    pool_window,
)
from core.maths.translation import translation_sensitivity

# 003_de28f4f738ce9072.txt L150-162 (Ng's pooling figures; matrices in seed-notes F-43)
NG_MAX_4x4 = [[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]]
NG_AVG_4x4 = [[1, 3, 2, 1], [2, 9, 1, 1], [1, 4, 2, 3], [5, 6, 1, 2]]
NG_MAX_5x5 = [[1, 3, 2, 1, 3], [2, 9, 1, 1, 5], [1, 3, 2, 3, 2], [8, 3, 5, 1, 0], [5, 6, 1, 2, 9]]


# ---------------------------------------------------------------- the seeds' numbers


def test_ng_max_pool_2x2_stride_2():
    np.testing.assert_array_equal(max_pool2d(NG_MAX_4x4, 2, stride=2), [[9, 2], [6, 3]])


def test_ng_avg_pool_2x2_stride_2():
    np.testing.assert_allclose(avg_pool2d(NG_AVG_4x4, 2, stride=2), [[3.75, 1.25], [4, 2]])
    # with the 3 of the max-pool figure at (2, 1) the bottom-left mean is 3.75, not 4
    assert avg_pool2d(NG_MAX_4x4)[1, 0] == pytest.approx(3.75)


def test_ng_max_pool_3x3_stride_1():
    np.testing.assert_array_equal(max_pool2d(NG_MAX_5x5, 3, stride=1), [[9, 9, 5], [9, 9, 5], [8, 6, 9]])


def test_stride_defaults_to_pool_size():
    # 001_0ab6af07a5a8fe8c.txt L208: "the stride defaults to the pool size"
    x = np.arange(36, dtype=float).reshape(6, 6)
    np.testing.assert_array_equal(max_pool2d(x, 3), max_pool2d(x, 3, stride=3))
    assert max_pool2d(x, 3).shape == (2, 2)


def test_mnist_cnn_pool_sizes_floor():
    # 001 L274-276: 26x26 -> 13x13 and 11x11 -> 5x5 (the last row/column is dropped)
    assert max_pool2d(np.zeros((26, 26, 16))).shape == (13, 13, 16)
    x = np.arange(121, dtype=float).reshape(11, 11)
    pooled = max_pool2d(x)
    assert pooled.shape == (5, 5)
    assert pooled.max() == x[9, 9]  # row/column 10 never enters a window
    assert pool_output_size(11, 2) == 5


@pytest.mark.parametrize(
    "n, f, s, padding, expected",
    [
        (11, 2, None, "valid", 5),
        (26, 2, None, "valid", 13),
        (28, 2, 2, "same", 14),
        (14, 2, 2, "same", 7),
        (7, 2, 2, "valid", 3),
        (7, 2, 2, "same", 4),
        (5, 3, 1, "valid", 3),
        (4, 2, None, "valid", 2),
        (3, 5, 1, "same", 3),
    ],
)
def test_pool_output_size(n, f, s, padding, expected):
    # 000_05cde12013bfe355.txt section 4.3 fact 45: pool 2/2 SAME 28 -> 14 -> 7; 7x7: 3 ("valid"), 4 ("same")
    assert pool_output_size(n, f, stride=s, padding=padding) == expected
    assert max_pool2d(np.zeros((n, n)), f, stride=s, padding=padding).shape == (expected, expected)


def _xo_feature_map() -> np.ndarray:
    """000_05cde12013bfe355.txt L826-830: 9x9 'X' correlated with the diagonal feature, /9, truncated."""
    x = -np.ones((9, 9))
    for i in range(1, 8):
        x[i, i] = x[i, 8 - i] = 1
    feature = np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]], float)
    fm = np.array([[np.sum(x[r : r + 3, c : c + 3] * feature) for c in range(7)] for r in range(7)]) / 9
    return np.trunc(np.round(fm * 100, 6)) / 100


def test_xo_map_relu_max_pool_same():
    fm = _xo_feature_map()
    assert fm[0, 0] == pytest.approx(0.77) and fm[1, 1] == 1.0 and fm[0, 4] == pytest.approx(0.55)
    pooled = max_pool2d(np.maximum(fm, 0), 2, stride=2, padding="same")
    np.testing.assert_allclose(
        pooled,
        [
            [1.00, 0.33, 0.55, 0.33],
            [0.33, 1.00, 0.33, 0.55],
            [0.55, 0.33, 1.00, 0.11],
            [0.33, 0.55, 0.11, 0.77],
        ],
        atol=1e-6,
    )
    # "valid" would drop the last row and column: 3x3 (about a quarter of the pixels either way)
    assert max_pool2d(fm, 2).shape == (3, 3)


def test_pooling_keeps_depth_and_pools_channels_independently():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 8, 3))
    out = max_pool2d(x)
    assert out.shape == (3, 4, 3) and out.dtype == np.float32
    for c in range(3):
        np.testing.assert_array_equal(out[:, :, c], max_pool2d(x[:, :, c]))


def test_avg_same_excludes_padding_from_the_mean():
    x = np.arange(25, dtype=float).reshape(5, 5)
    out = avg_pool2d(x, 2, padding="same")
    # bottom-right window holds one real cell (24): the mean is 24, not 24/4
    assert out[2, 2] == 24
    assert out[0, 2] == pytest.approx((4 + 9) / 2)


def test_same_puts_the_extra_padding_bottom_right():
    # 3x3, pool 2, stride 1, "same": 1 padded cell per axis, at the end (TensorFlow's placement)
    x = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], float)
    np.testing.assert_array_equal(
        max_pool2d(x, 2, stride=1, padding="same"), [[5, 6, 6], [8, 9, 9], [8, 9, 9]]
    )


def test_global_pooling():
    x = np.arange(24, dtype=float).reshape(2, 3, 4)
    np.testing.assert_array_equal(global_max_pool2d(x), [20, 21, 22, 23])
    np.testing.assert_allclose(global_avg_pool2d(x), [10, 11, 12, 13])
    assert global_max_pool2d(x, keepdims=True).shape == (1, 1, 4)
    assert float(global_avg_pool2d(NG_AVG_4x4)) == pytest.approx(2.75)


def test_return_indices_for_the_seed_matrix():
    pooled, (rows, cols) = max_pool2d(NG_MAX_4x4, return_indices=True)
    np.testing.assert_array_equal(rows, [[1, 0], [3, 2]])
    np.testing.assert_array_equal(cols, [[1, 2], [1, 3]])
    np.testing.assert_array_equal(np.asarray(NG_MAX_4x4)[rows, cols], pooled)


def test_return_indices_ties_pick_the_first_in_row_major_order():
    _, (rows, cols) = max_pool2d(np.ones((2, 2)), return_indices=True)
    assert (rows[0, 0], cols[0, 0]) == (0, 0)


def test_pool_window():
    # 5x5, f=3, s=1: output (2, 0) reads rows 2..4, cols 0..2 of the input
    assert pool_window((5, 5), 2, 0, 3, stride=1) == (2, 5, 0, 3)
    # "same" on 5x5 pool 2: the last window is clipped to the single real cell
    assert pool_window((5, 5), 2, 2, 2, padding="same") == (4, 5, 4, 5)
    with pytest.raises(ValueError, match="outside"):
        pool_window((4, 4), 2, 0, 2)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: max_pool2d(np.zeros((2, 2, 2, 2))), "shape"),
        (lambda: max_pool2d(np.zeros(5)), "shape"),
        (lambda: max_pool2d(np.zeros((0, 3))), "empty"),
        (lambda: max_pool2d(np.zeros((3, 3)), 4), "larger than the input"),
        (lambda: avg_pool2d(np.zeros((3, 3)), (2, 4)), "larger than the input"),
        (lambda: max_pool2d(np.zeros((4, 4)), 2, stride=0), "stride"),
        (lambda: max_pool2d(np.zeros((4, 4)), 0), "pool_size"),
        (lambda: max_pool2d(np.zeros((4, 4)), (2, 2, 2)), "pool_size"),
        (lambda: max_pool2d(np.zeros((4, 4)), 2.5), "pool_size"),
        (lambda: max_pool2d(np.zeros((4, 4)), padding="full"), "padding"),
        (lambda: max_pool2d([[1.0, np.nan], [0, 0]]), "NaN"),
        (lambda: avg_pool2d([[1.0, np.inf], [0, 0]]), "NaN"),
        (lambda: max_pool2d([["a", "b"], ["c", "d"]]), "numbers"),
        (lambda: pool_output_size(0, 2), "`n`"),
        (lambda: pool_output_size(3, 4), "larger"),
        (lambda: pooling.pool2d(np.zeros((4, 4)), kind="median"), "kind"),
    ],
)
def test_errors_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_same_padding_allows_a_pool_larger_than_the_input():
    out = max_pool2d([[1, 5], [3, 2]], 3, padding="same")
    np.testing.assert_array_equal(out, [[5]])


# ---------------------------------------------------------------- oracle: TensorFlow

tf = pytest.importorskip("tensorflow")


@st.composite
def pooling_cases(draw):
    h, w = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    c = draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["valid", "same"]))
    ph = draw(st.integers(1, h if padding == "valid" else 4))
    pw = draw(st.integers(1, w if padding == "valid" else 4))
    stride = draw(st.none() | st.tuples(st.integers(1, 4), st.integers(1, 4)))
    seed = draw(st.integers(0, 2**16))
    x = np.random.default_rng(seed).normal(size=(h, w, c)).astype(np.float32)
    return x, (ph, pw), stride, padding


def _tf_pool(op, x, pool, stride, padding):
    strides = pool if stride is None else stride
    return op(x[None], ksize=pool, strides=strides, padding=padding.upper()).numpy()[0]


@settings(max_examples=30, deadline=None)
@given(pooling_cases())
def test_max_pool_matches_tf(case):
    x, pool, stride, padding = case
    ours = max_pool2d(x, pool, stride=stride, padding=padding)
    np.testing.assert_array_equal(ours, _tf_pool(tf.nn.max_pool2d, x, pool, stride, padding))


@settings(max_examples=30, deadline=None)
@given(pooling_cases())
def test_avg_pool_matches_tf(case):
    x, pool, stride, padding = case
    ours = avg_pool2d(x, pool, stride=stride, padding=padding)
    np.testing.assert_allclose(
        ours, _tf_pool(tf.nn.avg_pool2d, x, pool, stride, padding), rtol=1e-5, atol=1e-6
    )


@settings(max_examples=30, deadline=None)
@given(pooling_cases())
def test_return_indices_match_tf_argmax(case):
    x, pool, stride, padding = case
    pooled, (rows, cols) = max_pool2d(x, pool, stride=stride, padding=padding, return_indices=True)
    channel = np.arange(x.shape[2])[None, None, :]
    np.testing.assert_array_equal(x[rows, cols, channel], pooled)
    strides = pool if stride is None else stride
    _, argmax = tf.nn.max_pool_with_argmax(x[None], ksize=pool, strides=strides, padding=padding.upper())
    # TensorFlow flattens (y, x, c) as (y * W + x) * C + c
    np.testing.assert_array_equal((rows * x.shape[1] + cols) * x.shape[2] + channel, argmax.numpy()[0])


def test_global_pooling_matches_keras():
    import keras

    x = np.random.default_rng(2).normal(size=(5, 7, 3)).astype(np.float32)
    np.testing.assert_allclose(global_max_pool2d(x), keras.layers.GlobalMaxPooling2D()(x[None])[0])
    np.testing.assert_allclose(
        global_avg_pool2d(x), keras.layers.GlobalAveragePooling2D()(x[None])[0], rtol=1e-6
    )


# ---------------------------------------------------------------- presets (the page's seed examples)

XO_PRINTED = [  # 000_05cde12013bfe355.txt L826-830, with the leading 0.77 from the figure
    [0.77, -0.11, 0.11, 0.33, 0.55, -0.11, 0.33],
    [-0.11, 1.00, -0.11, 0.33, -0.11, 0.11, -0.11],
    [0.11, -0.11, 1.00, -0.33, 0.11, -0.11, 0.55],
    [0.33, 0.33, -0.33, 0.55, -0.33, 0.33, 0.33],
    [0.55, -0.11, 0.11, -0.33, 1.00, -0.11, 0.11],
    [-0.11, 0.11, -0.11, 0.33, -0.11, 1.00, -0.11],
    [0.33, -0.11, 0.55, 0.33, 0.11, -0.11, 0.77],
]


def test_xo_feature_map_is_the_seed_printout():
    np.testing.assert_allclose(pooling_presets.xo_feature_map(), XO_PRINTED, atol=1e-6)
    np.testing.assert_allclose(_xo_feature_map(), XO_PRINTED, atol=1e-6)


@pytest.mark.parametrize("key", list(pooling_presets.POOLING_PRESETS))
def test_presets_give_their_printed_results(key):
    p = pooling_presets.POOLING_PRESETS[key]
    out = pooling.pool2d(p.matrix, p.pool_size, kind=p.kind, stride=p.stride, padding=p.padding)
    np.testing.assert_allclose(out, p.expected, atol=1e-6)
    assert p.source.startswith("Course notes, *")


# ---------------------------------------------------------------- page helpers and figures


def test_pool_expression():
    assert pooling.pool_expression(NG_MAX_4x4, 0, 0) == "max(1, 3, 2, 9) = 9"
    assert pooling.pool_expression(NG_AVG_4x4, 1, 0, kind="average") == "(1 + 4 + 5 + 6) / 4 = 4"
    x = np.arange(25, dtype=float).reshape(5, 5)
    assert pooling.pool_expression(x, 2, 2, kind="average", padding="same") == "(24) / 1 = 24"
    with pytest.raises(ValueError, match="kind"):
        pooling.pool_expression(x, 0, 0, kind="median")


def test_pool_windows_tile_the_input():
    tiles = pooling.pool_windows((4, 4), 2)
    assert tiles == [(0, 2, 0, 2), (0, 2, 2, 4), (2, 4, 0, 2), (2, 4, 2, 4)]
    assert len(pooling.pool_windows((5, 5), 3, stride=1)) == 9


def test_pooling_figures():
    from core.figures import pooling as F

    pooled, winners = max_pool2d(NG_MAX_4x4, return_indices=True)
    fig = F.pooling_input_figure(
        NG_MAX_4x4,
        pool_window((4, 4), 0, 1),
        winners=winners,
        selected_winner=(0, 2),
        tiles=pooling.pool_windows((4, 4), 2),
    )
    rings = [t for t in fig.data if t.name == "winners"][0]
    assert sorted(zip(rings.y, rings.x, strict=False)) == [(0, 2), (1, 1), (2, 3), (3, 1)]
    report = translation_sensitivity(np.random.default_rng(5).random((20, 20)), np.ones((3, 3)), (0, 2), 2)
    diff = F.translation_figure(report).data[2].z
    assert np.isnan(np.asarray(diff, float)[:, :2]).all()  # the uncovered columns are not compared


# ---------------------------------------------------------------- L2-norm pooling (seed 000 L694-696)


def test_l2_pool_on_ngs_matrix_and_written_out():
    from core.data.pooling_examples import POOLING_PRESETS
    from core.maths.pooling import compare_pooling, l2_pool2d, pool_expression

    x = [[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]]
    np.testing.assert_allclose(l2_pool2d(x), [[9.746795, 2.645751], [8.426150, 4.242641]], rtol=1e-6)
    assert pool_expression(x, 0, 0, kind="l2") == "√(1² + 3² + 2² + 9²) = √95 = 9.747"
    assert pool_expression([[-2, 1]], 0, 0, (1, 2), kind="l2") == "√((-2)² + 1²) = √5 = 2.236"
    both = compare_pooling(x)
    np.testing.assert_array_equal(both["max"], [[9, 2], [6, 3]])
    np.testing.assert_array_equal(both["average"], [[3.75, 1.25], [3.75, 2]])
    assert (both["max"] <= both["l2"]).all() and (both["l2"] <= 2 * both["max"]).all()
    preset = POOLING_PRESETS["ng_l2"]
    np.testing.assert_allclose(l2_pool2d(preset.matrix), preset.expected, rtol=1e-6)


@settings(max_examples=30, deadline=None)
@given(pooling_cases())
def test_l2_pool_matches_tf_average_of_squares(case):
    """Keras has no L2 pooling: sqrt(real cells * avg_pool(x**2)) is its TensorFlow form."""
    from core.maths.pooling import l2_pool2d, window_counts

    x, pool, stride, padding = case
    ours = l2_pool2d(x, pool, stride=stride, padding=padding)
    mean_sq = _tf_pool(tf.nn.avg_pool2d, x * x, pool, stride, padding)
    counts = window_counts(x.shape, pool, stride=stride, padding=padding)[:, :, None]
    np.testing.assert_allclose(ours, np.sqrt(counts * mean_sq), rtol=1e-4, atol=1e-5)
