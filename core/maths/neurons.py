"""Threshold (McCulloch–Pitts) neurons computing Boolean functions, in NumPy.

A threshold unit computes ``y = phi(w·x + b)``. The step function fires at zero,
``phi(v) = 1 if v >= 0 else 0`` (Course notes, *Introduction to deep learning* §1.1.7); the bipolar variant
outputs ±1 (+1 at zero) on ±1 inputs, as Madaline's units do (3.2.2). The seed writes the bias
as ``w_0`` with a constant input ``x_0 = 1``; here it is ``bias`` (``b``).

Truth tables list the ``2**n`` input rows in counting order with ``x1`` as the most significant
bit: ``00, 01, 10, 11`` for two inputs (:func:`input_rows`). A function of the inputs is given by
its outputs in that order, e.g. XOR is ``(0, 1, 1, 0)``; the named functions live in
:mod:`core.maths.boolean_functions`, and whether one neuron can compute a function is decided in
:mod:`core.maths.separability`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.maths.activation_functions import bipolar_sign, step
from core.maths.checks import finite_number, finite_vector, keyed

INTRO_DL_NOTES = "Course notes, *Introduction to deep learning*"


# ----------------------------------------------------------------------------- the unit
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
    w = finite_vector(weights, "weights")
    xs = np.asarray(x, dtype=np.float64)
    if xs.ndim not in (1, 2) or xs.shape[-1] != w.size:
        raise ValueError(
            f"`x` must have shape ({w.size},) or (N, {w.size}) to match `weights`, got {xs.shape}."
        )
    return xs @ w + finite_number(bias, "bias")


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

    References
    ----------
    Course notes, *Introduction to deep learning* §1.1.9, 1.2.1.
    """
    v = potential(x, weights, bias)
    return (bipolar_sign(v) if bipolar else step(v)).astype(np.int64)


def mcculloch_pitts(x, *, inhibitory=(), threshold: float, veto: bool = False) -> np.ndarray:
    """McCulloch–Pitts logical neuron: 1 if (sum of excitatory − sum of inhibitory inputs) >= threshold.

    That subtraction is the course's rule. In McCulloch & Pitts (1943) inhibition is absolute: any
    active inhibitory input prevents firing, whatever the excitatory sum (``veto=True``: 1 only if
    no inhibitory input is 1 and the excitatory sum reaches the threshold).

    Parameters
    ----------
    x : array_like of shape (m,) or (N, m), values in {0, 1}
    inhibitory : sequence of int
        0-based indices of the inhibitory inputs; all others are excitatory.
    threshold : float
        The course's ``b`` in §1.1.6 (AND: 2, OR: 1, NOT with one inhibitory input: 0).
    veto : bool, default False
        False: the course's rule (an inhibitory input counts −1); True: the 1943 rule (it vetoes).

    Returns
    -------
    ndarray of int64, shape () or (N,)

    Raises
    ------
    ValueError
        If an index in ``inhibitory`` is out of range.

    References
    ----------
    Course notes, *Introduction to deep learning* §1.1.6 (the subtraction); W. S. McCulloch and
    W. Pitts, "A logical calculus of the ideas immanent in nervous activity", Bull. Math. Biophys. 5,
    1943 (the veto).
    """
    xs = np.asarray(x, dtype=np.float64)
    m = xs.shape[-1]
    signs = np.ones(m)
    for i in inhibitory:
        if not 0 <= int(i) < m:
            raise ValueError(f"`inhibitory` holds index {i}, but there are only {m} inputs (0..{m - 1}).")
        signs[int(i)] = -1.0
    if not veto:
        return threshold_unit(xs, signs, -finite_number(threshold, "threshold"))
    fires = threshold_unit(xs, np.maximum(signs, 0.0), -finite_number(threshold, "threshold"))
    return np.where((xs * (signs < 0)).sum(axis=-1) > 0, 0, fires).astype(np.int64)


@dataclass(frozen=True)
class GatePreset:
    """Weights and bias of one threshold neuron that computes a named gate."""

    name: str
    weights: tuple[float, ...]
    bias: float
    source: str
    bipolar: bool = False
    note: str = ""


