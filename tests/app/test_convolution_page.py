"""AppTest of the Convolution page: change image, kernel, stride, padding, display; check what is shown."""

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests.app.apptest import open_page, page_fixture

APP = str(Path(__file__).resolve().parents[2] / "app.py")


page = page_fixture("convolution")


def shapes_text(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Input **"))


def formula(at) -> str:
    return next(c.value for c in at.code if c.value.startswith("height:"))


def test_default_view_is_sobel_on_the_cameraman(page):
    assert "Input **512 × 512**" in shapes_text(page) and "feature map **510 × 510**" in shapes_text(page)
    assert formula(page).splitlines()[0].endswith("= 510")
    value = page.metric[0].value
    expression = next(c.value for c in page.code if "·" in c.value and not c.value.startswith("height"))
    assert expression.endswith(f"= {value.replace('-', '−')}")


def test_stride_padding_and_kernel_change_the_output(page):
    page.slider(key="conv_stride").set_value(2).run()
    assert "feature map **255 × 255**" in shapes_text(page)
    page.selectbox(key="conv_padding").set_value("same").run()
    assert "feature map **256 × 256**" in shapes_text(page)
    assert "⌊(512 + 0 + 1 − 1·(3 − 1) − 1) / 2⌋ + 1 = 256" in formula(page)
    page.selectbox(key="conv_kernel").set_value("log_5x5").run()
    assert "kernel **5 × 5**" in shapes_text(page)
    page.selectbox(key="conv_padding").set_value("full").run()
    assert "feature map **258 × 258**" in shapes_text(page)
    page.slider(key="conv_dilation").set_value(2).run()
    assert "⌊(512 + 8 + 8 − 2·(5 − 1) − 1) / 2⌋ + 1 = 260" in formula(page)
    assert page.query_params["stride"] == "2" and page.query_params["kernel"] == "log_5x5"
    assert not page.exception


def test_rgb_mode_gives_three_channel_sums(page):
    page.selectbox(key="conv_sample").set_value("astronaut").run()
    page.radio(key="conv_color").set_value("RGB").run()
    assert "Input **512 × 512 × 3**" in shapes_text(page)
    channel_lines = [c.value for c in page.code if c.value.startswith("Channel")]
    assert len(channel_lines) == 3


@pytest.mark.parametrize(
    "key, value",
    [
        ("rgb_308", "-25"),
        ("patch_308", "308"),
        ("patch_308_flipped", "-151"),
        ("ng_6x6", "-5"),
        ("step_edge", "30"),
        ("binary_5x5", "3"),
    ],
)
def test_worked_examples_show_the_seed_number(page, key, value):
    page.selectbox(key="conv_example").set_value(key).run()
    assert page.metric[0].value == value
    assert any(
        s.value.startswith("The course's number here is") and "reproduced" in s.value for s in page.success
    )


def test_an_example_sets_the_controls_once_per_choice(page):
    page.selectbox(key="conv_example").set_value("patch_308").run()
    assert (
        page.selectbox(key="conv_padding").value == "explicit"
        and page.number_input(key="conv_pad").value == 1
    )
    example_shapes = shapes_text(page)
    page.slider(key="conv_stride").set_value(2).run()  # the student's change is kept ...
    assert page.slider(key="conv_stride").value == 2 and shapes_text(page) != example_shapes
    page.selectbox(key="conv_example").set_value("none").run()
    assert page.slider(key="conv_stride").value == 2  # ... with no example too
    page.selectbox(key="conv_example").set_value("patch_308").run()
    assert page.slider(key="conv_stride").value == 1  # choosing the example again restores it
    assert shapes_text(page) == example_shapes
    assert any(
        s.value.startswith("The course's number here is") and "reproduced" in s.value for s in page.success
    )


def test_clicked_position_and_sliders_move_the_window(page):
    page.selectbox(key="conv_example").set_value("ng_6x6").run()
    page.slider(key="conv_row").set_value(3).run()
    page.slider(key="conv_col").set_value(3).run()
    assert page.metric[0].value == "-16"


def test_display_modes_caption(page):
    page.selectbox(key="conv_display").set_value("clip").run()
    assert any("clipped to [0, 255]" in c.value for c in page.caption)
    page.selectbox(key="conv_display").set_value("abs").run()
    assert any(c.value.startswith("|x|") for c in page.caption)


def test_uploaded_photo_is_used_and_shared(page):
    from core.adapters import image_input

    arr = np.zeros((40, 60, 3), np.uint8)
    arr[:, 30:] = 255
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    page.session_state["shared_upload"] = image_input.upload_entry("edge.png", buf.getvalue())
    page.radio(key="conv_src").set_value("Your photo").run()
    assert any("Your photo: edge.png (60×40)" in c.value for c in page.caption)
    assert "Input **40 × 60**" in shapes_text(page)
    page.selectbox(key="conv_kernel").set_value("sobel_vertical").run()
    page.slider(key="conv_row").set_value(10).run()
    page.slider(key="conv_col").set_value(28).run()
    assert page.metric[0].value == "1020"  # 255 · (1 + 2 + 1) at the edge


def test_bad_settings_show_an_error_and_the_page_recovers(page):
    page.radio(key="conv_src").set_value("Synthetic").run()
    page.selectbox(key="conv_padding").set_value("explicit").run()
    page.number_input(key="conv_pad").set_value(15).run()
    page.selectbox(key="conv_pad_mode").set_value("reflect").run()
    assert not page.exception
    assert any("reflect" in e.value for e in page.error)
    page.selectbox(key="conv_pad_mode").set_value("edge").run()
    assert not page.error and "feature map **37 × 37**" in shapes_text(page)


def test_url_reproduces_a_view():
    at = open_page(
        "convolution",
        query={
            "stride": "3",
            "padding": "same",
            "kernel": "laplacian_4",
            "src": "Synthetic",
            "synthetic": "line_0",
            "display": "minmax",
        },
    )
    assert at.slider(key="conv_stride").value == 3
    assert at.selectbox(key="conv_kernel").value == "laplacian_4"
    assert "Input **9 × 9**" in shapes_text(at) and "feature map **3 × 3**" in shapes_text(at)


def test_lecture_mode_hides_advanced_controls(page):
    page.toggle(key="lecture_toggle").set_value(True).run()
    keys = {w.key for w in page.slider}
    assert "conv_stride" in keys and "conv_dilation" not in keys
    assert not page.exception


@pytest.mark.parametrize(
    "former, value", [("seed002_308", "308"), ("seed002_rgb", "-25"), ("seed003_6x6", "-5")]
)
def test_a_link_shared_with_a_former_example_key_still_opens_that_example(former, value):
    from core.data.convolution_examples import FORMER_EXAMPLE_KEYS

    at = open_page("convolution", query={"example": former})
    assert at.selectbox(key="conv_example").value == FORMER_EXAMPLE_KEYS[former]
    assert at.metric[0].value == value
    assert at.query_params["example"] == FORMER_EXAMPLE_KEYS[former]  # the link now says the new key


def test_example_from_the_url_in_lecture_mode_keeps_its_bias():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"example": "rgb_308"})
    at.run()
    at.toggle(key="lecture_toggle").set_value(True).run()
    at.switch_page("pages/convolution.py").run()
    assert at.toggle(key="lecture_toggle").value is True
    assert at.radio(key="conv_color").value == "RGB"
    assert at.metric[0].value == "-25"  # the example's bias of 1 still applies
    assert "conv_bias" not in {w.key for w in at.number_input}


