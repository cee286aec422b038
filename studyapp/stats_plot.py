"""Draw ``Stats`` as plotext charts, for both `studyapp stats` and the TUI stats screen.

Each ``draw_*`` takes a plotext-like figure: the ``plotext`` module on the command line,
or ``PlotextPlot.plt`` (textual-plotext) in the TUI, which share the same API.
"""

from __future__ import annotations

from typing import Callable

from studyapp.stats import DAYS, Stats

CHART_WIDTH = 78
CHART_HEIGHT = 14
# Fixed ticks: plotext's automatic ones for bars vary from run to run.
PAST_TICKS = list(range(-DAYS + 2, 1, 7))
FUTURE_TICKS = list(range(0, DAYS, 7))


def draw_reviews(plt, stats: Stats) -> None:
    plt.bar(list(range(-DAYS + 1, 1)), stats.reviews_per_day)
    plt.title(f"Reviews per day, last {DAYS} days ({sum(stats.reviews_per_day)})")
    plt.xticks(PAST_TICKS)
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
    plt.xlabel("days from today (0 includes overdue)")


def draw_states(plt, stats: Stats) -> None:
    names = list(stats.cards_by_state)
    plt.bar(names, [stats.cards_by_state[n] for n in names], orientation="horizontal")
    plt.title("Cards by state")


CHARTS: tuple[Callable[[object, Stats], None], ...] = (draw_reviews, draw_retention, draw_states, draw_forecast)


def print_stats(stats: Stats) -> None:
    """Print every chart to the terminal (`studyapp stats`)."""
    import plotext

    for draw in CHARTS:
        plotext.clear_figure()
        plotext.plotsize(CHART_WIDTH, CHART_HEIGHT)
        plotext.theme("clear")
        draw(plotext, stats)
        print(plotext.build())
    counts = ", ".join(f"{name} {count}" for name, count in stats.cards_by_state.items())
    print(f"cards: {counts}")
