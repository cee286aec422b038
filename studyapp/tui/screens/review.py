"""The review screen: front, reveal, rate 1-4 with the intervals on the buttons, undo, suspend, edit.

All decisions are the ``ReviewSession``'s; this screen only draws its state and turns keys
into calls. A rating is committed to the database before the next card is drawn.
"""

from __future__ import annotations

import os
import shlex
import subprocess

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from studyapp.errors import UserError
from studyapp.review.schedule import RATING_NAMES
from studyapp.review.session import ReviewSession
from studyapp.tui.render import render_markdown
from studyapp.tui.widgets.card_body import CardBody


class RatingButton(Button, can_focus=False):
    """A rating button; not focusable, so space and Enter stay with the screen."""


class ReviewScreen(Screen):
    """Study one deck's queue (or cram it) card by card."""

    # Footer words are short so that every key shown fits in 100 columns (with a demo too);
    # the tooltip is the longer wording, listed by the ? screen. The rating keys are left out
    # of the footer: once the answer shows, the buttons carry them ("1 Again · 1m").
    BINDINGS = [
        Binding("space,enter", "reveal", "Show", tooltip="Show answer / Good"),
        Binding("1", "rate(1)", "Again", show=False),
        Binding("2", "rate(2)", "Hard", show=False),
        Binding("3", "rate(3)", "Good", show=False),
        Binding("4", "rate(4)", "Easy", show=False),
        Binding("u", "undo", "Undo"),
        Binding("s", "suspend", "Suspend"),
        Binding("e", "edit", "Edit", tooltip="Edit source"),
        Binding("d", "demo", "Demo", tooltip="Run demo"),
        Binding("question_mark", "help", "Keys"),
        Binding("q,escape", "back", "Back"),
    ]

    def __init__(self, session: ReviewSession) -> None:
        super().__init__()
        self.session = session
        self.demo_ids: list[str] = []  # the current card's, kept so the footer need not ask the database

    def compose(self) -> ComposeResult:
        yield Static(id="progress")
        with VerticalScroll(id="card"):
            yield Static(id="deck-path")
            yield CardBody(id="front")
            yield Static("─" * 24, id="divider")
            yield CardBody(id="back")
        yield Static(id="demo-hint")
        with Horizontal(id="answer-bar"):
            yield Static("space / enter: show answer", id="reveal-hint")
            for rating, name in enumerate(RATING_NAMES, start=1):
                yield RatingButton(name.capitalize(), id=f"rate-{rating}", classes=f"rating {name}")
        yield Footer()

    def on_mount(self) -> None:
        if self.session.current is None:
            self.session.advance()
        self.show_card()

    # ------------------------------------------------------------ drawing

    def show_card(self) -> None:
        """Draw the session's current card, front only; or finish when none is left."""
        card = self.session.current
        if card is None:
            from studyapp.tui.screens.done import DoneScreen

            self.app.switch_screen(DoneScreen(self.session))
            return
        self._set_revealed(False)
        self.query_one("#progress", Static).update(self.session.progress_line())
        self.query_one("#deck-path", Static).update(card.deck.replace("::", " › "))
        self.query_one("#front", CardBody).update(render_markdown(card.front))
        self.query_one("#back", CardBody).update(render_markdown(card.back))
        self.query_one("#card", VerticalScroll).scroll_home(animate=False)
        self.demo_ids = demos = self.session.demo_ids()
        hint = self.query_one("#demo-hint", Static)
        hint.update(f"▶ d: run demo {', '.join(demos)}" if demos else "")
        hint.set_class(bool(demos), "present")
        self.refresh_bindings()

    def _show_answer(self) -> None:
        shown = self.session.reveal()
        for outcome in shown.outcomes:
            label = RATING_NAMES[outcome.rating - 1].capitalize() if self.session.cram else outcome.label
            self.query_one(f"#rate-{outcome.rating}", RatingButton).label = f"{outcome.rating} {label}"
        self._set_revealed(True)

    def _set_revealed(self, revealed: bool) -> None:
        # on the two containers, not the screen: restyling only their subtrees is much cheaper
        for container in ("#card", "#answer-bar"):
            self.query_one(container).set_class(revealed, "revealed")

    # ------------------------------------------------------------ actions

    def action_reveal(self) -> None:
        """Space/Enter: show the answer, or once it is shown, rate Good (as in Anki)."""
        if self.session.current is None:
            return
        if self.session.revealed is None:
            self._show_answer()
        else:
            self.action_rate(3)

    def action_rate(self, rating: int) -> None:
        if self.session.current is None or self.session.revealed is None:
            return
        card = self.session.current
        result = self.session.rate(rating)
        if result is not None and result.became_leech:
            self.notify(f"Leech: {card.front[:40]!r} has lapsed {result.card.lapses} times; "
                        "tagged leech and suspended", severity="warning", timeout=8)
        self.show_card()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if isinstance(event.button, RatingButton):
            self.action_rate(int(event.button.id.removeprefix("rate-")))

    def action_undo(self) -> None:
        try:
            card = self.session.undo()
        except UserError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.notify(f"Undid the rating of {card.front[:40]!r}")
        self.show_card()

    def action_suspend(self) -> None:
        if self.session.current is None:
            return
        card = self.session.suspend_current()
        self.notify(f"Suspended {card.front[:40]!r} (studyapp unsuspend {card.id})")
        self.show_card()

    def action_edit(self) -> None:
        """Open the card's source file at its line in $VISUAL/$EDITOR, then re-import the file."""
        card = self.session.current
        if card is None or not card.source_file or not os.path.exists(card.source_file):
            self.notify("this card has no source file on disk", severity="warning")
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        command = [*shlex.split(editor), f"+{card.source_line}", card.source_file]
        from textual.app import SuspendNotSupported

        try:
            with self.app.suspend():
                subprocess.run(command)
        except SuspendNotSupported:  # headless drivers cannot hand over the terminal
            subprocess.run(command, stdin=subprocess.DEVNULL)
        self._reimport(card.source_file)

    def _reimport(self, path: str) -> None:
        from pathlib import Path

        from studyapp.notes.importer import import_paths

        try:
            import_paths(self.session.store, [Path(path)])
        except UserError as exc:
            self.notify(f"could not re-read the notes: {exc}", severity="error", timeout=10)
            return
        self.session.advance()
        self.show_card()

    def check_action(self, action: str, parameters: tuple) -> bool:
        return bool(self.demo_ids) if action == "demo" else True

    def action_demo(self) -> None:
        """Open the demo panel on this card's demos; closing it comes back to this very card."""
        if self.session.current is None or not self.demo_ids:
            return
        from studyapp.tui.screens.demo import DemoScreen

        self.app.push_screen(DemoScreen(self.demo_ids, card_id=self.session.current.id))

    def action_help(self) -> None:
        from studyapp.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.BINDINGS))

    def action_back(self) -> None:
        self.app.leave_screen()