@pytest.mark.parametrize(
    "key, value, block", [("diagonal_2x2_patterns", "2", 2), ("isolated_diagonal_2x2_patterns", "0", 0)]
)
def test_diagonal_shape_presets(page, key, value, block):
    """002_7b3b2c01a09ce879.txt L172-181: output column 3 reads the solid block."""
    page.selectbox(key="conv_example").set_value(key).run()
    assert page.metric[0].value == value == str(block)
    assert any("The course's number here is" in s.value and "reproduced" in s.value for s in page.success)
    page.slider(key="conv_col").set_value(0).run()  # the isolated '/' diagonal
    assert page.metric[0].value == "2"


def test_kernel_facts_are_stated_per_kernel(page):
    assert any(
        c.value.startswith("Sums to 0: a flat region gives 0") and "negates" in c.value for c in page.caption
    )
    page.selectbox(key="conv_kernel").set_value("box_blur").run()
    assert any(c.value.startswith("Sums to 1") and "same map" in c.value for c in page.caption)
    page.selectbox(key="conv_kernel").set_value("laplacian_4").run()
    assert any("4 × the centre minus the sum of its 4 neighbours" in m.value for m in page.markdown)


def test_symmetric_padding_is_scipys_symm():
    at = open_page(
        "convolution",
        query={
            "src": "Synthetic",
            "synthetic": "line_0",
            "padding": "same",
            "padmode": "symmetric",
            "kernel": "sobel_horizontal",
        },
    )
    assert at.selectbox(key="conv_pad_mode").value == "symmetric"
    scipy_signal = pytest.importorskip("scipy.signal")
    from core.data.images import line_image
    from core.maths.kernels import KERNELS

    expected = scipy_signal.correlate2d(
        line_image(0, 9), KERNELS["sobel_horizontal"].values, mode="same", boundary="symm"
    )
    assert at.metric[0].value == f"{expected[0, 0]:.6g}"


