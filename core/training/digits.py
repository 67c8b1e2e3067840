"""Training the digit models as a shared job: the task the training queue runs for the CNN
activations page (:mod:`core.training.jobs`), through the model store so every worker finds the result."""

from __future__ import annotations

from collections.abc import Callable

from core.data import datasets
from core.training import store as model_store


def data_loader(config) -> Callable[[], datasets.MnistData]:
    """The data a config trains on (``config.data_source``), loaded when called."""
    return lambda: datasets.load_mnist(source=config.data_source)


def train_digit_job(config, progress: Callable) -> dict:
    """The training queue's task for a digit model (``core.training.jobs``): train (or find)
    ``config`` through the model store, which saves the weights where ``core.adapters.cached.digit_model``
    finds them.

    Parameters
    ----------
    config : core.models.mnist_cnn.MnistCnnConfig
    progress : callable
        ``progress(epoch, batch_index, loss, metrics, fraction)`` (``core.training.fit.ProgressFn``).

    Returns
    -------
    dict
        ``{"status": "trained" | "cache" | "shipped", "test_accuracy": float, "warnings": [str]}``:
        small and picklable (the model itself stays in the store).

    Raises
    ------
    OSError
        If the trained weights could not be saved (the message says where and how to fix it):
        the page would otherwise train again when it loads them.
    """
    found = model_store.get_or_train(config, data_loader=data_loader(config), progress=progress)
    if found.path is None:
        raise OSError(
            f"{'; '.join(found.warnings)}. Set ${model_store.CACHE_ENV_VAR} to a writable directory"
        )
    return {
        "status": found.status,
        "test_accuracy": found.manifest["metrics"]["test_accuracy"],
        "warnings": list(found.warnings),
    }


def digit_bundle(config, *, title: str = "MNIST CNN"):
    """The trained digit model of ``config`` from the model store (shipped, cached, else trained
    now) as a :class:`core.models.bundles.ModelBundle` keyed ``"digits:<config.key>"``.

    Parameters
    ----------
    config : core.models.mnist_cnn.MnistCnnConfig
    title : str
        The bundle's label on the page.

    """
    from core.models import bundles

    found = model_store.get_or_train(config, data_loader=data_loader(config))
    return bundles.make_bundle(
        found.model,
        key=f"digits:{config.key}",
        name=config.name,
        title=title,
        kind="digits",
        manifest=found.manifest,
        status=found.status,
        warnings=tuple(found.warnings),
        class_names=[str(i) for i in range(10)],
    )
