"""A toy GAN on 2-D points, beyond the seeds: what GAN Lab shows, trained step by step in NumPy.

:func:`toy_gan_init`, :func:`toy_gan_train` and :func:`toy_gan_view` show real points,
generated points and the discriminator's decision map. The losses and the optimiser follow the
DCGAN of :mod:`core.models.gan` (Course notes, *Introduction to deep learning* §7.1.4–7.1.5):
BCE on the discriminator's output, the non-saturating generator loss, Adam with beta_1 = 0.5.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

# --------------------------------------------------------------------------- toy 2-D GAN
# Beyond the seeds: GAN Lab's 2-D view (Kahng et al. 2019) in NumPy with hand-written backprop,
# so each press of "train D", "train G" or "train both" is a few milliseconds and the state is a
# plain dict of arrays a page can keep between reruns.
TOY_MODES = ("discriminator", "generator", "both")


def mixture_of_gaussians(
    n: int, *, n_modes: int = 4, radius: float = 1.0, std: float = 0.08, seed: int = 0
) -> np.ndarray:
    """``n`` points from ``n_modes`` Gaussians (std ``std``) evenly spaced on a circle of
    ``radius``, each mode equally likely: ``(n, 2)`` float64."""
    if int(n) < 1 or int(n_modes) < 1 or std <= 0:
        raise ValueError(f"`n`, `n_modes` must be >= 1 and `std` > 0, got {n!r}, {n_modes!r}, {std!r}.")
    rng = np.random.default_rng(seed)
    angle = 2 * np.pi * rng.integers(0, int(n_modes), int(n)) / int(n_modes) + np.pi / 4
    centres = radius * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return centres + std * rng.standard_normal((int(n), 2))


def _mlp_init(rng, sizes) -> list[np.ndarray]:
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=False):
        params += [rng.standard_normal((fan_in, fan_out)) / np.sqrt(fan_in), np.zeros(fan_out)]
    return params


def _mlp_forward(params, x):
    """tanh hidden layers, linear output; returns every layer's output (input first)."""
    acts = [x]
    for i in range(0, len(params), 2):
        h = acts[-1] @ params[i] + params[i + 1]
        acts.append(np.tanh(h) if i + 2 < len(params) else h)
    return acts


