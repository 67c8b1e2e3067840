"""What a student may ask the training queue to visualise: one map of one of HED's VGG16
convolutions, by the gradient ascent of :func:`core.models.feature_vis.ascend`.

:class:`FeatureVisConfig` is the job's config on the shared training queue
(:mod:`core.training.feature_vis_job` runs it). Everything in it comes from a student's click, so
everything is bounded here, in ``__post_init__``: the queue builds the config before it enqueues a
job and rebuilds it from the queued JSON before it runs one (``core.training.queue_codec``), and a
value out of range is a ``ValueError`` both times. The regularisation (learning rate, jitter, blur,
seed) is fixed at the shipped pictures' settings, so a computed picture compares with the shipped
ones and the key space stays small (13 layers × their maps × the step counts offered).

No TensorFlow here: a page builds the config before anything is imported.

References
----------
Simonyan & Zisserman (2015), *Very deep convolutional networks for large-scale image recognition*,
table 1, configuration D (VGG16): 64, 128, 256, 512 and 512 maps in blocks 1 to 5.
Olah, Mordvintsev, Schubert (2017), *Feature visualization*, Distill.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from core.maths.receptive_field import vgg16_fields

#: Maps per block of VGG16 (Simonyan & Zisserman 2015, table 1, configuration D).
BLOCK_CHANNELS = {"block1": 64, "block2": 128, "block3": 256, "block4": 512, "block5": 512}
#: The 13 convolutions a job may name, with their number of maps.
LAYER_CHANNELS = {name: BLOCK_CHANNELS[name.split("_")[0]] for name in vgg16_fields()}
#: Bounds of a student's job: at 112 px an ascent step to block5_conv3 took 0.3–0.7 s on 2 shared CPU
#: cores (the shipped manifest's times), so 192 steps hold the server's training slot 1–2 minutes.
MIN_SIZE, MAX_SIZE, MAX_STEPS = 16, 224, 192
#: The step counts the page offers (the shipped pictures have 96).
STEP_CHOICES = (48, 96, 192)
#: The model whose maps are visualised (part of the key: other weights, other pictures).
MODEL = "hed-bsds500"


@dataclass(frozen=True)
class FeatureVisConfig:
    """One feature-visualisation job: map ``channel`` of ``layer``, ``steps`` ascent steps on a
    ``size`` × ``size`` input, with the shipped pictures' regularisation.

    Attributes
    ----------
    layer : str
        One of :data:`LAYER_CHANNELS` (``"block1_conv1"`` … ``"block5_conv3"``).
    channel : int
        0 ≤ channel < the layer's maps (64 … 512).
    steps : int
        1 … :data:`MAX_STEPS`.
    size : int
        :data:`MIN_SIZE` … :data:`MAX_SIZE` pixels (the page asks for the shipped 112).
    version : int
        Bump when the ascent changes (the key, and so the stored picture, changes with it).

    Raises
    ------
    ValueError
        For an unknown layer, a channel outside the layer, or a step count or size out of range
        (the message gives the allowed range); ``bool`` is not accepted as a number.
    """

    layer: str
    channel: int
    steps: int = 96
    size: int = 112
    version: int = 1

    def __post_init__(self) -> None:
        if self.layer not in LAYER_CHANNELS:
            raise ValueError(f"unknown layer {self.layer!r}: use one of {', '.join(LAYER_CHANNELS)}")
        n_maps = LAYER_CHANNELS[self.layer]
        for name, low, high in (
            ("channel", 0, n_maps - 1),
            ("steps", 1, MAX_STEPS),
            ("size", MIN_SIZE, MAX_SIZE),
            ("version", 1, 1_000),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                what = f"{self.layer} has {n_maps} maps: " if name == "channel" else ""
                raise ValueError(f"{what}{name} must be an integer in {low}–{high}, got {value!r}")

    def to_dict(self) -> dict:
        """JSON-ready fields with the class name under ``"kind"``."""
        return {"kind": type(self).__name__, **asdict(self)}

    @property
    def key(self) -> str:
        """16 hex digits of the SHA-256 of the fields and :data:`MODEL`: the job's and the picture's key."""
        text = json.dumps({"model": MODEL, **asdict(self)}, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    @property
    def name(self) -> str:
        """``"<layer>_<channel>-<key>"``: the stored picture's file name without its ending."""
        return f"{self.layer}_{self.channel}-{self.key}"
