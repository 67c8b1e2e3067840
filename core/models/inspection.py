"""Views into a Keras model for the pages: which layers to show, a model that returns their outputs,
the fully convolutional copy of a CNN's trunk (any input size), the first layer's filters and the
hand-made kernels they resemble. Works on any built Keras model (the course's CNNs, uploads).
"""

from __future__ import annotations

import keras
import numpy as np

#: Layer classes whose outputs are shown as activations (conv, pool, dense).
CONV_TYPES = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose")
POOL_TYPES = ("MaxPooling2D", "AveragePooling2D")
DENSE_TYPES = ("Dense",)
#: Layers that may sit in a conv trunk copied by ``fully_convolutional_trunk``.
_TRUNK_TYPES = (
    CONV_TYPES
    + POOL_TYPES
    + (
        "BatchNormalization",
        "Activation",
        "ReLU",
        "LeakyReLU",
        "Dropout",
        "SpatialDropout2D",
        "ZeroPadding2D",
        "Rescaling",
    )
)


def layer_kind(layer: keras.layers.Layer) -> str:
    """ "conv", "pool", "norm" (batch normalisation), "dense" or "other" for a Keras layer."""
    cls = type(layer).__name__
    if cls in CONV_TYPES:
        return "conv"
    if cls in POOL_TYPES:
        return "pool"
    if cls == "BatchNormalization":
        return "norm"
    return "dense" if cls in DENSE_TYPES else "other"


def activation_layer_names(model: keras.Model) -> list[str]:
    """Names of the conv, pool, batch-norm and dense layers, in order, plus the output layer."""
    names = [layer.name for layer in model.layers if layer_kind(layer) != "other"]
    last = model.layers[-1].name
    return names if names and names[-1] == last else names + [last]


def activation_model(model: keras.Model, *, layer_names: list[str] | None = None) -> keras.Model:
    """A model sharing ``model``'s weights whose output is a dict of every chosen layer's output.

    Parameters
    ----------
    model : keras.Model
        A functional or Sequential model with a defined input.
    layer_names : list of str, optional
        Layers to expose; default ``activation_layer_names(model)`` (conv, pool, batch norm,
        dense, output).

    Returns
    -------
    keras.Model
        ``outputs[name]`` has shape (N, H, W, C) for conv/pool layers and (N, units) for dense
        layers. Build it once and cache it; call it as ``act(x, training=False)``.

    Raises
    ------
    ValueError
        If a name is unknown or the model has no symbolic graph (a subclassed model).
    """
    names = layer_names if layer_names is not None else activation_layer_names(model)
    known = {layer.name for layer in model.layers}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"layer_names: no layers {unknown} in model {model.name!r}")
    try:
        outputs = {name: model.get_layer(name).output for name in names}
        inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
        return keras.Model(inputs, outputs, name=f"{model.name}_activations")
    except (AttributeError, ValueError) as exc:
        raise ValueError(
            f"model: {model.name!r} has no layer graph to read activations from "
            f"(build it with keras.Input): {exc}"
        ) from exc


def _trunk_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """The chain of conv/pool (and shape-agnostic) layers before the first Flatten/Dense."""
    layers, previous = [], model.inputs[0]
    for layer in model.layers:
        cls = type(layer).__name__
        if cls == "InputLayer":
            continue
        if cls not in _TRUNK_TYPES:
            break
        if layer.input is not previous:
            raise ValueError(
                f"model: layer {layer.name!r} is not in a simple chain; only "
                "sequential conv trunks can be made fully convolutional"
            )
        layers.append(layer)
        previous = layer.output
    if not any(layer_kind(layer) == "conv" for layer in layers):
        raise ValueError(f"model: {model.name!r} starts with no convolution layer to copy")
    return layers


