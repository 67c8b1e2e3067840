"""The course's MNIST CNN: its config dataclass and its Keras 3 builder with named layers.

The course's MNIST CNN: Conv2D 16 3x3 relu -> MaxPool 2 -> Conv2D 32 3x3 relu -> MaxPool 2 ->
Flatten -> Dense 32 relu -> Dense 10 -> softmax, 30,762 parameters (160 + 4,640 + 25,632 + 330).
The last Dense layer is named ``"logits"`` and its softmax is a separate layer ``"probs"`` (zero
parameters), so pages can show both.

Views into any Keras model (layer outputs, the conv trunk, first-layer filters) are in
:mod:`core.models.inspection`; the device set-up in :mod:`core.models.runtime`.

References
----------
Course notes, *CNNs and regularisation in Keras*, *CNN example in Keras: written character recognition (II)*
(network and ``summary()`` table), *CNNs: batch normalization and spatial dropout 2D* (BatchNormalization,
SpatialDropout2D).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import keras

from core.models.config import HashedConfig, TrainingFields


@dataclass(frozen=True)
class MnistCnnConfig(TrainingFields, HashedConfig):
    """Everything that determines a trained course's MNIST CNN; its ``key`` names every cache.

    Attributes
    ----------
    name : str
        Model name, the prefix of saved files.
    filters : tuple of int
        Filters of conv1 and conv2 (16, 32 in the seed).
    dense_units : int
        Units of dense1 (32 in the seed).
    dropout : float
        In [0, 0.9). 0 is the seed's network; > 0 adds SpatialDropout2D after each pool and
        Dropout after dense1.
    batch_norm : bool
        Add BatchNormalization after each conv (after its ReLU).
    data_source, train_size, epochs, batch_size, learning_rate, seed, version
        :class:`core.models.config.TrainingFields` (here 15 epochs of batch 32; the course uses 10 epochs,
        batch 128 on 60,000 images; Adam's rate is Keras' default 1e-3, as the course's ``optimizer='adam'``).
    profile : str
        "full" or "fast" (see ``core.models.registry.mnist_cnn_config``); informative, part of the key.
    """

    name: str = "mnist_cnn"
    filters: tuple[int, int] = (16, 32)
    dense_units: int = 32
    dropout: float = 0.0
    batch_norm: bool = False
    epochs: int = field(default=15, kw_only=True)
    batch_size: int = field(default=32, kw_only=True)
    profile: str = "full"

    def __post_init__(self) -> None:
        if not (len(self.filters) == 2 and all(int(f) > 0 for f in self.filters)):
            raise ValueError(f"filters must be two positive ints, got {self.filters!r}")
        object.__setattr__(self, "filters", tuple(int(f) for f in self.filters))
        if not 0.0 <= self.dropout < 0.9:
            raise ValueError(f"dropout must be in [0, 0.9), got {self.dropout!r}")
        for field_name in ("dense_units", "epochs", "batch_size"):
            if int(getattr(self, field_name)) < 1:
                raise ValueError(f"{field_name} must be >= 1, got {getattr(self, field_name)!r}")
        if self.train_size is not None and self.train_size < 10:
            raise ValueError(f"train_size must be None or >= 10, got {self.train_size!r}")
        if not self.learning_rate > 0:
            raise ValueError(f"learning_rate must be > 0, got {self.learning_rate!r}")
        if not self.name.replace("_", "").isalnum():
            raise ValueError(f"name must be letters, digits and '_', got {self.name!r}")

    def to_dict(self) -> dict:
        """The config as JSON-ready data, with the class name under ``"kind"``."""
        data = asdict(self)
        data["filters"] = list(self.filters)
        return {"kind": type(self).__name__, **data}

    def build(self) -> keras.Model:
        """A freshly initialised (untrained) model for this config."""
        return build_mnist_cnn(
            filters=self.filters,
            dense_units=self.dense_units,
            dropout=self.dropout,
            batch_norm=self.batch_norm,
        )


def build_mnist_cnn(
    *,
    filters: tuple[int, int] = (16, 32),
    dense_units: int = 32,
    dropout: float = 0.0,
    batch_norm: bool = False,
    num_classes: int = 10,
    input_shape: tuple[int, int, int] = (28, 28, 1),
    softmax_in_dense: bool = False,
    name: str = "mnist_cnn",
) -> keras.Model:
    """The course's MNIST CNN as a Keras functional model with named layers.

    Layers: ``image`` (input) -> ``conv1`` -> [``bn1``] -> ``pool1`` -> [``sdrop1``] -> ``conv2``
    -> [``bn2``] -> ``pool2`` -> [``sdrop2``] -> ``flatten`` -> ``dense1`` -> [``drop1``] ->
    ``logits`` -> ``probs`` (softmax). Bracketed layers exist only with batch_norm / dropout.
    This one builder gives both the trained model (:class:`MnistCnnConfig`) and the layer
    arithmetic page's "MNIST CNN (the course's)" (``core.models.builders.course_mnist_cnn``).

    Parameters
    ----------
    filters : tuple of int, optional
        Filters of conv1 and conv2, 3x3 kernels, ReLU, "valid" padding.
    dense_units : int, optional
        Units of dense1 (ReLU).
    dropout : float, optional
        Rate of SpatialDropout2D after each pool and of Dropout after dense1; 0 adds none.
    batch_norm : bool, optional
        BatchNormalization after each conv.
    num_classes : int, optional
        Units of ``logits``.
    input_shape : tuple of int, optional
        (H, W, C) of one image.
    softmax_in_dense : bool, optional
        True: the seed's head as its ``summary()`` prints it, one ``Dense(num_classes,
        activation="softmax")`` named ``output`` instead of ``logits`` -> ``probs`` (same maths,
        same parameters, but the logits are not a layer output).
    name : str, optional
        The model's name.

    Returns
    -------
    keras.Model
        Untrained. With the defaults: output shapes (26,26,16), (13,13,16), (11,11,32),
        (5,5,32), (800,), (32,), (10,), (10,) and 30,762 parameters.

    References
    ----------
    Course notes, *CNNs and regularisation in Keras*, *CNN example in Keras: written character recognition
    (II)*.
    """
    layers = keras.layers
    inputs = keras.Input(shape=input_shape, name="image")
    x = inputs
    for i, n_filters in enumerate(filters, start=1):
        x = layers.Conv2D(n_filters, 3, activation="relu", name=f"conv{i}")(x)
        if batch_norm:
            x = layers.BatchNormalization(name=f"bn{i}")(x)
        x = layers.MaxPooling2D(pool_size=2, name=f"pool{i}")(x)
        if dropout > 0:
            x = layers.SpatialDropout2D(dropout, name=f"sdrop{i}")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(dense_units, activation="relu", name="dense1")(x)
    if dropout > 0:
        x = layers.Dropout(dropout, name="drop1")(x)
    if softmax_in_dense:
        return keras.Model(
            inputs, layers.Dense(num_classes, activation="softmax", name="output")(x), name=name
        )
    logits = layers.Dense(num_classes, name="logits")(x)
    probs = layers.Activation("softmax", name="probs")(logits)
    return keras.Model(inputs, probs, name=name)


def config_from_dict(data: dict) -> MnistCnnConfig:
    """Rebuild a config from ``to_dict()`` output (a manifest's ``"config"``).

    Raises
    ------
    ValueError
        If ``data["kind"]`` is not a known config class or a field is invalid.
    """
    data = dict(data)
    kind = data.pop("kind", "MnistCnnConfig")
    if kind != "MnistCnnConfig":
        raise ValueError(f"data: unknown config kind {kind!r}")
    data["filters"] = tuple(data.get("filters", (16, 32)))
    return MnistCnnConfig(**data)
