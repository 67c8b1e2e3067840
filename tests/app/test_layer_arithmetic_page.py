"""AppTest of the Layer arithmetic page: output sizes, parameter counts, architectures, against Keras."""

import pytest
from streamlit.testing.v1 import AppTest

from core.maths.layer_math import SIZE_PRESETS
from tests.app.apptest import open_page


def open_part(part: str = "size", **params) -> AppTest:
    return open_page("layer_arithmetic", query={"part": part, **params})


def metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def keras_line(at) -> str:
    return next(s.value for s in at.success if s.value.startswith("Keras"))


def test_output_size_default_and_keras():
    at = open_part()
    assert metric(at, "Output size") == "4 × 4"
    assert "⌊(6 + 0 + 0 − 1·(3 − 1) − 1) / 1⌋ + 1 = 4" in at.code[0].value
    assert keras_line(at) == "Keras Conv2D on a 6×6×1 input gives output shape (None, 4, 4, 1) — the same."


@pytest.mark.parametrize("key", list(SIZE_PRESETS))
def test_course_examples(key):
    at = open_part()
    at.selectbox(key="arch_size_preset").set_value(key).run()
    expected = SIZE_PRESETS[key].expected
    assert metric(at, "Output size") == f"{expected} × {expected}"
    assert keras_line(at).endswith(f"(None, {expected}, {expected}, 1) — the same.")


def test_full_padding_dilation_and_errors():
    at = open_part(n=5, f=3, padding="full")
    assert metric(at, "Output size") == "7 × 7"
    assert "ZeroPadding2D → Conv2D" in keras_line(at) and "(None, 7, 7, 1)" in keras_line(at)
    at.number_input(key="arch_d").set_value(2).run()  # full: p = d(f − 1) = 4 → 5 + 8 − 5 + 1 = 9
    assert metric(at, "Output size") == "9 × 9"
    at.number_input(key="arch_s").set_value(2).run()  # Keras refuses stride > 1 with dilation > 1
    assert metric(at, "Output size") == "5 × 5"
    assert any("Keras refuses" in w.value for w in at.warning)
    at.selectbox(key="arch_padding").set_value("valid").run()
    at.number_input(key="arch_f").set_value(7).run()  # reach 13 > 5: no output
    assert at.error and "larger than the padded input" in at.error[0].value
    assert not at.exception


def test_predict_then_reveal():
    at = open_part()
    at.toggle(key="arch_quiz").set_value(True).run()
    assert not at.metric and "What is the output size?" in at.info[0].value
    at.number_input(key="arch_guess").set_value(4).run()
    at.button(key="arch_reveal").click().run()
    assert any("the answer is 4. Correct!" in s.value for s in at.success)
    assert metric(at, "Output size") == "4 × 4"
    at.button(key="arch_new").click().run()  # a new question hides the answer again
    assert not at.metric and at.info and at.session_state["arch_question"] == 1


def test_parameter_examples_confirmed_by_keras():
    at = open_part("params")
    table = at.dataframe[0].value
    counts = dict(zip(table["Layer"], table["Parameters"], strict=False))
    assert counts["Dense: 32×32 image → 256 units"] == 262_400
    assert counts["Conv: 256 filters 3×3 on a 32×32 image"] == 2_560
    assert counts["Conv: 10 filters 3×3×3 on 1000×1000×3"] == 280
    assert counts["Conv: 6 filters 5×5×3 (32×32×3 → 28×28×6)"] == 456
    weights = dict(zip(table["Layer"], table["Weights only"], strict=False))
    assert weights["Dense: 1000×1000×3 image → 1000 units"] == 3_000_000_000
    assert weights["Dense: 32×32×3 → 28×28×6 = 4,704 units"] == 14_450_688
    keras = dict(zip(table["Layer"], table["Keras count_params()"], strict=False))
    assert keras["Dense: 32×32 image → 256 units"] == "262,400"
    assert keras["Dense: 1000×1000×3 image → 1000 units"].startswith("not built")
    # your own layer: the conv count does not move with the image size, the dense one does
    assert metric(at, "Conv, 10 filters 3×3×3") == "280" and metric(at, "Dense, 32×32×3") == "30,730"
    at.select_slider(key="arch_side").set_value(1000).run()
    assert metric(at, "Conv, 10 filters 3×3×3") == "280" and metric(at, "Dense, 1000×1000×3") == "30,000,010"
    assert "Keras count_params(): 280" in at.code[1].value


