"""Convolution and kernels: slide a kernel over an image and see the numbers behind any output pixel."""

import numpy as np
import streamlit as st

from core.adapters import cached, display, image_input, live_questions, page_frame, url_state
from core.adapters.errors import guarded
from core.adapters.lecture_mode import is_lecture
from core.adapters.sections.convolution import gradient_magnitude_section, one_dimensional, volume, xo_example
from core.adapters.tap import show_pickable, store_cell
from core.adapters.url_state import UrlParam
from core.adapters.widgets import signed_display
from core.adapters.widgets.padding import PADDINGS, padding_input
from core.adapters.worked_examples import apply_worked_example
from core.data.convolution_examples import FORMER_EXAMPLE_KEYS, NG_6X6, WORKED_EXAMPLES
from core.data.images import content_key, encode_png, npy_bytes
from core.figures.common import HEATMAP_MAX_SIDE, image_to_rgb_uint8, matrix_figure
from core.figures.convolution import closeup_figure, display_rgb, feature_map_figure, kernel_figure
from core.maths.convolution import (
    PAD_MODES,
    conv2d_layer,
    cross_correlate2d,
    flip_kernel,
    output_size_formula,
    pad_image,
    window_terms,
)
from core.maths.kernels import KERNELS, kernel_facts

page_frame.start()

st.title("Convolution and kernels")
st.markdown(
    "A small grid of weights, the **kernel**, slides over the image and makes the **feature map**: "
    "click or tap any of its pixels to see the numbers behind it."
)
with st.expander("More about convolution"):
    st.markdown(
        "A **kernel** (filter) is a small grid of weights. It slides over the image; at each position the "
        "pixels under it are multiplied by the weights and added up (plus a **bias**), giving one pixel of "
        "the **feature map**. Deep-learning libraries call this *convolution*, but they do not flip the "
        "kernel: it is **cross-correlation**. Textbook convolution flips it first — switch between them "
        "below."
    )
lecture = is_lecture()

# --- the link: this page's URL parameters (the picker and the sections below declare their own) ----
EXAMPLE_NONE = "none"
MORE = {
    "one_d": "1-D convolution first",
    "volume": "Several kernels make a volume",
    "gradient": "Gradient magnitude (Scharr)",
    "xo": "The X / O example",
}
URL = (
    UrlParam(
        "example",
        "conv_example",
        EXAMPLE_NONE,
        choices=[EXAMPLE_NONE, *WORKED_EXAMPLES],
        aliases=FORMER_EXAMPLE_KEYS,
    ),
    UrlParam("color", "conv_color", "Grayscale", choices=("Grayscale", "RGB")),
    UrlParam(
        "kernel",
        "conv_kernel",
        "sobel_vertical",
        choices=[*KERNELS, "custom"],
        when=("conv_example", EXAMPLE_NONE),
    ),
    UrlParam("stride", "conv_stride", 1, kind=int, lo=1, hi=8),
    UrlParam("padding", "conv_padding", "valid", choices=PADDINGS),
    UrlParam("pad", "conv_pad", 1, kind=int, lo=0, hi=20),
    UrlParam("padmode", "conv_pad_mode", "constant", choices=PAD_MODES),
    UrlParam("dilation", "conv_dilation", 1, kind=int, lo=1, hi=4),
    UrlParam("flip", "conv_flip", False, kind=bool),
    UrlParam("more", "conv_more", "one_d", choices=MORE),
)
url_state.seed(URL)

# --- the controls in a column beside the figures they drive; the kernel's description below them ----
ctl, figs = st.columns([1, 3])
kernel_info = st.container()

# --- the seeds' worked examples ------------------------------------------------------------------
example_key = ctl.selectbox(
    "Start from a worked example of the course",
    [EXAMPLE_NONE, *WORKED_EXAMPLES],
    key="conv_example",
    format_func=lambda k: "— your own image and kernel —" if k == EXAMPLE_NONE else WORKED_EXAMPLES[k].title,
)
example = WORKED_EXAMPLES.get(example_key)
apply_worked_example(example)  # a newly chosen example (or one given in the URL) sets the controls below
url_state.sync(URL)  # after the example's settings, before the controls that show them

