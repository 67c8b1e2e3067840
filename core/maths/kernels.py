"""A gallery of named image kernels, each with where it comes from and what it detects.

The course's kernels are reproduced exactly as printed in Course notes, *CNNs and regularisation in
Keras* (rows top to bottom; each kernel's ``source`` names its slide). The others are the standard
image-processing kernels (Setosa's
"Image Kernels", scikit-image, Gonzalez & Woods), marked as such.

Every kernel is stored as a float32 ``(k, k)`` array; look it up with ``KERNELS[name].values``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

KERAS_CNN_NOTES = "Course notes, *CNNs and regularisation in Keras*"
CLASSIC_CNN_NOTES = "Course notes, *CNN building blocks and classic networks*"


@dataclass(frozen=True)
class Kernel:
    """One named kernel.

    Attributes
    ----------
    name : str
        Key in :data:`KERNELS` (also used in URLs).
    title : str
        Label shown on the page.
    values : ndarray of shape (k, k), float32
        The weights, row 0 at the top. Treat as read-only.
    description : str
        What it computes.
    detects : str
        What lights up in the feature map.
    source : str
        Where the numbers come from (seed file and lines, or a reference).
    from_course : bool
        True when printed in one of the lecture seeds.
    """

    name: str
    title: str
    values: np.ndarray = field(repr=False)
    description: str
    detects: str
    source: str
    from_course: bool = False

    @property
    def size(self) -> int:
        return int(self.values.shape[0])

    @property
    def is_flip_symmetric(self) -> bool:
        """True when a 180° rotation leaves it unchanged, so convolution = cross-correlation."""
        return bool(np.array_equal(self.values, self.values[::-1, ::-1]))

    @property
    def facts(self) -> KernelFacts:
        """Its sum and flip behaviour (:func:`kernel_facts`)."""
        return kernel_facts(self.values)


def _k(rows) -> np.ndarray:
    arr = np.asarray(rows, dtype=np.float32)
    arr.setflags(write=False)
    return arr


def _gaussian(size: int, sigma: float) -> np.ndarray:
    ax = np.arange(size) - (size - 1) / 2
    g = np.exp(-(ax**2) / (2 * sigma**2))
    kernel = np.outer(g, g)
    return kernel / kernel.sum()


_ENTRIES = [
    Kernel(
        "horizontal_lines",
        "Horizontal lines",
        _k([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]]),
        "Line detector: the middle row weighs +2, the rows above and below −1.",
        "1-pixel horizontal lines (6 on the line, 0 on lines of other angles)",
        f"{KERAS_CNN_NOTES}, *Convolution operation: filters, kernels*",
        True,
    ),
    Kernel(
        "lines_45",
        "45° lines",
        _k([[-1, -1, 2], [-1, 2, -1], [2, -1, -1]]),
        "Line detector for the rising diagonal ('/'). The seed prints it without a label (lost in "
        "the text); it is the standard +45° line mask.",
        "1-pixel '/' diagonal lines",
        f"{KERAS_CNN_NOTES}, *Convolution operation: filters, kernels*",
        True,
    ),
    Kernel(
        "vertical_lines",
        "Vertical lines",
        _k([[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]]),
        "Line detector: the middle column weighs +2, its neighbours −1.",
        "1-pixel vertical lines",
        f"{KERAS_CNN_NOTES}, *Convolution operation: filters, kernels*",
        True,
    ),
    Kernel(
        "lines_135",
        "135° lines",
        _k([[2, -1, -1], [-1, 2, -1], [-1, -1, 2]]),
        "Line detector for the falling diagonal ('\\').",
        "1-pixel '\\' diagonal lines",
        f"{KERAS_CNN_NOTES}, *Convolution operation: filters, kernels*",
        True,
    ),
    Kernel(
        "sobel_horizontal",
        "Sobel (horizontal edges)",
        _k([[-1, -2, -1], [0, 0, 0], [1, 2, 1]]),
        "Vertical gradient (bottom minus top), smoothed across. Its label is garbled in the seed.",
        "horizontal edges; the sign says dark→light (+) or light→dark (−) going down",
        f"{KERAS_CNN_NOTES}, *More filters*",
        True,
    ),
    Kernel(
        "sobel_vertical",
        "Sobel (vertical edges)",
        _k([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]),
        "Horizontal gradient (right minus left), smoothed down the column.",
        "vertical edges; + where it gets brighter to the right",
        f"{KERAS_CNN_NOTES}, *More filters*",
        True,
    ),
    Kernel(
        "laplacian_4",
        "Laplacian (4-neighbour)",
        _k([[0, -1, 0], [-1, 4, -1], [0, -1, 0]]),
        "4 × the centre minus the sum of its 4 neighbours: the negated discrete Laplacian "
        "(centre-positive sign, as printed).",
        "edges and fine detail in every direction; 0 on flat areas",
        f"{KERAS_CNN_NOTES}, *More filters*",
        True,
    ),
    Kernel(
        "laplacian_8",
        "Laplacian (8-neighbour)",
        _k([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
        "Second derivative including the diagonals.",
        "edges and points in every direction",
        f"{KERAS_CNN_NOTES}, *More filters*",
        True,
    ),
    Kernel(
        "log_5x5",
        "Laplacian of Gaussian (5×5)",
        _k(
            [[0, 0, -1, 0, 0], [0, -1, -2, -1, 0], [-1, -2, 16, -2, -1], [0, -1, -2, -1, 0], [0, 0, -1, 0, 0]]
        ),
        "A Laplacian on a smoothed image: less sensitive to noise than the 3×3 Laplacians.",
        "blobs and edges at a coarser scale",
        f"{KERAS_CNN_NOTES}, *More filters*",
        True,
    ),
    Kernel(
        "vertical_edge",
        "Vertical edge (Ng)",
        _k([[1, 0, -1], [1, 0, -1], [1, 0, -1]]),
        "Left minus right. The seed's text refers to it; the values are the standard ones of "
        "Andrew Ng's course, which the seed follows.",
        "vertical edges: +30 on a bright→dark step of height 10",
        f"{CLASSIC_CNN_NOTES}, *Edge detection* (values from the course it follows)",
        False,
    ),
    Kernel(
        "horizontal_edge",
        "Horizontal edge (Ng)",
        _k([[1, 1, 1], [0, 0, 0], [-1, -1, -1]]),
        "Top minus bottom.",
        "horizontal edges",
        f"{CLASSIC_CNN_NOTES}, *Edge detection* (values from the course it follows)",
        False,
    ),
    Kernel(
        "scharr_vertical",
        "Scharr (vertical edges)",
        _k([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]]),
        "Like Sobel with weights chosen for better rotation symmetry.",
        "vertical edges",
        "Scharr 2000; scikit-image `filters.scharr_v`",
        False,
    ),
    Kernel(
        "identity",
        "Identity",
        _k([[0, 0, 0], [0, 1, 0], [0, 0, 0]]),
        "Copies the centre pixel: the output equals the input.",
        "nothing (a no-op)",
        "standard",
        False,
    ),
    Kernel(
        "box_blur",
        "Box blur",
        _k(np.full((3, 3), 1 / 9)),
        "Mean of the 3×3 neighbourhood.",
        "nothing: smooths",
        "standard",
        False,
    ),
    Kernel(
        "gaussian_3x3",
        "Gaussian blur (3×3)",
        _k(np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16),
        "Weighted mean, nearer pixels count more (binomial approximation of a Gaussian).",
        "nothing: smooths",
        "standard (binomial 1-2-1)",
        False,
    ),
    Kernel(
        "gaussian_5x5",
        "Gaussian blur (5×5)",
        _k(_gaussian(5, 1.0)),
        "Gaussian weights with σ = 1 pixel, normalised to sum 1.",
        "nothing: smooths more",
        "standard (σ = 1)",
        False,
    ),
    Kernel(
        "sharpen",
        "Sharpen",
        _k([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
        "Identity plus the 4-neighbour Laplacian: boosts local contrast.",
        "fine detail, enhanced",
        "standard (Setosa image kernels)",
        False,
    ),
    Kernel(
        "emboss",
        "Emboss",
        _k([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
        "A diagonal gradient plus the pixel itself: relief lit from the top-left.",
        "diagonal edges, as shading",
        "standard (Setosa image kernels)",
        False,
    ),
    Kernel(
        "outline",
        "Outline",
        _k([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]),
        "Same weights as the 8-neighbour Laplacian; shown with a clip display it outlines shapes.",
        "outlines",
        "standard (Setosa image kernels)",
        False,
    ),
    Kernel(
        "diagonal_2x2",
        "2×2 diagonal shape",
        _k([[0, 1], [1, 0]]),
        "'The entire filter is essentially just a shape, packed into a matrix.' Fires on a '/' "
        "diagonal but equally on a solid block.",
        "'/' diagonals (and solid blocks)",
        "Course notes, *Convolution, pooling and tensors* §2.11",
        True,
    ),
    Kernel(
        "isolated_diagonal_2x2",
        "2×2 isolated diagonal",
        _k([[-1, 1], [1, -1]]),
        "Negative weights off the diagonal demand an isolated diagonal: 2 on '/', 0 on a block.",
        "isolated '/' diagonals only",
        "Course notes, *Convolution, pooling and tensors* §2.11",
        True,
    ),
]

SCHARR_COMPLEX = np.array(
    [[-3 - 3j, 0 - 10j, +3 - 3j], [-10 + 0j, 0 + 0j, +10 + 0j], [-3 + 3j, 0 + 10j, +3 + 3j]],
    dtype=np.complex128,
)
SCHARR_COMPLEX.setflags(write=False)
"""The Scharr pair as one complex kernel: real part = horizontal gradient (x, vertical edges),
imaginary part = vertical gradient (y, horizontal edges). Course notes, *Autoencoders and
convolutional networks*, *Convolution in TensorFlow and SciPy* calls
``signal.convolve2d(arr, kernel, mode='same', boundary='symm')`` without defining ``kernel``; the
code is SciPy's ``convolve2d`` documentation example, which defines it so."""

