"""The card browser (`b` on the deck list): search every card, sort, open one.

The search is the domain's (:mod:`studyapp.review.search`, the same as `studyapp cards
--search`); this screen asks for one page of rows at a time, so 100k cards cost one page.
Enter opens the card: its review history and what can be done to it (card.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from studyapp.errors import UserError
from studyapp.review.search import (
    SORTS,
    CardRow,
    CardSearch,
    compile_search,
    count_cards,
    search_cards,
)
from studyapp.review.settings import load_settings
from studyapp.store.tables import STATE_NAMES
from studyapp.tui.screens.card import CardScreen, toggle_suspension
from studyapp.tui.widgets.list_table import ListTable

PAGE = 100  # rows fetched at a time; the next page comes when the cursor nears the end
SORT_LABELS = {"notes": "notes order", "due": "due", "retrievability": "retrievability",
               "stability": "stability", "lapses": "lapses", "reviews": "reviews"}
# (key, header, width, sort it stands for, shown from this screen width on)
COLUMNS = [
    ("state", "State", 9, None, 100),
    ("deck", "Deck", 18, None, 130),
    ("due", "Due", 10, "due", 0),
    ("r", "R", 4, "retrievability", 0),
    ("s", "S", 6, "stability", 0),
    ("lapses", "Lapses", 6, "lapses", 0),
    ("reviews", "Reviews", 7, "reviews", 0),
]
PLACEHOLDER = "search: text deck:X tag:X is:due|new|suspended… prop:r<0.8 rated:7 (Enter)"


def state_label(row: CardRow, now: datetime) -> str:
    """'review', 'new', with what hides the card: 'review ⏸' suspended, '⤓' buried, '✗' removed."""
    card = row.card
    marks = ("✗" if card.removed else "") + ("⏸" if card.suspended else "") + \
        ("⤓" if card.buried_until and card.buried_until > now else "")
    return f"{STATE_NAMES[card.state]} {marks}".strip()


def cell_values(row: CardRow, now: datetime) -> dict[str, object]:
    card = row.card
    return {
        "state": state_label(row, now),
        "deck": card.deck.replace("::", "›"),
        "due": card.due.astimezone().strftime("%Y-%m-%d") if card.due else "—",
        "r": f"{row.retrievability:.0%}" if row.retrievability is not None else "—",
        "s": f"{card.stability:.1f}d" if card.stability is not None else "—",
        "lapses": card.lapses,
        "reviews": card.reps,
    }


class BrowserScreen(Screen):
    """Every card matching the search, one page at a time; Enter opens one."""

    CSS_PATH = "browser.tcss"
    AUTO_FOCUS = "#cards"  # focused before the first paint (a focus from on_mount would repaint every cell)
    BINDINGS = [
        Binding("enter", "open", "Open", priority=True, tooltip="Open the card: history, suspend, reset, edit, demo"),
        Binding("slash", "search", "Search", key_display="/", tooltip="Type a search (Enter runs it)"),
        Binding("o", "sort", "Sort", tooltip="Sort by the next column: notes, due, retrievability, stability, "
                                             "lapses, reviews"),
        Binding("O", "reverse", "Reverse", show=False, tooltip="Reverse the sort order"),
        Binding("s", "suspend", "Suspend", tooltip="Suspend / unsuspend the highlighted card"),
        Binding("q,escape", "back", "Back"),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.query_text = query
        self.sort = "notes"
        self.descending = False
        self.search: Optional[CardSearch] = None
        self.total: Optional[int] = None  # counted once the first page is on screen
        self.loaded = 0
        self.more = False  # the last page was full: there may be another
        self._drawn_width = 0
        self._card_opened = False

    def compose(self) -> ComposeResult:
        yield Static("Cards", id="cards-title")
        yield Input(self.query_text, placeholder=PLACEHOLDER, id="cards-search")
        yield Static(id="cards-status")
        yield ListTable(id="cards")
        yield Footer()

    def on_mount(self) -> None:
        self.run_search()
        self.query_one("#cards", ListTable).focus()

    def on_screen_resume(self) -> None:
        if self._card_opened:  # back from a card, which may have changed (on_mount drew the first page)
            self._card_opened = False
            self.reload()

    def on_resize(self) -> None:
        if self.size.width != self._drawn_width:  # the columns fit the width
            self.reload()

    # ------------------------------------------------------------ searching

    def run_search(self) -> None:
        """Compile the search box's text; show the first page (or say what is wrong)."""
        now = self.app.now()
        with self.app.store.session() as session:
            self.settings = load_settings(session)
        try:
            self.search = compile_search(self.query_text, now, self.settings)
        except UserError as exc:
            self.query_one("#cards-status", Static).update(f"⚠ {exc}")
            self.query_one("#cards-status").add_class("error")
            return
        self.query_one("#cards-status").remove_class("error")
        self.reload()

    def reload(self, keep: Optional[str] = None) -> None:
        """Draw the first page again (after a sort, a resize, a change), cursor on ``keep`` or its card."""
        if self.search is None:
            return
        table = self.query_one("#cards", ListTable)
        keep = keep or self.selected_id()
        self._set_columns(table)
        self.loaded, self.total = 0, None
        self._load_page(self.app.now())
        if keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))
        self._show_status()
        self.call_after_refresh(self._count)  # the page first, the count (a full scan) after

    def _count(self) -> None:
        if self.search is not None:
            with self.app.store.session() as session:
                self.total = count_cards(session, self.search)
            self._show_status()

    def _load_page(self, now: datetime) -> None:
        table = self.query_one("#cards", ListTable)
        with self.app.store.session() as session:
            rows = search_cards(session, self.search, self.settings, now, sort=self.sort,
                                descending=self.descending, limit=PAGE, offset=self.loaded)
        front_width = self._front_width()
        shown = [key for key, *_ in self._columns()]
        for row in rows:
            values = cell_values(row, now)
            front = Text(" ".join(row.card.front.split()), no_wrap=True, overflow="ellipsis")
            front.truncate(front_width, overflow="ellipsis")
            table.add_row(front, *(values[key] for key in shown), key=row.card.id)
        self.loaded += len(rows)
        self.more = len(rows) == PAGE

    def _columns(self) -> list[tuple]:
        return [column for column in COLUMNS if self.size.width >= column[4]]

    def _front_width(self) -> int:
        others = sum(width + 2 for _, _, width, _, _ in self._columns())
        return max(16, self.size.width - others - 6)  # its padding, the scrollbar, a spare column

    def _set_columns(self, table: DataTable) -> None:
        self._drawn_width = self.size.width
        table.clear(columns=True)
        table.add_column("Front", key="front", width=self._front_width())
        for key, header, width, sort, _ in self._columns():
            arrow = (" ↓" if self.descending else " ↑") if sort == self.sort else ""
            table.add_column(header + arrow, key=key, width=width)

    def _show_status(self) -> None:
        order = SORT_LABELS[self.sort] + (", reversed" if self.descending else "")
        query = f"“{self.query_text}”" if self.query_text.strip() else "all cards"
        if self.total is None:
            found = f"{self.loaded}{'+' if self.more else ''} cards"
        else:
            found = f"{self.total:,} card{'' if self.total == 1 else 's'}"
        self.query_one("#cards-status", Static).update(f"{found} · {query} · sorted by {order}")

    def selected_id(self) -> Optional[str]:
        table = self.query_one("#cards", ListTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(Input.Submitted, "#cards-search")
    def _submitted(self, event: Input.Submitted) -> None:
        self.query_text = event.value
        self.run_search()
        self.query_one("#cards", ListTable).focus()

    @on(DataTable.RowHighlighted, "#cards")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        table = event.data_table
        if event.cursor_row >= table.row_count - 5 and self.more:
            self._load_page(self.app.now())

    @on(DataTable.HeaderSelected, "#cards")
    def _header_clicked(self, event: DataTable.HeaderSelected) -> None:
        sort = next((column[3] for column in COLUMNS if column[0] == event.column_key.value), None)
        if sort is not None:
            self.descending = not self.descending if sort == self.sort else False
            self.sort = sort
            self.reload()

    @on(DataTable.RowSelected, "#cards")
    def _clicked(self, event: DataTable.RowSelected) -> None:
        self.action_open()  # a click on the highlighted row

    # ------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple) -> Optional[bool]:
        if action == "open" and self.query_one("#cards-search", Input).has_focus:
            return False  # Enter in the search box runs the search
        return True

    def action_open(self) -> None:
        card_id = self.selected_id()
        if card_id is not None:
            self._card_opened = True
            self.app.push_screen(CardScreen(card_id))

    def action_search(self) -> None:
        self.query_one("#cards-search", Input).focus()

    def action_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.descending = False
        self.reload()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.reload()

    def action_suspend(self) -> None:
        card_id = self.selected_id()
        if card_id is None:
            return
        self.notify(toggle_suspension(self.app.store, card_id))
        self.reload(keep=card_id)

    def action_back(self) -> None:
        search = self.query_one("#cards-search", Input)
        if search.has_focus:  # Esc leaves the search box first
            self.query_one("#cards", ListTable).focus()
        else:
            self.app.pop_screen()

