"""Demo plots for an Anki export: the latest recorded run of each linked demo, as PNG media.

A card linked to a demo (``CardDemo``) gets the plot of that demo's latest successful
recorded run. A demo never run gets a quick run made for the export (``studyapp demo run
ID --json`` in a subprocess, its progress lines passed on). With ``plots=False`` the Demo
field keeps only the command that reproduces the plot. Media file names are flat (genanki
keeps only the basename) and deterministic: ``studyapp-demo-<id>.png``.
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from sqlmodel import Session, select

from studyapp.errors import UserError
from studyapp.models import CardDemo, DemoRun
from studyapp.plot_png import Plot, render_pngs


@dataclass
class DemoMedia:
    """The Demo field of one card and the media files it references."""

    html: str
    files: list[str] = field(default_factory=list)


def media_name(demo_id: str) -> str:
    return f"studyapp-demo-{demo_id}.png"


def run_command(demo_id: str) -> str:
    return f"studyapp demo run {demo_id}"


def plot_from_series(demo_id: str, title: str, series_json: str, file: str) -> Plot:
    """A plot from a recorded run's ``series`` column (``{"series": {...}, "x_label": ...}``)."""
    try:
        data = json.loads(series_json or "{}")
    except json.JSONDecodeError:
        data = {}
    lines = data.get("series") if isinstance(data.get("series"), dict) else {}
    if not lines:
        raise UserError(f"demo {demo_id}: its recorded run has no series to plot; "
                        f"run `{run_command(demo_id)}` again or export with --no-plots")
    return Plot(file=file, title=title, series=lines, x_label=data.get("x_label", "step"),
                y_label=data.get("y_label", ""), log_y=bool(data.get("log_y", False)))


def latest_series(session: Session, demo_id: str) -> str | None:
    """The series JSON of the demo's latest successful recorded run, if any."""
    query = (select(DemoRun.series).where(DemoRun.demo_id == demo_id, DemoRun.status == "ok")
             .order_by(DemoRun.started_at.desc(), DemoRun.id.desc()).limit(1))
    return session.exec(query).first()


def quick_run_series(demo_id: str, db_path: Path, progress: Callable[[str], None]) -> str:
    """Run the demo (quick mode) for this export and return its series JSON."""
    progress(f"demo {demo_id}: no recorded run; running it now (quick)...")
    command = [sys.executable, "-m", "studyapp", "--db", str(db_path), "demo", "run", demo_id, "--json"]
    # stderr carries the runner's progress lines, passed on live; stdout (the JSON result)
    # goes to a file so that a large result can never block the child on a full pipe.
    with tempfile.TemporaryFile("w+") as result_file:
        with subprocess.Popen(command, stdout=result_file, stderr=subprocess.PIPE, text=True) as child:
            last_line = ""
            for line in child.stderr:
                last_line = line.strip() or last_line
                progress(f"  {line.rstrip()}")
            code = child.wait()
        result_file.seek(0)
        stdout = result_file.read()
    if code != 0:
        raise UserError(f"demo {demo_id}: no recorded run and the quick run failed "
                        f"({last_line or f'exit {code}'}); export with --no-plots to leave its plot out")
    try:
        result = json.loads(stdout)
    except json.JSONDecodeError:
        raise UserError(f"demo {demo_id}: the quick run printed no JSON result; export with --no-plots")
    return json.dumps({key: result.get(key) for key in ("series", "x_label", "y_label", "log_y")
                       if key in result})


def _demo_title(demo_id: str) -> str:
    from studyapp.demo_catalog import get_demo

    try:
        return get_demo(demo_id).title
    except UserError:  # a demo removed since it was recorded: its id is title enough
        return demo_id


def _demo_html(demo_id: str, with_plot: bool) -> str:
    image = f'<img src="{media_name(demo_id)}" alt="{html.escape(demo_id)}"><br>' if with_plot else ""
    return f'{image}<span class="command"><code>{html.escape(run_command(demo_id))}</code></span>'


@contextmanager
def demo_media(session: Session, wanted: set[str], *, plots: bool, db_path: Path,
               progress: Callable[[str], None]) -> Iterator[dict[str, DemoMedia]]:
    """Demo fields of the cards ``wanted`` (ids), by card id; the PNG files live until the context ends."""
    links: dict[str, list[str]] = {}
    for link in session.exec(select(CardDemo).order_by(CardDemo.card_id, CardDemo.demo_id)):
        if link.card_id in wanted:
            links.setdefault(link.card_id, []).append(link.demo_id)
    demo_ids = sorted({demo_id for ids in links.values() for demo_id in ids})
    with tempfile.TemporaryDirectory(prefix="studyapp-anki-media-") as folder:
        files: dict[str, str] = {}
        if plots and demo_ids:
            to_draw = []
            for demo_id in demo_ids:
                series = latest_series(session, demo_id) or quick_run_series(demo_id, db_path, progress)
                files[demo_id] = str(Path(folder) / media_name(demo_id))
                to_draw.append(plot_from_series(demo_id, _demo_title(demo_id), series, files[demo_id]))
            progress(f"drawing {len(to_draw)} demo plot(s)...")
            render_pngs(to_draw)
        yield {
            card_id: DemoMedia(html="<br>".join(_demo_html(d, d in files) for d in ids),
                               files=[files[d] for d in ids if d in files])
            for card_id, ids in links.items()
        }
