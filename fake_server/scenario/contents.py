"""A scenario's content files: where each one is, the bounds it keeps, its bytes read once.

``content_file`` paths start at the scenario's folder and must stay inside
it, symbolic links followed. The bytes are read once, when the scenario is
accepted, and kept in the data under ``CONTENT_BYTES`` for every world built
from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fake_server import defaults
from fake_server.scenario.problems import ScenarioProblem
from fake_server.scenario.yaml.located import YamlPath

# Where a content_file's bytes are kept once read (never a key a scenario may
# write: the schema refuses unknown keys).
CONTENT_BYTES = "__content_bytes__"
# A content_file is bounded as an upload is.
MAX_CONTENT_FILE_BYTES = 32 * 1024 * 1024


def content_path(base_dir: Path, name: str) -> Path:
    """Where a content_file really is, symbolic links followed.

    The text of the path is held inside the folder by the schema; only the
    resolved path shows whether a link inside leads out of it.
    """
    return (base_dir / name).resolve(strict=True)


def with_contents(data: dict[str, Any], base_dir: Path | None) -> dict[str, Any]:
    """The data with every ``content_file`` read once, into ``CONTENT_BYTES``."""
    uploads = data.get("files", [])
    if not any("content_file" in upload for upload in uploads):
        return data
    assert base_dir is not None, "checked by contents_problems"
    files = [
        {**upload, CONTENT_BYTES: content_path(base_dir, upload["content_file"]).read_bytes()}
        if "content_file" in upload
        else upload
        for upload in uploads
    ]
    return {**data, "files": files}


def contents_problems(
    uploads: list[dict[str, Any]],
    base_dir: Path | None,
    problem: Callable[[YamlPath, str], ScenarioProblem],
) -> Iterator[ScenarioProblem]:
    """Each upload's content, then the bound on all of them together."""
    total = 0
    for index, upload in enumerate(uploads):
        for key, message, size in _content_problems(upload, base_dir):
            if message:
                yield problem(("files", index, key), message)
            total += size
        if total > defaults.MAX_CONTENT_BYTES:
            limit = defaults.MAX_CONTENT_BYTES
            message = f"the files' content adds up to more than {limit} bytes"
            yield problem(("files", index), message)
            return


def _content_problems(
    upload: dict[str, Any], base_dir: Path | None
) -> Iterator[tuple[str, str, int]]:
    """(key, problem or "", bytes of content) for an upload's content."""
    if "content" in upload:
        if "content_file" in upload:
            yield "content_file", "give content or content_file, not both", 0
            return
        yield "content", "", len(upload["content"].encode("utf-8"))
        return
    if "content_file" not in upload:
        return
    if base_dir is None:
        yield "content_file", "only in a scenario read from a file (paths start at its folder)", 0
        return
    problem, size = _file_problem(base_dir, str(upload["content_file"]))
    yield "content_file", problem, size


def _file_problem(base_dir: Path, name: str) -> tuple[str, int]:
    """(problem or "", bytes) of the content_file ``name``."""
    try:
        path = content_path(base_dir, name)
        size = path.stat().st_size
    except OSError as error:
        return f"cannot read {name!r}: {error.strerror or error}", 0
    if not path.is_relative_to(base_dir.resolve()):
        return f"{name!r} leads outside the scenario's folder (a symbolic link)", 0
    if not path.is_file():
        return f"{name!r} is not a file", 0
    if size > MAX_CONTENT_FILE_BYTES:
        return f"{name!r} is larger than {MAX_CONTENT_FILE_BYTES} bytes", 0
    return "", size
