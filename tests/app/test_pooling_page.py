"""AppTest of the Pooling page: the seeds' matrices, the controls, image mode, translation, Keras check."""

import json

import pytest

from tests.app.apptest import open_page, page_fixture

page = page_fixture("pooling")


def metric(at, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def expression(at) -> str:
    return next(c.value for c in at.code if c.value.startswith("output ("))


def shapes_text(at) -> str:
    return next(m.value for m in at.markdown if "** → **" in m.value)


def test_default_is_ngs_max_pool_with_keras_check(page):
    assert metric(page, "Output size") == "2 × 2"
    assert expression(page) == "output (0, 0) = max(1, 3, 2, 9) = 9"
    assert any("[[9, 2], [6, 3]] — reproduced" in s.value for s in page.success)
    # "Pooling has no parameters", from a real keras.layers.MaxPooling2D
    assert metric(page, "MaxPooling2D.count_params()") == "0"
    assert metric(page, "Keras gives the same numbers") == "yes"
    assert any("strides used: (2, 2)" in c.value for c in page.code)


def test_output_cells_link_to_their_windows(page):
    page.slider(key="pool_row").set_value(1).run()
    page.slider(key="pool_col").set_value(1).run()
    assert expression(page) == "output (1, 1) = max(2, 3, 1, 2) = 3"


@pytest.mark.parametrize(
    "preset, size, cell, value",
    [
        ("ng_avg", "2 × 2", (1, 0), "(1 + 4 + 5 + 6) / 4 = 4"),
        ("ng_max_3x3", "3 × 3", (2, 0), "= 8"),
        ("xo_map", "4 × 4", (3, 3), "max(0.77) = 0.77"),
    ],
)
def test_seed_presets_are_reproduced(page, preset, size, cell, value):
    page.selectbox(key="pool_preset").set_value(preset).run()
    assert metric(page, "Output size") == size
    assert any("reproduced" in s.value for s in page.success)
    page.slider(key="pool_row").set_value(cell[0]).run()
    page.slider(key="pool_col").set_value(cell[1]).run()
    assert expression(page).endswith(value)
    assert metric(page, "Keras gives the same numbers") == "yes"


def test_stride_follows_pool_size_and_same_padding(page):
    page.select_slider(key="pool_size").set_value(3).run()
    assert page.session_state["pool_stride"] == 3  # Keras: strides default to pool_size
    assert metric(page, "Output size") == "1 × 1"
    page.radio(key="pool_padding").set_value("same").run()
    assert metric(page, "Output size") == "2 × 2"  # ceil(4 / 3)
    assert metric(page, "Keras gives the same numbers") == "yes"
    assert page.query_params["size"] == "3" and page.query_params["padding"] == "same"


def test_average_pooling_and_a_pool_too_large(page):
    page.radio(key="pool_kind").set_value("average").run()
    assert expression(page) == "output (0, 0) = (1 + 3 + 2 + 9) / 4 = 3.75"
    assert metric(page, "AveragePooling2D.count_params()") == "0"
    page.select_slider(key="pool_size").set_value(5).run()
    assert page.error and "larger than the input" in page.error[0].value
    assert not page.exception


def test_image_mode_sizes(page):
    page.radio(key="pool_mode").set_value("image").run()
    assert "**512 × 512 × 3** → **256 × 256 × 3**: 25% of the values" in shapes_text(page)
    page.slider(key="pool_repeat").set_value(2).run()
    assert "→ **128 × 128 × 3**" in shapes_text(page)
    page.toggle(key="pool_stage").set_value(True).run()  # conv ("same") → ReLU → pool, grey
    assert "**512 × 512** → **128 × 128**" in shapes_text(page)
    assert not page.exception


def test_translation_mode(page):
    page.radio(key="pool_mode").set_value("shift").run()
    conv = float(metric(page, "Conv map changes by").rstrip("%"))
    pooled = float(metric(page, "Pooled map changes by").rstrip("%"))
    assert 0 < pooled < conv
    page.slider(key="pool_dx").set_value(0).run()
    assert metric(page, "Conv map changes by") == "0%" and metric(page, "Pooled map changes by") == "0%"
    assert not page.exception


def test_url_reproduces_the_view():
    at = open_page("pooling", query={"preset": "ng_max_3x3", "mode": "numbers"})
    assert metric(at, "Output size") == "3 × 3"
    assert at.session_state["pool_stride"] == 1


def test_l2_norm_pooling_preset_and_the_three_kinds(page):
    """000_05cde12013bfe355.txt L694-696: max, mean or L2-norm pooling; on Ng's matrix √95 = 9.747 ..."""
    page.selectbox(key="pool_preset").set_value("ng_l2").run()
    assert page.radio(key="pool_kind").value == "l2"
    assert expression(page) == "output (0, 0) = √(1² + 3² + 2² + 9²) = √95 = 9.747"
    assert any("reproduced" in s.value for s in page.success)
    assert metric(page, "Keras gives the same numbers") == "yes"  # √(4 · AveragePooling2D(x²))
    table = page.dataframe[-1].value
    assert list(table["Pooling"]) == ["Max", "Average", "L2-norm"]
    assert list(table["Result"]) == [
        "[[9, 2], [6, 3]]",
        "[[3.75, 1.25], [3.75, 2]]",
        "[[9.747, 2.646], [8.426, 4.243]]",
    ]
    page.slider(key="pool_row").set_value(1).run()
    assert expression(page).endswith("= √71 = 8.426")


def test_l2_pooling_on_an_image(page):
    page.radio(key="pool_kind").set_value("l2").run()
    page.radio(key="pool_mode").set_value("image").run()
    assert not page.exception
    assert any("→ **256 × 256 × 3**: 25% of the values are left" in m.value for m in page.markdown)
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in page.get("plotly_chart")]
    assert any(t.startswith("After L2-norm pooling: 256 × 256 × 3") for t in titles)


def test_lecture_mode_puts_the_canvas_grid_in_a_closed_expander(page):
    """Streamlit draws the data editor on a canvas at 14 px: on the projector it waits in "Edit the
    values", and the matrix figure (20 px numbers) shows the same values; editing still works there."""
    from core.adapters import lecture_mode

    assert not any(e.label == "Edit the values" for e in page.expander)
    page.toggle(key=lecture_mode.LECTURE_TOGGLE_KEY).set_value(True).run()
    (box,) = [e for e in page.expander if e.label == "Edit the values"]
    assert box.proto.expanded is False and [d.key for d in box.dataframe] == ["pool_matrix_ng_max"]
    assert expression(page) == "output (0, 0) = max(1, 3, 2, 9) = 9"  # same matrix, same result
