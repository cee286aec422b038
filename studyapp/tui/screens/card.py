"""One card from the browser: its text, its memory state, its full review history, and actions.

s suspends or unsuspends, R resets it to new (asks once more first), e edits its notes,
d runs its demo. The history and the actions are the domain's (review/history.py,
review/queue.py); the editor and the demo panel are the review screen's own.
"""

from __future__ import annotations

from typing import Optional

from sqlmodel import select
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from studyapp.errors import UserError
from studyapp.review.history import HistoryEntry, card_history, reset_card
from studyapp.review.memory import make_scheduler, recall_at
from studyapp.review.queue import set_suspended
from studyapp.review.schedule import format_interval
from studyapp.review.settings import load_settings
from studyapp.store.tables import NEW, RESET, STATE_NAMES, Card, CardDemo
from studyapp.tui.render import render_markdown
from studyapp.tui.widgets.card_body import CardBody
from studyapp.tui.widgets.list_table import ListTable


def history_cells(entry: HistoryEntry) -> tuple[str, str, str, str, str]:
    """When (local), rating, state before, interval given, recall predicted at that review."""
    return (entry.reviewed_at.astimezone().strftime("%Y-%m-%d %H:%M"), entry.rating_name, entry.state_name,
            format_interval(entry.interval) if entry.interval is not None else "—",
            f"{entry.predicted_recall:.0%}" if entry.predicted_recall is not None else "—")


def toggle_suspension(store, card_id: str) -> str:
    """Suspend an active card or unsuspend a suspended one; the notice to show."""
    with store.session() as session:
        card = session.get(Card, card_id)
        suspended = card.suspended
    try:
        card, _ = set_suspended(store, card_id, not suspended)
    except UserError as exc:  # removed from the notes
        return str(exc)
    return f"{'Unsuspended' if suspended else 'Suspended'} {card.front[:40]!r}"


class CardScreen(Screen):
    """A card's detail and history; its actions act on it and stay here."""

    CSS_PATH = "browser.tcss"
    BINDINGS = [
        Binding("s", "suspend", "Suspend", tooltip="Suspend / unsuspend the card"),
        Binding("R", "reset", "Reset", tooltip="Reset to new (history kept; press R twice)"),
        Binding("e", "edit", "Edit", tooltip="Edit source"),
        Binding("d", "demo", "Demo", tooltip="Run demo"),
        Binding("q,escape", "back", "Back"),
    ]

    def __init__(self, card_id: str) -> None:
        super().__init__()
        self.card_id = card_id
        self.card: Optional[Card] = None
        self.demo_ids: list[str] = []
        self._reset_asked = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="card-view"):
            yield Static(id="card-deck")
            yield CardBody(id="card-front")
            yield CardBody(id="card-back")
            yield Static(id="card-memory")
            yield Static("Review history", id="card-history-title")
            yield ListTable(id="card-history")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#card-history", ListTable)
        for label, key in (("When", "when"), ("Rating", "rating"), ("Before", "before"), ("Interval given", "ivl"),
                           ("Recall predicted", "recall")):
            table.add_column(label, key=key)
        self.show()

    def show(self) -> None:
        """Read the card and its history again and draw them."""
        now = self.app.now()
        with self.app.store.session() as session:
            settings = load_settings(session)
            self.card = card = session.get(Card, self.card_id)
            history = card_history(session, card, settings)
            self.demo_ids = list(session.exec(select(CardDemo.demo_id).where(CardDemo.card_id == card.id)))
        self.query_one("#card-deck", Static).update(f"{card.deck.replace('::', ' › ')}   ({card.source})")
        self.query_one("#card-front", CardBody).update(render_markdown(card.front))
        self.query_one("#card-back", CardBody).update(render_markdown(card.back))
        self.query_one("#card-memory", Static).update(self._memory_line(card, now, settings))
        table = self.query_one("#card-history", ListTable)
        table.clear()
        for entry in reversed(history):  # latest first
            table.add_row(*history_cells(entry))
        ratings = sum(entry.rating != RESET for entry in history)
        resets = len(history) - ratings
        self.query_one("#card-history-title", Static).update(
            f"Review history: {ratings} rating{'' if ratings == 1 else 's'}"
            f"{f', {resets} reset' + ('s' if resets > 1 else '') if resets else ''}, latest first"
            if history else "Review history: never reviewed")
        self.refresh_bindings()

    def _memory_line(self, card: Card, now, settings) -> str:
        flags = [word for word, on in (("SUSPENDED", card.suspended), ("REMOVED from the notes", card.removed),
                                       ("buried", bool(card.buried_until and card.buried_until > now))) if on]
        parts = [STATE_NAMES[card.state]] + flags
        if card.state != NEW:
            recall = recall_at(card, make_scheduler(settings), now)
            parts += [f"due {card.due.astimezone():%Y-%m-%d %H:%M}" if card.due else "no due date",
                      f"recall now {recall:.0%}", f"stability {card.stability:.1f}d",
                      f"difficulty {card.difficulty:.1f}"]
        parts += [f"{card.reps} reviews", f"{card.lapses} lapses"]
        if self.demo_ids:
            parts.append(f"demo {', '.join(self.demo_ids)}")
        return " · ".join(parts)

    # ------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple) -> Optional[bool]:
        if action == "demo":
            return bool(self.demo_ids)
        if action in ("suspend", "reset", "edit"):
            return self.card is not None and not self.card.removed
        return True

    def action_suspend(self) -> None:
        self.notify(toggle_suspension(self.app.store, self.card_id))
        self.show()

    def action_reset(self) -> None:
        if not self._reset_asked:
            self._reset_asked = True
            self.notify("Press R again to reset this card to new (its review history is kept)", timeout=6)
            return
        self._reset_asked = False
        card = reset_card(self.app.store, self.card_id, self.app.now())
        self.notify(f"Reset {card.front[:40]!r} to new")
        self.show()

    def action_edit(self) -> None:
        from studyapp.tui.editor import edit_card_source

        if edit_card_source(self, self.card):
            self.show()

    def action_demo(self) -> None:
        from studyapp.tui.screens.demo import DemoScreen

        self.app.push_screen(DemoScreen(self.demo_ids, card_id=self.card_id))

    def on_screen_resume(self) -> None:
        self.show()  # a demo run or an edit may have changed it

    def action_back(self) -> None:
        self.app.pop_screen()
