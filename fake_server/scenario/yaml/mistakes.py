"""A YAML syntax error in plain words: where it is, a tab named as a tab, a bad
indent explained, instead of the parser's own terms."""

from __future__ import annotations

from typing import NamedTuple

from fake_server.domain.errors import quoted


class Mark(NamedTuple):
    """A place in the text, 1-based, as a reader counts."""

    line: int
    column: int


def plain_words(text: str, problem: str, at: Mark | None, opened: Mark | None) -> str:
    """What went wrong, for a person: ``problem`` is the parser's own words,
    ``at`` where it stopped and ``opened`` where the block it was reading began."""
    if at is not None and _tab_at(text, at):
        return "a tab: YAML indents with spaces only, never tabs; replace the tab with spaces"
    if problem.startswith("mapping values are not allowed"):
        return (
            "a 'key: value' where none can start: is this line indented deeper than "
            "the key above it, or does a value hold ': ' (then put it in quotes)?"
        )
    if problem == "did not find expected key" and opened is not None:
        return (
            "bad indent: this line lines up with none of the keys of the mapping that "
            f"starts at line {opened.line}, column {opened.column}; the keys of one "
            "mapping start at the same column"
        )
    if problem == "did not find expected '-' indicator" and opened is not None:
        return (
            f"bad indent: the list that starts at line {opened.line}, column "
            f"{opened.column} has its items there, each starting with '- '; a line "
            "at that column must be one of its items"
        )
    if problem.startswith("did not find expected ',' or") and opened is not None:
        kind = "list ('[')" if problem.endswith("']'") else "mapping ('{')"
        return (
            f"the {kind} opened at line {opened.line}, column {opened.column} is never "
            "closed, or two of its items lack a ',' between them"
        )
    return quoted(problem)[1:-1]


def _tab_at(text: str, at: Mark) -> bool:
    """Whether a tab is what stopped the parser: at the place itself, or in the
    indent of its line."""
    lines = text.splitlines()
    if not 0 < at.line <= len(lines):
        return False
    line = lines[at.line - 1]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    return "\t" in indent or line[at.column - 1 : at.column] == "\t"
