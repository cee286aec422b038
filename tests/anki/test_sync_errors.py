"""Sync errors are one line, exit 2, and leave our database as it was.

Clock skew and a server older than the client are answered by a small local server that speaks
Anki's sync protocol for the one request the client makes first (tests/anki_fake_server.py); a wrong
password, a login the server no longer accepts and a server that is down are the real server's.
"""

from __future__ import annotations

import pytest

pytest.importorskip("anki")

from anki_fake_server import CLOCK_AHEAD, TOO_OLD, FakeSyncServer  # noqa: E402
from anki_phone import USER, dump  # noqa: E402

from studyapp.anki.sync_login import Login, load_login, save_login  # noqa: E402
from studyapp.anki.sync_shadow import sync_folder  # noqa: E402


@pytest.fixture
def fake_server(request):
    mode, offset = request.param
    running = FakeSyncServer(mode, clock_offset_s=offset)
    yield running
    running.stop()


def one_line(out: str) -> str:
    lines = out.strip().splitlines()
    assert len(lines) == 1, out
    return lines[0]


CLOCK_LINE = "clock is more than 5 minutes off the server's"


@pytest.mark.parametrize("fake_server", [(CLOCK_AHEAD, 600), (CLOCK_AHEAD, -301)], indirect=True,
                         ids=["server-10-min-ahead", "server-5-min-1-s-behind"])
def test_clock_skew_over_5_minutes(imported, fake_server, db_path):
    save_login(sync_folder(db_path), Login(user=USER, hkey="a-session-key", endpoint=fake_server.endpoint))
    before = dump(db_path)
    line = one_line(imported("sync", code=2))
    assert line.startswith("studyapp: error: sync: ") and CLOCK_LINE in line and fake_server.endpoint in line
    assert fake_server.requests == ["/sync/meta"]  # asked for the server's time, and stopped there
    assert CLOCK_LINE in one_line(imported("sync", "--status", code=2))
    assert dump(db_path) == before


@pytest.mark.parametrize("fake_server", [(TOO_OLD, 0)], indirect=True)
def test_a_server_older_than_the_client(imported, fake_server, db_path, monkeypatch):
    folder = sync_folder(db_path)
    save_login(folder, Login(user=USER, hkey="a-session-key", endpoint=fake_server.endpoint))
    before = dump(db_path)
    line = one_line(imported("sync", code=2))
    assert line.startswith(f"studyapp: error: sync: {fake_server.endpoint} does not accept this client's sync "
                           "protocol version: the server is older than the client")
    assert "pip install -U anki" in line
    assert fake_server.requests == ["/sync/meta"]
    assert "does not accept this client's" in one_line(imported("sync", "--status", code=2))
    monkeypatch.setenv("STUDYAPP_SYNC_PASSWORD", "pass")
    assert "does not accept this client's" in one_line(
        imported("sync", "login", "--user", "other", "--endpoint", fake_server.endpoint, code=2))
    assert load_login(folder).user == USER  # the saved login is kept
    assert dump(db_path) == before


@pytest.mark.slow
def test_wrong_password_stale_login_and_server_down(desk, server, db_path, monkeypatch):
    folder = sync_folder(db_path)
    saved = load_login(folder)
    before = dump(db_path)
    monkeypatch.setenv("STUDYAPP_SYNC_PASSWORD", "wrong")
    line = one_line(desk("sync", "login", "--user", USER, "--endpoint", server.endpoint, code=2))
    assert line == f"studyapp: error: sync login to {server.endpoint}: wrong user name or password for 'user'"
    assert load_login(folder) == saved and dump(db_path) == before

    save_login(folder, Login(user=USER, hkey="a-key-the-server-never-gave", endpoint=server.endpoint))
    line = one_line(desk("sync", code=2))
    assert f"{server.endpoint} no longer accepts the saved login; run `studyapp sync login" in line
    assert dump(db_path) == before

    save_login(folder, saved)
    server.stop()
    line = one_line(desk("sync", code=2))
    assert line.startswith(f"studyapp: error: sync: cannot reach {server.endpoint}")
    assert one_line(desk("sync", "--status", code=2)).startswith("studyapp: error: sync: cannot reach")
    assert dump(db_path) == before
