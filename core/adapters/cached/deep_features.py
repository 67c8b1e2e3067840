"""Caches of the Deep features page: the HED network (VGG16 trunk), one forward pass per photo and
size shared by every session, and the small views a click asks for.

Keys are small: ``image_key`` names the pixels (``"sample:rocket"``, ``"upload:<sha256>"``, see
``core.adapters.image_input``), ``max_side`` the size. A forward pass holds every convolution's
output as float16 (a 320-px photo ~39-58 MB, 512 px ~100-150 MB), so the passes kept are bounded in
bytes (:data:`PASS_BYTES`) as well as in number (:data:`PASS_ENTRIES`), most recently used first
(:class:`core.adapters.cached.bounded.BytesLRU`): one read-only copy for every session, never copied
per run, not heap-frozen (an evicted pass must be freed). TensorFlow is imported on the first call.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.adapters.cached.bounded import BytesLRU
from core.adapters.cached.sharing import read_only, shared_resource

#: Forward passes kept (photo x size); the sample photos of a lecture stay in.
PASS_ENTRIES = 4
#: Bytes the kept passes may hold together: four square photos at 320 px, or one at 512 px and a few
#: smaller ones (4 passes at 512 px held 470 MB with the entry cap alone).
PASS_BYTES = 256 * 2**20


def pass_bytes(value) -> int:
    """Bytes held by a cached pass ``(Preprocessed, DeepFeatures)``."""
    prep, out = value
    return int(out.nbytes + prep.rgb.nbytes + prep.bgr.nbytes + prep.batch.nbytes)


_PASSES: BytesLRU = BytesLRU(max_bytes=PASS_BYTES, max_entries=PASS_ENTRIES, size_of=pass_bytes)


@shared_resource(max_entries=1, show_spinner="Loading VGG16 / HED and its bundled weights ...")
def hed_model():
    """``core.models.hed.load_hed()``: shared, read-only. Raises ``core.models.upload.ModelLoadError``
    (not cached: the next run tries again)."""
    from core.models import hed

    return hed.load_hed()


def hed_load_error() -> str | None:
    """Why the VGG16 / HED network cannot be loaded (``core.models.upload.ModelLoadError``'s message),
    or None once :func:`hed_model` has it (a failure is not cached: the next run tries again)."""
    from core.models.upload import ModelLoadError

    try:
        hed_model()
    except ModelLoadError as exc:
        return str(exc)
    return None


@st.cache_data(max_entries=1, show_spinner=False)
def hed_facts() -> dict:
    """No key. ``core.models.hed.facts``: the package, the heads' parameters, the 13-layer table for
    a 320 x 320 input and the page's constants (sizes, mean pixels, side names, paper)."""
    from core.models import hed

    return hed.facts(hed_model())


def hed_pass(image_key: str, max_side: int, _pixels: np.ndarray):
    """``core.models.hed.preprocess`` then ``forward`` of the photo named ``image_key`` (``_pixels``,
    (H, W, 3) in 0-255, used only on a miss) at ``max_side``: ``(Preprocessed, DeepFeatures)``, arrays
    read-only, shared by every session within :data:`PASS_BYTES` / :data:`PASS_ENTRIES`.
    Raises ``ValueError`` for a photo too small for the network (< 16 px); nothing is cached then."""

    def compute():
        from core.models import hed

        with st.spinner("Running VGG16 / HED on the photo (once per photo and size, for everyone) ..."):
            prep = hed.preprocess(_pixels, max_side=max_side)
            out = hed.forward(hed_model(), prep.batch)
        for array in (prep.rgb, prep.bgr, prep.batch, out.sides, out.fused, *out.feature_maps.values()):
            read_only(array)
        return prep, out

    return _PASSES.get_or_compute((image_key, int(max_side)), compute)


hed_pass.clear = _PASSES.clear  # as the st.cache_* functions: tests start from an empty cache
hed_pass.cache = _PASSES


@st.cache_data(max_entries=64, show_spinner=False)
def hed_layer_view(image_key: str, max_side: int, layer: str, count: int, cols: int, _maps: np.ndarray):
    """The ``count`` strongest maps of ``layer`` for that photo: ``(MapMosaic, labels, order, means)``
    (``core.models.hed.ranked_maps``, ``core.figures.deep_features.ranked_mosaic``)."""
    from core.figures.deep_features import ranked_mosaic
    from core.models import hed

    order, means = hed.ranked_maps(_maps)
    labels = [f"map {int(k)} · {means[k]:.3g}" for k in order[:count]]
    return ranked_mosaic(_maps, order, count=count, cols=cols), labels, order, means


@st.cache_data(max_entries=1, show_spinner=False)
def hed_first_filters() -> tuple[np.ndarray, list[dict]]:
    """block1_conv1's 64 RGB filters (3, 3, 3, 64) and what each is: colour-opponent, like a hand-made
    kernel (r >= 0.8) or neither (``core.models.hed.first_filter_matches``)."""
    from core.models import hed

    filters = hed.first_layer_filters(hed_model())
    return filters, hed.first_filter_matches(filters)


@st.cache_data(max_entries=1, show_spinner=False)
def kernel_chance_rate() -> float:
    """``core.models.inspection.chance_match_rate()``: random 3 x 3 kernels named by the matcher."""
    from core.models.inspection import chance_match_rate

    return chance_match_rate()


@st.cache_data(max_entries=8, show_spinner=False)
def hed_hand_made_edges(image_key: str, max_side: int, _rgb: np.ndarray) -> dict[str, np.ndarray]:
    """``core.data.edges.hand_made_edges`` (Sobel magnitude, Canny) of the resized photo."""
    from core.data import edges

    return edges.hand_made_edges(_rgb)
