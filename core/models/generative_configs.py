"""The configs of the generative models (autoencoders, VAE, DCGAN) and of the AE-vs-PCA experiment.

Each is a frozen dataclass with the protocol of ``core.models.mnist_cnn.MnistCnnConfig`` (``name``,
``key``, ``stem``, ``data_source``, ``to_dict()``; :class:`GenerativeConfig` also ``build()``), so
``core.training.store`` finds their shipped or cached files by ``key``. The shipped ones, per
profile, are in :mod:`core.models.registry`; their training is in ``core.training.generative`` and
``core.training.experiments``. No TensorFlow here: ``build()`` imports Keras on its first call.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from core.models.config import HashedConfig, TrainingFields

KINDS = ("dense_ae", "conv_ae", "vae", "dcgan")


@dataclass(frozen=True)
class GenerativeConfig(TrainingFields, HashedConfig):
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
    epochs, batch_size, learning_rate, data_source, train_size, seed, version
        :class:`core.models.config.TrainingFields` (Adam's rate is cosine-decayed to 5 % for the
        autoencoders, constant for the DCGAN).
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
            raise ValueError(
                "noise_factor must be >= 0 and dropout in [0, 1), got "
                f"{self.noise_factor!r} and {self.dropout!r}"
            )
        if self.train_size is not None and self.train_size < 10:
            raise ValueError(f"train_size must be None or >= 10, got {self.train_size!r}")
        if not self.name.replace("_", "").isalnum():
            raise ValueError(f"name must be letters, digits and '_', got {self.name!r}")

    def to_dict(self) -> dict:
        """JSON-ready fields with the class name under ``"config_class"`` (what ``key`` hashes)."""
        data = asdict(self)
        data["hidden_units"], data["filters"] = list(self.hidden_units), list(self.filters)
        return {"config_class": type(self).__name__, **data}

    def build(self):
        """A fresh, untrained (but built) Keras model for this config."""
        from core.models import autoencoder as ae
        from core.models import gan

        if self.kind == "dense_ae":
            return ae.build_dense_autoencoder(
                latent_dim=self.latent_dim, hidden_units=self.hidden_units, name=self.name
            )
        if self.kind == "conv_ae":
            return ae.build_conv_autoencoder(
                latent_dim=self.latent_dim, filters=self.filters or (16, 32), name=self.name
            )
        if self.kind == "vae":
            return ae.build_vae(
                latent_dim=self.latent_dim, hidden_units=self.hidden_units, seed=self.seed, name=self.name
            )
        f = self.filters or (64, 32)
        model = gan.DCGAN(
            gan.build_generator(latent_dim=self.latent_dim, filters=f),
            gan.build_discriminator(filters=f[::-1], dropout=self.dropout),
            seed=self.seed,
            name=self.name,
        )
        return model


@dataclass(frozen=True)
class AeVsPcaConfig(TrainingFields, HashedConfig):
    """Code sizes and training of the AE-vs-PCA comparison (784-``hidden``-k-``hidden``-784): a
    table, not a model (``core.training.experiments.ae_vs_pca``), saved as ``ae_vs_pca-<key>.json``."""

    name: str = "ae_vs_pca"
    code_sizes: tuple = (2, 4, 8, 16, 32)
    hidden: int = 64
    n_examples: int = 8
    epochs: int = field(default=20, kw_only=True)
    learning_rate: float = field(default=2e-3, kw_only=True)

    def to_dict(self) -> dict:
        """JSON-ready fields with the class name under ``"config_class"`` (what ``key`` hashes)."""
        data = asdict(self)
        data["code_sizes"] = list(self.code_sizes)
        return {"config_class": type(self).__name__, **data}
