"""The arithmetic behind layer sizes, in plain Python: parameter counts, their formulas, memory.

* :func:`conv_params`, :func:`dense_params`, :func:`batchnorm_params` and their ``*_formula``
  strings;
* :data:`PARAMETER_EXAMPLES`, the seeds' dense-vs-conv comparisons (:class:`ParamExample`);
* :data:`SIZE_PRESETS`, the seeds' output-size examples (:class:`SizePreset`), and
  :func:`random_size_question` for the predict-then-reveal quiz;
* :func:`format_bytes` for memory figures.

Nothing here imports TensorFlow or Keras: the Keras models that check these counts are built in
:mod:`core.models.builders`, and ``tests/core/test_layer_math.py`` pins the seeds' numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import prod

import numpy as np

from core.maths.checks import keyed, positive_int

FLOAT32_BYTES = 4


# ---------------------------------------------------------------- parameter arithmetic (no TF)


def _kernel_hw(f, name: str = "f") -> tuple[int, int]:
    if isinstance(f, (tuple, list)) and len(f) == 2:
        return positive_int(f[0], name), positive_int(f[1], name)
    k = positive_int(f, name)
    return k, k


def conv_params(f, c_in: int, c_out: int, *, bias: bool = True) -> int:
    """Trainable parameters of a 2-D convolution layer: ``(f_h·f_w·c_in + 1)·c_out``.

    Parameters
    ----------
    f : int or (int, int)
        Kernel size.
    c_in : int
        Input channels (the kernel's depth must equal them, Course notes, *Convolution, pooling and tensors*
        §2.2).
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

    References
    ----------
    Course notes, *CNNs and regularisation in Keras*, *Characteristics of CNNs* (256 filters 3x3 on 1 channel:
    2,560); Course notes, *CNN building blocks and classic networks*, *Shorthand representation* (10 filters
    3x3x3: 280) and *Why convolution is good* (``[5x5x3+1]x6 = 456``).
    """
    fh, fw = _kernel_hw(f)
    return (fh * fw * positive_int(c_in, "c_in") + int(bias)) * positive_int(c_out, "c_out")


def dense_params(n_in: int, n_out: int, *, bias: bool = True) -> int:
    """Trainable parameters of a fully connected layer: ``(n_in + 1)·n_out``, the count of
    :func:`conv_params` with a 1 x 1 kernel on ``n_in`` channels; sizes checked as there.

    References
    ----------
    Course notes, *CNNs and regularisation in Keras*, *Characteristics of CNNs*: ``32x32x256+256 = 262400``.
    """
    return (positive_int(n_in, "n_in") + int(bias)) * positive_int(n_out, "n_out")


def batchnorm_params(channels: int) -> int:
    """Batch-normalization weights: γ and β (trained) plus moving mean and variance (not): ``4·C``."""
    return 4 * positive_int(channels, "channels")


def format_count(value: int) -> str:
    """A count with thousands separators: ``format_count(1234567) == "1,234,567"``."""
    return f"{value:,}"


def conv_formula(f, c_in: int, c_out: int, *, bias: bool = True) -> str:
    """The count of :func:`conv_params` written out, e.g. ``"(3·3·1 + 1)·16 = 160"``."""
    fh, fw = _kernel_hw(f)
    total = conv_params((fh, fw), c_in, c_out, bias=bias)
    inner = f"{fh}·{fw}·{format_count(c_in)}"
    return (
        f"({inner} + 1)·{format_count(c_out)}" if bias else f"{inner}·{format_count(c_out)}"
    ) + f" = {format_count(total)}"


def dense_formula(n_in: int, n_out: int, *, bias: bool = True) -> str:
    """The count of :func:`dense_params` written out, e.g. ``"(800 + 1)·32 = 25,632"``."""
    total = dense_params(n_in, n_out, bias=bias)
    return (
        f"({format_count(n_in)} + 1)·{format_count(n_out)}"
        if bias
        else f"{format_count(n_in)}·{format_count(n_out)}"
    ) + f" = {format_count(total)}"


def batchnorm_formula(channels: int) -> str:
    """``"4·32 = 128"``, with what the four vectors are."""
    return (
        f"4·{format_count(channels)} = {format_count(batchnorm_params(channels))} "
        "(γ, β trained; moving mean, variance not)"
    )


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
        """Parameters without the biases (the course's *Motivation for convolutional neural networks* counts
        only these: "3 billion")."""
        return self.params - self.units

    @property
    def formula(self) -> str:
        if self.kind == "dense":
            return dense_formula(self.n_inputs, self.units)
        return conv_formula(self.kernel, self.input_shape[-1], self.units)


PARAMETER_EXAMPLES: dict[str, ParamExample] = keyed(
    ParamExample(
        "mlp_32x32_256",
        "Dense: 32×32 image → 256 units",
        "dense",
        (32, 32, 1),
        256,
        source="Course notes, *CNNs and regularisation in Keras*, *Characteristics of CNNs*",
    ),
    ParamExample(
        "cnn_32x32_256",
        "Conv: 256 filters 3×3 on a 32×32 image",
        "conv",
        (32, 32, 1),
        256,
        3,
        source="Course notes, *CNNs and regularisation in Keras*, *Characteristics of CNNs*",
    ),
    ParamExample(
        "quiz_32",
        "Conv: 10 filters 3×3×3 on 32×32×3",
        "conv",
        (32, 32, 3),
        10,
        3,
        source="Course notes, *CNN building blocks and classic networks*, *Shorthand representation*",
    ),
    ParamExample(
        "quiz_1000",
        "Conv: 10 filters 3×3×3 on 1000×1000×3",
        "conv",
        (1000, 1000, 3),
        10,
        3,
        source="Course notes, *CNN building blocks and classic networks*, *Shorthand representation*",
    ),
    ParamExample(
        "dense_64x64x3",
        "Dense: 64×64×3 image → 1000 units",
        "dense",
        (64, 64, 3),
        1000,
        source="Course notes, *CNN building blocks and classic networks*, "
        "*Motivation for convolutional neural networks*",
    ),
    ParamExample(
        "dense_1000x1000x3",
        "Dense: 1000×1000×3 image → 1000 units",
        "dense",
        (1000, 1000, 3),
        1000,
        source="Course notes, *CNN building blocks and classic networks*, "
        "*Motivation for convolutional neural networks*",
        buildable=False,
    ),
    ParamExample(
        "dense_32x32x3_28x28x6",
        "Dense: 32×32×3 → 28×28×6 = 4,704 units",
        "dense",
        (32, 32, 3),
        28 * 28 * 6,
        source="Course notes, *CNN building blocks and classic networks*, *Why convolution is good* "
        "(3037 is a typo for 3072)",
    ),
    ParamExample(
        "conv_5x5x3_6",
        "Conv: 6 filters 5×5×3 (32×32×3 → 28×28×6)",
        "conv",
        (32, 32, 3),
        6,
        5,
        source="Course notes, *CNN building blocks and classic networks*, *Why convolution is good*",
    ),
)


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
    side), as in :func:`core.maths.convolution.output_size`.
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


SIZE_PRESETS: dict[str, SizePreset] = keyed(
    SizePreset(
        "ng_valid",
        "6×6 ∗ 3×3, valid → 4×4",
        6,
        3,
        "valid",
        0,
        1,
        1,
        4,
        "Course notes, *CNN building blocks and classic networks*, *Padding*",
    ),
    SizePreset(
        "ng_padded",
        "6×6 padded by 1 ∗ 3×3 → 6×6",
        6,
        3,
        "explicit",
        1,
        1,
        1,
        6,
        "Course notes, *CNN building blocks and classic networks*, *Padding*",
    ),
    SizePreset(
        "f5_p2",
        "5×5 kernel needs p = 2 to keep the size",
        9,
        5,
        "explicit",
        2,
        1,
        1,
        9,
        "Course notes, *CNN building blocks and classic networks*, *Padding*",
    ),
    SizePreset(
        "ng_stride",
        "7×7 ∗ 3×3, stride 2 → 3×3",
        7,
        3,
        "valid",
        0,
        2,
        1,
        3,
        "Course notes, *CNN building blocks and classic networks*, *Strided convolutions*",
    ),
    SizePreset(
        "mnist",
        "MNIST: 28 ∗ 3×3, valid → 26",
        28,
        3,
        "valid",
        0,
        1,
        1,
        26,
        "Course notes, *CNNs and regularisation in Keras*, *CNN example in Keras: written character "
        "recognition (II)*",
    ),
    SizePreset(
        "frame_5x5",
        "5×5 in a 7×7 zero frame, 3×3 'same' → 5×5",
        5,
        3,
        "same",
        0,
        1,
        1,
        5,
        "Course notes, *Convolution, pooling and tensors* §2.6",
    ),
    SizePreset(
        "keras_same_s2",
        "Keras 'same', 28, stride 2 → ⌈28/2⌉ = 14",
        28,
        3,
        "same",
        0,
        2,
        1,
        14,
        "Course notes, *CNNs and regularisation in Keras*, *CNNs: structure and components in Keras (I)*",
    ),
    SizePreset(
        "cs231n",
        "5×5, f = 3, p = 1, s = 2 → 3×3",
        5,
        3,
        "explicit",
        1,
        2,
        1,
        3,
        "Course notes, *Autoencoders and convolutional networks*, *2D convolution on volumes*",
    ),
    SizePreset(
        "alexnet",
        "AlexNet conv1: 227, 11×11, stride 4 → 55",
        227,
        11,
        "valid",
        0,
        4,
        1,
        55,
        "Course notes, *CNN building blocks and classic networks*, *AlexNet*",
    ),
)


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
            return SizePreset(
                f"random_{seed}", f"Question {seed}", n, f, "explicit", pad, stride, 1, out, "random"
            )


def table_totals(rows: list[dict]) -> dict:
    """Totals of :func:`core.models.architectures.layer_table` rows: ``params``, ``trainable``,
    ``non_trainable``, ``param_bytes`` (float32) and ``activation_bytes`` (all layer outputs of one
    batch)."""
    params = sum(r["params"] for r in rows)
    trainable = sum(r["trainable"] for r in rows)
    return {
        "params": params,
        "trainable": trainable,
        "non_trainable": params - trainable,
        "param_bytes": params * FLOAT32_BYTES,
        "activation_bytes": sum(r["activation_bytes"] for r in rows),
    }


def with_batch_size(rows: list[dict], batch_size: int) -> list[dict]:
    """Copies of :func:`core.models.architectures.layer_table` rows (computed for batch size 1) for
    another batch size.

    Raises
    ------
    ValueError
        If ``batch_size`` is not an int >= 1.
    """
    positive_int(batch_size, "batch_size")
    return [{**r, "activation_bytes": batch_size * prod(r["output_shape"]) * FLOAT32_BYTES} for r in rows]
