"""A model response in domain words: the question asked, the answer composed from
search hits, its citations and its usage.

fake_server runs no model. A response's text is built the same way every
time: one sentence of each of the top hits, in rank order, each followed by
a citation of its file; or, when a scenario scripts a reply for the
question, the scripted text citing the files it names. Usage counts words
as tokens (``search_text.tokens``): what the "model" read (instructions,
input, the results it was given) and what it wrote.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from fake_server import defaults
from fake_server.domain.errors import (
    InvalidRequestError,
    PatternTimeoutError,
    quoted,
    shortened,
)
from fake_server.domain.search import Hit, results_wanted
from fake_server.domain.search_text import tokens

if TYPE_CHECKING:
    import regex

FILE_SEARCH = "file_search"
# ``include`` asking for the search results in the file_search_call item.
RESULTS_INCLUDE = "file_search_call.results"
# The text of an answer no searched file could support.
NOTHING_FOUND = "The files searched hold nothing about that question."
# The text of an answer given without a file_search tool.
NO_FILE_SEARCH = "fake_server answers from vector stores: give a file_search tool to search them."

_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


class FileSearchTool(NamedTuple):
    vector_store_ids: tuple[str, ...]
    max_num_results: int
    score_threshold: float
    filters: Mapping[str, Any] | None
    # The tool as the response shows it (what was sent, with its defaults).
    shown: Mapping[str, Any]


class InputItem(NamedTuple):
    """One message of the input, as input_items lists it."""

    id: str
    role: str
    text: str


class AskRequest(NamedTuple):
    model: str
    # The messages as given, without ids: (role, text).
    messages: tuple[tuple[str, str], ...]
    instructions: str | None
    tool: FileSearchTool | None
    include_results: bool
    metadata: Mapping[str, Any]
    store: bool
    stream: bool
    # The stored response this one follows (it must exist); shown, not read.
    previous_response_id: str | None = None

    @property
    def question(self) -> str:
        """The text of the last user message: what the search looks for."""
        return next(text for role, text in reversed(self.messages) if role == "user")


class ScriptedReply(NamedTuple):
    """A scenario's reply to questions matching ``pattern`` (or exactly ``question``)."""

    question: str | None
    pattern: regex.Pattern[str] | None
    text: str
    # Files to cite, when the search found them; None: the top hits, as by default.
    cite: tuple[str, ...] | None


class Citation(NamedTuple):
    file_id: str
    filename: str
    # Where in the text the citation stands (just after what it supports).
    at: int
    # Where in the text what it supports starts.
    start: int


class Answer(NamedTuple):
    text: str
    citations: tuple[Citation, ...]


class Usage(NamedTuple):
    input_tokens: int
    output_tokens: int

    @property
    def total_tokens(self) -> int:
        return self.input_tokens + self.output_tokens


class SearchCall(NamedTuple):
    id: str
    queries: tuple[str, ...]
    hits: tuple[Hit, ...]
    # Files of the searched stores still in progress when it ran: asked too early.
    waiting: int


class ModelResponse(NamedTuple):
    """One answered request, as a store keeps it and every rendering reads it."""

    id: str
    created_at: int
    request: AskRequest
    input_items: tuple[InputItem, ...]
    search: SearchCall | None
    message_id: str
    answer: Answer
    usage: Usage
    # The end user it was made for (None: the whole account).
    actor: str | None


