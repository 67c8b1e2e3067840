"""Perceptron learning: the perceptron, Hebb and Adaline rules, one update at a time, with a timeline."""

import pandas as pd
import streamlit as st

from core.adapters import display, live_questions, page_frame, url_state
from core.adapters.editor_bounds import bounded_editor
from core.adapters.errors import guarded
from core.adapters.lecture_mode import is_lecture, session_seed
from core.adapters.tap import show_pickable
from core.adapters.url_state import UrlParam
from core.data.perceptron_sets import (
    FRUIT_INITIAL_BIAS,
    FRUIT_INITIAL_WEIGHTS,
    FRUIT_LEARNING_RATE,
    FRUIT_QUERIES,
    FRUIT_TYPO_NOTE,
    TRAINING_SETS,
    make_training_set,
    training_set,
)
from core.figures.neurons import decision_figure, epoch_figure, padded_range
from core.maths.perceptron import (
    RULE_CONVENTION,
    mistake_bound,
    predict,
    train,
    train_adaline,
    train_hebb,
    train_perceptron,
    update_equation,
)

page_frame.start()
st.title("Perceptron learning")
st.markdown(
    "A perceptron learns its weights from examples: press **One step** and watch the line move after a "
    "wrong answer."
)
with st.expander("More about the perceptron rule"):
    st.markdown(
        "A perceptron learns its weights from examples. It looks at one sample at a time; when it answers "
        "wrongly it "
        "moves the weights towards the right answer: **w ← w + η (t − y) x** and **b ← b + η (t − y)**, "
        "with target "
        "*t*, output *y* and learning rate *η*. One pass over all samples is an **epoch**. If a line can "
        "separate the "
        "two classes, the **perceptron convergence theorem** promises that the updates stop after finitely "
        "many "
        "mistakes."
    )
lecture = is_lecture()
DATA = [*TRAINING_SETS, "your points"]
RULE_LABELS = {
    "perceptron": "Perceptron rule",
    "hebb": "Hebb rule (as printed)",
    "adaline": "Adaline (delta rule)",
}
#: What the main plot shows, for screen readers.
PLOT_ALT = (
    "The training samples as points of two classes, with the perceptron's decision line "
    "w·x + b = 0 after the current step and the region where it outputs 1 shaded."
)
RATES = [1e-5, 3e-5, 1e-4, 3e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 2.0]
MAX_POINTS = (
    100  # x 500 epochs = 50,000 steps: the step log below, the largest message the app sends, stays < 10 MB
)
DEFAULT_POINTS = pd.DataFrame(
    {"x1": [0.5, 1.0, 1.5, 3.0, 3.5, 2.5], "x2": [2.5, 3.5, 2.0, 1.0, 0.5, 0.2], "class": [1, 1, 1, 0, 0, 0]}
)


@guarded
def defaults() -> None:
    """Start values of a fresh run: the course's for the fruit, zeros elsewhere; back to step 0."""
    fruit = st.session_state.perc_data == "fruit"
    course_start = fruit and st.session_state.perc_rule == "perceptron"
    w, b = (FRUIT_INITIAL_WEIGHTS, FRUIT_INITIAL_BIAS) if course_start else ((0.0, 0.0), 0.0)
    rate = {
        "perceptron": FRUIT_LEARNING_RATE if fruit else 0.1,
        "hebb": 1.0,
        "adaline": 1e-5 if fruit else 0.1,
    }[st.session_state.perc_rule]
    st.session_state.update(
        perc_w1=float(w[0]), perc_w2=float(w[1]), perc_b=float(b), perc_lr=rate, perc_step=0
    )


URL = (
    UrlParam("data", "perc_data", "fruit", choices=DATA),
    UrlParam("rule", "perc_rule", "perceptron", choices=RULE_LABELS),
    UrlParam("lr", "perc_lr", FRUIT_LEARNING_RATE, kind=float, choices=RATES),
    UrlParam("w1", "perc_w1", -30.0, kind=float),
    UrlParam("w2", "perc_w2", 300.0, kind=float),
    UrlParam("b", "perc_b", -1230.0, kind=float),
    UrlParam("order", "perc_order", -1, kind=int, lo=-1, hi=9999),
    UrlParam("epochs", "perc_epochs", 100, kind=int, lo=1, hi=500),
    UrlParam("step", "perc_step", 0, kind=int, lo=0),
)  # at most the run's length: set below
url_state.sync(URL)

# --- controls ------------------------------------------------------------------------------------
c1, c2, c3 = st.columns(3)
data = c1.selectbox(
    "Training data",
    DATA,
    key="perc_data",
    on_change=defaults,
    format_func=lambda d: {
        "fruit": "Fruit (the course's example)",
        "blobs": "Two separable blobs",
        "your points": "Your points (click or edit)",
    }.get(d, f"{d} gate"),
)
rule = c2.selectbox(
    "Learning rule", list(RULE_LABELS), key="perc_rule", on_change=defaults, format_func=RULE_LABELS.get
)
rate = c3.select_slider(
    "Step size Δ" if rule == "hebb" else "Learning rate η",
    RATES,
    key="perc_lr",
    format_func=lambda v: f"{v:g}",
)
w1c, w2c, bc, oc, ec = st.expander("Start values, sample order, epochs").columns(5)
w_init = (
    w1c.number_input("start w₁", key="perc_w1", step=1.0, format="%g"),
    w2c.number_input("start w₂", key="perc_w2", step=1.0, format="%g"),
)
b_init = bc.number_input("start b", key="perc_b", step=1.0, format="%g")
order = -1 if lecture else oc.number_input("order seed (−1: as listed)", -1, 9999, key="perc_order")
max_epochs = 100 if lecture else ec.number_input("max epochs", 1, 500, key="perc_epochs")

