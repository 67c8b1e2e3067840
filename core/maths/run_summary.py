"""What the stored runs of the regularisation grid say: runs grouped over their random seeds (mean
and min–max), which differences are larger than the seed-to-seed spread, the overfitting in one
run's curves, and what early stopping would have traded.

NumPy only, on the JSON results of :mod:`core.training.regularisation` (no TensorFlow), so the page
computes every number it prints from the shipped files at render time.

References
----------
Prechelt (1998), *Early stopping — but when?* (stopping criteria trade training time for
generalisation; the validation curve has several local minima).
"""

from __future__ import annotations

from core.maths.early_stopping import early_stopping_epoch

#: Seeds a configuration needs before the page compares its range with another's.
MIN_SEEDS_TO_COMPARE = 3


def group_runs(results: list[dict], *, order: list[str] | None = None) -> list[dict]:
    """Runs that differ only in their random seed, grouped.

    Parameters
    ----------
    results : list of dict
        Stored results (:func:`core.training.regularisation.train_regularised`), each with a
        ``group_key``.
    order : list of str, optional
        Configuration names to put first, in this order; the other groups follow in the order they
        first appear.

    Returns
    -------
    list of dict
        One per configuration: ``name``, ``group_key``, ``runs`` (sorted by seed) and ``seeds``.
    """
    groups: dict[str, list[dict]] = {}
    for result in results:
        groups.setdefault(result["group_key"], []).append(result)
    out = [
        {
            "name": runs[0]["config"]["name"],
            "group_key": key,
            "runs": sorted(runs, key=lambda r: r["config"]["seed"]),
            "seeds": sorted(r["config"]["seed"] for r in runs),
        }
        for key, runs in groups.items()
    ]
    rank = {name: i for i, name in enumerate(order or [])}
    return sorted(out, key=lambda g: rank.get(g["name"], len(rank)))


def spread(values) -> dict:
    """``mean``, ``min``, ``max`` and ``n`` of a non-empty list of numbers.

    Raises
    ------
    ValueError
        If ``values`` is empty.
    """
    values = [float(v) for v in values]
    if not values:
        raise ValueError("values must hold at least one number")
    return {"mean": sum(values) / len(values), "min": min(values), "max": max(values), "n": len(values)}


def metric_spread(group: dict, metric: str) -> dict:
    """:func:`spread` of ``metrics[metric]`` over a group's runs (e.g. ``"test_accuracy"``)."""
    return spread(run["metrics"][metric] for run in group["runs"])


def ranges_overlap(a: dict, b: dict) -> bool:
    """Whether the min–max ranges of two :func:`spread` results overlap (touching counts)."""
    return a["min"] <= b["max"] and b["min"] <= a["max"]


def compare_groups(groups: list[dict], reference: str, *, metric: str = "test_accuracy") -> dict:
    """Each configuration against ``reference`` on ``metric``: a difference counts as real only
    where the two min–max ranges over seeds do not overlap and both have at least
    :data:`MIN_SEEDS_TO_COMPARE` seeds.

    Returns
    -------
    dict
        ``higher``, ``lower`` (real differences), ``overlapping`` and ``too_few_seeds``: lists of
        configuration names (the reference itself is in none).

    Raises
    ------
    ValueError
        If no group is called ``reference``.
    """
    by_name = {g["name"]: g for g in groups}
    if reference not in by_name:
        raise ValueError(f"reference {reference!r} is not among the configurations {sorted(by_name)}")
    ref = metric_spread(by_name[reference], metric)
    out: dict[str, list[str]] = {"higher": [], "lower": [], "overlapping": [], "too_few_seeds": []}
    for group in groups:
        if group["name"] == reference:
            continue
        this = metric_spread(group, metric)
        if min(this["n"], ref["n"]) < MIN_SEEDS_TO_COMPARE:
            out["too_few_seeds"].append(group["name"])
        elif ranges_overlap(this, ref):
            out["overlapping"].append(group["name"])
        else:
            out["higher" if this["mean"] > ref["mean"] else "lower"].append(group["name"])
    return out


def overfitting_summary(result: dict) -> dict:
    """The numbers of one run's curves that show (or do not show) overfitting.

    Returns
    -------
    dict
        ``epochs``; ``best_epoch`` (1-based) and ``min_val_ce`` of the lowest validation
        cross-entropy, ``best_fraction`` = best_epoch / epochs; ``last_val_ce`` and ``rise`` =
        last / min − 1; ``train_ce_first``, ``train_ce_last``; ``val_acc_at_best``,
        ``val_acc_last``, ``val_acc_max`` and its epoch ``val_acc_max_epoch``.
    """
    h = result["history"]
    val_ce, val_acc = h["val_cross_entropy"], h["val_accuracy"]
    best = min(range(len(val_ce)), key=val_ce.__getitem__)
    top = max(range(len(val_acc)), key=val_acc.__getitem__)
    return {
        "epochs": len(val_ce),
        "best_epoch": best + 1,
        "best_fraction": (best + 1) / len(val_ce),
        "min_val_ce": val_ce[best],
        "last_val_ce": val_ce[-1],
        "rise": val_ce[-1] / val_ce[best] - 1,
        "train_ce_first": h["cross_entropy"][0],
        "train_ce_last": h["cross_entropy"][-1],
        "val_acc_at_best": val_acc[best],
        "val_acc_last": val_acc[-1],
        "val_acc_max": val_acc[top],
        "val_acc_max_epoch": top + 1,
    }


