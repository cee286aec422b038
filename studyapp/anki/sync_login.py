"""``studyapp sync login``: the session key (never the password), and sync errors as one line.

The login is ``<db>.anki-sync/login.json``: user, endpoint (None: AnkiWeb) and the session
key the server handed out, written through a temporary file created with mode 0600, so
it is readable only by its owner from the first byte on.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from studyapp.anki.sync_shadow import make_folder
from studyapp.errors import UserError

LOGIN_FILE = "login.json"
ANKIWEB = "AnkiWeb"
LOGIN_HINT = "run `studyapp sync login --user NAME [--endpoint URL]`"
# Anki's server answers a sync version it does not know with HTTP 501, which the client words as
# "your Anki version is too old" whichever side is behind; a self-hosted server is the usual one.
VERSION_HINT = ("the server is older than the client (update it: pip install -U anki) "
                "or the client is older (pip install -U 'studyapp[anki]')")


@dataclass
class Login:
    """Who syncs, where, and the session key the server gave at login."""

    user: str
    hkey: str
    endpoint: str | None = None  # None: AnkiWeb

    @property
    def where(self) -> str:
        return self.endpoint or ANKIWEB

    def auth(self):
        from anki.sync import SyncAuth

        return SyncAuth(hkey=self.hkey, endpoint=self.endpoint)


def save_login(folder: Path, login: Login) -> Path:
    make_folder(folder)
    path = folder / LOGIN_FILE
    partial = folder / f".{LOGIN_FILE}.{os.getpid()}.partial"
    try:
        handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(handle, "w") as out:
            json.dump(asdict(login), out)
        os.chmod(partial, 0o600)
        os.replace(partial, path)
    except OSError as exc:
        raise UserError(f"{path}: cannot save the login ({exc.strerror})") from exc
    finally:
        partial.unlink(missing_ok=True)
    return path


def load_login(folder: Path) -> Login | None:
    path = folder / LOGIN_FILE
    try:
        data = json.loads(path.read_text())
        return Login(user=data["user"], hkey=data["hkey"], endpoint=data.get("endpoint"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path}: unreadable login ({exc}); {LOGIN_HINT}") from exc


def require_login(folder: Path) -> Login:
    login = load_login(folder)
    if login is None:
        raise UserError(f"not logged in to a sync server; {LOGIN_HINT}")
    return login


def normal_endpoint(url: str | None) -> str | None:
    """A self-hosted server's URL as Anki wants it (with a trailing slash); None stays AnkiWeb."""
    if not url:
        return None
    if not url.startswith(("http://", "https://")):
        raise UserError(f"--endpoint {url!r}: expected an http:// or https:// URL (e.g. http://127.0.0.1:8080/)")
    return url if url.endswith("/") else url + "/"


def log_in(collection, user: str, password: str, endpoint: str | None) -> Login:
    """Ask the server for a session key."""
    try:
        auth = collection.sync_login(user, password, endpoint)
    except Exception as exc:
        raise sync_error(exc, endpoint or ANKIWEB, user=user) from exc
    return Login(user=user, hkey=auth.hkey, endpoint=endpoint)


def sync_error(exc: Exception, where: str, user: str | None = None) -> Exception:
    """The ``anki`` library's error as one line for the learner; other errors pass through."""
    from anki.errors import BackendError, Interrupted, NetworkError, SyncError, SyncErrorKind

    message = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, SyncError) and exc.kind is SyncErrorKind.AUTH:
        if user is not None:
            return UserError(f"sync login to {where}: wrong user name or password for {user!r}")
        return UserError(f"sync: {where} no longer accepts the saved login; {LOGIN_HINT}")
    if isinstance(exc, NetworkError):
        return UserError(f"sync: cannot reach {where} ({message})")
    if isinstance(exc, Interrupted):
        return UserError("sync: interrupted")
    if isinstance(exc, SyncError):
        lowered = message.lower()
        if "clock" in lowered:
            return UserError(f"sync: this computer's clock is more than 5 minutes off the server's ({where}); "
                             "set the clock right and sync again")
        if "too old" in lowered:  # HTTP 501: the server does not speak this client's sync version
            return UserError(f"sync: {where} does not accept this client's sync protocol version: {VERSION_HINT}")
        return UserError(f"sync with {where}: {message}")
    if isinstance(exc, BackendError):
        return UserError(f"sync with {where}: {message}")
    return exc
