"""Hand-edited links: values outside a widget's range are clamped or ignored, never an exception."""

import pytest

from tests.app.apptest import open_page


def test_convolution_clamps_out_of_range_numbers():
    at = open_page(
        "convolution",
        query={
            "stride": "2147483648",
            "dilation": "-1",
            "pad": "999",
            "padding": "explicit",
            "padmode": "sideways",
        },
    )
    assert at.slider(key="conv_stride").value == 8
    assert at.slider(key="conv_dilation").value == 1
    assert at.number_input(key="conv_pad").value == 20
    assert at.selectbox(key="conv_pad_mode").value == "constant"  # unknown choice: the default


@pytest.mark.slow
def test_model_pages_ignore_or_clamp_bad_values():
    gan = open_page("gan", query={"seed": "-5"})
    assert gan.number_input(key="gan_seed").value == 0
    cnn = open_page("cnn_activations", query={"digit": "42", "index": "99999"})
    assert cnn.selectbox(key="act_class").value == 7  # not a digit: the default
    index = cnn.number_input(key="act_index")
    assert index.value == index.proto.max > 0  # the last example of that digit
    ae = open_page("autoencoder", query={"x": "nan", "y": "1e308"})
    y = ae.slider(key="ae_y")
    assert y.value == y.max  # clamped to the plane's edge
    assert ae.slider(key="ae_x").min <= ae.slider(key="ae_x").value <= ae.slider(key="ae_x").max
