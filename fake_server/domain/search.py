"""Deterministic search over a vector store: scripted answers, else a lexical ranking.

A test steers search in one of two ways. A scenario may script answers per
vector store (a query, exact or a regular expression, and the results to
return); otherwise the completed files' text is split into chunks (by each
file's chunking strategy) and ranked with BM25 over lower-cased word tokens.
Scores are scaled into [0, 1] (the best chunk of the corpus for the query
scores at most 1) so ``ranking_options.score_threshold`` means the same for
both sources. Filters compare file attributes as the spec describes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeGuard

from fake_server import defaults
from fake_server.domain.clock import stopwatch
from fake_server.domain.errors import InvalidRequestError, PatternTimeoutError
from fake_server.domain.search_index import Ranked, SearchIndex
from fake_server.domain.search_text import Document, tokens
from fake_server.domain.slices import WAIT, Steps, finish

if TYPE_CHECKING:
    import regex

__all__ = [
    "MAX_RESULTS",
    "STOP_WORDS",
    "WAIT",
    "Document",
    "Hit",
    "ScriptedAnswer",
    "ScriptedResult",
    "SearchIndex",
    "SearchRequest",
    "Steps",
    "compile_pattern",
    "finish",
    "matches",
    "results_wanted",
    "rewritten",
    "same_json",
    "search",
    "search_queries",
    "search_steps",
    "tokens",
]

# The most results one search returns (``max_num_results``), in every dialect.
MAX_RESULTS = 50

# Words a rewritten query drops (``rewrite_query``): the real API rewrites
# natural language into keywords; the fake does the same, deterministically.
_STOP_WORDS = (
    "a an and are as at be by can do does for from how i in is it me of on or "
    "please show tell that the this to was what when where which who why with you"
)
STOP_WORDS = frozenset(_STOP_WORDS.split(" "))


class ScriptedResult(NamedTuple):
    """One scripted result; what it leaves out (None) is the file's own."""

    file_id: str
    score: float = 1.0
    filename: str | None = None
    attributes: Mapping[str, Any] | None = None
    content: Sequence[str] | None = None


class ScriptedAnswer(NamedTuple):
    """Results a scenario gives for a query: matched exactly, or by ``pattern``."""

    query: str | None
    pattern: regex.Pattern[str] | None
    results: Sequence[ScriptedResult]

    def matches(self, query: str, seconds_left: float = defaults.SEARCH_PATTERN_SECONDS) -> bool:
        """Whether the query is this answer's; a pattern gets ``seconds_left`` of the
        search's budget, and PatternTimeoutError when that runs out."""
        if self.pattern is None:
            return self.query == query
        budget = defaults.SEARCH_PATTERN_SECONDS
        if seconds_left <= 0:
            raise PatternTimeoutError(self.pattern.pattern, budget)
        try:
            return self.pattern.search(query, timeout=seconds_left) is not None
        except TimeoutError:
            raise PatternTimeoutError(self.pattern.pattern, budget) from None


def compile_pattern(pattern: str) -> regex.Pattern[str]:
    """A scenario's search pattern, compiled by ``regex`` (re's syntax and some of
    its own), whose matches can be stopped. ValueError says why it is not one."""
    import regex  # noqa: PLC0415 -- only scenarios with patterns pay its ~30 ms import

    try:
        return regex.compile(pattern)
    except regex.error as error:
        raise ValueError(str(error)) from None
    except RecursionError:  # regex's compiler recurses once per nested group
        raise ValueError("its groups are nested too deeply") from None


class SearchRequest(NamedTuple):
    queries: Sequence[str]
    max_num_results: int = defaults.SEARCH_RESULTS
    score_threshold: float = 0.0
    rewrite_query: bool = False
    filters: Mapping[str, Any] | None = None
    scripted: Sequence[ScriptedAnswer] = ()


class Hit(NamedTuple):
    file_id: str
    filename: str
    score: float
    attributes: Mapping[str, Any]
    content: Sequence[str]


class _Candidate(NamedTuple):
    """A hit whose text is cut only if it is returned."""

    file_id: str
    filename: str
    score: float
    attributes: Mapping[str, Any]
    content: Callable[[], Sequence[str]]


def results_wanted(value: int | None) -> int:
    """``max_num_results`` as sent (None: the default); outside 1..MAX_RESULTS it is
    refused as the request schemas refuse it, whatever the dialect's schema says."""
    if value is None:
        return defaults.SEARCH_RESULTS
    if value < 1:
        problem = f"{value} is less than the minimum of 1"
    elif value > MAX_RESULTS:
        problem = f"{value} is greater than the maximum of {MAX_RESULTS}"
    else:
        return value
    raise InvalidRequestError(f"Invalid 'max_num_results': {problem}", param="max_num_results")


