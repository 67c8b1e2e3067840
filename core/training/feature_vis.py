"""Precompute feature visualisations of HED's VGG16 channels: PNGs and a JSON manifest.

Usage::

    python -m core.training.feature_vis --layer block1_conv2 --channels 0-7 [--size 112] [--steps 96]
    python -m core.training.feature_vis --layer block2_conv2 --strongest 4      # the 4 maps with the
                                                # highest mean on the Rocket sample photo at 224 px

writes ``assets/feature_vis/<layer>_<channel>.png`` and adds one entry per image to
``assets/feature_vis/manifest.json`` (layer, channel, size, steps, learning rate, jitter, blur, seed,
the channel's mean activation before the first and after the last step, seconds), replacing an
older entry of the same layer and channel. ``core.models.feature_vis.ascend`` does the work.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parents[2] / "assets" / "feature_vis"


def parse_channels(text: str) -> list[int]:
    """``"0-7"`` or ``"0,3,5"`` or a mix (``"0-3,9"``): the channel numbers, in order, no repeats.

    Raises
    ------
    ValueError
        If a part is not a number or a range ``a-b`` with a <= b, or more than 512 channels are named.
    """
    channels: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        if not first.isdigit() or (last and not last.isdigit()) or (last and int(last) < int(first)):
            raise ValueError(f"channels must look like 0-7 or 0,3,5; got {text!r}")
        for k in range(int(first), int(last or first) + 1):
            if k not in channels:
                channels.append(k)
    if len(channels) > 512:
        raise ValueError(f"at most 512 channels at once, got {len(channels)}")
    return channels


def strongest_channels(
    model, layer: str, count: int, sample: str = "rocket", max_side: int = 224
) -> list[int]:
    """The ``count`` maps of ``layer`` with the highest mean activation on the sample photo ``sample``
    (``core.data.images.SAMPLES``) at ``max_side`` pixels, strongest first
    (``core.models.hed.ranked_maps``)."""
    import numpy as np

    from core.data import images
    from core.models import hed

    prep = hed.preprocess(images.load_sample(sample) * np.float32(255.0), max_side=max_side)
    order, _ = hed.ranked_maps(hed.forward(model, prep.batch).feature_maps[layer])
    return [int(k) for k in order[:count]]


def write(
    model, layer: str, channels: list[int], out_dir: Path = OUT_DIR, chosen: str = "listed", **settings
) -> list[dict]:
    """Ascend each channel, save its PNG and update the manifest after each image (an interrupted run
    keeps what it finished); ``chosen`` says why the channel was picked (joined with " and " to the
    reasons of an older entry of the same map). Returns the new entries."""
    from PIL import Image

    from core.models.feature_vis import ascend

    out_dir.mkdir(parents=True, exist_ok=True)
    manifest_path = out_dir / "manifest.json"
    entries = json.loads(manifest_path.read_text()) if manifest_path.exists() else []
    new = []
    for k in channels:
        result = ascend(model, layer, k, **settings)
        name = f"{layer}_{k}.png"
        Image.fromarray(result.rgb).save(out_dir / name, optimize=True)
        before = [e.get("chosen", "listed") for e in entries if (e["layer"], e["channel"]) == (layer, k)]
        reasons = sorted(set(" and ".join(before + [chosen]).split(" and ")))  # e.g. listed and strongest
        entry = {
            **result.settings,
            "chosen": " and ".join(reasons),
            "file": name,
            "activation_first": round(float(result.activations[0]), 4),
            "activation_last": round(float(result.activations[-1]), 4),
            "seconds": round(result.seconds, 1),
        }
        entries = [e for e in entries if (e["layer"], e["channel"]) != (layer, k)] + [entry]
        entries.sort(key=lambda e: (e["layer"], e["channel"]))
        manifest_path.write_text(json.dumps(entries, indent=1) + "\n")
        new.append(entry)
        print(
            f"{layer} channel {k}: {entry['activation_first']} -> {entry['activation_last']} in "
            f"{entry['seconds']} s",
            flush=True,
        )
    return new


def main(argv: list[str] | None = None) -> None:
    from core.models import feature_vis, hed

    parser = argparse.ArgumentParser(
        prog="python -m core.training.feature_vis", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--layer", required=True, help="block1_conv1 ... block5_conv3")
    parser.add_argument("--channels", default="0-7", help="e.g. 0-7 or 0,3,5")
    parser.add_argument(
        "--strongest",
        type=int,
        default=0,
        help="instead: the N maps with the highest mean on the Rocket sample photo at 224 px",
    )
    # ascend's settings that the command line sets, by their keyword: (type, default); --blur-every etc.
    ascent = {
        "size": (int, feature_vis.SIZE),
        "steps": (int, feature_vis.STEPS),
        "jitter": (int, feature_vis.JITTER),
        "blur_every": (int, feature_vis.BLUR_EVERY),
        "blur_sigma": (float, feature_vis.BLUR_SIGMA),
        "seed": (int, feature_vis.SEED),
    }
    for name, (kind, default) in ascent.items():
        parser.add_argument("--" + name.replace("_", "-"), type=kind, default=default)
    args = parser.parse_args(argv)
    model = hed.load_hed()
    if args.strongest:
        channels, chosen = (
            strongest_channels(model, args.layer, args.strongest),
            "strongest on the Rocket sample",
        )
    else:
        channels, chosen = parse_channels(args.channels), "listed"
    write(model, args.layer, channels, chosen=chosen, **{name: getattr(args, name) for name in ascent})


if __name__ == "__main__":
    main()
