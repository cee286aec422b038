"""`studyapp export anki`: the cards as an Anki package for studying on a phone."""

from __future__ import annotations

import argparse
import sys

from studyapp.cli.common import now_for, store_for

DEFAULT_OUT = "studyapp.apkg"

ANKI_HELP = f"""\
Write the cards (not removed; suspended ones stay suspended) to an Anki package, one
note per card in a note type of our own, decks from the notes' headings. Importing a
later export into the same Anki collection updates the notes in place. A card linked to
a demo carries the plot of the demo's latest recorded run (a quick run is made for a
demo never run) and the command that reproduces it. The database is only read.

OUT defaults to ./{DEFAULT_OUT}."""


def register(subparsers, common: argparse.ArgumentParser) -> None:
    export = subparsers.add_parser("export", parents=[common], help="export the cards (to Anki)",
                                   description="Export the cards to another program.")
    formats = export.add_subparsers(title="formats", metavar="FORMAT", required=True)
    anki = formats.add_parser(
        "anki", parents=[common], help="an Anki package (.apkg)",
        description=ANKI_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    anki.add_argument("out", nargs="?", default=DEFAULT_OUT, metavar="OUT.apkg",
                      help=f"package to write (default: ./{DEFAULT_OUT})")
    anki.add_argument("--deck", metavar="X", help="only deck X and its sub-decks (e.g. 深度学习八股)")
    anki.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    anki.add_argument("--with-scheduling", action="store_true",
                      help="carry review history and FSRS state over (needs pip install 'studyapp[anki]')")
    anki.add_argument("--no-plots", dest="plots", action="store_false",
                      help="leave demo plots out (the Demo field keeps the command)")
    anki.set_defaults(handler=run_export_anki)


def run_export_anki(args) -> int:
    from pathlib import Path

    from studyapp.anki.export import ExportRequest, export_anki

    request = ExportRequest(out=Path(args.out), deck=args.deck, force=args.force,
                            with_scheduling=args.with_scheduling, plots=args.plots, now=now_for(args))
    store = store_for(args, auto_import=False)  # an export writes nothing but the demo runs it makes
    try:
        report = export_anki(store, request, progress=lambda line: print(line, file=sys.stderr, flush=True))
    finally:
        store.close()
    history = f", {report.reviews} review(s) with scheduling" if request.with_scheduling else ""
    print(f"wrote {report.path}: {report.notes} note(s), {report.cards} card(s) in {len(report.decks)} deck(s), "
          f"{report.media} media file(s){history}")
    return 0
