"""The networks the seeds describe, as Keras builders, and the arithmetic behind their sizes.

Two halves:

* pure Python, no TensorFlow: :func:`conv_params`, :func:`dense_params`, :func:`batchnorm_params`
  and their ``*_formula`` strings, :data:`PARAMETER_EXAMPLES` (the seeds' dense-vs-conv
  comparisons), the :data:`ARCHITECTURES` registry of :class:`ArchitectureSpec`;
* Keras builders (Keras is imported inside each function, so ``import core.architectures`` stays
  cheap), :func:`build`, and :func:`layer_table`, which turns a built model into one row per layer
  with the formula that gives its parameter count and its activation memory.

Every count quoted in a docstring is the one ``model.count_params()`` returns (pinned in
``tests/core/test_architectures.py``). Layers carry explicit names (``"conv1"``, ``"pool1"``, ...).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import prod
from typing import Any, Callable

import numpy as np

FLOAT32_BYTES = 4


# ---------------------------------------------------------------- parameter arithmetic (no TF)


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"`{name}` must be an int >= 1, got {value!r}.")
    return value


def _kernel_hw(f, name: str = "f") -> tuple[int, int]:
    if isinstance(f, (tuple, list)) and len(f) == 2:
        return _positive_int(f[0], name), _positive_int(f[1], name)
    k = _positive_int(f, name)
    return k, k


def conv_params(f, c_in: int, c_out: int, *, bias: bool = True) -> int:
    """Trainable parameters of a 2-D convolution layer: ``(f_h·f_w·c_in + 1)·c_out``.

    Parameters
    ----------
    f : int or (int, int)
        Kernel size.
    c_in : int
        Input channels (the kernel's depth must equal them, ``002_7b3b2c01a09ce879.txt`` L53-66).
    c_out : int
        Number of filters = output channels.
    bias : bool
        One bias per filter.

    Returns
    -------
    int
        Independent of the image's height and width (weight sharing).

    Raises
    ------
    ValueError
        If a size is not an int >= 1.

    Source
    ------
    ``001_0ab6af07a5a8fe8c.txt`` L152 (256 filters 3x3 on 1 channel: 2,560);
    ``003_de28f4f738ce9072.txt`` L133-135 (10 filters 3x3x3: 280) and L170 (``[5x5x3+1]x6 = 456``).
    """
    fh, fw = _kernel_hw(f)
    return (fh * fw * _positive_int(c_in, "c_in") + int(bias)) * _positive_int(c_out, "c_out")


def dense_params(n_in: int, n_out: int, *, bias: bool = True) -> int:
    """Trainable parameters of a fully connected layer: ``(n_in + 1)·n_out``.

    Raises
    ------
    ValueError
        If a size is not an int >= 1.

    Source
    ------
    ``001_0ab6af07a5a8fe8c.txt`` L152: ``32x32x256+256 = 262400``.
    """
    return (_positive_int(n_in, "n_in") + int(bias)) * _positive_int(n_out, "n_out")


def batchnorm_params(channels: int) -> int:
    """Batch-normalization weights: γ and β (trained) plus moving mean and variance (not): ``4·C``."""
    return 4 * _positive_int(channels, "channels")


def _n(value: int) -> str:
    return f"{value:,}"


def conv_formula(f, c_in: int, c_out: int, *, bias: bool = True) -> str:
    """The count of :func:`conv_params` written out, e.g. ``"(3·3·1 + 1)·16 = 160"``."""
    fh, fw = _kernel_hw(f)
    total = conv_params((fh, fw), c_in, c_out, bias=bias)
    inner = f"{fh}·{fw}·{_n(c_in)}"
    return (f"({inner} + 1)·{_n(c_out)}" if bias else f"{inner}·{_n(c_out)}") + f" = {_n(total)}"


def dense_formula(n_in: int, n_out: int, *, bias: bool = True) -> str:
    """The count of :func:`dense_params` written out, e.g. ``"(800 + 1)·32 = 25,632"``."""
    total = dense_params(n_in, n_out, bias=bias)
    return (f"({_n(n_in)} + 1)·{_n(n_out)}" if bias else f"{_n(n_in)}·{_n(n_out)}") + f" = {_n(total)}"


def batchnorm_formula(channels: int) -> str:
    """``"4·32 = 128"``, with what the four vectors are."""
    return f"4·{_n(channels)} = {_n(batchnorm_params(channels))} (γ, β trained; moving mean, variance not)"


# ---------------------------------------------------------------- the seeds' dense-vs-conv examples


@dataclass(frozen=True)
class ParamExample:
    """One layer from the seeds' parameter comparisons.

    Attributes
    ----------
    key, title : str
    kind : {"dense", "conv"}
    input_shape : tuple of int
        ``(H, W, C)`` of the layer's input (a dense layer sees it flattened).
    units : int
        Dense units or conv filters.
    kernel : int
        Conv kernel size (ignored for dense layers).
    source : str
        Seed file and lines.
    buildable : bool
        False when a real Keras layer would not fit in memory (the 3-billion-weight layer).
    """

    key: str
    title: str
    kind: str
    input_shape: tuple[int, ...]
    units: int
    kernel: int = 3
    source: str = ""
    buildable: bool = True

    @property
    def n_inputs(self) -> int:
        return prod(self.input_shape)

    @property
    def params(self) -> int:
        """Parameters, weights and biases."""
        if self.kind == "dense":
            return dense_params(self.n_inputs, self.units)
        return conv_params(self.kernel, self.input_shape[-1], self.units)

    @property
    def weights_only(self) -> int:
        """Parameters without the biases (seed 003 counts only these: "3 billion")."""
        return self.params - self.units

    @property
    def formula(self) -> str:
        if self.kind == "dense":
            return dense_formula(self.n_inputs, self.units)
        return conv_formula(self.kernel, self.input_shape[-1], self.units)


PARAMETER_EXAMPLES: dict[str, ParamExample] = {e.key: e for e in (
    ParamExample("mlp_32x32_256", "Dense: 32×32 image → 256 units", "dense", (32, 32, 1), 256,
                 source="001_0ab6af07a5a8fe8c.txt L152"),
    ParamExample("cnn_32x32_256", "Conv: 256 filters 3×3 on a 32×32 image", "conv", (32, 32, 1), 256, 3,
                 source="001_0ab6af07a5a8fe8c.txt L152"),
    ParamExample("quiz_32", "Conv: 10 filters 3×3×3 on 32×32×3", "conv", (32, 32, 3), 10, 3,
                 source="003_de28f4f738ce9072.txt L131-135"),
    ParamExample("quiz_1000", "Conv: 10 filters 3×3×3 on 1000×1000×3", "conv", (1000, 1000, 3), 10, 3,
                 source="003_de28f4f738ce9072.txt L131-135"),
    ParamExample("dense_64x64x3", "Dense: 64×64×3 image → 1000 units", "dense", (64, 64, 3), 1000,
                 source="003_de28f4f738ce9072.txt L35-40"),
    ParamExample("dense_1000x1000x3", "Dense: 1000×1000×3 image → 1000 units", "dense",
                 (1000, 1000, 3), 1000, source="003_de28f4f738ce9072.txt L35-44", buildable=False),
    ParamExample("dense_32x32x3_28x28x6", "Dense: 32×32×3 → 28×28×6 = 4,704 units", "dense",
                 (32, 32, 3), 28 * 28 * 6, source="003_de28f4f738ce9072.txt L169 (3037 is a typo for 3072)"),
    ParamExample("conv_5x5x3_6", "Conv: 6 filters 5×5×3 (32×32×3 → 28×28×6)", "conv", (32, 32, 3), 6, 5,
                 source="003_de28f4f738ce9072.txt L170"),
)}


def param_example_model(example: ParamExample):
    """A one-layer Keras model for ``example`` (``Flatten → Dense`` or ``Conv2D``), to count.

    Raises
    ------
    ValueError
        If ``example.buildable`` is False: its weights would not fit in memory.
    """
    if not example.buildable:
        raise ValueError(f"`example` {example.key!r} has {example.params:,} parameters "
                         f"({example.params * FLOAT32_BYTES / 1e9:.0f} GB as float32); it is not built.")
    import keras
    inputs = keras.Input(example.input_shape, name="image")
    if example.kind == "dense":
        x = keras.layers.Flatten(name="flatten")(inputs)
        outputs = keras.layers.Dense(example.units, name="dense")(x)
    else:
        outputs = keras.layers.Conv2D(example.units, example.kernel, name="conv")(inputs)
    return keras.Model(inputs, outputs, name=example.key)


# ---------------------------------------------------------------- Keras builders


def _keras():
    import keras
    return keras


def mnist_cnn_001():
    """Seed 001's MNIST CNN: 28×28×1 → conv16 → pool → conv32 → pool → 800 → 32 → 10; 30,762 params.

    Source: ``001_0ab6af07a5a8fe8c.txt`` L253-280 (code and ``summary()`` table).
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((28, 28, 1), name="image")
    x = L.Conv2D(16, 3, activation="relu", name="conv1")(inputs)
    x = L.MaxPooling2D(2, name="pool1")(x)
    x = L.Conv2D(32, 3, activation="relu", name="conv2")(x)
    x = L.MaxPooling2D(2, name="pool2")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(32, activation="relu", name="dense1")(x)
    outputs = L.Dense(10, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="mnist_cnn_001")


def cifar10_cnn_002():
    """TensorFlow's CIFAR-10 tutorial CNN from seed 002; 122,570 params (Dense(10) gives logits).

    Source: ``002_7b3b2c01a09ce879.txt`` L286-295.
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((32, 32, 3), name="image")
    x = L.Conv2D(32, 3, activation="relu", name="conv1")(inputs)
    x = L.MaxPooling2D(2, name="pool1")(x)
    x = L.Conv2D(64, 3, activation="relu", name="conv2")(x)
    x = L.MaxPooling2D(2, name="pool2")(x)
    x = L.Conv2D(64, 3, activation="relu", name="conv3")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(64, activation="relu", name="dense1")(x)
    outputs = L.Dense(10, name="logits")(x)
    return keras.Model(inputs, outputs, name="cifar10_cnn_002")


def flowers_cnn_002(img_size: int = 180, num_classes: int = 5):
    """TensorFlow's flowers tutorial CNN from seed 002; 3,989,285 params at 180×180×3, 5 classes.

    The seed's OCR shows a fourth pooling line (``HaxPooling2D``); the tutorial has three pools.
    Source: ``002_7b3b2c01a09ce879.txt`` L137-149 (img size and classes from the tutorial).
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((img_size, img_size, 3), name="image")
    x = L.Rescaling(1.0 / 255, name="rescale")(inputs)
    for i, filters in enumerate((16, 32, 64), start=1):
        x = L.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{i}")(x)
        x = L.MaxPooling2D(name=f"pool{i}")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(128, activation="relu", name="dense1")(x)
    outputs = L.Dense(num_classes, name="logits")(x)
    return keras.Model(inputs, outputs, name="flowers_cnn_002")


def lenet5(pooling: str = "avg"):
    """LeNet-5 as Andrew Ng draws it: 32×32×1 → 6@28 → 14 → 16@10 → 5 → 400 → 120 → 84 → 10.

    61,706 parameters with either pooling ("~60 thousand", ``003_de28f4f738ce9072.txt`` L187).
    ``pooling="avg"`` with tanh is Ng's version (seed 003); ``pooling="max"`` with ReLU and
    "SAME" pools is the version coded in ``004_36a7c4616778873b.txt`` l.1870-1900.
    """
    if pooling not in ("avg", "max"):
        raise ValueError(f"`pooling` must be 'avg' or 'max', got {pooling!r}.")
    keras = _keras()
    L = keras.layers
    act = "tanh" if pooling == "avg" else "relu"

    def pool(name):
        if pooling == "avg":
            return L.AveragePooling2D(2, name=name)
        return L.MaxPooling2D(2, padding="same", name=name)

    inputs = keras.Input((32, 32, 1), name="image")
    x = L.Conv2D(6, 5, activation=act, name="C1")(inputs)
    x = pool("S2")(x)
    x = L.Conv2D(16, 5, activation=act, name="C3")(x)
    x = pool("S4")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(120, activation=act, name="F5")(x)
    x = L.Dense(84, activation=act, name="F6")(x)
    outputs = L.Dense(10, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name=f"lenet5_{pooling}")


def alexnet():
    """AlexNet as one tower (Ng's drawing): 227×227×3 → ... → 6×6×256 = 9216 → 4096 → 4096 → 1000.

    62,378,344 parameters ("~60 millions", ``003_de28f4f738ce9072.txt`` L195-204). The original
    two-GPU network has grouped convolutions and local response normalization; both are left out.
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((227, 227, 3), name="image")
    x = L.Conv2D(96, 11, strides=4, activation="relu", name="conv1")(inputs)
    x = L.MaxPooling2D(3, strides=2, name="pool1")(x)
    x = L.Conv2D(256, 5, padding="same", activation="relu", name="conv2")(x)
    x = L.MaxPooling2D(3, strides=2, name="pool2")(x)
    x = L.Conv2D(384, 3, padding="same", activation="relu", name="conv3")(x)
    x = L.Conv2D(384, 3, padding="same", activation="relu", name="conv4")(x)
    x = L.Conv2D(256, 3, padding="same", activation="relu", name="conv5")(x)
    x = L.MaxPooling2D(3, strides=2, name="pool5")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(4096, activation="relu", name="fc6")(x)
    x = L.Dense(4096, activation="relu", name="fc7")(x)
    outputs = L.Dense(1000, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="alexnet")


def vgg16():
    """VGG-16 from ``keras.applications`` without weights (no download): 138,357,544 parameters.

    Source: ``003_de28f4f738ce9072.txt`` L206-215 ("~138 million", 16 weight layers);
    ``001_0ab6af07a5a8fe8c.txt`` L391-393 (figure).
    """
    keras = _keras()
    return keras.applications.VGG16(weights=None, include_top=True)


def tf_guide_dense():
    """The TensorFlow-guide model in seed 003: 32 → 64 → 64 → 10 (softmax); 6,922 parameters.

    Source: ``003_de28f4f738ce9072.txt`` L286-307.
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((32,), name="data")
    x = L.Dense(64, activation="relu", name="dense1")(inputs)
    x = L.Dense(64, activation="relu", name="dense2")(x)
    outputs = L.Dense(10, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="tf_guide_dense")


def iris_004():
    """Seed 004's iris network, 3 → 5 → 1 with ReLU on both layers: "26 total variables".

    The seed wraps raw variables in ``Lambda`` layers, which Keras 3 counts as 0 parameters;
    ``Dense`` layers give the 26. Source: ``004_36a7c4616778873b.txt`` l.1199-1299.
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((3,), name="sepal_petal")
    x = L.Dense(5, activation="relu", name="hidden")(inputs)
    outputs = L.Dense(1, activation="relu", name="petal_width")(x)
    return keras.Model(inputs, outputs, name="iris_004")


def cifar10_cnn_004():
    """Seed 004's VGG-style CIFAR-10 CNN with dropout: conv 32-32-64-64-128-128; 550,570 params.

    Source: ``004_36a7c4616778873b.txt`` l.2077-2140.
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((32, 32, 3), name="image")
    x = inputs
    for block, filters in enumerate((32, 64, 128), start=1):
        for j in (1, 2):
            x = L.Conv2D(filters, 3, padding="same", activation="relu", kernel_initializer="he_uniform",
                         name=f"conv{block}_{j}")(x)
        x = L.MaxPooling2D(2, name=f"pool{block}")(x)
        x = L.Dropout(0.2, name=f"dropout{block}")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(128, activation="relu", kernel_initializer="he_uniform", name="dense1")(x)
    x = L.Dropout(0.2, name="dropout4")(x)
    outputs = L.Dense(10, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="cifar10_cnn_004")


def ng_sample_net():
    """Ng's sample ConvNet: 39×39×3 → 37×37×10 → 17×17×20 → 7×7×40 → 1,960 → 1 (logistic).

    Convolutions: f=3 s=1 (280 params), f=5 s=2 (5,020), f=5 s=2 (20,040); with the logistic
    output unit (1,961) the total is 27,301. Source: ``003_de28f4f738ce9072.txt`` L137-139 (Ng's
    figure, external).
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((39, 39, 3), name="image")
    x = L.Conv2D(10, 3, strides=1, activation="relu", name="conv1")(inputs)
    x = L.Conv2D(20, 5, strides=2, activation="relu", name="conv2")(x)
    x = L.Conv2D(40, 5, strides=2, activation="relu", name="conv3")(x)
    x = L.Flatten(name="flatten")(x)
    outputs = L.Dense(1, activation="sigmoid", name="output")(x)
    return keras.Model(inputs, outputs, name="ng_sample_net")


def mnist_cnn_keras_example():
    """Keras' ``mnist_cnn.py`` (seed 003's last link; seed 000's Fashion CNN): 1,199,882 params.

    Source: ``003_de28f4f738ce9072.txt`` L308-311 (first lines only);
    ``000_05cde12013bfe355.txt`` L1141-1149 (the same network on Fashion-MNIST).
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((28, 28, 1), name="image")
    x = L.Conv2D(32, 3, activation="relu", name="conv1")(inputs)
    x = L.Conv2D(64, 3, activation="relu", name="conv2")(x)
    x = L.MaxPooling2D(2, name="pool1")(x)
    x = L.Dropout(0.25, name="dropout1")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(128, activation="relu", name="dense1")(x)
    x = L.Dropout(0.5, name="dropout2")(x)
    outputs = L.Dense(10, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="mnist_cnn_keras_example")


def bn_mnist_cnn_000():
    """Seed 000's Keras MNIST CNN with batch normalization: 597,738 params (1,408 not trained).

    Source: ``000_05cde12013bfe355.txt`` L1080-1104.
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((28, 28, 1), name="image")
    x = inputs
    for i, filters in enumerate((32, 32, 64, 64), start=1):
        x = L.Conv2D(filters, 3, name=f"conv{i}")(x)
        x = L.BatchNormalization(axis=-1, name=f"bn{i}")(x)
        x = L.Activation("relu", name=f"relu{i}")(x)
        if i % 2 == 0:
            x = L.MaxPooling2D(2, name=f"pool{i // 2}")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(512, name="dense1")(x)
    x = L.BatchNormalization(name="bn5")(x)
    x = L.Activation("relu", name="relu5")(x)
    x = L.Dropout(0.2, name="dropout")(x)
    x = L.Dense(10, name="dense2")(x)
    outputs = L.Activation("softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="bn_mnist_cnn_000")


def dcgan_generator_004(seed_size: int = 200, channels: int = 3, gen_res: int = 3):
    """Seed 004's DCGAN generator: 200-d noise → 4×4×256 → 8 → 16 → 32 → 96×96×3 (tanh).

    2,452,611 parameters (1,536 of them batch-norm moving statistics) with the seed's settings.
    Source: ``004_36a7c4616778873b.txt`` l.3158-3183.
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input((seed_size,), name="noise")
    x = L.Dense(4 * 4 * 256, activation="relu", name="dense")(inputs)
    x = L.Reshape((4, 4, 256), name="reshape")(x)
    stages = [(2, 256), (2, 256), (2, 128)] + ([(gen_res, 128)] if gen_res > 1 else [])
    for i, (up, filters) in enumerate(stages, start=1):
        x = L.UpSampling2D(up, name=f"up{i}")(x)
        x = L.Conv2D(filters, 3, padding="same", name=f"conv{i}")(x)
        x = L.BatchNormalization(momentum=0.8, name=f"bn{i}")(x)
        x = L.Activation("relu", name=f"relu{i}")(x)
    x = L.Conv2D(channels, 3, padding="same", name="conv_out")(x)
    outputs = L.Activation("tanh", name="image")(x)
    return keras.Model(inputs, outputs, name="dcgan_generator_004")


def dcgan_discriminator_004(image_shape: tuple[int, int, int] = (96, 96, 3)):
    """Seed 004's DCGAN discriminator: 96×96×3 → 48 → 24 → 25 → 13 → 13 → 13 → P(real).

    1,658,945 parameters (1,920 not trained). Source: ``004_36a7c4616778873b.txt`` l.3185-3215.
    """
    keras = _keras()
    L = keras.layers
    inputs = keras.Input(image_shape, name="image")
    x = inputs
    for i, (filters, stride) in enumerate(((32, 2), (64, 2), (128, 2), (256, 1), (512, 1)), start=1):
        x = L.Conv2D(filters, 3, strides=stride, padding="same", name=f"conv{i}")(x)
        if i == 2:
            x = L.ZeroPadding2D(((0, 1), (0, 1)), name="pad")(x)
        if i > 1:
            x = L.BatchNormalization(momentum=0.8, name=f"bn{i}")(x)
        x = L.LeakyReLU(negative_slope=0.2, name=f"lrelu{i}")(x)
        x = L.Dropout(0.25, name=f"dropout{i}")(x)
    x = L.Flatten(name="flatten")(x)
    outputs = L.Dense(1, activation="sigmoid", name="p_real")(x)
    return keras.Model(inputs, outputs, name="dcgan_discriminator_004")


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
    seed_total : int or None
        The total the seed prints exactly, if it prints one.
    seed_claim : str or None
        The seed's own wording when it gives only a rough figure ("~60 thousand").
    seed_rows : tuple of (layer name, seed's layer name, seed's output shape, seed's params)
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
    seed_total: int | None = None
    seed_claim: str | None = None
    seed_rows: tuple[tuple[str, str, str, int], ...] = field(default=())
    note: str = ""
    heavy: bool = False


ARCHITECTURES: dict[str, ArchitectureSpec] = {s.key: s for s in (
    ArchitectureSpec(
        "mnist_cnn_001", "MNIST CNN (seed 001)", mnist_cnn_001, "001_0ab6af07a5a8fe8c.txt L253-280", 30_762,
        seed_total=30_762,
        seed_rows=(("conv1", "conv2d_1", "(None, 26, 26, 16)", 160),
                   ("pool1", "max_pooling2d_1", "(None, 13, 13, 16)", 0),
                   ("conv2", "conv2d_2", "(None, 11, 11, 32)", 4640),
                   ("pool2", "max_pooling2d_2", "(None, 5, 5, 32)", 0),
                   ("flatten", "flatten_1", "(None, 800)", 0),
                   ("dense1", "dense_1", "(None, 32)", 25632),
                   ("output", "dense_2", "(None, 10)", 330)),
        note="Two valid 3×3 convolutions, each followed by 2×2 max pooling; 11×11 pools to 5×5 (floor)."),
    ArchitectureSpec(
        "cifar10_cnn_002", "CIFAR-10 CNN (seed 002, TensorFlow tutorial)", cifar10_cnn_002,
        "002_7b3b2c01a09ce879.txt L286-295", 122_570,
        note="The seed prints no summary; 122,570 matches TensorFlow's published one."),
    ArchitectureSpec(
        "lenet5", "LeNet-5 (seed 003, Ng's version, average pooling)", lenet5,
        "003_de28f4f738ce9072.txt L180-193", 61_706, seed_claim="~60 thousand",
        note="Shapes from Ng's figure (external to the seed text)."),
    ArchitectureSpec(
        "lenet5_004", "LeNet-5 (seed 004, max pooling, ReLU)", lambda: lenet5("max"),
        "004_36a7c4616778873b.txt l.1806-1984", 61_706,
        note="The seed's text says 'three convolutional layers'; its code has two and a dense F5."),
    ArchitectureSpec(
        "alexnet", "AlexNet (seed 003, one tower)", alexnet, "003_de28f4f738ce9072.txt L195-204", 62_378_344,
        seed_claim="~60 million", heavy=True,
        note="One-tower version of Ng's figure; no grouped convolutions or LRN."),
    ArchitectureSpec(
        "vgg16", "VGG-16 (seed 003, keras.applications)", vgg16, "003_de28f4f738ce9072.txt L206-215",
        138_357_544, seed_claim="~138 million", heavy=True,
        note="13 convolutions + 3 dense layers = 16 weight layers; built with weights=None."),
    ArchitectureSpec(
        "ng_sample_net", "Ng's sample ConvNet (seed 003)", ng_sample_net, "003_de28f4f738ce9072.txt L137-139",
        27_301, note="39×39×3 → 7×7×40 = 1,960 features; the logistic output unit is Ng's."),
    ArchitectureSpec(
        "tf_guide_dense", "TensorFlow-guide dense model (seed 003)", tf_guide_dense,
        "003_de28f4f738ce9072.txt L286-307", 6_922, note="predict on (1000, 32) gives (1000, 10)."),
    ArchitectureSpec(
        "iris_004", "Iris network (seed 004)", iris_004, "004_36a7c4616778873b.txt l.1199-1299", 26,
        seed_total=26, note="The seed's Lambda layers would show 0 parameters in Keras 3; Dense shows 26."),
    ArchitectureSpec(
        "cifar10_cnn_004", "CIFAR-10 CNN with dropout (seed 004)", cifar10_cnn_004,
        "004_36a7c4616778873b.txt l.2077-2140", 550_570, note="Flatten size 4·4·128 = 2,048."),
    ArchitectureSpec(
        "flowers_cnn_002", "Flowers CNN (seed 002, TensorFlow tutorial)", flowers_cnn_002,
        "002_7b3b2c01a09ce879.txt L137-149", 3_989_285,
        note="180×180×3, 5 classes (the tutorial's values); the seed's extra 'HaxPooling2D' line is an "
             "OCR duplicate (with it: 1,015,589)."),
    ArchitectureSpec(
        "mnist_cnn_keras_example", "Keras mnist_cnn.py (seeds 003 and 000)", mnist_cnn_keras_example,
        "003_de28f4f738ce9072.txt L308-311; 000_05cde12013bfe355.txt L1141-1149", 1_199_882),
    ArchitectureSpec(
        "bn_mnist_cnn_000", "MNIST CNN with batch normalization (seed 000)", bn_mnist_cnn_000,
        "000_05cde12013bfe355.txt L1080-1104", 597_738,
        note="1,408 of the parameters are batch-norm moving means and variances (not trained)."),
    ArchitectureSpec(
        "dcgan_generator_004", "DCGAN generator (seed 004)", dcgan_generator_004,
        "004_36a7c4616778873b.txt l.3158-3183", 2_452_611, note="200-d noise → 96×96×3 image."),
    ArchitectureSpec(
        "dcgan_discriminator_004", "DCGAN discriminator (seed 004)", dcgan_discriminator_004,
        "004_36a7c4616778873b.txt l.3185-3215", 1_658_945, note="96×96×3 image → P(real)."),
)}


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


def _shape(tensor) -> tuple[int, ...]:
    return tuple(int(d) for d in tensor.shape[1:])


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
    terms = ["·".join(_n(int(d)) for d in w.shape) for w in layer.weights]
    return " + ".join(terms) + f" = {_n(count)}"


def layer_table(model, *, batch_size: int = 1) -> list[dict]:
    """One row per layer of a built Keras model.

    Parameters
    ----------
    model : keras.Model
        A built functional model (the builders above, ``keras.applications``).
    batch_size : int >= 1
        Images per batch, for the activation memory.

    Returns
    -------
    list of dict
        Keys ``name``, ``type``, ``output_shape`` (tuple, batch axis left out), ``params`` (int,
        ``layer.count_params()``), ``trainable`` (int), ``formula`` (str), ``activation_bytes``
        (``batch_size · prod(output_shape) · 4``: the layer's float32 output for one batch).

    Raises
    ------
    ValueError
        If ``batch_size`` is not an int >= 1.
    """
    _positive_int(batch_size, "batch_size")
    rows = []
    for layer in model.layers:
        shape = _shape(layer.output)
        kind = type(layer).__name__
        trainable = sum(int(prod(w.shape)) for w in layer.trainable_weights)
        rows.append({
            "name": layer.name,
            "type": kind,
            "output_shape": shape,
            "params": int(layer.count_params()),
            "trainable": trainable,
            "formula": "input: no weights" if kind == "InputLayer" else layer_formula(layer),
            "activation_bytes": batch_size * prod(shape) * FLOAT32_BYTES,
        })
    return rows


def table_totals(rows: list[dict]) -> dict:
    """Totals of :func:`layer_table` rows: ``params``, ``trainable``, ``non_trainable``,
    ``param_bytes`` (float32) and ``activation_bytes`` (all layer outputs of one batch)."""
    params = sum(r["params"] for r in rows)
    trainable = sum(r["trainable"] for r in rows)
    return {"params": params, "trainable": trainable, "non_trainable": params - trainable,
            "param_bytes": params * FLOAT32_BYTES,
            "activation_bytes": sum(r["activation_bytes"] for r in rows)}


def with_batch_size(rows: list[dict], batch_size: int) -> list[dict]:
    """Copies of :func:`layer_table` rows (computed for batch size 1) for another batch size.

    Raises
    ------
    ValueError
        If ``batch_size`` is not an int >= 1.
    """
    _positive_int(batch_size, "batch_size")
    return [{**r, "activation_bytes": batch_size * prod(r["output_shape"]) * FLOAT32_BYTES} for r in rows]


def format_bytes(n: float) -> str:
    """``1536`` -> ``"1.5 KB"`` (powers of 1000, as disks and GPU specs count)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


# ---------------------------------------------------------------- output-size examples and quiz


@dataclass(frozen=True)
class SizePreset:
    """A seed's output-size example for a convolution on an ``n × n`` input.

    ``padding`` is ``"valid"``, ``"same"``, ``"full"`` or ``"explicit"`` (``pad`` pixels on every
    side), as in :func:`core.convolution.output_size`.
    """

    key: str
    title: str
    n: int
    f: int
    padding: str
    pad: int
    stride: int
    dilation: int
    expected: int
    source: str


SIZE_PRESETS: dict[str, SizePreset] = {p.key: p for p in (
    SizePreset("ng_valid", "6×6 ∗ 3×3, valid → 4×4", 6, 3, "valid", 0, 1, 1, 4, "003_de28f4f738ce9072.txt L68"),
    SizePreset("ng_padded", "6×6 padded by 1 ∗ 3×3 → 6×6", 6, 3, "explicit", 1, 1, 1, 6,
               "003_de28f4f738ce9072.txt L74-87"),
    SizePreset("f5_p2", "5×5 kernel needs p = 2 to keep the size", 9, 5, "explicit", 2, 1, 1, 9,
               "003_de28f4f738ce9072.txt L90"),
    SizePreset("ng_stride", "7×7 ∗ 3×3, stride 2 → 3×3", 7, 3, "valid", 0, 2, 1, 3, "003_de28f4f738ce9072.txt L96"),
    SizePreset("mnist", "MNIST: 28 ∗ 3×3, valid → 26", 28, 3, "valid", 0, 1, 1, 26, "001_0ab6af07a5a8fe8c.txt L273"),
    SizePreset("frame_5x5", "5×5 in a 7×7 zero frame, 3×3 'same' → 5×5", 5, 3, "same", 0, 1, 1, 5,
               "002_7b3b2c01a09ce879.txt L113-120"),
    SizePreset("keras_same_s2", "Keras 'same', 28, stride 2 → ⌈28/2⌉ = 14", 28, 3, "same", 0, 2, 1, 14,
               "001_0ab6af07a5a8fe8c.txt L193"),
    SizePreset("cs231n", "5×5, f = 3, p = 1, s = 2 → 3×3", 5, 3, "explicit", 1, 2, 1, 3,
               "000_05cde12013bfe355.txt L639-654"),
    SizePreset("alexnet", "AlexNet conv1: 227, 11×11, stride 4 → 55", 227, 11, "valid", 0, 4, 1, 55,
               "003_de28f4f738ce9072.txt L195-204"),
)}


def random_size_question(seed: int) -> SizePreset:
    """A random output-size question for the predict-then-reveal mode (dilation 1).

    The answer is ``floor((n + 2p - f) / s) + 1``, at least 1.
    """
    rng = np.random.default_rng(seed)
    while True:
        n = int(rng.integers(5, 33))
        f = int(rng.choice([2, 3, 3, 5, 7]))
        pad = int(rng.choice([0, 0, 1, 2, (f - 1) // 2]))
        stride = int(rng.choice([1, 1, 2, 2, 3]))
        out = (n + 2 * pad - f) // stride + 1
        if out >= 1:
            return SizePreset(f"random_{seed}", f"Question {seed}", n, f, "explicit", pad, stride, 1, out,
                              "random")
