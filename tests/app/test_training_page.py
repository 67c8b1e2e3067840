"""AppTest of the "Training a CNN" page: the numbers shown, the shipped results, hostile links."""
import pytest

from tests.app.apptest import open_page

pytestmark = pytest.mark.slow


def texts(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_the_page_opens_on_the_seeds_numbers_and_the_shipped_grid(isolated_model_cache):
    at = open_page("training")
    assert [t.value for t in at.title] == ["Training a CNN"]
    assert "−ln 0.10 = 2.3026" in texts(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Loss before"] == "2.3026"
    assert float(metrics["Loss after one step"]) < 2.3026                # η = 0.01 by default: a real step
    step = at.table[1].value                                              # the gradient table
    hand, tape, finite = (step[c].astype(float) for c in ("dL/dW by hand, x·(p − t)", "tf.GradientTape",
                                                          "finite difference"))
    assert (abs(hand - tape) < 1e-6).all() and (abs(hand - finite) < 1e-6).all()
    assert hand.iloc[0] < 0 < hand.iloc[1]                                 # class 7 pushed up, class 0 down
    table = at.dataframe[0].value
    assert {"no regularisation", "dropout 0.5", "BN + augmentation"} <= set(table["configuration"])
    assert "Lowest validation loss at **epoch" in texts(at)
    assert "import keras" in at.code[0].value


def test_p7_and_the_learning_rate_change_the_numbers(isolated_model_cache):
    at = open_page("training")
    at.slider(key="train_p7").set_value(0.9).run()
    assert "−ln 0.90 = 0.1054" in texts(at)
    assert at.query_params["p7"] in ("0.9", ["0.9"])
    at.select_slider(key="train_lr").set_value(0.0001).run()
    small = float({m.label: m.value for m in at.metric}["Loss after one step"])
    assert 2.2 < small < 2.3026                                            # a tiny step barely helps


def test_a_hostile_link_falls_back_to_defaults(isolated_model_cache):
    at = open_page("training", query={"p7": "nan", "lr": "7", "seven": "-3", "compare": "<script>"})
    assert at.slider(key="train_p7").value == pytest.approx(0.1)
    assert at.select_slider(key="train_lr").value == 0.01
    assert at.number_input(key="train_seven").value == 0
    assert at.multiselect(key="train_compare_pick").value == ["no regularisation"]
    assert not at.error


def test_each_regulariser_shows_its_numbers_and_only_the_chosen_one_is_built(isolated_model_cache):
    at = open_page("training")
    assert "(*inverted* dropout)" in texts(at) and "BatchNormalization` on 16 channels" not in texts(at)
    at.select_slider(key="train_rate").set_value(0.75).run()
    assert "**1/(1 − 0.75) = 4**" in texts(at)                             # inverted dropout scaling
    at.radio(key="train_reg").set_value("bn").run()
    assert "BatchNormalization` on 16 channels: **64** numbers, 32 trainable" in texts(at)
    bn = at.table[-1].value
    assert (abs(bn["x̂ mean"].astype(float)) < 1e-3).all() and (abs(bn["x̂ std"].astype(float) - 1) < 1e-2).all()
    at.radio(key="train_reg").set_value("aug").run()
    assert "tan 0.3° = 0.0052" in texts(at) and not at.exception
    for key in ("spatial", "l2"):
        at.radio(key="train_reg").set_value(key).run()
        assert not at.exception
    assert at.query_params["reg"] in ("l2", ["l2"])
