"""Activation functions of a single neuron and their derivatives, in NumPy.

The neuron computes ``y = f(in)`` from its internal potential ``in = w·x + b``. The course notes
*Introduction to deep learning* print the step function (1.1.7, 3.1.1), the linear and piecewise linear
functions and the sigmoid with steepness ``alpha`` (3.1.1–3.1.2), and the sigmoid, ReLU, leaky ReLU and tanh
of a CNN's activation layer (5.2.5).

Conventions
-----------
- Every function takes an array-like ``z`` of any shape and returns a float64 array of the same
  shape (a 0-d array for a scalar).
- The step functions fire at zero: ``step(0) = 1`` and ``bipolar_sign(0) = +1``, as the seed's
  ``phi(v) = 1 if v >= 0`` and its program's ``aktivacna_fn`` do.
- Derivatives at a kink or a jump take the value of the branch that holds at that point, the
  convention automatic differentiation uses (TensorFlow gives ``relu'(0) = 0``). The derivative of
  a jump (step at 0) does not exist; 0 is returned there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.maths.checks import keyed

INTRO_DL_NOTES = "Course notes, *Introduction to deep learning*"


def _as_float(z) -> np.ndarray:
    """Return ``z`` as a float64 array, refusing non-numeric input."""
    try:
        arr = np.asarray(z, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`z` must be numeric (a number or an array of numbers), got {z!r}.") from exc
    return arr


def _positive(value: float, name: str) -> float:
    """Return ``value`` as a float, refusing anything but a positive finite number."""
    try:
        value = float(value)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"`{name}` must be a number, got {value!r}.") from exc
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"`{name}` must be a positive finite number, got {value!r}.")
    return value


def step(z) -> np.ndarray:
    """Heaviside step with ``step(0) = 1``: 1 where ``z >= 0``, else 0.

    Parameters
    ----------
    z : array_like of float, any shape
        Internal potential(s).

    Returns
    -------
    ndarray of float64, same shape as ``z``, values in {0, 1}

    References
    ----------
    ``phi(v) = 1 if v >= 0, 0 if v < 0``, Course notes, *Introduction to deep learning* §1.1.7.
    """
    return (_as_float(z) >= 0).astype(np.float64)


def step_derivative(z) -> np.ndarray:
    """Derivative of :func:`step`: 0 everywhere (the jump at 0 has no derivative; 0 is returned)."""
    return np.zeros_like(_as_float(z))


def bipolar_sign(z) -> np.ndarray:
    """Bipolar step: +1 where ``z >= 0``, else −1 (so ``bipolar_sign(0) = +1``, unlike ``np.sign``).

    Returns ndarray of float64, same shape as ``z``, values in {−1, +1}.

    References
    ----------
    ``aktivacna_fn`` of the fruit perceptron, Course notes, *Introduction to deep learning* §2.3.4.
    """
    return np.where(_as_float(z) >= 0, 1.0, -1.0)


def bipolar_sign_derivative(z) -> np.ndarray:
    """Derivative of :func:`bipolar_sign`: 0 everywhere (0 is returned at the jump at 0)."""
    return np.zeros_like(_as_float(z))


def linear(z) -> np.ndarray:
    """Identity ``f(in) = in`` (Course notes, *Introduction to deep learning* §3.1.1)."""
    return _as_float(z).copy()


def linear_derivative(z) -> np.ndarray:
    """Derivative of :func:`linear`: 1 everywhere."""
    return np.ones_like(_as_float(z))


def piecewise_linear(z) -> np.ndarray:
    """Saturating piecewise linear function ``f(z) = max(−1, min(1, z))`` ("hard tanh").

    Slope 1 on [−1, 1] and constant ±1 outside: continuous everywhere. As printed, the course's
    function switches to ±1 already at ``|z| = 1/2`` and so jumps from ±1/2 to ±1 there; that slip
    is :func:`piecewise_linear_as_printed`, kept for the record but not offered as an activation.

    Parameters
    ----------
    z : array_like of float, any shape

    Returns
    -------
    ndarray of float64, same shape as ``z``, values in [−1, 1]

    References
    ----------
    Course notes, *Introduction to deep learning* §3.1.2; Keras' ``hard_tanh``.
    """
    return np.clip(_as_float(z), -1.0, 1.0)


def piecewise_linear_derivative(z) -> np.ndarray:
    """Derivative of :func:`piecewise_linear`: 1 on (−1, 1), else 0 (0 at the corners ±1)."""
    arr = _as_float(z)
    return ((arr > -1.0) & (arr < 1.0)).astype(np.float64)


def piecewise_linear_as_printed(z) -> np.ndarray:
    """The course's piecewise linear function exactly as printed, with its slip.

    ``f = 1`` if ``z >= 1/2``; ``f = z`` if ``-1/2 < z < 1/2``; ``f = -1`` if ``z <= -1/2``: it
    **jumps** at ``z = ±1/2`` (from ±0.5 to ±1). :func:`piecewise_linear` is the continuous form.

    Returns ndarray of float64, same shape as ``z``, values in (−1/2, 1/2) ∪ {−1, 1}.

    References
    ----------
    Course notes, *Introduction to deep learning* §3.1.2.
    """
    arr = _as_float(z)
    return np.where(arr >= 0.5, 1.0, np.where(arr <= -0.5, -1.0, arr))


def sigmoid(z, *, alpha: float = 1.0) -> np.ndarray:
    """Logistic sigmoid with steepness ``alpha``: ``1 / (1 + exp(−alpha·z))``, computed stably.

    Parameters
    ----------
    z : array_like of float, any shape
    alpha : float > 0, default 1
        Steepness; ``alpha = 1`` is the CNN chapter's ``g(z) = 1/(1 + e^{−z})``.

    Returns
    -------
    ndarray of float64, same shape as ``z``, values in (0, 1) (0 or 1 only by float rounding)

    Raises
    ------
    ValueError
        If ``alpha`` is not a positive finite number.

    References
    ----------
    Course notes, *Introduction to deep learning* §3.1.2 and §5.2.5.
    """
    a = _positive(alpha, "alpha") * _as_float(z)
    e = np.exp(-np.abs(a))  # never overflows
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_derivative(z, *, alpha: float = 1.0) -> np.ndarray:
    """Derivative of :func:`sigmoid`: ``alpha · s · (1 − s)`` with ``s = sigmoid(z, alpha=alpha)``."""
    s = sigmoid(z, alpha=alpha)
    return float(alpha) * s * (1.0 - s)


def tanh(z) -> np.ndarray:
    """Hyperbolic tangent ``(e^z − e^{−z}) / (e^z + e^{−z})``, values in (−1, 1).

    References
    ----------
    Course notes, *Introduction to deep learning* §5.2.5.
    """
    return np.tanh(_as_float(z))


def tanh_derivative(z) -> np.ndarray:
    """Derivative of :func:`tanh`: ``1 − tanh(z)^2``."""
    return 1.0 - np.tanh(_as_float(z)) ** 2


def relu(z) -> np.ndarray:
    """Rectified linear unit ``max(0, z)`` (Course notes, *Introduction to deep learning* §5.2.5)."""
    return np.maximum(_as_float(z), 0.0)


def relu_derivative(z) -> np.ndarray:
    """Derivative of :func:`relu`: 1 where ``z > 0``, else 0 (0 at the kink, as TensorFlow)."""
    return (_as_float(z) > 0).astype(np.float64)


def _epsilon(epsilon: float) -> float:
    epsilon = _positive(epsilon, "epsilon")
    if epsilon >= 1:
        raise ValueError(f"`epsilon` must be smaller than 1 (a small slope such as 0.01), got {epsilon}.")
    return epsilon


def leaky_relu(z, *, epsilon: float = 0.01) -> np.ndarray:
    """Leaky ReLU ``max(epsilon·z, z)`` for ``0 < epsilon < 1``.

    Parameters
    ----------
    z : array_like of float, any shape
    epsilon : float in (0, 1), default 0.01
        Slope for negative ``z`` (the seed's DCGAN uses 0.2). The seed prints the condition
        as "z ≪ 1"; it means ``epsilon ≪ 1``.

    Raises
    ------
    ValueError
        If ``epsilon`` is not in (0, 1) (for ``epsilon > 1`` the max picks the wrong branch).

    References
    ----------
    Course notes, *Introduction to deep learning* §5.2.5.
    """
    epsilon = _epsilon(epsilon)
    arr = _as_float(z)
    return np.where(arr > 0, arr, epsilon * arr)


def leaky_relu_derivative(z, *, epsilon: float = 0.01) -> np.ndarray:
    """Derivative of :func:`leaky_relu`: 1 where ``z > 0``, else ``epsilon`` (as TensorFlow)."""
    epsilon = _epsilon(epsilon)
    return np.where(_as_float(z) > 0, 1.0, epsilon)


@dataclass(frozen=True)
class Activation:
    """One entry of :data:`ACTIVATIONS`.

    Attributes
    ----------
    name : str
        Its key in :data:`ACTIVATIONS` (``"relu"``).
    label : str
        Display name.
    function, derivative : callable ``(z, **params) -> ndarray``
    formula, derivative_formula : str
        LaTeX (without ``$``).
    source : str
        Where the formula is printed (seed file and section) or "standard".
    params : dict of str to float
        Keyword parameters and their defaults (``alpha``, ``epsilon``).
    output_range : str
    """

    name: str
    label: str
    function: Callable[..., np.ndarray]
    derivative: Callable[..., np.ndarray]
    formula: str
    derivative_formula: str
    source: str
    params: dict = field(default_factory=dict)
    output_range: str = ""


ACTIVATIONS: dict[str, Activation] = keyed(
    Activation(
        "step",
        "Step (Heaviside)",
        step,
        step_derivative,
        r"\varphi(z)=\begin{cases}1 & z\ge 0\\ 0 & z<0\end{cases}",
        r"0 \;(z\neq 0)",
        f"{INTRO_DL_NOTES} §1.1.7, 3.1.1",
        {},
        "{0, 1}",
    ),
    Activation(
        "bipolar_sign",
        "Bipolar sign",
        bipolar_sign,
        bipolar_sign_derivative,
        r"f(z)=\begin{cases}+1 & z\ge 0\\ -1 & z<0\end{cases}",
        r"0 \;(z\neq 0)",
        f"{INTRO_DL_NOTES} §2.3.4 (aktivacna_fn)",
        {},
        "{−1, +1}",
    ),
    Activation(
        "linear",
        "Linear",
        linear,
        linear_derivative,
        r"f(z)=z",
        r"1",
        f"{INTRO_DL_NOTES} §3.1.1",
        {},
        "ℝ",
    ),
    Activation(
        "piecewise_linear",
        "Piecewise linear (saturating)",
        piecewise_linear,
        piecewise_linear_derivative,
        r"f(z)=\max(-1, \min(1, z))",
        r"1 \;(|z|<1),\; 0 \;(|z|>1)",
        f"{INTRO_DL_NOTES} §3.1.2",
        {},
        "[−1, 1]",
    ),
    Activation(
        "sigmoid",
        "Sigmoid",
        sigmoid,
        sigmoid_derivative,
        r"f(z)=\frac{1}{1+e^{-\alpha z}}",
        r"\alpha f(z)\,(1-f(z))",
        f"{INTRO_DL_NOTES} §3.1.2, 5.2.5",
        {"alpha": 1.0},
        "(0, 1)",
    ),
    Activation(
        "tanh",
        "tanh",
        tanh,
        tanh_derivative,
        r"f(z)=\frac{e^{z}-e^{-z}}{e^{z}+e^{-z}}",
        r"1-f(z)^2",
        f"{INTRO_DL_NOTES} §5.2.5",
        {},
        "(−1, 1)",
    ),
    Activation(
        "relu",
        "ReLU",
        relu,
        relu_derivative,
        r"f(z)=\max(0, z)",
        r"1 \;(z>0),\; 0 \;(z\le 0)",
        f"{INTRO_DL_NOTES} §5.2.5",
        {},
        "[0, ∞)",
    ),
    Activation(
        "leaky_relu",
        "Leaky ReLU",
        leaky_relu,
        leaky_relu_derivative,
        r"f(z)=\max(\varepsilon z, z)",
        r"1 \;(z>0),\; \varepsilon \;(z\le 0)",
        f"{INTRO_DL_NOTES} §5.2.5",
        {"epsilon": 0.01},
        "ℝ",
    ),
    by="name",
)


def get_activation(name: str) -> Activation:
    """Return the registry entry ``name`` (one of :data:`ACTIVATIONS`).

    Raises
    ------
    ValueError
        If ``name`` is not a registered activation; the message lists the valid names.
    """
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(f"`name` must be one of {', '.join(ACTIVATIONS)}; got {name!r}.") from None
