"""The mock interview screen (``m`` on the deck list, ``studyapp mock``): one timed question at a time.

The learner types into a TextArea (multi-line; Textual takes composed CJK input as it does
any text) or answers aloud, and reveals with ctrl+r, or the countdown reveals when it runs
out. The model answer then stands beside theirs, its covered key terms highlighted, and
1-4 grade it. The domain (drawing, timing, coverage, grading, the report) is ``MockSession``.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from studyapp.errors import UserError
from studyapp.review.coverage import Coverage
from studyapp.review.mock import MockSession
from studyapp.tui.render import CardText, render_markdown

TICK_SECONDS = 0.25  # how often the countdown is redrawn (and checked for expiry)


COVERED_STYLE, MISSED_STYLE = "bold black on green", "underline"


def highlighted(answer: str, coverage: Coverage) -> CardText:
    """The model answer drawn as on a card (math as Unicode), covered key terms highlighted, missed underlined.

    Key terms never come from math, so each is found verbatim in the drawn lines.
    """
    drawn = render_markdown(answer)
    for line, _ in drawn.lines:
        for term in sorted(coverage.terms, key=lambda t: t.covered):  # covered last: it wins a tie
            for match in re.finditer(re.escape(term.text), line.plain):
                line.stylize(COVERED_STYLE if term.covered else MISSED_STYLE, match.start(), match.end())
    return drawn


def clock_text(seconds: float) -> str:
    whole = max(0, int(seconds + 0.999))  # 0.2 s left still shows 00:01
    return f"{whole // 60:02d}:{whole % 60:02d}"


class MockScreen(Screen):
    """Timed questions, typed or spoken answers, the model answer and its coverage, a grade."""

    CSS_PATH = "mock.tcss"
    BINDINGS = [
        Binding("ctrl+r", "reveal", "Reveal", tooltip="Stop the clock and show the model answer"),
        Binding("1", "grade(1)", "Again", tooltip="Again: missed"),
        Binding("2", "grade(2)", "Hard", tooltip="Hard: a pass"),
        Binding("3", "grade(3)", "Good"),
        Binding("4", "grade(4)", "Easy"),
        Binding("d", "demo", "Demo", tooltip="Run the card's demo"),
        Binding("escape", "back", "End", tooltip="End the mock (graded answers are kept)"),
        Binding("f1", "app.help", "Keys", show=False, tooltip="List the keys of this screen (? types itself in the answer)"),
    ]

    def __init__(self, session: MockSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        yield Static(id="mock-progress")
        with Vertical(id="mock-body"):
            yield Static(id="mock-question")
            yield TextArea(id="mock-typed", soft_wrap=True, show_line_numbers=False)
            with Horizontal(id="mock-reveal"):
                with VerticalScroll(id="mock-yours-box"):
                    yield Static("Your answer", classes="mock-heading")
                    yield Static(id="mock-yours")
                with VerticalScroll(id="mock-model-box"):
                    yield Static("Model answer", classes="mock-heading")
                    yield Static(id="mock-model")
            yield Static(id="mock-coverage")
        yield Footer()

    def on_mount(self) -> None:
        if self.session.finished:
            self.notify("no cards to ask", severity="warning")
            self.app.pop_screen()
            return
        self.show_question()
        self.set_interval(TICK_SECONDS, self.tick)

    def show_question(self) -> None:
        answer = self.session.current
        self.query_one("#mock-question", Static).update(render_markdown(answer.card.front))
        typed = self.query_one("#mock-typed", TextArea)
        typed.text = ""
        typed.read_only = False
        typed.display = True
        self.query_one("#mock-reveal").display = False
        self.query_one("#mock-coverage", Static).update("type your answer (or say it aloud), then ctrl+r · F1 lists the keys")
        typed.focus()
        self.tick()
        self.refresh_bindings()

    def tick(self) -> None:
        """Redraw the countdown; reveal when it runs out."""
        session = self.session
        if session.finished:
            return
        answer = session.current
        position = f"question {session.index + 1}/{len(session.answers)} · {answer.card.deck}"
        if session.revealed:
            spent = f"answered in {clock_text(answer.seconds)}" + (" (time ran out)" if answer.timed_out else "")
            self.query_one("#mock-progress", Static).update(f"Mock interview · {position} · {spent}")
            return
        self.query_one("#mock-progress", Static).update(
            f"Mock interview · {position} · {clock_text(session.time_left().total_seconds())} left")
        if session.expired:
            self.action_reveal()

    def action_reveal(self) -> None:
        if self.session.finished or self.session.revealed:
            return
        typed = self.query_one("#mock-typed", TextArea)
        answer = self.session.reveal(typed.text)
        typed.read_only = True
        typed.display = False
        self.set_focus(None)  # the grade keys go to the screen, not the text
        self.query_one("#mock-yours", Static).update(Text(answer.typed or "(answered aloud)"))
        self.query_one("#mock-model", Static).update(highlighted(answer.card.back, answer.coverage))
        self.query_one("#mock-reveal").display = True
        coverage = answer.coverage
        demo = " · d: run its demo" if self.session.demo_ids() else ""
        self.query_one("#mock-coverage", Static).update(
            f"Coverage {coverage.share:.0%} ({coverage.covered} of {len(coverage.terms)} key terms)"
            f"{' · time ran out' if answer.timed_out else ''} · grade 1 Again (miss) 2 Hard 3 Good 4 Easy{demo}")
        self.tick()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple) -> bool:
        revealed = self.session.revealed
        if action == "reveal":
            return not revealed
        if action == "grade":
            return revealed
        if action == "demo":
            return revealed and bool(self.session.demo_ids())
        return True

    def action_grade(self, rating: int) -> None:
        if not self.session.revealed:
            return
        try:
            note = self.session.grade(rating)
        except UserError as exc:  # CardChanged: rated elsewhere; the grade can be given again
            self.notify(str(exc), severity="warning")
            return
        if note:
            self.notify(note, severity="warning")
        if self.session.finished:
            self._show_report()
        else:
            self.show_question()

    def action_demo(self) -> None:
        demos = self.session.demo_ids()
        if demos:
            from studyapp.tui.screens.demo import DemoScreen

            self.app.push_screen(DemoScreen(demos, card_id=self.session.current.card.id))

    def _show_report(self) -> None:
        from studyapp.tui.screens.mock_report import MockReportScreen

        self.app.switch_screen(MockReportScreen(self.session.report()))

    def action_back(self) -> None:
        """End early: what was graded is kept in the history."""
        if any(a.rating is not None for a in self.session.answers):
            self.session.save()
            self._show_report()
        else:
            self.app.leave_screen()