# --- image and kernel ----------------------------------------------------------------------------
left = right = ctl
with left:
    if example is None:
        picked = image_input.image_source_picker("conv", matrix_default=np.asarray(NG_6X6, np.float32))
        image, image_label, image_key = picked.pixels, picked.label, picked.key
    else:
        image, image_label, image_key = (
            example.image,
            f"Worked example: {example.source}",
            f"example:{example.key}",
        )
    is_rgb_input = image.ndim == 3
    color = st.radio(
        "Channels",
        ["Grayscale", "RGB"],
        key="conv_color",
        horizontal=True,
        disabled=not is_rgb_input,
        help="RGB: a 3-channel kernel (the same 2-D weights on each channel unless the example "
        "gives three) and one bias make ONE feature map — the channel sums are added.",
    )
    if is_rgb_input and color == "Grayscale" and example is None:
        image_key += ":gray"
        image = cached.grayscale(image_key, image)
    st.caption(image_label)
with right:
    if example is None:
        kernel_name = st.selectbox(
            "Kernel",
            [*KERNELS, "custom"],
            key="conv_kernel",
            format_func=lambda n: (
                "Custom (edit the values)"
                if n == "custom"
                else KERNELS[n].title + (" · from the course" if KERNELS[n].from_course else "")
            ),
        )
        if kernel_name == "custom":
            size = st.select_slider("Kernel size", [3, 5, 7], key="conv_custom_size")
            kernel = image_input.matrix_editor(
                f"conv_custom_{size}",
                np.pad(np.eye(1, dtype=np.float32), (size // 2,)),
                label="Kernel weights",
            )
            st.caption("Your own kernel. Any finite numbers work; empty cells count as 0.")
        else:
            info = KERNELS[kernel_name]
            kernel = info.values
            kernel_info.markdown(
                f"**{info.title}** — {info.description} *Detects:* {info.detects}.  \n*Source:* {info.source}"
            )
    else:
        kernel = example.kernel
        kernel_info.markdown(f"**{example.title}**  \n{example.note}  \n*Source:* {example.source}")
    k2d = kernel if kernel.ndim == 2 else kernel[:, :, 0]
    with kernel_info.columns([1, 2])[0]:
        display.show_figure(
            kernel_figure(k2d, title="Kernel" if kernel.ndim == 2 else "Kernel, channel 1 (of 3)"),
            key="conv_kernel_fig",
        )
        try:
            st.caption(kernel_facts(kernel).sentence())
        except ValueError as exc:
            st.caption(str(exc))

# --- controls ------------------------------------------------------------------------------------
st.session_state.setdefault("conv_bias", 0.0)
advanced = ctl if lecture else ctl.expander("More settings: flip, dilation, padding fill, bias, colours")
c1 = c2 = ctl
c3 = c4 = c6 = c7 = advanced
stride = c1.slider("Stride", 1, 8, key="conv_stride")
padding_name, pad_amount = padding_input(
    c2, key="conv_padding", pad_key="conv_pad", pad_label="Pixels on each side"
)
# Lecture mode hides the advanced controls; their current values (e.g. a worked example's bias) still apply.
dilation = st.session_state.conv_dilation if lecture else c3.slider("Dilation", 1, 4, key="conv_dilation")
PAD_LABELS = {
    "constant": "zeros",
    "reflect": "mirror: reflect (NumPy)",
    "symmetric": "mirror + edge: symmetric (NumPy) = 'symm' (SciPy)",
    "edge": "edge pixel",
}
pad_mode = (
    st.session_state.conv_pad_mode
    if lecture
    else c4.selectbox(
        "Padding fills with",
        list(PAD_MODES),
        key="conv_pad_mode",
        format_func=PAD_LABELS.get,
        help="reflect: d c b | a b c d (the edge pixel is not repeated) · symmetric: c b a | a b c d (it is; "
        "SciPy's convolve2d calls this boundary='symm')",
    )
)
c5 = advanced
flip = c5.toggle(
    "Flip the kernel",
    key="conv_flip",
    help="Off: cross-correlation, what Conv2D computes. On: true (textbook) convolution.",
)
bias = st.session_state.conv_bias if lecture else c6.number_input("Bias", step=1.0, key="conv_bias")
with c7:
    display_mode = signed_display.signed_display_selector("conv_display") if not lecture else "diverging"
padding = pad_amount if padding_name == "explicit" else padding_name
live_questions.note(
    "convolution", image_shape=image.shape[:2], kernel_shape=kernel.shape[:2]
)  # "Ask the class"

# --- compute (shared by every student on the same view) -----------------------------------------
view = (image_key, content_key(kernel), flip, stride, padding, dilation, float(bias), pad_mode)
try:
    feature_map, pads = cached.feature_map(
        image_key,
        image,
        kernel,
        flip=flip,
        stride=stride,
        padding=padding,
        dilation=dilation,
        bias=float(bias),
        pad_mode=pad_mode,
    )
except ValueError as exc:
    st.error(f"These settings do not give a feature map: {exc}")
    st.stop()

out_h, out_w = feature_map.shape
st.header("Output size")
hidden = live_questions.answer_hidden("convolution")  # the class is answering: the size after the reveal
map_size = f"*{live_questions.HIDDEN_TEXT}*" if hidden else f"**{out_h} × {out_w}** (one channel)"
st.markdown(
    f"Input **{' × '.join(map(str, image.shape))}** · kernel **{' × '.join(map(str, kernel.shape))}** "
    f"→ feature map {map_size}."
)
height_formula = output_size_formula(
    image.shape[0], kernel.shape[0], stride=stride, dilation=dilation, pads=pads[:2]
)
width_formula = output_size_formula(
    image.shape[1], kernel.shape[1], stride=stride, dilation=dilation, pads=pads[2:]
)
if not hidden:
    st.code(f"height: {height_formula}\nwidth:  {width_formula}", language=None)

small = max(image.shape[:2]) <= 32  # typed matrices and synthetic images: every number shown
large_map = max(out_h, out_w) > HEATMAP_MAX_SIDE
cell = min(460 / max(image.shape[0] + pads[0] + pads[1], image.shape[1] + pads[2] + pads[3]), 44)
if large_map:  # drawn once per view and shared; the picked pixel shows in the arithmetic below it
    map_view = cached.shared_view(
        ("conv_map", *view, display_mode), lambda: feature_map_figure(feature_map, display_mode)
    )
if not small:  # a photo: drawn once per image and shared; the window is shown enlarged below it
    input_fig = cached.shared_view(
        ("conv_input", image_key, image.shape),
        lambda: matrix_figure(
            image if image.ndim == 2 else image.mean(axis=2),
            zmin=0,
            zmax=255,
            title="Input",
            rgb=image_to_rgb_uint8(image),
        ),
    )


# --- numbers view: choose an output position (reruns only this part) -----------------------------
@st.fragment
@guarded
def numbers_view() -> None:
    for key, top in (("conv_row", out_h - 1), ("conv_col", out_w - 1)):
        st.session_state[key] = min(max(int(st.session_state.get(key, 0)), 0), top)
    p1, p2 = st.columns(2)
    row = p1.slider("Output row", 0, out_h - 1, key="conv_row") if out_h > 1 else 0
    col = p2.slider("Output column", 0, out_w - 1, key="conv_col") if out_w > 1 else 0
    terms = window_terms(
        image,
        flip_kernel(kernel) if flip else kernel,
        row,
        col,
        stride=stride,
        padding=padding,
        dilation=dilation,
        bias=bias,
        pad_mode=pad_mode,
    )
    span_h, span_w = dilation * (kernel.shape[0] - 1) + 1, dilation * (kernel.shape[1] - 1) + 1
    window = ((terms.top - pads[0], terms.left - pads[2], span_h, span_w), "#d7301f")
    i1, i2 = st.columns(2)
    with i1:
        if small:
            padded = pad_image(image if image.ndim == 2 else image.mean(axis=2), pads, pad_mode)
            display.show_figure(
                matrix_figure(
                    padded,
                    zmin=float(padded.min()),
                    zmax=float(padded.max()) or 1.0,
                    title="Input (padded)" if any(pads) else "Input",
                    boxes=[((terms.top, terms.left, span_h, span_w), "#d7301f")],
                ),
                key="conv_in_chart",
                height=int(cell * (image.shape[0] + pads[0] + pads[1])) + 50,
            )
        else:
            display.show_figure(input_fig, key="conv_in_chart", height=int(cell * image.shape[0]) + 50)
            display.show_figure(
                closeup_figure(
                    image,
                    window[0],
                    zmin=0,
                    zmax=255,
                    title="The window under the kernel, enlarged"
                    + (" (mean of R, G, B)" if image.ndim == 3 else ""),
                ),
                key="conv_in_closeup",
                height=260,
            )
    with i2:
        shown, fig = (
            map_view if large_map else feature_map_figure(feature_map, display_mode, pick_box=(row, col))
        )
        show_pickable(
            fig,
            key="conv_out_chart",
            on_pick=store_cell("conv_row", "conv_col", (out_h, out_w)),
            height=int(cell * out_h) + 50,
            alt="Feature map: the kernel's response at every position of the input; the outlined "
            f"pixel, row {row}, column {col}, is explained below.",
        )
        st.caption(shown.caption + " Click or tap a pixel (or use the sliders) to see its arithmetic.")
        d1, d2 = st.columns(2)
        d1.download_button(
            "Download PNG",
            lambda: encode_png(display_rgb(shown)),
            "feature_map.png",
            "image/png",
            on_click="ignore",
        )
        d2.download_button(
            "Download .npy",
            lambda: npy_bytes(feature_map),
            "feature_map.npy",
            "application/octet-stream",
            on_click="ignore",
        )
    arithmetic(terms, row, col)


def arithmetic(terms, row: int, col: int) -> None:
    """The multiply-and-add behind output pixel ``(row, col)``, with the patch, kernel and products."""
    st.header(f"The arithmetic at output ({row}, {col})")
    for ch in range(terms.patch.shape[2]):
        label = f"Channel {ch + 1}: " if terms.patch.shape[2] > 1 else ""
        st.code(f"{label}{terms.expression(ch)}", language=None, wrap_lines=True)
    sums = " + ".join(f"{s:.6g}" for s in terms.channel_sums).replace("+ -", "− ")
    st.metric(
        "Feature-map value", f"{terms.value:.6g}", help=f"{sums} + bias {terms.bias:g} = {terms.value:.6g}"
    )
    st.markdown(
        f"Sum of products **{terms.total:.6g}** + bias **{terms.bias:g}** = **{terms.value:.6g}**"
        + (" (the kernel was flipped: true convolution)." if flip else ".")
    )
    if example is not None and (row, col) == example.position:
        ok = np.isclose(terms.value, example.expected_value)
        (st.success if ok else st.warning)(
            f"The course's number here is **{example.expected_value:g}**"
            + (" — reproduced." if ok else " — these settings differ from the example.")
        )
    g1, g2, g3 = st.columns(3)
    with g1:
        lo, hi = (0.0, 255.0) if not small else (float(image.min()), float(image.max()) or 1.0)
        display.show_figure(
            matrix_figure(
                terms.patch[:, :, 0],
                zmin=lo,
                zmax=hi,
                title="Input patch" + (", channel 1" if terms.patch.shape[2] > 1 else ""),
                show_numbers=True,
            ),
            key="conv_patch",
            height=300,
        )
    with g2:
        display.show_figure(
            kernel_figure(terms.kernel[:, :, 0], title="Kernel" + (" (flipped)" if flip else "")),
            key="conv_kernel2",
            height=300,
        )
    with g3:
        display.show_figure(
            kernel_figure(terms.products[:, :, 0], title="Products"), key="conv_products", height=300
        )


with figs:
    numbers_view()

# --- more of the course's worked examples -----------------------------------------------------------
st.header("More from the course")
more = st.radio(
    "Worked example",
    list(MORE),
    key="conv_more",
    format_func=MORE.get,
    horizontal=True,
    label_visibility="collapsed",
)


@st.fragment
@guarded
def more_from_the_course(which: str) -> None:
    """Only the chosen example is built, and its own controls rerun only this part."""
    if which == "one_d":
        one_dimensional()
    elif which == "volume":
        volume()
    elif which == "gradient":
        gradient_magnitude_section(image, image_key)
    else:
        xo_example()


more_from_the_course(more)
page_frame.finish(
    cross_correlate2d,
    window_terms,
    conv2d_layer,
    course={
        "keras_cnn": ["Convolution operation: filters, kernels", "More filters"],
        "conv_notes": ["2.2", "2.3", "2.11"],
        "cnn_classics": [
            "Edge detection",
            "Padding",
            "Strided convolutions",
            "Convolution with multiple filters",
        ],
        "ae_cnn": [
            "CNNs: convolution",
            "2D convolution",
            "Convolution in TensorFlow and SciPy",
            "2D convolution on volumes",
            "CNN simple example",
        ],
    },
    references=[
        "keras_conv2d",
        "dumoulin_visin2016",
        "numpy_convolve",
        "scipy_convolve2d",
        "scharr2000",
        "cs231n",
        "rohrer2016",
    ],
)
