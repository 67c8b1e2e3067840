"""The session keeps the decoded, resized photo of an upload, never the file; a refused file is not
decoded again on every rerun."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from streamlit.testing.v1 import AppTest


def _script():
    import streamlit as st

    from core.adapters import image_input

    image_input.upload_widget("t")
    shared = image_input.shared_image()
    if shared is not None:
        st.markdown(f"{shared[0]} {shared[1].shape} {shared[1].dtype}")
        st.markdown(image_input.shared_image_key())


def _png(width: int, height: int) -> bytes:
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def test_only_the_decoded_resized_photo_stays_in_the_session():
    from core.adapters import image_input
    from core.data import images

    data = _png(2000, 1500)  # 9 MB of noise: the file is big
    assert len(data) > 8_000_000
    at = AppTest.from_function(_script, default_timeout=30).run()
    at.file_uploader(key="t_uploader").set_value(("noise.png", data, "image/png")).run()
    entry = at.session_state["shared_upload"]
    assert sorted(entry) == ["file_id", "name", "pixels", "sha256"]
    assert not any(isinstance(v, (bytes, bytearray, memoryview)) for v in entry.values())
    assert entry["pixels"].shape == (384, 512, 3) and entry["pixels"].dtype == np.uint8
    assert entry["pixels"].nbytes == 589_824  # 512 · 384 · 3: 1/15 of the file
    # what the pages get is what decoding the file gives (8-bit: lossless)
    expected = images.load_image(data, max_side=512)
    assert at.markdown[0].value == "noise.png (384, 512, 3) float32"
    assert at.markdown[1].value.startswith("upload:") and len(at.markdown[1].value) == 7 + 64
    np.testing.assert_array_equal(entry["pixels"].astype(np.float32) / np.float32(255.0), expected)
    assert image_input.MAX_NAME_CHARS == 80


def test_a_refused_file_is_decoded_once(monkeypatch):
    from core.data import images

    calls = []
    real = images.load_image

    def counting(data, **kwargs):
        calls.append(len(data))
        return real(data, **kwargs)

    monkeypatch.setattr(images, "load_image", counting)
    at = AppTest.from_function(_script, default_timeout=30).run()
    at.file_uploader(key="t_uploader").set_value(
        ("x" * 300 + ".png", b"not an image at all", "image/png")
    ).run()
    assert len(at.error) == 1 and "not an image Pillow can read" in at.error[0].value
    assert at.error[0].value.count("x") == 80  # the name is cut to 80 characters
    at.run()
    at.run()
    assert calls == [19] and len(at.error) == 1  # shown again, not decoded again
    assert "shared_upload" not in at.session_state


def _pixels_script():
    import streamlit as st

    from core.adapters import image_input

    image_input.upload_widget("t")
    if image_input.shared_image() is not None:
        unit, pixels = image_input.shared_image()[1], image_input.shared_pixels()
        st.session_state.check = (unit.copy(), pixels.copy())


def test_the_photo_in_pixel_units_is_its_8_bit_values_and_in_0_1_their_255th():
    at = AppTest.from_function(_pixels_script, default_timeout=30).run()
    at.file_uploader(key="t_uploader").set_value(("noise.png", _png(60, 40), "image/png")).run()
    stored = at.session_state["shared_upload"]["pixels"]
    unit, pixels = at.session_state["check"]
    assert pixels.dtype == np.float32 and unit.dtype == np.float32
    np.testing.assert_array_equal(pixels, stored)  # exactly the 8-bit values, 0..255
    np.testing.assert_array_equal(unit, stored / np.float32(255))  # core.data.images.to_unit_range
    assert pixels.max() > 250 and unit.max() <= 1.0