def fully_convolutional_trunk(model: keras.Model) -> keras.Model:
    """Copy the conv/pool trunk of ``model`` into a model that accepts any image size.

    Every layer before the first Flatten/Dense is rebuilt from its config on an input of shape
    (None, None, C) and given the same weights, so the learned filters run on a photo at its own
    resolution (a convolution does not care about the image size; only Flatten/Dense do).

    Parameters
    ----------
    model : keras.Model
        A trained model whose first layers form a chain of conv, pool, batch-norm, activation
        or dropout layers.

    Returns
    -------
    keras.Model
        Outputs a dict ``{layer name: (N, H', W', C')}`` for each conv and pool layer of the
        trunk; on a 28x28 input the values equal ``activation_model(model)``'s.

    Raises
    ------
    ValueError
        If the trunk has branches or no convolution.
    """
    trunk = _trunk_layers(model)
    channels = model.inputs[0].shape[-1]
    inputs = keras.Input(shape=(None, None, channels), name="image")
    x, outputs = inputs, {}
    for layer in trunk:
        copy = type(layer).from_config(layer.get_config())
        x = copy(x)
        copy.set_weights(layer.get_weights())
        if layer_kind(layer) in ("conv", "pool"):
            outputs[layer.name] = x
    return keras.Model(inputs, outputs, name=f"{model.name}_trunk")


def first_layer_filters(model: keras.Model) -> np.ndarray:
    """The first conv layer's kernels as (kh, kw, N): input channels averaged (1 for MNIST).

    References
    ----------
    Course notes, *CNNs and regularisation in Keras*, *CNN example in Keras: written character recognition
    (II)* (``filtros_capa1[0][:, :, 0, i]``, 2x8 plots).
    """
    conv = next((layer for layer in model.layers if layer_kind(layer) == "conv"), None)
    if conv is None:
        raise ValueError(f"model: {model.name!r} has no convolution layer")
    kernel = np.asarray(conv.get_weights()[0])
    return kernel.mean(axis=2) if kernel.ndim == 4 else kernel


#: A learned filter is *named* after a hand-made kernel only from this Pearson r on: random 3 x 3
#: kernels reach it against the page's bank about 5 % of the time (:func:`chance_match_rate`).
MIN_MATCH_CORRELATION = 0.8


def _unit_rows(rows: np.ndarray) -> np.ndarray:
    """Each row minus its mean, scaled to length 1 (a constant row stays 0)."""
    rows = rows - rows.mean(axis=1, keepdims=True)
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def _candidate_bank(size: int, kernels: dict | None) -> tuple[list[str], np.ndarray]:
    """Names and mean-removed unit rows of the non-constant k x k candidates, one per pattern.

    Two kernels with the same pattern after mean removal and scaling are one candidate (the first
    one's name): the identity and the outline are the 8-neighbour Laplacian up to an offset and a
    scale, so Pearson r cannot tell them apart.
    """
    if kernels is None:
        from core.maths.kernels import KERNELS

        kernels = {name: info.values for name, info in KERNELS.items()}
    names, rows = [], []
    for name, k in kernels.items():
        k = np.asarray(k, np.float64)
        if k.shape != (size, size) or np.ptp(k) == 0:
            continue
        row = _unit_rows(k.reshape(1, -1))[0]
        if not any(np.allclose(row, other, atol=1e-9) for other in rows):
            names.append(name)
            rows.append(row)
    if not names:
        raise ValueError(f"kernels: no non-constant candidate of size {size}x{size}")
    return names, np.stack(rows)


def match_handmade_kernels(
    filters: np.ndarray, kernels: dict | None = None, *, min_correlation: float = MIN_MATCH_CORRELATION
) -> list[dict]:
    """For each learned filter, the hand-made kernel it most resembles, and whether it is close enough
    to carry that kernel's name.

    Resemblance is the Pearson correlation of the weights: both kernels minus their mean, then the
    normalised dot product. 1 = the same pattern up to a positive scale and an offset, -1 = the
    opposite pattern. The mean is left out because a learned filter often adds a constant (it
    also responds to ink in general) on top of its edge or line pattern; constant kernels (the
    box blur) have no pattern and are skipped, and kernels with the same pattern after mean removal
    (identity, 8-neighbour Laplacian, outline) are one candidate. A kernel with its sign flipped
    (light-to-dark vs dark-to-light edge) is a different kernel. The best candidate is only a name
    for the filter when ``correlation >= min_correlation``: below that a random kernel would match
    as well (:func:`chance_match_rate`).

    Parameters
    ----------
    filters : ndarray of shape (k, k, N)
        Learned kernels, e.g. ``first_layer_filters(model)``.
    kernels : dict of str to ndarray (k, k), optional
        Candidates; default every k x k kernel of ``core.maths.kernels.KERNELS`` (one per pattern).
    min_correlation : float, default :data:`MIN_MATCH_CORRELATION` (0.8)
        The Pearson r from which a match is ``named``.

    Returns
    -------
    list of dict
        One per filter: ``{"filter": i, "kernel": name of the best candidate, "correlation": float in
        [-1, 1], "named": bool}``.

    Raises
    ------
    ValueError
        If ``filters`` is not (k, k, N) or no non-constant candidate has size k.

    References
    ----------
    Zeiler & Fergus, "Visualizing and understanding convolutional networks", ECCV 2014 (first-layer
    filters are oriented edges and colour-opponent blobs).
    """
    filters = np.asarray(filters, dtype=np.float64)
    if filters.ndim != 3 or filters.shape[0] != filters.shape[1]:
        raise ValueError(f"filters must have shape (k, k, N), got {filters.shape}")
    size = filters.shape[0]
    names, bank = _candidate_bank(size, kernels)
    corr = _unit_rows(filters.reshape(size * size, -1).T) @ bank.T
    best = corr.argmax(axis=1)
    return [
        {
            "filter": i,
            "kernel": names[j],
            "correlation": float(corr[i, j]),
            "named": bool(corr[i, j] >= min_correlation),
        }
        for i, j in enumerate(best)
    ]


