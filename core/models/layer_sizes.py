"""Output shapes, parameter counts and multiply-adds of Keras layers, computed from their saved
config alone (plain Python, no Keras): what :mod:`core.models.upload_limits` uses to bound an
uploaded model before Keras builds it.

Shapes are per example, batch axis dropped, channels-last: ``(H, W, C)`` for a 2-D image layer,
``(L, C)`` for a 1-D one, ``(D,)`` for a vector. Each rule mirrors the layer's Keras 3 weights and
``compute_output_shape`` (the oracle tests compare them with ``count_params()`` and the built
model's shapes); a layer type without a rule is one the checker cannot size, and is refused.
"""

from __future__ import annotations

import math
from collections.abc import Callable


class SizeError(ValueError):
    """A layer config the checker cannot size; the message says which layer and why."""


Shape = tuple[int, ...]
#: rule(config, input shapes) -> (output shape, parameters, multiply-adds per example)
Rule = Callable[[dict, list], tuple]

#: Layers that keep their input's shape and hold no weights.
SHAPE_KEEPING = frozenset(
    {
        "Activation",
        "ReLU",
        "Softmax",
        "LeakyReLU",
        "ELU",
        "ThresholdedReLU",
        "Dropout",
        "SpatialDropout1D",
        "SpatialDropout2D",
        "GaussianNoise",
        "GaussianDropout",
        "AlphaDropout",
        "ActivityRegularization",
        "Rescaling",
        "UnitNormalization",
        "Identity",
        "RandomFlip",
        "RandomRotation",
        "RandomZoom",
        "RandomTranslation",
        "RandomContrast",
        "RandomBrightness",
    }
)


def _ints(cfg: dict, key: str, n: int, *, default=None, low: int = 1) -> tuple[int, ...]:
    """``cfg[key]`` as ``n`` integers >= ``low`` (an int is repeated ``n`` times, as Keras does)."""
    value = cfg.get(key, default)
    if value is None:
        value = default
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value] * n
    if (
        not isinstance(value, (list, tuple))
        or len(value) != n
        or not all(isinstance(v, int) and not isinstance(v, bool) and v >= low for v in value)
    ):
        raise SizeError(f"{key!r} must be {n} integer(s) >= {low}, got {value!r}")
    return tuple(value)


def _int(cfg: dict, key: str, *, default=None, low: int = 1) -> int:
    return _ints(cfg, key, 1, default=default, low=low)[0]


def _one_input(shapes: list, rank: int | None = None) -> Shape:
    if len(shapes) != 1:
        raise SizeError(f"expects one input, got {len(shapes)}")
    shape = shapes[0]
    if rank is not None and len(shape) != rank:
        raise SizeError(f"expects an input of rank {rank} (batch axis excluded), got {shape}")
    return shape


def _channels_last(cfg: dict) -> None:
    if cfg.get("data_format") not in (None, "channels_last"):
        raise SizeError("only data_format='channels_last' (Keras' default) can be sized")


def _padding(cfg: dict, allowed=("valid", "same")) -> str:
    padding = cfg.get("padding", "valid")
    if padding not in allowed:
        raise SizeError(f"padding must be one of {allowed}, got {padding!r}")
    return padding


