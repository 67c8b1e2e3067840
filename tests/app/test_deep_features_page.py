"""The Deep features page in AppTest: the real VGG16 / HED on a sample photo; pick a layer, a map, a unit."""

import pytest

from tests.app.apptest import open_page

pytestmark = pytest.mark.slow  # imports TensorFlow and runs VGG16


def field_caption(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Unit ("))


def test_page_shows_every_layer_and_a_units_receptive_field():
    at = open_page("deep_features", query={"src": "Sample photo", "sample": "rocket", "size": 224})
    assert at.title[0].value.startswith("Deep features")
    assert not at.error
    caption = at.caption[0].value
    assert (
        "224 × 149 pixels" in caption and "13 layers" in caption
    )  # rocket 640 x 427 -> 224 x 149 (427 * 0.35 = 149.45)
    table = at.dataframe[0].value
    assert list(table["layer"])[-1] == "block5_conv3" and table["parameters"].sum() == 14_714_688
    assert list(table["feature maps (h × w × C)"])[:2] == ["149 × 224 × 64"] * 2
    assert list(table["feature maps (h × w × C)"])[-1] == "10 × 14 × 512"
    assert table["receptive field (px)"].tolist()[-1] == 196
    assert any("**14,714,688**" in c.value and "**1,483**" in c.value for c in at.caption)
    text = "\n".join(m.value for m in at.markdown)
    assert "Each block's **feature maps**" in text and "then 512 again" in text
    assert "HED's preprocessing subtracts" in text and "B 103.939, G 116.779, R 123.68" in text
    assert "300 training and validation photos" in text and "augmented 32 ×" in text  # Xie & Tu 2015, §4
    assert any(c.value.startswith("Colour key of panels 4a–4c") and "±128" in c.value for c in at.caption)
    filters = next(c.value for c in at.caption if c.value.startswith("Left of each pair"))
    # r >= 0.8 names a match (random 3 x 3 kernels: 5 %); 19 of 64 filters are colour-opponent
    assert "(**23 of 64**)" in filters and "get that close 5% of the time" in filters
    assert "**19 filters are colour-opponent**" in filters and "the other 22 resemble none" in filters
    assert "many first-layer filters resemble oriented edge detectors; others are colour-opponent" in filters

    at.selectbox(key="dfe_layer").set_value("block5_conv3").run()
    assert not at.exception
    strongest = at.session_state["dfe_map"]
    options = at.selectbox(key="dfe_map").options
    assert len(options) == 512 and options[0].startswith(f"map {strongest} · rank 1")
    assert "196 px" in field_caption(at) and "16 px apart" in field_caption(at)
    # the rule that gives the table counts the poolings (Araujo et al. 2019); the drawn field is the
    # theoretical one
    assert "1 × for a 2 × 2 pooling" in field_caption(at) and "*effective* receptive field" in field_caption(
        at
    )

    second = int(options[1].split()[1])
    at.selectbox(key="dfe_map").set_value(second).run()
    at.number_input(key="dfe_row").set_value(5).run()
    at.number_input(key="dfe_col").set_value(7).run()
    assert not at.exception
    text = field_caption(at)
    # unit (5, 7) of block5_conv3: centre 7.5 + 16 * (5, 7), +-97.5, clipped to the 149 x 224 photo
    assert text.startswith(f"Unit (5, 7) of map {second}")
    assert "rows 0–148 and columns 22–217" in text and "zero padding" in text
    assert at.query_params["layer"] in ("block5_conv3", ["block5_conv3"])

    at.selectbox(key="dfe_layer").set_value("block1_conv1").run()
    text = field_caption(at)
    assert "3 px" in text and "1 px apart" in text
    row, col = at.session_state["dfe_row"], at.session_state["dfe_col"]
    assert f"rows {max(row - 1, 0)}–{min(row + 1, 148)}" in text and f"columns {max(col - 1, 0)}–" in text


def test_lecture_mode_and_another_size():
    at = open_page(
        "deep_features", query={"src": "Sample photo", "sample": "coins", "size": 320, "lecture": 1}
    )
    assert not at.error
    assert "320 × " in at.caption[0].value
    assert any(
        "**block3_conv3**: 256 feature maps" in m.value and "16 strongest" in m.value for m in at.markdown
    )
