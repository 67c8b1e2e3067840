"""Where a trained classifier looks: gradients of its class scores with respect to the input.

Three views of one gradient computation on a Keras image classifier with a ``"logits"`` layer
(the course's MNIST CNN: the last Dense layer before its separate softmax):

* **saliency** (Simonyan et al. 2014): ``∂ z_c / ∂ x``, the gradient of the class score ``z_c``
  (the *logit*, before the softmax) with respect to every input pixel, shown as ``max_channels |·|``;
  **SmoothGrad** (Smilkov et al. 2017): the mean of ``|∂ z_c / ∂ x|`` over noisy copies of ``x``;
* **Grad-CAM** (Selvaraju et al. 2017) on the last convolution layer: channel weights
  ``α_k = mean_ij ∂ z_c / ∂ A_k[i, j]``, the map ``ReLU(Σ_k α_k A_k)``, upsampled over the input;
* **FGSM** (Goodfellow et al. 2015): ``x' = clip(x + ε · sign(∇_x J(x, y)), 0, 1)`` with ``J`` the
  cross-entropy of label ``y``.

The gradients are traced once per model into TensorFlow graphs (:func:`gradient_model`); every
computation holds the model's lock (a shared model: see :mod:`core.models.bundles`). Importing this
module imports NumPy only; Keras and TensorFlow come with :func:`gradient_model`.

References
----------
Simonyan, Vedaldi, Zisserman (2014), *Deep inside convolutional networks: visualising image
classification models and saliency maps*, ICLR workshop, arXiv:1312.6034.
Smilkov, Thorat, Kim, Viégas, Wattenberg (2017), *SmoothGrad: removing noise by adding noise*,
arXiv:1706.03825 (noise level 10–20 % of the input's range, 50 samples).
Selvaraju, Cogswell, Das, Vedantam, Parikh, Batra (2017), *Grad-CAM: visual explanations from deep
networks via gradient-based localization*, ICCV, eqs. 1–2.
Goodfellow, Shlens, Szegedy (2015), *Explaining and harnessing adversarial examples*, ICLR, eq. 3.
tf-keras-vis 0.8.7 (``Saliency``, ``Gradcam``): the reference implementation the tests compare with.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

#: The ε grid of :func:`fgsm_sweep`: 0.01, 0.02, ..., 0.30 (pixel values in [0, 1]).
EPSILON_GRID = np.round(np.arange(1, 31) * 0.01, 2)
#: SmoothGrad's defaults (Smilkov et al. 2017 §3: 10–20 % noise, 50 samples).
SMOOTHGRAD_NOISE = 0.2
SMOOTHGRAD_SAMPLES = 50
#: At most this many noisy copies (one batch).
MAX_SMOOTHGRAD_SAMPLES = 256


@dataclass(eq=False)
class GradientModel:
    """A classifier's gradients, each traced once into a TensorFlow graph.

    Attributes
    ----------
    model : keras.Model
        The classifier ``x -> (feature maps of conv_layer, logits)``; shares the weights of the model
        it was built from.
    conv_layer : str
        The last convolution layer (Grad-CAM's layer).
    input_shape : tuple (H, W, C)
    n_classes : int
    dtype : str
        The input's float type (``"float32"`` for the course's CNN); inputs are cast to it.
    lock : threading.Lock
        Held by every computation (the lock of the shared bundle when built from one).
    """

    model: object
    conv_layer: str
    input_shape: tuple
    n_classes: int
    dtype: str = "float32"
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    score_gradient: Callable | None = field(default=None, repr=False)
    cam_gradient: Callable | None = field(default=None, repr=False)
    loss_gradient: Callable | None = field(default=None, repr=False)
    logits: Callable | None = field(default=None, repr=False)


def last_conv_layer(model) -> str:
    """Name of the last convolution layer of ``model`` (in layer order).

    Raises
    ------
    ValueError
        If the model has no convolution layer.
    """
    from core.models.inspection import CONV_TYPES

    names = [layer.name for layer in model.layers if type(layer).__name__ in CONV_TYPES]
    if not names:
        raise ValueError(
            f"model {model.name!r} has no convolution layer: Grad-CAM needs one ({', '.join(CONV_TYPES)})"
        )
    return names[-1]


def gradient_model(
    model, *, logits_layer: str = "logits", conv_layer: str | None = None, lock: threading.Lock | None = None
) -> GradientModel:
    """Trace the gradients of ``model``'s class scores once, for float batches of its input shape.

    Parameters
    ----------
    model : keras.Model
        A functional image classifier with input ``(None, H, W, C)`` and a layer ``logits_layer``
        whose output ``(None, K)`` are the class scores before the softmax.
    logits_layer : str
        The layer giving the logits (``"logits"`` in the course's CNN).
    conv_layer : str, optional
        Grad-CAM's layer; default :func:`last_conv_layer`.
    lock : threading.Lock, optional
        The lock of the shared model (``ModelBundle.lock``); a new one by default.

    Returns
    -------
    GradientModel

    Raises
    ------
    ValueError
        If ``model`` has no layer ``logits_layer``, no convolution, or an input that is not an image.
    """
    import keras
    import tensorflow as tf

    names = {layer.name for layer in model.layers}
    if logits_layer not in names:
        raise ValueError(
            f"model {model.name!r} has no layer {logits_layer!r}: pass logits_layer= the name of "
            "the layer that gives the class scores before the softmax"
        )
    conv_layer = conv_layer or last_conv_layer(model)
    shape = tuple(model.inputs[0].shape[1:])
    if len(shape) != 3 or None in shape:
        raise ValueError(f"the model's input must be (H, W, C) images of a fixed size, got {shape}")
    sub = keras.Model(
        model.inputs,
        [model.get_layer(conv_layer).output, model.get_layer(logits_layer).output],
        name=f"{model.name}_gradients",
    )
    n_classes = int(sub.outputs[1].shape[-1])
    spec = tf.TensorSpec((None, *shape), model.inputs[0].dtype)
    label = tf.TensorSpec((), tf.int32)

    @tf.function(input_signature=[spec, label])
    def score_gradient(x, target):  # per-sample ∂z_c/∂x: the samples of a batch are independent
        with tf.GradientTape() as tape:
            tape.watch(x)
            _, z = sub(x, training=False)
            score = tf.reduce_sum(z[:, target])
        return z, tape.gradient(score, x)

    @tf.function(input_signature=[spec, label])
    def cam_gradient(x, target):  # A and ∂z_c/∂A
        with tf.GradientTape() as tape:
            a, z = sub(x, training=False)
            tape.watch(a)
            score = tf.reduce_sum(z[:, target])
        return a, tape.gradient(score, a), z

    @tf.function(input_signature=[spec, tf.TensorSpec((None,), tf.int32)])
    def loss_gradient(x, labels):  # ∇_x J(x, y), J the cross-entropy of the softmax of z
        with tf.GradientTape() as tape:
            tape.watch(x)
            _, z = sub(x, training=False)
            loss = tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, z))
        return z, tape.gradient(loss, x)

    @tf.function(input_signature=[spec])
    def logits(x):
        return sub(x, training=False)[1]

    gm = GradientModel(
        model=sub,
        conv_layer=conv_layer,
        input_shape=shape,
        n_classes=n_classes,
        dtype=spec.dtype.name,
        lock=lock or threading.Lock(),
        score_gradient=score_gradient,
        cam_gradient=cam_gradient,
        loss_gradient=loss_gradient,
        logits=logits,
    )
    zeros = np.zeros((1, *shape), spec.dtype.name)  # trace each graph once, here
    with gm.lock:
        (
            score_gradient(zeros, 0),
            cam_gradient(zeros, 0),
            loss_gradient(zeros, np.zeros(1, np.int32)),
            logits(zeros),
        )
    return gm


def _check(gm: GradientModel, image, target: int | None = None, *, name: str = "target") -> np.ndarray:
    """``image`` as a (1, H, W, C) batch of ``gm.dtype``, after checking it and ``target``."""
    x = np.asarray(image, gm.dtype)
    if x.ndim == len(gm.input_shape):
        x = x[None]
    if x.shape[1:] != gm.input_shape:
        raise ValueError(
            f"image must have the model's input shape {gm.input_shape} (or be a batch of them), "
            f"got {np.asarray(image).shape}"
        )
    if not np.all(np.isfinite(x)):
        raise ValueError("image has NaN or infinite values: pass pixel values in [0, 1]")
    if target is not None and not 0 <= int(target) < gm.n_classes:
        raise ValueError(f"{name} must be a class index in 0..{gm.n_classes - 1}, got {target!r}")
    return x


@dataclass(frozen=True)
class Saliency:
    """A saliency map.

    Attributes
    ----------
    gradient : ndarray (H, W, C), float32
        ``∂ z_c / ∂ x`` (vanilla) or the mean of ``|∂ z_c / ∂ x|`` over noisy copies (SmoothGrad),
        in logit units per unit of pixel value.
    saliency : ndarray (H, W), float32
        ``max_channels |gradient|`` (Simonyan et al. 2014 §3.1), not normalised.
    logit : float
        ``z_c`` at the input itself.
    target : int
    noise_sigma : float
        Standard deviation of the added noise (0 for the vanilla gradient).
    n_samples : int
        Noisy copies averaged (1 for the vanilla gradient).
    """

    gradient: np.ndarray
    saliency: np.ndarray
    logit: float
    target: int
    noise_sigma: float = 0.0
    n_samples: int = 1


def saliency(gm: GradientModel, image, *, target: int) -> Saliency:
    """The vanilla gradient of class ``target``'s logit with respect to the input pixels.

    Parameters
    ----------
    gm : GradientModel
    image : ndarray (H, W, C) or (1, H, W, C), float, pixel values in [0, 1]
    target : int
        The class whose score ``z_target`` (pre-softmax logit) is differentiated.

    Returns
    -------
    Saliency

    Raises
    ------
    ValueError
        If ``image`` does not have the model's input shape or ``target`` is not a class.
    """
    x = _check(gm, image, target)
    with gm.lock:
        z, grad = gm.score_gradient(x[:1], int(target))
    grad = np.asarray(grad, np.float32)[0]
    return Saliency(
        gradient=grad,
        saliency=np.abs(grad).max(axis=-1),
        logit=float(np.asarray(z)[0, target]),
        target=int(target),
    )


def mean_abs_gradient(gm: GradientModel, batch, *, target: int) -> np.ndarray:
    """``mean_n |∂ z_target / ∂ x_n|`` over a batch (SmoothGrad's average, as tf-keras-vis takes it).

    Parameters
    ----------
    batch : ndarray (N, H, W, C), float

    Returns
    -------
    ndarray (H, W, C), float32
    """
    x = _check(gm, batch, target)
    with gm.lock:
        _, grad = gm.score_gradient(x, int(target))
    return np.abs(np.asarray(grad, np.float32)).mean(axis=0)


def smoothgrad(
    gm: GradientModel,
    image,
    *,
    target: int,
    noise_level: float = SMOOTHGRAD_NOISE,
    n_samples: int = SMOOTHGRAD_SAMPLES,
    seed: int = 0,
) -> Saliency:
    """SmoothGrad: the mean of ``|∂ z_target / ∂ x|`` over ``n_samples`` noisy copies of ``image``.

    Parameters
    ----------
    image : ndarray (H, W, C) or (1, H, W, C), float, in [0, 1]
    target : int
    noise_level : float
        σ of the Gaussian noise as a fraction of the image's range ``max − min`` (Smilkov et al.
        2017: 0.1–0.2); ≥ 0. The noisy copies are not clipped.
    n_samples : int
        Noisy copies, 1..:data:`MAX_SMOOTHGRAD_SAMPLES` (one batch).
    seed : int
        Seed of ``np.random.default_rng`` for the noise.

    Returns
    -------
    Saliency
        ``noise_sigma`` = ``noise_level · (max − min)``.

    Raises
    ------
    ValueError
        For a negative ``noise_level``, ``n_samples`` outside 1..256, or a bad image or target.
    """
    if not 0.0 <= noise_level <= 1.0:
        raise ValueError(
            f"noise_level must be in [0, 1] (a fraction of the image's range), got {noise_level!r}"
        )
    if not 1 <= int(n_samples) <= MAX_SMOOTHGRAD_SAMPLES:
        raise ValueError(f"n_samples must be in 1..{MAX_SMOOTHGRAD_SAMPLES}, got {n_samples!r}")
    x = _check(gm, image, target)[:1]
    sigma = float(noise_level) * float(x.max() - x.min())
    noise = np.random.default_rng(seed).normal(0.0, sigma, (int(n_samples), *gm.input_shape)).astype(gm.dtype)
    grad = mean_abs_gradient(gm, x + noise, target=target)
    with gm.lock:
        z = np.asarray(gm.logits(x))
    return Saliency(
        gradient=grad,
        saliency=grad.max(axis=-1),
        logit=float(z[0, target]),
        target=int(target),
        noise_sigma=sigma,
        n_samples=int(n_samples),
    )


def upsample_bilinear(values, shape: tuple[int, int]) -> np.ndarray:
    """Bilinear resize of a map with its corner pixels on the output's corners (``align_corners``),
    as ``scipy.ndimage.zoom(values, factors, order=1)`` does.

    Parameters
    ----------
    values : ndarray (h, w), float
    shape : (H, W)
        Output size, each ≥ 1.

    Returns
    -------
    ndarray (H, W), float32
        Output pixel ``(i, j)`` samples ``values`` at ``(i (h−1)/(H−1), j (w−1)/(W−1))``.
    """
    v = np.asarray(values, np.float64)
    if v.ndim != 2 or min(shape) < 1:
        raise ValueError(f"values must be (h, w) and shape two sizes >= 1, got {v.shape} and {shape}")

    def axis(n_in: int, n_out: int):
        pos = np.zeros(n_out) if n_out == 1 else np.arange(n_out) * (n_in - 1) / (n_out - 1)
        lo = np.minimum(np.floor(pos).astype(int), n_in - 1)
        hi = np.minimum(lo + 1, n_in - 1)
        return lo, hi, pos - lo

    r0, r1, fr = axis(v.shape[0], shape[0])
    c0, c1, fc = axis(v.shape[1], shape[1])
    top = v[r0][:, c0] * (1 - fc) + v[r0][:, c1] * fc
    bottom = v[r1][:, c0] * (1 - fc) + v[r1][:, c1] * fc
    return (top * (1 - fr)[:, None] + bottom * fr[:, None]).astype(np.float32)


@dataclass(frozen=True)
class GradCam:
    """Grad-CAM's steps on one input.

    Attributes
    ----------
    layer : str
    feature_maps : ndarray (h, w, K), float32
        ``A``: the layer's output.
    gradients : ndarray (h, w, K), float32
        ``∂ z_c / ∂ A``.
    weights : ndarray (K,), float32
        ``α_k``: the spatial mean of ``gradients[:, :, k]``.
    weighted_sum : ndarray (h, w), float32
        ``Σ_k α_k A_k`` before the ReLU.
    cam : ndarray (h, w), float32
        ``ReLU(weighted_sum)``.
    heatmap : ndarray (H, W), float32 in [0, 1]
        ``cam`` upsampled to the input (:func:`upsample_bilinear`) and divided by its maximum
        (all zeros when the ReLU leaves nothing).
    target : int
    """

    layer: str
    feature_maps: np.ndarray
    gradients: np.ndarray
    weights: np.ndarray
    weighted_sum: np.ndarray
    cam: np.ndarray
    heatmap: np.ndarray
    target: int


def grad_cam(gm: GradientModel, image, *, target: int) -> GradCam:
    """Grad-CAM of class ``target`` on the model's last convolution layer (Selvaraju et al. 2017).

    Parameters
    ----------
    image : ndarray (H, W, C) or (1, H, W, C), float, in [0, 1]
    target : int

    Returns
    -------
    GradCam
        ``α_k = (1 / hw) Σ_ij ∂ z_c / ∂ A_k[i, j]`` (eq. 1) and ``ReLU(Σ_k α_k A_k)`` (eq. 2), both at the
        layer's ``h × w``, and the map upsampled to ``H × W``.

    Raises
    ------
    ValueError
        If ``image`` does not have the model's input shape or ``target`` is not a class.
    """
    x = _check(gm, image, target)[:1]
    with gm.lock:
        a, g, _ = gm.cam_gradient(x, int(target))
    a, g = np.asarray(a, np.float32)[0], np.asarray(g, np.float32)[0]
    weights = g.mean(axis=(0, 1))
    weighted = np.tensordot(a, weights, axes=([2], [0])).astype(np.float32)
    cam = np.maximum(weighted, 0.0)
    up = upsample_bilinear(cam, gm.input_shape[:2])
    top = float(up.max())
    return GradCam(
        layer=gm.conv_layer,
        feature_maps=a,
        gradients=g,
        weights=weights,
        weighted_sum=weighted,
        cam=cam,
        heatmap=up / top if top > 0 else np.zeros_like(up),
        target=int(target),
    )


def softmax(logits) -> np.ndarray:
    """Softmax along the last axis, float64 (shifted by the maximum, so no overflow)."""
    z = np.asarray(logits, np.float64)
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class FgsmSweep:
    """FGSM at every ε of a grid, from one gradient.

    Attributes
    ----------
    label : int
        ``y`` of the loss ``J(x, y)`` (the class the perturbation pushes away from).
    gradient_sign : ndarray (H, W, C), float32 in {−1, 0, 1}
        ``sign(∇_x J(x, y))``.
    epsilons : ndarray (E,), float
    adversarial : ndarray (E, H, W, C), float32 in [0, 1]
        ``clip(x + ε · sign, 0, 1)`` for each ε.
    probabilities : ndarray (E, K), float64
        The softmax of the model on each perturbed input.
    predictions : ndarray (E,), int
    """

    label: int
    gradient_sign: np.ndarray
    epsilons: np.ndarray
    adversarial: np.ndarray
    probabilities: np.ndarray
    predictions: np.ndarray

    @property
    def flipped(self) -> np.ndarray:
        """(E,) bool: the prediction is no longer ``label``."""
        return self.predictions != self.label

    @property
    def smallest_epsilon(self) -> float | None:
        """The smallest ε of the grid that flips the prediction, or None. Flipping need not be
        monotonic in ε: a larger ε may give ``label`` back."""
        hits = np.flatnonzero(self.flipped)
        return float(self.epsilons[hits[0]]) if hits.size else None


def fgsm_sweep(gm: GradientModel, image, *, label: int, epsilons=EPSILON_GRID) -> FgsmSweep:
    """The fast gradient sign method (Goodfellow et al. 2015, eq. 3) at each ε of ``epsilons``.

    ``x' = clip(x + ε · sign(∇_x J(x, y)), 0, 1)``, ``J`` the cross-entropy of ``softmax(z)`` for class
    ``label``; one gradient at ``x`` serves every ε, and the perturbed inputs go through the model as
    one batch. After clipping, ``|x' − x| ≤ ε`` at every pixel.

    Parameters
    ----------
    image : ndarray (H, W, C) or (1, H, W, C), float, in [0, 1]
    label : int
        ``y``: the true class, or the model's own prediction where none is known.
    epsilons : sequence of float
        Each in [0, 1] (pixel units); default :data:`EPSILON_GRID`.

    Returns
    -------
    FgsmSweep

    Raises
    ------
    ValueError
        For an ε outside [0, 1], more than 256 of them, or a bad image or label.
    """
    eps = np.asarray(epsilons, np.float64).reshape(-1)
    if eps.size == 0 or eps.size > 256 or not np.all((eps >= 0) & (eps <= 1)):
        raise ValueError(
            f"epsilons must be 1..256 values in [0, 1] (pixel units), got {eps.size} values "
            f"from {eps.min(initial=0):g} to {eps.max(initial=0):g}"
        )
    x = _check(gm, image, label, name="label")[:1]
    with gm.lock:
        _, grad = gm.loss_gradient(x, np.array([label], np.int32))
        sign = np.sign(np.asarray(grad)[0]).astype(gm.dtype)
        adv = np.clip(x + eps.astype(gm.dtype)[:, None, None, None] * sign, 0.0, 1.0).astype(gm.dtype)
        probs = softmax(np.asarray(gm.logits(adv)))
    return FgsmSweep(
        label=int(label),
        gradient_sign=sign,
        epsilons=eps,
        adversarial=adv,
        probabilities=probs,
        predictions=probs.argmax(axis=1),
    )


def fgsm(gm: GradientModel, image, *, label: int, epsilon: float) -> FgsmSweep:
    """FGSM at one ε: :func:`fgsm_sweep` with ``epsilons=[epsilon]``."""
    return fgsm_sweep(gm, image, label=label, epsilons=[epsilon])


def smallest_flipping_epsilon(gm: GradientModel, image, *, label: int, epsilons=EPSILON_GRID) -> float | None:
    """The smallest ε of ``epsilons`` at which FGSM changes the prediction away from ``label``
    (:attr:`FgsmSweep.smallest_epsilon`), or None when no ε of the grid does."""
    return fgsm_sweep(
        gm, image, label=label, epsilons=np.sort(np.asarray(epsilons, np.float64))
    ).smallest_epsilon
