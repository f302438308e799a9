"""Every example of the README and of docs/ runs, and shows what it really prints."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from fake_server.cli import main
from fake_server.scenario.loading import parse_scenario
from tests.helpers import REPO_ROOT, StartServer

DOCUMENTS = [REPO_ROOT / "README.md", *sorted((REPO_ROOT / "docs").rglob("*.md"))]
DOCUMENTED_URL = "http://127.0.0.1:8080"
# The examples tested once the README's text moved into docs/ (20 before,
# all in the README): a later move may not lose one.
TESTED_AT_LEAST = 25
FENCED = re.compile(r"(?:<!-- file: (?P<file>\S+) -->\n)?```(?P<lang>\w*)\n(?P<body>.*?)```", re.S)


@dataclass(frozen=True)
class Block:
    language: str
    text: str
    file_name: str | None
    document: str
    line: int

    @property
    def id(self) -> str:
        return f"{self.document}:{self.line}"


def blocks_of(document: Path) -> list[Block]:
    text = document.read_text(encoding="utf-8")
    name = document.relative_to(REPO_ROOT).as_posix()
    return [
        Block(m["lang"], m["body"], m["file"], name, text.count("\n", 0, m.start()) + 1)
        for m in FENCED.finditer(text)
    ]


BLOCKS = [block for document in DOCUMENTS for block in blocks_of(document)]


def of(language: str) -> list[Block]:
    return [block for block in BLOCKS if block.language == language]


def ids(found: list[Block]) -> list[str]:
    return [block.id for block in found]


PYTHON, YAML, CONSOLE, JS = of("python"), of("yaml"), of("console"), of("js")
SCENARIO_EXAMPLES = [block for block in YAML if block.file_name is None]
NAMED_YAML = [block for block in YAML if block.file_name is not None]
CURL = [block for block in of("sh") if block.text.startswith("curl")]


def test_the_documents_have_examples_of_each_kind() -> None:
    assert len(PYTHON) >= 3 and SCENARIO_EXAMPLES and len(CONSOLE) >= 2 and CURL
    assert JS and all(block.file_name for block in JS)
    tested = PYTHON + YAML + CONSOLE + CURL + JS
    assert len(tested) >= TESTED_AT_LEAST


def test_files_named_by_examples_are_named_once() -> None:
    """Console examples read the files other examples name (`typo.yaml`):
    two examples of one name would make the test depend on their order."""
    names = [block.file_name for block in BLOCKS if block.file_name]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("block", JS, ids=ids(JS))
def test_node_examples_are_the_files_tests_node_runs(block: Block) -> None:
    """tests/test_node.py runs them: the documents show exactly what passes."""
    assert block.file_name is not None
    node_file = REPO_ROOT / "tests" / "node" / block.file_name
    assert node_file.read_text(encoding="utf-8") == block.text


@pytest.mark.parametrize("block", PYTHON, ids=ids(PYTHON))
def test_python_examples_run_against_a_fresh_default_server(
    block: Block, start_server: StartServer
) -> None:
    server = start_server()
    code = block.text.replace(DOCUMENTED_URL, server.url)
    exec(compile(code, block.id, "exec"), {})


@pytest.mark.parametrize("block", SCENARIO_EXAMPLES, ids=ids(SCENARIO_EXAMPLES))
def test_scenario_examples_are_valid(block: Block) -> None:
    parse_scenario(block.text, block.id).instantiate()


@pytest.mark.parametrize("block", NAMED_YAML, ids=ids(NAMED_YAML))
def test_named_yaml_files_are_yaml(block: Block) -> None:
    """A CI workflow to copy, or a file a console example reads: YAML that loads."""
    assert isinstance(yaml.safe_load(block.text), dict)


@pytest.mark.parametrize("block", CONSOLE, ids=ids(CONSOLE))
def test_console_examples_print_what_they_show(
    block: Block,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    shutil.copytree(REPO_ROOT / "scenarios", tmp_path / "scenarios")
    for example in YAML:
        if example.file_name:
            (tmp_path / example.file_name).write_text(example.text)
    monkeypatch.chdir(tmp_path)
    command, *expected = block.text.rstrip("\n").splitlines()
    argv = shlex.split(command.removeprefix("$ "))
    assert argv[0] == "fake-server"

    main(argv[1:])

    captured = capsys.readouterr()
    assert (captured.out + captured.err).splitlines() == expected


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
@pytest.mark.parametrize("block", CURL, ids=ids(CURL))
def test_curl_example_prints_what_it_shows(block: Block, start_server: StartServer) -> None:
    server = start_server()
    *command_lines, expected = block.text.rstrip("\n").splitlines()
    command = " ".join(line.rstrip("\\ ") for line in command_lines).replace(
        DOCUMENTED_URL, server.url
    )
    result = subprocess.run(
        shlex.split(command), capture_output=True, text=True, timeout=30, check=True
    )
    assert result.stdout == expected
