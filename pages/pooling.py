"""Pooling: max and average pooling on the course's matrices, on images, and under small shifts."""

import numpy as np
import streamlit as st

from core.adapters import cached, display, image_input, live_questions, page_frame, url_state
from core.adapters.errors import guarded
from core.adapters.lecture_mode import session_seed
from core.adapters.tap import show_pickable, store_cell
from core.adapters.url_state import UrlParam
from core.data.course import cite
from core.data.images import to_grayscale
from core.data.pooling_examples import POOLING_PRESETS
from core.figures.pooling import (
    feature_figure,
    pooling_input_figure,
    pooling_output_figure,
    translation_curve_figure,
    translation_figure,
)
from core.maths.kernels import KERNELS
from core.maths.pooling import (
    compare_pooling,
    l2_pool2d,
    max_pool2d,
    pool2d,
    pool_expression,
    pool_window,
    pool_windows,
    window_counts,
)
from core.maths.translation import cnn_stage, translation_curve, translation_sensitivity

page_frame.start()

st.title("Pooling")
st.markdown("A **pooling** layer slides a window over each feature map and keeps **one number per window**.")
more_col, mode_col = st.columns([2, 3], vertical_alignment="center")
with more_col.expander("More about pooling"):
    st.markdown(
        "The number kept is the "
        f"**maximum**, the **average** or the **L2 norm** √(sum of squares) ({cite('ae_cnn', 'Pooling')}). "
        f"It makes the map smaller (height and width, never the depth), keeps "
        "what was found while forgetting exactly where, and has **no weights to learn**. In Keras the stride "
        "defaults to the pool size: 2×2 windows, 2 pixels apart."
    )
MODES = {"numbers": "Numbers", "image": "Image", "shift": "Translation invariance"}
CUSTOM = "random"
KINDS = {"max": "Max", "average": "Average", "l2": "L2-norm"}
URL = (
    UrlParam("mode", "pool_mode", "numbers", choices=MODES),
    UrlParam(
        "preset", "pool_preset", "ng_max", choices=[*POOLING_PRESETS, CUSTOM], when=("pool_mode", "numbers")
    ),
    UrlParam("kind", "pool_kind", None, choices=KINDS),  # defaults: the preset's, set below
    UrlParam("size", "pool_size", None, kind=int, choices=range(1, 6)),
    UrlParam("stride", "pool_stride", None, kind=int, choices=range(1, 6)),
    UrlParam("padding", "pool_padding", None, choices=("valid", "same")),
    UrlParam("kernel", "pool_kernel", "sobel_vertical", choices=KERNELS, when=("pool_mode", "image")),
    UrlParam("kernel", "pool_shift_kernel", "sobel_vertical", choices=KERNELS, when=("pool_mode", "shift")),
)
url_state.seed(URL)
start = POOLING_PRESETS.get(st.session_state.pool_preset)
for key, default in (
    ("pool_kind", start.kind if start else "max"),
    ("pool_size", start.pool_size if start else 2),
    ("pool_stride", start.stride if start else 2),
    ("pool_padding", start.padding if start else "valid"),
):
    st.session_state.setdefault(key, default)
url_state.sync(URL)
mode = mode_col.radio(
    "Show", list(MODES), key="pool_mode", format_func=MODES.get, horizontal=True, label_visibility="collapsed"
)

# --- presets and pooling settings ----------------------------------------------------------------


@guarded
def apply_preset() -> None:
    p = POOLING_PRESETS.get(st.session_state.pool_preset)
    if p is not None:
        st.session_state.update(
            pool_kind=p.kind,
            pool_size=p.pool_size,
            pool_stride=p.stride,
            pool_padding=p.padding,
            pool_row=0,
            pool_col=0,
        )


@guarded
def follow_pool_size() -> None:
    st.session_state.pool_stride = st.session_state.pool_size  # Keras: strides=None → pool_size


