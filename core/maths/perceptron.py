"""Learning rules of a single neuron (perceptron, Hebb, Adaline), step by step, in NumPy.

Every rule is a pure function that presents the samples one at a time, epoch after epoch, and returns a
:class:`~core.maths.learning_history.TrainingResult` holding one frozen
:class:`~core.maths.learning_history.StepRecord` per presented sample (see
:mod:`core.maths.learning_history`). A page can replay, scrub or tabulate that history without running
anything again. The training sets, the seed's fruit among them, live in :mod:`core.data.perceptron_sets`.

Rules (Course notes, *Introduction to deep learning*):

- perceptron (2.2.6): ``w <- w + eta (t − y) x``, ``b <- b + eta (t − y)``; bipolar targets
  ``t = ±1`` and ``y = +1 if v >= 0 else −1`` as the fruit program (2.3.4), or binary 0/1 targets
  with the step. It stops after an epoch without a mistake (the convergence theorem, 2.2.7).
- Hebb (2.2.2), exactly as printed, for binary inputs: when the neuron fires (``y = 1``) the weights
  of the active inputs (``x_i = 1``, and the bias, whose input ``x_0`` is always 1) grow by ``delta``
  if the target is 1 and shrink by ``delta`` if it is 0; when it does not fire nothing changes.
  Failure mode: a neuron that should fire but does not is never corrected.
- Adaline / delta rule (3.2.1, Widrow–Hoff 1960): ``w <- w + eta (t − v) x`` on the *linear* output
  ``v``; the class is ``sign(v)``. The seed's printed delta rule (2.2.3) lacks the factor ``x_i``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.maths.activation_functions import bipolar_sign, step
from core.maths.checks import finite_number
from core.maths.learning_history import StepRecord, TrainingResult
from core.maths.separability import separate_points

#: Target labels of each convention: bipolar (the perceptron rule) and binary (0/1).
CONVENTIONS = {"bipolar": (-1.0, 1.0), "binary": (0.0, 1.0)}

INTRO_DL_NOTES = "Course notes, *Introduction to deep learning*"
RULES = ("perceptron", "hebb", "adaline")
RULE_CONVENTION = {"perceptron": "bipolar", "hebb": "binary", "adaline": "bipolar"}
MAX_STEPS = 200_000

DELTA_RULE_NOTE = (
    "The seed prints the delta rule as w_i <- w_i + mu (y_d - y) (2.2.3), without the input x_i. "
    "Widrow and Hoff's rule is w_i <- w_i + mu (t - v) x_i on the linear output v, used here."
)


def _floats(values) -> tuple:
    return tuple(float(v) + 0.0 for v in np.atleast_1d(values))


@dataclass(frozen=True, eq=False)
class _Setup:
    """A run's checked inputs: what every rule starts from."""

    x: np.ndarray
    targets: np.ndarray
    weights: np.ndarray
    bias: float
    learning_rate: float
    max_epochs: int
    order_seed: int | None


def _setup(
    x, targets, *, learning_rate, convention, weights=None, bias=0.0, max_epochs=100, order_seed=None
) -> _Setup:
    """Check the inputs of a run; the one place that knows the options every rule shares.

    ``weights``, ``bias``, ``max_epochs`` and ``order_seed`` (with their defaults) are the options
    documented in :func:`train_perceptron`; each rule adds its own step size and ``convention``.
    """
    xs = np.asarray(x, dtype=np.float64)
    if xs.ndim != 2 or xs.shape[0] == 0 or not np.all(np.isfinite(xs)):
        raise ValueError(f"`x` must be a non-empty (N, n) array of finite numbers, got shape {xs.shape}.")
    t = np.asarray(targets, dtype=np.float64)
    if convention not in CONVENTIONS:
        raise ValueError(
            f"`convention` must be 'bipolar' (targets ±1) or 'binary' (0/1), got {convention!r}."
        )
    allowed = CONVENTIONS[convention]
    if t.shape != (xs.shape[0],) or not np.isin(t, allowed).all():
        raise ValueError(
            f"`targets` must hold {xs.shape[0]} values from {allowed} ({convention} convention), got "
            f"{targets!r}; "
            "convert labels with TrainingSet.targets(convention)."
        )
    w = np.zeros(xs.shape[1]) if weights is None else np.asarray(weights, dtype=np.float64)
    if w.shape != (xs.shape[1],) or not np.all(np.isfinite(w)):
        raise ValueError(
            f"`weights` must hold {xs.shape[1]} finite numbers (one per input), got {weights!r}."
        )
    lr = float(learning_rate)
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"`learning_rate` must be a positive number such as 0.01, got {learning_rate!r}.")
    if not isinstance(max_epochs, (int, np.integer)) or max_epochs < 1 or max_epochs * len(xs) > MAX_STEPS:
        raise ValueError(
            f"`max_epochs` must be an int >= 1 with max_epochs * N <= {MAX_STEPS}, "
            f"got {max_epochs!r} for N = {len(xs)}."
        )
    return _Setup(xs, t, w, finite_number(bias, "bias"), lr, max_epochs, order_seed)


