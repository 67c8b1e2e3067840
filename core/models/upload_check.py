"""Size an uploaded model's ``config.json`` layer by layer, as Keras would build it, and refuse it
before Keras builds anything when it is over :class:`~core.models.upload_limits.UploadLimits`
(plain Python, no Keras).

The walk mirrors Keras 3's deserialisation: a Sequential is built layer by layer from its
``InputLayer`` (else its ``build_input_shape``); a functional model creates every layer, then calls
each on its saved ``inbound_nodes`` once their inputs exist; nested models are sized where they
are called; and every layer's own ``build_config`` (which Keras builds from before wiring the
graph) must be the shape that reaches it. Shapes and weights come from :mod:`core.models.layer_sizes`.
"""

from __future__ import annotations

import json
import math

from core.models import layer_sizes
from core.models.upload_limits import (
    DEFAULT_LIMITS,
    LAYER_CLASSES,
    MODEL_CLASSES,
    OP_MODULES,
    ModelLoadError,
    ModelSize,
    UploadLimits,
    check_classes,
    fmt,
    read_config,
)


class _Walker:
    """Sizes a model config layer by layer, refusing as soon as a limit is passed."""

    def __init__(self, limits: UploadLimits):
        self.limits, self.size, self.count = limits, ModelSize(), 0

    def add_layer(self, name: str, cls: str, cfg: dict, inputs: list) -> tuple:
        self.count += 1
        if self.count > self.limits.layers:
            raise ModelLoadError(
                f"the model has more than the {self.limits.layers} layers this app loads; "
                "upload a smaller model"
            )
        try:
            shape, params, macs = layer_sizes.layer_size(cls, cfg, inputs)
        except layer_sizes.SizeError as exc:
            raise ModelLoadError(f"layer {name!r} ({cls}) cannot be sized: {exc}") from exc
        self.note(name, cls, shape, params, macs)
        return shape

    def note(self, name: str, cls: str, shape: tuple, params: int, macs: int) -> None:
        lim, size = self.limits, self.size
        values = math.prod(shape)
        size.parameters += params
        size.multiply_adds += macs
        size.activation_values += values
        size.layers.append((name, cls, shape, params))
        if size.parameters > lim.parameters:
            raise ModelLoadError(
                f"the model has more than {fmt(lim.parameters)} parameters (at layer "
                f"{name!r}: {fmt(size.parameters)}), the most this app loads; upload a "
                "smaller model"
            )
        if values > lim.layer_values:
            raise ModelLoadError(
                f"layer {name!r} outputs {' × '.join(map(str, shape))} = {fmt(values)} "
                f"values per picture, more than the {fmt(lim.layer_values)} this app allows"
            )
        if size.activation_values > lim.activation_values:
            raise ModelLoadError(
                f"the model's layers output more than {fmt(lim.activation_values)} values "
                "per picture, the most this app allows; upload a smaller model"
            )
        if size.multiply_adds > lim.multiply_adds:
            raise ModelLoadError(
                f"the model needs more than {fmt(lim.multiply_adds)} multiply-adds per "
                "picture, the most this app allows; upload a smaller model"
            )

    def input_shape(self, cfg: dict, where: str) -> tuple:
        batch = cfg.get("batch_shape", cfg.get("batch_input_shape"))
        return self.check_input(_shape_of(batch, where), where)

    def check_input(self, shape: tuple, where: str) -> tuple:
        lim = self.limits
        if not shape or len(shape) > 3:
            raise ModelLoadError(f"{where} has the input shape {shape}; this app loads inputs of 1 to 3 axes")
        too_big = (
            shape[0] > lim.input_height or shape[1] > lim.input_width or shape[2] > lim.input_channels
            if len(shape) == 3
            else math.prod(shape) > lim.input_values
        )
        if too_big:
            raise ModelLoadError(
                f"{where} takes inputs of {' × '.join(map(str, shape))}, more than the "
                f"{lim.input_height} × {lim.input_width} × {lim.input_channels} this app accepts; "
                "rebuild the model with a smaller keras.Input"
            )
        return shape

    def model(self, config: dict, depth: int, call_shape: tuple | None = None) -> tuple:
        """Size one Sequential or Functional config (called on ``call_shape`` when nested);
        returns its output shape."""
        if depth > self.limits.nesting:
            raise ModelLoadError(
                f"the model nests models more than {self.limits.nesting} deep, the most this app loads"
            )
        cls, cfg, module = config.get("class_name"), config.get("config"), config.get("module")
        if (
            cls not in MODEL_CLASSES
            or not isinstance(cfg, dict)
            or not isinstance(cfg.get("layers"), list)
            or not _model_module(module)
        ):
            raise ModelLoadError(
                f"the file holds a {cls!r}, not a Keras Sequential or functional model; "
                "build the model with keras.Sequential or keras.Model(inputs, outputs)"
            )
        if len(cfg["layers"]) > self.limits.layers + 1:
            raise ModelLoadError(
                f"the model has {len(cfg['layers'])} layers, more than the "
                f"{self.limits.layers} layers this app loads; upload a smaller model"
            )
        name = f"model {str(cfg.get('name', 'model'))!r}"
        if depth and config.get("compile_config"):
            raise ModelLoadError(
                f"nested {name} was compiled (Keras would compile it while loading); save "
                "the outer model with the inner one uncompiled"
            )
        if cls == "Sequential":
            declared = _declared_shape(
                {"input_shape": cfg.get("build_input_shape")}, name
            ) or _declared_shape(config.get("build_config"), name)
            return self.sequential(name, cfg["layers"], depth, call_shape, declared)
        return self.functional(name, cfg, depth, call_shape)

    def model_input(self, shape: tuple, depth: int, call_shape, where: str) -> tuple:
        """A (nested) model's input: checked against the limits and the shape it is called on."""
        if call_shape is not None:
            _must_match(shape, call_shape, where)
        if depth == 0:
            self.size.input_shape = shape
        return self.check_input(shape, where)

    def sequential(self, name: str, layers: list, depth: int, call_shape, declared) -> tuple:
        """Keras builds a Sequential layer by layer from its InputLayer, else from its
        ``build_input_shape`` (or, nested, from the shape it is called on)."""
        if not layers:
            raise ModelLoadError(f"{name} has no layers")
        cls, cfg, _ = _layer_parts(layers[0], name)
        if cls == "InputLayer":
            shape = self.model_input(self.input_shape(cfg, name), depth, call_shape, name)
            layers = layers[1:]
        elif declared is not None or call_shape is not None:
            if declared is not None and not isinstance(declared, tuple):
                raise ModelLoadError(f"{name} declares several inputs; this app loads models with one input")
            shape = self.model_input(
                declared if declared is not None else call_shape, depth, call_shape, name
            )
        else:
            raise ModelLoadError(f"{name} has no input shape; start it with keras.Input((H, W, C))")
        for layer in layers:
            cls, cfg, lname = _layer_parts(layer, name)
            if cls == "InputLayer":
                raise ModelLoadError(
                    f"{name} has a second input layer {lname!r}; this app loads models with one input"
                )
            shape = self.call(layer, cls, cfg, lname, [shape], depth)
        return shape

    def call(self, layer: dict, cls: str, cfg: dict, lname: str, inputs: list, depth: int) -> tuple:
        """The first call of a layer (or nested model) on input shapes; checks its ``build_config``."""
        built = _declared_shape(layer.get("build_config"), f"layer {lname!r}")
        if built is not None:
            _must_match(built, inputs[0] if isinstance(built, tuple) else inputs, f"layer {lname!r}")
        if cls in MODEL_CLASSES:
            if len(inputs) != 1:
                raise ModelLoadError(f"nested model {lname!r} must take one input")
            self.count += 1
            return self.model(layer, depth + 1, inputs[0])
        return self.add_layer(lname, cls, cfg, inputs)

    def functional(self, name: str, cfg: dict, depth: int, call_shape) -> tuple:
        """Keras creates every layer, then calls each on its saved inbound nodes once their inputs
        exist; so does this, on shapes."""
        layers = cfg["layers"]
        n_inputs = sum(isinstance(lay, dict) and lay.get("class_name") == "InputLayer" for lay in layers)
        declared = _refs(cfg.get("input_layers"))
        if n_inputs != 1 or len(declared) != 1:
            raise ModelLoadError(
                f"{name} has {max(n_inputs, len(declared))} inputs; this app loads models "
                "with exactly one input"
            )
        outputs: dict[str, tuple] = {}
        pending, names = [], set()
        for layer in layers:
            cls, lcfg, lname = _layer_parts(layer, name)
            if lname in names:
                raise ModelLoadError(f"{name} names two layers {lname!r}; save the model again")
            names.add(lname)
            nodes = layer.get("inbound_nodes", [])
            if cls == "InputLayer":
                outputs[lname] = self.model_input(self.input_shape(lcfg, name), depth, call_shape, name)
            elif not isinstance(nodes, list) or not 1 <= len(nodes) <= 8:
                raise ModelLoadError(f"layer {lname!r} of {name} must be called 1 to 8 times")
            else:
                pending.append((layer, cls, lname, lcfg, list(nodes)))
        while pending:
            progressed = False
            for layer, cls, lname, lcfg, nodes in pending:
                while nodes and (shapes := _node_inputs(nodes[0], cls, outputs, lname)) is not None:
                    out = (
                        self.call(layer, cls, lcfg, lname, shapes, depth)
                        if lname not in outputs
                        else _reapply(cls, lcfg, shapes, lname)
                    )
                    if outputs.setdefault(lname, out) != out:
                        raise ModelLoadError(
                            f"layer {lname!r} is called on inputs of different shapes; "
                            "the checker cannot size it"
                        )
                    nodes.pop(0)
                    progressed = True
            pending = [p for p in pending if p[4]]
            if not progressed:
                raise ModelLoadError(
                    f"{name} has layers whose inputs never arrive (a loop or a missing "
                    "layer); save the model again"
                )
        leaves = _refs(cfg.get("output_layers"))
        if not leaves or any(ref[0] not in outputs for ref in leaves):
            raise ModelLoadError(f"{name} names outputs it does not have; save the model again")
        if depth and len(leaves) != 1:
            raise ModelLoadError(f"nested {name} has {len(leaves)} outputs; the checker sizes one")
        return outputs[leaves[0][0]]


