"""What the training queue stores, as JSON only: Huey's serializer and the allow-list of tasks.

Huey pickles its messages and stored values by default, and unpickling runs code named by the
data: anyone who can write to the queue's storage (a Redis reachable from other pods, a SQLite file
in a shared folder) could run code in every web process and in the training worker. Here nothing
read from the storage is ever unpickled:

- :class:`JsonSerializer` writes every message and value as UTF-8 JSON in a small envelope and reads
  back only that: anything else (a pickle, a truncated or oversized blob, NaN, an unknown envelope)
  raises :class:`QueueDataError`, which the queue logs and treats as a refused job.
- A queued job names its task by a short name from an **allow-list** (:func:`register_task`,
  defaults in :data:`DEFAULT_TASKS`) and carries its config as a JSON object; the consumer looks the
  name up, imports only the module-level function and the frozen config dataclass registered for it,
  and rebuilds the config from the object with that dataclass (whose ``__post_init__`` validates it).
  A name not on the list is refused, never imported.

References
----------
Python docs, *pickle*: "Warning: The pickle module is not secure. Only unpickle data you trust."
Huey docs, *Serialization* (``huey.serializer.Serializer``).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import math
import numbers
from dataclasses import dataclass
from typing import Any

from huey.registry import Message
from huey.serializer import Serializer

#: The largest stored blob that is parsed (a job record or a message is a few hundred bytes).
MAX_BLOB_BYTES = 1 << 20
#: Envelope version of everything the queue writes.
ENVELOPE = 1


class QueueDataError(ValueError):
    """Data read from the queue's storage that this app did not write (not its JSON): refused."""


