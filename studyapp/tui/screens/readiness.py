"""The readiness screen (``i`` on the deck list): recall per topic on the interview day, the plan."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual_plotext import PlotextPlot

from studyapp.errors import UserError
from studyapp.review.interview_plan import plan_for, recall_curve
from studyapp.review.readiness import compute_readiness, interview_day, live_cards, parse_day
from studyapp.review.settings import load_settings, set_setting
from studyapp.tui.widgets.legend import SERIES_COLOURS, legend_text

BAR_WIDTH = 24


def recall_bar(share: float, width: int = BAR_WIDTH) -> Text:
    """A bar of ``width`` cells, filled to ``share`` (eighths of a cell for the edge)."""
    eighths = round(max(0.0, min(1.0, share)) * width * 8)
    full, part = divmod(eighths, 8)
    bar = "█" * full + ("▏▎▍▌▋▊▉"[part - 1] if part else "")
    return Text(bar.ljust(width, "·"), style="green" if share >= 0.9 else "yellow" if share >= 0.6 else "red")


class ReadinessScreen(Screen):
    """How ready each topic will be on the interview day, today's plan, and recall until then."""

    CSS_PATH = "readiness.tcss"
    BINDINGS = [
        Binding("d", "edit_date", "Date", tooltip="set the interview date"),
        Binding("q,escape", "back", "Back"),
        Binding("f1", "app.help", "Keys", show=False, tooltip="List the keys of this screen (also while typing a date)"),
    ]

    def __init__(self, deck: str | None = None) -> None:
        super().__init__()
        self.deck = deck

    def compose(self) -> ComposeResult:
        yield Static(id="readiness-title")
        yield Input(placeholder="interview date, e.g. 2026-04-01 (Enter to save)", id="readiness-date", disabled=True)
        with VerticalScroll(id="readiness-body"):
            yield Static(id="readiness-topics")
            yield Static(id="readiness-plan")
            yield PlotextPlot(id="readiness-plot")
            yield Static(id="readiness-legend")  # below the plot, not over its lines
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_readiness()

    def refresh_readiness(self) -> None:
        """Recompute everything from the database and the interview_date setting."""
        store, now = self.app.store, self.app.now()
        with store.session() as session:
            settings = load_settings(session)
            try:
                day = interview_day(settings, None, now)
            except UserError as exc:
                self._no_day(str(exc))
                return
            cards = live_cards(session, self.deck)
            ready = compute_readiness(cards, settings, day, now)
            plan = plan_for(session, cards, settings, day, now)
        field = self.query_one("#readiness-date", Input)
        field.display, field.disabled = False, True  # a hidden field must not take the keys
        self.query_one("#readiness-body").display = True
        left = ready.days_left
        mode = "interview mode on" if settings.interview_mode else "interview mode off"
        self.query_one("#readiness-title", Static).update(
            f"Interview {day.isoformat()} · {left} day{'s' if left != 1 else ''} left · target "
            f"{ready.target:.0%} · {mode}")
        table = Table(box=None, pad_edge=False, expand=False)
        table.add_column("Topic")
        table.add_column("Recall on the day", no_wrap=True)
        table.add_column("", justify="right")
        table.add_column("Ready", justify="right")
        for topic in ready.topics + (ready.overall,):
            table.add_row(topic.deck or Text("All topics", style="bold"), recall_bar(topic.mean_recall),
                          f"{topic.mean_recall:.0%}", f"{round(topic.ready_share * topic.cards)}/{topic.cards}")
        self.query_one("#readiness-topics", Static).update(table)
        self.query_one("#readiness-plan", Static).update(self._plan_text(plan, ready.target))
        self._draw_curve(recall_curve(cards, plan, settings, day, now), ready.target)

    def _plan_text(self, plan, target: float) -> str:
        if plan.too_far or not plan.days:
            return "Today's plan: nothing to plan " + ("yet (more than 400 days away)" if plan.too_far else "today")
        today = plan.days[0]
        lines = [f"Today's plan: {today.reviews} reviews ({today.new} new) · about {today.minutes:.0f} min",
                 f"To the day: {plan.total_reviews} reviews · {plan.total_minutes:.0f} min "
                 f"({plan.seconds_per_review:.0f} s a review)"]
        if plan.not_ready:
            lines.append(f"{plan.not_ready} of {plan.cards} cards would still be below {target:.0%}")
        return "\n".join(lines)

    def _draw_curve(self, curves: tuple[list[float], list[float]], target: float) -> None:
        stopped, planned = curves
        plt = self.query_one("#readiness-plot", PlotextPlot).plt
        plt.clear_figure()
        days = list(range(len(stopped)))
        lines = [("with the plan", planned, SERIES_COLOURS[0]), ("if you stop now", stopped, SERIES_COLOURS[1])]
        for _, recall, colour in lines:
            plt.plot(days, [100 * r for r in recall], color=colour, marker="braille")
        plt.hline(100 * target, color="white")
        plt.ylim(0, 100)
        plt.yticks([0, 25, 50, 75, 100])
        plt.xlim(0, max(1, days[-1]))
        plt.xticks(sorted({0, days[-1], *range(0, days[-1], max(1, days[-1] // 6))}))
        plt.title("Predicted overall recall (%) until the interview")
        plt.xlabel("days from today")
        self.query_one("#readiness-plot", PlotextPlot).refresh()
        drawn = [(label, colour) for label, _, colour in lines] + [(f"target {target:.0%}", "white")]
        self.query_one("#readiness-legend", Static).update(legend_text(drawn))

    def _no_day(self, message: str) -> None:
        self.query_one("#readiness-title", Static).update(f"{message}. Type the date below.")
        self.query_one("#readiness-body").display = False
        self.action_edit_date()

    def action_edit_date(self) -> None:
        field = self.query_one("#readiness-date", Input)
        field.display, field.disabled = True, False
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Store the typed date as the interview_date setting and show readiness for it."""
        try:
            day = parse_day(event.value)
            if day < self.app.now().astimezone().date():
                raise UserError(f"interview date {day.isoformat()} is in the past")
        except UserError as exc:
            self.query_one("#readiness-title", Static).update(str(exc))
            return
        with self.app.store.transaction() as session:
            set_setting(session, "interview_date", day.isoformat())
        event.input.value = ""
        self.refresh_readiness()

    def action_back(self) -> None:
        self.app.pop_screen()
