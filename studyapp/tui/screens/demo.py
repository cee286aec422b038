"""The demo panel: run a card's demo live, then show the verdict, its metrics and a plot.

The demo runs in its own process (:mod:`studyapp.runner.process`), followed from a thread
worker whose events are handed to the UI with ``call_from_thread``; this process never
imports torch. Closing the panel pops it off the review screen, which is left untouched,
so reviewing goes on with the same card in the same state.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Optional

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, ProgressBar, RichLog, Static
from textual.worker import get_current_worker

from studyapp.errors import UserError
from studyapp.runner.catalog import get_demo
from studyapp.runner.process import DemoProcess, RunEvent, RunOutcome, RunRequest, latest_runs, run_demo
from studyapp.tui.screens.predict import PredictScreen
from studyapp.tui.widgets.legend import SERIES_COLOURS, legend_text

RUNS_SHOWN = 5
LOG_LINES = 500


class DemoScreen(Screen):
    """One demo of a card (``n`` steps through the card's others): claim, live log, verdict, plot."""

    CSS_PATH = "demo.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),  # while running; otherwise Esc falls through to close
        Binding("q,escape", "close", "Back"),
        Binding("r", "rerun", "Run again"),
        Binding("t", "rerun_longer", "Longer limit", tooltip="Run again with twice the time limit"),
        Binding("n", "next_demo", "Next demo"),
    ]

    def __init__(self, demo_ids: list[str], card_id: Optional[str] = None) -> None:
        super().__init__()
        self.demo_ids = demo_ids
        self.card_id = card_id
        self.demo_id = demo_ids[0]
        self.time_limit: Optional[float] = None  # None: the default for the mode; `t` doubles it
        self.prediction: Optional[str] = None  # the learner's answer to the demo's question, for this run
        self.running = False
        self.outcome: Optional[RunOutcome] = None
        self.metrics: dict = {}  # the last run's, drawn again at each width
        self._process: Optional[DemoProcess] = None
        self._cancel_requested = False
        self._log_lines: deque[str] = deque(maxlen=LOG_LINES)  # kept to wrap them anew when the log changes width

    def compose(self) -> ComposeResult:
        yield Static(id="demo-title")
        yield Static(id="demo-claim")
        with Horizontal(id="demo-bar"):
            yield ProgressBar(total=100, show_eta=False, id="demo-progress")
            yield Static(id="demo-status")
        yield Static(id="demo-detail")
        yield Static(id="demo-prediction")
        with Horizontal(id="demo-body"):
            with Vertical(id="demo-left"):
                yield RichLog(id="demo-log", wrap=True, min_width=20, max_lines=LOG_LINES)
                with VerticalScroll(id="demo-metrics-box"):  # scrolls when the terminal is short
                    yield Static(id="demo-metrics")
            yield Vertical(id="demo-plot-slot")
        yield Static("Last runs of this demo", id="demo-runs-title")
        yield DataTable(id="demo-runs", cursor_type="none", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#demo-runs", DataTable)
        for label, key in (("When", "when"), ("Device", "device"), ("Seed", "seed"), ("Mode", "mode"),
                           ("Seconds", "seconds"), ("Verdict", "verdict")):
            table.add_column(label, key=key)
        self.ask_then_run()

    def on_unmount(self) -> None:
        # a closed panel (or a quitting app) must not leave the demo running
        self._cancel()

    # ------------------------------------------------------------ running

    def ask_then_run(self) -> None:
        """Predict, then run: a demo that asks a question gets the learner's answer first."""
        try:
            info = get_demo(self.demo_id)
        except UserError:
            info = None  # start_run says what is wrong
        if info is None or info.predict is None:
            self.start_run()
            return
        self.query_one("#demo-title", Static).update(f"▶ {info.title}  ({info.id})")
        self._set_status("your prediction first…", "running")
        self.app.push_screen(PredictScreen(info.title, info.predict), callback=self.start_run)

    def start_run(self, prediction: Optional[str] = None) -> None:
        """Reset the panel and run the current demo (device auto, the default threads, ``time_limit``)."""
        try:
            info = get_demo(self.demo_id)
        except UserError as exc:  # the card links a demo whose file has gone since the import
            self.query_one("#demo-title", Static).update(f"▶ {self.demo_id}")
            self._set_status(f"error: {exc}", "fails")
            return
        self.query_one("#demo-title", Static).update(f"▶ {info.title}  ({info.id})")
        self.query_one("#demo-claim", Static).update(f"Claim: {info.claim}")
        self._log_lines.clear()
        self.query_one("#demo-log", RichLog).clear()
        self._log("       starting the demo (loading torch)…")
        self.query_one("#demo-progress", ProgressBar).update(progress=0)
        self.query_one("#demo-detail", Static).update("")
        self.prediction = prediction
        self._set_prediction_line(f"Your prediction: {prediction}) {info.predict.text_of(prediction)}"
                                  if prediction else "")
        self.metrics = {}
        self.query_one("#demo-metrics", Static).update("")
        self.query_one("#demo-plot-slot").remove_children()
        self.query_one("#demo-body").remove_class("with-plot")  # the log takes the whole width until a plot comes
        request = RunRequest(demo_id=info.id, device="auto", card_id=self.card_id, timeout=self.time_limit,
                             prediction=prediction)
        self._set_status(f"running… (limit {request.time_limit:g} s, esc cancels)", "running")
        self.outcome, self._process, self._cancel_requested = None, None, False
        self.running = True
        self.refresh_bindings()
        self._show_runs()
        self._run(request)

    @work(thread=True, exclusive=True, group="demo-run")
    def _run(self, request: RunRequest) -> None:
        outcome = run_demo(request, on_event=lambda event: self._post(self._show_event, event),
                           store=self.app.store, process_ready=self._process_ready)
        self._post(self._finish, outcome)

    def _post(self, callback, *args) -> None:
        # once the panel is gone its worker is cancelled: nothing is left to draw on
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(callback, *args)

    def _process_ready(self, process: DemoProcess) -> None:
        self._process = process
        if self._cancel_requested:  # Esc came before the process existed
            process.cancel()

    def _cancel(self) -> None:
        self._cancel_requested = True
        if self._process is not None:
            self._process.cancel()

    def _show_event(self, event: RunEvent) -> None:
        if event.kind == "progress":
            self.query_one("#demo-progress", ProgressBar).update(progress=100 * event.fraction)
            self._log(f"[{event.fraction:4.0%}] {event.message}")
        elif event.kind == "output":
            self._log(f"       {event.message}")
        elif event.kind == "start":
            self._log(f"       running on {event.data.get('device')}")

    def _finish(self, outcome: RunOutcome) -> None:
        self.running, self.outcome = False, outcome
        self.refresh_bindings()
        if outcome.status in ("ok", "failed"):
            self.query_one("#demo-progress", ProgressBar).update(progress=100)
            holds = bool(outcome.claim_holds)
            self._set_status("✓ the claim holds" if holds else "✗ the claim does not hold",
                             "holds" if holds else "fails")
            self.query_one("#demo-detail", Static).update(
                f"{outcome.device} · seed {outcome.request.seed} · {outcome.request.mode} · {outcome.seconds:.2f} s")
            self._show_prediction(outcome)
            self.metrics = outcome.result.get("metrics", {})
            self._show_metrics()
            self._show_plot(outcome.result)
            self.call_after_refresh(self._show_metrics)  # at the width the plot leaves it
        else:
            first, _, tail = outcome.error.partition("\n")
            stopped = outcome.status in ("cancelled", "timeout")  # the error says which: "cancelled", "timed out…"
            if outcome.status == "timeout":
                longer = outcome.request.with_longer_limit().time_limit
                first += f" (a busy machine slows demos) · t: run again with {longer:g} s"
            self._set_status(first if stopped else f"error: {first}", "stopped" if stopped else "fails")
            for line in tail.splitlines():
                self._log(line)
        if outcome.record_error:
            self._log(f"not recorded: {outcome.record_error}")
        self._show_runs()

    # ------------------------------------------------------------ drawing

    def _log(self, line: str) -> None:
        self._log_lines.append(line)
        self.query_one("#demo-log", RichLog).write(line)

    def _rewrap_log(self) -> None:
        """Write the log again at its new width (RichLog wraps once, when a line is written)."""
        log = self.query_one("#demo-log", RichLog).clear()
        for line in self._log_lines:
            log.write(line)
        log.scroll_end(animate=False)

    def _set_status(self, text: str, state: str) -> None:
        status = self.query_one("#demo-status", Static)
        status.update(text)
        status.set_classes(state)

    def _show_prediction(self, outcome: RunOutcome) -> None:
        """The measured answer beside the learner's prediction (demos with a question only)."""
        info = get_demo(self.demo_id)
        if info.predict is None or outcome.answer is None:
            return
        measured = f"the numbers say {outcome.answer}) {info.predict.text_of(outcome.answer)}"
        if self.prediction is None:
            line = f"You did not predict; {measured}"
        elif outcome.prediction_right:
            line = f"✓ Your prediction {self.prediction}) was right: {measured}"
        else:
            line = f"✗ You predicted {self.prediction}) {info.predict.text_of(self.prediction)}; {measured}"
        self._set_prediction_line(line)

    def _set_prediction_line(self, text: str) -> None:
        line = self.query_one("#demo-prediction", Static)
        line.update(text)
        line.set_class(bool(text), "shown")

    def _show_plot(self, result: dict) -> None:
        if not result.get("series"):
            return
        from textual_plotext import PlotextPlot  # plotting is only paid for when a plot is shown

        plot = PlotextPlot(id="demo-plot")
        legend = Static(id="demo-legend")  # below the plot, not over its lines
        self.query_one("#demo-plot-slot").mount(plot, legend)
        self.query_one("#demo-body").add_class("with-plot")
        self.call_after_refresh(self._rewrap_log)
        legend.update(legend_text(draw_series(plot.plt, result)))

    def _show_metrics(self) -> None:
        """The metrics in as many columns as the box is wide (again after a resize)."""
        metrics = self.query_one("#demo-metrics", Static)
        metrics.update(format_metrics(self.metrics, metrics.content_size.width))

    def on_resize(self) -> None:
        if self.metrics:
            self.call_after_refresh(self._show_metrics)

    def _show_runs(self) -> None:
        table = self.query_one("#demo-runs", DataTable)
        table.clear()
        with self.app.store.session() as session:
            runs = latest_runs(session, self.demo_id, RUNS_SHOWN)
        for run in runs:
            table.add_row(run.started_at.astimezone().strftime("%Y-%m-%d %H:%M"), run.device or "-", run.seed,
                          run.mode, f"{run.seconds:.1f}", verdict_label(run.status))

    # ------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple) -> Optional[bool]:
        if action == "cancel":
            return self.running
        if action in ("rerun", "rerun_longer"):
            return not self.running
        if action == "next_demo":
            return len(self.demo_ids) > 1 and not self.running
        return True

    def action_cancel(self) -> None:
        """Esc while running: stop the demo and keep the panel open (a second Esc closes it)."""
        self._cancel()
        self._set_status("cancelling…", "stopped")

    def action_close(self) -> None:
        self.app.pop_screen()  # unmounting cancels a run still going

    def action_rerun(self) -> None:
        if not self.running:
            self.ask_then_run()

    def action_rerun_longer(self) -> None:
        """Run again with twice the limit of the last run (a timeout's status line offers it)."""
        if self.running:
            return
        last = self.outcome.request if self.outcome else RunRequest(self.demo_id, timeout=self.time_limit)
        self.time_limit = last.with_longer_limit().time_limit
        self.start_run(self.prediction)  # the same question, already answered

    def action_next_demo(self) -> None:
        if self.running:
            return
        self.demo_id = self.demo_ids[(self.demo_ids.index(self.demo_id) + 1) % len(self.demo_ids)]
        self.ask_then_run()


def verdict_label(status: str) -> str:
    """A stored run's status as the runs table shows it."""
    return {"ok": "✓ holds", "failed": "✗ does not hold"}.get(status, status)


def format_metrics(metrics: dict, width: int = 0) -> str:
    """The metrics, numbers to four significant digits (NaN arrives as text): one a line, or in
    columns (read down, then across) when ``width`` has room for more than one."""
    name_width = max((len(name) for name in metrics), default=0)
    cells = [f"{name:<{name_width}}  {value:.4g}" if isinstance(value, float) else f"{name:<{name_width}}  {value}"
             for name, value in metrics.items()]
    cell_width = max((len(cell) for cell in cells), default=0) + 4
    columns = max(1, min(len(cells), (width + 4) // cell_width)) if width else 1
    rows = -(-len(cells) // columns) if cells else 0
    return "\n".join("".join(f"{cells[i]:<{cell_width}}" for i in range(row, len(cells), rows)).rstrip()
                     for row in range(rows))


def draw_series(plt, result: dict) -> list[tuple[str, str]]:
    """Plot every series against its step; points a log axis cannot show (<= 0, NaN) are left out.
    Returns (label, colour) of each line drawn: the legend goes beside the plot (legend_text),
    since plotext draws its own over the top-left of the data."""
    log_y = bool(result.get("log_y"))
    shown: list[float] = []
    drawn: list[tuple[str, str]] = []
    for label, values in result["series"].items():
        points = [(x, float(y)) for x, y in enumerate(values) if _plottable(y, log_y)]
        if points:
            xs, ys = zip(*points)
            colour = SERIES_COLOURS[len(drawn) % len(SERIES_COLOURS)]
            plt.plot(list(xs), list(ys), color=colour, marker="braille")
            drawn.append((label, colour))
            shown += ys
    if log_y:
        plt.yscale("log")
        if shown:
            plt.yticks(*decade_ticks(min(shown), max(shown)))
    plt.xlabel(result.get("x_label") or "step")
    plt.ylabel(result.get("y_label") or "")
    return drawn


def decade_ticks(low: float, high: float, most: int = 6) -> tuple[list[float], list[str]]:
    """Ticks for a log axis: powers of ten covering [low, high], labelled 1e-16 ... 0.01 ... 1000
    (plotext would print 0.00000000000000007), every decade or every few so at most ``most``."""
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    step = max(1, math.ceil((last - first) / (most - 1)))
    exponents = range(last, first - step, -step)[::-1]  # counted down from the top so the top is a tick
    return [10.0 ** k for k in exponents], [f"{10.0 ** k:g}" if -3 <= k <= 3 else f"1e{k}" for k in exponents]


def _plottable(value, log_y: bool) -> bool:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    return math.isfinite(number) and (number > 0 or not log_y)
