"""Activation functions: the seed's formulas and conventions, derivatives against finite differences,
and (slow) values and gradients against TensorFlow's own ops."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.maths import activation_functions as act

INTRO_DL_NOTES = "Course notes, *Introduction to deep learning*"


def test_step_fires_at_zero_as_the_seed_defines_phi():
    # phi(v) = 1 if v >= 0, 0 if v < 0 (1.1.7)
    np.testing.assert_array_equal(act.step([-1.0, -1e-12, 0.0, 1e-12, 3.0]), [0, 0, 1, 1, 1])


def test_bipolar_sign_is_plus_one_at_zero_unlike_np_sign():
    # aktivacna_fn of the fruit program: 1 if x >= 0 else -1 (2.3.4)
    np.testing.assert_array_equal(act.bipolar_sign([-2.0, 0.0, 0.5]), [-1, 1, 1])
    assert np.sign(0.0) == 0  # the reason np.sign is not used


def test_piecewise_linear_as_printed_jumps_at_plus_minus_half():
    z = np.array([-1.0, -0.5, -0.49, 0.0, 0.25, 0.49, 0.5, 2.0])
    np.testing.assert_allclose(act.piecewise_linear_as_printed(z), [-1, -1, -0.49, 0, 0.25, 0.49, 1, 1])
    # the slip: just below 1/2 the value is about 1/2, at 1/2 it is 1
    jump = act.piecewise_linear_as_printed(0.5) - act.piecewise_linear_as_printed(0.5 - 1e-9)
    assert jump == pytest.approx(0.5, abs=1e-6)


def test_the_offered_piecewise_linear_is_the_continuous_max_minus1_min_1_z():
    z = np.array([-3.0, -1.0, -0.5, 0.0, 0.49, 0.5, 0.99, 1.0, 2.0])
    np.testing.assert_array_equal(act.piecewise_linear(z), np.maximum(-1, np.minimum(1, z)))
    assert act.piecewise_linear(0.5) == 0.5  # no jump at ±1/2
    assert act.piecewise_linear(1 + 1e-9) - act.piecewise_linear(1 - 1e-9) == pytest.approx(0, abs=1e-8)
    assert act.get_activation("piecewise_linear").output_range == "[−1, 1]"


def test_sigmoid_steepness_and_stability():
    assert act.sigmoid(0.0) == 0.5
    z = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(act.sigmoid(z, alpha=2.5), 1 / (1 + np.exp(-2.5 * z)), rtol=1e-12)
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # huge inputs
        np.testing.assert_allclose(act.sigmoid([-1000.0, 1000.0]), [0.0, 1.0])


def test_relu_leaky_relu_tanh_values():
    z = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(act.relu(z), [0, 0, 3])
    np.testing.assert_allclose(act.leaky_relu(z, epsilon=0.2), [-0.4, 0, 3])
    np.testing.assert_allclose(act.tanh(z), (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)))


def test_derivatives_at_kinks_follow_the_branch_convention():
    assert act.relu_derivative(0.0) == 0.0
    assert act.leaky_relu_derivative(0.0, epsilon=0.2) == 0.2
    assert act.step_derivative(0.0) == 0.0
    np.testing.assert_array_equal(
        act.piecewise_linear_derivative([-1.0, -0.5, 0.0, 0.5, 1.0]), [0, 1, 1, 1, 0]
    )


@settings(max_examples=30, deadline=None)
@given(
    name=st.sampled_from(sorted(act.ACTIVATIONS)),
    z=st.floats(-4, 4, allow_nan=False),
    alpha=st.floats(0.2, 5),
    epsilon=st.floats(0.01, 0.5),
)
def test_derivatives_match_central_finite_differences(name, z, alpha, epsilon):
    a = act.get_activation(name)
    params = (
        {"alpha": alpha} if "alpha" in a.params else {"epsilon": epsilon} if "epsilon" in a.params else {}
    )
    kinks = {
        "step": [0.0],
        "bipolar_sign": [0.0],
        "relu": [0.0],
        "leaky_relu": [0.0],
        "piecewise_linear": [-1.0, 1.0],
    }.get(name, [])
    h = 1e-5
    if any(abs(z - k) < 10 * h for k in kinks):
        z += 0.01  # keep the difference quotient away from a kink or jump
    numeric = (a.function(z + h, **params) - a.function(z - h, **params)) / (2 * h)
    assert a.derivative(z, **params) == pytest.approx(float(numeric), abs=1e-6, rel=1e-5)


def test_registry_entries_are_complete_and_cite_sources():
    assert set(act.ACTIVATIONS) == {
        "step",
        "bipolar_sign",
        "linear",
        "piecewise_linear",
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
    }
    for a in act.ACTIVATIONS.values():
        assert INTRO_DL_NOTES in a.source and a.formula and a.derivative_formula
        out = a.function(np.zeros((2, 3)), **a.params)
        assert out.shape == (2, 3) and out.dtype == np.float64


def test_errors_name_the_argument():
    with pytest.raises(ValueError, match="`name`"):
        act.get_activation("softsign")
    with pytest.raises(ValueError, match="`alpha`"):
        act.sigmoid(1.0, alpha=0)
    with pytest.raises(ValueError, match="`epsilon`"):
        act.leaky_relu(1.0, epsilon=1.5)
    with pytest.raises(ValueError, match="`epsilon`"):
        act.leaky_relu_derivative(1.0, epsilon=-0.1)
    with pytest.raises(TypeError, match="`z`"):
        act.relu("abc")


@pytest.mark.slow
def test_values_and_gradients_match_tensorflow():
    tf = pytest.importorskip("tensorflow")
    z = np.random.default_rng(0).uniform(-4, 4, size=64)
    z = z[np.abs(z) > 1e-3]
    cases = {
        "sigmoid": (lambda t: tf.nn.sigmoid(2.0 * t), {"alpha": 2.0}),
        "tanh": (tf.math.tanh, {}),
        "relu": (tf.nn.relu, {}),
        "leaky_relu": (lambda t: tf.nn.leaky_relu(t, alpha=0.2), {"epsilon": 0.2}),
    }
    for name, (op, params) in cases.items():
        t = tf.constant(z, dtype=tf.float64)
        with tf.GradientTape() as tape:
            tape.watch(t)
            y = op(t)
        a = act.get_activation(name)
        # rtol 1e-7: TensorFlow keeps leaky_relu's alpha as a float32 attribute (0.2 -> 0.200000003)
        np.testing.assert_allclose(a.function(z, **params), y.numpy(), rtol=1e-7, atol=1e-12, err_msg=name)
        np.testing.assert_allclose(
            a.derivative(z, **params), tape.gradient(y, t).numpy(), rtol=1e-7, atol=1e-12, err_msg=name
        )
