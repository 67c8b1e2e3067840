"""The seeds' pooling examples: their matrices, settings and printed results, for the Pooling page.

Each :class:`PoolingPreset` names the seed file and lines it comes from; the tests pool every
matrix with :func:`core.maths.pooling.pool2d` and compare with the printed (or derived) result.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.maths.convolution import cross_correlate2d


def xo_feature_map() -> np.ndarray:
    """Rohrer's X image filtered with the diagonal feature: the seed's 7×7 map (match score / 9).

    Values are truncated to 2 decimals as the seed prints them (7/9 -> 0.77, 5/9 -> 0.55).

    Returns
    -------
    ndarray of shape (7, 7), float32

    References
    ----------
    Course notes, *Autoencoders and convolutional networks*, *CNN simple example* (the 48 printed values after
    the leading 0.77).
    """
    from core.data.images import x_and_o

    feature = np.array([[1, -1, -1], [-1, 1, -1], [-1, -1, 1]], np.float32)
    score = cross_correlate2d(x_and_o("x"), feature).astype(np.float64) / 9.0
    return (np.trunc(np.round(score * 100, 6)) / 100).astype(np.float32)


@dataclass(frozen=True)
class PoolingPreset:
    """A seed's pooling example: the matrix, the settings and the printed (or derived) result."""

    key: str
    title: str
    matrix: np.ndarray
    kind: str
    pool_size: int
    stride: int
    padding: str
    expected: np.ndarray
    source: str
    note: str = ""


def _presets() -> dict[str, PoolingPreset]:
    f = lambda a: np.asarray(a, dtype=np.float32)  # noqa: E731
    ng4 = [[1, 3, 2, 1], [2, 9, 1, 1], [1, 3, 2, 3], [5, 6, 1, 2]]
    ng4_avg = [[1, 3, 2, 1], [2, 9, 1, 1], [1, 4, 2, 3], [5, 6, 1, 2]]
    ng5 = [[1, 3, 2, 1, 3], [2, 9, 1, 1, 5], [1, 3, 2, 3, 2], [8, 3, 5, 1, 0], [5, 6, 1, 2, 9]]
    xo = np.maximum(xo_feature_map(), 0)
    items = (
        PoolingPreset(
            "ng_max",
            "Max pooling 2×2, stride 2 (Ng)",
            f(ng4),
            "max",
            2,
            2,
            "valid",
            f([[9, 2], [6, 3]]),
            "Course notes, *CNN building blocks and classic networks*, *Pooling layer* (course figure, "
            "external)",
        ),
        PoolingPreset(
            "ng_avg",
            "Average pooling 2×2, stride 2 (Ng)",
            f(ng4_avg),
            "average",
            2,
            2,
            "valid",
            f([[3.75, 1.25], [4, 2]]),
            "Course notes, *CNN building blocks and classic networks*, *Pooling layer* (course figure, "
            "external)",
            "The figure has 4 where the max-pool figure has 3, at row 2, column 1.",
        ),
        PoolingPreset(
            "ng_l2",
            "L2-norm pooling 2×2, stride 2 (on Ng's matrix)",
            f(ng4),
            "l2",
            2,
            2,
            "valid",
            f(np.sqrt([[95, 7], [71, 18]])),
            "Course notes, *Autoencoders and convolutional networks*, *Pooling* (L2-norm pooling); matrix "
            "from *CNN building blocks and classic networks*, *Pooling layer*",
            "√(1² + 3² + 2² + 9²) = √95 = 9.75: near the max (9), but every cell counts.",
        ),
        PoolingPreset(
            "ng_max_3x3",
            "Max pooling 3×3, stride 1 (Ng)",
            f(ng5),
            "max",
            3,
            1,
            "valid",
            f([[9, 9, 5], [9, 9, 5], [8, 6, 9]]),
            "Course notes, *CNN building blocks and classic networks*, *Pooling layer* (course figure, "
            "external)",
            "Overlapping windows: one large value (9) wins several windows.",
        ),
        PoolingPreset(
            "xo_map",
            "X/O feature map after ReLU, 2×2 'same' (Rohrer)",
            xo,
            "max",
            2,
            2,
            "same",
            f(
                [
                    [1.00, 0.33, 0.55, 0.33],
                    [0.33, 1.00, 0.33, 0.55],
                    [0.55, 0.33, 1.00, 0.11],
                    [0.33, 0.55, 0.11, 0.77],
                ]
            ),
            "Course notes, *Autoencoders and convolutional networks*, *CNN simple example* (pooled result "
            "derived)",
            "7×7 → 4×4 with 'same': the partial windows on the last row and column are kept.",
        ),
    )
    return {p.key: p for p in items}


POOLING_PRESETS: dict[str, PoolingPreset] = _presets()
"""Key -> :class:`PoolingPreset`, in display order."""
