"""CardBody: a card's front or back, wrapped CJK-aware at the width it is drawn at.

``render.CardText`` knows where lines may break; this widget asks it for the lines at the
widget's current width (again after a resize) and draws them as Textual ``Content``, so
colours and mouse selection work as in any ``Static``.
"""

from __future__ import annotations

from rich.text import Text
from textual.content import Content
from textual.css.styles import RulesMap
from textual.render import measure
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widgets import Static

from studyapp.tui.render import CardText


class _CardVisual(Visual):
    """A ``CardText`` broken into lines at the width it is drawn at (CJK-aware), then drawn as
    Textual ``Content``: same colours and mouse selection as plain text, re-wrapped on resize."""

    def __init__(self, widget: Static, card: CardText) -> None:
        self.widget = widget
        self.card = card
        self._wrapped: tuple[int, Content] | None = None

    def __str__(self) -> str:
        return str(self.card)

    def content_at(self, width: int) -> Content:
        if self._wrapped is None or self._wrapped[0] != width:
            console = self.widget.app.console
            lines = Text("\n").join(self.card.wrap(console, max(width, 1)))
            self._wrapped = (width, Content.from_rich_text(lines, console))
        return self._wrapped[1]

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self.content_at(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return measure(self.widget.app.console, self.card, container_width, container_width=container_width)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.content_at(width).get_height(rules, width)


class CardBody(Static):
    """A card's front or back: CJK-aware wrapping; ``str(render())`` is the card's plain text."""

    def render(self):
        content = self.content
        if not isinstance(content, CardText):
            return super().render()
        cached = getattr(self, "_card_visual", None)
        if cached is None or cached.card is not content:
            self._card_visual = cached = _CardVisual(self, content)
        return cached

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        visual = self._render()
        if isinstance(visual, _CardVisual) and visual._wrapped is not None:
            return selection.extract(str(visual._wrapped[1])), "\n"  # lines as wrapped on screen
        return super().get_selection(selection)
