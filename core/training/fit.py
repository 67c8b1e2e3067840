"""Training of the model configs in ``core.models.mnist_cnn``, reporting progress through a plain callback.

No Streamlit here: a page passes ``progress(epoch, batch, loss, metrics, fraction_done)`` and draws
the progress bar itself. ``keras.utils.set_random_seed`` is called here and nowhere in app code.

References
----------
Course notes, *CNNs and regularisation in Keras*, *CNN example in Keras: written character recognition (II)*
(adam, cross-entropy, batch 128, 10 epochs; 99.48 % train / 98.92 % test accuracy on the full 60,000 / 10,000
MNIST).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import keras
import numpy as np

from core.data.datasets import MnistData, to_model_input
from core.models.runtime import device_name

#: progress(epoch, batch, loss, metrics, fraction_done): epoch and batch count from 0,
#: ``metrics`` holds the running accuracy (and val_* values at the end of an epoch),
#: ``fraction_done`` goes from 0 to 1 over the whole run.
ProgressFn = Callable[[int, int, float, dict, float], None]


@dataclass
class FitResult:
    """What a Keras training function returns: ``train`` here, ``core.training.generative.train_generative``.

    (The single-neuron learning rules of :mod:`core.maths.perceptron` return a different record,
    ``core.maths.learning_history.TrainingResult``: a step-by-step history, no Keras model.)

    Attributes
    ----------
    model : keras.Model
        The trained model.
    history : dict of str to list of float
        Per-epoch ``loss``, ``accuracy``, ``val_loss``, ``val_accuracy`` (validation = test split).
    metrics : dict
        ``train_accuracy``, ``test_accuracy``, ``test_loss`` (floats), ``confusion_matrix``
        (10x10 nested list, rows = true digit, columns = predicted), ``n_train``, ``n_test``.
    training_time_s : float
        Wall-clock seconds of ``fit``.
    device : str
        ``core.models.runtime.device_name()`` at training time.
    data_source : str
        Where the training data came from (``MnistData.source``).
    extra : dict
        JSON values the model store copies into the manifest's ``"extra"``.
    files : dict of str to bytes
        Files that are not weights, saved by ``core.training.store.save_trained`` beside them as
        ``<stem>.<suffix>``: suffix (e.g. ``"timelapse.npz"``) to content.
    """

    model: keras.Model
    history: dict
    metrics: dict
    training_time_s: float
    device: str
    data_source: str = ""
    extra: dict = field(default_factory=dict)
    files: dict = field(default_factory=dict)

    @classmethod
    def trained_here(cls, model, data, history: dict, metrics: dict, seconds: float, **more) -> FitResult:
        """The result of training ``model`` on ``data`` (``MnistData``) in this process, on its device.

        ``more``: ``extra`` and ``files``.
        """
        return cls(model, history, metrics, seconds, device_name(), data.source, **more)


class ProgressCallback(keras.callbacks.Callback):
    """Keras callback forwarding each batch's loss and metrics to a ``ProgressFn``."""

    def __init__(self, progress: ProgressFn, *, epochs: int, steps_per_epoch: int) -> None:
        super().__init__()
        self._progress = progress
        self._epochs = epochs
        self._steps = max(1, steps_per_epoch)
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def _fraction(self, batch: int) -> float:
        return min(1.0, (self._epoch * self._steps + batch + 1) / (self._epochs * self._steps))

    def _report(self, epoch: int, batch: int, logs) -> None:
        logs = dict(logs or {})
        loss = float(logs.pop("loss", np.nan))
        self._progress(epoch, batch, loss, {k: float(v) for k, v in logs.items()}, self._fraction(batch))

    def on_train_batch_end(self, batch, logs=None):
        self._report(self._epoch, batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._report(epoch, self._steps - 1, logs)


def check_data_source(config, data) -> None:
    """Check that ``data`` (``core.data.datasets.MnistData``) is the source ``config.data_source`` names.

    Raises
    ------
    ValueError
        If ``data.key`` differs from ``config.data_source``.
    """
    if data.key != config.data_source:
        raise ValueError(
            f"data: comes from {data.key!r} but config.data_source is "
            f"{config.data_source!r}; load the matching source"
        )


def fit_epochs(
    model,
    config,
    x,
    y=None,
    *,
    validation_data=None,
    progress: ProgressFn | None = None,
    callbacks=(),
) -> tuple[dict, float]:
    """``model.fit`` for ``config.epochs`` epochs of shuffled batches of ``config.batch_size``, silently.

    Parameters
    ----------
    model : keras.Model
        Compiled.
    config
        Any training config with ``epochs`` and ``batch_size``.
    x, y : ndarray
        Training inputs ``(N, ...)`` and targets (None for a model that makes its own, like a GAN).
    validation_data : (x, y), optional
    progress : ProgressFn, optional
        Called after every batch and epoch (:class:`ProgressCallback`).
    callbacks : sequence of keras.callbacks.Callback
        More callbacks, called after the progress one.

    Returns
    -------
    (history, seconds) : (dict, float)
        Keras' ``History.history`` (a list of Python floats per metric) and the wall time of the fit.
    """
    reporting = []
    if progress is not None:
        steps = int(np.ceil(len(x) / config.batch_size))
        reporting.append(ProgressCallback(progress, epochs=config.epochs, steps_per_epoch=steps))
    start = time.perf_counter()
    fit = model.fit(
        x,
        y,
        batch_size=config.batch_size,
        epochs=config.epochs,
        validation_data=validation_data,
        shuffle=True,
        verbose=0,
        callbacks=[*reporting, *callbacks],
    )
    history = {k: [float(v) for v in values] for k, values in fit.history.items()}
    return history, time.perf_counter() - start


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, *, num_classes: int = 10) -> np.ndarray:
    """Counts of (true class, predicted class) pairs.

    Parameters
    ----------
    y_true, y_pred : ndarray of shape (N,), int
        Labels in ``[0, num_classes)``.

    Returns
    -------
    ndarray of shape (num_classes, num_classes), int64
        ``cm[i, j]`` = images of class i predicted as j; the trace counts the correct ones.

    Raises
    ------
    ValueError
        If the shapes differ or a label is out of range.
    """
    y_true = np.asarray(y_true).reshape(-1)
    y_pred = np.asarray(y_pred).reshape(-1)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_pred must have the shape of y_true {y_true.shape}, got {y_pred.shape}")
    if y_true.size and (
        min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= num_classes
    ):
        raise ValueError(f"labels must be in [0, {num_classes}); check y_true and y_pred")
    cm = np.zeros((num_classes, num_classes), np.int64)
    np.add.at(cm, (y_true.astype(np.int64), y_pred.astype(np.int64)), 1)
    return cm