def _reapply(cls: str, cfg: dict, shapes: list, lname: str) -> tuple:
    """A shared layer's second call: its output shape (weights were counted at the first call)."""
    if cls in MODEL_CLASSES:
        raise ModelLoadError(f"nested model {lname!r} is called twice; the checker cannot size it")
    try:
        return layer_sizes.layer_size(cls, cfg, shapes)[0]
    except layer_sizes.SizeError as exc:
        raise ModelLoadError(f"layer {lname!r} ({cls}) cannot be sized: {exc}") from exc


def _shape_of(value, where: str) -> tuple:
    """A saved batch shape ``[None, d1, …]`` as ``(d1, …)``: positive integers only."""
    if (
        not isinstance(value, (list, tuple))
        or len(value) < 2
        or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 1 for d in value[1:])
    ):
        raise ModelLoadError(
            f"{where} has the input shape {value!r}; give every axis but the batch a "
            "fixed size, e.g. keras.Input((28, 28, 1))"
        )
    return tuple(value[1:])


def _declared_shape(build_config, where: str):
    """``build_config["input_shape"]`` without the batch axis: one shape, a list of shapes, or None."""
    if not isinstance(build_config, dict) or build_config.get("input_shape") is None:
        return None
    value = build_config["input_shape"]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, (list, tuple)) for v in value):
        return [_shape_of(v, where) for v in value]
    return _shape_of(value, where)


