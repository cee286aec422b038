"""``StudyApp``: the Textual application that hosts the deck list and the review screens.

The app owns the database handle and the clock (shifted when ``--now`` is given, so a
simulated moment keeps ticking); screens ask it for both. Screens are imported when first
shown, so starting straight into a review does not pay for the stats charts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from textual.app import App
from textual.binding import Binding

from studyapp.store.database import Store
from studyapp.store.tables import utcnow
from studyapp.tui import wide_chars


class StudyApp(App):
    """Deck list first (``studyapp``), or straight into cards (``studyapp review``)."""

    CSS_PATH = "studyapp.tcss"
    TITLE = "studyapp"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("question_mark", "help", "Keys", tooltip="List the keys of this screen")]

    def __init__(self, store: Store, *, clock_offset: Optional[timedelta] = None, deck: Optional[str] = None,
                 cram: bool = False, straight_to_review: bool = False,
                 mock: Optional[tuple[int, float]] = None) -> None:
        super().__init__()
        self.start_mock = mock  # (questions, minutes): open straight into a mock interview
        wide_chars.install()  # CJK text intact in notices drawn over other widgets
        self.store = store
        self.clock_offset = clock_offset or timedelta(0)
        self.start_deck = deck
        self.start_cram = cram
        self.straight_to_review = straight_to_review

    def now(self) -> datetime:
        """The current moment in UTC (shifted by --now)."""
        return utcnow() + self.clock_offset

    def on_mount(self) -> None:
        if self.start_mock:
            self.mock_interview(self.start_deck, *self.start_mock)
        elif self.straight_to_review:
            self.study(self.start_deck, cram=self.start_cram)
        else:
            from studyapp.tui.screens.deck_list import DeckListScreen

            self.push_screen(DeckListScreen())

    def study(self, deck: Optional[str], cram: bool = False, replace: bool = False) -> None:
        """Open the review screen on ``deck`` (None: every deck), over this screen or ``replace``-ing it."""
        from studyapp.review.session import ReviewSession
        from studyapp.tui.screens.review import ReviewScreen

        session = ReviewSession(self.store, self.now, deck=deck, cram=cram)
        (self.switch_screen if replace else self.push_screen)(ReviewScreen(session))

    def mock_interview(self, deck: Optional[str], questions: Optional[int] = None,
                       minutes: Optional[float] = None) -> None:
        """Open a mock interview on ``deck`` (None: every deck)."""
        from studyapp.review.mock import DEFAULT_MINUTES, DEFAULT_QUESTIONS, MockSession
        from studyapp.tui.screens.mock import MockScreen

        session = MockSession(self.store, self.now, deck=deck, questions=questions or DEFAULT_QUESTIONS,
                              minutes=minutes or DEFAULT_MINUTES)
        self.push_screen(MockScreen(session))

    def leave_screen(self) -> None:
        """Back to the previous screen, or quit when there is none (``studyapp review``)."""
        if len(self.screen_stack) <= 2:
            self.exit()
        else:
            self.pop_screen()

    def action_help(self) -> None:
        """`?` on every screen: the keys that work there now."""
        from studyapp.tui.screens.help import HelpScreen, key_lines

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(key_lines(self.screen)))

    def show_stats(self) -> None:
        from studyapp.tui.screens.stats import StatsScreen

        self.push_screen(StatsScreen())
