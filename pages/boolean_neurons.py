"""Boolean neurons: a threshold unit as a logic gate, the decision line, and why XOR needs two layers."""

import pandas as pd
import streamlit as st

from core.adapters import display, live_questions, page_frame, url_state
from core.adapters.errors import guarded
from core.adapters.lecture_mode import is_lecture
from core.adapters.url_state import UrlParam
from core.adapters.widgets.course_examples import course_examples_select
from core.data.course import cite
from core.figures.neurons import (
    activation_figure,
    decision_figure,
    hidden_lines_figure,
    hidden_space_figure,
    network_figure,
)
from core.maths.activation_functions import ACTIVATIONS, get_activation
from core.maths.boolean_functions import BOOLEAN_FUNCTIONS, TWO_INPUT_FUNCTIONS
from core.maths.neurons import (
    GATES,
    MCCULLOCH_PITTS_GATES,
    XOR_HIDDEN_BIAS,
    XOR_HIDDEN_WEIGHTS,
    XOR_OUTPUT_BIAS,
    XOR_OUTPUT_WEIGHTS,
    mcculloch_pitts,
    mcculloch_pitts_rows,
    sum_expression,
    truth_table,
    two_layer_table,
)
from core.maths.separability import (
    count_grid_solutions,
    is_linearly_separable,
    row_inequalities,
    xor_contradiction,
)

page_frame.start()
st.title("Boolean neurons")
st.markdown(
    "A threshold neuron fires when **w₁x₁ + w₂x₂ + b ≥ 0**: move the weights and see which rows of the "
    "truth table it gets right."
)
with st.expander("More about the threshold neuron"):
    st.markdown(
        "A threshold neuron adds up its weighted inputs and a bias and fires when the sum is not negative: "
        "**y = φ(w₁x₁ + w₂x₂ + b)** with **φ(v) = 1 if v ≥ 0, else 0** — note φ(0) = 1, as in the course. "
        "The bias *b* is the course's *w₀* (the threshold with its sign flipped). Pick a Boolean function, "
        "move the weights, and see which rows of its truth table the neuron gets right."
    )
lecture = is_lecture()

# --- target and weights --------------------------------------------------------------------------
FUNCTIONS = [*TWO_INPUT_FUNCTIONS, "MAJORITY", "PARITY"]
WEIGHT = {"kind": float, "lo": -3.0, "hi": 3.0, "step": 0.05}  # the sliders' range and grid
URL = (
    UrlParam("fn", "bool_fn", "AND", choices=FUNCTIONS),
    UrlParam("w1", "bool_w1", 1.0, **WEIGHT),
    UrlParam("w2", "bool_w2", 1.0, **WEIGHT),
    UrlParam(
        "w3",
        "bool_w3",
        1.0,
        **WEIGHT,
        when=("bool_fn", tuple(n for n in FUNCTIONS if BOOLEAN_FUNCTIONS[n].n_inputs == 3)),
    ),
    UrlParam("b", "bool_b", -1.5, **WEIGHT),
    UrlParam("act", "act_name", "sigmoid", choices=ACTIVATIONS),
)
url_state.sync(URL)
PRESETS = {name: g for name, g in GATES.items() if len(g.weights) == 2 and not g.bipolar}


def load_gate(gate) -> None:
    st.session_state.update(
        bool_w1=gate.weights[0], bool_w2=gate.weights[1], bool_b=gate.bias, bool_fn=gate.name
    )


@guarded
def use_solution(weights, bias) -> None:
    snap = lambda v: min(max(round(v * 20) / 20, -3.0), 3.0)  # noqa: E731  (the sliders' grid)
    for i, w in enumerate(weights):
        st.session_state[f"bool_w{i + 1}"] = snap(w)
    st.session_state.bool_b = snap(bias)


