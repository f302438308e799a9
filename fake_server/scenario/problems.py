"""A refused scenario, and each reason for it with its place (file, line, field)."""

from __future__ import annotations

from typing import NamedTuple

from fake_server.domain.errors import FakeServerError


class ScenarioProblem(NamedTuple):
    source: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        place = self.source if self.line is None else f"{self.source}:{self.line}"
        return (
            f"{place}: {self.field}: {self.message}" if self.field else f"{place}: {self.message}"
        )


class ScenarioError(FakeServerError):
    """A scenario was refused; ``problems`` lists every reason, each with its place."""

    def __init__(self, problems: list[ScenarioProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))