def _train(rule, run: _Setup, update, classify, *, tolerance=0.0, notes=()) -> TrainingResult:
    """Run the shared epoch loop and say why it stopped."""
    res = _run(rule, run, update, classify, tolerance)
    return TrainingResult(**res, message=_message(res, run.x, run.targets), notes=notes)


def _run(rule, run: _Setup, update, classify, tolerance):
    """Shared epoch loop. ``update(w, b, x_i, t_i) -> (v, y, e, dw, db)``."""
    x, t, w, b, lr, max_epochs = run.x, run.targets, run.weights, run.bias, run.learning_rate, run.max_epochs
    rng = None if run.order_seed is None else np.random.default_rng(run.order_seed)
    w0, b0 = _floats(w), float(b)
    history, errors, mses = [], [], []
    mse0 = float(np.mean((t - (x @ w + b)) ** 2)) if rule == "adaline" else None
    stopped = "max_epochs"
    for epoch in range(1, max_epochs + 1):
        order = np.arange(len(x)) if rng is None else rng.permutation(len(x))
        changed, wrong = False, 0
        for i in order:
            v, y, e, dw, db = update(w, b, x[i], t[i])
            w_new, b_new = w + dw, b + db
            history.append(
                StepRecord(
                    epoch,
                    len(history) + 1,
                    int(i),
                    _floats(x[i]),
                    float(t[i]),
                    float(v),
                    float(y),
                    float(e),
                    _floats(dw),
                    float(db) + 0.0,
                    _floats(w),
                    float(b),
                    _floats(w_new),
                    float(b_new),
                )
            )
            changed |= bool(np.any(dw != 0) or db != 0)
            wrong += int(y != t[i])
            w, b = w_new, b_new
        errors.append(wrong)
        if rule == "adaline":
            mses.append(float(np.mean((t - (x @ w + b)) ** 2)))
            if not np.isfinite(mses[-1]) or mses[-1] > 1e12:
                stopped = "diverged"
                break
            if abs((mses[-2] if len(mses) > 1 else mse0) - mses[-1]) <= tolerance:
                stopped = "converged"
                break
        elif wrong == 0 and np.all(classify(x @ w + b) == t):
            stopped = "converged"
            break
        elif not changed:
            stopped = "stuck"
            break
    return dict(
        rule=rule,
        learning_rate=lr,
        initial_weights=w0,
        initial_bias=b0,
        history=tuple(history),
        weights=_floats(w),
        bias=float(b) + 0.0,
        converged=stopped == "converged",
        stopped=stopped,
        epochs=epoch,
        max_epochs=max_epochs,
        errors_per_epoch=tuple(errors),
        mse_per_epoch=tuple(mses),
        mse_initial=mse0,
    )


def _message(res: dict, x, t) -> str:
    n, last = len(x), res["errors_per_epoch"][-1]
    if res["stopped"] in ("stuck", "diverged") or (res["stopped"] == "converged" and last == 0):
        sep = True  # not needed for these messages
    else:
        sep = separate_points(x, (t > 0).astype(int)).separable
    why = (
        "the classes are linearly separable, so the perceptron convergence theorem promises a stop after "
        "finitely many mistakes: allow more epochs."
        if sep
        else "the classes are not linearly separable (like XOR), so no line classifies them all and the "
        "updates never stop."
    )
    if res["stopped"] == "converged":
        if res["rule"] == "adaline":
            tail = (
                ""
                if last == 0
                else f" {last} of {n} samples are still misclassified: "
                + (
                    "a line cannot separate these classes."
                    if not sep
                    else "the least-squares line is not a separating one."
                )
            )
            return f"Converged: the mean squared error stopped falling after {res['epochs']} epochs.{tail}"
        u = sum(r.updated for r in res["history"])
        return (
            f"Converged after {res['epochs']} epoch{'s' * (res['epochs'] != 1)} "
            f"({u} update{'s' * (u != 1)}): "
            "every sample is classified correctly."
        )
    if res["stopped"] == "stuck":
        return (
            f"Stuck after {res['epochs']} epochs: an epoch changed no weight but {last} of {n} samples are "
            f"wrong. "
            "The printed Hebb rule only acts when the neuron fires (y = 1), so a neuron that should fire "
            "but does not (y = 0, target 1) is never corrected."
        )
    if res["stopped"] == "diverged":
        return (
            f"Diverged in epoch {res['epochs']}: the error grew without bound. The learning rate is too "
            f"large "
            "for inputs this big; try a much smaller one or scale the inputs."
        )
    if res["rule"] == "hebb" and sep:
        why = "the classes are linearly separable, but the printed Hebb rule has no convergence guarantee."
    if res["rule"] == "adaline":
        return (
            f"Did not converge within {res['max_epochs']} epochs: the mean squared error is still changing "
            f"({last} of {n} samples wrong in the last epoch). Allow more epochs or a larger learning rate."
        )
    return (
        f"Did not converge within {res['max_epochs']} epochs "
        f"({last} of {n} samples wrong in the last epoch): {why}"
    )


