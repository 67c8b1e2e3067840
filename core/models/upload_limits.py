"""What an uploaded ``.keras`` model may be, and reading its archive within those bounds (plain
Python, no Keras).

Keras builds every layer of a ``config.json`` (and each layer's ``build_config``) before it checks
anything, so a 1 kB file declaring ``Dense(100000)`` after a conv trunk allocates gigabytes. This
module holds the bounds (:class:`UploadLimits`), reads the archive's directory and a bounded
``config.json`` (:func:`read_config`) and refuses any class that is not a built-in layer the
checker can size (:func:`check_classes`); :mod:`core.models.upload_check` then sizes the graph.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field

from core.models.layer_sizes import OPS, RULES


class ModelLoadError(Exception):
    """A model file or model weights that cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class UploadLimits:
    """What an uploaded model may be, for a teaching app whose one process serves a lecture hall.

    The defaults admit the course's CNNs, a small ResNet or a MobileNet-sized student model, and
    refuse what would take gigabytes or seconds of the shared process.
    """

    archive_bytes: int = 50 * 2**20  # all members, uncompressed, as the zip declares them
    config_bytes: int = 2**20  # config.json, uncompressed
    members: int = 16  # files in the archive (a .keras file has 3)
    parameters: int = 5_000_000  # every weight Keras would create
    input_height: int = 512
    input_width: int = 512
    input_channels: int = 4
    layers: int = 64  # layers, nested models' layers included, inputs not
    layer_values: int = 2**24  # one layer's output for one example (64 MB as float32)
    activation_values: int = 2**26  # all layers' outputs for one example (256 MB as float32)
    multiply_adds: int = 2 * 10**9  # per example, conv and dense kernels
    nesting: int = 3  # models inside models
    weight_bytes_per_parameter: int = 24  # float64 weights and two optimizer slots each
    weight_bytes_overhead: int = 2**20  # HDF5 headers: 1 MB ...
    weight_bytes_per_layer: int = 64 * 2**10  # ... and 64 kB per layer

    @property
    def input_values(self) -> int:
        return self.input_height * self.input_width * self.input_channels


#: The app's bounds (:class:`UploadLimits` is frozen, so one shared instance is a safe default).
DEFAULT_LIMITS = UploadLimits()


@dataclass
class ModelSize:
    """What the checker found: input shape, layers ``(name, class, output shape, parameters)``."""

    input_shape: tuple = ()
    layers: list = field(default_factory=list)
    parameters: int = 0
    multiply_adds: int = 0
    activation_values: int = 0
    weights_bytes: int = 0


WEIGHTS_FILES = ("model.weights.h5", "model.weights.npz")
MODEL_CLASSES = {"Sequential", "Functional"}
#: Objects other than layers a built-in model's config may name (dtype policies, initializers,
#: regularizers, constraints, and the serialiser's own markers).
OTHER_CLASSES = {
    "DTypePolicy",
    "FloatDTypePolicy",
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "IdentityInitializer",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "OrthogonalInitializer",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "L1",
    "L2",
    "L1L2",
    "OrthogonalRegularizer",
    "MaxNorm",
    "MinMaxNorm",
    "NonNeg",
    "UnitNorm",
}
LAYER_CLASSES = set(RULES) | {"InputLayer"}
OP_MODULES = ("keras.src.ops.numpy", "keras.src.ops.nn")


def fmt(n: int) -> str:
    return f"{n:,}"