GATES: dict[str, GatePreset] = keyed(
    GatePreset("AND", (1.0, 1.0), -1.5, f"{INTRO_DL_NOTES} §1.2.1"),
    GatePreset(
        "OR",
        (1.0, 1.0),
        -0.5,
        f"{INTRO_DL_NOTES} §1.2.2",
        note="The course's OR table lists phi(-1), phi(0), phi(0), phi(1): those potentials "
        "belong to bias -1, not -0.5. Both biases give OR because phi(0) = 1.",
    ),
    GatePreset("NOT", (-1.0,), 0.5, f"derived (one inhibitory input, {INTRO_DL_NOTES} §1.1.6)"),
    GatePreset("NAND", (-1.0, -1.0), 1.5, f"derived (NOT of the AND of {INTRO_DL_NOTES} §1.2.1)"),
    GatePreset("NOR", (-1.0, -1.0), 0.5, f"derived (NOT of the OR of {INTRO_DL_NOTES} §1.2.2)"),
    GatePreset(
        "x1 AND NOT x2", (1.0, -1.0), -0.5, f"derived (hidden unit z1 of XOR, {INTRO_DL_NOTES} §1.2.5)"
    ),
    GatePreset(
        "NOT x1 AND x2", (-1.0, 1.0), -0.5, f"derived (hidden unit z2 of XOR, {INTRO_DL_NOTES} §1.2.5)"
    ),
    GatePreset(
        "Madaline OR",
        (0.5, 0.5),
        0.5,
        f"{INTRO_DL_NOTES} §3.2.2: v1 = v2 = b3 = 1/2",
        bipolar=True,
        note="Bipolar inputs and outputs (±1).",
    ),
    by="name",
)


@dataclass(frozen=True)
class McCullochPittsGate:
    """A McCulloch–Pitts logical neuron: excitatory and inhibitory inputs, threshold ``b``.

    Fires (1) when (sum of excitatory inputs − sum of inhibitory inputs) >= ``threshold``.
    ``inhibitory`` holds 0-based input indices; ``formula`` is the firing rule written out.
    """

    name: str
    n_inputs: int
    inhibitory: tuple[int, ...]
    threshold: float
    formula: str
    source: str


MCCULLOCH_PITTS_GATES: dict[str, McCullochPittsGate] = keyed(
    McCullochPittsGate("AND", 2, (), 2, "x₁ + x₂ ≥ 2", f"{INTRO_DL_NOTES} §1.1.6; b = 2 derived"),
    McCullochPittsGate("OR", 2, (), 1, "x₁ + x₂ ≥ 1", f"{INTRO_DL_NOTES} §1.1.6; b = 1 derived"),
    McCullochPittsGate("NOT", 1, (0,), 0, "−x₁ ≥ 0", f"{INTRO_DL_NOTES} §1.1.6; b = 0 derived"),
    McCullochPittsGate(
        "x1 AND NOT x2",
        2,
        (1,),
        1,
        "x₁ − x₂ ≥ 1",
        f"{INTRO_DL_NOTES} §1.1.6; the first bracket of XOR (1.2.5)",
    ),
    by="name",
)
"""The McCulloch–Pitts form of the basic gates (Course notes, *Introduction to deep learning* §1.1.5–1.1.6:
excitatory inputs
x₁…xₙ, inhibitory x_{n+1}…x_m, threshold b). The thresholds are derived, not printed."""


