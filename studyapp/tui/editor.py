"""Open a card's source file at its line in the learner's editor, then re-import that file.

Shared by the review screen and the card browser; the terminal is handed to the editor
(the app is suspended) and taken back when it exits.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from textual.app import SuspendNotSupported
from textual.screen import Screen

from studyapp.errors import UserError
from studyapp.store.tables import Card


def edit_card_source(screen: Screen, card: Card) -> bool:
    """Edit ``card``'s notes in $VISUAL/$EDITOR (vi) at its line; True once the file is re-imported."""
    if not card.source_file or not os.path.exists(card.source_file):
        screen.notify("this card has no source file on disk", severity="warning")
        return False
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    command = [*shlex.split(editor), f"+{card.source_line}", card.source_file]
    try:
        with screen.app.suspend():
            subprocess.run(command)
    except SuspendNotSupported:  # headless drivers cannot hand over the terminal
        subprocess.run(command, stdin=subprocess.DEVNULL)
    from studyapp.notes.importer import import_paths

    try:
        import_paths(screen.app.store, [Path(card.source_file)])
    except UserError as exc:
        screen.notify(f"could not re-read the notes: {exc}", severity="error", timeout=10)
        return False
    return True
