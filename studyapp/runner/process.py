"""Run a demo in its own process and stream what it says; never import torch here.

The child (:mod:`studyapp.runner.child`) starts in a new session, so cancelling or timing
out kills its whole process group (data-loader workers and all). Its output is read without
blocking: once the child has exited, reading stops shortly after even if a process it left
behind still holds the pipe, so a timeout returns on time. Lines are read as events by
:mod:`studyapp.runner.events`; a malformed one makes the run an error. Every run, whatever
its end, becomes one ``DemoRun`` row when a store is given.
"""

from __future__ import annotations

import json
import os
import select as fd_select  # sqlmodel.select is the query builder
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Callable, Iterator

from sqlmodel import Session, select

from studyapp.runner.events import RunEvent, parse_line
from studyapp.store.database import Store, StoreError
from studyapp.store.tables import DemoRun, utcnow

DEFAULT_TIMEOUT = {"quick": 120.0, "full": 1800.0}
# Torch threads when the request names none. Measured (quick mode, 2-core box, seconds): one
# thread 1.9-11 s idle or beside a busy process; two/all threads 5-181 s, stalling whenever a
# core is taken. Full mode keeps torch's choice: it is meant for a GPU or a free machine.
DEFAULT_THREADS = {"quick": 1, "full": 0}
TIMEOUT_GROWTH = 2.0
KILL_GRACE_SECONDS = 2.0
TRACEBACK_TAIL_LINES = 12
POLL_SECONDS = 0.1
PIPE_GRACE_SECONDS = 0.5  # reading goes on this long after the child exits (its last lines)
MAX_LINE_BYTES = 1 << 20  # a longer line without a newline is cut and shown as output


@dataclass
class RunRequest:
    """What to run: ``device`` is auto | cpu | cuda | mps; ``threads`` None takes DEFAULT_THREADS[mode],
    0 leaves torch's default (every core)."""

    demo_id: str
    device: str = "auto"
    seed: int = 0
    mode: str = "quick"  # quick | full
    threads: int | None = None
    timeout: float | None = None  # seconds; None takes DEFAULT_TIMEOUT[mode]
    card_id: str | None = None
    prediction: str | None = None  # the learner's answer to the demo's PREDICT question, made before the run

    @property
    def time_limit(self) -> float:
        return self.timeout if self.timeout is not None else DEFAULT_TIMEOUT[self.mode]

    @property
    def thread_count(self) -> int:
        """Torch threads to ask for (0: torch's own choice)."""
        return self.threads if self.threads is not None else DEFAULT_THREADS[self.mode]

    def with_longer_limit(self) -> "RunRequest":
        """The same run with twice the time limit (what to try after a timeout on a busy machine)."""
        return replace(self, timeout=self.time_limit * TIMEOUT_GROWTH)


@dataclass
class RunOutcome:
    """How a run ended: status is ok | failed (claim did not hold) | error | timeout | cancelled."""

    request: RunRequest
    status: str
    result: dict = field(default_factory=dict)
    error: str = ""
    device: str = ""
    torch_version: str = ""
    seconds: float = 0.0
    started_at: object = None
    bad_request: bool = False
    record_error: str = ""  # why the run could not be recorded, if it could not
    threads: int | None = None  # torch's CPU thread count in the child, as it reported it

    @property
    def claim_holds(self) -> bool | None:
        return self.result.get("claim_holds") if self.result else None

    @property
    def answer(self) -> str | None:
        """The PREDICT choice the run's numbers made right (None: no question, or no result)."""
        answer = self.result.get("answer") if self.result else None
        return answer if isinstance(answer, str) else None

    @property
    def prediction_right(self) -> bool | None:
        """Whether the learner's prediction matched the measured answer (None if either is missing)."""
        if self.request.prediction is None or self.answer is None:
            return None
        return self.request.prediction == self.answer


