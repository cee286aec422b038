"""What every demo returns: the claim, whether the numbers support it, and what to plot."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Callable

# progress(fraction_done, message): demos call it as they go; the runner streams it.
Progress = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:
    """A progress sink for callers that do not care (tests, notebooks)."""


@dataclass
class Result:
    """The outcome of one demo run.

    ``claim_holds`` must be computed from ``metrics``, never written as a constant.
    ``series`` maps a line's label to its y values (x is the index, labelled ``x_label``).
    ``answer`` is the key of the demo's ``PREDICT`` choice that the measured numbers make
    right (None for a demo without a ``PREDICT`` question); like ``claim_holds`` it must be
    computed from the measurements.
    """

    claim: str
    claim_holds: bool
    metrics: dict[str, float]
    series: dict[str, list[float]] = field(default_factory=dict)
    x_label: str = "step"
    y_label: str = ""
    log_y: bool = False
    answer: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)
