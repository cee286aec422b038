"""The review screen: front, reveal, rate 1-4 with the intervals on the buttons, undo, suspend, edit.

All decisions are the ``ReviewSession``'s; this screen only draws its state and turns keys
into calls. A rating is committed to the database before the next card is drawn. Other
processes may write meanwhile: while one holds the write lock (an import), the rating is
kept and retried, and the screen says it is waiting; a card rated, removed or suspended
elsewhere since it was shown is never rated from stale state (its intervals are shown again,
or it is left with a notice).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Static

from studyapp.errors import UserError
from studyapp.notes.syntax import cloze_prompt
from studyapp.review.schedule import RATING_NAMES, CardChanged
from studyapp.review.session import ReviewSession
from studyapp.store.database import DatabaseLocked
from studyapp.tui.render import render_markdown
from studyapp.tui.widgets.card_body import CardBody


# While another process holds the write lock, each try waits this long for it (the screen
# stays responsive between tries) and the next try comes this much later.
LOCK_TRY_MS = 150
LOCK_RETRY_S = 0.5


class RatingButton(Button, can_focus=False):
    """A rating button; not focusable, so space and Enter stay with the screen."""


class ReviewScreen(Screen):
    """Study one deck's queue (or cram it) card by card."""

    # Footer words are short so that every key shown fits in 100 columns (with a demo too);
    # the tooltip is the longer wording, listed by the ? screen. The rating keys are left out
    # of the footer: once the answer shows, the buttons carry them ("1 Again · 1m").
    BINDINGS = [
        Binding("space,enter", "reveal", "Show", tooltip="Show answer / Good", key_display="space/enter"),
        Binding("1", "rate(1)", "Again", show=False),
        Binding("2", "rate(2)", "Hard", show=False),
        Binding("3", "rate(3)", "Good", show=False),
        Binding("4", "rate(4)", "Easy", show=False),
        Binding("u", "undo", "Undo", tooltip="Undo the last rating or suspension"),
        Binding("s", "suspend", "Suspend"),
        Binding("e", "edit", "Edit", tooltip="Edit source"),
        Binding("d", "demo", "Demo", tooltip="Run demo"),
        Binding("q,escape", "back", "Back"),
    ]

    def __init__(self, session: ReviewSession) -> None:
        super().__init__()
        self.session = session
        self.demo_ids: list[str] = []  # the current card's, kept so the footer need not ask the database
        self.pending_rating: int | None = None  # a rating waiting for the write lock

    def compose(self) -> ComposeResult:
        yield Static(id="progress")
        with VerticalScroll(id="card"):
            yield Static(id="deck-path")
            yield CardBody(id="front")
            yield Static("─" * 24, id="divider")
            yield CardBody(id="back")
        yield Static(id="demo-hint")
        yield Static(id="lock-wait")
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
        self.query_one("#front", CardBody).update(render_markdown(cloze_prompt(card.front)))  # [...] for a cloze
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
        # each widget's own display, not a class on a container: a class change restyles the
        # whole subtree, which took half of the time from a rating to the next card painted
        for widget in self.query("#divider, #back, .rating"):
            widget.display = revealed
        self.query_one("#reveal-hint").display = not revealed

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
        if self._saving():
            return
        self.pending_rating = rating
        self._save_rating()

    def _save_rating(self) -> None:
        """Commit the pending rating; while the database is locked, say so and try again soon."""
        rating, card = self.pending_rating, self.session.current
        try:
            result = self.session.rate(rating, wait_ms=LOCK_TRY_MS)
        except DatabaseLocked:
            self._show_lock_wait(rating)
            self.set_timer(LOCK_RETRY_S, self._save_rating)
            return
        except CardChanged:
            self._show_lock_wait(None)
            self.notify("This card was rated or changed elsewhere since you saw it: "
                        "the intervals are shown again; rate it again", severity="warning", timeout=8)
            self._show_answer()
            return
        except UserError as exc:  # removed or suspended elsewhere meanwhile
            self._show_lock_wait(None)
            self.notify(f"Not rated: {exc}", severity="warning", timeout=8)
            self.show_card()
            return
        self._show_lock_wait(None)
        if result is not None and result.became_leech:
            self.notify(f"Leech: {card.front[:40]!r} has lapsed {result.card.lapses} times; "
                        "tagged leech and suspended", severity="warning", timeout=8)
        self.show_card()

    def _saving(self) -> bool:
        """True (and the learner told) while a rating waits for the lock: nothing else may move the card."""
        if self.pending_rating is None:
            return False
        self.notify("Still saving your rating: the database is busy (another studyapp is writing)",
                    severity="warning")
        return True

    def _show_lock_wait(self, rating: int | None) -> None:
        """The waiting line while ``rating`` waits for the write lock (None: hide it)."""
        self.pending_rating = rating
        line = self.query_one("#lock-wait", Static)
        if rating is not None:
            # short enough for 80 columns; the README says more
            line.update(f"⏳ Saving {RATING_NAMES[rating - 1].capitalize()}: waiting for the database "
                        "(busy elsewhere); rating kept")
        line.set_class(rating is not None, "waiting")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if isinstance(event.button, RatingButton):
            self.action_rate(int(event.button.id.removeprefix("rate-")))

    def action_undo(self) -> None:
        if self._saving():
            return
        what = self.session.last_undoable
        try:
            card = self.session.undo()
        except UserError as exc:
            self.notify(str(exc), severity="warning")
            return
        self.notify(f"Undid the {what} of {card.front[:40]!r}")
        self.show_card()

    def action_suspend(self) -> None:
        if self.session.current is None or self._saving():
            return
        try:
            card = self.session.suspend_current()
        except UserError as exc:  # removed elsewhere meanwhile, or the database is locked
            self.notify(f"Not suspended: {exc}", severity="warning", timeout=8)
            self.show_card()
            return
        self.notify(f"Suspended {card.front[:40]!r} (u undoes; the card browser, b, unsuspends)")
        self.show_card()

    def action_edit(self) -> None:
        """Open the card's source file at its line in $VISUAL/$EDITOR, then re-import the file."""
        card = self.session.current
        if self._saving() or card is None:
            return
        from studyapp.tui.editor import edit_card_source

        if edit_card_source(self, card):
            self.session.advance()
            self.show_card()

    def check_action(self, action: str, parameters: tuple) -> bool:
        return bool(self.demo_ids) if action == "demo" else True

    def action_demo(self) -> None:
        """Open the demo panel on this card's demos; closing it comes back to this very card."""
        if self.session.current is None or not self.demo_ids or self._saving():
            return
        from studyapp.tui.screens.demo import DemoScreen

        self.app.push_screen(DemoScreen(self.demo_ids, card_id=self.session.current.id))

    def action_back(self) -> None:
        if self._saving():
            return
        self.app.leave_screen()
