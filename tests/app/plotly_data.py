"""Reading numbers back out of the Plotly figures a page shows (AppTest gives their JSON)."""

import base64

import numpy as np


def array(value) -> np.ndarray:
    """A Plotly data array from a figure's JSON (plain list or typed ``{"dtype", "bdata", "shape"}``)."""
    if isinstance(value, dict) and "bdata" in value:
        out = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        return out.reshape([int(v) for v in str(shape).split(",")]) if shape else out
    return np.asarray(value)