def test_architecture_explorer():
    at = open_part("arch")
    assert metric(at, "Parameters") == "30,762"
    assert any("The course prints **30,762** parameters — the same." in s.value for s in at.success)
    table = at.dataframe[0].value
    rows = dict(zip(table["Layer"], table["Formula"], strict=False))
    assert rows["conv1"] == "(3·3·1 + 1)·16 = 160" and rows["dense1"] == "(800 + 1)·32 = 25,632"
    assert (
        dict(zip(table["Layer"], table["Course's summary"], strict=False))["pool2"] == "(None, 5, 5, 32) · 0"
    )
    at.select_slider(key="arch_batch").set_value(128).run()
    assert metric(at, "Layer outputs, batch 128") == "10.1 MB"  # 19,818 values · 4 B · 128
    at.selectbox(key="arch_model").set_value("lenet5").run()
    assert metric(at, "Parameters") == "61,706"
    assert any("~60 thousand" in i.value for i in at.info)
    at.selectbox(key="arch_model").set_value("bn_mnist_cnn").run()
    assert metric(at, "Parameters") == "597,738" and metric(at, "Not trained") == "1,408"
    assert at.query_params["model"] == "bn_mnist_cnn"


def test_a_link_shared_with_a_former_network_key_still_opens_that_network():
    from core.models.architectures import FORMER_ARCHITECTURE_KEYS

    assert FORMER_ARCHITECTURE_KEYS["bn_mnist_cnn_000"] == "bn_mnist_cnn"
    at = open_page("layer_arithmetic", query={"part": "arch", "model": "bn_mnist_cnn_000"})
    assert at.selectbox(key="arch_model").value == "bn_mnist_cnn"
    assert metric(at, "Parameters") == "597,738"
    assert at.query_params["model"] == "bn_mnist_cnn"  # the link now says the new key


@pytest.mark.slow
def test_vgg16_in_the_explorer():
    at = open_part("arch", model="vgg16", batch=1)
    assert metric(at, "Parameters") == "138,357,544"
    assert metric(at, "Weights in memory") == "553.4 MB"
    assert any("~138 million" in i.value for i in at.info)


def test_tensors_part_the_seeds_numbers():
    """001_0ab6af07a5a8fe8c.txt L180: (25000, 300, 450, 3); 002_7b3b2c01a09ce879.txt L201-259."""
    at = open_part("tensors")
    assert metric(at, "Rank") == "4" and metric(at, "Size (values)") == "10,125,000,000"
    assert metric(at, "Memory as float32") == "40.5 GB"
    assert any("25,000 × 300 × 450 × 3 = 10,125,000,000" in c.value for c in at.code)
    at.text_input(key="arch_tensor_shape").set_value("[3, 2, 4, 5]").run()
    assert metric(at, "Size (values)") == "120"
    assert any(c.value.startswith("shape (3, 1) → (1, 3)\n[[1, 2, 3]]") for c in at.code)
    assert any(c.value.endswith("a * b: shape (3,)\n[2, 4, 6]") for c in at.code)
    at.text_input(key="arch_reshape_shape").set_value("(4, 2)").run()
    assert any("3 values cannot fill (4, 2), which holds 8" in e.value for e in at.error)
    at.text_input(key="arch_bc_b").set_value("[1, 2]").run()
    assert any("do not broadcast" in e.value for e in at.error)
    at.text_input(key="arch_tensor_shape").set_value("(3, nan)").run()
    assert any("not a whole number" in e.value for e in at.error) and not at.exception


def test_residual_part():
    """003_de28f4f738ce9072.txt L217-244: W = 0, b = 0, ReLU → the identity for a[l] ≥ 0."""
    at = open_part("residual")
    assert any("the block is the identity" in s.value for s in at.success)
    block = next(c.value for c in at.code if c.value.startswith("a[l]"))
    assert "a[l+2] (skip)   = ReLU(z[l+2] + a[l]) = [1.5, 0, 2, 0.25]" in block
    at.text_input(key="arch_res_a").set_value("[-1, 3]").run()
    assert any("negative entries became 0" in i.value for i in at.info)
    table = at.dataframe[0].value
    assert list(table["depth"]) == [2, 4, 8, 16, 32, 48]
    assert float(table["plain ‖dL/dW₁‖"].iloc[-1]) < 1e-30 < float(table["residual ‖dL/dW₁‖"].iloc[-1])
    skip = next(c.value for c in at.caption if "shrinks geometrically" in c.value)
    assert (
        "still gates that path" in skip and "**pre-activation** ResNet" in skip
    )  # He et al. 2016, not "unchanged"


@pytest.mark.parametrize(
    "key, total, biggest",
    [
        (
            "tf1_mnist_cnn",
            "3,274,634",
            "**fc1** (Dense), holds **3,212,288** of the 3,274,634 parameters: **98%**",
        ),
        ("birth_weight", "497", "**hidden2** (Dense), holds **260**"),
    ],
)
def test_new_architectures(key, total, biggest):
    at = open_part("arch", model=key)
    assert metric(at, "Parameters (Keras count_params)") == total
    assert any(biggest in m.value for m in at.markdown)
