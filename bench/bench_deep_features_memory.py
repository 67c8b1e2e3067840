"""Deep features page: what its shared cache of forward passes holds after N different photos.

Every photo at 512 px keeps all 13 convolution layers' maps (float16), ~100 MB a pass. The page's cache
(``core.adapters.cached.hed_pass``) is asked for N distinct photos in turn (the 8 sample photos, then
mirrored copies); after each, the table gives the bytes the cache still holds (the sum over its
entries, measured on the values) and the process's resident memory (RSS, after a garbage collection).
The reference in the same run is the RSS after loading the network and one small pass (before any
512 px pass). Nothing is asserted: memory depends on the allocator.

Run: ``.venv/bin/python bench/bench_deep_features_memory.py [--photos 6] [--size 512]``
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def entry_bytes(value) -> int:
    prep, out = value
    return out.nbytes + prep.rgb.nbytes + prep.bgr.nbytes + prep.batch.nbytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=6)
    parser.add_argument("--size", type=int, default=512)
    args = parser.parse_args()

    from core.adapters import cached
    from core.data.images import SAMPLES

    cached.hed_model()
    cached.hed_pass("bench:small", 224, cached.sample_pixels("camera"))  # warm the kernels
    gc.collect()
    reference = rss_mb()
    names = list(SAMPLES)
    held: dict[str, int] = {}
    print(f"reference RSS (network loaded, one 224 px pass): {reference:.0f} MB")
    print(f"{'photos':>6} {'this pass MB':>12} {'cache holds MB':>14} {'entries':>7} {'RSS - ref MB':>12}")
    for i in range(args.photos):
        name = names[i % len(names)]
        pixels = cached.sample_pixels(name)
        if i >= len(names):
            pixels = np.ascontiguousarray(pixels[:, ::-1])
        key = f"bench:{name}:{i // len(names)}"
        value = cached.hed_pass(key, args.size, pixels)
        held[key] = entry_bytes(value)
        del value
        gc.collect()
        # which entries are still cached: ask again with a blank photo; a hit returns the cached pass
        blank = np.zeros((8, 8, 3), np.float32)
        alive = {k: b for k, b in held.items() if _cached(cached, k, args.size, blank)}
        print(
            f"{i + 1:>6} {held[key] / 2**20:>12.1f} {sum(alive.values()) / 2**20:>14.1f} {len(alive):>7} "
            f"{rss_mb() - reference:>12.0f}"
        )


def _cached(cached, key: str, size: int, blank) -> bool:
    """Whether ``hed_pass`` still holds ``key``: a miss would run the blank 8 x 8 photo and raise
    (too small for the network), a hit returns the stored pass without looking at the pixels."""
    try:
        cached.hed_pass(key, size, blank)
    except ValueError:
        return False
    return True


if __name__ == "__main__":
    main()
