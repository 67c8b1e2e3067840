"""core.maths.losses, gradient_descent, dropout, batch_norm and early_stopping against Keras."""

import numpy as np
import pytest

from core.maths import batch_norm, dropout, early_stopping, gradient_descent, losses


def test_the_seeds_uniform_output_against_the_target_7_costs_2_3026():
    target = losses.one_hot(7)
    assert target.tolist() == [0, 0, 0, 0, 0, 0, 0, 1, 0, 0]
    loss = float(losses.cross_entropy(target, np.full(10, 0.1)))
    assert loss == pytest.approx(-np.log(0.1)) and round(loss, 4) == 2.3026


def test_the_loss_falls_as_p7_rises_and_the_mixup_stays_flat():
    t = losses.one_hot(7)
    values = [float(losses.cross_entropy(t, losses.probabilities_with(p))) for p in (0.1, 0.5, 0.9, 0.99)]
    assert values == sorted(values, reverse=True) and values[2] == pytest.approx(-np.log(0.9))
    mixed = [float(losses.softmax_twice_loss(t, losses.probabilities_with(p))) for p in (0.1, 0.99)]
    assert mixed[0] == pytest.approx(2.302585, abs=1e-6)  # uniform stays uniform
    assert 1.46 < mixed[1] < 1.5  # confident and right, yet ~1.46


@pytest.mark.parametrize("bad", [np.nan, 0.0, 1.0, 1.5])
def test_bad_probabilities_raise(bad):
    with pytest.raises(ValueError):
        losses.probabilities_with(bad)


def test_descent_converges_below_2_over_the_curvature_and_diverges_above():
    assert np.abs(gradient_descent.descend_bowl((-3, 2), 0.15, 60)[-1]).max() < 0.01
    assert np.abs(gradient_descent.descend_bowl((-3, 2), 0.205, 60)[-1, 1]) > 2
    assert (
        gradient_descent.descend_bowl((-3, 2), 0.02, 25)[-1, 0] < -1.5
    )  # crawls along the shallow direction


def test_early_stopping_epoch_on_a_turning_curve():
    assert early_stopping.early_stopping_epoch([1.0, 0.5, 0.4, 0.45, 0.5, 0.6, 0.3], patience=3) == {
        "best": 3,
        "stop": 6,
    }
    assert early_stopping.early_stopping_epoch([3, 2, 1], patience=2) == {"best": 3, "stop": 3}


@pytest.mark.slow  # imports TensorFlow
def test_softmax_and_cross_entropy_match_keras_losses():
    import keras

    rng = np.random.default_rng(0)
    logits = rng.normal(scale=3, size=(8, 10))
    labels = rng.integers(0, 10, 8)
    targets = np.eye(10)[labels]
    probs = losses.softmax(logits)
    np.testing.assert_allclose(probs, np.asarray(keras.ops.softmax(logits)), rtol=1e-6)
    expected = np.asarray(keras.losses.categorical_crossentropy(targets, probs))
    np.testing.assert_allclose(losses.cross_entropy(targets, probs), expected, rtol=1e-5)
    from_logits = np.asarray(keras.losses.categorical_crossentropy(targets, logits, from_logits=True))
    np.testing.assert_allclose(losses.cross_entropy_from_logits(targets, logits), from_logits, rtol=1e-5)
    seed = keras.losses.CategoricalCrossentropy()(losses.one_hot(7)[None], np.full((1, 10), 0.1))
    assert float(seed) == pytest.approx(2.302585, abs=1e-5)
    mixup = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(np.array([7]), probs[:1])
    assert float(mixup) == pytest.approx(
        float(losses.softmax_twice_loss(losses.one_hot(7), probs[0])), rel=1e-5
    )


@pytest.mark.slow
def test_the_gradient_matches_gradient_tape_and_finite_differences():
    from core.training.regularisation import tape_gradient

    rng = np.random.default_rng(1)
    x = rng.random(784)
    w, b = rng.normal(scale=0.05, size=(784, 10)), rng.normal(scale=0.1, size=10)
    checked = ((int(np.argmax(x)), 7), (3, 0), (500, 9))
    step = gradient_descent.one_gradient_step(x, 7, 0.01, checked=checked, weights=w, bias=b)
    tape = tape_gradient(x, 7, w, b)
    np.testing.assert_allclose(step["grad_w"], tape["grad_w"], atol=1e-10)
    np.testing.assert_allclose(step["grad_b"], tape["grad_b"], atol=1e-10)
    np.testing.assert_allclose(step["finite"], [step["grad_w"][i] for i in checked], atol=1e-7)
    assert step["loss_before"] == pytest.approx(tape["loss"], rel=1e-9)
    assert step["loss_after"] < step["loss_before"]
    zero = gradient_descent.one_gradient_step(x, 7, 0.01)
    assert zero["loss_before"] == pytest.approx(-np.log(0.1))
    np.testing.assert_allclose(zero["grad_w"][:, 7], -0.9 * x)  # the digit itself, times p - t


