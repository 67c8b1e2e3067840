"""Caches of the image pages: uploads, sample photos, grayscale copies and feature maps."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.adapters.cached.sharing import read_only
from core.data import images
from core.maths import convolution


@st.cache_data(max_entries=32, show_spinner=False)
def decode_upload(data: bytes, max_side: int = 512) -> np.ndarray:
    """:func:`core.data.images.load_image`, cached by the file's bytes. Raises ``ImageLoadError``."""
    return images.load_image(data, max_side=max_side)


@st.cache_data(max_entries=16, show_spinner=False)
def sample_image(name: str) -> np.ndarray:
    """:func:`core.data.images.load_sample`, cached by name: float32 (H, W, 3) in [0, 1]."""
    return images.load_sample(name)


@st.cache_resource(max_entries=16, show_spinner=False)
def sample_pixels(name: str) -> np.ndarray:
    """A sample photo in pixel units: float32 (H, W, 3) in [0, 255], read-only and shared by
    every session (no copy per run, nothing per session)."""
    return read_only(images.load_sample(name) * np.float32(255.0))


@st.cache_resource(max_entries=32, show_spinner=False)
def grayscale(image_key: str, _image: np.ndarray) -> np.ndarray:
    """:func:`core.data.images.to_grayscale` of the image named ``image_key``: float32 (H, W),
    read-only and shared (``_image`` is not hashed: equal keys mean equal pixels)."""
    return read_only(images.to_grayscale(_image))


@st.cache_resource(max_entries=64, show_spinner=False)
def feature_map(
    image_key: str,
    _image: np.ndarray,
    kernel: np.ndarray,
    *,
    flip: bool,
    stride: int,
    padding,
    dilation: int,
    bias: float,
    pad_mode: str,
) -> tuple[np.ndarray, tuple]:
    """:func:`core.maths.convolution.cross_correlate2d` (or ``convolve2d`` when ``flip``) of the image
    named ``image_key`` (``_image`` is not hashed: equal keys mean equal pixels, see
    ``core.adapters.image_input.ImageInput.key``), with its resolved padding ``(top, bottom, left, right)``.
    The map is read-only and shared by every session on that view. Raises ``ValueError`` as the
    core functions do."""
    operation = convolution.convolve2d if flip else convolution.cross_correlate2d
    fmap = operation(
        _image, kernel, stride=stride, padding=padding, dilation=dilation, bias=bias, pad_mode=pad_mode
    )
    pads = convolution.resolve_padding(
        _image.shape[:2], kernel.shape[:2], stride=stride, padding=padding, dilation=dilation
    )
    return read_only(fmap), pads
