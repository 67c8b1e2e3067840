"""core.data.images: every format decodes to float32 RGB in [0, 1]; every bad file gives ImageLoadError."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from core.data.images import (
    MAX_PIXELS,
    SAMPLES,
    SYNTHETIC,
    ImageLoadError,
    line_image,
    load_image,
    load_sample,
    to_grayscale,
    x_and_o,
)


def encode(img: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


def gradient_rgb(w=40, h=30) -> Image.Image:
    arr = np.zeros((h, w, 3), np.uint8)
    arr[..., 0] = np.linspace(0, 255, w, dtype=np.uint8)[None, :]
    arr[..., 1] = 128
    arr[..., 2] = np.linspace(255, 0, h, dtype=np.uint8)[:, None]
    return Image.fromarray(arr)


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF"])
def test_each_format_decodes_to_rgb_float(fmt):
    img = gradient_rgb()
    out = load_image(encode(img, fmt))
    assert out.shape == (30, 40, 3) and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    if fmt in ("PNG", "BMP", "TIFF"):  # lossless
        np.testing.assert_allclose(out, np.asarray(img, np.float32) / 255, atol=1e-6)
    else:
        assert abs(out[:, :, 1].mean() - 128 / 255) < 0.06


def test_gif_first_frame_only():
    frames = [Image.new("RGB", (8, 8), (255, 0, 0)), Image.new("RGB", (8, 8), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    out = load_image(buf.getvalue())
    assert out[0, 0, 0] > 0.9 and out[0, 0, 2] < 0.1


def test_modes_palette_alpha_16bit_cmyk_gray():
    alpha = Image.new("RGBA", (4, 4), (0, 0, 0, 0))  # fully transparent → white
    np.testing.assert_allclose(load_image(encode(alpha, "PNG")), 1.0)
    pal = gradient_rgb().convert("P")
    assert load_image(encode(pal, "PNG")).shape == (30, 40, 3)
    sixteen = Image.fromarray(np.full((5, 6), 65535 // 2, np.uint16))
    out16 = load_image(encode(sixteen, "PNG"))
    assert out16.shape == (5, 6, 3) and out16.mean() == pytest.approx(0.5, abs=0.01)
    cmyk = Image.new("CMYK", (6, 4), (0, 255, 255, 0))  # pure red in CMYK
    red = load_image(encode(cmyk, "JPEG"))
    assert red[..., 0].mean() > 0.9 and red[..., 1].mean() < 0.15
    gray = Image.fromarray(np.full((3, 3), 51, np.uint8), mode="L")
    np.testing.assert_allclose(load_image(encode(gray, "PNG")), 0.2, atol=1e-6)


def test_exif_orientation_is_applied():
    img = Image.new("RGB", (20, 10), (0, 0, 0))
    exif = img.getexif()
    exif[0x0112] = 6  # rotate 90° clockwise
    out = load_image(encode(img, "JPEG", exif=exif.tobytes()))
    assert out.shape[:2] == (20, 10)


def test_large_image_is_downscaled_to_max_side():
    out = load_image(encode(gradient_rgb(1200, 600), "PNG"), max_side=300)
    assert out.shape == (150, 300, 3)


@pytest.mark.parametrize(
    "data, match",
    [
        (b"", "empty"),
        (b"hello, this is text named photo.png", "not an image"),
        (encode(gradient_rgb(), "PNG")[:60], "truncated or corrupt|not an image|could not be read"),
        (encode(gradient_rgb(), "JPEG")[:200], "truncated or corrupt|could not be read"),
    ],
)
def test_bad_files_raise_image_load_error(data, match):
    with pytest.raises(ImageLoadError, match=match):
        load_image(data)


def huge_png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height pixels; its data is tiny (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def test_huge_dimensions_refused_before_decoding():
    with pytest.raises(ImageLoadError, match="limit is 50 MP"):
        load_image(huge_png_header(100_000, 100_000))
    assert 100_000 * 100_000 > MAX_PIXELS
    with pytest.raises(ImageLoadError, match="8000×7500 pixels"):  # 60 MP: our own limit, not Pillow's
        load_image(huge_png_header(8000, 7500))


def test_unsupported_format_is_refused():
    buf = io.BytesIO()
    gradient_rgb().save(buf, format="PPM")
    with pytest.raises(ImageLoadError, match="not supported"):
        load_image(buf.getvalue())


def test_grayscale_uses_itu_r_601_luma():
    red = np.zeros((1, 1, 3), np.float32)
    red[..., 0] = 255
    assert round(float(to_grayscale(red)[0, 0])) == 76  # seed 000 fact 54
    pil = np.asarray(gradient_rgb().convert("L"), np.float32)
    ours = to_grayscale(np.asarray(gradient_rgb(), np.float32))
    assert np.abs(ours - pil).max() <= 1.0


def test_samples_and_synthetic_images_load_offline():
    for name in SAMPLES:
        img = load_sample(name)
        assert img.ndim == 3 and img.shape[2] == 3 and img.dtype == np.float32 and img.max() <= 1.0
    for title, make in SYNTHETIC.values():
        assert make().ndim == 2, title
    assert line_image(45, 5)[4, 0] == 1 and line_image(45, 5)[0, 4] == 1  # '/': bottom-left to top-right
    x = x_and_o("x")
    assert x.shape == (9, 9) and set(np.unique(x)) == {-1.0, 1.0} and x[4, 4] == 1


# --------------------------------------------------------------------------- 8-bit pixels
def test_to_unit_range_maps_0_255_onto_0_1_exactly():
    from core.data.images import to_unit_range

    out = to_unit_range(np.array([[0, 1, 128, 255]], np.uint8))
    assert out.dtype == np.float32 and out.shape == (1, 4)
    np.testing.assert_array_equal(out, np.float32([[0, 1, 128, 255]]) / np.float32(255))
    assert out[0, 0] == 0.0 and out[0, -1] == 1.0
    assert to_unit_range(np.full((2, 2), 51, np.uint8), dtype=np.float64)[0, 0] == pytest.approx(
        0.2, abs=1e-15
    )
    with pytest.raises(TypeError, match="uint8"):
        to_unit_range(np.array([0.5, 1.0]))  # already in [0, 1]: scaling again would darken it


def test_content_key_names_dtype_shape_and_values():
    from core.data.images import content_key

    a = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert content_key(a) == content_key(a.copy()) and len(content_key(a)) == 16
    assert content_key(np.asfortranarray(a)) == content_key(a)  # the values, not the layout
    others = {
        content_key(a.reshape(4, 3)),
        content_key(a.astype(np.int16)),
        content_key(a + 1),
        content_key(a),
    }
    assert len(others) == 4
