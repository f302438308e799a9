"""Search, chunking and content bounds, as pure functions of the domain."""

from __future__ import annotations

import pytest

from fake_server.domain.account import Account
from fake_server.domain.clock import VirtualClock
from fake_server.domain.content import ContentLimitError, ContentStore, chunks
from fake_server.domain.errors import PatternTimeoutError
from fake_server.domain.search import (
    Document,
    Hit,
    ScriptedAnswer,
    ScriptedResult,
    SearchRequest,
    compile_pattern,
    matches,
    rewritten,
    search,
)

ATTRIBUTES = {"kind": "report", "year": 2024, "draft": False}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"type": "eq", "key": "kind", "value": "report"}, True),
        ({"type": "ne", "key": "kind", "value": "report"}, False),
        ({"type": "gt", "key": "year", "value": 2023}, True),
        ({"type": "gte", "key": "year", "value": 2024}, True),
        ({"type": "lt", "key": "year", "value": 2024}, False),
        ({"type": "lte", "key": "year", "value": 2024.0}, True),
        ({"type": "gt", "key": "kind", "value": 3}, False),
        ({"type": "in", "key": "kind", "value": ["memo", "report"]}, True),
        ({"type": "nin", "key": "kind", "value": ["memo", "report"]}, False),
        ({"type": "eq", "key": "draft", "value": False}, True),
        ({"type": "eq", "key": "missing", "value": 1}, False),
        ({"type": "ne", "key": "missing", "value": 1}, True),
        (
            {
                "type": "and",
                "filters": [
                    {"type": "eq", "key": "kind", "value": "report"},
                    {
                        "type": "or",
                        "filters": [
                            {"type": "lt", "key": "year", "value": 2000},
                            {"type": "eq", "key": "draft", "value": False},
                        ],
                    },
                ],
            },
            True,
        ),
        ({"type": "and", "filters": [{"type": "eq", "key": "year", "value": 1}]}, False),
    ],
)
def test_filters_compare_attributes(condition: dict[str, object], expected: bool) -> None:
    assert matches(condition, ATTRIBUTES) is expected


def test_chunks_follow_the_strategy() -> None:
    text = " ".join(f"w{n}" for n in range(10))
    strategy = {"type": "static", "static": {"max_chunk_size_tokens": 4, "chunk_overlap_tokens": 2}}
    assert chunks(text, strategy) == ["w0 w1 w2 w3", "w2 w3 w4 w5", "w4 w5 w6 w7", "w6 w7 w8 w9"]
    assert chunks(text, None) == [text]
    assert chunks("   ", None) == []


def test_the_ranking_finds_the_best_chunk_and_scales_scores() -> None:
    strategy = {"type": "static", "static": {"max_chunk_size_tokens": 3, "chunk_overlap_tokens": 0}}
    documents = [
        Document("file-a", "a.txt", {}, "red green blue yellow apple apple", strategy),
        Document("file-b", "b.txt", {}, "apple pie", None),
        Document("file-c", "c.txt", {}, "nothing here", None),
    ]
    hits = search(documents, SearchRequest(["apple"]))
    assert [hit.file_id for hit in hits] == ["file-a", "file-b"]
    assert hits[0].score == 1.0 and 0 < hits[1].score <= 1.0
    assert hits[0].content == ("yellow apple apple",)


def test_rewrite_drops_stop_words() -> None:
    assert rewritten("What is the Refund policy?") == "refund policy"
    assert rewritten("the") == "the"


def test_scripted_answers_win_by_exact_query_or_pattern() -> None:
    hit = Hit("file-a", "a.txt", 0.5, {"k": "v"}, ("scripted",))
    scripted = (
        ScriptedAnswer(
            "exact words",
            None,
            (ScriptedResult("file-a", 0.5, content=["scripted"]), ScriptedResult("file-gone")),
        ),
        ScriptedAnswer(None, compile_pattern("^ref"), (ScriptedResult("file-a", 0.9),)),
    )
    documents = [Document("file-a", "a.txt", {"k": "v"}, "unrelated", None)]
    assert search(documents, SearchRequest(["exact words"], scripted=scripted)) == [hit]
    by_pattern = search(documents, SearchRequest(["refunds"], scripted=scripted))
    assert by_pattern == [Hit("file-a", "a.txt", 0.9, {"k": "v"}, ("unrelated",))]
    assert search(documents, SearchRequest(["other"], scripted=scripted)) == []
    below = SearchRequest(["exact words"], score_threshold=0.6, scripted=scripted)
    assert search(documents, below) == []


def test_content_is_bounded_per_account() -> None:
    store = ContentStore(limit=10)
    store.put("file-a", b"12345678")
    with pytest.raises(ContentLimitError):
        store.put("file-b", b"123")
    store.discard("file-a")
    store.put("file-b", b"123")
    assert store.total == 3


def test_an_upload_past_the_budget_changes_nothing() -> None:
    account = Account(VirtualClock(0))
    account.contents.limit = 4
    account.upload_file("a.txt", 3, "assistants", content=b"abc")
    with pytest.raises(ContentLimitError):
        account.upload_file("b.txt", 3, "assistants", content=b"def")
    assert account.contents.total == 3


def test_a_pattern_that_backtracks_without_end_is_stopped() -> None:
    # Exponential in the query's length for a backtracking matcher: 2**40 paths.
    answer = ScriptedAnswer(None, compile_pattern("(a|aa)+$"), ())
    with pytest.raises(PatternTimeoutError) as raised:
        answer.matches("a" * 40 + "!")
    assert raised.value.pattern == "(a|aa)+$"
    assert answer.matches("aaaa")


def test_a_searchs_patterns_share_one_time_budget() -> None:
    # Each of these takes about a tenth of the budget on this query (a few ms);
    # a hundred of them in a row would hold the server for their sum, and with
    # a budget per pattern the search would answer nothing instead of refusing.
    slow = [
        ScriptedAnswer(None, compile_pattern(f"(a|aa)+$|^zz{index}"), ()) for index in range(100)
    ]
    with pytest.raises(PatternTimeoutError):
        search([], SearchRequest(["a" * 20 + "!"], scripted=slow))


def test_a_pattern_nested_too_deeply_is_no_regular_expression() -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        compile_pattern("(?:" * 300 + "a" + ")" * 300)
