"""The key list, generated from the bindings of the screen that opened it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

_KEY_NAMES = {"space": "space", "enter": "enter", "escape": "esc", "question_mark": "?"}


def key_label(keys: str) -> str:
    return " / ".join(_KEY_NAMES.get(k, k) for k in keys.split(","))


class HelpScreen(ModalScreen):
    """A modal listing keys; any of ?, q or escape closes it."""

    BINDINGS = [Binding("question_mark,q,escape", "dismiss", "Close")]

    def __init__(self, bindings: list[Binding]) -> None:
        super().__init__()
        self.bindings_shown = bindings

    def compose(self) -> ComposeResult:
        # the tooltip, where there is one, is the longer wording of the footer's short word
        lines = [f"{key_label(b.key):>14}  {b.tooltip or b.description}" for b in self.bindings_shown]
        with Vertical(id="help-box"):
            yield Static("Keys", id="help-title")
            yield Static("\n".join(lines), id="help-keys")
            yield Static("press ? or esc to close", id="help-close")
