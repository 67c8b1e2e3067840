"""core.maths.residual: the identity block with numbers; backprop checked against TensorFlow's
GradientTape."""

import numpy as np
import pytest

from core.maths.residual import first_layer_gradients, residual_block, stack_gradient

tf = pytest.importorskip("tensorflow")


def test_zero_block_is_the_identity_for_nonnegative_inputs():
    """003_de28f4f738ce9072.txt L225-239: W = 0, b = 0, ReLU → a[l+2] = ReLU(a[l]) = a[l] for a[l] ≥ 0."""
    z = np.zeros((4, 4))
    block = residual_block([1.5, 0, 2, 0.25], z, np.zeros(4), z, np.zeros(4))
    np.testing.assert_array_equal(block.z2, 0)
    np.testing.assert_array_equal(block.a2, [1.5, 0, 2, 0.25])
    np.testing.assert_array_equal(block.plain, 0)  # without the skip the block outputs 0
    np.testing.assert_array_equal(
        residual_block([-1.0, 3.0], z[:2, :2], [0, 0], z[:2, :2], [0, 0]).a2, [0, 3]
    )


def test_block_with_weights_written_out():
    w = np.full((2, 2), 0.5)
    b = residual_block([1.0, 2.0], w, [0.5, 0.5], w, [0.5, 0.5])
    np.testing.assert_allclose(b.a1, [2, 2])  # 0.5·1 + 0.5·2 + 0.5
    np.testing.assert_allclose(b.z2, [2.5, 2.5])  # 0.5·2 + 0.5·2 + 0.5
    np.testing.assert_allclose(b.a2, [3.5, 4.5])  # ReLU(z2 + a[l])


def _tf_gradient(x, weights, residual):
    ws = [tf.Variable(w) for w in weights]
    with tf.GradientTape() as tape:
        a = tf.constant(x)
        i = 0
        while i < len(ws):
            if residual:
                a = tf.nn.relu(tf.nn.relu(a @ ws[i]) @ ws[i + 1] + a)
                i += 2
            else:
                a = tf.nn.relu(a @ ws[i])
                i += 1
        loss = 0.5 * tf.reduce_sum(a * a) / x.shape[0]
    return tape.gradient(loss, ws[0]).numpy()


@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("depth", [2, 6])
def test_backprop_matches_gradient_tape(residual, depth):
    rng = np.random.default_rng(depth)
    x = rng.standard_normal((8, 5))
    weights = [rng.standard_normal((5, 5)) * 0.6 for _ in range(depth)]
    np.testing.assert_allclose(
        stack_gradient(x, weights, residual=residual),
        _tf_gradient(x, weights, residual),
        rtol=1e-6,
        atol=1e-10,
    )


def test_plain_gradients_vanish_residual_ones_do_not():
    g = first_layer_gradients()
    assert g.depths == (2, 4, 8, 16, 32, 48)
    assert g.plain[-1] < 1e-30 < 0.1 < g.residual[-1] < 10  # default weight scale 0.5
    assert all(a > b for a, b in zip(g.plain, g.plain[1:], strict=False))
    he = first_layer_gradients(weight_scale=1.4)
    assert he.plain[-1] > 1e-3 and he.residual[-1] > 1e6  # He init: plain survives, residual explodes


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: residual_block([1, 2], np.zeros((3, 3)), [0, 0], np.zeros((2, 2)), [0, 0]), "`w1`"),
        (lambda: residual_block([np.nan], [[0]], [0], [[0]], [0]), "finite"),
        (lambda: stack_gradient(np.zeros((2, 2)), [np.eye(2)] * 3, residual=True), "even"),
        (lambda: first_layer_gradients((3,)), "even"),
    ],
)
def test_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()