def _must_match(declared, shape, where: str) -> None:
    """Keras builds a layer from its saved ``build_config`` before wiring it: the declared shape must
    be the one that reaches it, or a small file could make Keras allocate a large layer."""
    if declared != shape:
        raise ModelLoadError(
            f"{where} declares an input shape {declared} that is not the shape reaching it "
            f"{shape}; the file was edited or is damaged, save the model again"
        )


def _model_module(module) -> bool:
    """Where Keras finds its Sequential and Functional classes."""
    return isinstance(module, str) and (
        module in ("keras", "keras.models") or module.startswith("keras.src.models")
    )


def _layer_parts(layer, where: str) -> tuple[str, dict, str]:
    """``(class_name, config, name)`` of a saved layer entry, from the module Keras resolves it in
    (``keras.layers`` for layers, ``keras`` for models); the entry's classes are already checked."""
    if not isinstance(layer, dict) or not isinstance(layer.get("config"), dict):
        raise ModelLoadError(f"{where} has a layer entry that is not a Keras layer; save the model again")
    cls, cfg, module = layer.get("class_name"), layer["config"], layer.get("module")
    if not isinstance(module, str):
        raise ModelLoadError(
            "the model was saved in a legacy format; save it again with Keras 3's model.save('model.keras')"
        )
    layer_module = module == "keras.layers" or module.startswith("keras.src.layers")
    model_module = _model_module(module)
    if module in OP_MODULES and cls in layer_sizes.OPS:
        return f"ops.{cls}", cfg, str(layer.get("name", cfg.get("name", cls)))
    if not (cls in MODEL_CLASSES and model_module or cls in LAYER_CLASSES and layer_module):
        raise ModelLoadError(
            f"{where} has a {cls!r} from {module!r}, which is not a layer of keras.layers; "
            "only models made of built-in layers can be loaded"
        )
    return cls, cfg, str(layer.get("name", cfg.get("name", cls)))