def train_perceptron(
    x, targets, *, learning_rate: float = 1.0, convention: str = "bipolar", **options
) -> TrainingResult:
    """Train one threshold neuron with the perceptron rule ``w <- w + eta (t − y) x``.

    Parameters
    ----------
    x : array_like of shape (N, n), float
    targets : array_like of shape (N,)
        ±1 (``convention="bipolar"``, output ``+1 if v >= 0 else −1``) or 0/1 (``"binary"``, step).
    learning_rate : float > 0, default 1
        The course's ``eta`` (``gamma``). With bipolar targets a mistake moves ``w`` by ``±2 eta x``.
    convention : {"bipolar", "binary"}
    **options
        The options every rule takes, by keyword:

        weights : array_like of shape (n,), optional
            Initial weights; zeros by default.
        bias : float, default 0
        max_epochs : int >= 1, default 100
            Cap; ``max_epochs * N`` may not exceed 200,000.
        order_seed : int or None, default None
            None presents the samples in their order every epoch; an int shuffles every epoch with
            ``np.random.default_rng(order_seed)``.

    Returns
    -------
    TrainingResult
        Converged after the first epoch without a mistake; else stopped at ``max_epochs`` with a
        message saying whether the data are separable.

    Raises
    ------
    ValueError
        If ``x`` is not a non-empty (N, n) array of finite numbers; ``targets`` are not N values of the
        convention; ``weights`` are not n finite numbers; ``bias`` is not finite; ``learning_rate`` is
        not positive; ``max_epochs`` is not an int >= 1 with ``max_epochs * N <= 200,000``; or
        ``convention`` is unknown.
    TypeError
        If an option is not one of the above, or ``bias`` is not a number.

    Examples
    --------
    The fruit example (Course notes, *Introduction to deep learning* §2.3):
    ``train_perceptron(FRUIT_X, FRUIT_TARGETS, weights=(-30, 300), bias=-1230, learning_rate=0.01)`` updates
    once (sample 2) to ``w = (−27.72, 300.304)``, ``b = −1229.98`` and converges in epoch 2 (``FRUIT_X``,
    ``FRUIT_TARGETS``: :mod:`core.data.perceptron_sets`).

    References
    ----------
    Course notes, *Introduction to deep learning* §2.2.6, 2.3.2–2.3.4.
    """
    run = _setup(x, targets, learning_rate=learning_rate, convention=convention, **options)
    phi = bipolar_sign if convention == "bipolar" else step
    lr = run.learning_rate

    def update(w, b, xi, ti):
        v = float(xi @ w + b)
        y = float(phi(v))
        e = ti - y
        return v, y, e, lr * e * xi, lr * e

    return _train("perceptron", run, update, phi)


