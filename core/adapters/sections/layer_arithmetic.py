"""The Layer arithmetic page's "Tensors" and "Residual block" parts (pure Streamlit layout).

The numbers come from :mod:`core.maths.tensors` and :mod:`core.maths.residual`, which the core
tests check against NumPy (``np.reshape``, ``np.broadcast_shapes``) and TensorFlow
(``GradientTape``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

from core.adapters import display
from core.figures.layer_arithmetic import residual_gradient_figure
from core.maths.layer_math import format_bytes
from core.maths.residual import first_layer_gradients, residual_block
from core.maths.tensors import (
    COURSE_IMAGE_BATCH,
    DTYPE_BYTES,
    MAX_ARRAY_CHARS,
    MAX_SHAPE_CHARS,
    broadcast,
    parse_array,
    parse_shape,
    reshape,
    tensor_info,
)


def _limit(max_chars: int, example: str = "") -> dict:
    """``max_chars`` and ``help`` of a text box whose parser reads at most ``max_chars`` characters.

    The box keeps one character more than the parser reads, so a longer paste (which Streamlit cuts
    on the server without telling) reaches the parser over its limit and gets the parser's message.
    """
    return {
        "max_chars": max_chars + 1,
        "help": (f"{example} · " if example else "")
        + f"At most {max_chars:,} characters; longer text is refused.",
    }


def _array_text(a: np.ndarray) -> str:
    return np.array2string(np.asarray(a), separator=", ", formatter={"float_kind": lambda v: f"{v:g}"})


def _text_pair(*boxes: tuple[str, str, str, int, str]) -> list[str]:
    """Two text boxes side by side, each ``(label, key, first value, max_chars, example)``: their texts."""
    columns = st.columns(len(boxes))
    for _label, key, first, _, _ in boxes:
        st.session_state.setdefault(key, first)
    return [
        column.text_input(label, key=key, **_limit(max_chars, example))
        for column, (label, key, _, max_chars, example) in zip(columns, boxes, strict=False)
    ]


def _reshaped(values_text: str, shape_text: str) -> tuple[np.ndarray, np.ndarray]:
    """The typed array and the array reshaped to the typed shape (one axis may be -1)."""
    arr = parse_array(values_text)
    return arr, reshape(arr, parse_shape(shape_text, allow_infer=True))


def _parsed_pair(intro: str, *boxes: tuple[str, str, str, int, str], read: Callable):
    """``intro`` above :func:`_text_pair` of ``boxes``; returns ``read(*texts)``.

    None when ``read`` raises ValueError, whose message is shown instead.
    """
    st.markdown(intro)
    texts = _text_pair(*boxes)
    try:
        return read(*texts)
    except ValueError as exc:
        st.error(str(exc))
        return None


def tensors_part() -> None:
    """Rank, shape, size and memory; reshape and broadcasting on arrays students edit."""
    st.markdown(
        "A **tensor** is a multidimensional array (Course notes, *Convolution, pooling and tensors* "
        "§2.12). Its **rank** is the "
        "number of axes, its **shape** the length of each axis, and its **size** the number of values: "
        "the **product of the shape**. A batch of colour images is rank 4: "
        "[number of images, height, width, channels] (Course notes, *CNNs and regularisation in Keras*, "
        "*CNNs: structure and components in Keras (I)*)."
    )
    st.session_state.setdefault("arch_tensor_shape", str(COURSE_IMAGE_BATCH))
    t1, t2 = st.columns([3, 1])
    text = t1.text_input(
        "Shape",
        key="arch_tensor_shape",
        **_limit(MAX_SHAPE_CHARS, "e.g. (25000, 300, 450, 3) or [3, 2, 4, 5]"),
    )
    dtype = t2.selectbox("dtype", list(DTYPE_BYTES), key="arch_tensor_dtype")
    try:
        info = tensor_info(parse_shape(text), dtype)
    except ValueError as exc:
        st.error(str(exc))
    else:
        m1, m2, m3 = st.columns(3)
        m1.metric("Rank", info.rank)
        m2.metric("Size (values)", f"{info.size:,}")
        m3.metric(f"Memory as {dtype}", format_bytes(info.nbytes), help=f"{info.nbytes:,} bytes")
        st.code(
            f"size = {info.size_expression()}\nmemory = {info.size:,} × {DTYPE_BYTES[dtype]} bytes = "
            f"{info.nbytes:,} bytes ({info.nbytes / 2**30:,.2f} GiB)",
            language=None,
        )
        if info.shape == COURSE_IMAGE_BATCH:
            st.caption(
                "The course's example (Course notes, *CNNs and regularisation in Keras*, *CNNs: structure "
                "and components in Keras (I)*): 10,125,000,000 values, 40.5 GB as float32 — far more than "
                "a GPU holds, which is why images are fed in small batches."
            )
    reshaped = _parsed_pair(
        "**Reshape** keeps the values and their order and needs the same size "
        "(Course notes, *Convolution, pooling and tensors* §2.12; MNIST's "
        "`x_train.reshape(60000, 28, 28, 1)`, Course notes, *CNNs and regularisation in Keras*, *CNN "
        "example in Keras: written character recognition (I)*). One axis may be −1: NumPy works it out.",
        ("Array", "arch_reshape_values", "[[1], [2], [3]]", MAX_ARRAY_CHARS, "e.g. [[1], [2], [3]]"),
        ("New shape", "arch_reshape_shape", "(1, 3)", MAX_SHAPE_CHARS, "e.g. (1, 3) or (-1, 3)"),
        read=_reshaped,
    )
    if reshaped is not None:
        arr, out = reshaped
        st.code(f"shape {arr.shape} → {out.shape}\n{_array_text(out)}", language=None)
    operands = _parsed_pair(
        "**Broadcasting**: shapes are compared from the right; two lengths fit when they are equal or one "
        "is 1, which is stretched (Course notes, *Convolution, pooling and tensors* §2.12: `[1, 2, 3] * 2` "
        "= `[2, 4, 6]`).",
        ("a", "arch_bc_a", "[1, 2, 3]", MAX_ARRAY_CHARS, "e.g. [1, 2, 3]"),
        ("b", "arch_bc_b", "2", MAX_ARRAY_CHARS, "e.g. 2"),
        read=lambda a_text, b_text: (parse_array(a_text), parse_array(b_text)),
    )
    if operands is None:
        return
    a, b = operands
    result = broadcast(a.shape, b.shape)
    lines = [f"a: shape {a.shape}, b: shape {b.shape}", *result.steps]
    if result.shape is None:
        st.code("\n".join(lines), language=None)
        st.error(f"Shapes {a.shape} and {b.shape} do not broadcast: a * b raises an error.")
    else:
        st.code("\n".join(lines + [f"a * b: shape {result.shape}", _array_text(a * b)]), language=None)


def residual_part() -> None:
    """The residual block with numbers, and the gradient at the first layer, plain vs residual."""
    st.markdown(
        "ResNet (Course notes, *CNN building blocks and classic networks*, *ResNet*) adds a **skip "
        "connection**: the block's input a[l] is "
        "added before the second activation,"
    )
    st.latex(
        r"z^{[l+2]} = W^{[l+2]} a^{[l+1]} + b^{[l+2]}, \qquad a^{[l+2]} = g\left(z^{[l+2]} + a^{[l]}\right)"
    )
    st.markdown(
        "**The identity is easy to learn**: with W = 0, b = 0 and g = ReLU, z[l+2] = 0 and "
        "a[l+2] = ReLU(a[l]) = a[l] whenever a[l] ≥ 0 — and after a ReLU it always is. Type an a[l]:"
    )
    st.session_state.setdefault("arch_res_a", "[1.5, 0, 2, 0.25]")
    st.session_state.setdefault("arch_res_w", 0.0)
    c1, c2 = st.columns([3, 2])
    a_text = c1.text_input(
        "a[l]", key="arch_res_a", **_limit(MAX_ARRAY_CHARS, "1 to 16 numbers, e.g. [1.5, 0, 2]")
    )
    w = c2.select_slider("Every weight and bias of the block", [0.0, 0.1, 0.5, 1.0], key="arch_res_w")
    try:
        a = parse_array(a_text).astype(np.float64).ravel()
        if a.size == 0 or a.size > 16:
            raise ValueError("a[l]: type between 1 and 16 numbers.")
        n = a.size
        block = residual_block(a, np.full((n, n), w), np.full(n, w), np.full((n, n), w), np.full(n, w))
    except ValueError as exc:
        st.error(str(exc))
    else:
        st.code(
            "\n".join(
                [
                    f"a[l]            = {_array_text(block.a_l)}",
                    f"z[l+2]          = {_array_text(block.z2)}",
                    f"a[l+2] (skip)   = ReLU(z[l+2] + a[l]) = {_array_text(block.a2)}",
                    f"without skip    = ReLU(z[l+2])        = {_array_text(block.plain)}",
                ]
            ),
            language=None,
        )
        if w == 0:
            same = np.array_equal(block.a2, block.a_l)
            (st.success if same else st.info)(
                "a[l+2] = a[l]: the block is the identity."
                if same
                else "a[l+2] = ReLU(a[l]): the negative entries became 0 "
                "(a[l] after a ReLU is never negative)."
            )
    st.markdown(
        "**The skip helps the gradient back-propagate**. Below, stacks of dense ReLU layers (width 16, "
        "random weights N(0, s²/16), 64 random inputs) with and without a skip every two layers: the "
        "gradient of ½‖output‖² that reaches the first layer's weights."
    )
    scale = st.select_slider(
        "Weight scale s",
        [0.3, 0.5, 0.7, 1.0, 1.4],
        value=0.5,
        key="arch_res_scale",
        help="1.4 ≈ √2 is He initialisation, made for ReLU",
    )
    g = first_layer_gradients(weight_scale=scale)
    display.show_figure(residual_gradient_figure(g.depths, g.plain, g.residual), key="arch_res_fig")
    display.show_table(
        [
            {"depth": d, "plain ‖dL/dW₁‖": f"{p:.3g}", "residual ‖dL/dW₁‖": f"{r:.3g}"}
            for d, p, r in zip(g.depths, g.plain, g.residual, strict=False)
        ],
        hide_index=True,
    )
    st.caption(
        "Through a plain stack the gradient is multiplied by every layer's weights and ReLU slopes and "
        "shrinks geometrically; the skip adds a path around the block's weights. In this form, a[l+2] = "
        "ReLU(z[l+2] + a[l]), the ReLU after the addition still gates that path (slope 0 or 1); only the "
        "**pre-activation** ResNet, a[l+2] = a[l] + F(a[l]) with the ReLUs inside F, passes the gradient "
        "along the skip unchanged (He et al. 2016, *Identity mappings in deep residual networks*). With "
        "He's scale (1.4) the "
        "plain stack keeps its gradient and the residual one grows: real ResNets add batch normalisation."
    )
