"""Fixtures of the sync tests: the real Anki sync server, studyapp logged in to it, the phone."""

from __future__ import annotations

import pytest

NOTES = """\
# Deck A

## Section one

Q: What is one?
A: The first number.

Q: What is two?
A: The second number.

Q: What is three?
A: The third number.

## Section two

Q: What is four?
A: The fourth number.

Q: What is five?
A: The fifth number.

Q: What is six?
A: The sixth number.
"""


@pytest.fixture
def studyapp(db_path, capsys):
    """``studyapp(*args, code=0)`` runs one command in-process and returns its output."""
    from studyapp.cli.main import main

    def run(*args: str, code: int = 0) -> str:
        capsys.readouterr()
        got = main(["--db", str(db_path), *args])
        out, err = capsys.readouterr()
        assert got == code, f"studyapp {' '.join(args)} -> {got}: {out}{err}"
        return out + err

    return run


@pytest.fixture
def server(tmp_path):
    from anki_phone import SyncServer

    running = SyncServer(tmp_path / "server")
    yield running
    running.stop()


@pytest.fixture
def imported(tmp_path, studyapp):
    """studyapp with the notes (``NOTES``) imported; ``imported.notes`` is their file."""
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    studyapp.notes = notes
    studyapp("import", str(notes))
    return studyapp


@pytest.fixture
def desk(imported, server, monkeypatch):
    """studyapp with the notes imported and logged in to the server; ``desk(*args)`` runs a command."""
    from anki_phone import PASSWORD, USER

    monkeypatch.setenv("STUDYAPP_SYNC_PASSWORD", PASSWORD)
    imported("sync", "login", "--user", USER, "--endpoint", server.endpoint)
    return imported


@pytest.fixture
def phone(tmp_path, server):
    from anki_phone import Phone

    device = Phone(tmp_path / "phone", server.endpoint)
    yield device
    device.close()