def train_hebb(x, targets, *, delta: float = 1.0, **options) -> TrainingResult:
    """Train one binary threshold neuron with the Hebb rule exactly as the course prints it.

    When the neuron fires (``y = 1``): ``w_i += delta`` for every active input (``x_i = 1``) and the
    bias (``x_0 = 1``) if the target is 1; ``w_i −= delta`` for them if the target is 0. When it does
    not fire (``y = 0``) nothing changes.

    Parameters
    ----------
    x : array_like of shape (N, n), values in {0, 1}
    targets : array_like of shape (N,), values in {0, 1}
    delta : float > 0, default 1
        The course's ``Δ``.
    **options
        ``weights`` (zeros by default), ``bias`` (0), ``max_epochs``, ``order_seed``: as
        :func:`train_perceptron`.

    Returns
    -------
    TrainingResult
        ``stopped == "stuck"`` when an epoch changed nothing but left mistakes: from zero weights,
        AND and OR get stuck in epoch 2 with ``b = −1`` and every row output 0.

    Raises
    ------
    ValueError
        If ``x`` is not binary, or as :func:`train_perceptron` (``delta`` in the place of
        ``learning_rate``).

    References
    ----------
    Course notes, *Introduction to deep learning* §2.2.2.
    """
    run = _setup(x, targets, learning_rate=delta, convention="binary", **options)
    if not np.isin(run.x, (0.0, 1.0)).all():
        raise ValueError(
            "`x` must be binary (0/1) for the Hebb rule as printed; use the perceptron or Adaline "
            "rule for real-valued inputs."
        )
    step_size = run.learning_rate

    def update(w, b, xi, ti):
        v = float(xi @ w + b)
        y = float(step(v))
        sign = 0.0 if y == 0 else (1.0 if ti == 1 else -1.0)
        return v, y, ti - y, sign * step_size * (xi == 1), sign * step_size

    return _train("hebb", run, update, step)


def train_adaline(
    x, targets, *, learning_rate: float = 0.01, tolerance: float = 1e-5, **options
) -> TrainingResult:
    """Train an Adaline with the Widrow–Hoff (LMS, delta) rule ``w <- w + eta (t − v) x``.

    Parameters
    ----------
    x : array_like of shape (N, n), float
    targets : array_like of shape (N,), values ±1
    learning_rate : float > 0, default 0.01
        Too large a rate for the input scale diverges (the fruit data need about 1e-5).
    tolerance : float > 0, default 1e-5
        Stop ("converged") when the epoch's mean squared error changes by at most this.
    **options
        ``weights`` (zeros by default), ``bias`` (0), ``max_epochs``, ``order_seed``: as
        :func:`train_perceptron`.

    Returns
    -------
    TrainingResult
        With ``mse_per_epoch``; the weights approach the least-squares solution (AND with
        targets ±1: ``w ≈ (1, 1)``, ``b ≈ −1.5``, MSE 0.25).

    Raises
    ------
    ValueError
        As :func:`train_perceptron`, or if ``tolerance`` is not positive.

    References
    ----------
    Course notes, *Introduction to deep learning* §3.2.1 (Widrow and Hoff, 1960); see :data:`DELTA_RULE_NOTE`.
    """
    run = _setup(x, targets, learning_rate=learning_rate, convention="bipolar", **options)
    if not float(tolerance) > 0:
        raise ValueError(f"`tolerance` must be a positive number such as 1e-6, got {tolerance!r}.")
    lr = run.learning_rate

    def update(w, b, xi, ti):
        v = float(xi @ w + b)
        e = ti - v
        return v, float(bipolar_sign(v)), e, lr * e * xi, lr * e

    with np.errstate(over="ignore", invalid="ignore"):
        return _train(
            "adaline", run, update, bipolar_sign, tolerance=float(tolerance), notes=(DELTA_RULE_NOTE,)
        )


_TRAINERS = {"perceptron": train_perceptron, "hebb": train_hebb, "adaline": train_adaline}


def _check_rule(rule: str) -> None:
    if rule not in _TRAINERS:
        raise ValueError(f"`rule` must be one of {', '.join(RULES)}; got {rule!r}.")


def train(rule: str, x, targets, **options) -> TrainingResult:
    """Run the rule named ``rule`` (one of :data:`RULES`) with keyword ``options``.

    The Hebb rule's step size is ``learning_rate`` here (the seed's ``Δ``), so a page can pass the
    same options to every rule.

    Raises
    ------
    ValueError
        If ``rule`` is unknown, or as the rule's own function.
    """
    _check_rule(rule)
    if rule == "hebb" and "learning_rate" in options:
        options["delta"] = options.pop("learning_rate")
    return _TRAINERS[rule](x, targets, **options)


def predict(x, *, weights, bias: float, convention: str = "bipolar") -> tuple[np.ndarray, np.ndarray]:
    """Potentials ``v = x·w + b`` and outputs (``±1`` or ``0/1``, firing at ``v = 0``) of a trained neuron.

    Parameters
    ----------
    x : array_like of shape (N, n) or (n,)
    weights : array_like of shape (n,); bias : float
    convention : {"bipolar", "binary"}

    Returns
    -------
    (potentials, outputs) : ndarrays of float64, shape (N,) or ()

    Raises
    ------
    ValueError
        If shapes do not match or ``convention`` is unknown.

    References
    ----------
    ``odhad`` in Course notes, *Introduction to deep learning* §2.3.4: with the trained fruit weights
    (180, 10) -> −1 (C2), (140, 20) -> +1 (C1), (140, 17.9) -> +1 (C1).
    """
    if convention not in CONVENTIONS:
        raise ValueError(f"`convention` must be 'bipolar' or 'binary', got {convention!r}.")
    xs, w = np.asarray(x, dtype=np.float64), np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or xs.shape[-1:] != w.shape:
        raise ValueError(f"`x` must have {w.size} columns to match `weights`, got shape {xs.shape}.")
    v = xs @ w + float(bias)
    return v, (bipolar_sign(v) if convention == "bipolar" else step(v))


