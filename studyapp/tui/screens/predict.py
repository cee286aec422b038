"""Predict, then run: the demo's question about its outcome, answered before the run starts."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from studyapp.runner.catalog import Prediction


class PredictScreen(ModalScreen[str | None]):
    """Shows the question and its choices; a choice's key answers it, esc runs without a prediction.

    Dismissed with the chosen key, or None when skipped.
    """

    CSS_PATH = "demo.tcss"
    BINDINGS = [Binding("escape", "skip", "Run without predicting")]

    def __init__(self, title: str, prediction: Prediction) -> None:
        super().__init__()
        self.title_text = title
        self.prediction = prediction

    def compose(self) -> ComposeResult:
        choices = "\n".join(f"  {key})  {text}" for key, text in self.prediction.choices)
        keys = ", ".join(self.prediction.keys)
        with Vertical(id="predict-box"):
            yield Static(f"Predict, then run: {self.title_text}", id="predict-title")
            yield Static(self.prediction.question, id="predict-question")
            yield Static(choices, id="predict-choices")
            yield Static(f"press {keys} to answer and run · esc: run without predicting", id="predict-hint")

    def on_key(self, event: events.Key) -> None:
        if event.character in self.prediction.keys:
            event.stop()
            self.dismiss(event.character)

    def action_skip(self) -> None:
        self.dismiss(None)
