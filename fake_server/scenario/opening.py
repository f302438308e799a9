"""Files named by a scenario (the scenario file itself, its ``content_file``s),
opened once: what was opened is checked, then read from that handle only.

Checking a path and then opening it again leaves a window in which a link
can be swapped, so nothing here looks a path up twice for its bytes: the
file is opened (without blocking, so a FIFO cannot hold the caller), the
open handle is asked what it is (a regular file, its size) and where it
really is, and the bytes come from that handle, never more than the limit
plus one. Every way a file can fail to be read is an ``UnreadableError``,
never an exception from the system.
"""

from __future__ import annotations

import operator
import os
import stat
from functools import reduce
from pathlib import Path
from typing import Literal, NamedTuple

# What went wrong, for the caller's wording: the system refused (``reason``
# its words), not a regular file (``reason`` what it is), over the limit
# (``reason`` the limit), or somewhere it may not lead.
UnreadableKind = Literal["system", "not_regular", "too_large", "outside"]

# O_NONBLOCK: a FIFO opens at once instead of waiting for a writer. Each
# flag only where the system has it (O_BINARY only on Windows, which has
# none of the others).
_OPEN_FLAGS = reduce(
    operator.or_,
    (getattr(os, name, 0) for name in ("O_NONBLOCK", "O_CLOEXEC", "O_NOCTTY", "O_BINARY")),
    os.O_RDONLY,
)
_CHUNK_BYTES = 1024 * 1024
_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class UnreadableError(Exception):
    """Why a file named by a scenario was not read."""

    def __init__(self, kind: UnreadableKind, reason: str) -> None:
        super().__init__(reason)
        self.kind: UnreadableKind = kind
        self.reason = reason


class Opened(NamedTuple):
    """A file's bytes and where the file read really is (symbolic links followed)."""

    data: bytes
    location: Path


def read_regular_file(path: Path, limit: int, *, inside: Path | None = None) -> Opened:
    """The bytes of the regular file at ``path``, at most ``limit`` of them; with
    ``inside``, only if the file opened lies inside that folder."""
    try:
        # Looked at first so that a device or FIFO is never opened at all;
        # what was opened is checked again below, which is what counts.
        _check_regular(os.stat(path))
        descriptor = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        raise UnreadableError("system", _system_words(error)) from None
    except ValueError as error:  # a NUL byte, or a name the system cannot encode
        raise UnreadableError("system", _name_words(path, error)) from None
    try:
        return _read_opened(descriptor, path, limit, inside)
    except OSError as error:
        raise UnreadableError("system", _system_words(error)) from None
    finally:
        os.close(descriptor)


def _read_opened(descriptor: int, path: Path, limit: int, inside: Path | None) -> Opened:
    status = os.fstat(descriptor)
    _check_regular(status)
    location = _location(descriptor, path, status)
    if inside is not None and not location.is_relative_to(os.path.realpath(inside)):
        raise UnreadableError("outside", "leads outside the folder")
    if status.st_size > limit:
        raise UnreadableError("too_large", str(limit))
    return Opened(_read_at_most(descriptor, limit), location)


def _check_regular(status: os.stat_result) -> None:
    if stat.S_ISREG(status.st_mode):
        return
    what = next((words for test, words in _KINDS if test(status.st_mode)), "not a file")
    raise UnreadableError("not_regular", what)


def _location(descriptor: int, path: Path, status: os.stat_result) -> Path:
    """Where the opened file really is.

    Linux names the file behind a descriptor (``/proc/self/fd``): that is the
    file read, whatever happened to the path since. Elsewhere the path is
    resolved again, and the file found there must be the one opened (same
    device and inode): a link swapped in between is refused, not followed.
    """
    try:
        real = os.readlink(f"/proc/self/fd/{descriptor}")
    except OSError:
        real = os.path.realpath(path)
    try:
        found = os.stat(real)
    except OSError:
        found = None  # removed or renamed since it was opened
    if found is None or (found.st_dev, found.st_ino) != (status.st_dev, status.st_ino):
        raise UnreadableError("system", "it changed while it was opened")
    return Path(real)


def _read_at_most(descriptor: int, limit: int) -> bytes:
    """What the file holds; ``UnreadableError`` as soon as it holds more than ``limit``
    bytes (a file may grow while it is read, and some report no size)."""
    chunks: list[bytes] = []
    total = 0
    while total <= limit:
        chunk = os.read(descriptor, min(_CHUNK_BYTES, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
    raise UnreadableError("too_large", str(limit))


def _system_words(error: OSError) -> str:
    return error.strerror or str(error)


def _name_words(path: Path, error: ValueError) -> str:
    if "\x00" in str(path):
        return "the name holds a NUL byte"
    return f"not a name this system can open ({error})"