def _refs(value) -> list:
    """The ``[layer, node, tensor]`` references in ``input_layers``/``output_layers`` or a call."""
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
        return [value]
    if isinstance(value, list):
        return [r for v in value for r in _refs(v)]
    if isinstance(value, dict):
        return [r for v in value.values() for r in _refs(v)]
    return []


def _node_inputs(node, cls: str, outputs: dict, lname: str):
    """Input shapes of one saved call, or None while an input layer has not been sized yet. A layer
    takes one tensor (merge layers one list of them); an op (``"ops.<name>"``) tensors and numbers."""
    args = node.get("args") if isinstance(node, dict) else None
    is_op = cls.startswith("ops.")
    if not isinstance(args, list) or not args or (not is_op and len(args) != 1):
        raise ModelLoadError(
            f"layer {lname!r} is called in a way the checker cannot size (one input "
            "tensor, or one list of tensors for merge layers)"
        )
    if "__keras_tensor__" in json.dumps(node.get("kwargs", {})):
        raise ModelLoadError(
            f"layer {lname!r} takes tensors as keyword arguments; the checker cannot size it"
        )
    if is_op:
        tensors = [a for a in args if not (isinstance(a, (int, float)) and not isinstance(a, bool))]
    else:
        tensors = args[0] if cls in layer_sizes.MERGING and isinstance(args[0], list) else args
    shapes = []
    for tensor in tensors:
        history = tensor.get("config", {}).get("keras_history") if isinstance(tensor, dict) else None
        if (
            not isinstance(tensor, dict)
            or tensor.get("class_name") != "__keras_tensor__"
            or not isinstance(history, list)
            or len(history) != 3
            or history[2] != 0
        ):
            raise ModelLoadError(f"layer {lname!r} is called on something other than layers' outputs")
        if history[0] not in outputs:
            return None
        shapes.append(outputs[history[0]])
    return shapes


def inspect_config(
    config: dict, limits: UploadLimits = DEFAULT_LIMITS, *, image_input: bool = False
) -> ModelSize:
    """Size a ``.keras`` model's ``config.json`` without Keras and check it against ``limits``.

    Parameters
    ----------
    config : dict
        The parsed ``config.json`` (``{"class_name": "Sequential" | "Functional", "config": …}``).
    limits : UploadLimits
        The bounds; the defaults are the app's.
    image_input : bool
        Also refuse an input that is not ``(H, W, C)``.

    Returns
    -------
    ModelSize
        Input shape ``(H, W, C)`` (or 1 or 2 axes), every layer's ``(name, class, output shape,
        parameters)``, total parameters (as Keras' ``count_params()``), multiply-adds and output values.

    Raises
    ------
    ModelLoadError
        With a message naming the limit or the layer, if the model is over ``limits``, has more
        than one input, or holds a class the checker cannot size (Lambda, custom, unknown).
    """
    check_classes(config)
    walker = _Walker(limits)
    walker.model(config, 0)
    if image_input and len(walker.size.input_shape) != 3:
        raise ModelLoadError("only image models with an (H, W, C) input can be shown")
    return walker.size


def inspect_archive(
    data: bytes, limits: UploadLimits = DEFAULT_LIMITS, *, image_input: bool = False
) -> ModelSize:
    """:func:`read_config` then :func:`inspect_config`, then the weights file's declared size
    against the parameter count (at most ``weight_bytes_per_parameter`` bytes each plus overhead).

    Raises
    ------
    ModelLoadError
        As :func:`read_config` and :func:`inspect_config`, or if the weights file is larger than
        the model's parameters can explain.
    """
    config, weights = read_config(data, limits)
    size = inspect_config(config, limits, image_input=image_input)
    allowed = (
        limits.weight_bytes_per_parameter * size.parameters
        + limits.weight_bytes_overhead
        + limits.weight_bytes_per_layer * len(size.layers)
    )
    if weights > allowed:
        raise ModelLoadError(
            f"the weights file declares {fmt(weights)} bytes, far more than "
            f"{fmt(size.parameters)} parameters need (at most {fmt(allowed)}); the file "
            "is damaged or crafted, save the model again"
        )
    size.weights_bytes = weights
    return size