if data == "your points":
    st.session_state.setdefault("perc_points", DEFAULT_POINTS)
    st.session_state.setdefault("perc_points_v", 0)
    p1, p2 = st.columns([3, 1])
    with p1:
        bounded_editor(
            f"perc_editor_{st.session_state.perc_points_v}",
            rows=len(st.session_state.perc_points),
            columns=list(DEFAULT_POINTS.columns),
            max_rows=MAX_POINTS,
            fixed=False,
        )
    edited = p1.data_editor(
        st.session_state.perc_points,
        key=f"perc_editor_{st.session_state.perc_points_v}",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={"class": st.column_config.SelectboxColumn("class", options=[1, 0])},
    )
    st.session_state.perc_points_now = edited
    click_class = p2.radio("A click on the plot adds class", [1, 0], key="perc_click_class")
    p2.caption(f"Class 1 is red (the neuron should fire), class 0 blue. At most {MAX_POINTS} points.")
    clean = edited.dropna()
    try:
        ts = make_training_set(
            clean[["x1", "x2"]].to_numpy(float), clean["class"].to_numpy(float), name="your points"
        )
    except ValueError as exc:
        st.error(f"These points cannot be used: {exc}")
        st.stop()
else:
    ts = training_set(data, seed=session_seed(0))

try:
    result = train(
        rule,
        ts.x,
        ts.targets(RULE_CONVENTION[rule]),
        weights=w_init,
        bias=b_init,
        learning_rate=rate,
        max_epochs=int(max_epochs),
        order_seed=None if order < 0 else int(order),
    )
except ValueError as exc:
    st.error(f"This rule cannot run on these data: {exc}")
    st.stop()
live_questions.note(
    "perceptron",
    rule=rule,
    x=ts.x.tolist(),
    targets=ts.targets(RULE_CONVENTION[rule]).tolist(),
    options=dict(
        weights=list(w_init),
        bias=b_init,
        learning_rate=rate,
        max_epochs=int(max_epochs),
        order_seed=None if order < 0 else int(order),
    ),
)  # "Ask the class"

# --- timeline ------------------------------------------------------------------------------------
n = len(result.history)
st.session_state.perc_step = min(max(int(st.session_state.perc_step), 0), n)
k = st.session_state.perc_step


@guarded
def go_to(step: int) -> None:
    st.session_state.perc_step = step


figure_area = st.container()  # the plot, with the step buttons beside it; the numbers of the step below
left, right = figure_area.columns([3, 2])
step_buttons = [  # two rows of two buttons: (label, key, the update it goes to, icon)
    ("Reset", "perc_reset", 0, ":material/restart_alt:"),
    ("One step", "perc_one_step", min(k + 1, n), ":material/skip_next:"),
    ("One epoch", "perc_one_epoch", result.epoch_end(k), ":material/fast_forward:"),
    ("Run to the end", "perc_run", n, ":material/last_page:"),
]
for column, (label, key, target, icon) in zip(
    [*right.columns(2), *right.columns(2)], step_buttons, strict=True
):
    at_end = k >= n and key != "perc_reset"  # at the end only Reset goes anywhere
    column.button(label, key=key, on_click=go_to, args=(target,), icon=icon, width="stretch", disabled=at_end)
right.slider("Timeline: updates so far (drag to scrub back and forth)", 0, n, key="perc_step")
if live_questions.answer_hidden("perceptron"):  # the class predicts the converging epoch first
    st.info(f"**Whole run:** *{live_questions.HIDDEN_TEXT}*.")
else:
    (st.success if result.converged and not result.errors_per_epoch[-1] else st.warning)(
        f"**Whole run:** {result.message}"
    )

weights, bias = result.state_at(k)
rec = result.history[k - 1] if k else None
outputs = predict(ts.x, weights=weights, bias=bias, convention=RULE_CONVENTION[rule])[1]
m = st.columns(5)
for col, label, value, delta in (
    (m[0], "w₁", weights[0], rec.delta_weights[0] if rec else 0),
    (m[1], "w₂", weights[1], rec.delta_weights[1] if rec else 0),
    (m[2], "b", bias, rec.delta_bias if rec else 0),
):
    col.metric(
        label,
        f"{round(value, 9) + 0:.6g}",
        f"{round(delta, 9) + 0:+.6g}" if delta else None,
        help=f"exactly {value!r}",
    )
m[3].metric("epoch", rec.epoch if rec else 0)
m[4].metric("mistakes so far", sum(result.errors_until(k)))
if rec is None:
    st.markdown("**Start.** Press *One step* to present the first sample.")
