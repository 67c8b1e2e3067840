"""The Deep features page's gradient parts: where a VGG16 unit really looks (its effective receptive
field, Luo et al. 2016) and what a channel responds to (feature visualisation, Olah et al. 2017).

Pure Streamlit layout: the numbers come from ``core.models.receptive_gradients`` through the shared
caches of ``core.adapters.cached.receptive_gradients`` (keyed on the photo, the size and the unit), the
figure from ``core.figures.receptive_gradients``.
"""
from __future__ import annotations

import numpy as np
import streamlit as st

from core.adapters import ui, url_state
from core.adapters.cached import receptive_gradients as cached_erf
from core.adapters.cached import shared_view
from core.adapters.url_state import UrlParam
from core.figures.receptive_gradients import effective_field_figure
from core.maths.receptive_field import vgg16_fields
from core.models.receptive_gradients import AVERAGE_GRID, ENERGY_SHARE

URL = (UrlParam("erf", "dfe_erf", False, kind=bool),)


def effective_field_section(image_key: str, size: int, rgb: np.ndarray, batch: np.ndarray, maps: np.ndarray,
                            layer: str, channel: int, row: int, col: int) -> None:
    """Below the unit picker: the gradient of unit ``(row, col)`` of map ``channel`` of ``layer`` with respect
    to the photo (``batch``, the network's input (1, H, W, 3); ``rgb`` the resized photo), on demand."""
    url_state.sync(URL)
    if not st.toggle("Where does this unit really look? Its gradient with respect to the photo", key="dfe_erf",
                     help="One backward pass through VGG16 per unit (about 0.5 s), shared by every student."):
        return
    with st.spinner("Backpropagating from this unit to the photo ..."):
        unit, seconds = cached_erf.unit_gradient(image_key, size, layer, channel, row, col, batch)
    if unit.value <= 0:
        st.info(f"Unit ({row}, {col}) of map {channel} is 0 here: the ReLU is off, so no change of the photo "
                "changes it a little and its gradient is 0 everywhere. Click a unit that is not black.")
        return
    field = vgg16_fields()[layer]
    c1, c2 = st.columns([3, 2])
    with c1:
        ui.show_figure(shared_view(("dfe_erf", image_key, size, layer, channel, row, col), lambda: effective_field_figure(
            rgb, unit.energy, unit.box, unit.centre, unit.effective,
            title=f"|∂y/∂x| of unit ({row}, {col}), map {channel}")), key="dfe_erf_fig")
    with st.spinner(f"Averaging over {AVERAGE_GRID ** 2} units of {layer} ..."):
        units, mean, t_mean = cached_erf.layer_average(image_key, size, layer, batch, maps)
    c2.metric("Theoretical field", f"{field.size} px")
    c2.metric("Effective field, this unit", f"{unit.effective} px",
              f"{unit.effective / field.size:.0%} of the side", delta_color="off")
    c2.metric(f"Effective field, mean of {len(units)} units", f"{mean:.0f} px",
              f"{mean / field.size:.0%} of the side", delta_color="off")
    st.markdown(
        f"The colour is **|∂y/∂x|**: how much the unit's value y = {unit.value:.4g} would change per unit of "
        f"change of each photo pixel (summed over its three colours as a length), on its own scale (red = its "
        f"top 1 %). It is exactly 0 outside the **red box**, the theoretical field of {field.size} × {field.size} "
        f"px — and inside it, most of it sits near the centre: the **white square**, {unit.effective} × "
        f"{unit.effective} px, holds {ENERGY_SHARE:.0%} of the gradient's energy Σ(∂y/∂x)². Many paths lead from "
        "a central pixel to the unit and few from a pixel at the edge of the field, so the *effective* receptive "
        "field is much smaller than the theoretical one and roughly Gaussian (Luo et al., NIPS 2016). This is "
        "this photo's gradient: the ReLUs that are off and the max-pooling choices decide which paths count.")
    st.caption(f"Mean of {len(units)} units: a {AVERAGE_GRID} × {AVERAGE_GRID} spread of units whose whole field "
               f"lies in the photo (or the middle ones), each in the map strongest there: "
               + ", ".join(f"({r}, {c}) map {k}: {s} px" for r, c, k, s in units) + ". "
               f"First computation: this unit **{seconds * 1000:.0f} ms**, the {len(units)} units of the mean "
               f"**{t_mean:.1f} s** on this server; later looks, by anyone, come from the shared cache.")
