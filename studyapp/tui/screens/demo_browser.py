"""The demo browser: every demo in the catalog with the number of cards linking it."""

from __future__ import annotations

from sqlmodel import func, select
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from studyapp.runner.catalog import catalog
from studyapp.store.tables import Card, CardDemo
from studyapp.tui.widgets.list_table import ListTable


class DemoBrowserScreen(Screen):
    """Pick a demo: the highlighted one's claim is shown below the list; Enter runs it."""

    CSS_PATH = "demo.tcss"
    BINDINGS = [
        Binding("enter", "open", "Run", priority=True),  # before the table's own Enter, so the footer names it
        Binding("q,escape", "back", "Back"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("Demos — runnable answers (Enter runs one)", id="browser-title")
        yield ListTable(id="demos")
        yield Static(id="browser-claim")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#demos", DataTable)
        table.add_column("Demo", key="id")
        table.add_column("Title", key="title")
        table.add_column("Cards", key="cards", width=6)
        with self.app.store.session() as session:
            counts = session.exec(
                select(CardDemo.demo_id, func.count()).join(Card, Card.id == CardDemo.card_id)
                .where(Card.removed == False).group_by(CardDemo.demo_id))  # noqa: E712
            linked = {demo_id: count for demo_id, count in counts}
        for info in catalog().values():
            table.add_row(info.id, info.title, linked.get(info.id, 0), key=info.id)

    def _selected(self) -> str:
        table = self.query_one("#demos", DataTable)
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        info = catalog()[event.row_key.value]
        self.query_one("#browser-claim", Static).update(f"Claim: {info.claim}")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()  # a click on the highlighted row

    def action_open(self) -> None:
        from studyapp.tui.screens.demo import DemoScreen

        self.app.push_screen(DemoScreen([self._selected()]))

    def action_back(self) -> None:
        self.app.pop_screen()
