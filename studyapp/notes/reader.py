"""Read notes: the files a path names (a folder: every .md below it), and one file as text,
refusing what is not a text file we can take in whole.

Bounded: only a regular file is read (a pipe, a device like /dev/urandom or a socket is
refused without waiting on it), and only up to ``MAX_NOTES_BYTES``. Text is UTF-8 (a BOM
allowed) or UTF-16/UTF-32 with a BOM, as Windows editors save it. A NUL character anywhere
means a binary file.
"""

from __future__ import annotations

import codecs
import os
import stat
from pathlib import Path

from studyapp.errors import UserError

NOTE_SUFFIXES = (".md", ".markdown")
MAX_NOTES_BYTES = 128 * 1024 * 1024  # 128 MiB: about 200k cards of notes
_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)


def read_notes(path: Path) -> str:
    """The text of a notes file, or a UserError saying precisely what is wrong with it."""
    data = _read_bounded(path)
    encoding = next((name for bom, name in _BOMS if data.startswith(bom)), "utf-8-sig")
    if encoding == "utf-8-sig" and b"\x00" in data[:8192]:  # an image, an archive: say so, not "bad UTF-8"
        raise UserError(f"{path}: binary file, not markdown notes")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        if encoding != "utf-8-sig":
            raise UserError(f"{path}: not valid {encoding.upper()} text despite its byte-order mark") from None
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(f"{path}:{line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the notes as UTF-8") from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise UserError(f"{path}:{line}: NUL character: binary file, not markdown notes")
    if not text or text.isspace():  # strip() would copy the whole text
        raise UserError(f"{path}: empty file, no cards to import")
    return text


def _read_bounded(path: Path) -> bytes:
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; regular files ignore it
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory (give .md files, or a folder via the shell: content/*.md)") from None
    except OSError as exc:
        raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UserError(f"{path}: is a directory (give .md files, or a folder via the shell: content/*.md)")
        if not stat.S_ISREG(info.st_mode):
            raise UserError(f"{path}: not a regular file (a pipe or a device); give a markdown file")
        if info.st_size > MAX_NOTES_BYTES:
            raise UserError(f"{path}: {info.st_size / 2**20:.0f} MiB is over the {MAX_NOTES_BYTES // 2**20} MiB "
                            "a notes file may have; split it into several files")
        try:
            # read() allocates what it is asked for up front: the file's size, not the limit
            data = handle.read(info.st_size + 1)
            if len(data) > info.st_size:  # it grows while we read: up to the limit
                data += handle.read(MAX_NOTES_BYTES + 1 - len(data))
        except OSError as exc:
            raise UserError(f"{path}: cannot read ({exc.strerror})") from None
    if len(data) > MAX_NOTES_BYTES:  # it grew while we read
        raise UserError(f"{path}: over the {MAX_NOTES_BYTES // 2**20} MiB a notes file may have; split it")
    return data


def note_files(paths: list[Path]) -> list[Path]:
    """The files to read: each file named, and every ``.md`` file below each folder named."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            below = sorted(p for p in path.rglob("*") if p.suffix.lower() in NOTE_SUFFIXES and p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            if not below:
                raise UserError(f"{path}: no .md files in this folder or below it")
            found.extend(below)
        else:
            found.append(path)
    unique: dict[str, Path] = {}
    for path in found:
        unique.setdefault(str(path.resolve()), path)
    return list(unique.values())
