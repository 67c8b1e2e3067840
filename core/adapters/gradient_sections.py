"""The CNN activations page's gradient section: saliency, Grad-CAM and an adversarial example (FGSM)
on the digit the network sees (a test digit, the student's drawing or a photo at 28 × 28).

Pure Streamlit layout: the numbers come from ``core.models.gradients`` through the shared caches of
``core.adapters.cached.gradients`` (keyed on the model, the input and the class), the figures from
``core.figures.gradients``. Only the course's CNNs (``bundle.kind == "digits"``: they have a
``"logits"`` layer before the softmax) get the section.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.adapters import display, errors, source_code, url_state
from core.adapters.cached import gradients as cached_gradients
from core.adapters.cached import shared_view
from core.adapters.url_state import UrlParam
from core.figures.gradients import (
    channel_weights_figure,
    digit_figure,
    epsilon_sweep_figure,
    gradient_map_figure,
    heat_overlay_figure,
    signed_map_figure,
)
from core.maths.losses import score_text
from core.models.gradients import EPSILON_GRID, SMOOTHGRAD_NOISE, SMOOTHGRAD_SAMPLES

VIEWS = {"saliency": "Saliency", "gradcam": "Grad-CAM", "fgsm": "Adversarial example (FGSM)"}
NOISE_LEVELS = (0.05, 0.1, 0.15, SMOOTHGRAD_NOISE, 0.3)
SAMPLE_COUNTS = (10, 25, SMOOTHGRAD_SAMPLES, 100)
EPSILONS = tuple(float(e) for e in EPSILON_GRID)
SMOOTHGRAD_SEED = 0
URL = (
    UrlParam("explain", "grad_view", "saliency", choices=VIEWS),
    UrlParam(
        "noise",
        "grad_noise",
        SMOOTHGRAD_NOISE,
        kind=float,
        choices=NOISE_LEVELS,
        when=("grad_view", "saliency"),
    ),
    UrlParam(
        "samples",
        "grad_samples",
        SMOOTHGRAD_SAMPLES,
        kind=int,
        choices=SAMPLE_COUNTS,
        when=("grad_view", "saliency"),
    ),
    UrlParam("channel", "grad_channel", None, kind=int, lo=0, when=("grad_view", "gradcam")),
    UrlParam("eps", "grad_eps", 0.1, kind=float, choices=EPSILONS, when=("grad_view", "fgsm")),
)


def _timing(seconds: float) -> None:
    st.caption(
        f"First computation of this view: **{seconds * 1000:.0f} ms** on this server (a model's first "
        "gradient view also traces its gradients once); every later look at it, by anyone, comes from the "
        "shared cache."
    )


def gradient_section(bundle, picture_key: str, batch: np.ndarray, predicted: int) -> None:
    """The section "Where the network looks" for the model input ``batch`` (1, 28, 28, 1) in [0, 1],
    cached under ``picture_key``, and the model's answer ``predicted``. Nothing for other models."""
    if bundle.kind != "digits":
        return
    st.header("Where the network looks: gradients")
    st.markdown(
        f"Why **{predicted}**? A gradient says how the network's output would change if a number it "
        "depends on changed a little. Here the number is the **score z of the answer** — its *logit*, the "
        "value before the softmax — and the gradient is taken with respect to each input pixel (saliency), "
        "to each feature map of the last convolution (Grad-CAM), or of the loss, to change the answer "
        "(an adversarial example)."
    )
    _explorer(bundle, picture_key, batch, int(predicted))
    source_code.show_source(
        "core.models.gradients:saliency",
        "core.models.gradients:smoothgrad",
        "core.models.gradients:grad_cam",
        "core.models.gradients:fgsm_sweep",
    )


@st.fragment
@errors.guarded
def _explorer(bundle, picture_key: str, batch: np.ndarray, predicted: int) -> None:
    url_state.sync(URL)  # a control reruns only this fragment
    view = st.radio(
        "Explain the answer with", list(VIEWS), format_func=VIEWS.get, key="grad_view", horizontal=True
    )
    {"saliency": _saliency, "gradcam": _grad_cam, "fgsm": _fgsm}[view](bundle, picture_key, batch, predicted)


