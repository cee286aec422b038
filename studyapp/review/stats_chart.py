"""Draw ``Stats`` as plotext charts, for both `studyapp stats` and the TUI stats screen.

Each ``draw_*`` takes a plotext-like figure: the ``plotext`` module on the command line,
or ``PlotextPlot.plt`` (textual-plotext) in the TUI, which share the same API. The axes
of counts (reviews, cards) start at 0 and carry whole-number ticks (``count_axis``), so an
empty chart reads 0 to 1 rather than plotext's automatic -1 to 1.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import sys
from typing import Callable, Iterable, TextIO

from studyapp.review.stats import DAYS, Stats

CHART_WIDTH = 78
CHART_HEIGHT = 14
# Fixed ticks: plotext's automatic ones for bars vary from run to run.
PAST_TICKS = list(range(-DAYS + 2, 1, 7))
FUTURE_TICKS = list(range(0, DAYS, 7))
COUNT_TICKS = 5  # at most this many ticks on an axis of counts
_ANSI_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


def count_axis(values: Iterable[int], most_ticks: int = COUNT_TICKS) -> tuple[int, list[int]]:
    """The range and ticks of an axis of counts: from 0 to a round top, whole-number ticks.

    The step is 1, 2 or 5 times a power of ten, the smallest that needs at most
    ``most_ticks`` ticks; the top is at least 1 (all-zero data reads 0 to 1).
    """
    top = max(values, default=0)
    step = next(m * 10 ** power for power in itertools.count() for m in (1, 2, 5)
                if m * 10 ** power * (most_ticks - 1) >= top)
    upper = max(1, step * math.ceil(top / step))
    return upper, list(range(0, upper + 1, step))


def _count_y(plt, values: list[int]) -> None:
    upper, ticks = count_axis(values)
    plt.ylim(0, upper)
    plt.yticks(ticks)


def draw_reviews(plt, stats: Stats) -> None:
    plt.bar(list(range(-DAYS + 1, 1)), stats.reviews_per_day)
    plt.title(f"Reviews per day, last {DAYS} days ({sum(stats.reviews_per_day)})")
    plt.xticks(PAST_TICKS)
    _count_y(plt, stats.reviews_per_day)
    plt.xlabel("days ago")


def draw_retention(plt, stats: Stats) -> None:
    points = [(day, 100 * r) for day, r in zip(range(-DAYS + 1, 1), stats.retention_per_day) if r is not None]
    overall = "n/a" if stats.retention_overall is None else f"{100 * stats.retention_overall:.1f}%"
    plt.title(f"True retention {overall} ({stats.review_state_reviews} reviews)")
    plt.xlabel("days ago")
    plt.xticks(PAST_TICKS)
    plt.xlim(-DAYS + 1, 0)
    plt.ylim(0, 100)
    if points:
        xs, ys = zip(*points)
        plt.plot(list(xs), list(ys), marker="braille")


def draw_forecast(plt, stats: Stats) -> None:
    plt.bar(list(range(DAYS)), stats.forecast)
    plt.title(f"Due in the next {DAYS} days ({sum(stats.forecast)})")
    plt.xticks(FUTURE_TICKS)
    _count_y(plt, stats.forecast)
    plt.xlabel("days from today (0 includes overdue)")


def draw_states(plt, stats: Stats) -> None:
    names = list(stats.cards_by_state)
    counts = [stats.cards_by_state[n] for n in names]
    plt.bar(names, counts, orientation="horizontal")
    upper, ticks = count_axis(counts)
    plt.xlim(0, upper)
    plt.xticks(ticks)
    plt.title("Cards by state")


CHARTS: tuple[Callable[[object, Stats], None], ...] = (draw_reviews, draw_retention, draw_states, draw_forecast)


def wants_color(stream: TextIO) -> bool:
    """Escape codes only on a terminal, and not when $NO_COLOR is set or TERM=dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def strip_escapes(text: str) -> str:
    return _ANSI_ESCAPE.sub("", text)


def print_stats(stats: Stats, stream: TextIO | None = None) -> None:
    """Print every chart to the terminal (`studyapp stats`); plain text unless ``wants_color``."""
    import plotext

    stream = stream or sys.stdout
    color = wants_color(stream)
    for draw in CHARTS:
        plotext.clear_figure()
        plotext.plotsize(CHART_WIDTH, CHART_HEIGHT)
        plotext.theme("clear")
        draw(plotext, stats)
        chart = plotext.build()
        print(chart if color else strip_escapes(chart), file=stream)
    counts = ", ".join(f"{name} {count}" for name, count in stats.cards_by_state.items())
    print(f"cards: {counts}", file=stream)
