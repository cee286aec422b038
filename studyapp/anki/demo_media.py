"""Demo plots for an Anki export: the latest recorded run of each linked demo, as PNG media.

A card linked to a demo (``CardDemo``) gets the plot of that demo's latest successful
recorded run. A demo never run gets a quick run made for the export through the demo
runner (its own process, progress shown), recorded like any run, so the next export
reuses it instead of running the demo again. With ``plots=False`` the Demo
field keeps only the command that reproduces the plot. Media file names are flat (genanki
keeps only the basename) and deterministic: ``studyapp-demo-<id>.png``.
"""

from __future__ import annotations

import html
import json
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from sqlmodel import Session, select

from studyapp.anki.plot_png import Plot, render_pngs
from studyapp.errors import UserError
from studyapp.store.database import Store
from studyapp.store.tables import CardDemo, DemoRun


@dataclass
class DemoMedia:
    """The Demo field of one card and the media files it references."""

    html: str
    files: list[str] = field(default_factory=list)


def media_name(demo_id: str, dark: bool = False) -> str:
    return f"studyapp-demo-{demo_id}{'-dark' if dark else ''}.png"


def run_command(demo_id: str) -> str:
    return f"studyapp demo run {demo_id}"


def plot_from_series(demo_id: str, title: str, series_json: str, file: str, dark_file: str = "") -> Plot:
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
                y_label=data.get("y_label", ""), log_y=bool(data.get("log_y", False)), dark_file=dark_file)


def latest_run(session: Session, demo_id: str) -> tuple[int, str] | None:
    """(id, series JSON) of the demo's latest recorded run that ran to the end (claim held or not), if any."""
    query = (select(DemoRun.id, DemoRun.series).where(DemoRun.demo_id == demo_id, DemoRun.status.in_(("ok", "failed")))
             .order_by(DemoRun.started_at.desc(), DemoRun.id.desc()).limit(1))
    row = session.exec(query).first()
    return (row[0], row[1]) if row else None


def latest_series(session: Session, demo_id: str) -> str | None:
    """The series JSON of the demo's latest recorded run that ran to the end, if any."""
    run = latest_run(session, demo_id)
    return run[1] if run else None


def quick_run_series(demo_id: str, progress: Callable[[str], None], store: Store) -> str:
    """Run the demo (quick mode, recorded in ``store``) for its series JSON."""
    from studyapp.runner.process import RunRequest, run_demo

    progress(f"demo {demo_id}: no recorded run; running it now (quick)...")

    def show(event) -> None:
        if event.kind == "progress":
            filled = int(event.fraction * 20)
            progress(f"  [{'#' * filled}{'.' * (20 - filled)}] {event.fraction:4.0%} {event.message}")

    outcome = run_demo(RunRequest(demo_id, mode="quick"), on_event=show, store=store)
    if outcome.status not in ("ok", "failed"):
        reason = outcome.error.splitlines()[0] if outcome.error else outcome.status
        raise UserError(f"demo {demo_id}: no recorded run and the quick run failed ({reason}); "
                        "export with --no-plots to leave its plot out")
    result = outcome.result
    return json.dumps({key: result.get(key) for key in ("series", "x_label", "y_label", "log_y") if key in result})


def demo_title(demo_id: str) -> str:
    from studyapp.runner.catalog import get_demo

    try:
        return get_demo(demo_id).title
    except UserError:  # a demo removed since it was recorded: its id is title enough
        return demo_id


def demo_html(demo_id: str, images: tuple[str, str] | None) -> str:
    """The Demo field's part for one demo: its plot (light and dark media names) and its command."""
    alt = html.escape(demo_id)
    image = (f'<img src="{images[0]}" class="light" alt="{alt}">'
             f'<img src="{images[1]}" class="dark" alt="{alt}"><br>') if images else ""
    return f'{image}<span class="command"><code>{html.escape(run_command(demo_id))}</code></span>'


@contextmanager
def demo_media(session: Session, wanted: set[str], *, plots: bool, progress: Callable[[str], None],
               store: Store) -> Iterator[dict[str, DemoMedia]]:
    """Demo fields of the cards ``wanted`` (ids), by card id; the PNG files live until the context ends."""
    links: dict[str, list[str]] = {}
    for link in session.exec(select(CardDemo).order_by(CardDemo.card_id, CardDemo.demo_id)):
        if link.card_id in wanted:
            links.setdefault(link.card_id, []).append(link.demo_id)
    demo_ids = sorted({demo_id for ids in links.values() for demo_id in ids})
    with tempfile.TemporaryDirectory(prefix="studyapp-anki-media-") as folder:
        files: dict[str, list[str]] = {}
        if plots and demo_ids:
            to_draw = []
            for demo_id in demo_ids:
                series = latest_series(session, demo_id) or quick_run_series(demo_id, progress, store)
                files[demo_id] = [str(Path(folder) / media_name(demo_id, dark)) for dark in (False, True)]
                to_draw.append(plot_from_series(demo_id, demo_title(demo_id), series, *files[demo_id]))
            progress(f"drawing {len(to_draw)} demo plot(s)...")
            render_pngs(to_draw)
        yield {
            card_id: DemoMedia(html="<br>".join(demo_html(d, (media_name(d), media_name(d, True)) if d in files else None) for d in ids),
                               files=[file for d in ids for file in files.get(d, [])])
            for card_id, ids in links.items()
        }