def _window_out(n: int, window: int, stride: int, padding: str, dilation: int = 1) -> int:
    """Output length of a sliding window: 'valid' (n - D(K-1) - 1) // S + 1, 'same'/'causal' ceil(n / S)."""
    if padding in ("same", "causal"):
        return -(-n // stride)
    out = (n - dilation * (window - 1) - 1) // stride + 1
    if out < 1:
        raise SizeError(f"a window of {window} (dilation {dilation}) does not fit an input of length {n}")
    return out


def _conv_common(cfg: dict, shapes: list, rank: int, padding_modes=("valid", "same")):
    _channels_last(cfg)
    x = _one_input(shapes, rank + 1)
    kernel = _ints(cfg, "kernel_size", rank)
    strides = _ints(cfg, "strides", rank, default=1)
    dilation = _ints(cfg, "dilation_rate", rank, default=1)
    padding = _padding(cfg, padding_modes)
    spatial = tuple(
        _window_out(n, k, s, padding, d)
        for n, k, s, d in zip(x[:-1], kernel, strides, dilation, strict=False)
    )
    return x, kernel, spatial


def _bias(cfg: dict, n: int) -> int:
    return n if cfg.get("use_bias", True) else 0


def conv(rank: int) -> Rule:
    """Conv1D / Conv2D: kernel ``K1·…·Kr · C/groups · filters`` plus ``filters`` biases."""

    def rule(cfg, shapes):
        x, kernel, spatial = _conv_common(
            cfg, shapes, rank, ("valid", "same", "causal") if rank == 1 else ("valid", "same")
        )
        filters, groups = _int(cfg, "filters"), _int(cfg, "groups", default=1)
        if x[-1] % groups or filters % groups:
            raise SizeError(
                f"groups={groups} must divide the input channels ({x[-1]}) and filters ({filters})"
            )
        weights = math.prod(kernel) * (x[-1] // groups) * filters
        return spatial + (filters,), weights + _bias(cfg, filters), weights * math.prod(spatial)

    return rule


def depthwise_conv(rank: int) -> Rule:
    """DepthwiseConv1D/2D: ``K · C · depth_multiplier`` weights and ``C · depth_multiplier`` biases."""

    def rule(cfg, shapes):
        x, kernel, spatial = _conv_common(cfg, shapes, rank)
        out = x[-1] * _int(cfg, "depth_multiplier", default=1)
        weights = math.prod(kernel) * out
        return spatial + (out,), weights + _bias(cfg, out), weights * math.prod(spatial)

    return rule


def separable_conv(rank: int) -> Rule:
    """SeparableConv1D/2D: depthwise ``K · C · M``, pointwise ``C · M · filters``, ``filters`` biases."""

    def rule(cfg, shapes):
        x, kernel, spatial = _conv_common(cfg, shapes, rank)
        mid, filters = x[-1] * _int(cfg, "depth_multiplier", default=1), _int(cfg, "filters")
        weights = math.prod(kernel) * mid + mid * filters
        return spatial + (filters,), weights + _bias(cfg, filters), weights * math.prod(spatial)

    return rule


def conv_transpose(rank: int) -> Rule:
    """Conv1DTranspose/Conv2DTranspose: Keras' ``deconv_output_length`` per axis; ``K · filters · C``
    weights plus ``filters`` biases."""

    def rule(cfg, shapes):
        _channels_last(cfg)
        x = _one_input(shapes, rank + 1)
        kernel, strides = _ints(cfg, "kernel_size", rank), _ints(cfg, "strides", rank, default=1)
        dilation = _ints(cfg, "dilation_rate", rank, default=1)
        padding = _padding(cfg)
        extra = cfg.get("output_padding")
        extra = None if extra is None else _ints(cfg, "output_padding", rank, low=0)
        spatial = []
        for i, (n, k, s, d) in enumerate(zip(x[:-1], kernel, strides, dilation, strict=False)):
            k = k + (k - 1) * (d - 1)
            if extra is None:
                spatial.append(n * s + max(k - s, 0) if padding == "valid" else n * s)
            else:
                pad = k // 2 if padding == "same" else 0
                spatial.append((n - 1) * s + k - 2 * pad + extra[i])
        filters = _int(cfg, "filters")
        weights = math.prod(kernel) * filters * x[-1]
        return tuple(spatial) + (filters,), weights + _bias(cfg, filters), weights * math.prod(x[:-1])

    return rule


def dense(cfg, shapes):
    """Dense on the last axis: ``D · units`` weights plus ``units`` biases (plus a LoRA pair)."""
    x = _one_input(shapes)
    if not x:
        raise SizeError("Dense needs an input with at least one axis")
    if cfg.get("quantization_config") is not None:
        raise SizeError("quantised Dense layers cannot be sized")
    units = _int(cfg, "units")
    weights = x[-1] * units
    rank = cfg.get("lora_rank")
    if rank:
        weights += _int(cfg, "lora_rank") * (x[-1] + units)
    return x[:-1] + (units,), weights + _bias(cfg, units), x[-1] * units * math.prod(x[:-1])


def pooling(rank: int) -> Rule:
    """Max/AveragePooling1D/2D: ``strides`` defaults to ``pool_size``; no weights."""

    def rule(cfg, shapes):
        _channels_last(cfg)
        x = _one_input(shapes, rank + 1)
        pool = _ints(cfg, "pool_size", rank, default=2)
        strides = _ints(cfg, "strides", rank, default=None) if cfg.get("strides") is not None else pool
        padding = _padding(cfg)
        return (
            tuple(_window_out(n, p, s, padding) for n, p, s in zip(x[:-1], pool, strides, strict=False))
            + x[-1:],
            0,
            0,
        )

    return rule


def global_pooling(rank: int) -> Rule:
    def rule(cfg, shapes):
        _channels_last(cfg)
        x = _one_input(shapes, rank + 1)
        return ((1,) * rank + x[-1:]) if cfg.get("keepdims") else x[-1:], 0, 0

    return rule


def flatten(cfg, shapes):
    _channels_last(cfg)
    return (math.prod(_one_input(shapes)),), 0, 0


def reshape(cfg, shapes):
    x = _one_input(shapes)
    target = cfg.get("target_shape")
    if (
        not isinstance(target, (list, tuple))
        or not target
        or not all(isinstance(v, int) and not isinstance(v, bool) and (v >= 1 or v == -1) for v in target)
        or list(target).count(-1) > 1
    ):
        raise SizeError(f"target_shape must be positive integers and at most one -1, got {target!r}")
    known = math.prod(v for v in target if v != -1)
    size = math.prod(x)
    if -1 in target:
        if size % known:
            raise SizeError(f"cannot reshape {x} into {tuple(target)}")
        target = [size // known if v == -1 else v for v in target]
    if math.prod(target) != size:
        raise SizeError(f"cannot reshape {x} ({size} values) into {tuple(target)}")
    return tuple(target), 0, 0


def shape_keeping(cfg, shapes):
    return _one_input(shapes), 0, 0


def prelu(cfg, shapes):
    """PReLU: one slope per input value, shared along ``shared_axes`` (1-based, batch axis = 0)."""
    x = _one_input(shapes)
    shared = cfg.get("shared_axes") or []
    shared = [shared] if isinstance(shared, int) else shared
    if not all(isinstance(a, int) and 1 <= a <= len(x) for a in shared):
        raise SizeError(f"shared_axes must be axes 1..{len(x)}, got {shared!r}")
    return x, math.prod(1 if i + 1 in shared else n for i, n in enumerate(x)), 0


def _axes(cfg: dict, x: Shape, default=-1) -> list[int]:
    axes = cfg.get("axis", default)
    axes = [axes] if isinstance(axes, int) else axes
    if (
        not isinstance(axes, (list, tuple))
        or not axes
        or not all(
            isinstance(a, int) and not isinstance(a, bool) and -len(x) <= a <= len(x) and a != 0 for a in axes
        )
    ):
        raise SizeError(f"axis must name feature axes of an input {x}, got {cfg.get('axis')!r}")
    return [a - 1 if a > 0 else a for a in axes]  # Keras counts the batch axis


def batch_normalization(cfg, shapes):
    """BatchNormalization: gamma and beta (when ``scale`` / ``center``) plus the moving mean and variance."""
    x = _one_input(shapes)
    n = math.prod(x[a] for a in _axes(cfg, x))
    return x, n * (2 + bool(cfg.get("center", True)) + bool(cfg.get("scale", True))), 0


def layer_normalization(cfg, shapes):
    """LayerNormalization: gamma and beta over the normalised axes (``rms_scaling`` keeps only gamma)."""
    x = _one_input(shapes)
    n = math.prod(x[a] for a in _axes(cfg, x))
    center = bool(cfg.get("center", True)) and not cfg.get("rms_scaling", False)
    return x, n * (center + bool(cfg.get("scale", True))), 0


def _pairs(cfg: dict, key: str, rank: int, default) -> tuple[tuple[int, int], ...]:
    """``padding`` / ``cropping`` as ``rank`` (before, after) pairs: an int, ``rank`` ints, or pairs."""
    value = cfg.get(key, default)
    if isinstance(value, int) and not isinstance(value, bool):
        value = [value] * rank
    if not isinstance(value, (list, tuple)) or len(value) != (2 if rank == 1 else rank):
        raise SizeError(f"{key!r} must be an int or {rank} pairs, got {value!r}")
    if rank == 1:
        value = [value]
    pairs = [(v, v) if isinstance(v, int) else tuple(v) for v in value]
    if not all(
        len(p) == 2 and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in p)
        for p in pairs
    ):
        raise SizeError(f"{key!r} must hold non-negative integers, got {value!r}")
    return tuple(pairs)


def zero_padding(rank: int) -> Rule:
    def rule(cfg, shapes):
        _channels_last(cfg)
        x = _one_input(shapes, rank + 1)
        pads = _pairs(cfg, "padding", rank, 1)
        return tuple(n + a + b for n, (a, b) in zip(x[:-1], pads, strict=False)) + x[-1:], 0, 0

    return rule


def cropping(rank: int) -> Rule:
    def rule(cfg, shapes):
        _channels_last(cfg)
        x = _one_input(shapes, rank + 1)
        out = tuple(n - a - b for n, (a, b) in zip(x[:-1], _pairs(cfg, "cropping", rank, 0), strict=False))
        if min(out) < 1:
            raise SizeError(f"cropping leaves nothing of an input {x}")
        return out + x[-1:], 0, 0

    return rule


def upsampling(rank: int) -> Rule:
    def rule(cfg, shapes):
        _channels_last(cfg)
        x = _one_input(shapes, rank + 1)
        size = _ints(cfg, "size", rank, default=2)
        return tuple(n * s for n, s in zip(x[:-1], size, strict=False)) + x[-1:], 0, 0

    return rule


def to_height_width(cfg, shapes):
    """Resizing, CenterCrop, RandomCrop: ``(height, width, C)``."""
    _channels_last(cfg)
    x = _one_input(shapes, 3)
    return (_int(cfg, "height"), _int(cfg, "width"), x[-1]), 0, 0


def elementwise(cfg, shapes):
    """Add, Subtract, Multiply, Average, Maximum, Minimum: inputs of one rank, broadcast like NumPy."""
    if len(shapes) < 2 or len({len(s) for s in shapes}) != 1:
        raise SizeError(f"expects two or more inputs of one rank, got {shapes}")
    out = []
    for dims in zip(*shapes, strict=False):
        big = {d for d in dims if d != 1}
        if len(big) > 1:
            raise SizeError(f"input shapes {shapes} do not broadcast")
        out.append(big.pop() if big else 1)
    return tuple(out), 0, 0


def concatenate(cfg, shapes):
    if len(shapes) < 2 or len({len(s) for s in shapes}) != 1:
        raise SizeError(f"expects two or more inputs of one rank, got {shapes}")
    axis = _axes(cfg, shapes[0])[0] % len(shapes[0])
    rest = {s[:axis] + s[axis + 1 :] for s in shapes}
    if len(rest) != 1:
        raise SizeError(f"input shapes {shapes} differ outside the concatenation axis")
    shape = list(shapes[0])
    shape[axis] = sum(s[axis] for s in shapes)
    return tuple(shape), 0, 0


#: Every layer class the checker can size (Keras 3 names, ``module`` "keras.layers").
RULES: dict[str, Rule] = {
    "Dense": dense,
    "Flatten": flatten,
    "Reshape": reshape,
    "PReLU": prelu,
    "BatchNormalization": batch_normalization,
    "LayerNormalization": layer_normalization,
    "Resizing": to_height_width,
    "CenterCrop": to_height_width,
    "RandomCrop": to_height_width,
    "Add": elementwise,
    "Subtract": elementwise,
    "Multiply": elementwise,
    "Average": elementwise,
    "Maximum": elementwise,
    "Minimum": elementwise,
    "Concatenate": concatenate,
    **{name: shape_keeping for name in SHAPE_KEEPING},
}
for _r in (1, 2):
    RULES.update(
        {
            f"Conv{_r}D": conv(_r),
            f"DepthwiseConv{_r}D": depthwise_conv(_r),
            f"SeparableConv{_r}D": separable_conv(_r),
            f"Conv{_r}DTranspose": conv_transpose(_r),
            f"MaxPooling{_r}D": pooling(_r),
            f"AveragePooling{_r}D": pooling(_r),
            f"GlobalMaxPooling{_r}D": global_pooling(_r),
            f"GlobalAveragePooling{_r}D": global_pooling(_r),
            f"ZeroPadding{_r}D": zero_padding(_r),
            f"Cropping{_r}D": cropping(_r),
            f"UpSampling{_r}D": upsampling(_r),
        }
    )
#: Layers that take a list of inputs (``args`` holds one list of tensors).
MERGING = frozenset({"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Concatenate"})


def broadcast(cfg, shapes):
    """An element-wise op of ``keras.ops`` (``x / 255.0``, ``x + y``, ``ops.relu(x)``): its tensor
    inputs broadcast like NumPy (numbers in the call add no axis); no weights."""
    if not shapes:
        raise SizeError("expects at least one tensor")
    rank = max(len(s) for s in shapes)
    padded = [(1,) * (rank - len(s)) + tuple(s) for s in shapes]
    return (elementwise(cfg, padded)[0] if len(padded) > 1 else padded[0]), 0, 0


#: Element-wise ``keras.ops`` a functional model may hold as nodes (module ``keras.src.ops.numpy``
#: or ``keras.src.ops.nn``), all sized by :func:`broadcast`.
OPS = frozenset(
    {
        "Add",
        "Subtract",
        "Multiply",
        "Divide",
        "TrueDivide",
        "Maximum",
        "Minimum",
        "Power",
        "Negative",
        "Abs",
        "Absolute",
        "Square",
        "Sqrt",
        "Exp",
        "Log",
        "Tanh",
        "Clip",
        "Relu",
        "Relu6",
        "Sigmoid",
        "Silu",
        "Swish",
        "Gelu",
        "Elu",
        "Selu",
        "LeakyRelu",
        "Softplus",
        "Softmax",
    }
)


def layer_size(class_name: str, cfg: dict, shapes: list) -> tuple[Shape, int, int]:
    """Output shape, parameter count and multiply-adds of one layer.

    Parameters
    ----------
    class_name : str
        The Keras layer class, e.g. ``"Conv2D"``: a key of :data:`RULES`, or ``"ops.<name>"`` for
        an element-wise op of :data:`OPS`.
    cfg : dict
        The layer's ``config`` as saved in ``config.json``.
    shapes : list of tuple of int
        The input shapes, batch axis dropped (one for most layers, several for merging layers).

    Returns
    -------
    shape : tuple of int
        The output shape, batch axis dropped.
    parameters : int
        Every weight Keras creates when building the layer (trainable or not), as ``count_params()``.
    multiply_adds : int
        Multiply-adds of one example through the layer's kernel (0 for layers without one).

    Raises
    ------
    SizeError
        If the class has no rule or the config does not fit the input shapes.
    """
    rule = broadcast if class_name.startswith("ops.") and class_name[4:] in OPS else RULES.get(class_name)
    if rule is None:
        raise SizeError(f"{class_name} layers cannot be sized")
    return rule(cfg, shapes)