c0, c1, c2, c3, c4 = st.columns([4, 3, 2, 2, 2]) if mode == "numbers" else (None, *st.columns([3, 2, 2, 2]))
if mode == "numbers":
    preset_key = c0.selectbox(
        "Matrix",
        [*POOLING_PRESETS, CUSTOM],
        key="pool_preset",
        on_change=apply_preset,
        format_func=lambda k: (
            POOLING_PRESETS[k].title if k in POOLING_PRESETS else "Random 6×6 integers (edit any cell)"
        ),
    )
kind = c1.radio("Pooling", list(KINDS), key="pool_kind", format_func=KINDS.get, horizontal=True)
size = c2.select_slider("Pool size f", list(range(1, 6)), key="pool_size", on_change=follow_pool_size)
stride = c3.select_slider(
    "Stride s",
    list(range(1, 6)),
    key="pool_stride",
    help="Changing the pool size sets the stride to match, as Keras does by default.",
)
padding = c4.radio(
    "Padding",
    ["valid", "same"],
    key="pool_padding",
    horizontal=True,
    help="valid: whole windows only, out = ⌊(n − f)/s⌋ + 1 · same: out = ⌈n/s⌉, the missing "
    "cells at the bottom/right never win a max and are left out of an average",
)


def size_text(shape) -> str:
    return " × ".join(str(d) for d in shape)


def matrix_text(m) -> str:
    return "[" + ", ".join("[" + ", ".join(f"{v:g}" for v in row) + "]" for row in np.asarray(m)) + "]"


