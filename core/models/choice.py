"""Which model the CNN activations page shows for the student's pick, and what it says when it
shows another one.

The page offers the shipped digit models, the models this session retrained, an uploaded
``.keras`` file and Keras' ImageNet models. Any of them can be unavailable (no file uploaded yet,
ImageNet weights not installed on the server, a file Keras refuses): the page then shows the course's CNN
(:data:`FALLBACK`) with a message. :func:`choose_model` makes that decision with the loaders
passed in, so it runs without Streamlit and without Keras; :func:`training_outcome` turns a
finished retraining job into the model to show or the error to report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: The course's CNN: shown by default and whenever the picked model cannot be.
FALLBACK = "mnist_cnn"
#: The pick for "a .keras file the student uploads".
UPLOAD = "upload"
#: Prefix of the key of a model retrained in this session: ``"retrained:<config.key>"``.
RETRAINED = "retrained:"

#: ``ModelChoice.level`` values: how the page shows ``notice``.
LEVELS = ("", "info", "warning", "error")


@dataclass(frozen=True)
class ModelLoaders:
    """How to load each kind of model; the page passes its shared caches.

    Attributes
    ----------
    shipped : callable (name) -> bundle
        A shipped digit model by name (a key of ``digit_models``).
    trained : callable (config, title) -> bundle
        A model retrained in this session, from its config (a frozen config dataclass).
    upload : callable (data) -> bundle
        A ``.keras`` file's bytes.
    imagenet : callable (name) -> bundle
        An ImageNet model whose weights the operator installed in Keras' cache (never downloaded).
    imagenet_help : callable (name) -> str
        How to get missing ImageNet weights onto the machine.
    errors : tuple of exception types
        What a loader raises for a model that cannot be used (``core.models.upload.ModelLoadError``);
        the message is shown to the student. Other exceptions propagate.
    """

    shipped: Callable[[str], Any]
    trained: Callable[[Any, str], Any]
    upload: Callable[[bytes], Any]
    imagenet: Callable[[str], Any]
    imagenet_help: Callable[[str], str]
    errors: tuple = (ValueError,)


@dataclass(frozen=True)
class ModelChoice:
    """The model the page shows for a pick.

    Attributes
    ----------
    bundle : object
        What the loader returned for the model shown.
    shown : str
        The key of the model shown: the pick, or :data:`FALLBACK`.
    notice : str
        Why the pick is not shown ("" when it is).
    level : {"", "info", "warning", "error"}
        "info": the page waits for the student (upload a file); "warning": something is missing
        on the server (ImageNet weights); "error": the pick cannot be used (a refused file, an
        unknown key).
    """

    bundle: Any
    shown: str
    notice: str = ""
    level: str = ""

    @property
    def is_fallback(self) -> bool:
        return bool(self.notice)


def model_labels(
    digit_models: Mapping[str, str], trained: Mapping[str, tuple[str, Any]], imagenet_models: Iterable[str]
) -> dict[str, str]:
    """The page's model menu, in order: {key: label}.

    Parameters
    ----------
    digit_models : mapping
        Shipped digit models, {name: label}.
    trained : mapping
        Models retrained in this session, {``"retrained:<config.key>"``: (title, config)}.
    imagenet_models : iterable of str
        Names of the ImageNet models.
    """
    return {
        **digit_models,
        **{key: entry[0] for key, entry in trained.items()},
        UPLOAD: "Your .keras model",
        **{name: f"{name} (ImageNet)" for name in imagenet_models},
    }


def linkable_models(digit_models: Iterable[str], imagenet_models: Iterable[str]) -> list[str]:
    """The picks a link may name (``?model=``): every model except this session's retrained ones."""
    return [*digit_models, UPLOAD, *imagenet_models]


def choose_model(
    key: str,
    loaders: ModelLoaders,
    *,
    digit_models: Iterable[str],
    trained: Mapping[str, tuple[str, Any]],
    imagenet_models: Iterable[str],
    upload: bytes | None = None,
    imagenet_ready: bool = False,
) -> ModelChoice:
    """Load the model picked as ``key``, or the course's CNN with the reason why not.

    Parameters
    ----------
    key : str
        A key of :func:`model_labels`.
    loaders : ModelLoaders
    digit_models, trained, imagenet_models
        As for :func:`model_labels`.
    upload : bytes or None
        The uploaded ``.keras`` file (``key == "upload"``); None while there is none.
    imagenet_ready : bool
        Whether the ImageNet model may be loaded now: the operator installed its weights in
        Keras' cache.

    Returns
    -------
    ModelChoice
        The picked model; else :data:`FALLBACK` with a notice: info while no file is uploaded,
        warning when ImageNet weights are missing, error when a loader raised one of
        ``loaders.errors`` or ``key`` is unknown.
    """
    digit_models, imagenet_models = list(digit_models), list(imagenet_models)

    def fallback(notice: str, level: str) -> ModelChoice:
        return ModelChoice(loaders.shipped(FALLBACK), FALLBACK, notice, level)

    try:
        if key in digit_models:
            return ModelChoice(loaders.shipped(key), key)
        if key in trained:
            title, config = trained[key]
            return ModelChoice(loaders.trained(config, title), key)
        if key == UPLOAD:
            if upload is None:
                return fallback(
                    "Upload a `.keras` image model. Until then the course's CNN is shown.", "info"
                )
            return ModelChoice(loaders.upload(upload), key)
        if key in imagenet_models:
            if not imagenet_ready:
                return fallback(
                    loaders.imagenet_help(key) + " Until then the course's CNN is shown.", "warning"
                )
            return ModelChoice(loaders.imagenet(key), key)
    except loaders.errors as exc:
        return fallback(f"This model cannot be used: {exc}. The course's CNN is shown instead.", "error")
    return fallback(f"There is no model {key!r}. The course's CNN is shown instead.", "error")


@dataclass(frozen=True)
class TrainingOutcome:
    """What a finished retraining job changes on the page.

    Attributes
    ----------
    model_key : str or None
        ``"retrained:<config.key>"``, the model to show now; None when the training failed.
    entry : (title, config) or None
        The new entry of the session's retrained models, under ``model_key``.
    error : str or None
        Why the training failed; None when it succeeded.
    """

    model_key: str | None
    entry: tuple[str, Any] | None
    error: str | None


def training_outcome(view, *, config, title: str) -> TrainingOutcome | None:
    """The outcome of a retraining job, or None while it is queued or running.

    Parameters
    ----------
    view
        The job's status (``core.training.jobs.JobView``: ``finished``, ``status``, ``error``).
    config : frozen config dataclass with ``key``
        The job's config, for the loader (it keys the model's cache).
    title : str
        The menu label of the retrained model.
    """
    if not view.finished:
        return None
    if view.status == "done":
        return TrainingOutcome(RETRAINED + config.key, (title, config), None)
    return TrainingOutcome(None, None, view.error or f"the job ended as {view.status!r}")
