"""Convolution on volumes: an RGB input, several 3-D kernels, one output channel per kernel.

Two examples for the Convolution page, each an input ``(H, W, C)``, kernels ``(f, f, C, F)`` in
Keras' layout, biases ``(F,)`` and the settings, computed with
:func:`core.maths.convolution.conv2d_layer` (checked against ``tf.nn.conv2d`` in the tests):

* **Several kernels make a volume** (Course notes, *CNN building blocks and classic networks*, *Convolution
  with multiple filters*): an RGB 6×6×3 input and two 3×3×3 kernels give a 4×4×2 output,
  ``n×n×n_c ∗ f×f×n_c → (n−f+1)×(n−f+1)×n_c′`` with ``n_c′`` the number of kernels. The two kernels are Ng's
  (the course the seed follows [external]): vertical edges in the red channel only, and vertical edges in
  every channel. The red channel is the 6×6 matrix of the course's edge example, so output channel 0 repeats
  its map.
* **The cs231n walk-through** (Course notes, *Autoencoders and convolutional networks*, *2D convolution on
  volumes*): a 5×5×3 input, padding 1, stride 2 and two 3×3×3 filters give a 3×3×2 "Output Volume". The seed
  keeps filter W1 (two of its three slices whole, six values of the middle one) and the printed output volume,
  but the input volume and filter W0 are lost (the cs231n demo draws them at random), so its numbers cannot be
  recomputed. The walk-through here uses the seed's W1 (the three lost values set to 0), the demo's biases (b0
  = 1, b1 = 0 [external]) and an input and W0 drawn from a seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.data.convolution_examples import NG_6X6
from core.maths.convolution import conv2d_layer
from core.maths.kernels import KERNELS


@dataclass(frozen=True)
class VolumeExample:
    """A multi-kernel convolution: the numbers and where they come from.

    Attributes
    ----------
    image : ndarray (H, W, C), float32
    kernels : ndarray (f, f, C, F), float32 (Keras ``Conv2D`` layout)
    biases : ndarray (F,), float32
    stride, padding : as :func:`core.maths.convolution.conv2d_layer`
    source, note : str
    """

    key: str
    title: str
    image: np.ndarray = field(repr=False)
    kernels: np.ndarray = field(repr=False)
    biases: np.ndarray = field(repr=False)
    stride: int = 1
    padding: object = "valid"
    source: str = ""
    note: str = ""

    def output(self) -> np.ndarray:
        """The output volume ``(H', W', F)``, float32."""
        return conv2d_layer(self.image, self.kernels, self.biases, stride=self.stride, padding=self.padding)


def _f(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


def rgb_two_kernels() -> VolumeExample:
    """6×6×3 ∗ two 3×3×3 kernels → 4×4×2 (Course notes, *CNN building blocks and classic networks*,
    *Convolution with multiple filters*)."""
    red = _f(NG_6X6)
    image = np.stack([red, red.T, np.full((6, 6), 5, np.float32)], axis=-1)
    edge = KERNELS["vertical_edge"].values
    zero = np.zeros_like(edge)
    red_only = np.stack([edge, zero, zero], axis=-1)
    every = np.stack([edge, edge, edge], axis=-1)
    return VolumeExample(
        "rgb_two_kernels",
        "RGB 6×6×3 with two 3×3×3 kernels → 4×4×2",
        image,
        np.stack([red_only, every], axis=-1),
        np.zeros(2, np.float32),
        source="Course notes, *CNN building blocks and classic networks*, "
        "*Convolution with multiple filters* (kernels from Ng's course [external]; input ours)",
        note="Red = the course's 6×6 edge-example matrix, green = the same matrix transposed, blue = flat 5. "
        "Kernel 0 looks for vertical edges in red only; kernel 1 in every channel (the flat blue adds 0).",
    )


CS231N_W1_SLICES = {0: _f([[-1, 0, 0], [0, 0, 1], [0, -1, 1]]), 2: _f([[0, 0, -1], [-1, 0, -1], [1, 1, 1]])}
CS231N_W1_MIDDLE_PRINTED = (1, -1, 1, 0, 1, 1)
"""What is left of w1[:,:,1] in Course notes, *Autoencoders and convolutional networks*, *2D convolution on
volumes* (three values lost)."""
CS231N_OUTPUT_PRINTED = np.stack(
    [_f([[-1, -5, -5], [2, -2, -8], [-3, -7, -7]]), _f([[3, 0, -3], [1, 8, 0], [2, 4, 0]])], axis=-1
)
"""The course's "Output Volume (3x3x2)", o[:,:,0] and o[:,:,1]; shape (3, 3, 2)."""


def cs231n_walkthrough(seed: int = 0) -> VolumeExample:
    """The cs231n demo's setup: 5×5×3 input in {0, 1, 2}, pad 1, stride 2, two 3×3×3 filters → 3×3×2.

    W0 and the input are drawn from ``seed`` (weights in {−1, 0, 1}), as the demo draws them; W1
    is the seed's (:data:`CS231N_W1_SLICES`, the middle slice's first six values printed, the last
    three set to 0).

    Raises
    ------
    ValueError
        If ``seed`` is negative.
    """
    if int(seed) < 0:
        raise ValueError(f"`seed` must be >= 0, got {seed!r}.")
    rng = np.random.default_rng(int(seed))
    image = rng.integers(0, 3, (5, 5, 3)).astype(np.float32)
    w0 = rng.integers(-1, 2, (3, 3, 3)).astype(np.float32)
    middle = _f(list(CS231N_W1_MIDDLE_PRINTED) + [0, 0, 0]).reshape(3, 3)
    w1 = np.stack([CS231N_W1_SLICES[0], middle, CS231N_W1_SLICES[2]], axis=-1)
    return VolumeExample(
        "cs231n",
        "cs231n demo: 5×5×3, pad 1, stride 2, two 3×3×3 filters → 3×3×2",
        image,
        np.stack([w0, w1], axis=-1),
        _f([1, 0]),
        stride=2,
        padding=1,
        source="Course notes, *Autoencoders and convolutional networks*, *2D convolution on volumes* "
        "(W1 and the printed output volume); biases and setup "
        "from the cs231n notes [external]",
        note="Output size ⌊(5 + 2·1 − 3)/2⌋ + 1 = 3 per side, one channel per filter.",
    )
