"""The seeds' worked convolution examples, as data the page loads and the tests check.

Each :class:`WorkedExample` holds a small matrix image, a kernel, the settings, the output position
the seed works through, and the value(s) the seed (or its source figure) prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from core.data.images import line_image, step_edge
from core.maths.kernels import KERNELS, LINE_KERNELS

_R = [[156, 155, 156, 158], [153, 154, 157, 159], [149, 151, 155, 158], [146, 146, 149, 153]]
_G = [[167, 166, 167, 169], [164, 165, 168, 170], [160, 162, 166, 169], [156, 156, 159, 163]]
_B = [[163, 162, 163, 165], [160, 161, 164, 166], [156, 158, 162, 165], [155, 155, 158, 162]]
_KR = [[-1, -1, 1], [0, 1, -1], [0, 1, 1]]
_KG = [[1, 0, 0], [1, -1, -1], [1, 0, -1]]
_KB = [[0, 1, 1], [0, 1, 0], [1, -1, 1]]

NG_6X6 = [
    [3, 0, 1, 2, 7, 4],
    [1, 5, 8, 9, 3, 1],
    [2, 7, 2, 5, 1, 3],
    [0, 1, 3, 1, 7, 8],
    [4, 2, 1, 6, 2, 8],
    [2, 4, 5, 2, 3, 9],
]
DERTAT_5X5 = [[1, 1, 1, 0, 0], [0, 1, 1, 1, 0], [0, 0, 1, 1, 1], [0, 0, 1, 1, 0], [0, 1, 1, 0, 0]]


@dataclass(frozen=True)
class WorkedExample:
    """A seed's worked example.

    Attributes
    ----------
    key, title : str
    image : ndarray (H, W) or (H, W, C), float32, pixel values as printed
    kernel : ndarray (kh, kw) or (kh, kw, C), float32
    padding, stride, bias : as for :func:`core.maths.convolution.cross_correlate2d`
    flip : bool
        True for true convolution (kernel flipped).
    position : (row, col)
        The output cell the seed works through.
    expected_value : float
        The seed's number at ``position``.
    expected_map : ndarray or None
        The whole feature map where the seed (or its figure) gives it.
    source : str
        The course document, as :func:`core.data.course.cite` writes it; "[external]" where the numbers come
        from the figure the seed lost.
    note : str
    """

    key: str
    title: str
    image: np.ndarray = field(repr=False)
    kernel: np.ndarray = field(repr=False)
    padding: object = "valid"
    stride: int = 1
    bias: float = 0.0
    flip: bool = False
    position: tuple[int, int] = (0, 0)
    expected_value: float = 0.0
    expected_map: np.ndarray | None = field(default=None, repr=False)
    source: str = ""
    note: str = ""


def _f(a) -> np.ndarray:
    return np.asarray(a, dtype=np.float32)


_EXAMPLES = [
    WorkedExample(
        "patch_308",
        "The 308 example (red channel)",
        _f(_R),
        _f(_KR),
        padding=1,
        position=(0, 0),
        expected_value=308.0,
        source="Course notes, *Convolution, pooling and tensors* §2.3 "
        "(values from the figure it describes [external])",
        note="0·−1 + 0·−1 + 0·1 + 0·0 + 156·1 + 155·−1 + 0·0 + 153·1 + 154·1 = 308: the top-left "
        "window of the zero-padded red channel.",
    ),
    WorkedExample(
        "patch_308_flipped",
        "The 308 patch with true convolution (flipped kernel)",
        _f(_R),
        _f(_KR),
        padding=1,
        flip=True,
        position=(0, 0),
        expected_value=-151.0,
        source="Course notes, *Convolution, pooling and tensors* §2.3 with the flip of Course notes, "
        "*CNNs and regularisation in Keras*, *Convolution operation: filters, kernels*",
        note="Flipping the kernel (textbook convolution) turns 308 into −151: Keras' Conv2D does not flip.",
    ),
    WorkedExample(
        "rgb_308",
        "RGB: three channels + bias → −25",
        np.stack([_f(_R), _f(_G), _f(_B)], -1),
        np.stack([_f(_KR), _f(_KG), _f(_KB)], -1),
        padding=1,
        bias=1.0,
        position=(0, 0),
        expected_value=-25.0,
        source="Course notes, *Convolution, pooling and tensors* §2.3 "
        "(green/blue values from the figure [external])",
        note="Per channel 308, −498 and 164; their sum plus the bias 1 gives 308 − 498 + 164 + 1 = −25. "
        "The next two outputs are 466 and 466.",
    ),
    WorkedExample(
        "ng_6x6",
        "Ng's 6×6 vertical-edge example",
        _f(NG_6X6),
        KERNELS["vertical_edge"].values,
        position=(0, 0),
        expected_value=-5.0,
        expected_map=_f([[-5, -4, 0, 8], [-10, -2, 2, 3], [0, -2, -4, -7], [-3, -2, -3, -16]]),
        source="Course notes, *CNN building blocks and classic networks*, *Edge detection* "
        "(matrix from the course figure [external])",
        note="3·1 + 1·1 + 2·1 − (1 + 8 + 2) = −5; 'fill the empty cells' by sliding right and down.",
    ),
    WorkedExample(
        "step_edge",
        "The 10 | 0 step image",
        step_edge(),
        KERNELS["vertical_edge"].values,
        position=(0, 1),
        expected_value=30.0,
        expected_map=_f([[0, 30, 30, 0]] * 4),
        source="Course notes, *CNN building blocks and classic networks*, *Edge detection* "
        "(values from the course figure [external])",
        note="A bright→dark edge of height 10 gives 30 in the middle columns; 0 on flat areas.",
    ),
    WorkedExample(
        "binary_5x5",
        "5×5 binary input, X-shaped kernel",
        _f(DERTAT_5X5),
        _f([[1, 0, 1], [0, 1, 0], [1, 0, 1]]),
        position=(0, 1),
        expected_value=3.0,
        expected_map=_f([[4, 3, 4], [2, 4, 3], [2, 3, 4]]),
        source="Course notes, *Autoencoders and convolutional networks*, *2D convolution* "
        "(table reconstructed)",
        note="The first window gives 4, the next one 3 (the '3' the course shows).",
    ),
    *[
        WorkedExample(
            f"{name}_on_line",
            f"{KERNELS[name].title} on its own line",
            line_image(angle, 5),
            KERNELS[name].values,
            position=(1, 1),
            expected_value=6.0,
            source=KERNELS[name].source,
            note="6 on the line it is made for; the other three line kernels give 0 at the centre.",
        )
        for name, angle in zip(LINE_KERNELS, (0, 45, 90, 135), strict=False)
    ],
]


# --- Convolution, pooling and tensors §2.11: a kernel is a shape packed into a matrix ---------------
DIAGONAL_PATTERNS: dict[str, np.ndarray] = {
    "'/' diagonal": _f([[0, 1], [1, 0]]),
    "solid block": _f([[1, 1], [1, 1]]),
    "'/' with one more pixel": _f([[1, 1], [1, 0]]),
    "'\\' diagonal": _f([[1, 0], [0, 1]]),
    "empty": _f([[0, 0], [0, 0]]),
}
"""2×2 test patterns for the seed's diagonal detectors (Course notes, *Convolution, pooling and tensors*
§2.11)."""


def diagonal_strip() -> np.ndarray:
    """The test patterns of :data:`DIAGONAL_PATTERNS` side by side, one empty column between them.

    Returns
    -------
    ndarray of shape (2, 14), float32; the pattern ``i`` occupies columns ``3i`` and ``3i + 1``,
    so a valid 2×2 cross-correlation reads it at output column ``3i``.
    """
    blocks = []
    for pattern in DIAGONAL_PATTERNS.values():
        blocks += [pattern, np.zeros((2, 1), np.float32)]
    return np.concatenate(blocks[:-1], axis=1)


def diagonal_responses() -> dict[str, dict[str, float]]:
    """Kernel name -> {pattern name -> response} for the two 2×2 diagonal kernels of the course notes
    *Convolution, pooling and tensors* §2.11.

    The plain detector ``[[0, 1], [1, 0]]`` gives 2 on the '/' diagonal and also 2 on a solid block
    ("you will detect ALL diagonal lines, even if they are within another shape"); the one
    with negative weights ``[[-1, 1], [1, -1]]`` gives 2 only on the isolated diagonal (0 on the
    block, 1 with one more pixel, −2 on '\\').
    """
    out = {}
    for name in ("diagonal_2x2", "isolated_diagonal_2x2"):
        k = KERNELS[name].values
        out[name] = {p: float((k * v).sum()) for p, v in DIAGONAL_PATTERNS.items()}
    return out


def _diagonal_example(name: str, expected: float) -> WorkedExample:
    strip = diagonal_strip()
    kernel = KERNELS[name].values
    row = [float((kernel * strip[:, c : c + 2]).sum()) for c in range(strip.shape[1] - 1)]
    return WorkedExample(
        f"{name}_patterns",
        f"{KERNELS[name].title} on five test patterns",
        strip,
        kernel,
        position=(0, 3),
        expected_value=expected,
        expected_map=_f([row]),
        source="Course notes, *Convolution, pooling and tensors* §2.11 (test patterns ours)",
        note="Patterns left to right: '/' diagonal, solid block, '/' with one more pixel, "
        "'\\' diagonal, empty; "
        "each is read at output columns 0, 3, 6, 9, 12. "
        + (
            "Without negative weights the solid block (column 3) scores 2, like the diagonal."
            if expected
            else "The negative weights demand an isolated diagonal: the solid block "
            "(column 3) scores 0, the diagonal (column 0) 2."
        ),
    )


_EXAMPLES += [_diagonal_example("diagonal_2x2", 2.0), _diagonal_example("isolated_diagonal_2x2", 0.0)]

WORKED_EXAMPLES: dict[str, WorkedExample] = {e.key: e for e in _EXAMPLES}
"""Key → :class:`WorkedExample`, in display order."""

FORMER_EXAMPLE_KEYS: dict[str, str] = {
    "seed002_308": "patch_308",
    "seed002_308_flipped": "patch_308_flipped",
    "seed002_rgb": "rgb_308",
    "seed003_6x6": "ng_6x6",
    "seed003_step": "step_edge",
    "seed000_5x5": "binary_5x5",
    **{f"seed001_{name}": f"{name}_on_line" for name in LINE_KERNELS},
    **{f"seed002_{name}": f"{name}_patterns" for name in ("diagonal_2x2", "isolated_diagonal_2x2")},
}
"""Former key → key of :data:`WORKED_EXAMPLES`: links shared before the keys said what they hold
(``?example=seed002_308``) still open the same example."""


# --- Autoencoders and convolutional networks: 1-D convolution first --------------------------------
SIGNAL_1D = (0.0, 1.0, 2.0, 3.0, 4.0)
KERNEL_1D = (1.0, -1.0, 2.0)
CONVOLVE_1D_FULL = (0.0, 1.0, 1.0, 3.0, 5.0, 2.0, 8.0)
"""``np.convolve([0,1,2,3,4], [1,-1,2])`` as printed in Course notes, *Autoencoders and convolutional
networks*, *CNNs: convolution*."""


# --- Autoencoders and convolutional networks: Brandon Rohrer's X / O ----------------------------------
XO_FEATURE = _f([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]])
"""The diagonal 3×3 feature of Rohrer's example (Course notes, *Autoencoders and convolutional networks*, *CNN
simple example*)."""


@dataclass(frozen=True)
class XOScores:
    """The X image filtered with the diagonal feature, at every stage the course describes.

    Attributes
    ----------
    sums : ndarray (7, 7), int64
        Sum of feature × patch (from −9 to 9).
    scores : ndarray (7, 7), float64
        ``sums / 9``: "divide by the total number of pixels in the feature".
    printed : ndarray (7, 7), float64
        ``scores`` cut after two decimals, as the course prints them (7/9 = 0.777… → 0.77); rounding would
        give 0.78.
    relu : ndarray (7, 7), float64
        ``max(printed, 0)``: "wherever a negative number occurs, swap it out for a 0".
    """

    sums: np.ndarray
    scores: np.ndarray
    printed: np.ndarray
    relu: np.ndarray


def xo_scores(which: str = "x") -> XOScores:
    """Rohrer's 9×9 X (or O) correlated with :data:`XO_FEATURE` (valid, stride 1): 7×7 maps.

    Raises
    ------
    ValueError
        If ``which`` is not "x" or "o".
    """
    from core.data.images import x_and_o
    from core.maths.convolution import cross_correlate2d

    sums = np.rint(cross_correlate2d(x_and_o(which), XO_FEATURE)).astype(np.int64)
    scores = sums / 9.0
    printed = np.trunc(np.round(scores * 100, 6)) / 100
    return XOScores(sums, scores, printed, np.maximum(printed, 0.0))
