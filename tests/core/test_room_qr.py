"""The join link and its QR code: the link's form, the symbol's version and size, and the PNG's
pixels reproduce segno's module matrix at the documented module size (no QR decoder is installed
offline, so the image is checked against the matrix it must draw)."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

from core.figures.room_qr import (
    BORDER_MODULES,
    MAX_PUBLIC_URL_CHARS,
    MODULE_PX,
    check_public_url,
    join_link,
    join_qr,
    join_qr_image,
)


def test_the_join_link_puts_the_room_on_the_apps_address():
    assert (
        join_link("https://explainer.example.org", "ABC234") == "https://explainer.example.org/?room=ABC234"
    )
    assert (
        join_link("http://127.0.0.1:8501/convolution/", "ABC234")
        == "http://127.0.0.1:8501/convolution/?room=ABC234"
    )
    for bad in ("explainer.example.org", "https://h/?page=x", "javascript:alert(1)"):
        with pytest.raises(ValueError, match="base_url"):
            join_link(bad, "ABC234")


def test_a_public_address_is_checked_before_it_is_projected():
    assert check_public_url("https://explainer.example.org") == "https://explainer.example.org/"
    assert check_public_url("http://10.0.0.5:8501/course/") == "http://10.0.0.5:8501/course/"
    longest = "https://h.example/" + "a" * (MAX_PUBLIC_URL_CHARS - 18)
    assert join_qr(join_link(check_public_url(longest), "ABC234")).version <= 6  # still scans from afar
    for bad in (
        "explainer.example.org",  # no scheme
        "ftp://h.example/",
        "javascript:alert(1)",
        "https://user:secret@h.example/",  # the projector shows the link
        "https://h.example/?room=ABC234",
        "https://h.example/#x",
        "https://h.example:99999/",
        "https://h.example/ a",
        "https://h.example/é",
        longest + "a",
        "",
    ):
        with pytest.raises(ValueError, match="NEURAL_EXPLAINER_PUBLIC_URL"):
            check_public_url(bad)


def test_a_typical_link_is_a_small_full_qr_code_at_error_correction_m():
    link = join_link("https://explainer.example.org", "ABC234")
    qr = join_qr(link)
    assert (qr.version, qr.error, qr.is_micro) == (3, "M", False)
    assert qr.symbol_size(scale=1, border=0) == (29, 29)  # 17 + 4 · version
    assert join_qr(link + "x" * 20).version == 4


def test_the_png_draws_the_matrix_at_the_documented_module_size():
    link = join_link("https://explainer.example.org", "ABC234")
    image = Image.open(io.BytesIO(join_qr_image(link, kind="png")))
    n = 29 + 2 * BORDER_MODULES
    assert image.size == (n * MODULE_PX, n * MODULE_PX) and image.size[0] >= 560
    pixels = np.asarray(image.convert("L"))
    centres = pixels[MODULE_PX // 2 :: MODULE_PX, MODULE_PX // 2 :: MODULE_PX]
    dark = (centres < 128).astype(int)
    matrix = np.array(
        [list(row) for row in join_qr(link).matrix_iter(scale=1, border=BORDER_MODULES)]
    ).astype(int)
    assert dark.shape == matrix.shape == (n, n)
    assert np.array_equal(dark, matrix)
    assert (
        dark[:BORDER_MODULES].sum() == 0 and dark[BORDER_MODULES, BORDER_MODULES : BORDER_MODULES + 7].all()
    )


def test_the_svg_has_the_same_size_and_refuses_other_kinds():
    link = join_link("https://h.example", "ABC234")
    svg = join_qr_image(link, kind="svg").decode()
    size = (join_qr(link).symbol_size(scale=1, border=0)[0] + 2 * BORDER_MODULES) * MODULE_PX
    assert re.search(rf'width="{size}" height="{size}"', svg)
    with pytest.raises(ValueError, match="kind"):
        join_qr_image(link, kind="gif")
    with pytest.raises(ValueError, match="module_px"):
        join_qr_image(link, module_px=0)
