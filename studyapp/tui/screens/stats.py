"""Stats as terminal charts (textual-plotext), drawn by the same code as `studyapp stats`."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual_plotext import PlotextPlot

from studyapp.review.settings import load_settings
from studyapp.review.stats import compute_stats
from studyapp.review.stats_chart import CHARTS


class StatsScreen(Screen):
    """Reviews per day, true retention, cards by state and the due forecast."""

    BINDINGS = [Binding("q,escape", "back", "Back")]

    def compose(self) -> ComposeResult:
        yield Static(id="stats-summary")
        with VerticalScroll(id="stats-body"):  # a short terminal scrolls the charts rather than squash them
            with Grid(id="charts"):
                for draw in CHARTS:
                    yield PlotextPlot(id=draw.__name__.replace("_", "-"))
        yield Footer()

    def on_mount(self) -> None:
        store = self.app.store
        with store.session() as session:
            stats = compute_stats(session, load_settings(session), self.app.now())
        for draw in CHARTS:
            draw(self.query_one(f"#{draw.__name__.replace('_', '-')}", PlotextPlot).plt, stats)
        states = " · ".join(f"{name} {count}" for name, count in stats.cards_by_state.items())
        self.query_one("#stats-summary", Static).update(f"Cards: {states}")

    def action_back(self) -> None:
        self.app.pop_screen()
