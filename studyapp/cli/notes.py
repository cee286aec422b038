"""`studyapp check`, `studyapp decks` and `studyapp drop`: notes before and after import."""

from __future__ import annotations

import argparse

from studyapp.cli.common import counted, print_json, store_for

CHECK_HELP = """\
Parse notes without writing anything and show what an import would make: each card
(file:line, kind, front, the answer's first line, linked demos and why) and warnings
(questions with no answer, identical fronts, very long fronts, lines skipped as page
furniture, unknown demo ids). Folders are searched for .md files.
Exit status: 0 clean, 1 warnings, 2 errors (a file that cannot be read)."""


def register(subparsers, common: argparse.ArgumentParser) -> None:
    check = subparsers.add_parser("check", parents=[common], help="show the cards notes would give, write nothing",
                                  description=CHECK_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("paths", nargs="+", metavar="PATH", help="markdown files or folders")
    check.add_argument("--json", action="store_true", help="print {cards, warnings, errors, counts} as JSON")
    check.set_defaults(handler=run_check)

    decks = subparsers.add_parser("decks", parents=[common], help="list decks: source files, cards, removed",
                                  description="List every deck with the notes files it comes from and its "
                                              "card counts (cards in study, cards removed or dropped).")
    decks.add_argument("--json", action="store_true", help="print [{deck, files, cards, removed}] as JSON")
    decks.set_defaults(handler=run_decks)

    drop = subparsers.add_parser(
        "drop", parents=[common], help="drop a deck or a notes file from study (history kept)",
        description="Mark every card of a deck (and its sub-decks), or of one imported notes file, removed: "
                    "they leave study, their review history is kept, and `studyapp import` of the notes "
                    "brings them back.")
    drop.add_argument("target", metavar="DECK_OR_FILE", help="a deck name (see `studyapp decks`) or a notes file")
    drop.set_defaults(handler=run_drop)


def run_check(args) -> int:
    from pathlib import Path

    from studyapp.notes.check import check_paths

    report = check_paths([Path(p).expanduser() for p in args.paths])
    if args.json:
        print_json(report.as_json())
        return report.exit_code
    for card in report.cards:
        demos = f"  ▶ {', '.join(f'{demo} ({why})' for demo, why in card.demos.items())}" if card.demos else ""
        print(f"{card.source}  {card.kind:<8} {card.front}\n    → {card.answer[:100]}{demos}")
    for finding in report.warnings:
        print(f"warning: {finding.source}: {finding.message}")
    for finding in report.errors:
        print(f"error: {finding.message}")
    print(f"{counted(len(report.cards), 'card')}, {counted(len(report.warnings), 'warning')}, "
          f"{counted(len(report.errors), 'error')}")
    return report.exit_code


def run_decks(args) -> int:
    from studyapp.notes.decks import deck_table

    rows = deck_table(store_for(args))
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        removed = f", {row['removed']} removed" if row["removed"] else ""
        print(f"{row['deck']}  ({counted(row['cards'], 'card')}{removed})  {', '.join(row['files'])}")
    return 0


def run_drop(args) -> int:
    from studyapp.notes.decks import drop_from_study

    what, count = drop_from_study(store_for(args, auto_import=False), args.target)
    them = "it" if count == 1 else "them"
    print(f"dropped {what}: {counted(count, 'card')} removed from study (history kept; `studyapp import` brings "
          f"{them} back)")
    return 0
