"""The ready file's bytes on disk: checked writable before the server starts, then
written whole under an unpredictable name beside it and renamed into place.

A predictable temporary name (``.ready.json.<pid>.tmp``) lets anyone who can
write to the folder plant a link there and have its target overwritten; a
name from ``tempfile.mkstemp`` is random and created exclusively (``O_EXCL``,
which never follows a link), so nothing planted is ever opened. Loads nothing
heavy: the command line checks the path before it imports the app.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from fake_server.domain.printable import printable

# How much of the path a refusal echoes; the rest is cut.
SHOWN_PATH_CHARACTERS = 200


class ReadyFileError(Exception):
    """The ready file cannot be written; the message is one line for a person."""


def check_writable(path: str) -> None:
    """Raise ``ReadyFileError`` unless a file can be written at ``path`` the way
    ``write`` writes it: its folder exists and takes a new file, and the path is
    not a folder. Leaves nothing behind."""
    target = Path(path)
    try:
        if stat.S_ISDIR(target.stat().st_mode):
            raise ReadyFileError(_refusal(path, "it is a folder"))
    except FileNotFoundError:
        pass  # not there yet: the usual case
    except (OSError, ValueError) as error:
        raise ReadyFileError(_refusal(path, _reason(error))) from None
    descriptor, probe = _create_beside(target)
    os.close(descriptor)
    os.unlink(probe)


def write(path: str, text: str) -> None:
    """``text`` at ``path``, all of it or nothing: a reader never sees half a file."""
    target = Path(path)
    descriptor, temporary = _create_beside(target)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, target)
    except (OSError, ValueError) as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise ReadyFileError(_refusal(path, _reason(error))) from None


def _create_beside(target: Path) -> tuple[int, str]:
    """A new file with a random name in ``target``'s folder, created exclusively."""
    try:
        return tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except (OSError, ValueError) as error:
        raise ReadyFileError(_refusal(str(target), _reason(error))) from None


def _reason(error: OSError | ValueError) -> str:
    reason = (error.strerror if isinstance(error, OSError) else None) or str(error)
    return reason[:1].lower() + reason[1:]


def _refusal(path: str, reason: str) -> str:
    shown = printable(path[:SHOWN_PATH_CHARACTERS])
    cut = "..." if len(path) > SHOWN_PATH_CHARACTERS else ""
    return f"--ready-file {shown}{cut}: cannot write there ({reason})"