def early_stopping_tradeoff(runs: list[dict], *, patiences=(2, 5, 10)) -> list[dict]:
    """What ``EarlyStopping(monitor="val_loss", patience=p, restore_best_weights=True)`` would have
    done on each run's curves, against training every epoch, over the runs (seeds) of one config.

    Parameters
    ----------
    runs : list of dict
        Stored results of one configuration (one per seed), all trained for the same epochs.
    patiences : sequence of int >= 1

    Returns
    -------
    list of dict
        One per patience, then one with ``patience=None`` (train every epoch, keep the last):
        ``epochs_trained``, ``kept_epoch``, ``val_accuracy`` and ``val_cross_entropy`` of the
        weights kept, each a :func:`spread` over the runs, and ``time_fraction`` (mean epochs trained
        / epochs).

    Raises
    ------
    ValueError
        If ``runs`` is empty or a patience is < 1 (:func:`core.maths.early_stopping.early_stopping_epoch`).
    """
    if not runs:
        raise ValueError("runs must hold at least one stored result")
    rows = []
    for patience in (*patiences, None):
        picks = []
        for run in runs:
            h = run["history"]
            n = len(h["val_loss"])
            stop = (
                {"best": n, "stop": n}
                if patience is None
                else early_stopping_epoch(h["val_loss"], patience=patience)
            )
            picks.append(
                (
                    stop["stop"],
                    stop["best"],
                    h["val_accuracy"][stop["best"] - 1],
                    h["val_cross_entropy"][stop["best"] - 1],
                    n,
                )
            )
        trained, kept, acc, ce, total = zip(*picks, strict=False)
        rows.append(
            {
                "patience": patience,
                "epochs_trained": spread(trained),
                "kept_epoch": spread(kept),
                "val_accuracy": spread(acc),
                "val_cross_entropy": spread(ce),
                "time_fraction": sum(trained) / sum(total),
            }
        )
    return rows


def format_spread(s: dict, *, percent: bool = True, digits: int = 1) -> str:
    """``"92.3 % (91.8–92.9)"`` for a :func:`spread` (a single value without its range)."""
    scale, unit = (100.0, " %") if percent else (1.0, "")
    mean = f"{s['mean'] * scale:.{digits}f}{unit}"
    return mean if s["n"] == 1 else f"{mean} ({s['min'] * scale:.{digits}f}–{s['max'] * scale:.{digits}f})"


def results_table(groups: list[dict]) -> list[dict]:
    """One table row per configuration, each number as mean (min–max) over its seeds.

    Columns: ``configuration``, ``seeds``, ``test acc``, ``val acc``, ``lowest val cross-entropy``
    (cross-entropy only: an L2 penalty is in its own column), ``L2 penalty`` (what Keras adds to
    ``val_loss`` at the end; "—" without L2), ``train − val gap``, ``epochs``, ``images``,
    ``parameters`` and ``time per run`` (seconds, mean).
    """
    rows = []
    for g in groups:
        first = g["runs"][0]
        penalty = metric_spread(g, "penalty")
        rows.append(
            {
                "configuration": g["name"],
                "seeds": ", ".join(str(s) for s in g["seeds"]),
                "test acc": format_spread(metric_spread(g, "test_accuracy")),
                "val acc": format_spread(metric_spread(g, "val_accuracy")),
                "lowest val cross-entropy": format_spread(
                    metric_spread(g, "min_val_cross_entropy"), percent=False, digits=3
                ),
                "L2 penalty": format_spread(penalty, percent=False, digits=3)
                if penalty["max"] > 1e-4
                else "—",
                "train − val gap": format_spread(metric_spread(g, "gap")),
                "epochs": first["metrics"]["epochs_run"],
                "images": first["data"]["n_train"],
                "parameters": f"{first['parameters']:,}",
                "time per run": f"{spread(r['training_time_s'] for r in g['runs'])['mean']:.0f} s",
            }
        )
    return rows


def early_stopping_table(rows: list[dict]) -> dict[str, list[str]]:
    """:func:`early_stopping_tradeoff`'s rows as table columns (mean and min–max over the seeds)."""
    full = rows[-1]["epochs_trained"]["max"]
    return {
        "criterion": [
            f"patience {t['patience']}" if t["patience"] else f"no early stopping ({full:.0f} epochs)"
            for t in rows
        ],
        "epochs trained": [format_spread(t["epochs_trained"], percent=False, digits=0) for t in rows],
        "weights kept from epoch": [format_spread(t["kept_epoch"], percent=False, digits=0) for t in rows],
        "val cross-entropy": [format_spread(t["val_cross_entropy"], percent=False, digits=3) for t in rows],
        "val accuracy": [format_spread(t["val_accuracy"]) for t in rows],
    }
