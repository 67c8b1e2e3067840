"""The Deep features page's gradient section in AppTest: a VGG16 unit's effective receptive field on a
sample photo (the real HED network)."""

import pytest

from tests.app.apptest import open_page

pytestmark = pytest.mark.slow  # imports TensorFlow and runs VGG16


def test_effective_field_of_a_block5_unit_is_smaller_than_its_theoretical_field():
    at = open_page(
        "deep_features",
        query={"src": "Sample photo", "sample": "rocket", "size": 224, "layer": "block5_conv3"},
    )
    assert not at.exception and not at.error
    assert not at.session_state["dfe_erf"]  # off until asked: nothing heavy on load
    at.toggle(key="dfe_erf").set_value(True).run()
    assert not at.exception and not at.error
    assert at.query_params["erf"] in ("true", ["true"], "1", ["1"], "True", ["True"])
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Theoretical field"] == "196 px"
    this = int(metrics["Effective field, this unit"].split()[0])
    mean_label = next(label for label in metrics if label.startswith("Effective field, mean of"))
    assert mean_label == "Effective field, mean of 4 units"
    mean = int(metrics[mean_label].split()[0])
    assert 0 < this < 196 and 0 < mean < 196
    text = "\n".join(m.value for m in at.markdown)
    assert "exactly 0 outside the **red box**" in text and "holds 90%" in text
    timing = next(c.value for c in at.caption if c.value.startswith("Mean of 4 units"))
    assert "First computation: this unit **" in timing and "shared cache" in timing

    at.number_input(key="dfe_row").set_value(0).run()  # another unit: a new gradient
    at.number_input(key="dfe_col").set_value(0).run()
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Theoretical field" in labels or any("ReLU is off" in i.value for i in at.info)


def test_feature_visualisations_of_the_layer_are_shown_with_their_regularisation():
    at = open_page(
        "deep_features",
        query={"src": "Sample photo", "sample": "rocket", "size": 224, "layer": "block1_conv2"},
    )
    assert not at.exception and not at.error
    text = "\n".join(m.value for m in at.markdown)
    assert "steps of gradient ascent** on the map's mean activation" in text
    assert "up to **8 px** at random (*jitter*)" in text and "σ = **0.5 px**" in text
    assert (
        "Shipped for block1_conv2: maps 0, 1, 2, 3, 4, 5, 6, 7, and the 4 maps with the highest mean on the "
        "Rocket sample photo: 2, 4, 27, 52."
    ) in text
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Time of each ascent on 2 CPU cores: map 0 ") for c in captions)
    assert any(c.startswith("*No climb*") for c in captions)  # map 4 of block1_conv2 does not climb