else:
    verdict = ("wrong" if rec.misclassified else "right") + (
        ", and Adaline always moves the weights by η (t − v) x:"
        if rule == "adaline"
        else ", so the weights move:"
        if rec.updated
        else ", no change."
        if not rec.misclassified
        else ", but this rule only acts when the neuron fires: no change."
    )
    st.markdown(
        f"**Step {rec.step}** (epoch {rec.epoch}), sample {rec.index + 1}: x = "
        f"({', '.join(f'{v:g}' for v in rec.sample)}), target t = {rec.target:g}. "
        f"Potential v = w·x + b = **{rec.potential:.8g}** → output y = **{rec.output:g}**: {verdict}"
    )
    for line in update_equation(rec, rule=rule, learning_rate=rate):
        st.latex(line)

with left:
    span = (padded_range(ts.x[:, 0]), padded_range(ts.x[:, 1]))
    fig = decision_figure(
        ts.x,
        ts.labels,
        weights,
        bias,
        class_names=ts.class_names,
        x_range=span[0],
        y_range=span[1],
        axis_titles=ts.feature_names,
        equal_axes=data != "fruit",
        previous=(rec.weights_before, rec.bias_before) if rec and rec.updated else None,
        highlight=rec.index if rec else None,
        wrong=outputs != ts.targets(RULE_CONVENTION[rule]),
        pick_grid=21 if data == "your points" else 0,
        height=480,
    )

    def add_point(points: list) -> None:
        picked = [p for p in points if "customdata" in p]  # a click or a tap on the pick grid
        if picked and len(st.session_state.perc_points_now) < MAX_POINTS:
            x1, x2 = picked[0]["x"], picked[0]["y"]  # a point of the invisible pick grid
            row = pd.DataFrame(
                {"x1": [round(x1, 3)], "x2": [round(x2, 3)], "class": [st.session_state.perc_click_class]}
            )
            st.session_state.perc_points = pd.concat(
                [st.session_state.perc_points_now, row], ignore_index=True
            )
            st.session_state.perc_points_v += 1

    if data == "your points":
        show_pickable(fig, key="perc_plot", on_pick=add_point, height=480, alt=PLOT_ALT)
    else:
        display.show_figure(fig, key="perc_plot", height=480, alt=PLOT_ALT)
    st.caption(
        "Black line: w·x + b = 0 now; dashed grey: before the last update; ring: the sample just presented; "
        "cross: classified wrongly by the current weights; red shade: where the neuron outputs 1."
    )
with right:
    display.show_figure(
        epoch_figure(
            result.errors_until(k),
            current_epoch=rec.epoch if rec else None,
            mse_per_epoch=result.mse_per_epoch[: result.epochs_done(k)],
        ),
        key="perc_epochs_fig",
        height=300,
    )
    st.caption(
        "Bars: misclassified samples per epoch (so far)."
        + (
            " Line: mean squared error after each finished epoch — Adaline descends it."
            if rule == "adaline"
            else ""
        )
    )
    if rule == "perceptron" and not any(w_init) and not b_init and ts.labels.min() != ts.labels.max():
        try:
            radius, gamma, bound = mistake_bound(ts.x, ts.labels)
            st.markdown(
                f"**Convergence theorem.** Started from zero, the perceptron makes at most (R/γ)² = "
                f"({radius:.3g}/{gamma:.3g})² ≈ {bound:,.0f} mistakes; it made "
                f"{result.mistakes} in the whole run."
            )
        except ValueError:
            st.markdown(
                "**Convergence theorem.** It needs separable classes; these are not, so the updates "
                "never stop."
            )

if rule == "adaline":
    st.info(result.notes[0])
if data == "fruit":
    st.header("Classify a new fruit")
    if rule == "perceptron":
        st.info(FRUIT_TYPO_NOTE)
    q1, q2, q3 = st.columns(3)
    grams = q1.number_input("weight (g)", 0.0, 1000.0, 140.0, key="perc_q_weight")
    cm = q2.number_input("length (cm)", 0.0, 100.0, 17.9, key="perc_q_length")
    v, y = predict((grams, cm), weights=weights, bias=bias)
    q3.metric("class with the current weights", ts.class_name(y), f"v = {float(v):.6g}", delta_color="off")
    rows = [
        {
            "fruit": str(q),
            "course says": c,
            "v = w·x + b now": float(predict(q, weights=weights, bias=bias)[0]),
            "class now": ts.class_name(predict(q, weights=weights, bias=bias)[1]),
        }
        for q, c in FRUIT_QUERIES
    ]
    display.show_table(pd.DataFrame(rows), hide_index=True)

with st.expander(f"Log of the first {k} steps", expanded=not lecture):
    display.show_table(pd.DataFrame(result.rows(k)), hide_index=True, width="stretch")
page_frame.finish(
    {"perceptron": train_perceptron, "hebb": train_hebb, "adaline": train_adaline}[rule],
    course={"intro_dl": ["2.1", "2.2", "2.3", "3.2"]},
    references=["rosenblatt1958", "novikoff1962", "widrow_hoff1960"],
)
