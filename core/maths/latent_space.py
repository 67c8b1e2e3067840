"""Codes and images as vectors: the plane of 2-D codes, PCA, nearest neighbours (NumPy only).

What the autoencoder and GAN pages compute around their models, without Keras: the grid of codes a decoder
draws as a manifold and the range that frames the test codes (:func:`latent_grid`, :func:`latent_range`), an
input's anomaly percentile, PCA as the linear baseline of an autoencoder (Course notes, *Autoencoders and
convolutional networks*, *Autoencoders in deep learning*: autoencoders beat PCA thanks to non-linear layers),
the k-nearest-neighbour accuracy that measures how well 2-D codes separate the digits, and the distance from a
digit to its nearest training digit (the yardstick for generated samples).
"""

from __future__ import annotations

import numpy as np


# --------------------------------------------------------------------------- the code plane
def latent_grid(x_range, y_range, n: int) -> np.ndarray:
    """Grid of ``n * n`` 2-D codes, row-major with the first row at the *top* (largest y).

    Returns ``(n * n, 2)`` float32: ``grid[r * n + c] = (x_c, y_{n-1-r})``.
    """
    if int(n) < 2:
        raise ValueError(f"`n` must be at least 2, got {n!r}.")
    xs = np.linspace(*x_range, int(n), dtype=np.float32)
    ys = np.linspace(*y_range, int(n), dtype=np.float32)[::-1]
    gx, gy = np.meshgrid(xs, ys)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def latent_range(codes, *, quantile: float = 0.01, margin: float = 0.1) -> tuple[tuple, tuple]:
    """Robust plotting range of 2-D codes: per axis the ``quantile``..``1 - quantile`` interval,
    widened by ``margin`` of its width. Returns ``((x_lo, x_hi), (y_lo, y_hi))``."""
    c = np.asarray(codes, dtype=np.float64)
    lo, hi = np.quantile(c, quantile, axis=0), np.quantile(c, 1 - quantile, axis=0)
    pad = margin * (hi - lo)
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0])), (float(lo[1] - pad[1]), float(hi[1] + pad[1]))


def anomaly_percentile(error: float, reference_errors) -> float:
    """Percentage of ``reference_errors`` (e.g. the test set's) below ``error``, in [0, 100]."""
    ref = np.asarray(reference_errors, dtype=np.float64).ravel()
    if ref.size == 0:
        raise ValueError("`reference_errors` must not be empty.")
    return float(100.0 * np.mean(ref < float(error)))


# --------------------------------------------------------------------------- PCA
def pca_fit(x_train, *, n_components: int) -> tuple[np.ndarray, np.ndarray]:
    """Principal components of flattened images: eigenvectors of their covariance matrix.

    The ``784 × 784`` covariance and its symmetric eigendecomposition (``numpy.linalg.eigh``) cost
    ~0.1 s for 4,000 digits, against ~2 s for the SVD of the centred ``4000 × 784`` data; both give
    the same components (up to sign) in float64.

    Returns ``(mean, components)``: ``(784,)`` and ``(n_components, 784)`` float64, the
    components orthonormal and sorted by explained variance.

    Raises
    ------
    ValueError
        If ``n_components`` is not in ``1 .. min(N, 784)``.
    """
    x = np.asarray(x_train, dtype=np.float64).reshape(len(x_train), -1)
    if not 1 <= int(n_components) <= min(x.shape):
        raise ValueError(f"`n_components` must be in 1..{min(x.shape)}, got {n_components!r}.")
    mean = x.mean(axis=0)
    centred = x - mean
    eigenvalues, eigenvectors = np.linalg.eigh(centred.T @ centred)  # ascending eigenvalues
    order = np.argsort(eigenvalues)[::-1][: int(n_components)]
    return mean, np.ascontiguousarray(eigenvectors[:, order].T)


def pca_reconstruct(images, mean, components) -> np.ndarray:
    """Project flattened images onto ``components`` and back: same shape as ``images``."""
    x = np.asarray(images, dtype=np.float64)
    flat = x.reshape(len(x), -1) - mean
    return ((flat @ components.T) @ components + mean).reshape(x.shape)


def pca_reconstruction_mse(x_train, x_test, *, code_sizes) -> np.ndarray:
    """Test-set mean squared error of PCA with each code size (one SVD for all sizes).

    Returns ``(len(code_sizes),)`` float64, non-increasing in the code size.
    """
    sizes = [int(k) for k in code_sizes]
    mean, comps = pca_fit(x_train, n_components=max(sizes))
    x = np.asarray(x_test, dtype=np.float64).reshape(len(x_test), -1)
    return np.array([np.mean((pca_reconstruct(x, mean, comps[:k]) - x) ** 2) for k in sizes])


# --------------------------------------------------------------------------- nearest neighbours
def squared_distances(queries, references) -> np.ndarray:
    """Squared Euclidean distances ``(M, N)`` float64 between the rows of ``queries`` ``(M, D)``
    and of ``references`` ``(N, D)`` (any trailing shape is flattened), as
    ``|q|² - 2 q·r + |r|²``: one matrix product, clipped at 0 against round-off."""
    q = np.asarray(queries, np.float64).reshape(len(queries), -1)
    r = np.asarray(references, np.float64).reshape(len(references), -1)
    if q.shape[1] != r.shape[1]:
        raise ValueError(f"queries have {q.shape[1]} values each but references {r.shape[1]}.")
    return np.maximum((q**2).sum(1)[:, None] - 2 * q @ r.T + (r**2).sum(1)[None], 0.0)


def knn_accuracy(train_codes, train_labels, test_codes, test_labels, *, k: int = 5) -> float:
    """Accuracy of a k-nearest-neighbour vote (Euclidean, ties to the smallest label) of
    ``test_codes`` ``(M, D)`` among ``train_codes`` ``(N, D)``; a float in [0, 1]."""
    d2 = squared_distances(test_codes, train_codes)
    nearest = np.argsort(d2, axis=1, kind="stable")[:, :k]
    votes = np.asarray(train_labels)[nearest]
    pred = np.array([np.bincount(v, minlength=10).argmax() for v in votes])
    return float(np.mean(pred == np.asarray(test_labels)))


def median_nearest_distance(queries, references) -> float:
    """Median over ``queries`` ``(M, ...)`` of the Euclidean distance to the nearest of
    ``references`` ``(N, ...)`` (same units as the values; one BLAS product, ~20 ms for
    100 x 4,000 digits). For digits in [0, 1] it is the yardstick of
    ``core.models.gan.nearest_real`` distances: how far a real test digit is from the training set."""
    return float(np.median(np.sqrt(squared_distances(queries, references).min(axis=1))))
