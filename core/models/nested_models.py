"""Saving a Keras model that holds other models (the VAE's encoder and decoder, the DCGAN's generator
and discriminator): the inner models go into ``get_config`` serialized and come back out of it in
``from_config``, so ``keras.saving.load_model`` rebuilds the whole model from its ``.keras`` file.
:class:`InnerModelsConfig` gives a model class both methods from two class attributes.
"""

from __future__ import annotations

import keras


def config_with_models(config: dict, **models: keras.Model) -> dict:
    """``config`` plus each inner model under its name, serialized (``keras.saving.serialize_keras_object``).

    Parameters
    ----------
    config : dict
        The outer model's own config (``super().get_config()`` and its scalar arguments).
    **models : keras.Model
        The inner models, by the argument name the outer class's ``__init__`` takes them under.

    Returns
    -------
    dict
        A new dict; ``config`` is not changed.
    """
    return {**config, **{name: keras.saving.serialize_keras_object(model) for name, model in models.items()}}


def models_from_config(config: dict, *names: str) -> tuple[list, dict]:
    """The inner models named ``names``, rebuilt, and the rest of ``config`` (the inverse of
    :func:`config_with_models`).

    Returns
    -------
    (models, rest) : (list of keras.Model, dict)
        ``models`` in the order of ``names``; ``rest`` a new dict without them.

    Raises
    ------
    KeyError
        If a name is not in ``config`` (a file saved by another class).
    """
    rest = dict(config)
    return [keras.saving.deserialize_keras_object(rest.pop(name)) for name in names], rest


class InnerModelsConfig:
    """Mixin for a ``keras.Model`` built as ``cls(*inner_models, **scalars)``: ``get_config`` and
    ``from_config`` from :data:`INNER_MODELS` (the inner models' argument names, in ``__init__``'s order)
    and :data:`SCALARS` (its other arguments, read back from attributes of the same names).
    Put it before ``keras.Model`` in the bases."""

    INNER_MODELS: tuple[str, ...] = ()
    SCALARS: tuple[str, ...] = ()

    def get_config(self):
        own = {name: getattr(self, name) for name in self.SCALARS}
        return config_with_models(
            {**super().get_config(), **own}, **{name: getattr(self, name) for name in self.INNER_MODELS}
        )

    @classmethod
    def from_config(cls, config):
        models, rest = models_from_config(config, *cls.INNER_MODELS)
        return cls(*models, **rest)
