"""Plot legends drawn below a plot, in a line of their own: plotext draws its legend over the
top-left of the data, where it hides the lines (demo panel, readiness screen)."""

from __future__ import annotations

from rich.text import Text

SERIES_COLOURS = ("cyan", "magenta", "green", "red", "blue", "yellow")  # names plotext and Rich share


def legend_text(drawn: list[tuple[str, str]]) -> Text:
    """'━━ sigmoid   ━━ relu' for (label, colour) pairs, each mark in its line's colour."""
    legend = Text()
    for index, (label, colour) in enumerate(drawn):
        legend.append(("   " if index else "") + "━━ ", style=colour)
        legend.append(label)
    return legend
