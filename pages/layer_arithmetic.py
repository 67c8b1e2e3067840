"""Layer arithmetic: output sizes, parameter counts and the course's architectures, checked with Keras."""

import streamlit as st

from core.adapters import cached, display, live_questions, page_frame, url_state
from core.adapters.errors import guarded
from core.adapters.lecture_mode import session_seed
from core.adapters.sections.layer_arithmetic import residual_part, tensors_part
from core.adapters.url_state import UrlParam
from core.adapters.widgets.course_examples import course_examples_select
from core.adapters.widgets.padding import PADDINGS, padding_input
from core.data.course import cite, plain
from core.figures.layer_arithmetic import (
    memory_figure,
    output_grid_figure,
    padded_grid_figure,
    param_compare_figure,
    params_figure,
    shape_flow_figure,
)
from core.maths.convolution import output_size, output_size_formula
from core.maths.layer_math import (
    PARAMETER_EXAMPLES,
    SIZE_PRESETS,
    conv_formula,
    conv_params,
    dense_formula,
    dense_params,
    format_bytes,
    random_size_question,
    table_totals,
    with_batch_size,
)

page_frame.start()

st.title("Layer arithmetic")
st.markdown(
    "How big is a layer's output, and how many weights does it learn? Every number here is checked "
    "against a real Keras layer."
)
with st.expander("More about the three formulas"):
    st.markdown(
        "Three formulas answer most questions "
        "about a CNN: the **output size** ⌊(n + 2p − f)/s⌋ + 1, a **convolution's parameters** (f·f·c_in + "
        "1)·c_out, "
        "and a **dense layer's parameters** (n_in + 1)·n_out."
    )
ARCHITECTURES = (
    cached.architectures()
)  # the course's networks (core.models.architectures): no Keras until built
PARTS = {
    "size": "Output size",
    "params": "Parameters: dense vs conv",
    "arch": "Architectures",
    "tensors": "Tensors",
    "residual": "Residual block",
}
BATCHES = [1, 8, 32, 64, 128, 256, 512]
SIZE, ARCH = ("arch_part", "size"), ("arch_part", "arch")  # each part's controls are in its links
URL = (
    UrlParam("part", "arch_part", "size", choices=PARTS),
    UrlParam("n", "arch_n", 6, kind=int, lo=1, hi=512, when=SIZE),
    UrlParam("f", "arch_f", 3, kind=int, lo=1, hi=15, when=SIZE),
    UrlParam("s", "arch_s", 1, kind=int, lo=1, hi=8, when=SIZE),
    UrlParam("d", "arch_d", 1, kind=int, lo=1, hi=6, when=SIZE),
    UrlParam("padding", "arch_padding", "valid", choices=PADDINGS, when=SIZE),
    UrlParam("p", "arch_p", 1, kind=int, lo=0, hi=20, when=SIZE),
    UrlParam(
        "model",
        "arch_model",
        "course_mnist_cnn",
        choices=ARCHITECTURES,
        when=ARCH,
        aliases=cached.former_architecture_keys(),
    ),
    UrlParam("batch", "arch_batch", 32, kind=int, choices=BATCHES, when=ARCH),
)
url_state.sync(URL)
part = st.radio(
    "Part", list(PARTS), key="arch_part", format_func=PARTS.get, horizontal=True, label_visibility="collapsed"
)
KERAS_SPINNER = "Loading TensorFlow and building the Keras layers (only the first time)…"