def rewritten(query: str) -> str:
    """The query as ``rewrite_query`` sends it on: lower-cased keywords, stop words out."""
    kept = [word for word in tokens(query) if word not in STOP_WORDS]
    return " ".join(kept) or query


def search_queries(request: SearchRequest) -> list[str]:
    if request.rewrite_query:
        return [rewritten(query) for query in request.queries]
    return list(request.queries)


def search(
    documents: Sequence[Document], request: SearchRequest, index: SearchIndex | None = None
) -> list[Hit]:
    """``search_steps`` run to its end."""
    return finish(search_steps(documents, request, index))


def search_steps(
    documents: Sequence[Document], request: SearchRequest, index: SearchIndex | None = None
) -> Steps[list[Hit]]:
    """The hits for ``request`` among ``documents`` (the store's searchable files, in
    its order, a list that does not change once given), in slices of work (see
    ``slices``); ``index`` is the store's, else one is built for this search."""
    queries = search_queries(request)
    joined = " ".join(queries)
    # One budget for all of a search's patterns: many patterns that each stay
    # under it must not hold the server for their sum.
    elapsed = stopwatch()
    for answer in request.scripted:
        if answer.matches(joined, defaults.SEARCH_PATTERN_SECONDS - elapsed()):
            # Scripted hits still obey filters and thresholds, and name only
            # files the store can search (completed, still attached).
            searchable = {document.file_id: document for document in documents}
            hits = (
                _scripted_hit(result, searchable[result.file_id])
                for result in answer.results
                if result.file_id in searchable
            )
            return _finish(hits, request)
    ranked = yield from (index or SearchIndex()).rank_steps(documents, tokens(joined))
    return _finish(map(_ranked_hit, ranked), request)


def _scripted_hit(result: ScriptedResult, document: Document) -> _Candidate:
    def content() -> Sequence[str]:
        return tuple(result.content) if result.content is not None else (document.decoded(),)

    return _Candidate(
        result.file_id,
        result.filename if result.filename is not None else document.filename,
        result.score,
        result.attributes if result.attributes is not None else document.attributes,
        content,
    )


def _ranked_hit(ranked: Ranked) -> _Candidate:
    document = ranked.document
    return _Candidate(
        document.file_id,
        document.filename,
        ranked.score,
        document.attributes,
        lambda: (ranked.chunk(),),
    )


def _finish(candidates: Iterable[_Candidate], request: SearchRequest) -> list[Hit]:
    """The hits above the threshold that pass the filters, up to the limit."""
    kept: list[Hit] = []
    for hit in candidates:
        if len(kept) >= request.max_num_results:
            break
        if hit.score >= request.score_threshold and (
            request.filters is None or matches(request.filters, hit.attributes)
        ):
            kept.append(Hit(hit.file_id, hit.filename, hit.score, hit.attributes, hit.content()))
    return kept


def matches(condition: Mapping[str, Any], attributes: Mapping[str, Any]) -> bool:
    """Whether ``attributes`` satisfy a ComparisonFilter or CompoundFilter. Values
    compare as JSON values: a boolean, a number and a string are never equal, and
    only numbers or only strings are ordered (1 and 1.0 are one number)."""
    kind = condition.get("type", "eq")
    if kind in ("and", "or"):
        results = (matches(part, attributes) for part in condition.get("filters", []))
        return all(results) if kind == "and" else any(results)
    key, value = str(condition.get("key")), condition.get("value")
    if key not in attributes:
        # A missing attribute matches only "not equal" and "not in".
        return kind in ("ne", "nin")
    actual = attributes[key]
    if kind == "eq":
        return same_json(actual, value)
    if kind == "ne":
        return not same_json(actual, value)
    if kind in ("in", "nin"):
        inside = isinstance(value, list) and any(same_json(actual, item) for item in value)
        return inside if kind == "in" else not inside
    if _is_number(actual) and _is_number(value):
        return _ordered(kind, float(actual), float(value))
    if isinstance(actual, str) and isinstance(value, str):
        return _ordered(kind, actual, value)
    return False


def same_json(left: Any, right: Any) -> bool:
    """Whether two JSON values are one value: of one JSON type, and equal."""
    if _is_number(left) and _is_number(right):
        return bool(left == right)
    return _json_type(left) is _json_type(right) and bool(left == right)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _json_type(value: Any) -> type:
    # bool before int: in Python a boolean is an int, in JSON it is not a number.
    for kind in (bool, str, list, dict, type(None)):
        if isinstance(value, kind):
            return kind
    return float if _is_number(value) else type(value)


def _ordered(kind: str, actual: Any, value: Any) -> bool:
    if kind == "gt":
        return bool(actual > value)
    if kind == "gte":
        return bool(actual >= value)
    if kind == "lt":
        return bool(actual < value)
    return bool(actual <= value)