def test_one_dimensional_tab(page):
    """000_05cde12013bfe355.txt L471-476: np.convolve([0,1,2,3,4], [1,-1,2]) = [0 1 1 3 5 2 8]."""
    assert any("The course prints `[0 1 1 3 5 2 8]` — reproduced." == s.value for s in page.success)
    assert any(c.value.splitlines()[-1] == "y[6] = 4·2 = 8" for c in page.code)
    page.radio(key="conv1d_mode").set_value("valid").run()
    assert any("= `[1 3 5]`" in m.value for m in page.markdown)
    page.text_input(key="conv1d_w").set_value("1, nan").run()
    assert any("NaN" in e.value for e in page.error) and not page.exception


def test_volume_tab(page):
    """003 L106-115: 6×6×3 with two 3×3×3 kernels → 4×4×2; the cs231n demo (000 L635-656) → 3×3×2."""
    assert not any(
        "output **4 × 4 × 2**" in m.value for m in page.markdown
    )  # only the chosen example is built
    page.radio(key="conv_more").set_value("volume").run()
    assert any("output **4 × 4 × 2**" in m.value for m in page.markdown)
    sums = next(c.value for c in page.code if c.value.startswith("channel 0:"))
    assert sums.splitlines()[-1] == "-5 + 0 + 0 + bias 0 = -5"
    page.radio(key="conv_vol_f").set_value(1).run()
    assert next(c.value for c in page.code if c.value.startswith("channel 0:")).endswith("= -12")
    page.radio(key="conv_vol").set_value("cs231n").run()
    assert any("output **3 × 3 × 2**" in m.value for m in page.markdown)
    assert any("cannot be recomputed" in c.value for c in page.caption)


def test_gradient_and_xo_tabs(page):
    """000 L611-625 (Scharr |grad|) and L763-830 (score / 9, before and after ReLU)."""
    page.radio(key="conv_more").set_value("gradient").run()
    grad = next(c.value for c in page.caption if c.value.startswith("Largest |grad|"))
    assert "16·255 = 4080" in grad and "diagonal step gives 4,811" in grad and "16√2·255 ≈ 5,770" in grad
    page.radio(key="conv_grad_boundary").set_value("reflect").run()
    assert not page.exception
    page.radio(key="conv_more").set_value("xo").run()
    assert "xo" in str(page.query_params["more"])  # the choice is in the link
    xo = next(m.value for m in page.markdown if "sum of products" in m.value)
    assert "8 − 1 = 7" in xo and "7 / 9 = 0.7778" in xo and "**0.77**" in xo and "0.78" in xo
    assert any(c.value.startswith("20 of the 49 scores are negative") for c in page.caption)
