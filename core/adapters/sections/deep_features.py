"""The Deep features page's gradient parts: where a VGG16 unit really looks (its effective receptive
field, Luo et al. 2016) and what a channel responds to (feature visualisation, Olah et al. 2017).

Pure Streamlit layout: the numbers come from ``core.models.receptive_gradients`` through the shared
caches of ``core.adapters.cached.receptive_gradients`` (keyed on the photo, the size and the unit), the
figure from ``core.figures.receptive_gradients``; the feature visualisations are the pictures shipped
in ``assets/feature_vis`` (``python -m core.training.feature_vis``, ``core.data.feature_vis``).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

from core.adapters import display, url_state
from core.adapters.cached import receptive_gradients as cached_erf
from core.adapters.cached import shared_view
from core.adapters.sections import feature_vis_job
from core.adapters.url_state import UrlParam
from core.data.feature_vis import climbed, shipped
from core.figures.receptive_gradients import effective_field_figure
from core.maths.receptive_field import vgg16_fields
from core.models.receptive_gradients import AVERAGE_GRID, ENERGY_SHARE

URL = (UrlParam("erf", "dfe_erf", False, kind=bool),)


@dataclasses.dataclass(frozen=True, eq=False)
class PhotoUnit:
    """One unit of a VGG16 feature map on a photo: the unit the page's picker points at.

    Attributes
    ----------
    image_key : str
        The photo's content hash; with ``size``, ``layer``, ``channel``, ``row`` and ``col`` it keys the
        shared caches (the arrays are not hashed).
    size : int
        The longer side the photo was resized to, px.
    rgb : ndarray of shape (H, W, 3), uint8
        The resized photo (:attr:`core.models.hed.Preprocessed.rgb`).
    batch : ndarray of shape (1, H, W, 3), float32
        What the network receives (:attr:`core.models.hed.Preprocessed.batch`).
    maps : ndarray of shape (H_l, W_l, C_l)
        Every feature map of ``layer`` on this photo.
    layer : str
        The VGG16 layer, e.g. ``"block5_conv3"``.
    channel : int
        The map, in ``[0, C_l)``.
    row, col : int
        The unit's place in the map, in ``[0, H_l)`` and ``[0, W_l)``.
    """

    image_key: str
    size: int
    rgb: np.ndarray = dataclasses.field(repr=False)
    batch: np.ndarray = dataclasses.field(repr=False)
    maps: np.ndarray = dataclasses.field(repr=False)
    layer: str
    channel: int
    row: int
    col: int

    @property
    def key(self) -> tuple[str, int, str, int, int, int]:
        """``(image_key, size, layer, channel, row, col)``: what the shared caches are keyed on."""
        return self.image_key, self.size, self.layer, self.channel, self.row, self.col


def deep_gradient_section(unit: PhotoUnit) -> None:
    """The page's one call, below the unit picker: :func:`effective_field_section` for the unit and
    :func:`feature_vis_section` for its layer and map."""
    effective_field_section(unit)
    feature_vis_section(unit.layer, unit.channel)
    feature_vis_job.compute_another(unit.layer, unit.channel)  # another map, as a shared job on the queue


def feature_vis_section(layer: str, channel: int) -> None:
    """The shipped feature visualisations of ``layer`` in an expander, map ``channel`` first if shipped."""
    pictures = cached_erf.feature_vis_pictures(layer)
    with st.expander(f"What do {layer}'s maps respond to? Feature visualisation"):
        if not pictures:
            st.markdown(
                f"No feature visualisations are shipped for {layer}; they are: "
                + ", ".join(sorted({e["layer"] for e in shipped()}))
                + "."
            )
            return
        pictures = sorted(pictures, key=lambda p: p[0]["channel"] != channel)
        s = pictures[0][0]
        st.markdown(
            f"Each picture is an input made to excite one map: start from grey with a little noise (seed "
            f"{s['seed']}), then **{s['steps']} steps of gradient ascent** on the map's mean activation — "
            f"the "
            f"gradient of that mean with respect to the input, as on the rest of this page, but used to "
            f"*change* "
            f"the {s['size']} × {s['size']} input. To keep high-frequency noise out, each step shifts the "
            f"input by "
            f"up to **{s['jitter']} px** at random (*jitter*) and every **{s['blur_every']}** steps blurs "
            f"it with a "
            f"Gaussian of σ = **{s['blur_sigma']} px** (Olah, Mordvintsev & Schubert, *Feature "
            f"visualization*, "
            "Distill 2017). " + _shipped_text(layer, [e for e, _ in pictures])
        )
        cols = st.columns(4)
        for i, (entry, rgb) in enumerate(pictures):
            ok = climbed(entry)
            label = (
                f"map {entry['channel']}"
                + (" (the map above)" if entry["channel"] == channel else "")
                + (
                    f": mean {entry['activation_first']:.3g} → {entry['activation_last']:.3g}"
                    if ok
                    else ": no climb — 0 near the grey start"
                )
            )
            cols[i % 4].image(rgb, caption=label, width="stretch")
        if not all(climbed(e) for e, _ in pictures):
            st.caption(
                "*No climb*: the map is 0 on the grey, noisy start and on every input near it, so its ReLU "
                "is "
                "off, its gradient is 0 and the ascent cannot move (the picture stays grey). Some of these "
                "maps "
                "are silent on photos too (HED's fine-tuning left many VGG16 maps at 0); others fire on a "
                "photo "
                "but not near grey, and would need another start."
            )
        st.caption(
            "Time of each ascent on 2 CPU cores: "
            + ", ".join(
                f"map {e['channel']} {e['seconds']:.0f} s"
                for e, _ in sorted(pictures, key=lambda p: p[0]["channel"])
            )
            + ". Made ahead of time with `python -m core.training.feature_vis`."
        )


def effective_field_section(unit: PhotoUnit) -> None:
    """Below the unit picker: the gradient of ``unit`` with respect to the photo it sees, on demand."""
    url_state.sync(URL)
    if not st.toggle(
        "Where does this unit really look? Its gradient with respect to the photo",
        key="dfe_erf",
        help="One backward pass through VGG16 per unit (about 0.5 s), shared by every student.",
    ):
        return
    row, col, channel, layer = unit.row, unit.col, unit.channel, unit.layer
    with st.spinner("Backpropagating from this unit to the photo ..."):
        gradient, seconds = cached_erf.unit_gradient(*unit.key, unit.batch)
    if gradient.value <= 0:
        st.info(
            f"Unit ({row}, {col}) of map {channel} is 0 here: the ReLU is off, so no change of the photo "
            "changes it a little and its gradient is 0 everywhere. Click a unit that is not black."
        )
        return
    field = vgg16_fields()[layer]
    c1, c2 = st.columns([3, 2])
    with c1:
        display.show_figure(
            shared_view(
                ("dfe_erf", *unit.key),
                lambda: effective_field_figure(
                    unit.rgb,
                    gradient.energy,
                    gradient.box,
                    gradient.centre,
                    gradient.effective,
                    title=f"|∂y/∂x| of unit ({row}, {col}), map {channel}",
                ),
            ),
            key="dfe_erf_fig",
        )
    with st.spinner(f"Averaging over {AVERAGE_GRID**2} units of {layer} ..."):
        units, mean, t_mean = cached_erf.layer_average(
            unit.image_key, unit.size, layer, unit.batch, unit.maps
        )
    c2.metric("Theoretical field", f"{field.size} px")
    for label, side in (("this unit", gradient.effective), (f"mean of {len(units)} units", mean)):
        c2.metric(
            f"Effective field, {label}",
            f"{side:.0f} px",
            f"{side / field.size:.0%} of the side",
            delta_color="off",
            delta_arrow="off",
        )
    st.markdown(
        f"The colour is **|∂y/∂x|**: how much the unit's value y = {gradient.value:.4g} would change per "
        "unit of change of each photo pixel (summed over its three colours as a length), on its own "
        "scale (red = its top 1 %). It is exactly 0 outside the **red box**, the theoretical field of "
        f"{field.size} × {field.size} px — and inside it, most of it sits near the centre: the **white "
        f"square**, {gradient.effective} × {gradient.effective} px, holds {ENERGY_SHARE:.0%} of the "
        "gradient's energy Σ(∂y/∂x)². Many paths lead from a central pixel to the unit and few from a "
        "pixel at the edge of the field, so the *effective* receptive field is much smaller than the "
        "theoretical one and roughly Gaussian (Luo et al., NIPS 2016). This is this photo's gradient: "
        "the ReLUs that are off and the max-pooling choices decide which paths count."
    )
    st.caption(
        f"Mean of {len(units)} units: a {AVERAGE_GRID} × {AVERAGE_GRID} spread of units whose whole field "
        f"lies in the photo (or the middle ones), each in the map strongest there: "
        + ", ".join(f"({r}, {c}) map {k}: {s} px" for r, c, k, s in units)
        + ". "
        f"First computation: this unit **{seconds * 1000:.0f} ms**, the {len(units)} units of the mean "
        f"**{t_mean:.1f} s** on this server; later looks, by anyone, come from the shared cache."
    )


def _shipped_text(layer: str, entries: list[dict]) -> str:
    """Which maps of ``layer`` are shipped, and why (the manifest's ``chosen``)."""
    listed = [
        e["channel"]
        for e in sorted(entries, key=lambda e: e["channel"])
        if "listed" in e.get("chosen", "listed")
    ]
    strongest = [e["channel"] for e in entries if "strongest" in e.get("chosen", "")]
    text = f"Shipped for {layer}: maps " + ", ".join(map(str, listed))
    if strongest:
        text += (
            f", and the {len(strongest)} maps with the highest mean on the Rocket sample photo: "
            + ", ".join(map(str, sorted(strongest)))
        )
    return text + "."