# The neuron's plane beside its controls and truth table (on a phone: below them, on the projector:
# on the first screen); three inputs have no plane to draw.
two_inputs = getattr(BOOLEAN_FUNCTIONS.get(st.session_state.get("bool_fn")), "n_inputs", 2) == 2
left, plot = st.columns([3, 2]) if two_inputs else (st.container(), None)
with left:
    c1, c2 = st.columns([2, 1])
    name = c1.selectbox(
        "Target function",
        FUNCTIONS,
        key="bool_fn",
        format_func=lambda n: f"{n}   ({BOOLEAN_FUNCTIONS[n].formula})",
    )
    if not lecture:
        course_examples_select(c2, "Load weights", PRESETS, key="bool_preset", load=load_gate)
    target = BOOLEAN_FUNCTIONS[name]
    n_inputs = target.n_inputs
    s1, s2, s3 = st.columns(3)
    weights = [
        s1.slider("w₁", -3.0, 3.0, step=0.05, key="bool_w1"),
        s2.slider("w₂", -3.0, 3.0, step=0.05, key="bool_w2"),
    ]
    if n_inputs == 3:
        weights.append(s3.slider("w₃", -3.0, 3.0, step=0.05, key="bool_w3"))
    bias = (s3 if n_inputs == 2 else st).slider("bias b (= w₀)", -3.0, 3.0, step=0.05, key="bool_b")

    # --- truth table -----------------------------------------------------------------------------
    table = truth_table(weights, bias)
    right = table.matches(target.outputs)
    frame = pd.DataFrame(
        {
            **{f"x{i + 1}": table.inputs[:, i] for i in range(n_inputs)},
            "w·x + b, written out": [sum_expression(r, weights, bias) for r in table.inputs],
            "y = φ(v)": table.outputs,
            f"target ({name})": target.outputs,
            "": ["✓" if ok else "✗" for ok in right],
        }
    )
    st.header("Truth table")
    display.show_table(frame, hide_index=True, width="stretch")
    st.metric("Rows right", f"{int(right.sum())} / {right.size}")
    if right.all():
        st.success(f"This neuron computes **{name}**.")
    if name == "OR":
        st.info(
            f"**A note on the course's OR table** ({GATES['OR'].source}): "
            + GATES["OR"].note.replace("phi", "φ")
            + " With b = −0.5 the potentials are −0.5, 0.5, 0.5, 1.5."
        )
if plot is not None and n_inputs == 2:
    with plot:
        display.show_figure(
            decision_figure(
                table.inputs,
                target.outputs,
                weights,
                bias,
                wrong=~right,
                class_names=(f"{name} = 1", f"{name} = 0"),
                point_text=["00", "01", "10", "11"],
                title="Where the neuron fires (red)",
            ),
            key="bool_plane",
            height=420,
        )

# --- can one neuron do it? -----------------------------------------------------------------------
st.header("Can one neuron do it?")
verdict = is_linearly_separable(target)
hidden = live_questions.answer_hidden("boolean_neurons")  # the class answers first
with st.expander(f"Predict first: which weights make {name}? Then reveal", expanded=False):
    if hidden:
        st.markdown(f"The weights: *{live_questions.HIDDEN_TEXT}*.")
    elif verdict.separable:
        st.markdown(
            f"A solution: **w = {tuple(round(w, 4) for w in verdict.weights)}**, **b = {verdict.bias:g}**. "
            f"Of the 25^{n_inputs + 1} settings with every weight in −3, −2.75, …, 3, "
            f"**{count_grid_solutions(target):,}** compute {name}."
        )
        st.button(
            "Use these weights",
            key="bool_reveal",
            on_click=use_solution,
            args=(verdict.weights, verdict.bias),
        )
    else:
        st.markdown(f"None: no weights at all make one neuron compute {name} (see below).")
st.markdown(
    "A row rated 1 needs w·x + w₀ ≥ 0 and a row rated 0 needs w·x + w₀ < 0. One neuron can compute the "
    "function exactly when these inequalities have a common solution: when a line (a plane for three "
    "inputs) separates the 1-rows from the 0-rows — **linear separability**."
)
rows_text = ["".join(map(str, r)) for r in table.inputs]
st.latex(
    r"\begin{array}{rl}"
    + r"\\ ".join(
        rf"\text{{row }}{r}: & {line}" for r, line in zip(rows_text, row_inequalities(target), strict=False)
    )
    + r"\end{array}"
)
if hidden:
    st.info(f"Is {name} linearly separable? The answer: *{live_questions.HIDDEN_TEXT}*.")
elif verdict.separable:
    st.success(f"Yes — {name} is linearly separable. " + verdict.explanation[0])
else:
    st.error(f"No — {name} is not linearly separable.")
    for line in verdict.explanation:
        st.markdown("- " + line)
    if name == "XOR":
        proof = xor_contradiction()
        st.markdown(f"The course's own proof ({proof.source}): put **h = −w₀**; the four rows become")
        st.latex(r",\quad ".join(proof.substituted))
        st.markdown(proof.conclusion + "  \n*" + proof.note + "*")
