"""'All done for today': what was done, and when the next card comes due (local time)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Middle
from textual.screen import Screen
from textual.widgets import Footer, Static

from studyapp.review.buried import unbury
from studyapp.review.session import ReviewSession


def describe_next_due(moment: Optional[datetime], now: datetime) -> str:
    """'Next card due today at 14:05', '... tomorrow at 04:00', '... on Fri 28 Nov at 09:30'."""
    if moment is None:
        return "No cards are scheduled: every card is suspended or removed."
    local, today = moment.astimezone(), now.astimezone().date()
    if local.date() == today:
        day = "today"
    elif local.date() == today + timedelta(days=1):
        day = "tomorrow"
    else:
        day = f"on {local:%a %d %b %Y}"
    return f"Next card due {day} at {local:%H:%M}."


class DoneScreen(Screen):
    """Shown when the queue runs out."""

    BINDINGS = [
        Binding("q,escape,enter", "back", "Back"),
        Binding("S", "stats", "Stats"),
        Binding("U", "unbury", "Unbury", tooltip="Unbury the deck's buried siblings and study them now"),
    ]

    def __init__(self, session: ReviewSession) -> None:
        super().__init__()
        self.session = session
        self.buried = None if session.cram else session.buried()

    def compose(self) -> ComposeResult:
        session = self.session
        if session.cram:
            title = "Cram finished"
            count = session.answered
            detail = (f"You went through {count} card{'' if count == 1 else 's'}; "
                      f"{'its schedule is' if count == 1 else 'their schedules are'} unchanged.")
        else:
            title = "All done for today!"
            detail = f"{session.answered} answered in this sitting. " + describe_next_due(
                session.next_due(), session.clock())
        with Middle():
            with Center():
                yield Static(title, id="done-title")
            with Center():
                yield Static(detail, id="done-detail")
            if self.buried is not None and self.buried.total:
                unbury_hint = f"U unburies {self.buried.buried} to study now, " if self.buried.buried else ""
                with Center():
                    yield Static(f"{self.buried.describe()} ({unbury_hint}c on the deck list crams them anyway)",
                                 id="done-buried")
        yield Footer()

    def check_action(self, action: str, parameters: tuple) -> bool:
        return action != "unbury" or bool(self.buried and self.buried.buried)

    def action_unbury(self) -> None:
        """Lift today's burials in this deck and go on studying it (they are in its queue again)."""
        count = unbury(self.session.store, self.session.clock(), self.session.deck)
        self.notify(f"unburied {count} card{'s' if count != 1 else ''}")
        self.app.study(self.session.deck, replace=True)

    def action_back(self) -> None:
        self.app.leave_screen()

    def action_stats(self) -> None:
        self.app.show_stats()
