"""Loaded image models with the views the CNN activations page needs: activations of every layer,
the conv trunk on a photo at its own size, and the digit models the page offers (the generative
pages' bundle is :mod:`core.models.generative_bundle`).

No Streamlit here: ``core.adapters.cached`` wraps the loaders in ``st.cache_resource`` and caches what these
views compute by ``bundle.key``. A bundle is shared by every visitor: treat its models as
read-only and use them only through the functions here, which hold the bundle's lock (one
discipline: every call on a shared Keras model takes its bundle's lock).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from core.data import digit_input
from core.models import architectures, inspection


@dataclass(eq=False)
class ModelBundle:
    """A loaded model with the views a page needs.

    Attributes
    ----------
    key : str
        Identity of the model and its weights, for caches: ``"digits:<config.key>"``,
        ``"upload:<sha256 of the file>"`` or ``"imagenet:<name>"``.
    name : str
        Short model name (config name, the uploaded model's name, the ImageNet model's name).
    title : str
        Label for the page.
    kind : str
        "digits" (28x28 MNIST CNN), "user" (uploaded .keras) or "imagenet".
    model, activations : keras.Model
        The model and its activation model (dict of layer outputs).
    trunk : keras.Model or None
        Fully convolutional copy of the conv trunk (any image size), if the model has one.
    layers : list of dict
        ``core.models.architectures.layer_table`` rows.
    manifest : dict or None
        Training manifest (digit models from the store).
    status : str
        "shipped", "cache", "trained", "uploaded" or "imagenet".
    warnings : tuple of str
        From the model store (corrupt files found and replaced).
    class_names : list of str or None
    run_activations, run_trunk : callable
        ``activations`` / ``trunk`` called with ``training=False``, compiled into one TensorFlow
        graph each (see :func:`make_bundle`); use them through :func:`layer_outputs` and
        :func:`trunk_maps`, which hold ``lock``.
    """

    key: str
    name: str
    title: str
    kind: str
    model: object
    activations: object
    trunk: object | None
    layers: list
    manifest: dict | None = None
    status: str = ""
    warnings: tuple = ()
    class_names: list | None = None
    run_activations: Callable | None = field(default=None, repr=False)
    run_trunk: Callable | None = field(default=None, repr=False)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def input_shape(self) -> tuple:
        """(H, W, C) of one input; None where the model accepts any size."""
        return tuple(self.model.inputs[0].shape[1:])


def _graph_call(model, *, any_size: bool = False) -> Callable:
    """``model(x, training=False)`` traced once into a TensorFlow graph for float32 batches of the
    model's input shape (any height and width if ``any_size``): on the MNIST CNN a call costs about
    1 ms instead of ~7 ms for Keras' eager layer-by-layer call (both ~20 ms right after a
    ``keras.backend.clear_session()``, which empties TensorFlow's kernel cache; Streamlit calls it
    after every script run). The eager call on other backends."""
    import keras

    if keras.backend.backend() != "tensorflow":
        return lambda x: model(x, training=False)
    import tensorflow as tf

    shape = model.inputs[0].shape[1:]
    spec = tf.TensorSpec((None, None, None, shape[-1]) if any_size else (None, *shape), tf.float32)
    return tf.function(lambda x: model(x, training=False), input_signature=[spec])


def make_bundle(model, *, key: str, title: str, kind: str, layer_names=None, **extra) -> ModelBundle:
    """Wrap ``model`` with its activation model and (when it has one) its conv trunk, both compiled
    into a graph and warmed up (traced) once, here.

    Parameters
    ----------
    key : str
        The bundle's cache identity (see :class:`ModelBundle`): two bundles with the same key
        must compute the same outputs.
    title, kind, layer_names, **extra
        See :class:`ModelBundle`; ``layer_names`` as in ``core.models.inspection.activation_model``.

    Raises
    ------
    ValueError
        If ``key`` is empty.
    """
    if not key:
        raise ValueError("key must name the model and its weights (e.g. 'digits:<config.key>')")
    acts = inspection.activation_model(model, layer_names=layer_names)
    try:
        trunk = inspection.fully_convolutional_trunk(model)
    except ValueError:
        trunk = None
    bundle = ModelBundle(
        key=key,
        name=extra.pop("name", model.name),
        title=title,
        kind=kind,
        model=model,
        activations=acts,
        trunk=trunk,
        layers=architectures.layer_table(model),
        run_activations=_graph_call(acts),
        run_trunk=None if trunk is None else _graph_call(trunk, any_size=True),
        **extra,
    )
    shape = tuple(d or 32 for d in bundle.input_shape)
    bundle.run_activations(np.zeros((1, *shape), np.float32))  # warm-up: trace once, here
    if trunk is not None:
        bundle.run_trunk(np.zeros((1, 64, 64, shape[-1]), np.float32))
    return bundle


def user_bundle(data: bytes) -> ModelBundle:
    """An uploaded ``.keras`` file as a bundle keyed ``"upload:<content key of the bytes>"``, showing
    every activation layer, or 12 representative ones of a larger model.

    Raises
    ------
    core.models.upload.ModelLoadError
        If the file is refused (``core.models.upload.load_user_model``: bounded and checked before
        Keras builds it; safe mode).
    """
    from core.data.images import content_key
    from core.models import upload

    model = upload.load_user_model(data, image_input=True)
    names = inspection.activation_layer_names(model)
    if len(names) > 12:
        names = inspection.representative_layers(model)
    return make_bundle(
        model,
        key=f"upload:{content_key(np.frombuffer(data, np.uint8))}",
        title=f"Your model ({model.name})",
        kind="user",
        layer_names=names,
        status="uploaded",
    )


def imagenet_bundle(name: str) -> ModelBundle:
    """Keras' ImageNet model ``name`` from the weights the operator installed, as a bundle keyed
    ``"imagenet:<name>"`` with its representative layers. Nothing is downloaded.

    Raises
    ------
    core.models.upload.ModelLoadError
        If the weights are not in Keras' cache.
    """
    from core.models import imagenet

    model = imagenet.load_imagenet_model(name)
    return make_bundle(
        model,
        key=f"imagenet:{name}",
        name=name,
        title=f"{name} (ImageNet)",
        kind="imagenet",
        layer_names=inspection.representative_layers(model),
        status="imagenet",
    )


#: The digit models the page offers, with their labels (weights shipped in assets/models/).
DIGIT_MODELS = {
    "mnist_cnn": "MNIST CNN (the course's)",
    "mnist_cnn_regularised": "MNIST CNN + batch norm + dropout",
}


def model_input(
    bundle: ModelBundle, picture: np.ndarray, *, is_mnist: bool = False
) -> tuple[list[tuple[str, np.ndarray]], np.ndarray]:
    """The batch a bundle's model takes for a picture, with the preprocessing steps shown.

    ImageNet models get Keras' own preprocessing (RGB, 224 x 224); digit models and other
    28 x 28 models the MNIST preprocessing (``core.data.digit_input.digit_model_input``); other
    models a plain resize (``fit_image_to_input``).

    Parameters
    ----------
    picture : ndarray (H, W), (H, W, 3) or (H, W, 4)
        A test digit in [0, 1] (``is_mnist``), a drawing or a photo.
    is_mnist : bool
        The picture is an MNIST test image: used as it is.

    Returns
    -------
    steps : list of (str, ndarray)
        The preprocessing steps (empty for ImageNet and resized inputs).
    batch : ndarray (1, H, W, C), float32

    Raises
    ------
    ValueError
        If the picture cannot be used (a blank drawing, a bad shape).
    """
    if bundle.kind == "imagenet":
        from core.models.imagenet import imagenet_preprocess

        rgb = np.dstack([picture] * 3) if picture.ndim == 2 else picture[..., :3]
        return [], imagenet_preprocess(bundle.name, rgb)
    if bundle.kind == "digits" or bundle.input_shape[:2] == (28, 28):
        return digit_input.digit_model_input(picture, input_shape=bundle.input_shape, is_mnist=is_mnist)
    return [], digit_input.fit_image_to_input(picture, bundle.input_shape)


def kernel_matches(bundle: ModelBundle) -> tuple[np.ndarray, list[dict]] | None:
    """The first conv layer's filters and, for each, the hand-made kernel it resembles most.

    Returns
    -------
    (filters, matches) or None
        ``filters`` (3, 3, N) float32 (``core.models.inspection.first_layer_filters``, read under the bundle's
        lock) and ``core.models.inspection.match_handmade_kernels(filters)``; None when the model has no
        convolution, its first one is not 3 x 3 (the hand-made kernels are) or has more than 64
        filters (too many to show).
    """
    with bundle.lock:
        try:
            filters = inspection.first_layer_filters(bundle.model)
        except ValueError:
            return None
    if filters.shape[0] != 3 or filters.shape[2] > 64:
        return None
    return filters, inspection.match_handmade_kernels(filters)


def layer_outputs(bundle: ModelBundle, batch: np.ndarray) -> dict[str, np.ndarray]:
    """Every exposed layer's output for one input batch (1, H, W, C), batch axis dropped."""
    with bundle.lock:
        out = bundle.run_activations(np.asarray(batch, np.float32))
    return {name: np.asarray(value)[0] for name, value in out.items()}


def trunk_maps(bundle: ModelBundle, image: np.ndarray) -> dict[str, np.ndarray]:
    """The conv trunk's maps for an image (H, W) or (H, W, C) in [0, 1] at its own size."""
    channels = bundle.input_shape[-1]
    x = digit_input.fit_image_to_input(image, (None, None, channels))
    with bundle.lock:
        out = bundle.run_trunk(np.asarray(x, np.float32))
    return {name: np.asarray(value)[0] for name, value in out.items()}


def first_trunk_maps(bundle: ModelBundle, image: np.ndarray) -> tuple[str, np.ndarray]:
    """The first layer of :func:`trunk_maps`: its name and its maps ``(H', W', C)`` for the image."""
    maps = trunk_maps(bundle, image)
    first = next(iter(maps))
    return first, maps[first]
