"""The Convolution page's sections on the course's further worked examples (pure Streamlit layout).

Each function draws one section of ``pages/convolution.py``; the numbers come from ``core.maths``
and ``core.data`` (1-D convolution, volumes, gradient magnitude, the X/O example), which the
core tests pin against NumPy, SciPy and TensorFlow.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.adapters import display, url_state
from core.adapters.cached import shared_view
from core.adapters.url_state import UrlParam
from core.data.convolution_examples import CONVOLVE_1D_FULL, KERNEL_1D, SIGNAL_1D, XO_FEATURE, xo_scores
from core.data.course import cite
from core.data.images import x_and_o
from core.data.volume_examples import CS231N_OUTPUT_PRINTED, cs231n_walkthrough, rgb_two_kernels
from core.figures.common import DIVERGING, matrix_figure
from core.figures.convolution import kernel_figure
from core.maths.convolution import window_terms
from core.maths.convolution1d import (
    MAX_NUMBERS_CHARS,
    MAX_TYPED_NUMBERS,
    MODES_1D,
    convolve1d_steps,
    correlate1d_steps,
    parse_numbers,
)
from core.maths.image_gradients import brightened, gradient_magnitude

VOLUME_EXAMPLES = {
    "rgb": "RGB 6×6×3, two 3×3×3 kernels → 4×4×2 (Ng)",
    "cs231n": "cs231n demo: 5×5×3, pad 1, stride 2 → 3×3×2",
}
URL_1D = (UrlParam("mode1d", "conv1d_mode", "full", choices=MODES_1D),)
URL_VOLUME = (UrlParam("volume", "conv_vol", "rgb", choices=VOLUME_EXAMPLES),)


def _signed(values, title: str, *, height: int = 260):
    m = max(float(np.abs(values).max()), 1e-12)
    return matrix_figure(
        values, zmin=-m, zmax=m, colorscale=DIVERGING, title=title, show_numbers=True, height=height
    )


def one_dimensional() -> None:
    """1-D convolution first (Course notes, *Autoencoders and convolutional networks*, *CNNs: convolution*):
    partial sums, modes, np.convolve vs np.correlate."""
    st.markdown(
        f"Convolution starts on a **1-D signal** ({cite('ae_cnn', 'CNNs: convolution')}): `np.convolve(x, "
        f"w)` flips "
        "`w` and slides it along `x`; each output is the sum of the products where they overlap. "
        "`np.correlate` slides `w` without the flip — what a convolutional layer does. Edit the numbers."
    )
    for key, value in (
        ("conv1d_x", ", ".join(f"{v:g}" for v in SIGNAL_1D)),
        ("conv1d_w", ", ".join(f"{v:g}" for v in KERNEL_1D)),
    ):
        st.session_state.setdefault(key, value)
    url_state.sync(URL_1D)
    c1, c2, c3 = st.columns([3, 2, 3])
    limit = {
        "max_chars": MAX_NUMBERS_CHARS + 1,  # one more than parse_numbers reads: a longer paste is refused
        "help": f"Up to {MAX_TYPED_NUMBERS} numbers separated by commas. At most {MAX_NUMBERS_CHARS:,} "
        "characters; longer text is refused.",
    }
    x_text = c1.text_input("Signal x", key="conv1d_x", **limit)
    w_text = c2.text_input("Kernel w", key="conv1d_w", **limit)
    mode = c3.radio(
        "Mode",
        MODES_1D,
        key="conv1d_mode",
        horizontal=True,
        help="full: every overlap, n + k − 1 values · same: max(n, k) values, centred · "
        "valid: only complete overlaps, max(n, k) − min(n, k) + 1 values",
    )
    try:
        x, w = parse_numbers(x_text, "Signal x"), parse_numbers(w_text, "Kernel w")
    except ValueError as exc:
        st.error(str(exc))
        return
    conv = convolve1d_steps(x, w, mode=mode)
    corr = correlate1d_steps(x, w, mode=mode)
    values = np.array([s.value for s in conv])

    def listed(v) -> str:
        return "[" + " ".join(f"{a:g}" for a in v) + "]"

    left, right = st.columns(2)
    with left:
        st.markdown(f"**Convolution** (w flipped: {listed(w[::-1])}) = `{listed(values)}`")
        st.code("\n".join(s.expression() for s in conv), language=None)
        same = np.allclose(values, np.convolve(x, w, mode))
        st.caption(f"`np.convolve(x, w, '{mode}')` gives the same: {'yes' if same else 'no'}.")
    with right:
        cvals = np.array([s.value for s in corr])
        st.markdown(f"**Cross-correlation** (w as typed: {listed(w)}) = `{listed(cvals)}`")
        st.code("\n".join(s.expression() for s in corr), language=None)
        st.caption(
            f"`np.correlate(x, w, '{mode}')` gives the same: "
            f"{'yes' if np.allclose(cvals, np.correlate(x, w, mode)) else 'no'}."
        )
    if tuple(x) == SIGNAL_1D and tuple(w) == KERNEL_1D and mode == "full":
        ok = np.allclose(values, CONVOLVE_1D_FULL)
        (st.success if ok else st.error)(
            "The course prints `[0 1 1 3 5 2 8]`" + (" — reproduced." if ok else ".")
        )
    st.caption(
        "Each term is signal value · weight; where the kernel hangs over the ends of x ('full' and "
        "'same'), the missing samples count as 0 and are left out. In 2-D the kernel slides along rows "
        "*and* columns and the products are summed over the "
        "window (the sections above); flipping then means rotating by 180°."
    )


def _volume_channels(volume: np.ndarray, title: str, *, signed: bool) -> None:
    cols = st.columns(volume.shape[2])
    for ch, col in enumerate(cols):
        values = volume[:, :, ch]
        with col:
            fig = (
                _signed(values, f"{title}[:, :, {ch}]")
                if signed
                else matrix_figure(
                    values,
                    zmin=float(values.min()),
                    zmax=float(values.max()) or 1.0,
                    title=f"{title}[:, :, {ch}]",
                    show_numbers=True,
                    height=260,
                )
            )
            display.show_figure(fig, key=f"conv_vol_{title}_{ch}")


def volume() -> None:
    """Several 3-D kernels make an output volume: Course notes, *CNN building blocks and classic networks*,
    *Convolution with multiple filters*, and the cs231n demo (*Autoencoders and convolutional networks*)."""
    st.markdown(
        "A kernel on an RGB image is **3-D**: f × f × 3, one slice per channel, and the three channel "
        "sums plus one bias make **one** output value. **Each kernel gives one output channel**, so "
        "n × n × n_c ∗ (n_c′ kernels of f × f × n_c) → (n − f + 1) × (n − f + 1) × n_c′ "
        f"({cite('cnn_classics', 'Convolution with multiple filters')})."
    )
    url_state.sync(URL_VOLUME)
    which = st.radio(
        "Example", list(VOLUME_EXAMPLES), key="conv_vol", format_func=VOLUME_EXAMPLES.get, horizontal=True
    )
    seed = 0
    if which == "cs231n":
        st.session_state.setdefault("conv_vol_seed", 0)
        seed = int(st.number_input("Random input and W0 from seed", 0, 9999, key="conv_vol_seed"))
    example = rgb_two_kernels() if which == "rgb" else cs231n_walkthrough(seed)
    out = example.output()
    st.caption(f"*Source:* {example.source}. {example.note}")
    st.markdown(
        f"Input **{' × '.join(map(str, example.image.shape))}** · {example.kernels.shape[3]} kernels of "
        f"**{' × '.join(map(str, example.kernels.shape[:3]))}** · stride {example.stride} · padding "
        f"{example.padding} → output **{' × '.join(map(str, out.shape))}**"
    )
    _volume_channels(example.image, "input", signed=False)
    for f in range(example.kernels.shape[3]):
        st.markdown(f"Kernel W{f} (bias b{f} = {example.biases[f]:g})")
        _volume_channels(example.kernels[:, :, :, f], f"W{f}", signed=True)
    st.markdown("**Output volume**: one channel per kernel")
    _volume_channels(out, "output", signed=True)
    r1, r2, r3 = st.columns(3)
    top = out.shape[0] - 1
    row = r1.slider("Output row", 0, top, 0, key="conv_vol_row") if top else 0
    col = r2.slider("Output column", 0, out.shape[1] - 1, 0, key="conv_vol_col") if out.shape[1] > 1 else 0
    f = r3.radio(
        "Kernel", list(range(out.shape[2])), key="conv_vol_f", horizontal=True, format_func=lambda i: f"W{i}"
    )
    terms = window_terms(
        example.image,
        example.kernels[:, :, :, f],
        row,
        col,
        stride=example.stride,
        padding=example.padding,
        bias=float(example.biases[f]),
    )
    st.code(
        "\n".join(f"channel {ch}: {terms.expression(ch)}" for ch in range(terms.patch.shape[2]))
        + f"\n{' + '.join(f'{v:g}' for v in terms.channel_sums).replace('+ -', '− ')} + bias "
        f"{terms.bias:g} = {terms.value:g}",
        language=None,
        wrap_lines=True,
    )
    if which == "cs231n":
        st.markdown(
            f"The course's own **Output Volume (3×3×2)** ({cite('ae_cnn', '2D convolution on volumes')}):"
        )
        _volume_channels(CS231N_OUTPUT_PRINTED, "course's o", signed=True)
        st.caption(
            "Its input volume and filter W0 are lost from the course's text (the cs231n demo draws them at "
            "random), so these numbers cannot be recomputed; the shapes are the same. W1 above is the "
            "course's, with the three values lost from its middle slice set to 0."
        )


def gradient_magnitude_section(image: np.ndarray, image_key: str) -> None:
    """The Scharr pair as one complex kernel, |grad|, boundary 'symm' (Course notes, *Autoencoders and
    convolutional networks*, *Convolution in TensorFlow and SciPy*)."""
    gray = image if image.ndim == 2 else image.mean(axis=2)
    st.markdown(
        f"The course filters a photo with SciPy ({cite('ae_cnn', 'Convolution in TensorFlow and SciPy')}): "
        "`grad = signal.convolve2d(arr, kernel, mode='same', boundary='symm')` and shows "
        "`np.absolute(grad)`. Its `kernel` is SciPy's example: the **Scharr pair as one complex "
        "kernel** — real part the horizontal gradient gx, imaginary part the vertical gradient gy — "
        "so |grad| = √(gx² + gy²), the **gradient magnitude**, whatever the edge's direction."
    )
    st.code(
        "kernel = [[ -3-3j, 0-10j,  +3-3j],\n          [-10+0j, 0+ 0j, +10+0j],\n"
        "          [ -3+3j, 0+10j,  +3+3j]]",
        language="python",
    )
    names = {
        "symmetric": "symmetric — NumPy 'symmetric' = SciPy boundary='symm': the edge pixel is repeated",
        "reflect": "reflect — NumPy 'reflect' (the main view's 'mirror'): the edge pixel is not repeated",
    }
    boundary = st.radio("Border", list(names), key="conv_grad_boundary", format_func=names.get)
    bright = st.toggle(
        "Brighter, as the course's second picture: |grad| + 100, capped at 255", key="conv_grad_bright"
    )

    def build():
        mag = gradient_magnitude(gray, boundary=boundary)
        shown = brightened(mag) if bright else mag
        top = 255.0 if bright else float(mag.max()) or 1.0
        rows = {b: float(gradient_magnitude(gray[:3], boundary=b)[0].mean()) for b in names}
        return (
            matrix_figure(
                shown, zmin=0, zmax=top, title=f"Gradient magnitude ({boundary} border)", height=460
            ),
            float(mag.max()),
            rows,
        )

    fig, peak, top_rows = shared_view(("conv_grad", image_key, gray.shape, boundary, bright), build)
    display.show_figure(fig, key="conv_grad_fig")
    st.caption(
        f"Largest |grad| {peak:.0f} (the Scharr weights add up to 16 on each side, so a horizontal or "
        f"vertical 0 → 255 step gives 16·255 = 4080; a diagonal step gives 4,811, and no picture can exceed "
        f"16√2·255 ≈ 5,770). The border only changes the outermost pixels: mean |grad| along the top row "
        f"{top_rows['symmetric']:.1f} with 'symmetric', {top_rows['reflect']:.1f} with 'reflect'."
    )


def xo_example() -> None:
    """Rohrer's X/O example (Course notes, *Autoencoders and convolutional networks*, *CNN simple
    example*): score / 9, the map before and after ReLU."""
    scores = xo_scores("x")
    st.markdown(
        f"Brandon Rohrer's example ({cite('ae_cnn', 'CNN simple example')}): a 9 × 9 **X** of +1 and −1 and "
        "a 3 × 3 diagonal feature. The **match score** multiplies feature and patch pixel by pixel, adds "
        "up and **divides by the number of pixels in the feature, 9**."
    )
    c1, c2 = st.columns([3, 2])
    with c1:
        display.show_figure(_signed(x_and_o("x"), "Image: X (+1 / −1)", height=330), key="conv_xo_img")
    with c2:
        display.show_figure(kernel_figure(XO_FEATURE, title="Feature (diagonal)"), key="conv_xo_feat")
    agree = (int(scores.sums[0, 0]) + 9) // 2
    st.markdown(
        f"Top-left window: {agree} of the 9 pixels agree with the feature (+1 each) and {9 - agree} "
        f"disagrees (−1), so the sum of products is **{agree} − {9 - agree} = {scores.sums[0, 0]}**, and "
        f"**{scores.sums[0, 0]} / 9 = {scores.scores[0, 0]:.4f}**, which the "
        f"course prints as **{scores.printed[0, 0]:.2f}** (cut after two decimals; rounded it would be "
        f"{scores.scores[0, 0]:.2f}). A perfect match gives 9 / 9 = 1.00, along the diagonal."
    )
    m1, m2 = st.columns(2)
    with m1:
        display.show_figure(
            _signed(scores.printed, "Filtered (score / 9): negatives in blue", height=380),
            key="conv_xo_before",
        )
    with m2:
        display.show_figure(
            _signed(scores.relu, "After ReLU: every negative → 0", height=380), key="conv_xo_after"
        )
    st.caption(
        f"{int((scores.printed < 0).sum())} of the 49 scores are negative (a patch that looks like the "
        "opposite of the feature); ReLU sets them to 0. The values are the course's."
    )