@pytest.mark.slow
@pytest.mark.parametrize("rate", [0.2, 0.5])
def test_dropout_train_and_inference_behaviour_and_scaling_match_keras(rate):
    import keras

    ones = np.ones((1, 20_000), np.float32)
    layer = keras.layers.Dropout(rate, seed=3)
    train = np.asarray(layer(ones, training=True))
    kept = np.unique(train[train > 0])
    np.testing.assert_allclose(kept, [1 / (1 - rate)], rtol=1e-6)
    mine = dropout.dropout(ones, rate, training=True, rng=np.random.default_rng(0))
    np.testing.assert_allclose(np.unique(mine[mine > 0]), kept, rtol=1e-6)
    assert abs(np.mean(train == 0) - rate) < 0.02 and abs(np.mean(mine == 0) - rate) < 0.02
    np.testing.assert_array_equal(np.asarray(layer(ones, training=False)), ones)
    np.testing.assert_array_equal(dropout.dropout(ones, rate, training=False), ones)


@pytest.mark.slow
def test_spatial_dropout_drops_whole_feature_maps_like_keras():
    import keras

    maps = np.ones((4, 6, 6, 32), np.float32)
    out = np.asarray(keras.layers.SpatialDropout2D(0.5, seed=1)(maps, training=True))
    mask = dropout.spatial_dropout_mask(maps.shape, 0.5, rng=np.random.default_rng(0))
    for values in (out, mask):
        per_map = values.reshape(4, 36, 32)
        assert np.all(per_map.min(axis=1) == per_map.max(axis=1))  # each map all kept or all dropped
        assert 0 < np.mean(per_map[:, 0, :] == 0) < 1


@pytest.mark.slow
def test_batch_norm_statistics_and_parameter_counts_match_keras():
    import keras

    x = (
        np.random.default_rng(2)
        .normal([120.0, 30.0, -5.0], [60.0, 10.0, 2.0], size=(64, 3))
        .astype(np.float32)
    )
    layer = keras.layers.BatchNormalization()
    gamma, beta = np.array([1.5, 0.5, 2.0]), np.array([0.1, -1.0, 0.0])
    layer.build(x.shape)
    layer.gamma.assign(gamma)
    layer.beta.assign(beta)
    keras_out = np.asarray(layer(x, training=True))
    mine = batch_norm.batch_norm_train(x, gamma, beta)
    np.testing.assert_allclose(mine["output"], keras_out, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(mine["normalized"].mean(0), 0, atol=1e-9)
    np.testing.assert_allclose(mine["normalized"].std(0), 1, atol=1e-3)  # ε = 0.001 vs σ² ≥ 4
    np.testing.assert_allclose(
        np.asarray(layer.moving_mean), batch_norm.moving_average(0.0, mine["mean"]), rtol=1e-4
    )
    assert (layer.momentum, layer.epsilon) == (batch_norm.BN_MOMENTUM, batch_norm.BN_EPSILON) == (0.99, 0.001)
    bn16 = keras.layers.BatchNormalization()
    bn16.build((None, 26, 26, 16))
    counts = batch_norm.batch_norm_parameters(16)
    assert bn16.count_params() == counts["total"] == 64
    assert sum(int(np.prod(w.shape)) for w in bn16.trainable_weights) == counts["trainable"] == 32


def test_a_softmax_score_is_never_printed_as_100_percent():
    assert losses.score_text(0.99951) == "> 99.9%" and losses.score_text(1.0) == "> 99.9%"
    assert losses.score_text(0.99949) == "99.9%" and losses.score_text(0.873) == "87.3%"
    assert losses.score_text(0.0004) == "< 0.1%" and losses.score_text(0.0) == "0.0%"
    with pytest.raises(ValueError, match="softmax score"):
        losses.score_text(1.5)
