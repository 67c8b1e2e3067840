"""Feature visualisation as a shared job on the training queue: the task that computes one more map
of HED's VGG16 for the Deep features page, and the store where every web process finds the picture.

A student asks for map ``channel`` of ``layer`` (:class:`core.models.feature_vis_config.FeatureVisConfig`);
the page submits it to :mod:`core.training.jobs` (task ``"feature-vis"`` on the allow-list of
:mod:`core.training.queue_codec`), so thirty students asking for the same map compute it once, a
session has one waiting job at most, and the ascent never runs in a script thread. The consumer runs
:func:`feature_vis_job`, which writes

    ``<model cache>/feature-vis/<layer>_<channel>-<key>.png`` and ``... .json``

(``key`` = the config's content hash): the picture and an entry in the shipped manifest's format
(``core.data.feature_vis``), so the page shows it beside the shipped ones, to every student of every
web process of the machine. A picture already stored is not computed again.
"""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Callable
from pathlib import Path

from core.data.files import atomic_write_bytes, atomic_write_text
from core.data.shared_store import default_cache_dir
from core.models.feature_vis_config import FeatureVisConfig

#: Where the entry says the picture came from (the shipped ones say "listed" or "strongest ...").
CHOSEN = "computed on this server"


def results_dir() -> Path:
    """``<model cache>/feature-vis`` (``$NEURAL_EXPLAINER_CACHE``, see ``core.data.shared_store``)."""
    return default_cache_dir() / "feature-vis"


def find(config: FeatureVisConfig, directory: Path | None = None) -> dict | None:
    """The stored entry of ``config`` (its PNG exists too), or None."""
    directory = results_dir() if directory is None else Path(directory)
    path = directory / f"{config.name}.json"
    if not (path.is_file() and (directory / f"{config.name}.png").is_file()):
        return None
    return _read_entry(path)


def computed(layer: str, directory: Path | None = None) -> list[dict]:
    """The stored entries of ``layer`` (any step count or size), by channel then step count.

    A file that is not such an entry (a partial write, another program's) is skipped.
    """
    directory = results_dir() if directory is None else Path(directory)
    if not directory.is_dir():
        return []
    entries = []
    for path in directory.glob(f"{layer}_*-*.json"):
        entry = _read_entry(path)
        if entry is not None and entry.get("layer") == layer and (directory / entry["file"]).is_file():
            entries.append(entry)
    return sorted(entries, key=lambda e: (e["channel"], e["steps"], e["size"]))


def _read_entry(path: Path) -> dict | None:
    try:
        entry = json.loads(path.read_text(encoding="utf-8")) if path.stat().st_size < 16_384 else None
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    keys = ("layer", "channel", "steps", "size", "file", "activation_first", "activation_last", "seconds")
    if not (isinstance(entry, dict) and all(k in entry for k in keys)):
        return None
    if entry["file"] != path.with_suffix(".png").name:
        return None
    return entry


@functools.lru_cache(maxsize=1)
def _model():
    """HED, loaded once per consumer process (read-only, like the pages' shared copy)."""
    from core.models import hed

    return hed.load_hed()


def feature_vis_job(config: FeatureVisConfig, progress: Callable) -> dict:
    """The training queue's task: ascend map ``config.channel`` of ``config.layer`` and store the
    picture and its entry (see the module docstring), unless they are stored already.

    Parameters
    ----------
    config : FeatureVisConfig
        Validated when built (the queue rebuilds it from JSON before this runs).
    progress : callable
        ``progress(epoch, batch_index, loss, metrics, fraction)`` as the queue's training tasks call
        it: here ``epoch`` is the ascent step, ``loss`` the map's mean activation before it and
        ``fraction`` the share of steps done.

    Returns
    -------
    dict
        The entry (layer, channel, size, steps, learning rate, jitter, blur, seed, ``file``,
        ``activation_first``, ``activation_last``, ``seconds``) with ``"status"``: ``"computed"``
        or ``"cache"``.

    Raises
    ------
    OSError
        If the model cache is not writable (the message says where and how to fix it).
    """
    found = find(config)
    if found is not None:
        return {**found, "status": "cache"}
    from PIL import Image

    from core.models.feature_vis import ascend

    def step_done(step: int, activation: float) -> None:
        progress(step, 0, activation, {}, (step + 1) / config.steps)

    result = ascend(
        _model(), config.layer, config.channel, size=config.size, steps=config.steps, progress=step_done
    )
    directory = results_dir()
    buffer = io.BytesIO()
    Image.fromarray(result.rgb).save(buffer, format="PNG", optimize=True)
    entry = {
        **result.settings,
        "chosen": CHOSEN,
        "file": f"{config.name}.png",
        "key": config.key,
        "activation_first": round(float(result.activations[0]), 4),
        "activation_last": round(float(result.activations[-1]), 4),
        "seconds": round(result.seconds, 1),
    }
    try:
        atomic_write_bytes(directory / entry["file"], buffer.getvalue())
        atomic_write_text(directory / f"{config.name}.json", json.dumps(entry, indent=1) + "\n")
    except OSError as exc:
        raise OSError(
            f"could not store the picture in {directory} ({exc.strerror or exc}): set "
            "$NEURAL_EXPLAINER_CACHE to a writable directory"
        ) from exc
    return {**entry, "status": "computed"}
