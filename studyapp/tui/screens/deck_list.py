"""The deck list: the heading tree of the notes with new / learning / due counts per deck."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from studyapp.review.buried import buried_today, unbury
from studyapp.review.queue import build_queue, deck_counts
from studyapp.review.settings import load_settings
from studyapp.tui.widgets.list_table import ListTable

ALL_DECKS = ""  # row key of the "all decks" row


class DeckListScreen(Screen):
    """Pick a deck: Enter studies it, c crams it."""

    BINDINGS = [
        Binding("enter", "study", "Study", priority=True),  # before the table's own Enter, so the footer names it
        Binding("c", "cram", "Cram"),
        # not in the footer (every key there fits 80 columns): the buried line names it when it can act
        Binding("U", "unbury", "Unbury", show=False, tooltip="Unbury the selected deck's buried siblings"),
        Binding("S", "stats", "Stats"),
        Binding("D", "demos", "Demos"),
        Binding("b", "browse", "Browse", tooltip="Browse and search the cards (the selected deck)"),
        Binding("i", "readiness", "Interview", tooltip="readiness for the interview day (the selected deck)"),
        Binding("m", "mock", "Mock", tooltip="mock interview on the selected deck"),
        Binding("q,escape", "quit", "Quit"),
    ]

    unburiable = 0  # cards buried by an answered sibling, in every deck (what U can bring back)

    def compose(self) -> ComposeResult:
        yield Static("Decks — today's cards (new · learning · due)", id="deck-title")
        yield ListTable(id="decks")
        yield Static("", id="buried")  # siblings buried today, and how to study them anyway
        yield Footer(compact=True)  # every key of this busy screen fits in 80 columns

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Deck", key="deck")
        for name in ("New", "Learning", "Due"):
            table.add_column(name, key=name.lower(), width=8)
        self.refresh_counts()

    def on_screen_resume(self) -> None:
        self.refresh_counts()

    def refresh_counts(self) -> None:
        """Recount (after a review the numbers have changed) and keep the cursor on its deck."""
        table = self.query_one(DataTable)
        selected = self._selected_deck() if table.row_count else ALL_DECKS
        store, now = self.app.store, self.app.now()
        with store.session() as session:
            settings = load_settings(session)
            nodes = deck_counts(session, settings, now)
            whole = build_queue(session, settings, now)
            buried = buried_today(session, settings, now)
        table.clear()
        table.add_row("All decks", len(whole.new), len(whole.learning) + len(whole.learning_ahead),
                      len(whole.review), key=ALL_DECKS)
        for node in nodes:
            table.add_row("  " * (node.depth + 1) + node.name, node.new, node.learning, node.due, key=node.path)
        table.move_cursor(row=table.get_row_index(selected) if selected in table.rows else 0)
        line = self.query_one("#buried", Static)
        unbury_hint = f", U unburies {buried.buried}" if buried.buried else ""
        line.update(f"{buried.describe()} (c crams the deck to study them anyway{unbury_hint})" if buried.total else "")
        line.display = bool(buried.total)
        self.unburiable = buried.buried
        self.refresh_bindings()

    def _selected_deck(self) -> str:
        table = self.query_one(DataTable)
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def check_action(self, action: str, parameters: tuple) -> bool:
        return action != "unbury" or self.unburiable > 0  # `?` lists U only when it can do something

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_study()  # a click on the highlighted row

    def action_study(self) -> None:
        self.app.study(self._selected_deck() or None)

    def action_cram(self) -> None:
        self.app.study(self._selected_deck() or None, cram=True)

    def action_unbury(self) -> None:
        """Anki's "unbury": today's burials in the selected deck lifted; they are in its queue again."""
        count = unbury(self.app.store, self.app.now(), self._selected_deck() or None)
        self.notify(f"unburied {count} card{'s' if count != 1 else ''}" if count else
                    "nothing buried in this deck (the buried siblings are in another)")
        self.refresh_counts()

    def action_stats(self) -> None:
        self.app.show_stats()

    def action_browse(self) -> None:
        from studyapp.tui.screens.browser import BrowserScreen

        deck = self._selected_deck()
        self.app.push_screen(BrowserScreen(f'deck:"{deck}"' if deck else ""))

    def action_demos(self) -> None:
        from studyapp.tui.screens.demo_browser import DemoBrowserScreen

        self.app.push_screen(DemoBrowserScreen())

    def action_readiness(self) -> None:
        from studyapp.tui.screens.readiness import ReadinessScreen

        self.app.push_screen(ReadinessScreen(self._selected_deck() or None))

    def action_mock(self) -> None:
        self.app.mock_interview(self._selected_deck() or None)

    def action_quit(self) -> None:
        self.app.exit()