KERNELS: dict[str, Kernel] = {k.name: k for k in _ENTRIES}
"""Name → :class:`Kernel`, in display order (seed kernels first)."""

LINE_KERNELS = ("horizontal_lines", "lines_45", "vertical_lines", "lines_135")


@dataclass(frozen=True)
class KernelFacts:
    """What the sum and the symmetry of a kernel say about its feature map.

    Attributes
    ----------
    total : float
        Sum of the weights: on a flat region of value ``c`` the output is ``total * c``
        (0 for edge and line detectors, ``c`` for blurs that sum to 1).
    flip : {"symmetric", "antisymmetric", "neither"}
        How the kernel relates to its 180° rotation: "symmetric": convolution equals
        cross-correlation; "antisymmetric": convolution is minus the cross-correlation;
        "neither": the two differ by more than a sign.
    """

    total: float
    flip: str

    def sentence(self) -> str:
        """One line for the page, e.g. "Sums to 0: a flat region gives 0. Unchanged by a 180° flip: ..."."""
        t = round(self.total, 6) + 0.0
        if t == 0:
            first = "Sums to 0: a flat region gives 0, only changes light up."
        elif t == 1:
            first = "Sums to 1: a flat region keeps its value (the brightness is preserved)."
        else:
            first = f"Sums to {t:g}: a flat region of value c gives {t:g}·c."
        second = {
            "symmetric": "Unchanged by a 180° flip: convolution and cross-correlation give the same map.",
            "antisymmetric": "A 180° flip negates it: convolution gives minus the cross-correlation.",
            "neither": "A 180° flip changes it: convolution and cross-correlation give different maps.",
        }
        return f"{first} {second[self.flip]}"


