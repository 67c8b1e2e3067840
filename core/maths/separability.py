"""Linear separability: can one threshold neuron split the points rated 1 from those rated 0?

Linear separability (:func:`is_linearly_separable`) is decided exactly by linear programming
(``scipy.optimize.linprog``, HiGHS): a separating ``(w, b)`` is returned when one exists, and
otherwise a certificate that none can: a point that is a convex combination both of the rows
rated 1 and of the rows rated 0. The seed's own proof for XOR is :func:`xor_contradiction`.

Truth tables are outputs over :func:`core.maths.neurons.input_rows`; the neuron fires at zero,
``phi(0) = 1``, so a row rated 1 needs ``w·x + b >= 0`` and a row rated 0 needs ``< 0``.

References
----------
definition and theorem, Course notes, *Introduction to deep learning* §1.2.3–1.2.4.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

from core.maths.boolean_functions import BOOLEAN_FUNCTIONS, BooleanFunction
from core.maths.checks import finite_number
from core.maths.neurons import input_rows

INTRO_DL_NOTES = "Course notes, *Introduction to deep learning*"


def _outputs(truth) -> np.ndarray:
    """Validate a target truth table (BooleanFunction or 0/1 sequence of length 2, 4 or 8)."""
    values = truth.outputs if isinstance(truth, BooleanFunction) else truth
    arr = np.asarray(values)
    if arr.ndim != 1 or arr.size not in (2, 4, 8):
        raise ValueError(
            "`truth_table` must list the outputs of a 1-, 2- or 3-input function "
            f"(2, 4 or 8 values in input_rows order), got shape {arr.shape}."
        )
    if not np.isin(arr, (0, 1)).all():
        raise ValueError(f"`truth_table` values must be 0 or 1, got {values!r}.")
    return arr.astype(np.int64)


@dataclass(frozen=True)
class Separability:
    """Whether one threshold neuron can split points rated 1 from points rated 0, and why.

    Attributes
    ----------
    separable : bool
    weights : tuple of float or None
        A separating ``w`` when ``separable`` (for Boolean functions scaled so that the smallest
        non-zero ``|w_i|`` is 1: AND gives the seed's ``(1, 1)``).
    bias : float or None
        Its bias ``b`` (the seed's ``w_0``): rows rated 1 get ``w·x + b >= 0``, rows rated 0 ``< 0``.
    hull_weights : tuple of float or None
        When not separable: one coefficient per point, ``>= 0``, summing to 1 over the points
        rated 1 and to 1 over the points rated 0, such that both weighted means are the same
        point (the certificate that no line or plane can separate them).
    common_point : tuple of float or None
        That point.
    explanation : tuple of str
        Plain-text lines a page can print.
    """

    separable: bool
    weights: tuple | None
    bias: float | None
    hull_weights: tuple | None
    common_point: tuple | None
    explanation: tuple


def _points_labels(points, labels) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(points, dtype=np.float64)
    y = np.asarray(labels)
    if x.ndim != 2 or x.shape[0] == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"`points` must be a non-empty (N, n) array of finite numbers, got shape {x.shape}.")
    if y.shape != (x.shape[0],) or not np.isin(y, (0, 1)).all():
        raise ValueError(f"`labels` must hold {x.shape[0]} values, each 0 or 1, got {labels!r}.")
    return x, y.astype(np.int64)


def _separating_lp(x: np.ndarray, signs: np.ndarray) -> np.ndarray | None:
    """Smallest-L1 ``v = (w, b)`` with ``s_i (w·x_i + b) >= 1``, or None if there is none."""
    from scipy.optimize import linprog  # imported here: only this function needs SciPy

    xt = signs[:, None] * np.hstack([x, np.ones((len(x), 1))])
    a_ub = np.hstack([-xt, xt])  # v = p - q with p, q >= 0
    res = linprog(np.ones(a_ub.shape[1]), A_ub=a_ub, b_ub=-np.ones(len(x)), bounds=(0, None), method="highs")
    if res.status == 2:
        return None
    if res.status != 0:
        raise RuntimeError(f"linear program failed: {res.message}")
    half = a_ub.shape[1] // 2
    return res.x[:half] - res.x[half:]


def _hull_witness(x: np.ndarray, signs: np.ndarray) -> np.ndarray:
    """Coefficients c >= 0, summing to 1 on each class, with equal weighted means (Farkas certificate)."""
    from scipy.optimize import linprog

    a_eq = np.vstack([(x * signs[:, None]).T, signs > 0, signs < 0]).astype(np.float64)
    b_eq = np.r_[np.zeros(x.shape[1]), 1.0, 1.0]
    res = linprog(np.zeros(len(x)), A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs-ds")
    if res.status != 0:
        raise RuntimeError(f"linear program failed: {res.message}")
    return res.x


def _classifies(x, signs, w, b) -> bool:
    v = x @ w + b
    return bool(np.all(np.where(signs > 0, v >= 0, v < 0)))


def separate_points(points, labels) -> Separability:
    """Decide exactly whether a line (plane, hyperplane) separates points labelled 1 from points labelled 0.

    Parameters
    ----------
    points : array_like of shape (N, n), float
    labels : array_like of shape (N,), values in {0, 1}

    Returns
    -------
    Separability
        ``weights``/``bias`` with ``w·x + b >= 1`` on label 1 and ``<= −1`` on label 0 (the
        smallest such in L1 norm), or the convex-hull certificate when none exists.

    Raises
    ------
    ValueError
        If the shapes do not match or a label is not 0/1.
    """
    x, y = _points_labels(points, labels)
    signs = np.where(y == 1, 1.0, -1.0)
    v = _separating_lp(x, signs)
    if v is not None and _classifies(x, signs, v[:-1], v[-1]):
        w, b = tuple(float(a) for a in v[:-1]), float(v[-1])
        return Separability(True, w, b, None, None, (f"Separated by w = {w}, b = {b:.6g}.",))
    c = _hull_witness(x, signs)
    point = tuple(float(a) for a in (c * (signs > 0)) @ x)
    text = (
        f"Not separable: the point {tuple(round(p, 6) for p in point)} is a weighted mean both of the "
        "points labelled 1 and of the points labelled 0, so any w·x + b would have to be >= 0 and < 0 there.",
    )
    return Separability(False, None, None, tuple(float(a) for a in c), point, text)


def _frac(value: float) -> Fraction:
    return Fraction(value).limit_denominator(60)


def _ftext(value) -> str:
    f = _frac(float(value))
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def is_linearly_separable(truth_table) -> Separability:
    """Can one threshold neuron compute this Boolean function of 1, 2 or 3 inputs? Exact answer.

    Parameters
    ----------
    truth_table : BooleanFunction or array_like of 2, 4 or 8 values in {0, 1}
        Outputs over :func:`input_rows` (``00, 01, 10, 11`` for two inputs).

    Returns
    -------
    Separability
        If separable, a ``(weights, bias)`` that computes it with ``phi(0) = 1``, scaled so the
        smallest non-zero ``|w_i|`` is 1 (AND: ``(1, 1), −1.5``; OR: ``(1, 1), −0.5``). If not,
        the certificate: for XOR, half of row 01 plus half of row 10 equals half of row 00 plus
        half of row 11, the point ``(1/2, 1/2)``.

    Raises
    ------
    ValueError
        If ``truth_table`` does not hold 2, 4 or 8 zeros and ones.

    Notes
    -----
    14 of the 16 two-input functions are separable (XOR and XNOR are not); 104 of the 256
    three-input functions are (majority is, parity is not).

    References
    ----------
    definition and theorem, Course notes, *Introduction to deep learning* §1.2.4.
    """
    return _separability(tuple(int(v) for v in _outputs(truth_table)))


@lru_cache(maxsize=512)  # 2 + 16 + 256 possible tables; the result is immutable
def _separability(outputs: tuple) -> Separability:
    out = np.array(outputs)
    x = input_rows(int(np.log2(out.size))).astype(np.float64)
    result = separate_points(x, out)
    if result.separable:
        v = np.array(result.weights + (result.bias,))
        nonzero = np.abs(v[:-1])[np.abs(v[:-1]) > 1e-9]
        v = np.round(v / (nonzero.min() if nonzero.size else abs(v[-1])), 9) + 0.0
        signs = np.where(out == 1, 1.0, -1.0)
        if not _classifies(x, signs, v[:-1], v[-1]):  # rounding never breaks a margin-1 solution
            raise RuntimeError("rounded separating weights failed to classify the rows")
        w, b = tuple(float(a) for a in v[:-1]), float(v[-1])
        wtext = ", ".join(f"{a:g}" for a in w)
        return Separability(
            True, w, b, None, None, (f"One neuron can: w = ({wtext}), w₀ = b = {b:g} gives every row.",)
        )
    c = np.array(result.hull_weights)
    rows = ["".join(str(int(a)) for a in r) for r in x]

    def combo(mask) -> str:
        return " + ".join(f"{_ftext(c[i])}·(row {rows[i]})" for i in np.flatnonzero(mask & (c > 1e-9)))

    sub = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    terms = " + ".join(f"w{str(i + 1).translate(sub)}·{_ftext(p)}" for i, p in enumerate(result.common_point))
    lines = (
        f"Rows rated 1 need w·x + w₀ ≥ 0. Adding {combo(out == 1)} gives {terms} + w₀ ≥ 0.",
        f"Rows rated 0 need w·x + w₀ < 0. Adding {combo(out == 0)} gives {terms} + w₀ < 0.",
        "The same number cannot be both ≥ 0 and < 0, so no weights exist: the point ("
        + ", ".join(_ftext(p) for p in result.common_point)
        + ") lies between the rows rated 1 and between the rows rated 0 at once.",
    )
    return Separability(False, None, None, result.hull_weights, result.common_point, lines)


def row_inequalities(truth_table) -> tuple[str, ...]:
    """The inequality each row imposes on ``(w, w_0)``, as LaTeX, one per row of :func:`input_rows`.

    A row rated 1 needs ``w·x + w_0 >= 0`` (``phi(0) = 1``), a row rated 0 needs ``< 0``; e.g.
    AND's first row gives ``w_1\\cdot 0 + w_2\\cdot 0 + w_0 < 0``.

    Raises
    ------
    ValueError
        If ``truth_table`` does not hold 2, 4 or 8 zeros and ones.

    References
    ----------
    Course notes, *Introduction to deep learning* §1.2.1; the seed writes ``> 0`` where ``phi(0) = 1``
    allows ``>= 0``.
    """
    out = _outputs(truth_table)
    x = input_rows(int(np.log2(out.size)))
    lines = []
    for row, t in zip(x, out, strict=False):
        terms = " + ".join(rf"w_{i + 1}\cdot {v}" for i, v in enumerate(row))
        relation = r"\ge" if t else "<"
        lines.append(rf"{terms} + w_0 {relation} 0")
    return tuple(lines)


@dataclass(frozen=True)
class XorContradiction:
    """The seed's proof that one neuron cannot compute XOR, as printable LaTeX lines."""

    inequalities: tuple[str, ...]
    substitution: str
    substituted: tuple[str, ...]
    conclusion: str
    note: str
    source: str


def xor_contradiction() -> XorContradiction:
    """The XOR inequalities, the substitution ``h = −w_0`` and the contradiction, as the seed argues.

    Returns
    -------
    XorContradiction
        ``inequalities`` (rows 00, 01, 10, 11), ``substituted`` (``0 < h``, ``w_2 >= h``,
        ``w_1 >= h``, ``w_1 + w_2 < h``) and the ``conclusion``.

    References
    ----------
    Course notes, *Introduction to deep learning* §1.2.3.
    """
    return XorContradiction(
        inequalities=row_inequalities(BOOLEAN_FUNCTIONS["XOR"].outputs),
        substitution=r"h = -w_0",
        substituted=(r"0 < h", r"w_2 \ge h", r"w_1 \ge h", r"w_1 + w_2 < h"),
        conclusion=(
            "h is positive and w₁, w₂ are each at least h, so w₁ + w₂ ≥ 2h > h: "
            "it cannot be less than h. No w₁, w₂, w₀ exist; one neuron cannot compute XOR."
        ),
        note=(
            "The course writes > 0 (and w₂ > h, w₁ > h) for the rows rated 1; with φ(0) = 1 the "
            "exact condition is ≥ 0. The contradiction holds either way."
        ),
        source=f"{INTRO_DL_NOTES} §1.2.3",
    )


def count_grid_solutions(
    truth_table, *, low: float = -3.0, high: float = 3.0, step_size: float = 0.25
) -> int:
    """Count the grid points ``(w_1, …, w_n, w_0)`` in ``[low, high]`` whose neuron computes ``truth_table``.

    Parameters
    ----------
    truth_table : BooleanFunction or array_like of 2, 4 or 8 values in {0, 1}
    low, high : float, ``low < high``
    step_size : float > 0
        Grid spacing; the grid holds ``round((high − low) / step_size) + 1`` values per axis.

    Returns
    -------
    int
        E.g. 0 for XOR on the default grid (25 values per axis).

    Raises
    ------
    ValueError
        If the range is empty, ``step_size <= 0`` or the grid would exceed 10 million points.
    """
    low, high, step_size = (
        finite_number(low, "low"),
        finite_number(high, "high"),
        finite_number(step_size, "step_size"),
    )
    return _grid_count(tuple(int(v) for v in _outputs(truth_table)), low, high, step_size)


@lru_cache(maxsize=64)
def _grid_count(outputs: tuple, low: float, high: float, step_size: float) -> int:
    out = np.array(outputs)
    if step_size <= 0 or high <= low:
        raise ValueError(f"need `low` < `high` and `step_size` > 0, got {low}, {high}, {step_size}.")
    grid = low + step_size * np.arange(int(round((high - low) / step_size)) + 1)
    n = int(np.log2(out.size))
    if grid.size ** (n + 1) > 10_000_000:
        raise ValueError(
            f"the grid has {grid.size ** (n + 1)} points; increase `step_size` or narrow the range."
        )
    params = np.stack(np.meshgrid(*([grid] * (n + 1)), indexing="ij"), axis=-1).reshape(-1, n + 1)
    x = np.hstack([input_rows(n), np.ones((out.size, 1))])
    fires = (params @ x.T) >= 0  # (points, rows)
    return int(np.all(fires == out.astype(bool), axis=1).sum())


__all__ = [
    "Separability",
    "XorContradiction",
    "count_grid_solutions",
    "is_linearly_separable",
    "row_inequalities",
    "separate_points",
    "xor_contradiction",
]