# --------------------------------------------------------------------------- JSON values
def to_json_value(value: Any, *, what: str = "value") -> Any:
    """``value`` as plain JSON data: dicts with str keys, lists, str, finite numbers, bool, None.

    Tuples become lists, NumPy scalars Python numbers, NaN and infinities None (JSON has neither).

    Raises
    ------
    TypeError
        For anything else (the message names ``what`` and the offending type): return the weights'
        path or a summary dict from a task, never an object.
    """
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, (list, tuple)):
        return [to_json_value(v, what=what) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise TypeError(f"{what}: dict keys must be str to be stored as JSON, got {list(value)[:3]!r}")
        return {k: to_json_value(v, what=what) for k, v in value.items()}
    raise TypeError(
        f"{what} must be JSON data (dict, list, str, number, bool or None), got {type(value).__name__}"
    )


# --------------------------------------------------------------------------- the serializer
class JsonSerializer(Serializer):
    """Huey's serializer, in JSON: messages (``huey.registry.Message``) and key-value data.

    Written: ``{"v": 1, "message": {field: value}}`` for a message, ``{"v": 1, "value": data}``
    for anything else. A message may carry only what this app's tasks use (JSON ``args`` and
    ``kwargs``; no ETA, expiry, timeout, pipeline or chord); ``value`` must be JSON data.

    Raises
    ------
    TypeError
        From ``serialize``, for data that is not JSON (see :func:`to_json_value`).
    QueueDataError
        From ``deserialize``, for anything that is not such an envelope: a pickle, other bytes,
        more than :data:`MAX_BLOB_BYTES`, NaN, a message with unexpected fields. Never unpickled.
    """

    _NONE_FIELDS = (
        "eta",
        "on_complete",
        "on_error",
        "expires",
        "expires_resolved",
        "timeout",
        "chord_config",
    )

    def __init__(self) -> None:
        super().__init__(compression=False)

    def _serialize(self, data: Any) -> bytes:
        if isinstance(data, Message):
            fields = data._asdict()
            if any(fields.get(name) is not None for name in self._NONE_FIELDS):
                raise TypeError(
                    "the training queue's messages carry no ETA, expiry, timeout, pipeline or chord"
                )
            envelope = {"v": ENVELOPE, "message": to_json_value(fields, what="a queued message")}
        else:
            envelope = {"v": ENVELOPE, "value": to_json_value(data, what="a stored value")}
        return json.dumps(envelope, separators=(",", ":"), allow_nan=False).encode("utf-8")

    def _deserialize(self, data: bytes) -> Any:
        if not isinstance(data, (bytes, bytearray, str)) or len(data) > MAX_BLOB_BYTES:
            raise QueueDataError(
                f"refused: a stored blob of {len(data)} bytes (at most {MAX_BLOB_BYTES})"
                if isinstance(data, (bytes, bytearray, str))
                else f"refused: stored data of type {type(data).__name__}"
            )
        try:
            text = data.decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
            envelope = json.loads(text, parse_constant=_refuse_constant)
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise QueueDataError(
                "refused: the stored data is not the training queue's JSON "
                f"(a pickle or other bytes are never unpickled): {type(exc).__name__}"
            ) from None
        if not (
            isinstance(envelope, dict)
            and envelope.get("v") == ENVELOPE
            and len(envelope) == 2
            and ("value" in envelope or "message" in envelope)
        ):
            raise QueueDataError("refused: stored JSON without the training queue's envelope")
        if "value" in envelope:
            return envelope["value"]
        return _message(envelope["message"])


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _message(fields: Any) -> Message:
    """A Huey message from its JSON fields, checked field by field."""
    if not (isinstance(fields, dict) and set(fields) <= set(Message._fields)):
        raise QueueDataError("refused: a queued message with unknown fields")
    checks = {"id": str, "name": str, "args": list, "kwargs": dict}
    for name, kind in checks.items():
        if not isinstance(fields.get(name), kind):
            raise QueueDataError(f"refused: a queued message whose {name!r} is not a {kind.__name__}")
    for name in ("retries", "retry_delay", "retry_backoff", "priority"):
        value = fields.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise QueueDataError(f"refused: a queued message whose {name!r} is not a number")
    if any(fields.get(name) is not None for name in JsonSerializer._NONE_FIELDS):
        raise QueueDataError("refused: a queued message with an ETA, expiry, timeout, pipeline or chord")
    return Message(**fields)


# --------------------------------------------------------------------------- the allow-list
@dataclass(frozen=True)
class TaskSpec:
    """One task the queue may run.

    Attributes
    ----------
    name : str
        The name a queued job carries (letters, digits, ``-``, ``_``, ``.``).
    task : str
        ``"module:function"`` of a module-level ``task(config, progress) -> JSON data``.
    config : str
        ``"module:Class"`` of the frozen config dataclass the task takes.
    """

    name: str
    task: str
    config: str


#: The app's own tasks: the CNN activations page's digit models, the Training page's
#: regularisation results and the Deep features page's feature visualisations.
DEFAULT_TASKS = (
    TaskSpec("digit-model", "core.training.digits:train_digit_job", "core.models.mnist_cnn:MnistCnnConfig"),
    TaskSpec(
        "regularisation-result",
        "core.training.regularisation:train_result_job",
        "core.models.regularisation:RegularisationConfig",
    ),
    TaskSpec(
        "feature-vis",
        "core.training.feature_vis_job:feature_vis_job",
        "core.models.feature_vis_config:FeatureVisConfig",
    ),
)
_ALLOWED: dict[str, TaskSpec] = {spec.name: spec for spec in DEFAULT_TASKS}


def qualified_name(obj: Any) -> str:
    """``"module:qualname"`` of a function or class."""
    return f"{obj.__module__}:{obj.__qualname__}"


def resolve(target: str) -> Any:
    """The object at ``"module:qualname"`` (imports the module). Called only with allow-listed names."""
    module, _, attr = target.partition(":")
    found: Any = importlib.import_module(module)
    for part in attr.split("."):
        found = getattr(found, part)
    return found


def register_task(name: str, task, config_type) -> TaskSpec:
    """Allow the queue to run ``task`` (a module-level function) on ``config_type`` configs.

    Every process that submits or consumes the task must register it (the app's own tasks are
    registered here; ``python -m core.training.worker --tasks MODULE`` imports an operator's module
    that registers more). Registering the same triple again is a no-op.

    Raises
    ------
    ValueError
        If ``name`` is malformed or taken by another task, ``task`` is not reachable as a
        module-level function, or ``config_type`` is not a frozen dataclass.
    """
    if not (name and name.replace("-", "").replace("_", "").replace(".", "").isalnum()):
        raise ValueError(f"name must be letters, digits, '-', '_' or '.', got {name!r}")
    target = qualified_name(task)
    if "<locals>" in target or resolve(target) is not task:
        raise ValueError(f"task must be a module-level function (found by import), got {target!r}")
    params = getattr(config_type, "__dataclass_params__", None)
    if not (isinstance(config_type, type) and params is not None and params.frozen):
        raise ValueError(f"config_type must be a frozen dataclass, got {config_type!r}")
    spec = TaskSpec(name, target, qualified_name(config_type))
    if _ALLOWED.get(name, spec) != spec:
        raise ValueError(f"task name {name!r} is already registered for {_ALLOWED[name].task}")
    _ALLOWED[name] = spec
    return spec


def spec_for(task, config) -> TaskSpec:
    """The allow-list entry of ``task`` for ``config`` (looked up by qualified name, no import).

    Raises
    ------
    ValueError
        If ``task`` is not registered, or registered for another config type.
    """
    target = qualified_name(task)
    for spec in _ALLOWED.values():
        if spec.task == target:
            if spec.config != qualified_name(type(config)):
                raise ValueError(
                    f"task {spec.name!r} takes {spec.config} configs, got {qualified_name(type(config))}"
                )
            return spec
    raise ValueError(
        f"task {target} is not on the training queue's allow-list: register it with "
        "core.training.queue_codec.register_task(name, task, config_type)"
    )


def allowed(name: Any) -> TaskSpec | None:
    """The allow-list entry called ``name``, or None (the job is then refused, never imported)."""
    return _ALLOWED.get(name) if isinstance(name, str) else None


def config_to_data(config) -> dict:
    """A config dataclass as a JSON object: its ``to_dict()`` where it has one, else its fields
    with the class name under ``"kind"``."""
    data = (
        config.to_dict()
        if hasattr(config, "to_dict")
        else {"kind": type(config).__name__, **dataclasses.asdict(config)}
    )
    return to_json_value(data, what="config")


def config_from_data(spec: TaskSpec, data: Any):
    """Rebuild the config of an allow-listed task from its JSON object (lists become tuples).

    Raises
    ------
    ValueError
        If ``data`` is not an object of that dataclass's fields (or ``kind`` names another
        class), or the dataclass refuses a value.
    """
    config_type = resolve(spec.config)
    if not isinstance(data, dict):
        raise ValueError(f"config of {spec.name!r} must be a JSON object, got {type(data).__name__}")
    data = dict(data)
    kind = data.pop("kind", config_type.__name__)
    known = {f.name for f in dataclasses.fields(config_type) if f.init}
    if kind != config_type.__name__ or not set(data) <= known:
        raise ValueError(
            f"config of {spec.name!r}: kind {kind!r} or fields {sorted(set(data) - known)} "
            f"do not match {config_type.__name__}"
        )
    try:
        return config_type(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items()})
    except TypeError as exc:
        raise ValueError(f"config of {spec.name!r}: {exc}") from None