def _mlp_backward(params, acts, grad_out):
    """Gradients of the parameters and of the input, given d(loss)/d(output)."""
    grads = [None] * len(params)
    g = grad_out
    for i in range(len(params) - 2, -1, -2):
        grads[i], grads[i + 1] = acts[i // 2].T @ g, g.sum(axis=0)
        g = g @ params[i].T
        if i > 0:
            g = g * (1.0 - acts[i // 2] ** 2)  # through the tanh that produced acts[i // 2]
    return grads, g


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def toy_gan_init(
    *,
    hidden: int = 16,
    noise_dim: int = 2,
    n_modes: int = 4,
    learning_rate: float = 1e-2,
    batch_size: int = 128,
    seed: int = 0,
) -> dict:
    """A fresh toy GAN: generator ``noise_dim -> hidden -> hidden -> 2`` and discriminator
    ``2 -> hidden -> hidden -> 1`` (tanh hidden units), Adam(``learning_rate``, beta_1 = 0.5).

    Returns a dict of NumPy arrays and numbers (``"g"``, ``"d"``, Adam slots, ``"steps"``,
    ``"history"``, settings); :func:`toy_gan_train` returns an updated copy.
    """
    if min(hidden, noise_dim, n_modes, batch_size) < 1 or learning_rate <= 0:
        raise ValueError(
            "`hidden`, `noise_dim`, `n_modes`, `batch_size` must be >= 1 and "
            f"`learning_rate` > 0, got {hidden!r}, {noise_dim!r}, {n_modes!r}, "
            f"{batch_size!r}, {learning_rate!r}."
        )
    rng = np.random.default_rng(seed)
    g = _mlp_init(rng, [noise_dim, hidden, hidden, 2])
    d = _mlp_init(rng, [2, hidden, hidden, 1])
    zeros = lambda ps: [np.zeros_like(p) for p in ps]  # noqa: E731
    return {
        "g": g,
        "d": d,
        "g_m": zeros(g),
        "g_v": zeros(g),
        "d_m": zeros(d),
        "d_v": zeros(d),
        "g_t": 0,
        "d_t": 0,
        "steps": 0,
        "history": [],
        "seed": int(seed),
        "noise_dim": int(noise_dim),
        "n_modes": int(n_modes),
        "learning_rate": float(learning_rate),
        "batch_size": int(batch_size),
    }


def toy_gan_losses(state: dict, real: np.ndarray, z: np.ndarray) -> dict:
    """Losses and gradients on one batch (no update).

    ``d_loss = mean softplus(-D(x)) + mean softplus(D(G(z)))`` (BCE on logits) and
    ``g_loss = mean softplus(-D(G(z)))`` (non-saturating), as the DCGAN in :mod:`core.models.gan`.

    Returns ``{"d_loss", "g_loss", "d_grads", "g_grads", "fake"}``; gradients are lists shaped
    like ``state["d"]`` and ``state["g"]``.
    """
    g_acts = _mlp_forward(state["g"], z)
    fake = g_acts[-1]
    r_acts, f_acts = _mlp_forward(state["d"], real), _mlp_forward(state["d"], fake)
    lr_, lf = r_acts[-1], f_acts[-1]
    n_r, n_f = len(real), len(fake)
    d_loss = float(np.mean(np.logaddexp(0, -lr_)) + np.mean(np.logaddexp(0, lf)))
    g_loss = float(np.mean(np.logaddexp(0, -lf)))
    gr, _ = _mlp_backward(state["d"], r_acts, (_sigmoid(lr_) - 1.0) / n_r)
    gf, _ = _mlp_backward(state["d"], f_acts, _sigmoid(lf) / n_f)
    d_grads = [a + b for a, b in zip(gr, gf, strict=False)]
    _, grad_fake = _mlp_backward(state["d"], f_acts, (_sigmoid(lf) - 1.0) / n_f)
    g_grads, _ = _mlp_backward(state["g"], g_acts, grad_fake)
    return {"d_loss": d_loss, "g_loss": g_loss, "d_grads": d_grads, "g_grads": g_grads, "fake": fake}


def _adam(state, net: str, grads) -> None:
    b1, b2, eps, lr = 0.5, 0.999, 1e-8, state["learning_rate"]
    state[f"{net}_t"] += 1
    t = state[f"{net}_t"]
    for i, g in enumerate(grads):
        state[f"{net}_m"][i] = b1 * state[f"{net}_m"][i] + (1 - b1) * g
        state[f"{net}_v"][i] = b2 * state[f"{net}_v"][i] + (1 - b2) * g * g
        m_hat = state[f"{net}_m"][i] / (1 - b1**t)
        v_hat = state[f"{net}_v"][i] / (1 - b2**t)
        state[net][i] = state[net][i] - lr * m_hat / (np.sqrt(v_hat) + eps)


def _copy_state(state: dict) -> dict:
    out = dict(state)
    for k in ("g", "d", "g_m", "g_v", "d_m", "d_v"):
        out[k] = [p.copy() for p in state[k]]
    out["history"] = list(state["history"])
    return out


def toy_gan_train(state: dict, *, steps: int = 1, mode: str = "both") -> dict:
    """Train for ``steps`` steps and return a new state (``state`` is not changed).

    Parameters
    ----------
    mode : {"discriminator", "generator", "both"}
        Update D only, G only, or D then G (one step each) per step. Each step draws a fresh
        batch of real points and noise from ``default_rng([seed, step number])``, so the same
        presses give the same result.

    Raises
    ------
    ValueError
        If ``mode`` is unknown or ``steps`` < 1.
    """
    if mode not in TOY_MODES:
        raise ValueError(f"`mode` must be one of {TOY_MODES}, got {mode!r}.")
    if int(steps) < 1:
        raise ValueError(f"`steps` must be >= 1, got {steps!r}.")
    s = _copy_state(state)
    for _ in range(int(steps)):
        rng = np.random.default_rng([s["seed"], s["steps"]])
        real = mixture_of_gaussians(s["batch_size"], n_modes=s["n_modes"], seed=int(rng.integers(2**31)))
        z = rng.standard_normal((s["batch_size"], s["noise_dim"]))
        out = toy_gan_losses(s, real, z)
        if mode in ("discriminator", "both"):
            _adam(s, "d", out["d_grads"])
        if mode in ("generator", "both"):
            if mode == "both":  # G's step sees the discriminator it has just been updated to
                out = toy_gan_losses(s, real, z)
            _adam(s, "g", out["g_grads"])
        s["steps"] += 1
        s["history"].append(
            {"step": s["steps"], "mode": mode, "d_loss": out["d_loss"], "g_loss": out["g_loss"]}
        )
    return s


def toy_gan_after(seed: int, actions: tuple, *, before: Callable[[int, tuple], dict] | None = None) -> dict:
    """The toy GAN after the button presses ``actions`` from ``toy_gan_init(seed=seed)``.

    Training is deterministic (:func:`toy_gan_train`), so the state after a list of presses is a
    function of ``(seed, actions)``: a cache can share it between students, and pass itself as
    ``before`` so that a new press costs only its own steps when the history before it is cached.

    Parameters
    ----------
    seed : int
    actions : tuple of (mode, steps)
        The presses in order, each as :func:`toy_gan_train` takes them.
    before : callable (seed, actions) -> state, optional
        Gives the state after ``actions[:-1]`` (default: none, the presses are replayed). A history too
        long for the recursion of a cache none of whose steps is kept any more
        (``RecursionError``) is replayed from the start in a loop instead.

    Returns
    -------
    dict
        A new state (nothing passed in is changed).

    Raises
    ------
    ValueError
        If a press has an unknown mode or fewer than 1 step.
    """
    if not actions:
        return toy_gan_init(seed=seed)
    try:
        state = None if before is None else before(seed, tuple(actions[:-1]))
    except RecursionError:  # a long history none of which is cached any more: replay it
        state = None
    if state is None:
        state = toy_gan_init(seed=seed)
        for mode, steps in actions[:-1]:
            state = toy_gan_train(state, mode=mode, steps=steps)
    mode, steps = actions[-1]
    return toy_gan_train(state, mode=mode, steps=steps)


def toy_gan_view(state: dict, *, n: int = 400, grid: int = 40, extent: float = 2.0, seed: int = 0) -> dict:
    """What to draw: ``real`` and ``fake`` points ``(n, 2)``, the grid axes ``xs``, ``ys``
    ``(grid,)`` over ``[-extent, extent]`` and ``d_prob`` ``(grid, grid)`` = D's P(real) at
    ``(xs[j], ys[i])`` (row i, column j)."""
    rng = np.random.default_rng(seed)
    real = mixture_of_gaussians(n, n_modes=state["n_modes"], seed=seed)
    fake = _mlp_forward(state["g"], rng.standard_normal((n, state["noise_dim"])))[-1]
    xs = np.linspace(-extent, extent, int(grid))
    gx, gy = np.meshgrid(xs, xs)
    logits = _mlp_forward(state["d"], np.stack([gx.ravel(), gy.ravel()], axis=1))[-1]
    return {
        "real": real,
        "fake": fake,
        "xs": xs,
        "ys": xs.copy(),
        "d_prob": _sigmoid(logits).reshape(int(grid), int(grid)),
    }