def _saliency(bundle, picture_key: str, batch: np.ndarray, c: int) -> None:
    c1, c2 = st.columns(2)
    noise = c1.select_slider(
        "SmoothGrad noise level (σ as a fraction of the pixel range)", NOISE_LEVELS, key="grad_noise"
    )
    n = c2.select_slider("SmoothGrad noisy copies", SAMPLE_COUNTS, key="grad_samples")
    vanilla, t_vanilla = cached_gradients.saliency(bundle.key, picture_key, c, bundle, batch)
    smooth, t_smooth = cached_gradients.smoothgrad(
        bundle.key, picture_key, c, noise, n, SMOOTHGRAD_SEED, bundle, batch
    )
    cols = st.columns(3)
    figures = shared_view(
        ("grad_sal", bundle.key, picture_key, c, noise, n),
        lambda: (
            digit_figure(batch[0], title="The network's input"),
            gradient_map_figure(vanilla.saliency, title=f"|∂z<sub>{c}</sub>/∂x| (vanilla gradient)"),
            gradient_map_figure(smooth.saliency, title=f"SmoothGrad: mean of {n} noisy copies"),
        ),
    )
    for col, fig, name in zip(cols, figures, ("input", "vanilla", "smooth"), strict=False):
        with col:
            display.show_figure(fig, key=f"grad_sal_{name}")
    st.markdown(
        f"**A bright pixel** is one where a small change of that pixel's brightness would change the "
        f"score z<sub>{c}</sub> = {vanilla.logit:.2f} of the answer {c} the most: the map is "
        f"|∂z<sub>{c}</sub>/∂x<sub>ij</sub>|, in logits per unit of brightness (black = 0, white = "
        f"{float(vanilla.saliency.max()):.3g}). It shows where the score is *sensitive*, not whether the "
        f"pixel "
        "is ink, and the sign (brighter helps or hurts) is dropped. The vanilla gradient is noisy, because "
        f"ReLU networks are piecewise linear; **SmoothGrad** averages |∂z/∂x| over **{n} copies** with "
        f"Gaussian noise of **σ = {smooth.noise_sigma:.2f}** ({noise:.0%} of the input's range, seed "
        f"{SMOOTHGRAD_SEED}), which keeps what is stable near this input.",
        unsafe_allow_html=True,
    )
    _timing(t_vanilla)
    st.caption(
        f"SmoothGrad's first computation ({n} gradients in one batch): {t_smooth * 1000:.0f} ms. "
        "Simonyan et al. (2014); Smilkov et al. (2017), *SmoothGrad: removing noise by adding noise*."
    )


def _grad_cam(bundle, picture_key: str, batch: np.ndarray, c: int) -> None:
    cam, seconds = cached_gradients.grad_cam(bundle.key, picture_key, c, bundle, batch)
    n_channels, (h, w) = cam.weights.size, cam.cam.shape
    contribution = cam.weights * cam.feature_maps.sum(axis=(0, 1))
    st.session_state.setdefault("grad_channel", int(np.argmax(contribution)))  # the channel that adds most
    st.session_state.grad_channel = min(max(int(st.session_state.grad_channel), 0), n_channels - 1)
    st.markdown(
        f"**Grad-CAM** (Selvaraju et al. 2017) on the last convolution layer, **{cam.layer}** "
        f"({h} × {w} × {n_channels}): each channel k gets a weight α<sub>k</sub>, the **mean of "
        f"∂z<sub>{c}</sub>/∂A<sub>k</sub> over its {h * w} positions**; the map is ReLU(Σ<sub>k</sub> "
        f"α<sub>k</sub> A<sub>k</sub>) — where the features that raise the score of {c} are — upsampled "
        f"(bilinear) from {h} × {w} to the 28 × 28 input.",
        unsafe_allow_html=True,
    )
    top = shared_view(
        ("grad_cam", bundle.key, picture_key, c),
        lambda: (
            heat_overlay_figure(batch[0], cam.heatmap, title=f"Grad-CAM of {c} over the input"),
            gradient_map_figure(cam.cam, title=f"ReLU(Σ α<sub>k</sub> A<sub>k</sub>), {h} × {w}"),
        ),
    )
    c1, c2 = st.columns(2)
    with c1:
        display.show_figure(top[0], key="grad_cam_overlay")
    with c2:
        display.show_figure(top[1], key="grad_cam_small")
    k = st.slider("Channel k (its weighting below)", 0, n_channels - 1, key="grad_channel")
    display.show_figure(
        shared_view(
            ("grad_cam_w", bundle.key, picture_key, c, k),
            lambda: channel_weights_figure(cam.weights, highlight=k),
        ),
        key="grad_cam_weights",
    )
    g, a = cam.gradients[:, :, k], cam.feature_maps[:, :, k]
    parts = shared_view(
        ("grad_cam_k", bundle.key, picture_key, c, k),
        lambda: (
            signed_map_figure(
                g * 1000, title=f"∂z<sub>{c}</sub>/∂A<sub>{k}</sub> (× 10⁻³)", numbers=True, height=380
            ),
            gradient_map_figure(
                a, title=f"A<sub>{k}</sub>: channel {k}'s feature map", numbers=True, height=380
            ),
            signed_map_figure(
                cam.weights[k] * a * 1000,
                title=f"α<sub>{k}</sub> · A<sub>{k}</sub> (× 10⁻³)",
                numbers=True,
                height=380,
            ),
        ),
    )
    for col, fig, name in zip(st.columns(3), parts, ("grad", "map", "term"), strict=False):
        with col:
            display.show_figure(fig, key=f"grad_cam_{name}")
    zero = float(np.mean(cam.gradients == 0))
    st.caption(
        f"{zero:.0%} of the gradients ∂z/∂A are exactly 0: the 2 × 2 max-pooling after {cam.layer} passes "
        f"the "
        "gradient back only to the largest value of each window"
        + (f", and it drops the last row and column of the odd {h} × {w} map" if h % 2 and w % 2 else "")
        + "."
    )
    i, j = np.unravel_index(int(np.argmax(cam.weighted_sum)), cam.weighted_sum.shape)
    terms = [
        (m, float(cam.weights[m]), float(cam.feature_maps[i, j, m]))
        for m in range(n_channels)
        if cam.feature_maps[i, j, m] != 0
    ]
    st.markdown(
        f"Channel {k}: α<sub>{k}</sub> = (sum of the {h * w} gradients) / {h * w} = "
        f"{float(g.sum()):.5f} / {h * w} = **{float(cam.weights[k]):.6f}**; its term α<sub>{k}</sub> · "
        f"A<sub>{k}</sub> adds {float((cam.weights[k] * a).sum()):+.4f} in all to the map. The map's hottest "
        f"cell, row {i}, column {j}, multiplies and adds over the {len(terms)} channels active there "
        f"(channels with A<sub>k</sub> = 0 add nothing):",
        unsafe_allow_html=True,
    )
    st.code(
        " + ".join(f"({wk:+.4f} × {ak:.3f})" for _, wk, ak in terms)
        + f"\n= {float(cam.weighted_sum[i, j]):.4f}   "
        + (
            "(ReLU keeps it: > 0)"
            if cam.weighted_sum[i, j] > 0
            else "(ReLU makes it 0: no cell raises the score)"
        ),
        language=None,
        wrap_lines=True,
    )
    _timing(seconds)


