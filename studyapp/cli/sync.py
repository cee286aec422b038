"""`studyapp sync` and `studyapp sync login`: two-way sync with Anki (AnkiWeb or a self-hosted server)."""

from __future__ import annotations

import argparse
import os
import sys

from studyapp.cli.common import now_for, store_for
from studyapp.errors import UserError

PASSWORD_ENV = "STUDYAPP_SYNC_PASSWORD"

SYNC_HELP = """\
Sync the cards with Anki, both ways, through Anki's own sync protocol (AnkiWeb, or a
self-hosted `python -m anki.syncserver`), so that AnkiDroid / AnkiMobile see them.
Out: new, edited, moved (renamed heading), suspended and removed cards (removed ones are
suspended and tagged studyapp::removed), and your reviews. In: the reviews made in Anki
(each touched card's FSRS state is rebuilt from its whole log) and suspends. The notes
are the source of truth: a card whose text was edited in Anki is listed with Anki's text,
to be copied into the notes. Log in first with `studyapp sync login --user NAME`.
Needs the official Anki library: pip install 'studyapp[anki]'."""

LOGIN_HELP = f"""\
Log in to AnkiWeb (default) or a self-hosted sync server (--endpoint URL). The password
is read from a prompt, or from ${PASSWORD_ENV} for scripts; only the session key the
server returns is stored, in a file readable by you alone, beside the database."""


def register(subparsers, common: argparse.ArgumentParser) -> None:
    sync = subparsers.add_parser("sync", parents=[common], help="sync with Anki (AnkiWeb or your own server)",
                                 description=SYNC_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    sync.add_argument("--status", action="store_true", help="say what would move, change nothing")
    first = sync.add_mutually_exclusive_group()
    first.add_argument("--download", action="store_const", const="download", dest="choice",
                       help="first sync, server already has a collection: keep it and add our cards to it")
    first.add_argument("--upload", action="store_const", const="upload", dest="choice",
                       help="first sync, server already has a collection: replace it with ours")
    sync.add_argument("--no-plots", dest="plots", action="store_false",
                      help="leave demo plots out (the Demo field keeps the command)")
    sync.set_defaults(handler=run_sync)
    actions = sync.add_subparsers(title="actions", metavar="ACTION")
    login = actions.add_parser("login", parents=[common], help="log in to AnkiWeb or a sync server",
                               description=LOGIN_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    login.add_argument("--user", required=True, metavar="NAME", help="the account's user name (AnkiWeb: e-mail)")
    login.add_argument("--endpoint", metavar="URL",
                       help="a self-hosted server, e.g. http://192.168.1.20:8080/ (default: AnkiWeb)")
    login.set_defaults(handler=run_login)


def _password(user: str, where: str) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        import getpass

        try:
            password = getpass.getpass(f"Password for {user} at {where}: ")
        except EOFError:
            password = ""
    if not password:
        raise UserError(f"sync login: no password (type it at the prompt, or set ${PASSWORD_ENV})")
    return password


def run_login(args) -> int:
    from studyapp.anki.sync_login import ANKIWEB, log_in, normal_endpoint, save_login
    from studyapp.anki.sync_shadow import open_shadow, require_anki, sync_folder

    require_anki()
    endpoint = normal_endpoint(args.endpoint)
    store = store_for(args, auto_import=False)
    try:
        folder = sync_folder(store.path)
        password = _password(args.user, endpoint or ANKIWEB)
        with open_shadow(folder) as collection:
            login = log_in(collection, args.user, password, endpoint)
        path = save_login(folder, login)
    finally:
        store.close()
    print(f"logged in as {login.user} at {login.where}; session key saved in {path}")
    return 0


def _ask(question: str) -> str | None:
    """The first-sync question, when a person is at the terminal."""
    if not sys.stdin.isatty():
        return None
    print(question, file=sys.stderr, end="")
    answer = input("download, upload or cancel? [cancel] ").strip().lower()
    return {"d": "download", "download": "download", "u": "upload", "upload": "upload"}.get(answer)


def run_sync(args) -> int:
    from studyapp.anki.sync import SyncRequest, run_sync as sync_now

    store = store_for(args)
    try:
        if args.status:
            from studyapp.anki.sync_status import sync_status

            for line in sync_status(store):
                print(line)
            return 0
        ask = _ask if sys.stdin.isatty() else None
        report = sync_now(store, SyncRequest(now=now_for(args), choice=args.choice, ask=ask, plots=args.plots))
    finally:
        store.close()
    for line in report.lines():
        print(line)
    return 0
