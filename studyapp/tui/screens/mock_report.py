"""The report at the end of a mock interview: per topic answered, time, coverage, grades."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static


def report_table(report: dict) -> Table:
    """The report as a table, one row a topic and a total row (also printed by `mock --history`)."""
    table = Table(box=None, pad_edge=False)
    for name, justify in (("Topic", "left"), ("Answered", "right"), ("Time", "right"), ("Coverage", "right"),
                          ("Passed", "right"), ("Again/Hard/Good/Easy", "right")):
        table.add_column(name, justify=justify)
    for row in report["topics"] + [dict(report["overall"], deck="All")]:
        grades = row["grades"]
        table.add_row(row["deck"], str(row["answered"]), f"{row['seconds'] / 60:.1f} min", f"{row['coverage']:.0%}",
                      f"{row['passed']}/{row['answered']}",
                      f"{grades['again']}/{grades['hard']}/{grades['good']}/{grades['easy']}")
    return table


class MockReportScreen(Screen):
    """The finished mock's report (kept in the history: `studyapp mock --history`)."""

    CSS_PATH = "mock.tcss"
    BINDINGS = [Binding("q,escape", "back", "Back")]

    def __init__(self, report: dict) -> None:
        super().__init__()
        self.report = report

    def compose(self) -> ComposeResult:
        overall = self.report["overall"]
        yield Static(f"Mock interview done · {overall['answered']} answered · {overall['passed']} passed · "
                     f"coverage {overall['coverage']:.0%}", id="mock-progress")
        yield Static(report_table(self.report), id="mock-report")
        yield Static("kept in the history: studyapp mock --history", id="mock-coverage")
        yield Footer()

    def action_back(self) -> None:
        self.app.leave_screen()
