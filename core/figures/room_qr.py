"""The join link of a live session and its QR code (``segno``), sized to be scanned across a hall.

Size: a QR code scans from about ten times its width (the usual 10:1 distance rule of the
printers' guides). The join link ``https://host/?room=ABC234`` (up to 62 characters) fits version 3 or 4
at error correction M (29 or 33 modules, plus the 4-module quiet zone): at :data:`MODULE_PX` = 16 px per
module the image is (33 + 8) × 16 = 656 px, 61 % of a 1080-line projector. On a screen 3 m high that is
about 1.8 m wide, 44 mm a module: readable from the back of an 18 m hall; on a 2 m screen, 12 m.

References
----------
ISO/IEC 18004:2015, QR Code bar code symbology (versions, error correction, quiet zone of 4 modules).
segno's documentation: ``segno.make_qr``, ``QRCode.save(kind=..., scale=..., border=...)``.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode, urlsplit

import segno

#: Pixels (SVG user units) per module: 16 makes the link's code ~650 px, see the module's note.
MODULE_PX = 16
#: The quiet zone around the code, in modules (the standard's 4).
BORDER_MODULES = 4
#: Error correction M (15 % of the code may be covered or blurred: a projector's keystone, a head).
ERROR_LEVEL = "m"
#: The query parameter of a join link (on the app's root or any page).
ROOM_PARAM = "room"
#: The app's public address for join links, when the lecturer's browser address is not it (a proxy, a
#: projector laptop on ``127.0.0.1``): ``https://explainer.example.org/`` or ``http://10.0.0.5:8501/``.
PUBLIC_URL_ENV = "NEURAL_EXPLAINER_PUBLIC_URL"
#: The longest public address taken: its join link stays a QR code of version 6 at most (41 modules).
MAX_PUBLIC_URL_CHARS = 80


def join_link(base_url: str, code: str) -> str:
    """``<base_url>/?room=<code>``: the app's root (or a page's address) with the room parameter.

    Raises
    ------
    ValueError
        If ``base_url`` is not an ``http(s)://host[/path]`` address without a query.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(
            f"base_url must be the app's address such as https://host/ (no query), got {base_url!r}"
        )
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme}://{parts.netloc}{path}?{urlencode({ROOM_PARAM: code})}"


def check_public_url(url: str) -> str:
    """``url`` as the app's public root for join links (:data:`PUBLIC_URL_ENV`), ending in ``/``.

    Raises
    ------
    ValueError
        Unless ``url`` is an ``http://`` or ``https://`` address of at most :data:`MAX_PUBLIC_URL_CHARS`
        printable ASCII characters, with a host, without user name or password (the projector shows
        it), query or fragment.
    """
    if (
        not isinstance(url, str)
        or not 0 < len(url) <= MAX_PUBLIC_URL_CHARS
        or not all("!" <= c <= "~" for c in url)
    ):
        raise ValueError(
            f"{PUBLIC_URL_ENV} must be the app's address, 1 to {MAX_PUBLIC_URL_CHARS} printable ASCII "
            "characters without spaces, such as https://explainer.example.org/"
        )
    parts = urlsplit(url)
    try:
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        port_ok = False
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or not port_ok
        or "@" in parts.netloc
        or parts.query
        or parts.fragment
    ):
        raise ValueError(
            f"{PUBLIC_URL_ENV} must be an http:// or https:// address with a host and no user name, "
            "query or fragment, such as https://explainer.example.org/"
        )
    return url if url.endswith("/") else url + "/"


def join_qr(link: str) -> segno.QRCode:
    """The QR code of ``link``: a full QR code (never Micro QR), error correction M, smallest version."""
    if not isinstance(link, str) or not 0 < len(link) <= 200:
        raise ValueError("link must be a join link of 1 to 200 characters")
    return segno.make_qr(link, error=ERROR_LEVEL, boost_error=False)


def join_qr_image(link: str, *, kind: str = "svg", module_px: int = MODULE_PX) -> bytes:
    """The QR code of ``link`` as SVG (dark modules ``#000`` on white) or PNG bytes.

    Returns
    -------
    bytes
        An image (N + 2·4) · ``module_px`` pixels square, N = 17 + 4·version modules.

    Raises
    ------
    ValueError
        For another ``kind`` or a ``module_px`` outside 1..64.
    """
    if kind not in ("svg", "png"):
        raise ValueError(f"kind must be 'svg' or 'png', got {kind!r}")
    if not isinstance(module_px, int) or not 1 <= module_px <= 64:
        raise ValueError("module_px must be an int from 1 to 64")
    out = io.BytesIO()
    join_qr(link).save(out, kind=kind, scale=module_px, border=BORDER_MODULES, dark="#000", light="#fff")
    return out.getvalue()
