"""AppTest of the "Training a CNN" page: the numbers shown, the shipped results, hostile links."""

import json

import pytest

from tests.app.apptest import open_page

pytestmark = pytest.mark.slow


def texts(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_the_page_opens_on_the_seeds_numbers_and_the_shipped_grid(isolated_model_cache):
    at = open_page("training")
    assert [t.value for t in at.title] == ["Training a CNN"]
    assert "−ln 0.10 = 2.3026" in texts(at)
    # random initialisation: about 0.1 each and a loss of about 2.3; exactly 0.1 only with zero weights
    assert (
        "**≈ 0.1**" in texts(at) and "**≈ 2.3**" in texts(at) and "only when the weights are 0" in texts(at)
    )
    surface = next(c.value for c in at.caption if c.value.startswith("L(w) = ½(w₁² + 10·w₂²)"))
    assert "w₁ goes −3 → −1.81 in 25 steps" in surface and "40% of the way" in surface  # (1 − 0.02)^25 = 0.60
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Loss before"] == "2.3026"
    assert float(metrics["Loss after one step"]) < 2.3026  # η = 0.01 by default: a real step
    step = at.table[1].value  # the gradient table
    hand, tape, finite = (
        step[c].astype(float) for c in ("dL/dW by hand, x·(p − t)", "tf.GradientTape", "finite difference")
    )
    assert (abs(hand - tape) < 1e-6).all() and (abs(hand - finite) < 1e-6).all()
    assert hand.iloc[0] < 0 < hand.iloc[1]  # class 7 pushed up, class 0 down
    table = at.dataframe[0].value
    assert {"no regularisation", "dropout 0.5", "BN + augmentation"} <= set(table["configuration"])
    assert "above its minimum" in texts(at) and "next 1,000 training images" in texts(at)
    assert "keeps falls" not in texts(at)  # "keeps falling"
    assert "import keras" in at.code[0].value


def test_p7_and_the_learning_rate_change_the_numbers(isolated_model_cache):
    at = open_page("training")
    at.slider(key="train_p7").set_value(0.9).run()
    assert "−ln 0.90 = 0.1054" in texts(at)
    assert at.query_params["p7"] in ("0.9", ["0.9"])
    at.select_slider(key="train_lr").set_value(0.0001).run()
    small = float({m.label: m.value for m in at.metric}["Loss after one step"])
    assert 2.2 < small < 2.3026  # a tiny step barely helps


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
    assert "**1/(1 − 0.75) = 4**" in texts(at)  # inverted dropout scaling
    at.radio(key="train_reg").set_value("bn").run()
    assert "BatchNormalization` on 16 channels: **64** numbers, 32 trainable" in texts(at)
    bn = at.table[-1].value
    assert (abs(bn["x̂ mean"].astype(float)) < 1e-3).all() and (
        abs(bn["x̂ std"].astype(float) - 1) < 1e-2
    ).all()
    legend = [t.get("name") for c in at.get("plotly_chart") for t in json.loads(c.proto.spec)["data"]]
    assert "before, ÷ 60 (channel 0, drawn from N(120, 60²))" in legend  # what is plotted, not "0-255"
    at.radio(key="train_reg").set_value("aug").run()
    assert "tan 0.3° = 0.0052" in texts(at) and not at.exception
    for key in ("spatial", "l2"):
        at.radio(key="train_reg").set_value(key).run()
        assert not at.exception
    l2 = texts(at)
    assert (
        "2ηλw" in l2 and "with Adam an L2 penalty is not weight decay" in l2 and "AdamW" in l2
    )  # Loshchilov & Hutter
    assert at.query_params["reg"] in ("l2", ["l2"])


def test_the_overfitting_early_stopping_and_table_numbers_come_from_the_shipped_runs(isolated_model_cache):
    import numpy as np

    from core.maths import run_summary as summary
    from core.models.regularisation import default_grid
    from core.training import regularisation as reg

    results = reg.load_results([reg.SHIPPED_RESULTS_DIR])
    base = next(r for r in results if r["key"] == default_grid()["no regularisation"].key)  # the named seed
    o = summary.overfitting_summary(base)
    at = open_page("training")
    text = texts(at)
    assert f"**{o['min_val_ce']:.3f} at epoch {o['best_epoch']}**" in text
    assert f"**{o['last_val_ce']:.3f}** by epoch {o['epochs']}, **{o['rise']:.0%} above its minimum**" in text
    assert "1,000 test images take no part in any choice" in text
    stopping = next(t.value for t in at.table if "criterion" in t.value.columns)
    assert list(stopping["criterion"]) == [
        "patience 2",
        "patience 5",
        "patience 10",
        "no early stopping (60 epochs)",
    ]
    runs = [r for r in results if r["group_key"] == base["group_key"]]
    kept = [r["history"]["val_accuracy"][-1] for r in runs]
    assert (
        stopping["val accuracy"].iloc[-1]
        == f"{100 * np.mean(kept):.1f} % ({100 * min(kept):.1f}–{100 * max(kept):.1f})"
    )
    table = at.dataframe[0].value
    row = table[table["configuration"] == "no regularisation"].iloc[0]
    accs = [r["metrics"]["test_accuracy"] for r in runs]
    assert row["seeds"] == "0, 1, 2" and row["L2 penalty"] == "—"
    assert row["test acc"] == f"{100 * np.mean(accs):.1f} % ({100 * min(accs):.1f}–{100 * max(accs):.1f})"
    verdict = summary.compare_groups(summary.group_runs(results), "no regularisation")
    sentence = next(m for m in text.split("\n") if "counts as real only" in m)
    for name in verdict["higher"] + verdict["lower"] + verdict["overlapping"]:
        assert name in sentence