def kernel_facts(values) -> KernelFacts:
    """The sum and flip symmetry of a kernel.

    Parameters
    ----------
    values : array_like of shape (kh, kw) or (kh, kw, C), float

    Returns
    -------
    KernelFacts

    Raises
    ------
    ValueError
        If ``values`` is not 2-D or 3-D or holds NaN or infinity.
    """
    k = np.asarray(values, dtype=np.float64)
    if k.ndim not in (2, 3) or k.size == 0:
        raise ValueError(f"`values` must have shape (kh, kw) or (kh, kw, C), got shape {k.shape}.")
    if not np.isfinite(k).all():
        raise ValueError("`values` contains NaN or infinite weights.")
    rotated = k[::-1, ::-1, ...]
    if np.allclose(k, rotated):
        flip = "symmetric"
    elif np.allclose(k, -rotated):
        flip = "antisymmetric"
    else:
        flip = "neither"
    return KernelFacts(float(k.sum()), flip)


def get_kernel(name: str) -> Kernel:
    """Look up a kernel by name.

    Raises
    ------
    ValueError
        If ``name`` is not a key of :data:`KERNELS` (the message lists the valid names).
    """
    try:
        return KERNELS[name]
    except KeyError:
        raise ValueError(f"Unknown kernel {name!r}; choose one of {', '.join(KERNELS)}.") from None