def read_config(data: bytes, limits: UploadLimits) -> tuple[dict, int]:
    """The archive's parsed ``config.json`` and its weights file's declared size, after checking
    the archive's directory (members, declared sizes) and before reading any member but the config.

    Raises
    ------
    ModelLoadError
        If the bytes are not a zip with a ``config.json``, or the archive is over ``limits``.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ModelLoadError(f"this is not a readable .keras file (broken zip archive: {exc})") from exc
    with archive:
        infos = archive.infolist()
        if len(infos) > limits.members:
            raise ModelLoadError(
                f"the archive holds {len(infos)} files, more than the {limits.members} "
                "a .keras model file may have; save it with model.save('model.keras')"
            )
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise ModelLoadError(
                "the archive names one file twice; save the model again with model.save('model.keras')"
            )
        total = sum(i.file_size for i in infos)
        if total > limits.archive_bytes:
            raise ModelLoadError(
                f"the archive unpacks to {fmt(total)} bytes, more than the "
                f"{fmt(limits.archive_bytes)} ({limits.archive_bytes // 2**20} MB) this app "
                "accepts; upload a smaller model"
            )
        if "config.json" not in names:
            raise ModelLoadError(
                "this zip archive is not a .keras model (it has no config.json); "
                "save the model with model.save('model.keras')"
            )
        info = archive.getinfo("config.json")
        if info.file_size > limits.config_bytes:
            raise ModelLoadError(
                f"the model's config.json has {fmt(info.file_size)} bytes, more than the "
                f"{fmt(limits.config_bytes)} this app reads; upload a smaller model"
            )
        try:
            with archive.open(info) as f:
                text = f.read(limits.config_bytes + 1)
            config = json.loads(text)
        except (
            zipfile.BadZipFile,
            OSError,
            ValueError,
            RecursionError,
            NotImplementedError,
            RuntimeError,
        ) as exc:
            raise ModelLoadError(
                f"the model's config.json cannot be read ({type(exc).__name__}); "
                "save the model again with model.save('model.keras')"
            ) from exc
        weights = sum(i.file_size for i in infos if i.filename in WEIGHTS_FILES)
    if not isinstance(config, dict):
        raise ModelLoadError("the model's config.json does not describe a model")
    return config, weights


SERIALISER_MARKERS = {"__keras_tensor__", "__tuple__", "__numpy__"}
FUNCTION_MODULES = ("builtins", "keras.activations")


def _builtin_function(node: dict) -> bool:
    """A function saved by name that Keras looks up among its own (``relu``, ``gelu``...)."""
    name, module = node.get("config"), node.get("module")
    keras_module = isinstance(module, str) and (
        module in FUNCTION_MODULES or module.startswith("keras.src.activations")
    )
    return (
        keras_module
        and isinstance(name, str)
        and name.isidentifier()
        and node.get("registered_name") in (None, "function")
    )


def check_classes(config, *, max_depth: int = 64) -> None:
    """Refuse any object in the config that is not a built-in layer, model, dtype policy,
    initializer, regularizer or constraint this checker knows (Lambda, custom and unknown classes),
    and any ``registered_name`` that would make Keras look up a custom object instead.

    Raises
    ------
    ModelLoadError
        Naming the Lambda layer, the custom class, or the Keras class the checker cannot size.
    """
    if isinstance(config, dict) and "compile_config" in config:  # Keras drops it (compile=False)
        config = {k: v for k, v in config.items() if k != "compile_config"}
    stack = [(config, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            raise ModelLoadError("the model's config.json is nested too deeply to be a Keras model")
        if isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
            continue
        if not isinstance(node, dict):
            continue
        stack.extend((v, depth + 1) for v in node.values())
        name, module = node.get("class_name"), node.get("module")
        if name is None:
            continue
        if name in ("Lambda", "__lambda__"):
            raise ModelLoadError(
                "the model contains a Lambda layer or Python code; it is refused for "
                "safety (Keras safe_mode). Use built-in layers only."
            )
        if name in SERIALISER_MARKERS and module is None:
            continue
        if name == "function" and _builtin_function(node):
            continue  # an activation by name, e.g. "relu"
        if (
            not isinstance(name, str)
            or not isinstance(module, str)
            or not (module == "keras" or module.startswith("keras."))
        ):
            raise ModelLoadError(
                f"the model uses the custom class {str(name)!r}, which is not part of Keras; "
                "only models made of built-in layers can be loaded"
            )
        if node.get("registered_name") not in (None, name):
            raise ModelLoadError(
                f"the model's {name} is registered as {node['registered_name']!r}, a "
                "custom object; only models made of built-in layers can be loaded"
            )
        if name not in LAYER_CLASSES | MODEL_CLASSES | OTHER_CLASSES | (
            OPS if module in OP_MODULES else set()
        ):
            raise ModelLoadError(
                f"the model has a {name}, which this app cannot size before loading; it accepts "
                "image models made of Conv, Dense, pooling, normalisation, dropout, activation, "
                "padding, resizing and merge layers"
            )