# --- output size ---------------------------------------------------------------------------------
if part == "size":

    def load_preset(preset) -> None:
        st.session_state.update(
            arch_n=preset.n,
            arch_f=preset.f,
            arch_s=preset.stride,
            arch_d=preset.dilation,
            arch_padding=preset.padding,
            arch_p=preset.pad,
            arch_pos=0,
        )

    @guarded
    def new_question() -> None:
        asked = st.session_state.get("arch_question", session_seed(0))
        st.session_state.arch_question = asked + 1
        load_preset(random_size_question(st.session_state.arch_question))
        st.session_state.pop("arch_guess", None)

    @guarded
    def reveal(settings: tuple) -> None:
        st.session_state.arch_revealed = settings  # the answer stays shown until a setting changes

    ctl, figs = st.columns([1.3, 4])  # the layer's settings beside the figures they draw
    course_examples_select(
        ctl, "Examples from the course", SIZE_PRESETS, key="arch_size_preset", load=load_preset
    )
    n = ctl.number_input("Input n", 1, 512, key="arch_n")
    f = ctl.number_input("Kernel f", 1, 15, key="arch_f")
    s = ctl.number_input("Stride s", 1, 8, key="arch_s")
    d = ctl.number_input("Dilation d", 1, 6, key="arch_d")
    padding, p = padding_input(ctl, key="arch_padding", pad_key="arch_p", pad_label="p (each side)")
    quiz = ctl.toggle("Predict first (lecture quiz): hide the answer until you reveal it", key="arch_quiz")
    out, pads = output_size(n, f, stride=s, padding=p if padding == "explicit" else padding, dilation=d)
    settings = (n, f, s, d, padding, p)
    revealed = not quiz or st.session_state.get("arch_revealed") == settings
    revealed = revealed and not live_questions.answer_hidden("layer_arithmetic")  # the class answers first
    if quiz:
        q1, q2, q3 = st.columns([2, 1, 1])
        guess = q1.number_input("Your answer: the output is ? × ?", 0, 1024, value=None, key="arch_guess")
        q2.button("Reveal", type="primary", key="arch_reveal", on_click=reveal, args=(settings,))
        q3.button("New random question", on_click=new_question, key="arch_new")
        if revealed and guess is not None:
            (st.success if guess == out else st.error)(
                f"You said {guess}; the answer is {out}." + (" Correct!" if guess == out else "")
            )
    if not revealed:
        st.info(
            f"Input {n}×{n}, kernel {f}×{f}, stride {s}, dilation {d}, padding {padding}"
            + (f" (p = {p})" if padding == "explicit" else "")
            + ". What is the output size?"
        )
        st.stop()
    if out < 1:
        st.error(
            f"The kernel (reach d·(f − 1) + 1 = {d * (f - 1) + 1}) is larger than the padded input "
            f"({n + sum(pads)}): there is no output. Add padding or use a smaller kernel."
        )
        st.stop()
    m1, m2 = st.columns([1, 3])
    m1.metric("Output size", f"{out} × {out}")
    m2.code(
        f"out = ⌊(n + p_before + p_after − d·(f − 1) − 1) / s⌋ + 1\n    = "
        f"{output_size_formula(n, f, stride=s, dilation=d, pads=pads)}",
        language=None,
    )
    if d == 1 and pads[0] == pads[1]:
        st.caption(
            f"With equal padding p = {pads[0]} and no dilation this is the course's "
            f"⌊(n + 2p − f)/s⌋ + 1 = ⌊({n} + {2 * pads[0]} − {f})/{s}⌋ + 1 = {out} "
            f"({cite('cnn_classics', 'Strided convolutions')})."
        )
    total_positions = out * out
    st.session_state["arch_pos"] = min(st.session_state.get("arch_pos", 0), total_positions - 1)
    pos = (
        figs.slider("Kernel position (output cell, row by row)", 0, total_positions - 1, key="arch_pos")
        if total_positions > 1
        else 0
    )
    v1, v2 = figs.columns([3, 2])
    with v1:
        display.show_figure(
            padded_grid_figure(n, f, pads, s, d, divmod(pos, out), out),
            key="arch_grid",
            height=min(520, 80 + 40 * (n + sum(pads))),
        )
    with v2:
        display.show_figure(
            output_grid_figure(out, divmod(pos, out)), key="arch_out_grid", height=min(520, 80 + 40 * out)
        )
    figs.caption(
        f"Left, blue: the {n}×{n} input · grey 0: padding ({pads[0]} before, {pads[1]} after) · dark dots: "
        f"the {total_positions} places the kernel's top-left tap visits · orange: the {f}×{f} taps that make "
        f"output cell {divmod(pos, out)} (right)."
    )
    with st.spinner(KERAS_SPINNER):
        keras_pad = "explicit" if padding in ("explicit", "full") else padding
        shape, message, _ = cached.conv_output_shape(
            n, f, s, keras_pad, p if padding == "explicit" else pads[0], d
        )
    if shape is None:
        st.warning(f"Keras refuses this layer: {message}. The formula still says {out}.")
    else:
        layer = ("ZeroPadding2D → " if keras_pad == "explicit" and sum(pads) else "") + "Conv2D"
        (st.success if shape[0] == out else st.error)(
            f"Keras {layer} on a {n}×{n}×1 input gives output shape (None, {shape[0]}, {shape[1]}, 1)"
            + (" — the same." if shape[0] == out else " — different!")
        )

