"""Ask real Keras layers what they do, for the pages that check our formulas against them: the
output shape and parameter count of a ``Conv2D`` (pooling and layer-arithmetic pages), a pooling
layer's output, and ``Dense`` vs ``Conv2D`` parameter counts. Each model is built, measured and
dropped; only the numbers are returned.
"""

from __future__ import annotations

import keras
import numpy as np

from core.maths import layer_math


def conv_output_shape(
    n: int, f: int, stride: int, padding: str, pad: int, dilation: int, channels: int = 1, filters: int = 1
) -> tuple[tuple | None, str, int]:
    """The output shape a real Keras ``Conv2D`` gives for an ``n × n × channels`` input.

    ``padding`` is ``"valid"`` or ``"same"`` (Keras' own) or ``"explicit"`` (``ZeroPadding2D(pad)``
    then a valid convolution, which is also how "full" padding is built).

    Returns
    -------
    (shape, message, params)
        ``shape`` without the batch axis, or None with Keras' error message when it refuses.
    """
    inputs = keras.Input((n, n, channels))
    x = inputs
    try:
        if padding == "explicit" and pad > 0:
            x = keras.layers.ZeroPadding2D(pad)(x)
        layer = keras.layers.Conv2D(
            filters,
            f,
            strides=stride,
            dilation_rate=dilation,
            padding="same" if padding == "same" else "valid",
        )
        out = layer(x)
    except ValueError as exc:
        return None, str(exc).split("\n")[0], 0
    return tuple(int(d) for d in out.shape[1:]), "", int(layer.count_params())


def keras_pool(
    x: np.ndarray, kind: str, pool_size: int, stride: int, padding: str
) -> tuple[np.ndarray, int, tuple]:
    """Run a real Keras pooling layer (``kind`` "max" or "average") on a (H, W) or (H, W, C) array.

    Returns
    -------
    (pooled, count_params, strides)
        The layer's output (batch and, for 2-D input, channel axes removed), its parameter count
        (0: pooling has no weights) and the strides Keras used.
    """
    x = np.asarray(x, dtype=np.float32)
    squeeze = x.ndim == 2
    batch = (x[:, :, None] if squeeze else x)[None]
    cls = keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D
    layer = cls(pool_size=pool_size, strides=stride, padding=padding)
    out = np.asarray(layer(batch))[0]
    return (out[:, :, 0] if squeeze else out), int(layer.count_params()), tuple(layer.strides)


def custom_layer_counts(
    side: int, channels: int, units: int, f: int, max_params: int = 50_000_000
) -> tuple[int | None, int | None]:
    """``count_params()`` of ``Flatten → Dense(units)`` and of ``Conv2D(units, f)`` on a
    ``side × side × channels`` input; None for a layer with more than ``max_params`` weights
    (not built: it would take gigabytes)."""
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
