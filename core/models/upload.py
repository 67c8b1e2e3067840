"""Load a ``.keras`` model a user uploads, refusing code: Keras ``safe_mode``, no ``Lambda`` layers,
no custom classes; every failure is one :class:`ModelLoadError` whose message says what to do.
"""
from __future__ import annotations

import io
import re
import tempfile
import zipfile
from pathlib import Path

import keras


class ModelLoadError(Exception):
    """A model file or model weights that cannot be used; the message says why and what to do."""

def _refuse_unsafe_layers(model: keras.Model) -> None:
    for layer in getattr(model, "_flatten_layers", lambda: model.layers)():
        if type(layer).__name__ == "Lambda":
            raise ModelLoadError(f"the model has a Lambda layer ({layer.name!r}) that runs Python "
                                 "code; it is refused for safety. Rebuild it from built-in layers.")


def load_user_model(data: bytes, *, max_bytes: int = 200 * 2**20) -> keras.Model:
    """Load an uploaded ``.keras`` file with Keras' ``safe_mode=True``.

    Parameters
    ----------
    data : bytes
        The file's content: a ``.keras`` zip archive saved by ``model.save("name.keras")``.
    max_bytes : int, optional
        Largest accepted size.

    Returns
    -------
    keras.Model
        Not compiled; with a symbolic input so its activations can be read.

    Raises
    ------
    ModelLoadError
        If the bytes are not a ``.keras`` archive (e.g. a legacy ``.h5`` or random data), the
        model uses a Lambda layer or custom (non-Keras) classes, or Keras cannot load it.
    """
    if not isinstance(data, (bytes, bytearray)):
        raise ModelLoadError(f"data must be the file's bytes, got {type(data).__name__}")
    if len(data) > max_bytes:
        raise ModelLoadError(f"the file has {len(data):,} bytes, more than {max_bytes:,}")
    if data[:8] == b"\x89HDF\r\n\x1a\n":
        raise ModelLoadError("this is a legacy HDF5 (.h5) file; save the model in the Keras 3 "
                             "format with model.save('model.keras') and upload that")
    if data[:4] != b"PK\x03\x04":
        raise ModelLoadError("this is not a .keras file (a .keras file is a zip archive "
                             "written by model.save('model.keras'))")
    try:
        with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
            members = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ModelLoadError(f"this is not a readable .keras file (broken zip archive: {exc})"
                             ) from exc
    if "config.json" not in members:
        raise ModelLoadError("this zip archive is not a .keras model (it has no config.json); "
                             "save the model with model.save('model.keras')")
    with tempfile.TemporaryDirectory(prefix="neural-explainer-upload-") as tmp:
        path = Path(tmp) / "uploaded.keras"
        path.write_bytes(bytes(data))
        try:
            model = keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as exc:  # noqa: BLE001 - every failure becomes one clear message
            text = str(exc)
            if "Lambda" in text or "lambda" in text or "safe_mode" in text:
                raise ModelLoadError("the model contains a Lambda layer or Python code; Keras' "
                                     "safe_mode refuses it. Use built-in layers only.") from exc
            missing = re.search(r"Could not locate (class|function) '([^']+)'", text)
            if missing:
                raise ModelLoadError(f"the model uses the custom {missing.group(1)} "
                                     f"{missing.group(2)!r}, which is not part of Keras; only "
                                     "models made of built-in layers can be loaded") from exc
            raise ModelLoadError(f"Keras could not load this file: {type(exc).__name__}: "
                                 f"{text[:300]}") from exc
    if not isinstance(model, keras.Model):
        raise ModelLoadError("the file does not hold a Keras model")
    _refuse_unsafe_layers(model)
    try:
        _ = model.inputs[0].shape
    except (AttributeError, IndexError, TypeError, ValueError) as exc:
        raise ModelLoadError("the model has no defined input (build it with keras.Input)") from exc
    return model
