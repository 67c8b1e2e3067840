"""Threshold (McCulloch–Pitts) neurons computing Boolean functions, in NumPy.

A threshold unit computes ``y = phi(w·x + b)``. The step function fires at zero,
``phi(v) = 1 if v >= 0 else 0`` (seed ``004_36a7c4616778873b.txt`` 1.1.7); the bipolar variant
outputs ±1 (+1 at zero) on ±1 inputs, as Madaline's units do (3.2.2). The seed writes the bias
as ``w_0`` with a constant input ``x_0 = 1``; here it is ``bias`` (``b``).

Truth tables list the ``2**n`` input rows in counting order with ``x1`` as the most significant
bit: ``00, 01, 10, 11`` for two inputs (:func:`input_rows`). A function of the inputs is given by
its outputs in that order, e.g. XOR is ``(0, 1, 1, 0)``.

Linear separability (:func:`is_linearly_separable`) is decided exactly by linear programming
(``scipy.optimize.linprog``, HiGHS): a separating ``(w, b)`` is returned when one exists, and
otherwise a certificate that none can: a point that is a convex combination both of the rows
rated 1 and of the rows rated 0. The seed's own proof for XOR is :func:`xor_contradiction`.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np

from core.activations import bipolar_sign, step

SEED = "004_36a7c4616778873b.txt"


# ----------------------------------------------------------------------------- the unit
def _vector(values, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`{name}` must be a sequence of numbers, got {values!r}.") from exc
    if arr.ndim != 1 or arr.size == 0 or not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` must be a non-empty 1-D sequence of finite numbers, got {values!r}.")
    return arr


def _scalar(value, name: str) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`{name}` must be a number, got {value!r}.") from exc
    if not np.isfinite(value):
        raise ValueError(f"`{name}` must be finite, got {value!r}.")
    return value


def potential(x, weights, bias: float) -> np.ndarray:
    """Internal potential ``v = w·x + b`` of a neuron.

    Parameters
    ----------
    x : array_like of shape (n,) or (N, n), float
    weights : array_like of shape (n,), float
    bias : float
        The seed's ``w_0`` (the threshold with its sign flipped, ``b = -threshold``).

    Returns
    -------
    ndarray of float64, shape () or (N,)

    Raises
    ------
    ValueError
        If ``x``'s last axis does not have ``len(weights)`` entries.
    """
    w = _vector(weights, "weights")
    xs = np.asarray(x, dtype=np.float64)
    if xs.ndim not in (1, 2) or xs.shape[-1] != w.size:
        raise ValueError(
            f"`x` must have shape ({w.size},) or (N, {w.size}) to match `weights`, got {xs.shape}."
        )
    return xs @ w + _scalar(bias, "bias")


def threshold_unit(x, weights, bias: float, *, bipolar: bool = False) -> np.ndarray:
    """Output ``y = phi(w·x + b)`` of a threshold neuron.

    Parameters
    ----------
    x : array_like of shape (n,) or (N, n)
    weights : array_like of shape (n,)
    bias : float
    bipolar : bool, default False
        False: ``phi`` is the step, outputs in {0, 1}, ``phi(0) = 1`` (seed 1.1.7).
        True: ``phi`` is the bipolar sign, outputs in {−1, +1}, ``phi(0) = +1`` (seed 2.3.4, 3.2.2).

    Returns
    -------
    ndarray of int64, shape () or (N,)

    Source: 004_36a7c4616778873b.txt 1.1.9, 1.2.1.
    """
    v = potential(x, weights, bias)
    return (bipolar_sign(v) if bipolar else step(v)).astype(np.int64)


def mcculloch_pitts(x, *, inhibitory=(), threshold: float) -> np.ndarray:
    """McCulloch–Pitts logical neuron: 1 if (sum of excitatory − sum of inhibitory inputs) >= threshold.

    Parameters
    ----------
    x : array_like of shape (m,) or (N, m), values in {0, 1}
    inhibitory : sequence of int
        0-based indices of the inhibitory inputs; all others are excitatory.
    threshold : float
        The seed's ``b`` in 1.1.6 (AND: 2, OR: 1, NOT with one inhibitory input: 0).

    Returns
    -------
    ndarray of int64, shape () or (N,)

    Raises
    ------
    ValueError
        If an index in ``inhibitory`` is out of range.

    Source: 004_36a7c4616778873b.txt 1.1.6 (l.144).
    """
    xs = np.asarray(x, dtype=np.float64)
    m = xs.shape[-1]
    signs = np.ones(m)
    for i in inhibitory:
        if not 0 <= int(i) < m:
            raise ValueError(f"`inhibitory` holds index {i}, but there are only {m} inputs (0..{m - 1}).")
        signs[int(i)] = -1.0
    return threshold_unit(xs, signs, -_scalar(threshold, "threshold"))


@dataclass(frozen=True)
class GatePreset:
    """Weights and bias of one threshold neuron that computes a named gate."""

    name: str
    weights: tuple[float, ...]
    bias: float
    source: str
    bipolar: bool = False
    note: str = ""


GATES: dict[str, GatePreset] = {
    g.name: g
    for g in (
        GatePreset("AND", (1.0, 1.0), -1.5, f"{SEED} 1.2.1 (l.233, 273)"),
        GatePreset("OR", (1.0, 1.0), -0.5, f"{SEED} 1.2.2 (l.290, 300)",
                   note="The seed's OR table lists phi(-1), phi(0), phi(0), phi(1): those potentials "
                        "belong to bias -1, not -0.5. Both biases give OR because phi(0) = 1."),
        GatePreset("NOT", (-1.0,), 0.5, "derived (one inhibitory input, seed 1.1.6)"),
        GatePreset("NAND", (-1.0, -1.0), 1.5, "derived (NOT of the seed's AND)"),
        GatePreset("NOR", (-1.0, -1.0), 0.5, "derived (NOT of the seed's OR)"),
        GatePreset("x1 AND NOT x2", (1.0, -1.0), -0.5, "derived (hidden unit z1 of XOR, seed 1.2.5)"),
        GatePreset("NOT x1 AND x2", (-1.0, 1.0), -0.5, "derived (hidden unit z2 of XOR, seed 1.2.5)"),
        GatePreset("Madaline OR", (0.5, 0.5), 0.5, f"{SEED} 3.2.2 (l.1026): v1 = v2 = b3 = 1/2",
                   bipolar=True, note="Bipolar inputs and outputs (±1)."),
    )
}


# ----------------------------------------------------------------------------- truth tables
def input_rows(n_inputs: int, *, bipolar: bool = False) -> np.ndarray:
    """All ``2**n`` binary input rows in counting order (``x1`` most significant).

    Returns ndarray of int64, shape (2**n, n); values {0, 1}, or {−1, +1} if ``bipolar``.

    Raises
    ------
    ValueError
        If ``n_inputs`` is not 1..8.
    """
    if not isinstance(n_inputs, (int, np.integer)) or not 1 <= n_inputs <= 8:
        raise ValueError(f"`n_inputs` must be an int from 1 to 8, got {n_inputs!r}.")
    codes = np.arange(2**n_inputs)[:, None]
    rows = (codes >> np.arange(n_inputs - 1, -1, -1)) & 1
    return (2 * rows - 1) if bipolar else rows


@dataclass(frozen=True, eq=False)
class TruthTable:
    """What one threshold neuron outputs for every input row.

    Attributes
    ----------
    inputs : ndarray of int64, shape (2**n, n)
    potentials : ndarray of float64, shape (2**n,)  -- ``w·x + b``
    outputs : ndarray of int64, shape (2**n,)
    weights : tuple of float; bias : float; bipolar : bool
    """

    inputs: np.ndarray
    potentials: np.ndarray
    outputs: np.ndarray
    weights: tuple
    bias: float
    bipolar: bool

    def matches(self, target) -> np.ndarray:
        """Boolean mask, shape (2**n,): where the outputs equal ``target`` (same row order)."""
        t = np.asarray(target)
        if t.shape != self.outputs.shape:
            raise ValueError(f"`target` must have {self.outputs.size} entries, got shape {t.shape}.")
        return self.outputs == t


def truth_table(weights, bias: float, *, bipolar: bool = False) -> TruthTable:
    """Truth table of the threshold neuron ``phi(w·x + b)`` over all binary inputs.

    Parameters
    ----------
    weights : array_like of shape (n,), 1 <= n <= 8
    bias : float
    bipolar : bool, default False
        Inputs and outputs ±1 instead of 0/1 (Madaline's units).

    Returns
    -------
    TruthTable

    Examples
    --------
    The seed's AND neuron (1.2.1): potentials −1.5, −0.5, −0.5, 0.5 and outputs 0, 0, 0, 1.
    """
    w = _vector(weights, "weights")
    x = input_rows(w.size, bipolar=bipolar)
    v = potential(x, w, bias)
    y = (bipolar_sign(v) if bipolar else step(v)).astype(np.int64)
    return TruthTable(x, v, y, tuple(float(a) for a in w), float(bias), bipolar)


def sum_expression(row, weights, bias: float) -> str:
    """The weighted sum of one input row written out: ``"1·0 + 1·1 − 1.5 = −0.5"``.

    Parameters
    ----------
    row : sequence of n numbers; weights : sequence of n numbers; bias : float

    Returns
    -------
    str
        Products ``w_i·x_i`` joined with + / −, the bias, and the potential (``:g`` format).

    Source: the seed writes ``phi(0*1 + 1*1 + 1*(-1.5)) = phi(-0.5)``, 004_36a7c4616778873b.txt l.240.
    """
    w, x, b = _vector(weights, "weights"), _vector(row, "row"), _scalar(bias, "bias")
    if x.size != w.size:
        raise ValueError(f"`row` must have {w.size} entries to match `weights`, got {x.size}.")
    products = " + ".join(f"{a:g}·{v:g}" if v >= 0 else f"{a:g}·({v:g})" for a, v in zip(w, x))
    text = products + (f" − {-b:g}" if b < 0 else f" + {b:g}")
    return f"{text} = {float(x @ w + b) + 0.0:g}".replace("-", "−")


@dataclass(frozen=True)
class BooleanFunction:
    """A Boolean function given by its outputs over :func:`input_rows` (0/1)."""

    name: str
    outputs: tuple[int, ...]
    formula: str

    @property
    def n_inputs(self) -> int:
        return int(np.log2(len(self.outputs)))


BOOLEAN_FUNCTIONS: dict[str, BooleanFunction] = {
    f.name: f
    for f in (
        # the 16 two-input functions, outputs for rows 00, 01, 10, 11
        BooleanFunction("FALSE", (0, 0, 0, 0), "0"),
        BooleanFunction("AND", (0, 0, 0, 1), "x1 ∧ x2"),
        BooleanFunction("x1 AND NOT x2", (0, 0, 1, 0), "x1 ∧ ¬x2"),
        BooleanFunction("x1", (0, 0, 1, 1), "x1"),
        BooleanFunction("NOT x1 AND x2", (0, 1, 0, 0), "¬x1 ∧ x2"),
        BooleanFunction("x2", (0, 1, 0, 1), "x2"),
        BooleanFunction("XOR", (0, 1, 1, 0), "(x1 ∧ ¬x2) ∨ (¬x1 ∧ x2)"),
        BooleanFunction("OR", (0, 1, 1, 1), "x1 ∨ x2"),
        BooleanFunction("NOR", (1, 0, 0, 0), "¬(x1 ∨ x2)"),
        BooleanFunction("XNOR", (1, 0, 0, 1), "x1 ⇔ x2"),
        BooleanFunction("NOT x2", (1, 0, 1, 0), "¬x2"),
        BooleanFunction("x1 OR NOT x2", (1, 0, 1, 1), "x2 ⇒ x1"),
        BooleanFunction("NOT x1", (1, 1, 0, 0), "¬x1"),
        BooleanFunction("NOT x1 OR x2", (1, 1, 0, 1), "x1 ⇒ x2"),
        BooleanFunction("NAND", (1, 1, 1, 0), "¬(x1 ∧ x2)"),
        BooleanFunction("TRUE", (1, 1, 1, 1), "1"),
        # three inputs, rows 000 ... 111
        BooleanFunction("AND3", (0, 0, 0, 0, 0, 0, 0, 1), "x1 ∧ x2 ∧ x3"),
        BooleanFunction("OR3", (0, 1, 1, 1, 1, 1, 1, 1), "x1 ∨ x2 ∨ x3"),
        BooleanFunction("MAJORITY", (0, 0, 0, 1, 0, 1, 1, 1), "at least two of x1, x2, x3"),
        BooleanFunction("PARITY", (0, 1, 1, 0, 1, 0, 0, 1), "x1 ⊕ x2 ⊕ x3"),
    )
}
TWO_INPUT_FUNCTIONS: tuple[str, ...] = tuple(n for n, f in BOOLEAN_FUNCTIONS.items() if f.n_inputs == 2)


def boolean_function(name: str) -> BooleanFunction:
    """Return the Boolean function called ``name`` (a key of :data:`BOOLEAN_FUNCTIONS`).

    Raises
    ------
    ValueError
        If ``name`` is unknown; the message lists the valid names.
    """
    try:
        return BOOLEAN_FUNCTIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"`name` must be one of {', '.join(BOOLEAN_FUNCTIONS)}; got {name!r}.") from None


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


# ----------------------------------------------------------------------------- separability
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
    text = (f"Not separable: the point {tuple(round(p, 6) for p in point)} is a weighted mean both of the "
            "points labelled 1 and of the points labelled 0, so any w·x + b would have to be >= 0 and < 0 there.",)
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

    Source: definition and theorem, 004_36a7c4616778873b.txt 1.2.4 (l.336–346).
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
        return Separability(True, w, b, None, None,
                            (f"One neuron can: w = ({wtext}), w₀ = b = {b:g} gives every row.",))
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
        As :func:`is_linearly_separable`.

    Source: 004_36a7c4616778873b.txt 1.2.1 (l.262–268); the seed writes ``> 0`` where ``phi(0) = 1``
    allows ``>= 0``.
    """
    out = _outputs(truth_table)
    x = input_rows(int(np.log2(out.size)))
    lines = []
    for row, t in zip(x, out):
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

    Source: 004_36a7c4616778873b.txt 1.2.3 (l.313–334).
    """
    return XorContradiction(
        inequalities=row_inequalities(BOOLEAN_FUNCTIONS["XOR"].outputs),
        substitution=r"h = -w_0",
        substituted=(r"0 < h", r"w_2 \ge h", r"w_1 \ge h", r"w_1 + w_2 < h"),
        conclusion=("h is positive and w₁, w₂ are each at least h, so w₁ + w₂ ≥ 2h > h: "
                    "it cannot be less than h. No w₁, w₂, w₀ exist; one neuron cannot compute XOR."),
        note=("The course writes > 0 (and w₂ > h, w₁ > h) for the rows rated 1; with φ(0) = 1 the "
              "exact condition is ≥ 0. The contradiction holds either way."),
        source=f"{SEED} 1.2.3 (l.313-334)",
    )


def count_grid_solutions(truth_table, *, low: float = -3.0, high: float = 3.0, step_size: float = 0.25) -> int:
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
    low, high, step_size = _scalar(low, "low"), _scalar(high, "high"), _scalar(step_size, "step_size")
    return _grid_count(tuple(int(v) for v in _outputs(truth_table)), low, high, step_size)


@lru_cache(maxsize=64)
def _grid_count(outputs: tuple, low: float, high: float, step_size: float) -> int:
    out = np.array(outputs)
    if step_size <= 0 or high <= low:
        raise ValueError(f"need `low` < `high` and `step_size` > 0, got {low}, {high}, {step_size}.")
    grid = low + step_size * np.arange(int(round((high - low) / step_size)) + 1)
    n = int(np.log2(out.size))
    if grid.size ** (n + 1) > 10_000_000:
        raise ValueError(f"the grid has {grid.size ** (n + 1)} points; increase `step_size` or narrow the range.")
    params = np.stack(np.meshgrid(*([grid] * (n + 1)), indexing="ij"), axis=-1).reshape(-1, n + 1)
    x = np.hstack([input_rows(n), np.ones((out.size, 1))])
    fires = (params @ x.T) >= 0  # (points, rows)
    return int(np.all(fires == out.astype(bool), axis=1).sum())


def decision_segment(weights, bias: float, *, x_range=(-0.5, 1.5), y_range=(-0.5, 1.5)):
    """The part of the line ``w_1 x_1 + w_2 x_2 + b = 0`` inside a rectangle.

    Parameters
    ----------
    weights : array_like of shape (2,)
    bias : float
    x_range, y_range : pair of float
        The rectangle ``[x_lo, x_hi] × [y_lo, y_hi]``.

    Returns
    -------
    tuple ``((x_a, y_a), (x_b, y_b))`` of floats, or None
        None when ``w = (0, 0)`` (no line) or the line misses the rectangle.

    Raises
    ------
    ValueError
        If ``weights`` does not hold two numbers or a range is empty.

    Source: the seed's separating line ``priamka(x) = −(w_1 x + b) / w_2``, 004_36a7c4616778873b.txt 2.3.4.
    """
    w = _vector(weights, "weights")
    if w.size != 2:
        raise ValueError(f"`weights` must hold two numbers (w_1, w_2), got {weights!r}.")
    w1, w2, b = float(w[0]), float(w[1]), _scalar(bias, "bias")
    (x0, x1), (y0, y1) = (tuple(map(float, r)) for r in (x_range, y_range))
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"`x_range` and `y_range` must be (low, high) with low < high, got {x_range}, {y_range}.")
    pts = []
    if w2 != 0:
        pts += [(x, -(w1 * x + b) / w2 + 0.0) for x in (x0, x1)]
    if w1 != 0:
        pts += [(-(w2 * y + b) / w1 + 0.0, y) for y in (y0, y1)]
    eps = 1e-9 * max(1.0, x1 - x0, y1 - y0)
    inside = [(x, y) for x, y in pts if x0 - eps <= x <= x1 + eps and y0 - eps <= y <= y1 + eps]
    if len(inside) < 2:
        return None
    a, c = max(((p, q) for p in inside for q in inside),
               key=lambda pq: np.hypot(pq[0][0] - pq[1][0], pq[0][1] - pq[1][1]))
    return (a, c) if np.hypot(a[0] - c[0], a[1] - c[1]) > eps else None

# ----------------------------------------------------------------------------- two layers
XOR_HIDDEN_WEIGHTS = ((1.0, -1.0), (-1.0, 1.0))  # z1 = x1 AND NOT x2, z2 = NOT x1 AND x2
XOR_HIDDEN_BIAS = (-0.5, -0.5)
XOR_OUTPUT_WEIGHTS = (1.0, 1.0)  # y = z1 OR z2
XOR_OUTPUT_BIAS = -0.5


@dataclass(frozen=True, eq=False)
class TwoLayerTable:
    """Every value inside a 2-input, 2-hidden-unit, 1-output threshold network, per input row.

    Attributes
    ----------
    inputs : ndarray of int64, shape (4, 2)
    hidden_potentials : ndarray of float64, shape (4, 2)   -- columns z1, z2 before phi
    hidden : ndarray of int64, shape (4, 2)                -- z1, z2
    output_potentials : ndarray of float64, shape (4,)
    outputs : ndarray of int64, shape (4,)
    """

    inputs: np.ndarray
    hidden_potentials: np.ndarray
    hidden: np.ndarray
    output_potentials: np.ndarray
    outputs: np.ndarray


def two_layer_table(
    *,
    hidden_weights=XOR_HIDDEN_WEIGHTS,
    hidden_bias=XOR_HIDDEN_BIAS,
    output_weights=XOR_OUTPUT_WEIGHTS,
    output_bias: float = XOR_OUTPUT_BIAS,
) -> TwoLayerTable:
    """Run a two-layer threshold network on the four binary inputs; XOR by default.

    Parameters
    ----------
    hidden_weights : array_like of shape (2, 2)
        Row ``j`` holds the weights of hidden unit ``z_{j+1}``. Default ``((1, −1), (−1, 1))``.
    hidden_bias : array_like of shape (2,), default ``(−0.5, −0.5)``
    output_weights : array_like of shape (2,), default ``(1, 1)`` (OR)
    output_bias : float, default −0.5

    Returns
    -------
    TwoLayerTable
        With the defaults: hidden z1 = (0, 0, 1, 0), z2 = (0, 1, 0, 0), y = (0, 1, 1, 0).

    Raises
    ------
    ValueError
        If a shape is wrong.

    Source: y = (x1 ∧ ¬x2) ∨ (¬x1 ∧ x2), 004_36a7c4616778873b.txt 1.2.5 (l.361); the weights
    are derived (the seed's network figure is missing).
    """
    hw = np.asarray(hidden_weights, dtype=np.float64)
    hb = np.asarray(hidden_bias, dtype=np.float64)
    if hw.shape != (2, 2) or hb.shape != (2,):
        raise ValueError(
            f"`hidden_weights` must have shape (2, 2) and `hidden_bias` shape (2,), got {hw.shape} and {hb.shape}."
        )
    x = input_rows(2)
    hv = x @ hw.T + hb
    z = step(hv).astype(np.int64)
    ov = potential(z, output_weights, output_bias)
    return TwoLayerTable(x, hv, z, ov, step(ov).astype(np.int64))


__all__ = [
    "BOOLEAN_FUNCTIONS", "BooleanFunction", "GATES", "GatePreset", "Separability", "TWO_INPUT_FUNCTIONS",
    "TruthTable", "TwoLayerTable", "XOR_HIDDEN_BIAS", "XOR_HIDDEN_WEIGHTS", "XOR_OUTPUT_BIAS",
    "XOR_OUTPUT_WEIGHTS", "boolean_function", "count_grid_solutions", "decision_segment", "input_rows",
    "is_linearly_separable", "mcculloch_pitts", "potential", "row_inequalities", "separate_points", "sum_expression",
    "threshold_unit", "truth_table", "two_layer_table", "xor_contradiction",
]
