"""Sync, the media: each linked demo's latest recorded run as plots in the shadow's media folder.

A sync never runs a demo: a demo with a recorded run (claim held or not) gets its plot, a
demo never run gets only the command that reproduces it. Media names carry the run's id
(``studyapp-demo-<demo>-run<id>.png`` and its ``-dark`` twin), so a newer run changes
the Demo field, the phone fetches the new picture, and a picture once drawn is never
drawn again. Anki's media sync then moves the files.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from sqlmodel import select

from studyapp.anki.demo_media import demo_title, latest_run, plot_from_series
from studyapp.anki.plot_png import render_pngs
from studyapp.store.database import Store
from studyapp.store.tables import CardDemo

POLL_S = 0.05


def plot_names(demo_id: str, run_id: int) -> tuple[str, str]:
    stem = f"studyapp-demo-{demo_id}-run{run_id}"
    return f"{stem}.png", f"{stem}-dark.png"


def latest_plots(store: Store) -> dict[str, tuple[int, str]]:
    """Demo id -> (run id, series JSON) of its latest recorded run, for every demo linked to a card."""
    with store.session() as session:
        demo_ids = sorted(set(session.exec(select(CardDemo.demo_id))))
        runs = {demo_id: latest_run(session, demo_id) for demo_id in demo_ids}
    return {demo_id: run for demo_id, run in runs.items() if run is not None and _has_lines(run[1])}


def _has_lines(series_json: str) -> bool:
    try:
        data = json.loads(series_json or "{}")
    except json.JSONDecodeError:
        return False
    return isinstance(data.get("series"), dict) and bool(data["series"])


def images_of(plots: dict[str, tuple[int, str]]) -> dict[str, tuple[str, str]]:
    return {demo_id: plot_names(demo_id, run_id) for demo_id, (run_id, _) in plots.items()}


def draw_missing(collection, plots: dict[str, tuple[int, str]]) -> int:
    """Draw into the media folder the plots it does not have yet; returns how many demos were drawn."""
    folder = Path(collection.media.dir())
    to_draw = []
    for demo_id, (run_id, series) in sorted(plots.items()):
        light, dark = plot_names(demo_id, run_id)
        if not ((folder / light).is_file() and (folder / dark).is_file()):
            to_draw.append(plot_from_series(demo_id, demo_title(demo_id), series, str(folder / light),
                                            str(folder / dark)))
    render_pngs(to_draw)
    return len(to_draw)


def push_media(collection, auth) -> None:
    """Anki's media sync, waited for (it runs in the background; its errors surface in the status)."""
    collection.sync_media(auth)
    while collection.media_sync_status().active:
        time.sleep(POLL_S)
