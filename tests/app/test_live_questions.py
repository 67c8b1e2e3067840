"""Predict, then reveal: the lecturer asks the Convolution page's question, a follower answers on their
own session, the projector's histogram counts it once, Reveal shows the app's computed value; a free
question; and each page's ready-made question computes the right answer for a known view (the builders
called with plain dicts, checked against a hand computation or an independent loop)."""

from __future__ import annotations

import numpy as np
import pytest

from core.adapters import live_questions, live_session
from core.adapters.question_builders import BUILDERS, FACTS_KEY, page_question
from core.data.rooms import open_rooms
from core.figures.room_answers import REVEALED_COLOR, answers_figure
from tests.app import test_live_session
from tests.app.test_live_session import app, start_session

store_url = test_live_session.store_url  # the temporary store fixture


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def test_the_lecturer_asks_a_follower_answers_once_and_reveal_shows_the_computed_width(store_url):
    lecturer, code, _ = start_session(store_url)
    lecturer.switch_page("pages/convolution.py").run()
    lecturer.slider(key="conv_stride").set_value(2).run()
    noted = lecturer.session_state[FACTS_KEY]["convolution"]
    assert tuple(noted["image_shape"]) == (512, 512) and tuple(noted["kernel_shape"]) == (
        3,
        3,
    )  # the default view
    lecturer.sidebar.button(key="liveq_ask_page").click().run()
    assert not lecturer.exception
    asked = lecturer.session_state[live_questions.OPEN_KEY]
    assert "stride 2" in asked["prompt"] and "512 × 512" in asked["prompt"]
    assert "255" not in asked["prompt"]
    view = open_rooms(store_url).view(code)
    assert view.question["id"] == asked["id"] and "answer" not in view.question  # hidden from the class
    assert view.question["page"] == "convolution"
    assert page_hides_its_result(lecturer, "255 × 255")  # the projector keeps the page's own answer

    student = app({"room": code})
    assert any(asked["prompt"] in m.value for m in student.markdown)
    assert page_hides_its_result(student, "255 × 255")
    student.number_input(key=f"liveq_num_{asked['id']}").set_value(254).run()
    student.button(key=f"liveq_send_{asked['id']}").click().run()
    assert any("Your answer 254" in s.value for s in student.success)
    assert f"liveq_send_{asked['id']}" not in [b.key for b in student.button]  # one answer: the form is gone

    lecturer.run()
    assert metrics(lecturer)["Answers"] == "1"
    (chart,) = [c for c in lecturer.get("plotly_chart") if "liveq_histogram" in c.proto.id]
    assert '"x":["254"]' in chart.proto.spec.replace(" ", "") and '"y":[1]' in chart.proto.spec.replace(
        " ", ""
    )

    store = open_rooms(store_url)  # the same browser session answers again: not counted
    assert store.answer(code, asked["id"], student.session_state[live_session.SESSION_KEY], 255) is False
    assert store.answer(code, asked["id"], "another-session-0001", 255) is True
    lecturer.run()
    assert metrics(lecturer)["Answers"] == "2"

    lecturer.button(key="liveq_reveal").click().run()
    assert metrics(lecturer)["The app's answer"] == "255"  # ⌊(512 − 3)/2⌋ + 1, valid padding
    assert "liveq_reveal" not in [b.key for b in lecturer.button]
    assert not page_hides_its_result(lecturer, "255 × 255")  # the page's own result is back
    student.run()
    assert any("The app's answer: **255** · you said 254" in m.value for m in student.markdown)
    assert not page_hides_its_result(student, "255 × 255")


def page_hides_its_result(at, result: str) -> bool:
    """Whether the page shows the hidden note and not ``result`` (asserting that one of the two holds)."""
    texts = [e.value for kind in ("markdown", "info", "success", "error") for e in at.get(kind)]
    hidden = any(live_questions.HIDDEN_TEXT in t for t in texts)
    shown = any(result in t for t in texts)
    assert hidden != shown, (hidden, shown, result)
    return hidden


def test_boolean_neurons_hides_its_verdict_until_the_reveal(store_url):
    lecturer, code, _ = start_session(store_url)
    lecturer.switch_page("pages/boolean_neurons.py").run()
    assert not page_hides_its_result(lecturer, "AND is linearly separable")
    lecturer.sidebar.button(key="liveq_ask_page").click().run()
    assert page_hides_its_result(lecturer, "AND is linearly separable")
    student = app({"room": code})
    assert page_hides_its_result(student, "AND is linearly separable")
    student.button(key="live_explore").click().run()  # exploring on their own: their own results
    assert not page_hides_its_result(student, "AND is linearly separable")
    student.button(key="live_back").click().run()
    assert page_hides_its_result(student, "AND is linearly separable")
    lecturer.button(key="liveq_reveal").click().run()
    assert metrics(lecturer)["The app's answer"] == "Yes"
    assert not page_hides_its_result(lecturer, "AND is linearly separable")
    student.run()
    assert not page_hides_its_result(student, "AND is linearly separable")


