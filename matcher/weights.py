"""The shared shape of the matchers' weights: non-negative numbers HR moves as sliders."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Weights:
    """Base for a frozen dataclass of weights, each field carrying a one-line ``meaning``.

    Every weight must be a finite number >= 0; ``describe()`` lists them for
    the set-up page.

    Examples
    --------
    >>> from dataclasses import field
    >>> @dataclass(frozen=True)
    ... class Example(Weights):
    ...     goals: float = field(default=2.0, metadata={"meaning": "What the pair can learn"})
    >>> Example.describe()
    [('goals', 2.0, 'What the pair can learn')]
    >>> Example(goals=-1)
    Traceback (most recent call last):
    ...
    ValueError: expected weight 'goals' as a finite number >= 0, got -1
    """

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"expected weight {item.name!r} as a finite number >= 0, got {value!r}")

    @classmethod
    def describe(cls) -> list[tuple[str, float, str]]:
        """``(name, default, meaning)`` for every weight, in slider order."""
        return [(item.name, item.default, item.metadata["meaning"]) for item in fields(cls)]
