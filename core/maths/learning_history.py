"""What a run of a single-neuron learning rule leaves behind: one record per presented sample.

The rules in :mod:`core.maths.perceptron` return a :class:`TrainingResult` holding one frozen
:class:`StepRecord` per presented sample: the sample, its target, the potential ``v = w·x + b``,
the output, the error, the change of the weights and bias, and the weights and bias before and
after. A page can replay, scrub or tabulate that history without running anything again.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class StepRecord:
    """One presented sample. ``step`` counts from 1 over the whole run, ``epoch`` from 1,
    ``index`` is the sample's 0-based row. For Adaline ``output`` is the class ``sign(v)`` and
    ``error`` the linear error ``t − v`` that drives the update; otherwise ``error = t − output``."""

    epoch: int
    step: int
    index: int
    sample: tuple
    target: float
    potential: float
    output: float
    error: float
    delta_weights: tuple
    delta_bias: float
    weights_before: tuple
    bias_before: float
    weights_after: tuple
    bias_after: float

    @property
    def updated(self) -> bool:
        return self.delta_bias != 0 or any(d != 0 for d in self.delta_weights)

    @property
    def misclassified(self) -> bool:
        return self.output != self.target


@dataclass(frozen=True)
class TrainingResult:
    """Outcome of one run: the full history, the final weights, and why it stopped.

    ``stopped`` is "converged", "max_epochs", "stuck" (Hebb: an epoch changed nothing but left
    mistakes) or "diverged" (Adaline: the error blew up). ``errors_per_epoch`` counts misclassified
    samples per epoch; ``mse_per_epoch`` (Adaline) is the mean of ``(t − v)^2`` over all samples
    with the weights at the end of each epoch, ``mse_initial`` with the initial weights.
    """

    rule: str
    learning_rate: float
    initial_weights: tuple
    initial_bias: float
    history: tuple
    weights: tuple
    bias: float
    converged: bool
    stopped: str
    epochs: int
    max_epochs: int
    errors_per_epoch: tuple
    message: str
    mse_per_epoch: tuple = ()
    mse_initial: float | None = None
    notes: tuple = field(default=())

    @property
    def mistakes(self) -> int:
        return sum(r.misclassified for r in self.history)

    @property
    def updates(self) -> int:
        return sum(r.updated for r in self.history)

    def state_at(self, k: int) -> tuple[tuple, float]:
        """Weights and bias after ``k`` steps (``k = 0``: the initial ones), ``0 <= k <= len(history)``."""
        if not 0 <= int(k) <= len(self.history):
            raise ValueError(f"`k` must be between 0 and {len(self.history)}, got {k}.")
        if k == 0:
            return self.initial_weights, self.initial_bias
        r = self.history[int(k) - 1]
        return r.weights_after, r.bias_after

    def epochs_done(self, k: int) -> int:
        """How many epochs are complete after the first ``k`` steps."""
        k = min(max(int(k), 0), len(self.history))
        if k == 0:
            return 0
        last = self.history[k - 1].epoch
        return last if k == len(self.history) or self.history[k].epoch != last else last - 1

    def errors_until(self, k: int) -> tuple:
        """Misclassified samples per epoch counting only the first ``k`` steps (the last epoch may be
        partial)."""
        counts: dict = {}
        for r in self.history[: max(int(k), 0)]:
            counts[r.epoch] = counts.get(r.epoch, 0) + int(r.misclassified)
        return tuple(counts.values())

    def rows(self, k: int | None = None) -> list[dict]:
        """The first ``k`` steps (all by default) as table rows: step, epoch, sample, target, v, y, error,
        Δw, Δb, w and b after."""
        out = []
        for r in self.history[: len(self.history) if k is None else max(int(k), 0)]:
            out.append(
                {
                    "step": r.step,
                    "epoch": r.epoch,
                    "sample": r.index + 1,
                    "x": _vec_text(r.sample),
                    "target": r.target,
                    "v = w·x + b": round(r.potential, 6),
                    "y": r.output,
                    "error": round(r.error, 6),
                    "Δw": _vec_text(r.delta_weights),
                    "Δb": round(r.delta_bias, 9),
                    "w after": _vec_text(r.weights_after),
                    "b after": round(r.bias_after, 9),
                }
            )
        return out

    def epoch_end(self, k: int) -> int:
        """Step count at the end of the epoch that step ``k + 1`` belongs to (the next epoch end)."""
        k = int(k)
        if k >= len(self.history):
            return len(self.history)
        epoch = self.history[k].epoch
        return max(r.step for r in self.history if r.epoch == epoch)


def _vec_text(values) -> str:
    return "(" + ", ".join(f"{round(v, 9) + 0.0:.10g}" for v in values) + ")"


__all__ = ["StepRecord", "TrainingResult"]