def test_a_free_multiple_choice_question_and_a_page_without_one(store_url):
    lecturer, code, _ = start_session(store_url)
    lecturer.run()  # the PIN dialog closed
    assert lecturer.sidebar.button(key="liveq_ask_page").disabled  # the home page has no question
    lecturer.switch_page("pages/layer_arithmetic.py").run()
    lecturer.radio(key="arch_part").set_value("tensors").run()  # a part of the page without one
    lecturer.sidebar.button(key="liveq_ask_page").click().run()
    assert any("no ready-made question" in w.value for w in lecturer.sidebar.warning)
    assert live_questions.OPEN_KEY not in lecturer.session_state

    lecturer.sidebar.text_input(key="liveq_free_prompt").input("Which layer has no weights?")
    lecturer.sidebar.radio(key="liveq_free_kind").set_value("a choice").run()
    lecturer.sidebar.text_area(key="liveq_free_choices").input("Conv2D\nMaxPooling2D\nDense")
    lecturer.sidebar.text_input(key="liveq_free_answer").input("MaxPooling2D")
    lecturer.sidebar.button(key="liveq_ask_free").click().run()
    qid = lecturer.session_state[live_questions.OPEN_KEY]["id"]

    student = app({"room": code})
    student.radio(key=f"liveq_choice_{qid}").set_value("Dense").run()
    student.button(key=f"liveq_send_{qid}").click().run()
    lecturer.run()
    assert metrics(lecturer)["Answers"] == "1"
    lecturer.button(key="liveq_reveal").click().run()
    assert metrics(lecturer)["The app's answer"] == "MaxPooling2D"
    hist = open_rooms(store_url).histogram(code, qid)
    assert hist.counts == (0, 0, 1) and hist.revealed
    bars = answers_figure(hist).data[0]
    assert list(bars.marker.color).index(REVEALED_COLOR) == 1  # the right choice's bar stands out


def test_a_free_question_that_breaks_the_rules_is_refused_with_the_reason(store_url):
    lecturer, _, _ = start_session(store_url)
    lecturer.run()
    lecturer.sidebar.text_input(key="liveq_free_prompt").input("Pick one")
    lecturer.sidebar.radio(key="liveq_free_kind").set_value("a choice").run()
    lecturer.sidebar.text_area(key="liveq_free_choices").input("only one")
    lecturer.sidebar.button(key="liveq_ask_free").click().run()
    assert any("choices must be 2 to 8" in w.value for w in lecturer.sidebar.warning)
    assert live_questions.OPEN_KEY not in lecturer.session_state


# --- the six pages' builders on known views ---------------------------------------------------------


def test_six_pages_declare_a_question():
    assert set(BUILDERS) == {
        "convolution",
        "layer_arithmetic",
        "pooling",
        "cnn_activations",
        "perceptron",
        "boolean_neurons",
    }


@pytest.mark.parametrize(
    "padding, pad, dilation, expected",
    [
        ("valid", 0, 1, 12),  # ⌊(28 − 5)/2⌋ + 1
        ("same", 0, 1, 14),  # ⌈28/2⌉, like Keras
        ("full", 0, 1, 16),  # p = 4 each side: ⌊(28 + 8 − 5)/2⌋ + 1
        ("explicit", 1, 1, 13),  # ⌊(28 + 2 − 5)/2⌋ + 1
        ("valid", 0, 2, 10),  # reach 2·4 + 1 = 9: ⌊(28 − 9)/2⌋ + 1
    ],
)
def test_convolution_asks_the_feature_maps_width(padding, pad, dilation, expected):
    state = {
        "conv_stride": 2,
        "conv_padding": padding,
        "conv_pad": pad,
        "conv_dilation": dilation,
        FACTS_KEY: {"convolution": {"image_shape": (20, 28), "kernel_shape": (5, 5)}},
    }
    question = page_question("convolution", state)
    assert question.answer == expected and "20 × 28" in question.prompt
    assert page_question("convolution", {}) is None  # the page has not run yet


def test_layer_arithmetic_asks_the_output_size_or_the_conv_parameters():
    size = page_question(
        "layer_arithmetic",
        {
            "arch_part": "size",
            "arch_n": 32,
            "arch_f": 5,
            "arch_s": 1,
            "arch_d": 1,
            "arch_padding": "valid",
            "arch_p": 0,
        },
    )
    assert size.answer == 28  # LeNet's first layer: 32 − 5 + 1
    params = page_question(
        "layer_arithmetic", {"arch_part": "params", "arch_channels": 3, "arch_units": 64, "arch_kernel": 3}
    )
    assert params.answer == (3 * 3 * 3 + 1) * 64 == 1792  # VGG16's block1_conv1
    assert page_question("layer_arithmetic", {"arch_part": "tensors"}) is None