# --- numbers mode --------------------------------------------------------------------------------
if mode == "numbers":
    preset = POOLING_PRESETS.get(preset_key)
    rng = np.random.default_rng(session_seed(7))
    default = preset.matrix if preset else rng.integers(0, 10, (6, 6))
    figures = st.container()  # the figures first, drawn once the matrix below is read
    left, right = st.columns([3, 2])
    with left:
        x = image_input.matrix_editor(f"pool_matrix_{preset_key}", default)
        if preset:
            st.caption(f"{preset.note} *Source:* {preset.source}")
    try:
        if kind == "max":
            pooled, winners = max_pool2d(x, size, stride=stride, padding=padding, return_indices=True)
        else:
            pooled, winners = pool2d(x, size, kind=kind, stride=stride, padding=padding), None
    except ValueError as exc:
        st.error(f"These settings do not fit this matrix: {exc}")
        st.stop()
    for key, top in (("pool_row", pooled.shape[0] - 1), ("pool_col", pooled.shape[1] - 1)):
        st.session_state[key] = min(max(int(st.session_state.get(key, 0)), 0), top)

    with right:
        st.metric("Output size", f"{size_text(pooled.shape)}", help=f"from {size_text(x.shape)}")
        row = st.slider("Output row", 0, pooled.shape[0] - 1, key="pool_row") if pooled.shape[0] > 1 else 0
        col = st.slider("Output column", 0, pooled.shape[1] - 1, key="pool_col") if pooled.shape[1] > 1 else 0
    window = pool_window(x.shape, row, col, size, stride=stride, padding=padding)
    live_questions.note("pooling", matrix=np.asarray(x).tolist())  # "Ask the class"
    winner = None if winners is None else (int(winners[0][row, col]), int(winners[1][row, col]))
    f1, f2 = figures.columns([3, 2])
    with f1:
        tiles = pool_windows(x.shape, size, stride=stride, padding=padding) if stride >= size else ()
        display.show_figure(
            pooling_input_figure(
                x,
                window,
                winners=winners,
                selected_winner=winner,
                tiles=tiles,
                title="Input: the window (orange)"
                + (" and each window's winner (red)" if winners is not None else ""),
            ),
            key="pool_in_chart",
            height=60 + 52 * x.shape[0],
        )
    if live_questions.answer_hidden("pooling"):  # the class answers first: the rest after the reveal
        f2.info(f"Output ({row}, {col}) and the pooled matrix: *{live_questions.HIDDEN_TEXT}*.")
        st.stop()
    with f2:
        show_pickable(
            pooling_output_figure(pooled, (row, col), title="Pooled (click a cell)"),
            key="pool_out_chart",
            on_pick=store_cell("pool_row", "pool_col", pooled.shape[:2]),
            height=60 + 52 * pooled.shape[0],
        )
    figures.code(
        f"output ({row}, {col}) = "
        f"{pool_expression(x, row, col, size, kind=kind, stride=stride, padding=padding)}",
        language=None,
    )
    if preset is not None:
        same_setup = (kind, size, stride, padding) == (
            preset.kind,
            preset.pool_size,
            preset.stride,
            preset.padding,
        )
        if same_setup and np.array_equal(x, preset.matrix):
            ok = np.allclose(pooled, preset.expected, atol=1e-6)
            (st.success if ok else st.error)(
                f"The course's result is {matrix_text(preset.expected)}" + (" — reproduced." if ok else ".")
            )
    st.markdown(
        "**Max, average and L2-norm pooling of this matrix** (the three kinds of "
        f"{cite('ae_cnn', 'Pooling')}; "
        "same window, stride and padding):"
    )
    display.show_table(
        [
            {
                "Pooling": KINDS[k],
                "Result": matrix_text(np.round(v, 3)),
                "Window (0, 0)": pool_expression(x, 0, 0, size, kind=k, stride=stride, padding=padding),
            }
            for k, v in compare_pooling(x, size, stride=stride, padding=padding).items()
        ],
        hide_index=True,
        width="stretch",
    )
    st.caption(
        "L2 pooling lies between the window's largest |value| and f times it: like max pooling it follows "
        "the strongest response, but every cell adds to it."
    )

    st.header("Pooling has no parameters")
    st.markdown(
        "There is nothing for gradient descent to learn in a pooling layer "
        f"({cite('cnn_classics', 'Pooling layer')}). The same "
        "layer in Keras, run on the matrix above:"
    )
    layer = "MaxPooling2D" if kind == "max" else "AveragePooling2D"
    keras_in = x * x if kind == "l2" else x  # Keras has no L2 pooling: √(cells · mean of x²)
    with st.spinner("Loading TensorFlow (only the first time)…"):
        k_out, k_params, k_strides = cached.keras_pool(
            np.ascontiguousarray(keras_in, np.float32).tobytes(),
            x.shape,
            "max" if kind == "max" else "average",
            size,
            stride,
            padding,
        )
    if kind == "l2":
        k_out = np.sqrt(window_counts(x.shape, size, stride=stride, padding=padding) * k_out)
        st.caption(
            "Keras has no L2-pooling layer; it equals √(cells in the window × AveragePooling2D(x²)), "
            "which is what is checked here."
        )
    k1, k2 = st.columns(2)
    k1.metric(f"{layer}.count_params()", k_params)
    agree = k_out.shape == pooled.shape and np.allclose(k_out, pooled, atol=1e-5)
    k2.metric("Keras gives the same numbers", "yes" if agree else "no")
    st.code(
        f"keras.layers.{layer}(pool_size={size}, strides={stride}, padding='{padding}')"
        f"  # strides used: {k_strides}, parameters: {k_params}",
        language="python",
    )

# --- image mode ----------------------------------------------------------------------------------
elif mode == "image":
    picked = image_input.image_source_picker("pool")
    stage_on = st.toggle("Convolve with a kernel and apply ReLU first (one CNN stage)", key="pool_stage")
    kernel = None
    if stage_on:
        kernel = KERNELS[
            st.selectbox("Kernel", list(KERNELS), key="pool_kernel", format_func=lambda n: KERNELS[n].title)
        ].values
    image = to_grayscale(picked.pixels) if stage_on and picked.pixels.ndim == 3 else picked.pixels
    st.session_state.setdefault("pool_repeat", 1)
    repeat = st.slider(
        "Pooling layers in a row",
        1,
        4,
        key="pool_repeat",
        help="Each layer divides the height and width by the stride again.",
    )
    try:
        stage = cnn_stage(
            image, kernel, pool_size=size, kind=kind, stride=stride, padding=padding, repeat=repeat
        )
    except ValueError as exc:
        st.error(f"These settings do not fit this image: {exc}")
        st.stop()
    before = image if kernel is None else stage.activated
    share = stage.pooled.size / before.size
    st.markdown(
        f"{picked.label}  \n**{size_text(before.shape)}** → **{size_text(stage.pooled.shape)}**: "
        f"{share:.0%} of the values are left"
        + (", each channel pooled on its own." if before.ndim == 3 else ".")
    )
    i1, i2 = st.columns(2)
    with i1:
        display.show_figure(
            feature_figure(
                before,
                title="Before pooling"
                + (" (conv → ReLU)" if kernel is not None else "")
                + f": {size_text(before.shape)}",
            ),
            key="pool_before",
            height=480,
        )
    with i2:
        kind_text = KINDS[kind] if kind == "l2" else KINDS[kind].lower()
        display.show_figure(
            feature_figure(
                stage.pooled,
                title=f"After {kind_text} pooling" + (f" ×{repeat}" if repeat > 1 else "") + ": "
                f"{size_text(stage.pooled.shape)}",
            ),
            key="pool_after",
            height=480,
        )
    st.caption(
        "Both are drawn at the same size, so the pooled pixels look bigger. Black = lowest value, "
        "white = highest."
    )

