"""`studyapp import`, `studyapp cards` and `studyapp where`: notes in, cards out."""

from __future__ import annotations

import argparse

from studyapp.cli.common import counted, print_json, store_for

IMPORT_HELP = """\
Parse markdown notes into cards and sync them into the database. Cards keep their id
and review history when the notes are edited: a changed answer updates the card, a
reworded question (same section) keeps its card, and a card that vanished from the
notes is marked removed, never deleted. The whole import is one transaction.
`studyapp check PATH` shows the cards first, writing nothing."""


def register(subparsers, common: argparse.ArgumentParser) -> None:
    imp = subparsers.add_parser(
        "import", parents=[common], help="import markdown notes (default: the bundled deck)",
        description=IMPORT_HELP, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    imp.add_argument("paths", nargs="*", metavar="PATH",
                     help="markdown files, or folders (every .md below them); default: the bundled deck")
    imp.set_defaults(handler=run_import)

    cards = subparsers.add_parser(
        "cards", parents=[common], help="list cards (as a table, or --json for scripts)",
        description="List the cards in the database. Removed cards are hidden unless --removed.",
    )
    cards.add_argument("--json", action="store_true",
                       help="print a JSON array: id, front, back, deck, tags, source, demos, state, due, ...")
    cards.add_argument("--deck", metavar="X", help="only cards in deck X or below it (e.g. 深度学习八股)")
    cards.add_argument("--search", metavar="QUERY",
                       help="only cards matching QUERY, the browser's search (`b` in the TUI): "
                            "text in the front or back, deck:X, tag:X, is:new|due|learn|review|suspended|"
                            "buried|leech|removed, prop:r<0.8 (retrievability now; also s, d, ivl, lapses, "
                            "reps), rated:N[:RATING], -NOT, A or B (e.g. 'deck:CNN prop:lapses>2')")
    cards.add_argument("--removed", action="store_true", help="include cards no longer in the notes")
    cards.set_defaults(handler=run_cards)

    where = subparsers.add_parser("where", parents=[common], help="print the database file in use")
    where.set_defaults(handler=run_where)


def run_import(args) -> int:
    from pathlib import Path

    from studyapp.notes.importer import bundled_deck_path, import_paths

    paths = [Path(p).expanduser() for p in args.paths] or [bundled_deck_path()]
    store = store_for(args, auto_import=False)
    report = import_paths(store, paths)
    for source in report.files:
        print(f"imported {source}")
    print(report.summary())
    return 0


def run_cards(args) -> int:
    from studyapp.store.queries import card_rows

    store = store_for(args)
    if args.deck:  # the queue and search modules only when asked for: `cards --json` starts fast
        from studyapp.review.queue import check_deck

        with store.session() as session:
            check_deck(session, args.deck)
    where = None
    if args.search:
        from studyapp.cli.common import now_for
        from studyapp.review.search import compile_search
        from studyapp.review.settings import load_settings

        with store.session() as session:
            settings = load_settings(session)
        where = compile_search(args.search, now_for(args), settings, include_removed=args.removed).where
    rows = card_rows(store, deck=args.deck, where=where, include_removed=args.removed)
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        flags = " [removed]" if row["removed"] else (" [suspended]" if row["suspended"] else "")
        demos = f"  ▶ {', '.join(row['demos'])}" if row["demos"] else ""
        print(f"{row['id']}  {row['state']:<10} {row['deck']}  ·  {row['front']}{flags}{demos}")
    print(counted(len(rows), "card"))
    return 0


def run_where(args) -> int:
    from pathlib import Path

    from studyapp.store.database import default_db_path

    print(Path(args.db).expanduser() if getattr(args, "db", None) else default_db_path())
    return 0