def test_pooling_asks_the_pooled_value_of_the_chosen_window():
    x = [[1, 3, 2, 1], [4, 6, 5, 0], [7, 2, 9, 8], [1, 0, 3, 4]]
    state = {
        "pool_mode": "numbers",
        "pool_kind": "max",
        "pool_size": 2,
        "pool_stride": 2,
        "pool_padding": "valid",
        "pool_row": 1,
        "pool_col": 1,
        FACTS_KEY: {"pooling": {"matrix": x}},
    }
    assert page_question("pooling", state).answer == 9  # max of [[9, 8], [3, 4]]
    state["pool_kind"] = "average"
    assert page_question("pooling", state).answer == 6  # (9 + 8 + 3 + 4)/4
    state.update(pool_kind="l2", pool_row=0, pool_col=0)
    assert page_question("pooling", state).answer == pytest.approx(round(np.sqrt(1 + 9 + 16 + 36), 2))
    assert page_question("pooling", {**state, "pool_mode": "image"}) is None


def test_cnn_activations_asks_the_predicted_digit():
    probs = np.full(10, 0.05)
    probs[7] = 0.55
    state = {FACTS_KEY: {"cnn_activations": {"kind": "digits", "probabilities": probs.tolist()}}}
    assert page_question("cnn_activations", state).answer == 7
    assert (
        page_question(
            "cnn_activations", {FACTS_KEY: {"cnn_activations": {"kind": "imagenet", "probabilities": []}}}
        )
        is None
    )


def _perceptron_epochs(x, t, lr, max_epochs):
    """An independent perceptron loop (bipolar, fires at v >= 0): the first epoch without a mistake, or 0."""
    w, b = np.zeros(2), 0.0
    for epoch in range(1, max_epochs + 1):
        mistakes = 0
        for xi, ti in zip(np.asarray(x, float), t, strict=False):
            y = 1.0 if xi @ w + b >= 0 else -1.0
            if y != ti:
                w, b, mistakes = w + lr * ti * xi, b + lr * ti, mistakes + 1
        if mistakes == 0:
            return epoch
    return 0


@pytest.mark.parametrize("targets", [(-1, -1, -1, 1), (-1, 1, 1, -1)], ids=["AND", "XOR"])
def test_perceptron_asks_the_converging_epoch_or_never(targets):
    x = [[0, 0], [0, 1], [1, 0], [1, 1]]
    noted = {
        "rule": "perceptron",
        "x": x,
        "targets": list(targets),
        "options": {
            "weights": [0.0, 0.0],
            "bias": 0.0,
            "learning_rate": 1.0,
            "max_epochs": 50,
            "order_seed": None,
        },
    }
    answer = page_question("perceptron", {FACTS_KEY: {"perceptron": noted}}).answer
    assert answer == _perceptron_epochs(x, targets, 1.0, 50)
    assert (answer > 0) == (targets == (-1, -1, -1, 1))  # XOR never converges: 0


@pytest.mark.parametrize("name, expected", [("AND", "Yes"), ("OR", "Yes"), ("XOR", "No"), ("NOR", "Yes")])
def test_boolean_neurons_asks_whether_one_neuron_computes_the_function(name, expected):
    question = page_question("boolean_neurons", {"bool_fn": name})
    assert question.kind == "choice" and question.answer == expected


# --- each builder on the real page agrees with what the page itself shows ---------------------------


class _PageState:
    """An AppTest's session state with ``get``, as the builders read the lecturer's."""

    def __init__(self, at):
        self.at = at

    def get(self, key, default=None):
        return self.at.session_state[key] if key in self.at.session_state else default


def _shown(at, page: str) -> str:
    """The page's own result for its question, read from what it draws."""
    if page == "pooling":
        return next(c.value for c in at.code if c.value.startswith("output (0, 0) =")).rsplit("= ", 1)[1]
    if page == "perceptron":
        return (
            next(m.value for m in at.success if "Converged after" in m.value)
            .split("Converged after ")[1]
            .split()[0]
        )
    if page == "boolean_neurons":
        return next(m.value for m in at.success if "linearly separable" in m.value).split(" ")[0]
    label = {"layer_arithmetic": "Output size", "cnn_activations": "Predicted digit"}[page]
    return next(m.value for m in at.metric if m.label == label).split(" ")[0]


@pytest.mark.parametrize(
    "page", ["pooling", "perceptron", "boolean_neurons", "layer_arithmetic", "cnn_activations"]
)
def test_the_builder_on_the_real_page_gives_the_pages_own_result(store_url, page):
    at = app()
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.message for e in at.exception]
    question = page_question(page, _PageState(at))
    answer = question.answer if question.kind == "choice" else f"{question.answer:g}"
    assert answer == _shown(at, page).rstrip("—").strip()
