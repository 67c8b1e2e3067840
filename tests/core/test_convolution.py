"""core.maths.convolution: the seeds' worked numbers, TensorFlow oracle tests, and every ValueError."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.data.convolution_examples import WORKED_EXAMPLES
from core.data.images import line_image, step_edge
from core.maths.convolution import (
    conv2d_layer,
    convolve2d,
    cross_correlate2d,
    output_size,
    pad_image,
    resolve_padding,
    window_terms,
)
from core.maths.kernels import KERNELS, LINE_KERNELS

tf = pytest.importorskip("tensorflow")


# --- the seeds' numbers --------------------------------------------------------------------------


@pytest.mark.parametrize("key", list(WORKED_EXAMPLES))
def test_worked_examples_reproduce_the_seed(key):
    ex = WORKED_EXAMPLES[key]
    op = convolve2d if ex.flip else cross_correlate2d
    fmap = op(ex.image, ex.kernel, padding=ex.padding, stride=ex.stride, bias=ex.bias)
    assert fmap[ex.position] == pytest.approx(ex.expected_value)
    if ex.expected_map is not None:
        np.testing.assert_array_equal(fmap, ex.expected_map)


def test_patch_308_written_out_and_rgb_sum():
    ex = WORKED_EXAMPLES["patch_308"]
    terms = window_terms(ex.image, ex.kernel, 0, 0, padding=1)
    assert terms.expression() == "0·−1 + 0·−1 + 0·1 + 0·0 + 156·1 + 155·−1 + 0·0 + 153·1 + 154·1 = 308"
    rgb = WORKED_EXAMPLES["rgb_308"]
    t = window_terms(rgb.image, rgb.kernel, 0, 0, padding=1, bias=1.0)
    np.testing.assert_array_equal(t.channel_sums, [308, -498, 164])
    assert t.value == -25
    row = cross_correlate2d(rgb.image, rgb.kernel, padding=1, bias=1.0)[0, :3]
    np.testing.assert_array_equal(row, [-25, 466, 466])


def test_line_detectors_give_6_on_their_line_and_0_on_others():
    for angle, own in zip((0, 45, 90, 135), LINE_KERNELS, strict=False):
        img = line_image(angle, 5)
        for name in LINE_KERNELS:
            centre = cross_correlate2d(img, KERNELS[name].values)[1, 1]
            assert centre == (6 if name == own else 0), (angle, name)
    full = cross_correlate2d(line_image(0, 5), KERNELS["horizontal_lines"].values)
    np.testing.assert_array_equal(full, [[-3, -3, -3], [6, 6, 6], [-3, -3, -3]])


def test_sobel_on_step_and_sign_flip_under_convolution():
    step = np.zeros((5, 6), np.float32)
    step[:, 3:] = 1
    sobel_v = KERNELS["sobel_vertical"].values
    np.testing.assert_array_equal(cross_correlate2d(step, sobel_v), [[0, 4, 4, 0]] * 3)
    np.testing.assert_array_equal(convolve2d(step, sobel_v), [[0, -4, -4, 0]] * 3)
    np.testing.assert_array_equal(
        cross_correlate2d(step, KERNELS["sobel_horizontal"].values), np.zeros((3, 4))
    )


def test_step_edges_and_horizontal_kernel():
    np.testing.assert_array_equal(
        cross_correlate2d(step_edge(left=0, right=10), KERNELS["vertical_edge"].values),
        [[0, -30, -30, 0]] * 4,
    )
    img = np.zeros((6, 6), np.float32)
    img[:3, :3] = 10
    img[3:, 3:] = 10
    np.testing.assert_array_equal(
        cross_correlate2d(img, KERNELS["horizontal_edge"].values),
        [[0, 0, 0, 0], [30, 10, -10, -30], [30, 10, -10, -30], [0, 0, 0, 0]],
    )


def test_ng_6x6_same_padding():
    ex = WORKED_EXAMPLES["ng_6x6"]
    expected = [
        [-5, -5, -6, -1, 6, 10],
        [-12, -5, -4, 0, 8, 11],
        [-13, -10, -2, 2, 3, 11],
        [-10, 0, -2, -4, -7, 10],
        [-7, -3, -2, -3, -16, 12],
        [-6, 0, -2, 1, -9, 5],
    ]
    np.testing.assert_array_equal(cross_correlate2d(ex.image, ex.kernel, padding="same"), expected)


def test_impulse_response_reproduces_kernels():
    img = np.zeros((9, 9), np.float32)
    img[4, 4] = 1
    for name in ("laplacian_4", "laplacian_8", "log_5x5"):
        k = KERNELS[name].values
        out = convolve2d(img, k, padding="same")
        r = k.shape[0] // 2
        np.testing.assert_array_equal(out[4 - r : 4 + r + 1, 4 - r : 4 + r + 1], k)
    assert convolve2d(img, KERNELS["log_5x5"].values, padding="same")[4, 4] == 16


def test_seed_kernels_sum_to_zero_and_flip_symmetry():
    seed_3x3 = [
        "horizontal_lines",
        "lines_45",
        "vertical_lines",
        "lines_135",
        "sobel_horizontal",
        "sobel_vertical",
        "laplacian_4",
        "laplacian_8",
        "log_5x5",
    ]
    for name in seed_3x3:
        assert KERNELS[name].values.sum() == 0, name
        assert np.all(cross_correlate2d(np.full((7, 7), 7.0), KERNELS[name].values) == 0)
    assert not KERNELS["sobel_vertical"].is_flip_symmetric
    assert KERNELS["laplacian_8"].is_flip_symmetric and KERNELS["lines_45"].is_flip_symmetric


def test_output_size_seed_formulas():
    assert output_size(6, 3) == (4, (0, 0))
    assert output_size(28, 3) == (26, (0, 0))
    assert output_size(6, 3, padding=1) == (6, (1, 1))
    assert output_size(7, 3, stride=2) == (3, (0, 0))
    assert output_size(8, 3, stride=2, padding=1)[0] == 4
    assert output_size(5, 5, padding=2)[0] == 5
    for n, s, out in ((28, 1, 28), (28, 2, 14), (7, 2, 4), (5, 2, 3)):  # Keras 'same' = ceil(n/s)
        assert output_size(n, 3, stride=s, padding="same")[0] == out
    assert output_size(4, 2, padding="same") == (4, (0, 1))  # extra padding at the end
    assert output_size(5, 3, padding="full") == (7, (2, 2))
    assert output_size(9, 3, dilation=2) == (5, (0, 0))


def test_two_by_two_shape_filters():
    diag = np.array([[0, 1], [1, 0]], np.float32)
    block = np.ones((2, 2), np.float32)
    assert cross_correlate2d(diag, KERNELS["diagonal_2x2"].values)[0, 0] == 2
    assert cross_correlate2d(block, KERNELS["diagonal_2x2"].values)[0, 0] == 2
    assert cross_correlate2d(diag, KERNELS["isolated_diagonal_2x2"].values)[0, 0] == 2
    assert cross_correlate2d(block, KERNELS["isolated_diagonal_2x2"].values)[0, 0] == 0


# --- oracle tests against TensorFlow -------------------------------------------------------------


def tf_conv(image, kernel, stride, padding, dilation):
    x = tf.constant(image[None].astype(np.float32))
    k = tf.constant(kernel[:, :, :, None].astype(np.float32))
    return tf.nn.conv2d(x, k, strides=stride, padding=padding, dilations=dilation).numpy()[0, :, :, 0]


@st.composite
def images_and_kernels(draw, *, sides=(3, 20), sizes=(1, 4), channels=(1, 3), integers=False):
    """An ``(H, W, C)`` image and a ``(k, k, C)`` kernel, float32: standard normal values, or with
    ``integers`` pixels in [0, 255) and kernel weights in [-3, 3]."""
    h, w, k = draw(st.integers(*sides)), draw(st.integers(*sides)), draw(st.integers(*sizes))
    c = draw(st.sampled_from(channels))
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    if integers:
        image, kernel = rng.integers(0, 255, (h, w, c)), rng.integers(-3, 4, (k, k, c))
    else:
        image, kernel = rng.standard_normal((h, w, c)), rng.standard_normal((k, k, c))
    return image.astype(np.float32), kernel.astype(np.float32)


@settings(max_examples=40, deadline=None)
@given(
    image_kernel=images_and_kernels(),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 2),
    padding=st.sampled_from(["valid", "same"]),
)
def test_matches_tf_nn_conv2d(image_kernel, stride, dilation, padding):
    image, kernel = image_kernel
    if padding == "same" and stride > 1 and dilation > 1:
        dilation = 1  # tf.nn.conv2d refuses stride > 1 together with dilation > 1
    if padding == "valid" and dilation * (len(kernel) - 1) + 1 > min(image.shape[:2]):
        return
    if padding == "valid" and stride > 1:
        dilation = 1
    ours = cross_correlate2d(image, kernel, stride=stride, padding=padding, dilation=dilation)
    ref = tf_conv(image, kernel, stride, padding.upper(), dilation)
    assert ours.shape == ref.shape
    np.testing.assert_allclose(ours, ref, atol=1e-5, rtol=1e-5)


@settings(max_examples=25, deadline=None)
@given(
    image_kernel=images_and_kernels(sides=(4, 16), channels=(2,)),
    pads=st.tuples(*[st.integers(0, 3)] * 4),
    stride=st.integers(1, 3),
)
def test_explicit_padding_matches_tf(image_kernel, pads, stride):
    (image, kernel), (top, bottom, left, right) = image_kernel, pads
    ours = cross_correlate2d(image, kernel, stride=stride, padding=(top, bottom, left, right))
    ref = tf_conv(image, kernel, stride, [[0, 0], [top, bottom], [left, right], [0, 0]], 1)
    np.testing.assert_allclose(ours, ref, atol=1e-5, rtol=1e-5)


def test_conv2d_layer_matches_keras_conv2d():
    rng = np.random.default_rng(1)
    image = rng.standard_normal((12, 10, 3)).astype(np.float32)
    kernels = rng.standard_normal((3, 3, 3, 5)).astype(np.float32)
    biases = rng.standard_normal(5).astype(np.float32)
    layer = tf.keras.layers.Conv2D(5, 3, strides=2, padding="same")
    layer.build((None, 12, 10, 3))
    layer.set_weights([kernels, biases])
    ref = layer(image[None]).numpy()[0]
    ours = conv2d_layer(image, kernels, biases, stride=2, padding="same")
    assert ours.shape == (6, 5, 5)
    np.testing.assert_allclose(ours, ref, atol=1e-5)


def test_pad_modes_match_numpy_and_full_padding():
    img = np.arange(16, dtype=np.float32).reshape(4, 4)
    k = np.ones((3, 3), np.float32)
    for mode in ("reflect", "edge"):
        padded = np.pad(img, 1, mode=mode)
        np.testing.assert_allclose(
            cross_correlate2d(img, k, padding=1, pad_mode=mode), cross_correlate2d(padded, k)
        )
    np.testing.assert_array_equal(pad_image(img, (1, 1, 1, 1), "constant")[0], np.zeros(6))
    full = cross_correlate2d(np.ones((2, 2)), np.ones((2, 2)), padding="full")
    np.testing.assert_array_equal(full, [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


@settings(max_examples=30, deadline=None)
@given(
    image_kernel=images_and_kernels(sides=(3, 12), sizes=(1, 3), channels=(3,), integers=True),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 2),
    padding=st.sampled_from(["valid", "same", "full", 2]),
    where=st.tuples(st.floats(0, 1, exclude_max=True), st.floats(0, 1, exclude_max=True)),
)
def test_window_terms_equals_feature_map(image_kernel, stride, dilation, padding, where):
    image, kernel = image_kernel
    try:
        fmap = cross_correlate2d(image, kernel, stride=stride, padding=padding, dilation=dilation, bias=1.5)
    except ValueError:
        return
    r, c = int(where[0] * fmap.shape[0]), int(where[1] * fmap.shape[1])
    terms = window_terms(
        image, kernel, int(r), int(c), stride=stride, padding=padding, dilation=dilation, bias=1.5
    )
    assert terms.value == pytest.approx(float(fmap[r, c]), rel=1e-5, abs=1e-3)
    np.testing.assert_array_equal(terms.products, terms.patch * kernel)


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(image=np.zeros((2, 2, 2, 2))), "`image` must have shape"),
        (dict(kernel=np.ones((3, 3, 2))), "kernel.*2 channels"),
        (dict(kernel=np.ones((9, 9))), "larger than the padded image"),
        (dict(stride=0), "`stride` must be at least 1"),
        (dict(dilation=0), "`dilation` must be at least 1"),
        (dict(kernel=np.array([[np.nan, 0], [0, 1]])), "NaN"),
        (dict(bias=float("inf")), "`bias` must be a finite number"),
        (dict(padding="sideways"), "`padding` must be one of"),
        (dict(padding=-1), "must not be negative"),
        (dict(pad_mode="wrap", padding=1), "`pad_mode` must be one of"),
        (dict(image=np.full((5, 5, 3), np.nan)), "`image` contains NaN"),
        (dict(image=np.zeros((0, 4))), "empty"),
    ],
)
def test_value_errors_name_the_argument(kwargs, match):
    args = dict(image=np.zeros((5, 5, 3)), kernel=np.ones((3, 3)))
    args.update(kwargs)
    image, kernel = args.pop("image"), args.pop("kernel")
    with pytest.raises(ValueError, match=match):
        cross_correlate2d(image, kernel, **args)


def test_stride_larger_than_image_gives_one_pixel_not_a_crash():
    out = cross_correlate2d(np.ones((5, 5)), np.ones((3, 3)), stride=10)
    assert out.shape == (1, 1) and out[0, 0] == 9


def test_window_terms_outside_the_map_and_resolve_padding():
    with pytest.raises(ValueError, match="outside"):
        window_terms(np.ones((5, 5)), np.ones((3, 3)), 3, 0)
    assert resolve_padding((5, 5), (3, 3), padding=(1, 2, 3, 4)) == (1, 2, 3, 4)
    assert resolve_padding((4, 4), (2, 2), padding="same") == (0, 1, 0, 1)


def test_convolve2d_passes_every_option_to_cross_correlate2d():
    rng = np.random.default_rng(4)
    img, k = rng.normal(size=(9, 8, 2)), rng.normal(size=(3, 2, 2))
    options = dict(stride=(2, 1), padding="same", dilation=2, bias=1.5, pad_mode="reflect")
    expected = cross_correlate2d(img, k[::-1, ::-1], **options)
    np.testing.assert_array_equal(convolve2d(img, k, **options), expected)
    assert not np.allclose(expected, cross_correlate2d(img, k, **options))  # the flip matters here
    with pytest.raises(TypeError, match="padding_mode"):
        convolve2d(img, k, padding_mode="reflect")