def _fgsm(bundle, picture_key: str, batch: np.ndarray, c: int) -> None:
    sweep, seconds = cached_gradients.fgsm_sweep(bundle.key, picture_key, c, bundle, batch)
    eps = st.select_slider(
        "ε: how far each pixel may move (pixel values in [0, 1])", EPSILONS, key="grad_eps"
    )
    e = EPSILONS.index(eps)
    adv, probs = sweep.adversarial[e], sweep.probabilities[e]
    new = int(sweep.predictions[e])
    change = float(np.abs(adv - batch[0]).max())
    st.markdown(
        f"The **fast gradient sign method** (Goodfellow et al. 2015) moves every pixel by ε in the "
        f"direction that raises the loss J, the cross-entropy of the network's own answer {c}: "
        f"x' = clip(x + ε · sign(∇<sub>x</sub>J), 0, 1). Clipping keeps a valid picture, so black "
        f"background pixels cannot get darker.",
        unsafe_allow_html=True,
    )
    figures = shared_view(
        ("grad_fgsm", bundle.key, picture_key, c, eps),
        lambda: (
            signed_map_figure(
                sweep.gradient_sign[:, :, 0], title="sign(∇<sub>x</sub>J): −1 blue, +1 red", limit=1.0
            ),
            digit_figure(adv, title=f"x' at ε = {eps:.2f}"),
        ),
    )
    c1, c2, c3 = st.columns([2, 2, 1])
    with c1:
        display.show_figure(figures[0], key="grad_fgsm_sign")
    with c2:
        display.show_figure(figures[1], key="grad_fgsm_adv")
    c3.metric(f"Prediction at ε = {eps:.2f}", str(new), score_text(probs[new]), delta_color="off")
    c3.caption(
        f"Was {c} ({score_text(probs[c])} now). Largest pixel change after clipping: {change:.2f} ≤ ε."
    )
    smallest = sweep.smallest_epsilon
    flips = sweep.flipped
    back = bool(smallest is not None and not flips[EPSILONS.index(smallest) :].all())
    st.markdown(
        (
            "No ε on the grid 0.01, 0.02, …, 0.30 changes this answer."
            if smallest is None
            else "**Smallest ε that changes the answer**, on the grid 0.01, 0.02, …, 0.30: "
            f"**{smallest:.2f}** "
            f"(the answer becomes {int(sweep.predictions[EPSILONS.index(smallest)])})."
        )
        + " Flipping need not be monotonic in ε: FGSM takes one step along the sign of the gradient at x, "
        "and a longer step can land back on the first answer"
        + (" — as it does here for some larger ε." if back else ".")
    )
    display.show_figure(
        shared_view(
            ("grad_fgsm_sweep", bundle.key, picture_key, c, eps),
            lambda: epsilon_sweep_figure(
                sweep.epsilons, sweep.predictions, sweep.probabilities[:, c], label=c, chosen=eps
            ),
        ),
        key="grad_fgsm_curve",
    )
    st.caption(
        f"Red markers: ε where the answer is no longer {c}, with the new answer written above; dotted: the "
        "slider's ε."
    )
    _timing(seconds)
    st.caption(
        "The whole grid is computed at once (one gradient, one batch of 30 perturbed digits), so moving "
        "the slider computes nothing."
    )
