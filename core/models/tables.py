"""Tables of the models the pages describe but never train: each Keras model is built, measured
and dropped, and only the rows (or the number) are returned, so even VGG-16 costs memory only while
its table is computed.

* :func:`architecture_table`: the per-layer table of a network of
  :data:`core.models.architectures.ARCHITECTURES` (layer-arithmetic page);
* :func:`example_count`: the parameter count of a seed's dense-vs-conv example
  (:data:`core.maths.layer_math.PARAMETER_EXAMPLES`);
* :func:`preset_table`: the seed's autoencoder presets (:data:`core.models.autoencoder.PRESETS`);
* :func:`course_dcgan_tables`: the seed's 96x96 DCGAN (``core.models.gan.build_course_generator``,
  ``build_course_discriminator``).

Keras is imported when a builder runs, not with this module.
"""

from __future__ import annotations

from core.data.course import plain
from core.maths import layer_math
from core.models import architectures, builders


def architecture_table(key: str) -> list[dict]:
    """:func:`core.models.architectures.layer_table` of the registered model ``key``, batch size 1.

    Raises
    ------
    ValueError
        If ``key`` is not registered.
    """
    model = architectures.build(key)
    rows = architectures.layer_table(model, batch_size=1)
    del model
    return rows


def example_count(key: str) -> int | None:
    """``count_params()`` of the one-layer Keras model of parameter example ``key``
    (``core.models.builders.param_example_model``); None when it is too big to build.

    Raises
    ------
    KeyError
        If ``key`` is not in ``core.maths.layer_math.PARAMETER_EXAMPLES``.
    """
    example = layer_math.PARAMETER_EXAMPLES[key]
    if not example.buildable:
        return None
    return int(builders.param_example_model(example).count_params())


def preset_table() -> list[dict]:
    """The course's autoencoder presets with the parameter counts of the built Keras models: one row
    per preset, ``{"preset", "encoder layers", "code size", "parameters (Keras)", "course", "from"}``
    (strings, but the int code size; "from" as plain text for a table).

    References
    ----------
    Course notes, *Autoencoders and convolutional networks* (see ``PRESETS``).
    """
    from core.models import autoencoder as ae

    rows = []
    for key, p in ae.PRESETS.items():
        model = ae.build_preset(key)
        rows.append(
            {
                "preset": p.label,
                "encoder layers": " → ".join(map(str, (784, *p.hidden_units, p.latent_dim))),
                "code size": p.latent_dim,
                "parameters (Keras)": f"{model.count_params():,}",
                "course": f"{p.params:,}",
                "from": plain(p.source),
            }
        )
        del model
    return rows


def course_dcgan_tables() -> dict[str, list[dict]]:
    """Layer tables (``core.models.architectures.layer_table`` rows) of the seed's 96x96 DCGAN:
    ``{"generator": rows, "discriminator": rows}``.

    References
    ----------
    Course notes, *Introduction to deep learning* §7.2.2.
    """
    from core.models import gan

    return {
        "generator": architectures.layer_table(gan.build_course_generator()),
        "discriminator": architectures.layer_table(gan.build_course_discriminator()),
    }