with st.expander("All 16 two-input functions: 14 can be computed by one neuron, XOR and XNOR cannot"):
    rows = [
        {
            "function": n,
            "formula": BOOLEAN_FUNCTIONS[n].formula,
            "outputs for 00, 01, 10, 11": " ".join(map(str, BOOLEAN_FUNCTIONS[n].outputs)),
            "one neuron?": "✓" if (r := is_linearly_separable(BOOLEAN_FUNCTIONS[n])).separable else "✗ no",
            "weights w, bias b": f"{r.weights}, {r.bias:g}" if r.separable else "—",
        }
        for n in TWO_INPUT_FUNCTIONS
        if not hidden or n != name  # the function asked about: after the reveal
    ]
    display.show_table(pd.DataFrame(rows), hide_index=True, width="stretch")

# --- McCulloch–Pitts form ------------------------------------------------------------------------
st.header("The McCulloch–Pitts neuron: excitatory and inhibitory inputs")
st.markdown(
    f"The 1943 logical neuron ({cite('intro_dl', '1.1.5–1.1.6')}) has no weights to tune. "
    "As the course states it, **excitatory** inputs count +1, **inhibitory** inputs count −1, and it fires "
    "when their sum reaches the **threshold b**: y = 1 if x₁ + … + xₙ − xₙ₊₁ − … − xₘ ≥ b, else 0. That "
    "subtraction is a later simplification: in McCulloch & Pitts (1943) inhibition is **absolute**, one "
    "active inhibitory input **vetoes** firing whatever the excitatory sum. The two rules agree on the four "
    "gates below and differ elsewhere: for x₁ + x₂ − x₃ ≥ 1 at x = (1, 1, 1) the course's neuron gives "
    f"y = {int(mcculloch_pitts([1, 1, 1], inhibitory=(2,), threshold=1))}, the 1943 neuron "
    f"y = {int(mcculloch_pitts([1, 1, 1], inhibitory=(2,), threshold=1, veto=True))}. The thresholds below "
    "are derived (the course prints the rule, not the gates)."
)
mp_name = st.radio("Gate", list(MCCULLOCH_PITTS_GATES), key="bool_mp", horizontal=True)
mp = MCCULLOCH_PITTS_GATES[mp_name]
inhibitory = ", ".join(f"x{i + 1}" for i in mp.inhibitory) or "none"
st.markdown(
    f"**{mp_name}**: fires when **{mp.formula}** (threshold b = {mp.threshold:g}; inhibitory inputs: "
    f"{inhibitory}). In the weight-and-bias form above: weights ±1, bias −b."
)
mp_rows = mcculloch_pitts_rows(mp)
display.show_table(
    pd.DataFrame(
        {
            **{f"x{i + 1}": [r[0][i] for r in mp_rows] for i in range(mp.n_inputs)},
            "excitatory − inhibitory vs b": [r[1] for r in mp_rows],
            "y": [r[2] for r in mp_rows],
        }
    ),
    hide_index=True,
)
st.caption(f"Source: {mp.source}. Computed by `mcculloch_pitts` (shown in the code expander below).")

# --- XOR with two layers -------------------------------------------------------------------------
st.header("XOR with two layers")
st.markdown(
    "Rewrite XOR as **y = (x₁ ∧ ¬x₂) ∨ (¬x₁ ∧ x₂)**: each bracket is one neuron (a hidden unit), "
    "and one more neuron ORs them. The hidden units move the four inputs to new points "
    "(z₁, z₂) where one line is enough."
)
net = two_layer_table()
row = st.radio(
    "Show the values for input",
    [0, 1, 2, 3],
    key="bool_row",
    horizontal=True,
    format_func=lambda i: "x = " + "".join(map(str, net.inputs[i])),
)
n1, n2, n3 = (st.container(), *st.columns(2)) if lecture else st.columns([4, 3, 3])
with n1:
    display.show_figure(
        network_figure(
            XOR_HIDDEN_WEIGHTS, XOR_HIDDEN_BIAS, XOR_OUTPUT_WEIGHTS, XOR_OUTPUT_BIAS, table=net, row=row
        ),
        key="bool_net",
        height=300,
    )
