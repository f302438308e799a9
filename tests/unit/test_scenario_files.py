"""Files a scenario names, tried as an attacker would: the scenario file itself
and its ``content_file``s are opened once, what was opened is checked, and
read bounded. Every failure is one scenario problem with its place, never a
traceback, a hang, or another file's bytes."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from fake_server import defaults
from fake_server.scenario.contents import MAX_CONTENT_FILE_BYTES
from fake_server.scenario.loading import Scenario, load_scenario
from fake_server.scenario.opening import UnreadableError, read_regular_file
from fake_server.scenario.problems import ScenarioError
from tests.helpers import StartServer

RACE_LOADS = 200
SWITCH_SECONDS = 1e-5
INSIDE = b"inside the scenario's folder"
OUTSIDE = b"SECRET: outside the scenario's folder"


def _refusal(path: Path) -> str:
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    return str(raised.value)


def _scenario_naming(folder: Path, name: str) -> Path:
    path = folder / "scenario.yaml"
    # Purpose batch: an assistants upload is not downloadable through /v1.
    entry = f'{{id: file-a, purpose: batch, content_file: "{name}"}}'
    path.write_text(f"files:\n  - {entry}\n", encoding="utf-8")
    return path


# --- a link swapped while the scenario loads ----------------------------------------


@pytest.fixture
def swapping_link(tmp_path: Path) -> Iterator[Path]:
    """A scenario whose content_file is a link that a thread keeps swapping
    between a file inside the folder and one outside it."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_bytes(OUTSIDE)
    folder = tmp_path / "scenario"
    folder.mkdir()
    (folder / "inside.txt").write_bytes(INSIDE)
    link = folder / "content.txt"
    link.symlink_to("inside.txt")
    stop = threading.Event()

    def swap() -> None:
        targets = ("inside.txt", str(tmp_path / "outside" / "secret.txt"))
        turn = 0
        while not stop.is_set():
            turn += 1
            fresh = folder / f".swap-{turn}"
            fresh.symlink_to(targets[turn % 2])
            os.replace(fresh, link)  # atomic: the link always exists

    swapper = threading.Thread(target=swap, daemon=True)
    # Threads take turns often, so that swaps land inside a load.
    interval = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_SECONDS)
    swapper.start()
    try:
        yield _scenario_naming(folder, "content.txt")
    finally:
        stop.set()
        swapper.join(timeout=10)
        sys.setswitchinterval(interval)


def test_a_link_swapped_while_loading_never_brings_in_the_outside_file(
    swapping_link: Path, start_server: StartServer
) -> None:
    loaded: list[Scenario] = []
    refusals: set[str] = set()
    for _ in range(RACE_LOADS):
        try:
            scenario = load_scenario(swapping_link)
        except ScenarioError as error:
            refusals.add(str(error).split(": ", 2)[-1])
            continue
        assert scenario.instantiate().account.file_content("file-a") == INSIDE
        loaded.append(scenario)
    # Each refusal says why, in the scenario's words.
    assert all("'content.txt'" in refusal for refusal in refusals), refusals
    if loaded:
        server = start_server(loaded[-1])
        with server.http_client() as http:
            answer = http.get("/v1/files/file-a/content")
        assert answer.status_code == 200
        assert answer.content == INSIDE


def _swap_to_outside(folder: Path, outside: Path) -> None:
    fresh = folder / ".swap"
    fresh.symlink_to(outside)
    os.replace(fresh, folder / "content.txt")


def _linked_scenario(tmp_path: Path) -> tuple[Path, Path]:
    """A scenario whose content_file is a link to a file inside its folder,
    and a file outside that folder."""
    outside = tmp_path / "secret.txt"
    outside.write_bytes(OUTSIDE)
    folder = tmp_path / "scenario"
    folder.mkdir()
    (folder / "inside.txt").write_bytes(INSIDE)
    (folder / "content.txt").symlink_to("inside.txt")
    return _scenario_naming(folder, "content.txt"), outside


