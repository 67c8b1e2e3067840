"""The CNN activations page's model menu: the trained model the page explains.

The decision (which model, or the course's CNN and why) is :func:`core.models.choice.choose_model`;
this module draws the controls around it: the menu, the upload of a ``.keras`` file and the notice
when another model is shown. ImageNet weights are offered only when the operator has installed them
(``make data``): the page downloads nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from core.adapters import cached, url_state
from core.models import choice


def model_menu(trained: Mapping[str, tuple[str, str]], *, prefix: str = "act") -> choice.ModelChoice:
    """Draw the model menu and return the model to show; the pick is mirrored in the URL as ``model``.

    Imports TensorFlow (the loaders and the ImageNet models' list): call it after the page's title.

    Parameters
    ----------
    trained : mapping
        This session's retrained models, {``"retrained:<config.key>"``: (title, config)}; a page
        that sets ``st.session_state[f"{prefix}_model"]`` to one of them before this call shows it.
    prefix : str
        Widget keys: ``<prefix>_model`` (the menu) and ``<prefix>_model_file`` (the upload).

    Returns
    -------
    core.models.choice.ModelChoice
        ``bundle`` is a :class:`core.models.bundles.ModelBundle`; when another model than the pick
        is shown, the notice has already been drawn.
    """
    from core.models.bundles import DIGIT_MODELS
    from core.models.imagenet import IMAGENET_MODELS, imagenet_help, imagenet_weights_cached
    from core.models.upload import ModelLoadError

    labels = choice.model_labels(DIGIT_MODELS, trained, IMAGENET_MODELS)
    linkable = choice.linkable_models(DIGIT_MODELS, IMAGENET_MODELS)
    # A retrained or uploaded model is not in the link: the link shows the course's CNN then.
    url_state.sync((url_state.UrlParam("model", f"{prefix}_model", choice.FALLBACK, choices=linkable),))
    key = st.selectbox("Model", list(labels), key=f"{prefix}_model", format_func=labels.get)
    upload, imagenet_ready = None, False
    if key == choice.UPLOAD:
        upload_file = st.file_uploader(
            "Your Keras model (.keras)",
            type=["keras"],
            key=f"{prefix}_model_file",
            help="Saved with model.save('name.keras'). Lambda layers and custom code "
            "are refused (Keras safe mode). " + _upload_limits_text(),
        )
        upload = None if upload_file is None else upload_file.getvalue()
    elif key in IMAGENET_MODELS:
        imagenet_ready = imagenet_weights_cached(key)  # installed by the operator's `make data`, or not
    loaders = choice.ModelLoaders(
        shipped=cached.shipped_digit_model,
        trained=cached.digit_model,
        upload=cached.user_model,
        imagenet=cached.imagenet_model,
        imagenet_help=imagenet_help,
        errors=(ModelLoadError,),
    )
    picked = choice.choose_model(
        key,
        loaders,
        digit_models=DIGIT_MODELS,
        trained=trained,
        imagenet_models=IMAGENET_MODELS,
        upload=upload,
        imagenet_ready=imagenet_ready,
    )
    if picked.notice:
        {"info": st.info, "warning": st.warning, "error": st.error}[picked.level](picked.notice)
    return picked


def _upload_limits_text() -> str:
    """The bounds a model upload meets (``core.models.upload_limits.UploadLimits``), in words."""
    from core.models.upload_limits import UploadLimits

    lim = UploadLimits()
    return (
        f"At most {lim.parameters / 1e6:g} M parameters, {lim.layers} layers, one input of at most "
        f"{lim.input_height} × {lim.input_width} × {lim.input_channels}, "
        f"{lim.archive_bytes // 2**20} MB unpacked."
    )
