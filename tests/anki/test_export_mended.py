"""The .apkg export, mended: real-clock stamp, suspended tag, escaped Source, early refusal, reused demo runs."""

from __future__ import annotations

import os
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlmodel import select

from studyapp.anki.export import ExportRequest, export_anki
from studyapp.errors import UserError
from studyapp.store.database import open_store
from studyapp.store.tables import Card, CardDemo, DemoRun

anki_collection = pytest.importorskip("anki.collection")

LONG_AGO = datetime(2020, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def store(db_path):
    store = open_store(db_path)
    with store.transaction() as session:
        session.add(Card(id="c-plain", front="What is a plain card?", back="One.", deck="D", tags="D",
                         source_file="/home/someone/private/notes & <more>.md", source_line=7))
        session.add(Card(id="c-held", front="Suspended?", back="Yes.", deck="D", tags="D",
                         source_file="notes.md", source_line=9, suspended=True))
    yield store
    store.close()


def imported_notes(tmp_path: Path, package: Path) -> dict:
    (tmp_path / "anki").mkdir()
    collection = anki_collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    collection.import_anki_package(anki_collection.ImportAnkiPackageRequest(
        package_path=str(package), options=anki_collection.ImportAnkiPackageOptions()))
    try:
        notes = (collection.get_note(nid) for nid in collection.find_notes(""))
        return {note["CardId"]: (dict(note.items()), list(note.tags), note.mod) for note in notes}
    finally:
        collection.close()


def test_stamp_from_the_real_clock_suspended_tag_and_source_as_file_and_line(store, tmp_path):
    out = tmp_path / "deck.apkg"
    started = int(time.time())
    export_anki(store, ExportRequest(out=out, plots=False, now=LONG_AGO))  # --now 2020: not the stamp
    notes = imported_notes(tmp_path, out)
    fields, tags, mod = notes["c-plain"]
    assert mod >= started
    assert fields["Source"] == "notes &amp; &lt;more&gt;.md:7"  # the file's name, escaped; no local path
    assert "studyapp::suspended" in notes["c-held"][1] and "studyapp::suspended" not in tags


def test_an_unwritable_output_fails_before_any_demo_runs(store, tmp_path, fake_demos):
    with store.transaction() as session:
        session.add(CardDemo(card_id="c-plain", demo_id="fake_fast"))
    if os.geteuid() == 0:  # root writes anywhere access() says; /sys refuses even root
        folder = Path("/sys")
    else:
        folder = tmp_path / "read-only"
        folder.mkdir()
        folder.chmod(0o500)
    shown = []
    with pytest.raises(UserError, match="writ"):
        export_anki(store, ExportRequest(out=folder / "deck.apkg"), progress=shown.append)
    assert shown == []
    with store.session() as session:
        assert session.exec(select(DemoRun)).all() == []


def test_a_demo_run_made_for_an_export_is_recorded_and_reused(store, tmp_path, fake_demos):
    with store.transaction() as session:
        session.add(CardDemo(card_id="c-plain", demo_id="fake_fast"))
    first, second = [], []
    export_anki(store, ExportRequest(out=tmp_path / "one.apkg"), progress=first.append)
    export_anki(store, ExportRequest(out=tmp_path / "two.apkg"), progress=second.append)
    assert any("running it now" in line for line in first)
    assert not any("running it now" in line for line in second)
    with store.session() as session:
        runs = session.exec(select(DemoRun)).all()
    assert [(run.demo_id, run.mode, run.status) for run in runs] == [("fake_fast", "quick", "ok")]
    assert (tmp_path / "two.apkg").stat().st_size > 0


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_links_are_legible_in_both_modes_and_wide_formulas_show_that_they_scroll():
    import re

    from studyapp.anki.note_type import CSS

    light, dark = re.findall(r"\{([^}]*--link[^}]*)\}", CSS)[:2]

    def var(block: str, name: str) -> str:
        return re.search(rf"--{name}: (#[0-9a-f]{{6}})", block).group(1)

    for block in (light, dark):
        assert _contrast(var(block, "link"), var(block, "bg")) >= 4.5  # WCAG AA for body text
    assert re.search(r"a \{ color: var\(--link\)", CSS)
    scroller = re.search(r"\.math\.block, pre \{(.*?)\n\}", CSS, re.S).group(1)
    assert "overflow-x: auto" in scroller and "no-repeat local" in scroller and "no-repeat scroll" in scroller


def test_plots_are_drawn_for_a_phone_and_for_dark_mode(tmp_path):
    from PIL import Image

    from studyapp.anki.plot_png import Plot, render_pngs
    from studyapp.anki.plot_png_child import DPI, FONT_PT

    light, dark = tmp_path / "p.png", tmp_path / "p-dark.png"
    render_pngs([Plot(file=str(light), dark_file=str(dark), title="t", x_label="step", y_label="loss",
                      series={"sgd": [3.0, 2.0, 1.0], "adam": [3.0, 1.0, 0.5]})])
    for path in (light, dark):
        image = Image.open(path).convert("RGBA")
        width, height = image.size
        assert 500 <= width <= 800  # shown at ~400 px: scaled by at most 0.8, not to a third
        assert image.getpixel((0, 0))[3] == 0  # a transparent page: no white box on a dark card
        tick_px_on_phone = FONT_PT * DPI / 72 * 400 / width
        assert tick_px_on_phone >= 11
    import numpy as np

    pixels = [np.asarray(Image.open(p).convert("RGBA")) for p in (light, dark)]
    ink = [image[image[..., 3] > 200][:, :3].mean() for image in pixels]
    assert ink[1] > ink[0] + 60  # the dark-mode twin is drawn in light ink
