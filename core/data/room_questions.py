"""The questions of a live session ("predict, then reveal"): what a question is, which answers it
takes, and the histogram of the answers. Plain data, no storage (:mod:`core.data.rooms` stores them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: The longest question text, in characters.
MAX_PROMPT_CHARS = 300
#: A multiple-choice question has 2 to this many choices, each at most :data:`MAX_CHOICE_CHARS` long.
MAX_CHOICES = 8
MAX_CHOICE_CHARS = 80
#: A numeric answer's magnitude at most (anything larger is a typo or a probe).
MAX_NUMERIC = 1e9
#: A numeric histogram has one bar per distinct answer up to this many, else this many equal bins.
MAX_BARS = 12


@dataclass(frozen=True)
class Question:
    """A question about the lecturer's current view.

    Attributes
    ----------
    prompt : str
        What the class is asked, at most :data:`MAX_PROMPT_CHARS` characters.
    kind : {"numeric", "choice"}
        A number, or one of ``choices``.
    choices : tuple of str
        For ``kind="choice"``: 2 to :data:`MAX_CHOICES` distinct labels; empty for a number.
    answer : float or str or None
        The app's own computed answer (a choice's label), kept hidden until the reveal; None for a
        free question without one.
    """

    prompt: str
    kind: str = "numeric"
    choices: tuple[str, ...] = ()
    answer: float | str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.prompt, str) or not self.prompt.strip() or len(self.prompt) > MAX_PROMPT_CHARS:
            raise ValueError(f"prompt must be a text of 1 to {MAX_PROMPT_CHARS} characters")
        if self.kind == "numeric":
            if self.choices:
                raise ValueError("a numeric question takes no choices; use kind='choice'")
            if self.answer is not None:
                object.__setattr__(self, "answer", numeric_value(self.answer))
        elif self.kind == "choice":
            choices = tuple(self.choices)
            if (
                not 2 <= len(choices) <= MAX_CHOICES
                or len(set(choices)) != len(choices)
                or not all(isinstance(c, str) and 0 < len(c) <= MAX_CHOICE_CHARS for c in choices)
            ):
                raise ValueError(
                    f"choices must be 2 to {MAX_CHOICES} distinct texts of 1 to {MAX_CHOICE_CHARS} characters"
                )
            object.__setattr__(self, "choices", choices)
            if self.answer is not None and self.answer not in choices:
                raise ValueError(f"answer {self.answer!r} is not one of the choices {choices}")
        else:
            raise ValueError(f"kind must be 'numeric' or 'choice', got {self.kind!r}")

    def to_json(self) -> dict:
        return {
            "prompt": self.prompt,
            "kind": self.kind,
            "choices": list(self.choices),
            "answer": self.answer,
        }

    @classmethod
    def from_json(cls, data: dict) -> Question:
        return cls(data["prompt"], data["kind"], tuple(data["choices"]), data["answer"])

    def check_answer(self, value) -> float | str:
        """``value`` as stored: a finite float for a number, a choice's label for a choice.

        Raises
        ------
        ValueError
            If it is not a number within ±:data:`MAX_NUMERIC`, or not one of the choices.
        """
        if self.kind == "numeric":
            return numeric_value(value)
        if not isinstance(value, str) or value not in self.choices:
            raise ValueError(f"the answer must be one of {list(self.choices)}")
        return value


def numeric_value(value) -> float:
    """``value`` as a finite float within ±:data:`MAX_NUMERIC` (a bool is not a number here).

    Raises
    ------
    ValueError
        Otherwise, saying what a number must be.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"the answer must be a number, got {type(value).__name__}")
    number = float(value)
    if not math.isfinite(number) or abs(number) > MAX_NUMERIC:
        raise ValueError(f"the answer must be a finite number between -{MAX_NUMERIC:g} and {MAX_NUMERIC:g}")
    return number


@dataclass(frozen=True)
class Histogram:
    """The answers to one question, as bars.

    Attributes
    ----------
    labels : tuple of str
        One per bar: the choices in order; the distinct numbers sorted (``"14"``, ``"2.5"``), or
        :data:`MAX_BARS` equal bins ``"[a, b)"`` (the last closed) when there are more.
    counts : tuple of int
        Answers per bar; ``sum(counts) == total``.
    total : int
        Answers counted (one per browser session).
    answer : float or str or None
        The app's answer once revealed, else None.
    revealed : bool
    """

    labels: tuple[str, ...]
    counts: tuple[int, ...]
    total: int
    answer: float | str | None = None
    revealed: bool = False


def histogram_of(question: Question, values: list, *, revealed: bool) -> Histogram:
    """The :class:`Histogram` of ``values`` (already checked answers) for ``question``."""
    answer = question.answer if revealed else None
    if question.kind == "choice":
        counts = tuple(sum(v == c for v in values) for c in question.choices)
        return Histogram(question.choices, counts, len(values), answer, revealed)
    numbers = sorted(float(v) for v in values)
    distinct = sorted(set(numbers))
    if len(distinct) <= MAX_BARS:
        counts = tuple(numbers.count(d) for d in distinct)
        return Histogram(tuple(f"{d:g}" for d in distinct), counts, len(numbers), answer, revealed)
    low, high = distinct[0], distinct[-1]
    width = (high - low) / MAX_BARS
    counts = [0] * MAX_BARS
    for v in numbers:
        counts[min(int((v - low) / width), MAX_BARS - 1)] += 1
    edges = [low + i * width for i in range(MAX_BARS + 1)]
    labels = tuple(
        f"[{edges[i]:.3g}, {edges[i + 1]:.3g}" + ("]" if i == MAX_BARS - 1 else ")") for i in range(MAX_BARS)
    )
    return Histogram(labels, tuple(counts), len(numbers), answer, revealed)
