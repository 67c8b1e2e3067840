"""The registry of the seeds' networks and the per-layer table of a built Keras model.

* :data:`ARCHITECTURES`: one :class:`ArchitectureSpec` per network, with its builder (from
  :mod:`core.models.builders`), seed source and pinned parameter count; :func:`build`;
* :func:`layer_table`, which turns a built model into one row per layer with the formula that
  gives its parameter count and its activation memory, and its helpers :func:`table_totals` and
  :func:`with_batch_size`.

The arithmetic itself (:func:`core.maths.layer_math.conv_params`, ...) imports no TensorFlow, and neither
does this module: Keras is imported only when a builder runs. Every count is the one
``model.count_params()`` returns (pinned in ``tests/core/test_architectures.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from math import prod
from typing import Any

from core.maths.checks import keyed, positive_int
from core.maths.layer_math import (
    FLOAT32_BYTES,
    batchnorm_formula,
    conv_formula,
    conv_params,
    dense_formula,
    dense_params,
    format_count,
)

# The rows' helpers, re-exported: callers read a table's totals from the module that makes the table.
from core.maths.layer_math import table_totals as table_totals
from core.maths.layer_math import with_batch_size as with_batch_size
from core.models.builders import (
    alexnet,
    birth_weight_network,
    bn_mnist_cnn,
    cifar10_cnn,
    cifar10_cnn_dropout,
    course_mnist_cnn,
    dcgan_discriminator,
    dcgan_generator,
    flowers_cnn,
    iris_network,
    lenet5,
    mnist_cnn_keras_example,
    ng_sample_net,
    tf1_mnist_cnn,
    tf_guide_dense,
    vgg16,
)

# ---------------------------------------------------------------- registry


@dataclass(frozen=True)
class ArchitectureSpec:
    """A network from the seeds.

    Attributes
    ----------
    key, title : str
    builder : callable
        Returns a fresh (untrained) Keras model; imports Keras when called.
    source : str
        Seed file and lines.
    params : int
        What ``builder().count_params()`` returns (pinned by the tests).
    course_total : int or None
        The total the seed prints exactly, if it prints one.
    course_claim : str or None
        The seed's own wording when it gives only a rough figure ("~60 thousand").
    course_rows : tuple of (layer name, seed's layer name, seed's output shape, seed's params)
        The seed's printed ``summary()`` rows, where it prints them.
    note : str
    heavy : bool
        Takes seconds and hundreds of MB to build.
    """

    key: str
    title: str
    builder: Callable[[], Any]
    source: str
    params: int
    course_total: int | None = None
    course_claim: str | None = None
    course_rows: tuple[tuple[str, str, str, int], ...] = field(default=())
    note: str = ""
    heavy: bool = False


ARCHITECTURES: dict[str, ArchitectureSpec] = keyed(
    ArchitectureSpec(
        "course_mnist_cnn",
        "MNIST CNN (the course's)",
        course_mnist_cnn,
        "Course notes, *CNNs and regularisation in Keras*, *CNN example in Keras: written character "
        "recognition (II)*",
        30_762,
        course_total=30_762,
        course_rows=(
            ("conv1", "conv2d_1", "(None, 26, 26, 16)", 160),
            ("pool1", "max_pooling2d_1", "(None, 13, 13, 16)", 0),
            ("conv2", "conv2d_2", "(None, 11, 11, 32)", 4640),
            ("pool2", "max_pooling2d_2", "(None, 5, 5, 32)", 0),
            ("flatten", "flatten_1", "(None, 800)", 0),
            ("dense1", "dense_1", "(None, 32)", 25632),
            ("output", "dense_2", "(None, 10)", 330),
        ),
        note="Two valid 3×3 convolutions, each followed by 2×2 max pooling; 11×11 pools to 5×5 (floor).",
    ),
    ArchitectureSpec(
        "cifar10_cnn",
        "CIFAR-10 CNN (TensorFlow tutorial)",
        cifar10_cnn,
        "Course notes, *Convolution, pooling and tensors* §2.13",
        122_570,
        note="The course prints no summary; 122,570 matches TensorFlow's published one.",
    ),
    ArchitectureSpec(
        "lenet5",
        "LeNet-5 (Ng's version, average pooling)",
        lenet5,
        "Course notes, *CNN building blocks and classic networks*, *LeNet-5*",
        61_706,
        course_claim="~60 thousand",
        note="Shapes from Ng's figure (external to the course text).",
    ),
    ArchitectureSpec(
        "lenet5_max",
        "LeNet-5 (textbook version, max pooling, ReLU)",
        lambda: lenet5("max"),
        "Course notes, *Introduction to deep learning* §5.5–5.5.1",
        61_706,
        note="The textbook says 'three convolutional layers'; its code has two and a dense F5.",
    ),
    ArchitectureSpec(
        "alexnet",
        "AlexNet (one tower)",
        alexnet,
        "Course notes, *CNN building blocks and classic networks*, *AlexNet*",
        62_378_344,
        course_claim="~60 million",
        heavy=True,
        note="One-tower version of Ng's figure; no grouped convolutions or LRN.",
    ),
    ArchitectureSpec(
        "vgg16",
        "VGG-16 (keras.applications)",
        vgg16,
        "Course notes, *CNN building blocks and classic networks*, *VGG-16*",
        138_357_544,
        course_claim="~138 million",
        heavy=True,
        note="13 convolutions + 3 dense layers = 16 weight layers; built with weights=None.",
    ),
    ArchitectureSpec(
        "ng_sample_net",
        "Ng's sample ConvNet",
        ng_sample_net,
        "Course notes, *CNN building blocks and classic networks*, *Sample complete network*",
        27_301,
        note="39×39×3 → 7×7×40 = 1,960 features; the logistic output unit is Ng's.",
    ),
    ArchitectureSpec(
        "tf_guide_dense",
        "TensorFlow-guide dense model",
        tf_guide_dense,
        "Course notes, *CNN building blocks and classic networks*, *Pipeline to build a network*",
        6_922,
        note="predict on (1000, 32) gives (1000, 10).",
    ),
    ArchitectureSpec(
        "iris",
        "Iris network",
        iris_network,
        "Course notes, *Introduction to deep learning* §4.3–4.3.1",
        26,
        course_total=26,
        note="The course's Lambda layers would show 0 parameters in Keras 3; Dense shows 26.",
    ),
    ArchitectureSpec(
        "birth_weight",
        "Birth-weight network",
        birth_weight_network,
        "Course notes, *Introduction to deep learning* §4.3.2",
        497,
        note="7 → 25 → 10 → 3 → 1, ReLU everywhere: (7+1)·25 + (25+1)·10 + (10+1)·3 + (3+1)·1 = 497 "
        "(the course prints no total).",
    ),
    ArchitectureSpec(
        "tf1_mnist_cnn",
        "TensorFlow 1 MNIST CNN",
        tf1_mnist_cnn,
        "Course notes, *Autoencoders and convolutional networks*, *Convolution NN on MNIST dataset "
        "(TensorFlow)*",
        3_274_634,
        note="832 + 51,264 + 3,212,288 + 10,250 = 3,274,634 (the course prints no total): "
        "the first dense "
        "layer (7·7·64 = 3,136 inputs × 1,024 units) holds 98% of the parameters.",
    ),
    ArchitectureSpec(
        "cifar10_cnn_dropout",
        "CIFAR-10 CNN with dropout",
        cifar10_cnn_dropout,
        "Course notes, *Introduction to deep learning* §5.5.2",
        550_570,
        note="Flatten size 4·4·128 = 2,048.",
    ),
    ArchitectureSpec(
        "flowers_cnn",
        "Flowers CNN (TensorFlow tutorial)",
        flowers_cnn,
        "Course notes, *Convolution, pooling and tensors* §2.8",
        3_989_285,
        note="180×180×3, 5 classes (the tutorial's values); the course's extra 'HaxPooling2D' line is an "
        "OCR duplicate (with it: 1,015,589).",
    ),
    ArchitectureSpec(
        "mnist_cnn_keras_example",
        "Keras mnist_cnn.py",
        mnist_cnn_keras_example,
        "Course notes, *CNN building blocks and classic networks*, *Example code 2*; *Autoencoders and "
        "convolutional networks*, *CNN on Fashion-MNIST dataset*",
        1_199_882,
    ),
    ArchitectureSpec(
        "bn_mnist_cnn",
        "MNIST CNN with batch normalization",
        bn_mnist_cnn,
        "Course notes, *Autoencoders and convolutional networks*, *Convolution NN on MNIST dataset "
        "with Keras*",
        597_738,
        note="1,408 of the parameters are batch-norm moving means and variances (not trained).",
    ),
    ArchitectureSpec(
        "dcgan_generator",
        "DCGAN generator (the course's)",
        dcgan_generator,
        "Course notes, *Introduction to deep learning* §7.2.2",
        2_452_611,
        note="200-d noise → 96×96×3 image.",
    ),
    ArchitectureSpec(
        "dcgan_discriminator",
        "DCGAN discriminator (the course's)",
        dcgan_discriminator,
        "Course notes, *Introduction to deep learning* §7.2.2",
        1_658_945,
        note="96×96×3 image → P(real).",
    ),
)

#: Former key → key of :data:`ARCHITECTURES`: links shared before the keys said what they hold
#: (``?model=bn_mnist_cnn_000``) still open the same network.
FORMER_ARCHITECTURE_KEYS: dict[str, str] = {
    "mnist_cnn_001": "course_mnist_cnn",
    "cifar10_cnn_002": "cifar10_cnn",
    "lenet5_004": "lenet5_max",
    "iris_004": "iris",
    "birth_weight_004": "birth_weight",
    "tf1_mnist_cnn_000": "tf1_mnist_cnn",
    "cifar10_cnn_004": "cifar10_cnn_dropout",
    "flowers_cnn_002": "flowers_cnn",
    "bn_mnist_cnn_000": "bn_mnist_cnn",
    "dcgan_generator_004": "dcgan_generator",
    "dcgan_discriminator_004": "dcgan_discriminator",
}


def build(key: str):
    """Build the Keras model registered under ``key`` in :data:`ARCHITECTURES`.

    Raises
    ------
    ValueError
        If ``key`` is not registered.
    """
    if key not in ARCHITECTURES:
        raise ValueError(f"`key` must be one of {sorted(ARCHITECTURES)}, got {key!r}.")
    return ARCHITECTURES[key].builder()


# ---------------------------------------------------------------- per-layer table


def _shape(layer) -> tuple:
    """A layer's output shape without the batch axis (None for a free size); () when the layer has
    no single output (a nested or shared layer of an uploaded model)."""
    try:
        return tuple(None if d is None else int(d) for d in layer.output.shape[1:])
    except (AttributeError, ValueError, TypeError):
        return ()


def layer_formula(layer) -> str:
    """The arithmetic that gives ``layer.count_params()``, e.g. ``"(3·3·1 + 1)·16 = 160"``."""
    kind = type(layer).__name__
    count = layer.count_params()
    if kind in ("Conv2D", "Conv2DTranspose") and getattr(layer, "groups", 1) == 1:
        c_in = int(layer.input.shape[-1])
        text = conv_formula(tuple(layer.kernel_size), c_in, layer.filters, bias=layer.use_bias)
        if conv_params(tuple(layer.kernel_size), c_in, layer.filters, bias=layer.use_bias) == count:
            return text
    if kind == "Dense" and len(layer.input.shape) == 2:
        n_in = int(layer.input.shape[-1])
        if dense_params(n_in, layer.units, bias=layer.use_bias) == count:
            return dense_formula(n_in, layer.units, bias=layer.use_bias)
    if kind == "BatchNormalization" and count == 4 * int(layer.input.shape[-1]):
        return batchnorm_formula(int(layer.input.shape[-1]))
    if count == 0:
        return "0 (pooling: no weights)" if "Pooling" in kind else "0 (no weights)"
    # Any other layer: its weight arrays, multiplied out and added.
    terms = ["·".join(format_count(int(d)) for d in w.shape) for w in layer.weights]
    return " + ".join(terms) + f" = {format_count(count)}"


def layer_table(model, *, batch_size: int = 1) -> list[dict]:
    """One row per layer of a built Keras model: the one layer table of the app (the Layer
    arithmetic page, the CNN activations page's models, the course's DCGAN).

    Parameters
    ----------
    model : keras.Model
        A built model (the builders above, ``keras.applications``, the trained and uploaded
        models; nested models count as one row).
    batch_size : int >= 1
        Images per batch, for the activation memory.

    Returns
    -------
    list of dict
        Keys ``name``, ``type``, ``output_shape`` (tuple, batch axis left out; None for a free
        size, () for a layer without a single output), ``params`` (int, ``layer.count_params()``),
        ``trainable`` (int), ``formula`` (str; "" for a layer without a single input),
        ``activation_bytes`` (``batch_size · prod(output_shape) · 4``: the layer's float32 output
        for one batch; None where a size is free).

    Raises
    ------
    ValueError
        If ``batch_size`` is not an int >= 1.
    """
    positive_int(batch_size, "batch_size")
    rows = []
    for layer in model.layers:
        shape = _shape(layer)
        kind = type(layer).__name__
        trainable = sum(int(prod(w.shape)) for w in layer.trainable_weights)
        rows.append(
            {
                "name": layer.name,
                "type": kind,
                "output_shape": shape,
                "params": int(layer.count_params()),
                "trainable": trainable,
                "formula": "input: no weights" if kind == "InputLayer" else _formula_or_blank(layer),
                "activation_bytes": None if None in shape else batch_size * prod(shape) * FLOAT32_BYTES,
            }
        )
    return rows


def _formula_or_blank(layer) -> str:
    try:
        return layer_formula(layer)
    except (AttributeError, ValueError):  # several inputs, or a layer shared between models
        return ""
