"""The key list of whichever screen is showing (`?` everywhere), read from its active bindings."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

_KEY_NAMES = {"space": "space", "enter": "enter", "escape": "esc", "question_mark": "?", "up": "↑", "down": "↓",
              "pageup": "pgup", "pagedown": "pgdn"}


def key_label(keys: str) -> str:
    return " / ".join(_KEY_NAMES.get(k, k) for k in keys.split(","))


def _our_wording(node) -> dict[str, str]:
    """action -> words, for the bindings studyapp's own classes declare in ``node``'s ancestry
    (Textual's own tab, copy, ctrl+q ... are left out); the tooltip, where there is one, is the
    longer wording of the footer's short word."""
    wording: dict[str, str] = {}
    for cls in reversed(type(node).__mro__):
        if cls.__module__.startswith("studyapp."):
            for binding in cls.__dict__.get("BINDINGS", []):
                wording[binding.action] = binding.tooltip or binding.description
    return wording


def key_lines(screen: Screen) -> list[str]:
    """'   space / enter  Show answer / Good': each of our keys that works now on ``screen``: the
    screen's own first, then its widgets' (list movement), then the app's; one line per action."""
    groups: dict[tuple, tuple[int, list[str], str]] = {}
    wordings: dict[int, dict[str, str]] = {}
    for key, active in screen.active_bindings.items():
        node, action = active.node, active.binding.action
        words = wordings.setdefault(id(node), _our_wording(node)).get(action)
        if words:
            rank = 0 if node is screen else 2 if node is screen.app else 1
            groups.setdefault((rank, id(node), action), (rank, [], words))[1].append(key)
    ordered = sorted(groups.values(), key=lambda group: group[0])  # stable: binding order within a rank
    return [f"{key_label(','.join(keys)):>14}  {words}" for _, keys, words in ordered]


class HelpScreen(ModalScreen):
    """A modal listing keys; any of ?, q or escape closes it."""

    BINDINGS = [Binding("question_mark,q,escape", "dismiss", "Close")]

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static("Keys", id="help-title")
            yield Static("\n".join(self.lines), id="help-keys")
            yield Static("press ? or esc to close", id="help-close")
