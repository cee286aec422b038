"""ListTable: a row-cursor DataTable that moves like a list: j/k, Home/End (first/last row)."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import DataTable


class ListTable(DataTable):
    """The lists of every screen (decks, demos, cards): ↑/↓ or j/k, Home/End, PgUp/PgDn, Enter."""

    # DataTable's Home/End scroll sideways; in a list of rows they mean the first and last row
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("home,g", "scroll_top", "First row", show=False),
        Binding("end,G", "scroll_bottom", "Last row", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
