"""The TensorFlow runtime of a process: which device runs the models, and GPU memory growth
turned on by an explicit call (:func:`configure_devices`) from the entry points that load TensorFlow:
the web app's model loading (``core.adapters``), the training worker and the training CLI.
"""

from __future__ import annotations

import os

import tensorflow as tf

_configured = False


def configure_devices() -> str:
    """Set TensorFlow up for this process, once: let it allocate GPU memory as needed instead of all
    of it at start (several processes share a GPU: the training worker, and web processes running
    inference). Call it right after TensorFlow is imported, before any model is built: a GPU already
    in use cannot change. Idempotent; returns :func:`device_name`.
    """
    global _configured
    if not _configured:
        try:
            for gpu in tf.config.list_physical_devices("GPU"):
                tf.config.experimental.set_memory_growth(gpu, True)
        except (RuntimeError, ValueError):  # devices already initialised: growth cannot change now
            pass
        _configured = True
    return device_name()


def device_name() -> str:
    """The device training runs on, e.g. ``"GPU: NVIDIA H200"`` or ``"CPU (2 cores)"``."""
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        try:
            details = tf.config.experimental.get_device_details(gpus[0])
        except Exception:  # noqa: BLE001 - details are optional
            details = {}
        return f"GPU: {details.get('device_name', gpus[0].name)}"
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return f"CPU ({cores} cores)"
