"""Paths between two latent codes, for the autoencoder and GAN pages (NumPy only).

* :func:`lerp`: the straight line, what the autoencoder page decodes between two digits' codes;
* :func:`slerp`: the great-circle arc, better suited to a GAN's Gaussian noise.

Both return ``n`` codes ``(n, D)`` float32 whose first and last rows are the endpoints exactly.
"""

from __future__ import annotations

import numpy as np


def _endpoints(z0, z1, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``z0``, ``z1`` flattened to float32 ``(D,)``, after checking them and ``n``."""
    a, b = np.asarray(z0, np.float64).ravel(), np.asarray(z1, np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"`z0` and `z1` must have the same shape, got {a.shape} and {b.shape}.")
    if int(n) < 2:
        raise ValueError(f"`n` must be at least 2 (the two endpoints), got {n!r}.")
    return a.astype(np.float32), b.astype(np.float32)


def lerp(z0, z1, n: int) -> np.ndarray:
    """``n`` evenly spaced points on the segment from ``z0`` to ``z1`` (both included exactly).

    ``lerp(t) = (1 - t) z0 + t z1`` for ``t = 0, 1/(n-1), ..., 1``.

    Parameters
    ----------
    z0, z1 : array_like of D floats (any shape; flattened)
    n : int >= 2

    Returns
    -------
    ndarray of shape (n, D), float32
        ``out[0] == z0`` and ``out[-1] == z1``.

    Raises
    ------
    ValueError
        If ``n < 2`` or the two codes differ in size.
    """
    a, b = _endpoints(z0, z1, n)
    t = np.linspace(0.0, 1.0, int(n))[:, None]
    out = ((1 - t) * a + t * b).astype(np.float32)
    out[0], out[-1] = a, b
    return out


def slerp(z0, z1, n: int) -> np.ndarray:
    """Spherical interpolation (Shoemake 1985; White 2016 for GAN noise), endpoints exact.

    ``slerp(t) = sin((1-t) w) / sin w * z0 + sin(t w) / sin w * z1``, ``w`` the angle between
    the codes. Gaussian noise in many dimensions lies near a sphere of radius ``sqrt(D)``; a
    straight line between two samples passes closer to the origin (lower norm, atypical noise),
    the arc does not. Falls back to :func:`lerp` for (anti-)parallel codes. Returns ``(n, D)``
    float32; raises ``ValueError`` as :func:`lerp` does.
    """
    a, b = _endpoints(z0, z1, n)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    cos = float(np.dot(a, b) / (na * nb)) if na > 0 and nb > 0 else 1.0
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if np.sin(omega) < 1e-6:
        return lerp(a, b, n)
    t = np.linspace(0.0, 1.0, int(n))[:, None]
    out = ((np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)).astype(np.float32)
    out[0], out[-1] = a, b
    return out