with n2:
    display.show_figure(
        hidden_lines_figure(net, XOR_HIDDEN_WEIGHTS, XOR_HIDDEN_BIAS, title="Input space"),
        key="bool_hidden_lines",
    )
with n3:
    display.show_figure(
        hidden_space_figure(net, XOR_OUTPUT_WEIGHTS, XOR_OUTPUT_BIAS), key="bool_hidden_space"
    )
display.show_table(
    pd.DataFrame(
        {
            "x1": net.inputs[:, 0],
            "x2": net.inputs[:, 1],
            "z1 = φ(x1 − x2 − 0.5)": [
                f"φ({v:g}) = {z}" for v, z in zip(net.hidden_potentials[:, 0], net.hidden[:, 0], strict=False)
            ],
            "z2 = φ(−x1 + x2 − 0.5)": [
                f"φ({v:g}) = {z}" for v, z in zip(net.hidden_potentials[:, 1], net.hidden[:, 1], strict=False)
            ],
            "y = φ(z1 + z2 − 0.5)": [
                f"φ({v:g}) = {y}" for v, y in zip(net.output_potentials, net.outputs, strict=False)
            ],
        }
    ),
    hide_index=True,
    width="stretch",
)
with st.expander("Madaline's fixed OR unit (bipolar, v₁ = v₂ = b₃ = ½)"):
    mad = GATES["Madaline OR"]
    mt = truth_table(mad.weights, mad.bias, bipolar=True)
    st.markdown(
        f"Madaline ORs two Adalines with fixed weights ({mad.source}); inputs and outputs are ±1 and "
        "φ(v) = +1 if v ≥ 0, else −1."
    )
    display.show_table(
        pd.DataFrame(
            {
                "z1": mt.inputs[:, 0],
                "z2": mt.inputs[:, 1],
                "y_in = ½ + ½z1 + ½z2": [sum_expression(r, mad.weights, mad.bias) for r in mt.inputs],
                "y": mt.outputs,
            }
        ),
        hide_index=True,
    )

# --- activation functions ------------------------------------------------------------------------
st.header("Other activation functions")
st.markdown(
    "The step is one choice of φ. Its slope is 0 wherever it is defined, so gradients cannot train it: "
    "learning by gradients needs a φ that is **differentiable almost everywhere** with useful slopes — "
    "ReLU has a corner at 0 and still qualifies. The course also shows the linear, piecewise linear and "
    "sigmoid functions, and CNNs use ReLU, leaky ReLU and tanh."
)
a1, a2 = st.columns([1, 2])
with a1:
    act_name = st.selectbox(
        "Activation", list(ACTIVATIONS), key="act_name", format_func=lambda n: ACTIVATIONS[n].label
    )
    act = get_activation(act_name)
    params = {}
    if "alpha" in act.params:
        params["alpha"] = st.slider("steepness α", 0.1, 10.0, 1.0, 0.1, key="act_alpha")
    if "epsilon" in act.params:
        params["epsilon"] = st.slider("slope ε for z < 0", 0.01, 0.5, 0.2, 0.01, key="act_epsilon")
    z_value = st.slider("z", -4.0, 4.0, 0.3, 0.1, key="act_z")
    show_derivative = st.toggle("Show the derivative", True, key="act_derivative")
    st.latex(act.formula)
    st.latex(r"f'(z) = " + act.derivative_formula)
    m1, m2 = st.columns(2)
    m1.metric(f"f({z_value:g})", f"{float(act.function(z_value, **params)):.4g}")
    m2.metric(f"f′({z_value:g})", f"{float(act.derivative(z_value, **params)):.4g}")
    st.caption(
        f"Range {act.output_range} · source: {act.source}"
        + (
            " · The course prints f = z only for |z| < ½ and ±1 beyond, so its curve jumps at ±½: a slip; "
            "shown here is the continuous form max(−1, min(1, z))."
            if act_name == "piecewise_linear"
            else ""
        )
    )
with a2:
    display.show_figure(
        activation_figure(act_name, params=params, show_derivative=show_derivative, z_mark=z_value),
        key="act_fig",
        height=400,
    )

page_frame.finish(
    truth_table,
    mcculloch_pitts,
    is_linearly_separable,
    two_layer_table,
    course={"intro_dl": ["1.1.5–1.1.7", "1.2", "3.1", "3.2.2", "5.2.5"]},
    references=["mcculloch_pitts1943", "minsky_papert1969", "widrow_hoff1960", "keras_activations"],
)