def mcculloch_pitts_rows(gate: McCullochPittsGate) -> list[tuple[tuple[int, ...], str, int]]:
    """Every input row of ``gate`` with its potential written out and the output.

    Returns
    -------
    list of (inputs, "x₁ − x₂ = 1 − 0 = 1 ≥ 1", output), in counting order (:func:`input_rows`)
    """
    rows = input_rows(gate.n_inputs)
    out = mcculloch_pitts(rows, inhibitory=gate.inhibitory, threshold=gate.threshold)
    result = []
    for row, y in zip(rows, out, strict=False):
        signs = ["−" if i in gate.inhibitory else "+" for i in range(gate.n_inputs)]
        names = "".join(f" {s} x{chr(0x2081 + i)}" for i, s in enumerate(signs)).strip()
        values = "".join(f" {s} {v}" for s, v in zip(signs, row, strict=False)).strip()
        names, values = (
            t[2:] if t.startswith("+ ") else t.replace("− ", "−", 1) if t.startswith("−") else t
            for t in (names, values)
        )
        v = int(sum(-x if i in gate.inhibitory else x for i, x in enumerate(row)))
        result.append(
            (
                tuple(int(x) for x in row),
                f"{names} = {values} = {str(v).replace('-', '−')} {'≥' if y else '<'} {gate.threshold:g}",
                int(y),
            )
        )
    return result


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
    The course's AND neuron (§1.2.1): potentials −1.5, −0.5, −0.5, 0.5 and outputs 0, 0, 0, 1.
    """
    w = finite_vector(weights, "weights")
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

    References
    ----------
    the seed writes ``phi(0*1 + 1*1 + 1*(-1.5)) = phi(-0.5)``, Course notes, *Introduction to deep learning*
    §1.2.1.
    """
    w, x, b = finite_vector(weights, "weights"), finite_vector(row, "row"), finite_number(bias, "bias")
    if x.size != w.size:
        raise ValueError(f"`row` must have {w.size} entries to match `weights`, got {x.size}.")
    products = " + ".join(f"{a:g}·{v:g}" if v >= 0 else f"{a:g}·({v:g})" for a, v in zip(w, x, strict=False))
    text = products + (f" − {-b:g}" if b < 0 else f" + {b:g}")
    return f"{text} = {float(x @ w + b) + 0.0:g}".replace("-", "−")


# ----------------------------------------------------------------------------- decision line
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

    References
    ----------
    the seed's separating line ``priamka(x) = −(w_1 x + b) / w_2``, Course notes, *Introduction to deep
    learning* §2.3.4.
    """
    w = finite_vector(weights, "weights")
    if w.size != 2:
        raise ValueError(f"`weights` must hold two numbers (w_1, w_2), got {weights!r}.")
    w1, w2, b = float(w[0]), float(w[1]), finite_number(bias, "bias")
    (x0, x1), (y0, y1) = (tuple(map(float, r)) for r in (x_range, y_range))
    if not (x0 < x1 and y0 < y1):
        raise ValueError(
            f"`x_range` and `y_range` must be (low, high) with low < high, got {x_range}, {y_range}."
        )
    pts = []
    if w2 != 0:
        pts += [(x, -(w1 * x + b) / w2 + 0.0) for x in (x0, x1)]
    if w1 != 0:
        pts += [(-(w2 * y + b) / w1 + 0.0, y) for y in (y0, y1)]
    eps = 1e-9 * max(1.0, x1 - x0, y1 - y0)
    inside = [(x, y) for x, y in pts if x0 - eps <= x <= x1 + eps and y0 - eps <= y <= y1 + eps]
    if len(inside) < 2:
        return None
    a, c = max(
        ((p, q) for p in inside for q in inside),
        key=lambda pq: np.hypot(pq[0][0] - pq[1][0], pq[0][1] - pq[1][1]),
    )
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

    References
    ----------
    y = (x1 ∧ ¬x2) ∨ (¬x1 ∧ x2), Course notes, *Introduction to deep learning* §1.2.5; the weights
    are derived (the course's network figure is missing).
    """
    hw = np.asarray(hidden_weights, dtype=np.float64)
    hb = np.asarray(hidden_bias, dtype=np.float64)
    if hw.shape != (2, 2) or hb.shape != (2,):
        raise ValueError(
            f"`hidden_weights` must have shape (2, 2) and `hidden_bias` shape (2,), got {hw.shape} and "
            f"{hb.shape}."
        )
    x = input_rows(2)
    hv = x @ hw.T + hb
    z = step(hv).astype(np.int64)
    ov = potential(z, output_weights, output_bias)
    return TwoLayerTable(x, hv, z, ov, step(ov).astype(np.int64))


__all__ = [
    "GATES",
    "GatePreset",
    "MCCULLOCH_PITTS_GATES",
    "McCullochPittsGate",
    "mcculloch_pitts_rows",
    "TruthTable",
    "TwoLayerTable",
    "XOR_HIDDEN_BIAS",
    "XOR_HIDDEN_WEIGHTS",
    "XOR_OUTPUT_BIAS",
    "XOR_OUTPUT_WEIGHTS",
    "decision_segment",
    "input_rows",
    "mcculloch_pitts",
    "potential",
    "sum_expression",
    "threshold_unit",
    "truth_table",
    "two_layer_table",
]