def parse_request(body: Mapping[str, Any]) -> AskRequest:
    """A create request's body (its shape checked against the schema already), in
    domain words; a tool other than ``file_search`` is refused, and so is what the
    fake cannot do (``background``) or keep (``input`` beyond its bounds)."""
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidRequestError("Missing required parameter: 'model'.", "model")
    if body.get("background") is True:
        raise InvalidRequestError(
            "Invalid 'background': fake_server answers every response in the foreground, "
            "complete when created; leave 'background' out or false.",
            "background",
            "unsupported_parameter",
        )
    messages = _messages(body.get("input"))
    instructions = body.get("instructions")
    include = body.get("include") or ()
    metadata = body.get("metadata")
    previous = body.get("previous_response_id")
    request = AskRequest(
        model=model,
        messages=messages,
        instructions=instructions if isinstance(instructions, str) else None,
        tool=_file_search_tool(body.get("tools") or ()),
        include_results=RESULTS_INCLUDE in include,
        metadata=metadata if isinstance(metadata, dict) else {},
        store=body.get("store") is not False,
        stream=body.get("stream") is True,
        previous_response_id=previous if isinstance(previous, str) else None,
    )
    _check_kept(request)
    return request


def _check_kept(request: AskRequest) -> None:
    """What a response keeps of its request stays within RESPONSE_MAX_CHARACTERS:
    the model, instructions, messages, metadata and tool, each JSON value beyond a
    string's text counted as VALUE_CHARACTERS."""
    kept = len(request.model) + len(request.instructions or "")
    kept += len(request.previous_response_id or "")
    kept += sum(len(role) + len(text) + VALUE_CHARACTERS for role, text in request.messages)
    kept += _characters(request.metadata)
    if request.tool is not None:
        kept += _characters(request.tool.shown)
    limit = defaults.RESPONSE_MAX_CHARACTERS
    if kept > limit:
        raise InvalidRequestError(
            f"Invalid 'input': the request holds {kept} characters (its model, instructions, "
            f"input, metadata and tools), more than the {limit} fake_server keeps for a "
            "response. Send less.",
            "input",
            "string_above_max_length",
        )


# What a JSON value other than a string's text counts for in RESPONSE_MAX_CHARACTERS.
VALUE_CHARACTERS = 16


def _characters(value: Any) -> int:
    """A JSON value's size in characters: its strings' lengths, VALUE_CHARACTERS a value."""
    total = 0
    stack = [value]
    while stack:  # bounded: every value of a parsed body is visited once
        item = stack.pop()
        total += VALUE_CHARACTERS
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, Mapping):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return total


def _messages(given: Any) -> tuple[tuple[str, str], ...]:
    if isinstance(given, list) and len(given) > defaults.RESPONSE_MAX_INPUT_MESSAGES:
        limit = defaults.RESPONSE_MAX_INPUT_MESSAGES
        raise InvalidRequestError(
            "Invalid 'input': array too long. Expected an array with maximum length "
            f"{limit}, but got an array with length {len(given)} instead "
            f"(fake_server keeps at most {limit} input messages a response).",
            "input",
            "array_above_max_length",
        )
    if isinstance(given, str):
        messages: tuple[tuple[str, str], ...] = (("user", given),)
    elif isinstance(given, list):
        messages = tuple(
            (item["role"], _text_of(item.get("content")))
            for item in given
            if isinstance(item, dict) and isinstance(item.get("role"), str)
        )
    else:
        messages = ()
    if not any(role == "user" and text.strip() for role, text in messages):
        raise InvalidRequestError(
            "Invalid 'input': give the question as a string, or as a user message with text.",
            "input",
        )
    return messages


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return ""
    return " ".join(
        part["text"]
        for part in content
        if isinstance(part, dict) and isinstance(part.get("text"), str)
    )


def _file_search_tool(tools: Sequence[Any]) -> FileSearchTool | None:
    found: FileSearchTool | None = None
    for index, tool in enumerate(tools):
        kind = tool.get("type") if isinstance(tool, dict) else None
        if kind != FILE_SEARCH:
            raise InvalidRequestError(
                f"Invalid 'tools[{index}].type': {quoted(shortened(str(kind)))}. fake_server "
                "serves the file_search tool only: it runs no other tool.",
                f"tools[{index}].type",
                "unsupported_tool",
            )
        if found is not None:
            raise InvalidRequestError(
                "Invalid 'tools': give one file_search tool (it may name several vector stores).",
                f"tools[{index}]",
            )
        found = _one_tool(tool, index)
    return found