def mistake_bound(x, labels, *, weights=None, bias: float | None = None) -> tuple[float, float, float]:
    """Novikoff's perceptron mistake bound ``(R / gamma)^2`` for separable data.

    Started from zero weights (any learning rate), the perceptron makes at most ``(R / gamma)^2``
    mistakes, with ``R = max ||(x_i, 1)||`` and ``gamma`` the margin ``min s_i (w·x_i + b) / ||(w, b)||``
    of any separating ``(w, b)``; the bias is treated as a weight on a constant input 1.

    Parameters
    ----------
    x : array_like of shape (N, n); labels : array_like of shape (N,), values 0/1
    weights, bias : optional
        The separating hyperplane to measure ``gamma`` with; by default the one from
        :func:`core.maths.separability.separate_points`.

    Returns
    -------
    (R, gamma, bound) : floats

    Raises
    ------
    ValueError
        If no ``weights`` are given and the data are not linearly separable, or the given ``weights``
        and ``bias`` do not put every sample on its own side with a positive margin.

    References
    ----------
    the convergence theorem, Course notes, *Introduction to deep learning* §2.2.7 (the bound itself: Novikoff,
    1962).
    """
    xs = np.asarray(x, dtype=np.float64)
    if weights is None:
        sep = separate_points(xs, labels)
        if not sep.separable:
            raise ValueError(
                "`x` with `labels` is not linearly separable: the perceptron has no mistake bound."
            )
        weights, bias = sep.weights, sep.bias
    aug = np.hstack([xs, np.ones((len(xs), 1))])
    v = np.r_[np.asarray(weights, dtype=np.float64), float(bias)]
    signs = np.where(np.asarray(labels) == 1, 1.0, -1.0)
    gamma = float(np.min(signs * (aug @ v)) / np.linalg.norm(v))
    if gamma <= 0:
        raise ValueError("the given `weights`/`bias` do not separate the classes with a positive margin.")
    radius = float(np.max(np.linalg.norm(aug, axis=1)))
    return radius, gamma, (radius / gamma) ** 2


def _num(value: float) -> str:
    return f"{round(float(value), 9) + 0.0:.8g}"


def _vec(values) -> str:
    return "[" + ",\\ ".join(_num(v) for v in values) + "]"


def update_equation(record: StepRecord, *, rule: str, learning_rate: float) -> tuple[str, str]:
    """The update of one step written out with its numbers, as two LaTeX lines (weights, bias).

    Example (fruit, step 2): ``w \\leftarrow [-30,\\ 300] + 0.01\\cdot(1 - (-1))\\cdot[114,\\ 15.2]
    = [-27.72,\\ 300.304]`` and ``b \\leftarrow -1230 + 0.01\\cdot(1 - (-1)) = -1229.98``.

    Raises
    ------
    ValueError
        If ``rule`` is not one of :data:`RULES`.
    """
    _check_rule(rule)
    r, eta = record, _num(learning_rate)
    if rule == "hebb":
        if r.output == 0:
            return (r"y = 0:\ \text{no change, } w = " + _vec(r.weights_after), r"b = " + _num(r.bias_after))
        op = "+" if r.target == 1 else "-"
        return (
            rf"y = 1,\ y_d = {_num(r.target)}:\ w_i \leftarrow w_i {op} \Delta\ (x_i = 1):\ "
            rf"{_vec(r.weights_before)} \to {_vec(r.weights_after)}",
            rf"b \leftarrow {_num(r.bias_before)} {op} {eta} = {_num(r.bias_after)}",
        )
    factor = (
        rf"({_num(r.target)} - ({_num(r.output)}))"
        if rule == "perceptron"
        else rf"({_num(r.target)} - ({_num(r.potential)}))"
    )
    return (
        rf"w \leftarrow {_vec(r.weights_before)} + {eta}\cdot{factor}\cdot{_vec(r.sample)}"
        rf" = {_vec(r.weights_after)}",
        rf"b \leftarrow {_num(r.bias_before)} + {eta}\cdot{factor} = {_num(r.bias_after)}",
    )