def train(config, data: MnistData, *, progress: ProgressFn | None = None) -> FitResult:
    """Train a fresh model for ``config`` on ``data`` (adam, sparse categorical cross-entropy).

    Parameters
    ----------
    config : core.models.mnist_cnn.MnistCnnConfig
        Architecture, epochs, batch size, learning rate, seed, ``train_size``.
    data : MnistData
        Must come from ``config.data_source`` (``data.key``).
    progress : ProgressFn, optional
        Called after every batch and epoch; exceptions it raises stop the training.

    Returns
    -------
    FitResult

    Raises
    ------
    ValueError
        If ``data.key`` differs from ``config.data_source``.

    References
    ----------
    Course notes, *CNNs and regularisation in Keras*, *CNN example in Keras: written character recognition
    (II)* (``compile(loss='categorical_crossentropy', optimizer='adam')``,
    ``fit(batch_size=128, epochs=10)``); integer labels with the sparse loss give the same loss values as
    one-hot labels with the categorical one.
    """
    check_data_source(config, data)
    keras.utils.set_random_seed(config.seed)
    n = data.n_train if config.train_size is None else min(config.train_size, data.n_train)
    x_train, y_train = to_model_input(data.x_train[:n]), data.y_train[:n]
    x_test, y_test = to_model_input(data.x_test), data.y_test
    model = config.build()
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=config.learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(),
        metrics=["accuracy"],
    )
    history, seconds = fit_epochs(
        model, config, x_train, y_train, validation_data=(x_test, y_test), progress=progress
    )
    train_loss, train_acc = model.evaluate(x_train, y_train, batch_size=512, verbose=0)
    test_loss, test_acc = model.evaluate(x_test, y_test, batch_size=512, verbose=0)
    y_pred = np.concatenate(
        [
            np.argmax(np.asarray(model(x_test[i : i + 1000], training=False)), 1)
            for i in range(0, len(x_test), 1000)
        ]
    )
    metrics = {
        "train_accuracy": round(float(train_acc), 6),
        "train_loss": round(float(train_loss), 6),
        "test_accuracy": round(float(test_acc), 6),
        "test_loss": round(float(test_loss), 6),
        "confusion_matrix": confusion_matrix(y_test, y_pred).tolist(),
        "n_train": int(n),
        "n_test": int(data.n_test),
    }
    return FitResult.trained_here(model, data, history, metrics, seconds)