# --- translation invariance ----------------------------------------------------------------------
else:
    st.markdown(
        "Move the input by a few pixels. A convolution's output moves with it, so at any fixed "
        "position the numbers change; after pooling, a feature that stays inside its window gives "
        "the same value, so much less changes."
    )
    picked = image_input.image_source_picker("pool")
    gray = to_grayscale(picked.pixels) if picked.pixels.ndim == 3 else picked.pixels
    crop = 96
    top, left_ = max((gray.shape[0] - crop) // 2, 0), max((gray.shape[1] - crop) // 2, 0)
    gray = gray[top : top + crop, left_ : left_ + crop]
    for key, default in (("pool_dx", 1), ("pool_dy", 0)):
        st.session_state.setdefault(key, default)
    s1, s2, s3 = st.columns(3)
    kernel_name = s1.selectbox(
        "Kernel", list(KERNELS), key="pool_shift_kernel", format_func=lambda n: KERNELS[n].title
    )
    dx = s2.slider("Shift right (pixels)", -4, 4, key="pool_dx")
    dy = s3.slider("Shift down (pixels)", -4, 4, key="pool_dy")
    kernel = KERNELS[kernel_name].values
    try:
        report = translation_sensitivity(gray, kernel, (dy, dx), size, stride=stride, kind=kind)
        curve = translation_curve(gray, kernel, range(0, 2 * size + 2), size, kind=kind)
    except ValueError as exc:
        st.error(f"These settings do not fit this image: {exc}")
        st.stop()
    st.caption(
        f"{picked.label} — the central {size_text(gray.shape)} pixels, in grey; conv (valid) → ReLU → pool."
    )
    m1, m2, m3 = st.columns(3)
    m1.metric(
        "Conv map changes by",
        f"{report.conv_difference:.0%}",
        help="mean |a − b| / (mean |a| + mean |b|) at the same positions, where both inputs have real "
        "pixels: 0% = unchanged, 100% = nothing in common",
    )
    m2.metric(
        "Pooled map changes by", f"{report.pooled_difference:.0%}", help="the same measure after pooling"
    )
    m3.metric(
        "Pooled cells unchanged",
        f"{report.pooled_unchanged:.0%}",
        delta=f"{report.pooled_unchanged - report.conv_unchanged:+.0%} vs conv cells",
        delta_color="off",
    )
    display.show_figure(translation_figure(report), key="pool_shift_fig", height=560)
    display.show_figure(
        translation_curve_figure(*curve, pool_size=size, marked=dx), key="pool_curve_fig", height=320
    )
    st.caption(
        "The same measure for horizontal shifts 0, 1, 2, …: pooling absorbs part of a small shift. "
        "Its tolerance ends at the window: a shift of a whole pool size moves the pooled map by one cell."
    )

page_frame.finish(
    max_pool2d,
    l2_pool2d,
    translation_sensitivity,
    course={
        "ae_cnn": ["Pooling", "CNN simple example"],
        "cnn_classics": ["Pooling layer"],
        "keras_cnn": ["CNNs: structure and components in Keras (II)"],
    },
    references=["keras_pooling", "cs231n", "rohrer2016"],
)
