"""AppTest of the Perceptron learning page: step through the course's fruit example with the buttons
and the timeline and check the weights shown; the other rules and data sets; no TensorFlow import."""

import pytest

from core.adapters import lecture_mode
from tests.app.apptest import page_fixture
from tests.app.test_boolean_neurons_page import page_imports_without_tensorflow

page = page_fixture("perceptron")


def weights(at):
    shown = {m.label: m.value for m in at.metric}
    return shown["w₁"], shown["w₂"], shown["b"]


def click(at, key):
    at.button(key=key).click().run()
    assert not at.exception


def test_fruit_starts_from_the_course_weights(page):
    assert weights(page) == ("-30", "300", "-1230")
    assert page.slider(key="perc_step").value == 0
    assert page.select_slider(key="perc_lr").value == 0.01


def test_step_buttons_reproduce_the_single_update(page):
    click(page, "perc_one_step")  # sample 1: potential 180, right, no change
    assert weights(page) == ("-30", "300", "-1230")
    assert any("**180**" in m.value and "right, no change" in m.value for m in page.markdown)
    click(page, "perc_one_step")  # sample 2: potential -90, wrong: the update
    assert weights(page) == ("-27.72", "300.304", "-1229.98")
    assert any("**-90**" in m.value for m in page.markdown)
    assert [x.value.strip("$\n") for x in page.latex] == [
        r"w \leftarrow [-30,\ 300] + 0.01\cdot(1 - (-1))\cdot[114,\ 15.2] = [-27.72,\ 300.304]",
        r"b \leftarrow -1230 + 0.01\cdot(1 - (-1)) = -1229.98",
    ]
    click(page, "perc_one_epoch")
    assert page.slider(key="perc_step").value == 4
    assert any("**-4202.9176**" in m.value for m in page.markdown)
    click(page, "perc_run")
    assert page.slider(key="perc_step").value == 8 and weights(page) == ("-27.72", "300.304", "-1229.98")
    assert page.success[0].value.startswith("**Whole run:** Converged after 2 epochs (1 update)")
    log = page.dataframe[-1].value
    assert list(log["v = w·x + b"]) == pytest.approx(
        [180, -90, -4228.3224, -4202.9176, 461.0072, 174.5608, -4228.3224, -4202.9176]
    )
    assert list(log["error"]) == [0, 2, 0, 0, 0, 0, 0, 0]


def test_timeline_scrubs_back_and_forth(page):
    page.slider(key="perc_step").set_value(5).run()
    assert weights(page) == ("-27.72", "300.304", "-1229.98")
    page.slider(key="perc_step").set_value(1).run()
    assert weights(page) == ("-30", "300", "-1230")
    assert page.query_params["step"] == "1"
    click(page, "perc_reset")
    assert page.slider(key="perc_step").value == 0


def test_fruit_classification_and_typo_note(page):
    page.slider(key="perc_step").set_value(8).run()
    table = next(d.value for d in page.dataframe if "course says" in d.value.columns)
    assert list(table["class now"]) == list(table["course says"]) == ["C2", "C1", "C1"]
    assert list(table["v = w·x + b now"]) == pytest.approx([-3216.54, 895.30, 264.6616])
    assert {m.label: m.value for m in page.metric}["class with the current weights"] == "C1"
    assert any("-1229.08" in i.value and "typo" in i.value for i in page.info)
    page.slider(key="perc_step").set_value(0).run()  # the initial weights put (140, 17.9) in C2
    assert {m.label: m.value for m in page.metric}["class with the current weights"] == "C2"


def test_xor_never_converges_with_the_perceptron(page):
    page.selectbox(key="perc_data").set_value("XOR").run()
    assert weights(page) == ("0", "0", "0") and page.select_slider(key="perc_lr").value == 0.1
    click(page, "perc_run")
    assert page.warning[0].value.startswith("**Whole run:** Did not converge within 100 epochs")
    assert "not linearly separable" in page.warning[0].value
    assert page.slider(key="perc_step").value == 400


def test_hebb_gets_stuck_and_refuses_real_inputs(page):
    page.selectbox(key="perc_rule").set_value("hebb").run()
    assert page.error[0].value.startswith("This rule cannot run on these data: `x` must be binary")
    page.selectbox(key="perc_data").set_value("AND").run()
    click(page, "perc_run")
    assert "Stuck after 2 epochs" in page.warning[0].value
    assert weights(page) == ("0", "0", "-1")


def test_adaline_on_and_approaches_least_squares(page):
    page.selectbox(key="perc_data").set_value("AND").run()
    page.selectbox(key="perc_rule").set_value("adaline").run()
    click(page, "perc_run")
    assert page.success[0].value.startswith(
        "**Whole run:** Converged: the mean squared error stopped falling"
    )
    w1, w2, b = (float(v) for v in weights(page))
    assert (
        w1 == pytest.approx(1, abs=0.1)
        and w2 == pytest.approx(1, abs=0.1)
        and b == pytest.approx(-1.5, abs=0.1)
    )
    assert any("without the input x_i" in i.value for i in page.info)


def test_your_points_converge_from_zero_within_the_bound(page):
    page.selectbox(key="perc_data").set_value("your points").run()
    assert not page.exception
    click(page, "perc_run")
    assert page.success[0].value.startswith("**Whole run:** Converged")
    assert any(m.value.startswith("**Convergence theorem.** Started from zero") for m in page.markdown)


def test_lecture_mode_hides_the_advanced_controls(page):
    assert "perc_order" in [n.key for n in page.number_input]
    page.toggle(key=lecture_mode.LECTURE_TOGGLE_KEY).set_value(True).run()
    assert not page.exception
    assert "perc_order" not in [n.key for n in page.number_input]


def test_page_does_not_import_tensorflow():
    assert page_imports_without_tensorflow("pages/perceptron.py") == []