class DemoProcess:
    """A running demo. Iterate ``events()`` (blocking) to follow it; ``cancel()`` from any thread."""

    def __init__(self, request: RunRequest):
        self.request = request
        self.started_at = utcnow()
        self._began = time.monotonic()
        self._stderr_tail: deque[str] = deque(maxlen=200)
        self._ended_by: str | None = None  # "timeout" | "cancelled"
        self._lock = threading.Lock()
        self._malformed: list[str] = []
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        threads = request.thread_count
        if threads > 0:
            env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = str(threads)
        command = [sys.executable, "-m", "studyapp.runner.child", request.demo_id, "--device", request.device,
                   "--seed", str(request.seed), "--mode", request.mode, "--threads", str(threads)]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                        start_new_session=True, env=env)
        self._stderr_reader = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_reader.start()
        self._watchdog = threading.Timer(request.time_limit, self._stop, args=("timeout",))
        self._watchdog.daemon = True
        self._watchdog.start()

    def _drain_stderr(self) -> None:
        for line in self.process.stderr:
            self._stderr_tail.append(line.decode("utf-8", "replace").rstrip("\n"))

    def _stop(self, reason: str) -> None:
        with self._lock:
            if self.process.poll() is not None or self._ended_by:
                return
            self._ended_by = reason
        _kill_group(self.process)

    def cancel(self) -> None:
        """Stop the run and every process it started."""
        self._stop("cancelled")

    def events(self) -> Iterator[RunEvent]:
        """Events as the child sends them; ends with its output, or just after the child exits."""
        for line in self._lines():
            event = parse_line(line)
            if event is None:
                continue
            if event.malformed:
                self._malformed.append(event.message)
            yield event

    def _lines(self) -> Iterator[str]:
        """The child's stdout, line by line, without ever blocking past the child's exit."""
        stream = self.process.stdout
        fd = stream.fileno()
        os.set_blocking(fd, False)
        pending = b""
        exited_at = None
        try:
            while True:
                ready, _, _ = fd_select.select([fd], [], [], POLL_SECONDS)
                chunk = None
                if ready:
                    try:
                        chunk = os.read(fd, 65536)
                    except BlockingIOError:
                        pass
                    if chunk == b"":  # every writer closed the pipe
                        break
                if chunk:
                    *lines, pending = (pending + chunk).split(b"\n")
                    for raw in lines:
                        yield raw.decode("utf-8", "replace")
                    if len(pending) > MAX_LINE_BYTES:
                        yield pending[:MAX_LINE_BYTES].decode("utf-8", "replace") + "…"
                        pending = b""
                if self.process.poll() is not None:
                    exited_at = exited_at or time.monotonic()
                    if time.monotonic() - exited_at > PIPE_GRACE_SECONDS:  # a leftover process holds the pipe
                        break
            if pending:
                yield pending.decode("utf-8", "replace")
        finally:
            stream.close()

    def outcome(self, events: list[RunEvent]) -> RunOutcome:
        """Wait for the child to exit and sum up the run from the events it sent."""
        self.process.wait()
        self._watchdog.cancel()
        self._stderr_reader.join(timeout=PIPE_GRACE_SECONDS)
        seconds = time.monotonic() - self._began
        start = next((e.data for e in events if e.kind == "start"), {})
        result = next((e.data for e in events if e.kind == "result"), None)
        error = next((e.data for e in events if e.kind == "error"), None)
        threads = start.get("threads")
        outcome = RunOutcome(self.request, status="error", device=start.get("device", ""),
                             torch_version=start.get("torch_version", ""), seconds=seconds,
                             started_at=self.started_at, threads=threads if isinstance(threads, int) else None)
        if self._ended_by:
            outcome.status = self._ended_by
            outcome.error = (f"timed out after {self.request.time_limit:g} s" if self._ended_by == "timeout"
                             else "cancelled")
        elif self._malformed:
            outcome.error = f"the demo sent a malformed event: {self._malformed[0]}"
        elif result is not None:
            outcome.result = result
            outcome.status = "ok" if result.get("claim_holds") else "failed"
            outcome.device, outcome.torch_version = result.get("device", ""), result.get("torch_version", "")
            outcome.seconds = float(result.get("seconds", seconds))
        elif error is not None:
            outcome.error = error.get("message", "demo failed")
            outcome.bad_request = bool(error.get("bad_request"))
            if error.get("traceback"):
                outcome.error += "\n" + _tail(error["traceback"])
        else:  # died without a word: killed, segfault, out of memory
            code = self.process.returncode
            tail = "\n".join(list(self._stderr_tail)[-TRACEBACK_TAIL_LINES:])
            outcome.error = f"demo process exited with code {code}" + (f"\n{tail}" if tail else "")
        return outcome


def _tail(text: str) -> str:
    return "\n".join(text.rstrip().splitlines()[-TRACEBACK_TAIL_LINES:])


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=KILL_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        pass
    try:  # the leader may be gone while its children linger: kill the group regardless
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_demo(request: RunRequest, on_event: Callable[[RunEvent], None] | None = None,
             store: Store | None = None, process_ready: Callable[[DemoProcess], None] | None = None) -> RunOutcome:
    """Run to the end, passing each event to ``on_event``; record the run if ``store`` is given.

    Whatever goes wrong with the demo comes back as the outcome, never as an exception,
    so a caller (a TUI worker) cannot be taken down by a demo.
    """
    try:
        process = DemoProcess(request)
    except OSError as exc:  # no interpreter to start, out of processes
        outcome = RunOutcome(request, status="error", error=f"cannot start the demo process: {exc}",
                             started_at=utcnow())
        _record_if_asked(store, outcome)
        return outcome
    if process_ready is not None:
        process_ready(process)
    events: list[RunEvent] = []
    try:
        for event in process.events():
            events.append(event)
            if on_event is not None:
                on_event(event)
    except BaseException:
        process.cancel()
        raise
    outcome = process.outcome(events)
    if not outcome.bad_request:  # a request that could not start (absent device) is no run
        _record_if_asked(store, outcome)
    return outcome


def _record_if_asked(store: Store | None, outcome: RunOutcome) -> None:
    if store is None:
        return
    try:
        record_run(store, outcome)
    except StoreError as exc:  # a locked or read-only database must not hide the verdict
        outcome.record_error = str(exc)


def record_run(store: Store, outcome: RunOutcome) -> int:
    """Append the run to the demo-runs table; returns its id."""
    result = outcome.result
    plot = {key: result.get(key) for key in ("series", "x_label", "y_label", "log_y")} if result else {}
    row = DemoRun(
        demo_id=outcome.request.demo_id, card_id=outcome.request.card_id, device=outcome.device,
        torch_version=outcome.torch_version, seed=outcome.request.seed, mode=outcome.request.mode,
        started_at=outcome.started_at or utcnow(), seconds=round(outcome.seconds, 3), status=outcome.status,
        threads=outcome.threads, prediction=outcome.request.prediction, answer=outcome.answer,
        claim_holds=outcome.claim_holds, metrics=json.dumps(result.get("metrics", {}), ensure_ascii=False),
        series=json.dumps(plot, ensure_ascii=False), error=outcome.error,
    )
    with store.transaction() as session:
        session.add(row)
        session.flush()
        return row.id


def latest_runs(session: Session, demo_id: str, limit: int = 5) -> list[DemoRun]:
    """The most recent runs of a demo, newest first."""
    query = select(DemoRun).where(DemoRun.demo_id == demo_id).order_by(DemoRun.id.desc()).limit(limit)
    return list(session.exec(query))