# --- parameters ----------------------------------------------------------------------------------
elif part == "params":
    st.markdown(
        "A dense layer connects every input value to every unit; a convolution reuses one small "
        "kernel everywhere (**weight sharing**), so its count does not depend on the image size."
    )
    table = st.empty()

    def example_rows(counts: dict) -> list[dict]:
        return [
            {
                "Layer": e.title,
                "Formula": e.formula,
                "Parameters": e.params,
                "Weights only": e.weights_only,
                "Keras count_params()": "…"
                if k not in counts
                else f"not built ({format_bytes(e.params * 4)})"
                if counts[k] is None
                else f"{counts[k]:,}",
                "Source": plain(e.source),
            }
            for k, e in PARAMETER_EXAMPLES.items()
        ]

    numbers = {c: st.column_config.NumberColumn(format="localized") for c in ("Parameters", "Weights only")}
    table.dataframe(example_rows({}), hide_index=True, column_config=numbers)
    with st.spinner(KERAS_SPINNER):
        counts = {k: cached.example_count(k) for k in PARAMETER_EXAMPLES}
    table.dataframe(example_rows(counts), hide_index=True, column_config=numbers)
    display.show_figure(
        param_compare_figure(
            [e.title for e in PARAMETER_EXAMPLES.values()],
            [e.params for e in PARAMETER_EXAMPLES.values()],
            [e.kind for e in PARAMETER_EXAMPLES.values()],
        ),
        key="arch_cmp_fig",
    )
    st.header("Your own layer")
    for key, default in (("arch_side", 32), ("arch_channels", 3), ("arch_units", 10), ("arch_kernel", 3)):
        st.session_state.setdefault(key, default)
    y1, y2, y3, y4 = st.columns(4)
    side = y1.select_slider("Image size (side)", [8, 16, 28, 32, 64, 128, 227, 512, 1000], key="arch_side")
    channels = y2.select_slider("Channels", [1, 3, 16, 64], key="arch_channels")
    units = y3.select_slider("Units / filters", [1, 6, 10, 32, 64, 256, 1000], key="arch_units")
    kernel = y4.select_slider("Kernel f", [1, 3, 5, 7, 11], key="arch_kernel")
    with st.spinner(KERAS_SPINNER):
        dense_keras, conv_keras = cached.custom_layer_counts(side, channels, units, kernel)
    z1, z2 = st.columns(2)
    n_in = side * side * channels
    dense_note = "not built (too big)" if dense_keras is None else f"{dense_keras:,}"
    conv_note = "kernel larger than the image" if conv_keras is None else f"{conv_keras:,}"
    z1.metric(f"Dense, {side}×{side}×{channels} → {units} units", f"{dense_params(n_in, units):,}")
    z1.code(f"{dense_formula(n_in, units)}\nKeras count_params(): {dense_note}", language=None)
    conv_label = f"Conv, {units} filters {kernel}×{kernel}×{channels}"
    if live_questions.answer_hidden("layer_arithmetic"):  # the class answers first
        z2.metric(conv_label, "?", help=live_questions.HIDDEN_TEXT)
    else:
        z2.metric(conv_label, f"{conv_params(kernel, channels, units):,}")
        z2.code(f"{conv_formula(kernel, channels, units)}\nKeras count_params(): {conv_note}", language=None)
    st.caption(
        "Move the image size: the dense count grows with the number of pixels, the conv count stays put."
    )

# --- tensors and the residual block (core/adapters/sections/layer_arithmetic.py) -----------------
elif part == "tensors":
    tensors_part()
elif part == "residual":
    residual_part()

