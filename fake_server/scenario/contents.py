"""A scenario's content files: where each one may be, the bounds it keeps, its bytes read once.

``content_file`` paths start at the scenario's folder and must stay inside
it, symbolic links followed. Each file is opened once, while the scenario
is checked (``opening``): the bytes kept are the very bytes of the file that
was checked, read from its handle, never read again by name. They are kept
in the data under ``CONTENT_BYTES`` for every world built from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from fake_server import defaults
from fake_server.domain.errors import quoted
from fake_server.scenario.opening import UnreadableError, read_regular_file
from fake_server.scenario.problems import ScenarioProblem
from fake_server.scenario.yaml.located import YamlPath

# Where a content_file's bytes are kept once read (never a key a scenario may
# write: the schema refuses unknown keys).
CONTENT_BYTES = "__content_bytes__"
# A content_file is bounded as an upload is.
MAX_CONTENT_FILE_BYTES = defaults.MAX_UPLOAD_BYTES


class ContentFiles:
    """The content files of one scenario being loaded, each opened and read once.

    The checks and the data built after them share one ``ContentFiles``, so
    what is kept is what was checked.
    """

    def __init__(self, base_dir: Path | None) -> None:
        # Where content_file paths start; None for a scenario sent as text.
        self.base_dir = base_dir
        self._read: dict[str, bytes | str] = {}

    def read(self, name: str) -> bytes | str:
        """The bytes of the content_file ``name``, or the problem with it."""
        if name not in self._read:
            self._read[name] = self._read_once(name)
        return self._read[name]

    def _read_once(self, name: str) -> bytes | str:
        assert self.base_dir is not None, "checked by contents_problems"
        try:
            opened = read_regular_file(
                self.base_dir / name, MAX_CONTENT_FILE_BYTES, inside=self.base_dir
            )
        except UnreadableError as error:
            return _problem_words(quoted(name), error)
        return opened.data


def _problem_words(name: str, error: UnreadableError) -> str:
    """What is wrong with the content_file ``name`` (already quoted and cut short)."""
    if error.kind == "outside":
        return f"{name} leads outside the scenario's folder (a symbolic link)"
    if error.kind == "not_regular":
        return f"{name} is not a file ({error.reason})"
    if error.kind == "too_large":
        return f"{name} is larger than {MAX_CONTENT_FILE_BYTES} bytes"
    return f"cannot read {name}: {error.reason}"


def with_contents(data: dict[str, Any], contents: ContentFiles) -> dict[str, Any]:
    """The data with the bytes of every ``content_file`` (read by the checks) in
    ``CONTENT_BYTES``."""
    uploads = data.get("files", [])
    if not any("content_file" in upload for upload in uploads):
        return data
    files = [
        {**upload, CONTENT_BYTES: _checked_bytes(contents, upload["content_file"])}
        if "content_file" in upload
        else upload
        for upload in uploads
    ]
    return {**data, "files": files}


def _checked_bytes(contents: ContentFiles, name: str) -> bytes:
    content = contents.read(name)
    assert isinstance(content, bytes), "a scenario with a problem builds nothing"
    return content


def contents_problems(
    uploads: list[dict[str, Any]],
    contents: ContentFiles,
    problem: Callable[[YamlPath, str], ScenarioProblem],
) -> Iterator[ScenarioProblem]:
    """Each upload's content, then the bound on all of them together."""
    total = 0
    for index, upload in enumerate(uploads):
        for key, message, size in _content_problems(upload, contents):
            if message:
                yield problem(("files", index, key), message)
            total += size
        if total > defaults.MAX_CONTENT_BYTES:
            limit = defaults.MAX_CONTENT_BYTES
            message = f"the files' content adds up to more than {limit} bytes"
            yield problem(("files", index), message)
            return


def _content_problems(
    upload: dict[str, Any], contents: ContentFiles
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
    if contents.base_dir is None:
        yield "content_file", "only in a scenario read from a file (paths start at its folder)", 0
        return
    content = contents.read(str(upload["content_file"]))
    if isinstance(content, str):
        yield "content_file", content, 0
    else:
        yield "content_file", "", len(content)
