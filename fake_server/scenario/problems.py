"""A refused scenario, and each reason for it with its place (file, line, field)."""

from __future__ import annotations

from typing import NamedTuple

from fake_server.domain.errors import FakeServerError
from fake_server.domain.printable import printable


class ScenarioProblem(NamedTuple):
    source: str
    line: int | None
    field: str
    message: str
    # 1-based, where the reading knows it (a YAML syntax error).
    column: int | None = None

    def __str__(self) -> str:
        # One line each, whatever the scenario's keys and values hold: a key may
        # carry a line break or a terminal's escape sequence.
        place = self.source if self.line is None else f"{self.source}:{self.line}"
        field = f"{self.field}: " if self.field else ""
        return printable(f"{place}: {field}{self.message}")


# A refused scenario lists at most this many problems: enough to fix, and
# the message stays small however broken the scenario is.
MAX_LISTED_PROBLEMS = 50


class ScenarioError(FakeServerError):
    """A scenario was refused; ``problems`` lists the reasons (up to
    ``MAX_LISTED_PROBLEMS``), each with its place."""

    def __init__(self, problems: list[ScenarioProblem]) -> None:
        self.problems = problems[:MAX_LISTED_PROBLEMS]
        lines = [str(problem) for problem in self.problems]
        if len(problems) > MAX_LISTED_PROBLEMS:
            lines.append(f"... and more problems (the first {MAX_LISTED_PROBLEMS} are listed)")
        super().__init__("\n".join(lines))