def _one_tool(tool: Mapping[str, Any], index: int) -> FileSearchTool:
    ids = tool.get("vector_store_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise InvalidRequestError(
            f"Invalid 'tools[{index}].vector_store_ids': name at least one vector store.",
            f"tools[{index}].vector_store_ids",
        )
    ranking = tool.get("ranking_options") or {}
    threshold = float(ranking.get("score_threshold") or 0.0)
    if not 0.0 <= threshold <= 1.0:
        where = f"tools[{index}].ranking_options.score_threshold"
        raise InvalidRequestError(
            f"Invalid '{where}': {threshold:g} is not a score: give a number from 0 to 1.",
            where,
            "invalid_value",
        )
    wanted = results_wanted(tool.get("max_num_results"))
    shown = {
        "type": FILE_SEARCH,
        "vector_store_ids": list(dict.fromkeys(ids)),
        "filters": tool.get("filters"),
        "max_num_results": wanted,
        "ranking_options": {
            "ranker": ranking.get("ranker") or "auto",
            "score_threshold": threshold,
        },
    }
    return FileSearchTool(tuple(dict.fromkeys(ids)), wanted, threshold, tool.get("filters"), shown)


def compose(hits: Sequence[Hit], reply: ScriptedReply | None = None) -> Answer:
    """The answer's text and citations: a scripted reply, else a sentence per top hit."""
    if reply is not None:
        cited = _cited(hits, reply.cite)
        at = len(reply.text)
        return Answer(reply.text, tuple(Citation(h.file_id, h.filename, at, 0) for h in cited))
    if not hits:
        return Answer(NOTHING_FOUND, ())
    text = ""
    citations: list[Citation] = []
    for hit in hits[: defaults.RESPONSE_CITATIONS]:
        sentence = first_sentence(hit.content[0] if hit.content else "")
        if not sentence:
            continue
        start = len(text) + 1 if text else 0
        text = f"{text} {sentence}" if text else sentence
        citations.append(Citation(hit.file_id, hit.filename, len(text), start))
    return Answer(text, tuple(citations)) if text else Answer(NOTHING_FOUND, ())


def _cited(hits: Sequence[Hit], files: tuple[str, ...] | None) -> list[Hit]:
    if files is None:
        return list(hits[: defaults.RESPONSE_CITATIONS])
    first: dict[str, Hit] = {}
    for hit in hits:
        first.setdefault(hit.file_id, hit)
    return [first[file_id] for file_id in files if file_id in first]


def first_sentence(text: str) -> str:
    """The text's first sentence, its whitespace made single spaces, cut at a word."""
    limit = defaults.RESPONSE_SENTENCE_CHARACTERS
    flat = " ".join(text[: limit * 2].split())
    end = _SENTENCE_END.search(flat)
    sentence = flat[: end.start()] if end is not None else flat
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0] + "..."
    return sentence


def usage(request: AskRequest, hits: Sequence[Hit], answer: Answer) -> Usage:
    """Words as tokens: what was read (instructions, input, results), what was written."""
    read = sum(len(tokens(text)) for _, text in request.messages)
    read += len(tokens(request.instructions or ""))
    read += sum(len(tokens(part)) for hit in hits for part in hit.content)
    return Usage(read, len(tokens(answer.text)))


def reply_for(question: str, replies: Sequence[ScriptedReply]) -> ScriptedReply | None:
    """The first scripted reply whose question or pattern matches."""
    for reply in replies:
        if reply.pattern is None:
            if reply.question == question:
                return reply
        else:
            try:
                if reply.pattern.search(question, timeout=defaults.SEARCH_PATTERN_SECONDS):
                    return reply
            except TimeoutError:
                pattern = reply.pattern.pattern
                raise PatternTimeoutError(pattern, defaults.SEARCH_PATTERN_SECONDS) from None
    return None
