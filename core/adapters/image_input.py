"""Where a page's input image comes from: a sample photo, the user's upload (shared by every page of
the session), a synthetic pattern or a typed matrix; a bad upload gets a clear message and loses
nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import streamlit as st

from core.adapters import cached, lecture_mode, live_offers, url_state
from core.adapters.url_state import UrlParam
from core.data.images import SAMPLES, SYNTHETIC, ImageLoadError, content_key, to_unit_range

#: The user's photo, for every page: {"name": str, "sha256": of the file, "file_id": the uploader's,
#: "pixels": uint8 (H, W, 3), read-only}. Only the decoded, resized picture (at most 512 px a side,
#: 768 kB) stays in the session, never the uploaded file (up to 25 MB).
SHARED_IMAGE_KEY = "shared_upload"
#: The last refused upload of the session: (the uploader's file id, the message shown).
REFUSED_KEY = "shared_upload_refused"
#: Longest file name kept and shown (a name is the student's text).
MAX_NAME_CHARS = 80


@dataclass(frozen=True)
class ImageInput:
    """The image a page works on.

    Attributes
    ----------
    pixels : ndarray (H, W, 3) or (H, W), float32
        Values in 0–255 for photos; matrices keep the numbers typed or printed in the seed.
        Sample photos are shared by every session and read-only.
    label : str
        What it is ("Upload: cat.jpg (512×384)", "Sample: Cameraman", ...).
    kind : {"photo", "synthetic", "matrix"}
    key : str
        Names the pixels for the shared caches ("sample:camera", "upload:<sha256>",
        "synthetic:line_90", "matrix:<sha1 of the values>"): equal keys mean equal pixels.
    """

    pixels: np.ndarray
    label: str
    kind: str
    key: str = ""


def shared_image_key() -> str | None:
    """``"upload:<sha256>"`` of the photo the user uploaded on any page, or None."""
    entry = st.session_state.get(SHARED_IMAGE_KEY)
    if not entry:
        return None
    return "upload:" + entry["sha256"]


def shared_image() -> tuple[str, np.ndarray] | None:
    """The photo the user uploaded on any page, decoded (name, float32 (H, W, 3) in [0, 1]), or None."""
    entry = st.session_state.get(SHARED_IMAGE_KEY)
    if not entry:
        return None
    return entry["name"], to_unit_range(entry["pixels"])


def shared_pixels() -> np.ndarray | None:
    """The uploaded photo (see :func:`shared_image`) in pixel units: float32 (H, W, 3) in [0, 255],
    exactly its 8-bit values (for code that works in pixel units, as the convolution page and
    VGG16's preprocessing do); None without an upload."""
    entry = st.session_state.get(SHARED_IMAGE_KEY)
    return None if not entry else entry["pixels"].astype(np.float32)


def upload_entry(name: str, data: bytes, *, file_id: str = "") -> dict:
    """Decode an uploaded file into what the session keeps of it (:data:`SHARED_IMAGE_KEY`).

    Parameters
    ----------
    name : str
        The file's name (cut to :data:`MAX_NAME_CHARS`).
    data : bytes
        The file (:func:`core.data.images.load_image`'s limits: 25 MB, 50 MP, the formats).
    file_id : str
        The uploader's id of the file: the same upload is not decoded again on the next run.

    Returns
    -------
    dict
        ``name``, ``sha256`` (of the file: names the pixels in the shared caches), ``file_id`` and
        ``pixels``: the decoded photo, uint8 (H, W, 3), at most 512 px on its longer side,
        read-only (lossless for 8-bit files; 16-bit files are rounded to 8 bits). Not the file.

    Raises
    ------
    ImageLoadError
        For a file that is not a usable image.
    """
    image = cached.decode_upload(data)
    pixels = np.rint(image * 255.0).astype(np.uint8)
    pixels.setflags(write=False)
    return {
        "name": name[:MAX_NAME_CHARS],
        "sha256": hashlib.sha256(data).hexdigest(),
        "file_id": file_id,
        "pixels": pixels,
    }


def upload_widget(prefix: str) -> None:
    """A file uploader that stores a good upload for every page, and explains a bad one."""
    upload = st.file_uploader(
        "Upload your own image",
        type=["png", "jpg", "jpeg", "webp", "bmp", "gif", "tif", "tiff"],
        key=f"{prefix}_uploader",
        help="Large images are scaled down to 512 pixels on the longer side.",
    )
    if upload is None:
        return
    entry = st.session_state.get(SHARED_IMAGE_KEY)
    if entry and entry.get("file_id") == upload.file_id:
        return  # stored on an earlier run: the file is not read again
    refused = st.session_state.get(REFUSED_KEY)
    if refused and refused[0] == upload.file_id:  # refused on an earlier run: not decoded again
        st.error(refused[1])
        return
    try:
        st.session_state[SHARED_IMAGE_KEY] = upload_entry(
            upload.name, upload.getvalue(), file_id=upload.file_id
        )
    except ImageLoadError as exc:
        st.session_state[REFUSED_KEY] = (
            upload.file_id,
            f"Could not use **{upload.name[:MAX_NAME_CHARS]}**: {exc}",
        )
        st.error(st.session_state[REFUSED_KEY][1])


PICKER_SOURCES = ("Sample photo", "Your photo", "Synthetic", "Type a matrix")


def picker_url_params(prefix: str) -> tuple[UrlParam, ...]:
    """The link's ``src``, ``sample`` and ``synthetic`` for the picker whose widget keys start with
    ``prefix``."""
    src = f"{prefix}_src"
    return (
        UrlParam("src", src, "Sample photo", choices=PICKER_SOURCES),
        UrlParam("sample", f"{prefix}_sample", "camera", choices=SAMPLES, when=(src, "Sample photo")),
        UrlParam("synthetic", f"{prefix}_synthetic", "line_90", choices=SYNTHETIC, when=(src, "Synthetic")),
    )


def image_source_picker(prefix: str, *, matrix_default: np.ndarray | None = None) -> ImageInput:
    """Pick the input image: a sample photo, your upload, a synthetic teaching image, or a typed matrix.

    The choice is mirrored in the URL (``src``, ``sample``, ``synthetic``).
    """
    url_state.sync(picker_url_params(prefix))
    source = st.radio("Image", PICKER_SOURCES, key=f"{prefix}_src", horizontal=True)
    if source == "Sample photo":
        name = st.selectbox(
            "Sample", list(SAMPLES), key=f"{prefix}_sample", format_func=lambda n: SAMPLES[n].title
        )
        return ImageInput(
            cached.sample_pixels(name),
            f"Sample: {SAMPLES[name].title} ({SAMPLES[name].source})",
            "photo",
            f"sample:{name}",
        )
    if source == "Your photo":
        upload_widget(prefix)
        current = shared_image()
        if current is None:
            st.info("No photo yet: upload one above. Until then the Cameraman sample is shown.")
            return ImageInput(cached.sample_pixels("camera"), "Sample: Cameraman", "photo", "sample:camera")
        name, image = current
        return ImageInput(
            shared_pixels(),
            f"Your photo: {name} ({image.shape[1]}×{image.shape[0]})",
            "photo",
            shared_image_key(),
        )
    if source == "Synthetic":
        name = st.selectbox(
            "Teaching image",
            list(SYNTHETIC),
            key=f"{prefix}_synthetic",
            format_func=lambda n: SYNTHETIC[n][0],
        )
        return ImageInput(
            SYNTHETIC[name][1](), f"Synthetic: {SYNTHETIC[name][0]}", "synthetic", f"synthetic:{name}"
        )
    values = matrix_editor(f"{prefix}_matrix", matrix_default)
    return ImageInput(values, "Typed matrix", "matrix", "matrix:" + content_key(values))


def matrix_editor(
    key: str, default: np.ndarray | None, *, label: str = "Values (edit any cell)"
) -> np.ndarray:
    """An editable grid of numbers; empty or non-numeric cells count as 0.

    The grid has the size of ``default`` (6 x 6 without one): edits that add or delete rows or name
    other cells (only a crafted message can send them) are dropped with a message before Streamlit
    applies them (:func:`core.adapters.editor_bounds.bounded_editor`).

    In a live session the values are offered to the class (:mod:`core.adapters.live_offers`); a
    session that follows starts from the lecturer's matrix for this ``key`` (same shape) instead.
    In lecture mode the grid sits in a closed expander: Streamlit draws it on a canvas at 14 px,
    too small for the back row, and the page's matrix figure shows the same numbers at 20 px.

    Returns
    -------
    ndarray (H, W), float32, all finite
    """
    import pandas as pd

    from core.adapters.editor_bounds import bounded_editor

    base = np.zeros((6, 6), np.float32) if default is None else np.asarray(default, np.float32)
    shown_key = key
    lecturers = live_offers.from_lecturer("matrix", key)  # following a live session: the lecturer's
    if lecturers is not None and lecturers.shape == base.shape:
        base, shown_key = lecturers, f"{key}_live_{content_key(lecturers)[:12]}"  # a fresh grid of theirs
        st.caption("The lecturer's matrix")
    frame = pd.DataFrame(base, columns=[str(c) for c in range(base.shape[1])])
    bounded_editor(
        shown_key, rows=base.shape[0], columns=list(frame.columns), max_rows=base.shape[0], fixed=True
    )
    place = st.expander("Edit the values") if lecture_mode.is_lecture() else st.container()
    edited = place.data_editor(
        frame,
        key=shown_key,
        hide_index=False,
        width="content",
        column_config={c: st.column_config.NumberColumn(c, format="%g") for c in frame.columns},
    )
    values = edited.apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        st.warning(f"{int(bad.sum())} empty or non-numeric cell(s) are treated as 0.")
        values = np.where(bad, 0.0, values)
    values = values.astype(np.float32)
    live_offers.offer("matrix", (key, values))  # sent to the class if this session leads one
    return values
