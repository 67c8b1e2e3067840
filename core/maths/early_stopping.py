"""Early stopping in NumPy: the epoch where ``keras.callbacks.EarlyStopping`` stops on a validation-loss
history, and the epoch whose weights it restores.

Checked against Keras' callback in ``tests/core/test_losses.py``.
"""

from __future__ import annotations

from core.maths.checks import finite_array


def early_stopping_epoch(val_loss, *, patience: int) -> dict:
    """Where ``keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
    restore_best_weights=True)`` stops on a validation-loss history.

    Returns
    -------
    dict
        ``best`` (1-based epoch of the lowest validation loss so far when it stops), ``stop`` (the
        last epoch it trains, 1-based; the history's length if it never stops).
    """
    losses = finite_array(val_loss, "val_loss").reshape(-1)
    if losses.size == 0 or int(patience) < 1:
        raise ValueError("need a non-empty val_loss and patience >= 1")
    best, wait = 0, 0
    for epoch in range(1, losses.size):
        if losses[epoch] < losses[best]:
            best, wait = epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return {"best": best + 1, "stop": epoch + 1}
    return {"best": best + 1, "stop": int(losses.size)}
