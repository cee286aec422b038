"""The ``studyapp`` command: argument parsing and dispatch to the command modules.

Each command module exposes ``register(subparsers, common)``, adding its subcommands with
``set_defaults(handler=...)``; a handler takes the parsed args and returns an exit code.
Command modules import their heavy dependencies inside handlers so that ``--help`` and
the headless commands start fast (and torch is never imported here).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from studyapp import __version__
from studyapp.errors import UserError

# Order here is the order of the commands in --help.
COMMAND_MODULES = [
    "studyapp.cli.cards",
    "studyapp.cli.notes",
    "studyapp.cli.review",
    "studyapp.cli.interview",
    "studyapp.cli.demo",
    "studyapp.cli.export",
    "studyapp.cli.sync",
]

EXIT_ERROR = 2

DESCRIPTION = """\
Flashcards for deep-learning interviews, scheduled with FSRS, whose answers run.

Run with no command to open the reviewer on your notes (the bundled deck is imported
on first use). Data lives in one SQLite file: --db PATH, else $STUDYAPP_DB, else the
platform's user data folder (see `studyapp where`)."""


def _common_options() -> argparse.ArgumentParser:
    """Options accepted both before and after the subcommand name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db", metavar="PATH", default=argparse.SUPPRESS,
        help="SQLite database file (default: $STUDYAPP_DB or the user data folder)",
    )
    common.add_argument(
        "--now", metavar="ISO-TIME", default=argparse.SUPPRESS,
        help="pretend the current time is ISO-TIME (e.g. 2026-01-31T09:00+01:00); for testing schedules",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common_options()
    parser = argparse.ArgumentParser(
        prog="studyapp", description=DESCRIPTION, parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"studyapp {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers, common)
    _finish_subcommands(parser)
    return parser


def _finish_subcommands(parser: argparse.ArgumentParser) -> None:
    """Give every subcommand, at any depth, a description and a link back to its parser.

    A subcommand registered without a description gets its one-line help as one, so that
    its --help says what it does. The ``_command_parser`` default lets ``main`` report an
    unknown flag with the usage of the command it was given to: argparse hands flags a
    subparser does not know back to the top-level parser, which would show its own usage.
    """
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            continue
        helps = {choice.dest: choice.help for choice in action._choices_actions}
        for name, sub in action.choices.items():
            if not sub.description and helps.get(name):
                sub.description = helps[name][0].upper() + helps[name][1:] + "."
            sub.set_defaults(_command_parser=sub)
            _finish_subcommands(sub)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # exits 2 with the usage of the (sub)command that was given the flags
        getattr(args, "_command_parser", parser).error(f"unrecognized arguments: {' '.join(unknown)}")
    handler = getattr(args, "handler", None)
    if handler is None:
        handler = _default_handler()
    try:
        if getattr(args, "now", None):
            from studyapp.cli.common import now_for

            now_for(args)  # reject a malformed --now before any work
        return handler(args)
    except UserError as exc:
        print(f"studyapp: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `studyapp cards --json | head`: the reader left, not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except Exception as exc:
        if type(exc).__module__.startswith(("sqlalchemy", "sqlite3")):  # a database failure outside a transaction
            from pathlib import Path

            from studyapp.store.database import default_db_path, describe_error

            db = Path(args.db).expanduser() if getattr(args, "db", None) else default_db_path()
            print(f"studyapp: error: {str(describe_error(db, exc)).splitlines()[0]}", file=sys.stderr)
            return EXIT_ERROR
        raise


def _default_handler():
    """No subcommand: open the TUI if it is installed, else show the help."""
    try:
        from studyapp.cli.review import open_tui
    except ImportError:
        return lambda args: (build_parser().print_help(), 0)[1]
    return open_tui


if __name__ == "__main__":
    sys.exit(main())