def chance_match_rate(
    *, size: int = 3, samples: int = 20_000, min_correlation: float = MIN_MATCH_CORRELATION, seed: int = 0
) -> float:
    """The control for :func:`match_handmade_kernels`: the share of random Gaussian kernels whose best
    match reaches ``min_correlation``.

    With the page's 3 x 3 bank and r >= 0.8 it is about 0.05: a named match is unlikely to be chance,
    an r of 0.5 says nothing.

    Parameters
    ----------
    size : int
        Kernel size k.
    samples : int
        Number of random k x k kernels (i.i.d. N(0, 1) weights).
    min_correlation : float
    seed : int

    Returns
    -------
    float in [0, 1]

    Raises
    ------
    ValueError
        If ``samples`` < 1.
    """
    if int(samples) < 1:
        raise ValueError(f"samples must be >= 1, got {samples!r}")
    random_kernels = np.random.default_rng(seed).standard_normal((size, size, int(samples)))
    matches = match_handmade_kernels(random_kernels, min_correlation=min_correlation)
    return float(np.mean([m["named"] for m in matches]))


def colour_opponent_share(filters: np.ndarray) -> np.ndarray:
    """The share of each RGB filter's energy in colour-opponent patterns.

    Each 3 x 3 x 3 filter W splits into an achromatic part (at every position the mean of R, G and B,
    the same in all three channels: it responds to brightness) and the rest, which sums to 0 over the
    channels at every position (it responds to one colour against another, e.g. red vs green). The
    share is ``||rest||^2 / ||W||^2``: 0 for a grey filter, 1 for a purely colour-opponent one. A
    filter with a share above 0.5 is mostly colour-opponent, and its luminance, all that
    :func:`match_handmade_kernels` sees, is the smaller part.

    Parameters
    ----------
    filters : ndarray of shape (k, k, 3, N)
        (row, col, R/G/B, filter), e.g. ``core.models.hed.first_layer_filters``.

    Returns
    -------
    ndarray of shape (N,), float64 in [0, 1]

    Raises
    ------
    ValueError
        If ``filters`` is not (k, k, 3, N).
    """
    w = np.asarray(filters, np.float64)
    if w.ndim != 4 or w.shape[2] != 3:
        raise ValueError(f"filters must have shape (k, k, 3, N) (RGB filters), got {w.shape}")
    rest = w - w.mean(axis=2, keepdims=True)
    return (rest**2).sum(axis=(0, 1, 2)) / np.maximum((w**2).sum(axis=(0, 1, 2)), 1e-24)


def representative_layers(model: keras.Model, *, count: int = 8) -> list[str]:
    """At most ``count`` conv/pool layers spread evenly through a deep model, plus the output.

    A model such as MobileNetV2 has about 50 convolutions; showing a few, from the first to the
    last, keeps the page fast while still showing how maps shrink and multiply.
    """
    names = [n for n in activation_layer_names(model) if layer_kind(model.get_layer(n)) in ("conv", "pool")]
    if len(names) > count:
        picks = np.linspace(0, len(names) - 1, count).round().astype(int)
        names = [names[i] for i in sorted(set(picks))]
    return names + [model.layers[-1].name]