def test_a_link_swapped_just_after_it_was_looked_at_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The swap lands at the worst moment: right after the first look at the file."""
    path, outside = _linked_scenario(tmp_path)
    real_stat = os.stat
    swapped: list[bool] = []

    def stat_then_swap(target: Any, *args: Any, **options: Any) -> os.stat_result:
        status = real_stat(target, *args, **options)
        if not swapped and Path(str(target)).name in {"content.txt", "inside.txt"}:
            swapped.append(True)
            _swap_to_outside(path.parent, outside)
        return status

    monkeypatch.setattr(os, "stat", stat_then_swap)
    try:
        scenario = load_scenario(path)
    except ScenarioError as error:
        assert "files[0].content_file: 'content.txt' leads outside" in str(error)
    else:
        assert scenario.instantiate().account.file_content("file-a") == INSIDE
    assert swapped


def test_a_link_swapped_once_the_file_is_open_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, outside = _linked_scenario(tmp_path)
    real_open = os.open

    def open_then_swap(target: Any, *args: Any, **options: Any) -> int:
        descriptor = real_open(target, *args, **options)
        if Path(str(target)).name == "content.txt":
            _swap_to_outside(path.parent, outside)
        return descriptor

    monkeypatch.setattr(os, "open", open_then_swap)
    scenario = load_scenario(path)
    assert scenario.instantiate().account.file_content("file-a") == INSIDE
    assert (path.parent / "content.txt").resolve() == outside


def test_read_regular_file_reads_the_handle_it_checked(tmp_path: Path) -> None:
    """The opened file's own location is what is checked, not the name's."""
    (tmp_path / "outside.txt").write_bytes(OUTSIDE)
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "link").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(UnreadableError) as raised:
        read_regular_file(folder / "link", 1024, inside=folder)
    assert raised.value.kind == "outside"
    (folder / "inside.txt").write_bytes(INSIDE)
    opened = read_regular_file(folder / "inside.txt", 1024, inside=folder)
    assert opened.data == INSIDE
    assert opened.location == (folder / "inside.txt").resolve()


# --- content_file: every way a named file can be wrong -----------------------------


def _link_loop(folder: Path) -> str:
    (folder / "loop").symlink_to("loop")
    return "loop"


def _nul_byte(_: Path) -> str:
    return "a\\0b.txt"  # YAML's escape: the name holds a NUL


def _long_missing_name(_: Path) -> str:
    return "x" * 5000


def _fifo(folder: Path) -> str:
    os.mkfifo(folder / "fifo")
    return "fifo"


def _directory(folder: Path) -> str:
    (folder / "docs").mkdir()
    return "docs"


def _missing(_: Path) -> str:
    return "nope.txt"


def _device_link(folder: Path) -> str:
    (folder / "zero").symlink_to("/dev/zero")
    return "zero"


def _too_large(folder: Path) -> str:
    with (folder / "big.bin").open("wb") as big:
        big.truncate(MAX_CONTENT_FILE_BYTES + 1)  # sparse: refused by its size, unread
    return "big.bin"


CONTENT_FILE_CASES = {
    "a link loop": (_link_loop, "cannot read 'loop': Too many levels of symbolic links"),
    "a NUL byte": (_nul_byte, "cannot read 'a\\x00b.txt': the name holds a NUL byte"),
    "a 5,000-character name": (
        _long_missing_name,
        f"cannot read '{'x' * 64}... (5000 characters)': File name too long",
    ),
    "a FIFO": (_fifo, "'fifo' is not a file (a FIFO)"),
    "a directory": (_directory, "'docs' is not a file (a directory)"),
    "a missing file": (_missing, "cannot read 'nope.txt': No such file or directory"),
    "a link to /dev/zero": (_device_link, "'zero' is not a file (a character device)"),
    "a file over the limit": (
        _too_large,
        f"'big.bin' is larger than {MAX_CONTENT_FILE_BYTES} bytes",
    ),
}


@pytest.mark.parametrize("case", list(CONTENT_FILE_CASES))
def test_a_content_file_that_cannot_be_read_is_one_problem_with_its_place(
    tmp_path: Path, case: str
) -> None:
    make, words = CONTENT_FILE_CASES[case]
    path = _scenario_naming(tmp_path, make(tmp_path))
    started = time.monotonic()
    refusal = _refusal(path)
    assert time.monotonic() - started < 10
    assert refusal == f"{path}:2: files[0].content_file: {words}"
    assert len(refusal) < len(str(path)) + 200, "names are echoed cut short"


# --- the scenario file itself --------------------------------------------------------


def _scenario_loop(folder: Path) -> Path:
    (folder / "loop.yaml").symlink_to("loop.yaml")
    return folder / "loop.yaml"


def _scenario_fifo(folder: Path) -> Path:
    os.mkfifo(folder / "fifo.yaml")
    return folder / "fifo.yaml"


def _scenario_directory(folder: Path) -> Path:
    (folder / "dir.yaml").mkdir()
    return folder / "dir.yaml"


def _scenario_too_large(folder: Path) -> Path:
    with (folder / "big.yaml").open("wb") as big:
        big.truncate(defaults.MAX_SCENARIO_BYTES + 1)
    return folder / "big.yaml"


SCENARIO_FILE_CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "/dev/zero": (lambda _: Path("/dev/zero"), "not a regular file (a character device)"),
    "a FIFO": (_scenario_fifo, "not a regular file (a FIFO)"),
    "a directory": (_scenario_directory, "not a regular file (a directory)"),
    "a missing file": (lambda folder: folder / "missing.yaml", "No such file or directory"),
    "a link loop": (_scenario_loop, "Too many levels of symbolic links"),
    "a NUL byte": (lambda folder: folder / "a\0b.yaml", "the name holds a NUL byte"),
    "a file over the limit": (
        _scenario_too_large,
        f"larger than the limit of {defaults.MAX_SCENARIO_BYTES} bytes",
    ),
}


@pytest.mark.parametrize("case", list(SCENARIO_FILE_CASES))
def test_a_scenario_file_that_cannot_be_read_is_one_problem(tmp_path: Path, case: str) -> None:
    make, words = SCENARIO_FILE_CASES[case]
    path = make(tmp_path)
    started = time.monotonic()
    assert _refusal(path) == f"{path}: cannot read: {words}".replace("\0", "\\x00")
    assert time.monotonic() - started < 10


def test_a_file_that_reports_no_size_is_still_read_bounded() -> None:
    """A regular file may say it is empty and hold more (the kernel's files do),
    or grow while it is read: the limit holds while reading, too."""
    status = Path("/proc/self/status")
    if not status.is_file() or status.stat().st_size != 0:
        pytest.skip("no /proc files that report no size here")
    with pytest.raises(UnreadableError) as raised:
        read_regular_file(status, 16)
    assert raised.value.kind == "too_large"
    assert read_regular_file(status, 1 << 20).data.startswith(b"Name:")


def test_put_takes_a_scenario_to_the_same_limit(start_server: StartServer) -> None:
    server = start_server(own=True)
    body = b"#" * (defaults.MAX_SCENARIO_BYTES + 1)
    refused = httpx.put(f"{server.url}/__fake__/scenario", content=body, timeout=60)
    assert refused.status_code == 413
    assert str(defaults.MAX_SCENARIO_BYTES) in refused.json()["error"]["message"]


def test_a_scenario_file_through_a_link_reads_content_files_beside_its_target(
    tmp_path: Path,
) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.txt").write_bytes(INSIDE)
    target = _scenario_naming(real, "a.txt")
    (tmp_path / "alias.yaml").symlink_to(target)
    scenario = load_scenario(tmp_path / "alias.yaml")
    assert scenario.instantiate().account.file_content("file-a") == INSIDE


def test_line_breaks_read_as_text_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "crlf.yaml"
    path.write_bytes(b"vector_stores:\r\n  - {id: vs_a, nme: x}\r\n")
    assert _refusal(path).startswith(f"{path}:2: vector_stores[0].nme: unknown key")