# --- architectures -------------------------------------------------------------------------------
else:
    a1, a2 = st.columns([3, 1])
    key = a1.selectbox(
        "Network",
        list(ARCHITECTURES),
        key="arch_model",
        format_func=lambda k: ARCHITECTURES[k].title + (" · large" if ARCHITECTURES[k].heavy else ""),
    )
    batch = a2.select_slider("Batch size", BATCHES, key="arch_batch")
    spec = ARCHITECTURES[key]
    st.caption(f"*Source:* {spec.source}. {spec.note}")
    with st.spinner(
        f"Building {spec.title} in Keras (only the first time" + (", about 10 s" if spec.heavy else "") + ")…"
    ):
        rows = with_batch_size(cached.architecture_table(key), batch)
    totals = table_totals(rows)
    t1, t2, t3, t4 = st.columns(4)
    t1.metric("Parameters (Keras count_params)", f"{totals['params']:,}")
    t2.metric("Not trained", f"{totals['non_trainable']:,}", help="batch-norm moving means and variances")
    t3.metric("Weights in memory", format_bytes(totals["param_bytes"]), help="float32, 4 bytes each")
    t4.metric(
        f"Layer outputs, batch {batch}",
        format_bytes(totals["activation_bytes"]),
        help="all layer outputs of one forward pass, float32; training keeps them for backprop",
    )
    if spec.course_total is not None:
        (st.success if spec.course_total == totals["params"] else st.error)(
            f"The course prints **{spec.course_total:,}** parameters"
            + (" — the same." if spec.course_total == totals["params"] else ".")
        )
    elif spec.course_claim:
        st.info(f"The course says **{spec.course_claim}** parameters; Keras counts {totals['params']:,}.")
    biggest = max(rows, key=lambda r: r["params"])
    st.markdown(
        f"The largest layer, **{biggest['name']}** ({biggest['type']}), holds **{biggest['params']:,}** of "
        f"the {totals['params']:,} parameters: **{biggest['params'] / max(totals['params'], 1):.0%}**."
    )
    printed = {name: (shape, params) for name, _, shape, params in spec.course_rows}
    display.show_table(
        [
            {
                "Layer": r["name"],
                "Type": r["type"],
                "Output shape": "×".join(map(str, r["output_shape"])),
                "Parameters": r["params"],
                "Formula": r["formula"],
                f"Output memory (batch {batch})": format_bytes(r["activation_bytes"]),
                **(
                    {
                        "Course's summary": f"{printed[r['name']][0]} · {printed[r['name']][1]:,}"
                        if r["name"] in printed
                        else ""
                    }
                    if printed
                    else {}
                ),
            }
            for r in rows
        ],
        hide_index=True,
        height=38 * (len(rows) + 1),
        column_config={"Parameters": st.column_config.NumberColumn(format="localized")},
    )
    g1, g2 = st.columns(2)
    with g1:
        st.markdown("**Shape flow**: the spatial size shrinks, the channels grow")
        display.show_figure(shape_flow_figure(rows), key="arch_flow_fig")
    with g2:
        st.markdown("**Parameters per layer** (log scale; grey conv, blue dense, green output)")
        display.show_figure(params_figure(rows), key="arch_params_fig")
    st.markdown(
        "**Memory against batch size** (float32): the weights are fixed, the layer outputs grow "
        "with the batch — the first thing to cut when training runs out of memory "
        f"({cite('keras_cnn', 'CNN design common practices')})."
    )
    display.show_figure(memory_figure(rows, [1, 8, 32, 64, 128, 256, 512], marked=batch), key="arch_mem_fig")

page_frame.finish(
    "core.models.architectures:layer_table",
    conv_params,
    dense_params,
    course={
        "cnn_classics": [
            "Padding",
            "Strided convolutions",
            "Shorthand representation",
            "Why convolution is good",
            "LeNet-5",
            "AlexNet",
            "VGG-16",
            "ResNet",
        ],
        "keras_cnn": [
            "Characteristics of CNNs",
            "CNNs: structure and components in Keras (I)",
            "CNN example in Keras: written character recognition (II)",
            "CNN design common practices",
        ],
        "conv_notes": ["2.6", "2.12", "2.13"],
        "intro_dl": ["4.3", "5.5", "7.2.2"],
        "ae_cnn": ["2D convolution on volumes", "Convolution NN on MNIST dataset with Keras"],
    },
    references=[
        "keras_conv2d",
        "keras_dense",
        "dumoulin_visin2016",
        "tf_tensors",
        "lecun1998",
        "krizhevsky2012",
        "simonyan2014",
        "he2016",
        "he2016_identity",
    ],
)
