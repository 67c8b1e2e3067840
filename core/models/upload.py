"""Load a ``.keras`` model a user uploads, refusing code: Keras ``safe_mode``, no ``Lambda`` layers,
no custom classes; every failure is one :class:`ModelLoadError` whose message says what to do.

Before Keras builds anything, :func:`core.models.upload_check.inspect_archive` reads the archive's
``config.json`` and refuses a model over :class:`~core.models.upload_limits.UploadLimits` (parameters,
input size, layers, archive size, one input). Refusals are remembered by the file's SHA-256, so a
student rerunning the page does not make the server read the file again.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path

import keras

from core.models.upload_check import inspect_archive
from core.models.upload_limits import DEFAULT_LIMITS, ModelLoadError, UploadLimits

__all__ = ["ModelLoadError", "UploadLimits", "load_user_model", "remembered_refusals"]

#: Refusals by (SHA-256 of the file, options): the message, most recent last.
_REFUSED: OrderedDict[tuple, str] = OrderedDict()
_REFUSED_LOCK = threading.Lock()
REMEMBERED_REFUSALS = 256


def remembered_refusals() -> int:
    """How many refused files are remembered (at most :data:`REMEMBERED_REFUSALS`)."""
    return len(_REFUSED)


def _remember(key: tuple, message: str) -> None:
    with _REFUSED_LOCK:
        _REFUSED[key] = message
        _REFUSED.move_to_end(key)
        while len(_REFUSED) > REMEMBERED_REFUSALS:
            _REFUSED.popitem(last=False)


def _refuse_unsafe_layers(model: keras.Model) -> None:
    for layer in getattr(model, "_flatten_layers", lambda: model.layers)():
        if type(layer).__name__ == "Lambda":
            raise ModelLoadError(
                f"the model has a Lambda layer ({layer.name!r}) that runs Python "
                "code; it is refused for safety. Rebuild it from built-in layers."
            )


def load_user_model(
    data: bytes,
    *,
    max_bytes: int = 200 * 2**20,
    limits: UploadLimits = DEFAULT_LIMITS,
    image_input: bool = False,
) -> keras.Model:
    """Load an uploaded ``.keras`` file with Keras' ``safe_mode=True``, once its ``config.json`` is
    within ``limits``.

    Parameters
    ----------
    data : bytes
        The file's content: a ``.keras`` zip archive saved by ``model.save("name.keras")``.
    max_bytes : int, optional
        Largest accepted file size (the archive as uploaded).
    limits : UploadLimits, optional
        What the model may be (parameters, input size, layers, archive size); checked on the config
        before Keras builds any layer.
    image_input : bool, optional
        Also refuse a model whose input is not ``(H, W, C)``.

    Returns
    -------
    keras.Model
        Not compiled; with a symbolic input so its activations can be read.

    Raises
    ------
    ModelLoadError
        If the bytes are not a ``.keras`` archive (e.g. a legacy ``.h5`` or random data), the model
        is over ``limits`` or holds a layer the checker cannot size, uses a Lambda layer or custom
        (non-Keras) classes, or Keras cannot load it. The same file refused again raises the same
        message without being read (remembered by SHA-256).
    """
    if not isinstance(data, (bytes, bytearray)):
        raise ModelLoadError(f"data must be the file's bytes, got {type(data).__name__}")
    key = (hashlib.sha256(data).hexdigest(), max_bytes, limits, image_input)
    with _REFUSED_LOCK:
        message = _REFUSED.get(key)
    if message is not None:
        raise ModelLoadError(message)
    try:
        return _load(bytes(data), max_bytes=max_bytes, limits=limits, image_input=image_input)
    except ModelLoadError as exc:
        _remember(key, str(exc))
        raise


def _load(data: bytes, *, max_bytes: int, limits: UploadLimits, image_input: bool) -> keras.Model:
    if len(data) > max_bytes:
        raise ModelLoadError(f"the file has {len(data):,} bytes, more than {max_bytes:,}")
    if data[:8] == b"\x89HDF\r\n\x1a\n":
        raise ModelLoadError(
            "this is a legacy HDF5 (.h5) file; save the model in the Keras 3 "
            "format with model.save('model.keras') and upload that"
        )
    if data[:4] != b"PK\x03\x04":
        raise ModelLoadError(
            "this is not a .keras file (a .keras file is a zip archive written by model.save('model.keras'))"
        )
    inspect_archive(data, limits, image_input=image_input)
    with tempfile.TemporaryDirectory(prefix="neural-explainer-upload-") as tmp:
        path = Path(tmp) / "uploaded.keras"
        path.write_bytes(data)
        try:
            model = keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as exc:  # noqa: BLE001 - every failure becomes one clear message
            text = str(exc)
            if "Lambda" in text or "lambda" in text or "safe_mode" in text:
                raise ModelLoadError(
                    "the model contains a Lambda layer or Python code; Keras' "
                    "safe_mode refuses it. Use built-in layers only."
                ) from exc
            missing = re.search(r"Could not locate (class|function) '([^']+)'", text)
            if missing:
                raise ModelLoadError(
                    f"the model uses the custom {missing.group(1)} "
                    f"{missing.group(2)!r}, which is not part of Keras; only "
                    "models made of built-in layers can be loaded"
                ) from exc
            raise ModelLoadError(
                f"Keras could not load this file: {type(exc).__name__}: {text[:300]}"
            ) from exc
    if not isinstance(model, keras.Model):
        raise ModelLoadError("the file does not hold a Keras model")
    _refuse_unsafe_layers(model)
    if model.count_params() > limits.parameters:  # a second fence, should the checker miss
        raise ModelLoadError(
            f"the model has {model.count_params():,} parameters, more than the "
            f"{limits.parameters:,} this app loads"
        )
    try:
        _ = model.inputs[0].shape
    except (AttributeError, IndexError, TypeError, ValueError) as exc:
        raise ModelLoadError("the model has no defined input (build it with keras.Input)") from exc
    return model
