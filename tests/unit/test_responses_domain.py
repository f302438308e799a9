"""The Responses API's domain: a request in domain words, the composed answer, the
stored responses' bound."""

from __future__ import annotations

import pytest

from fake_server import defaults
from fake_server.domain import answers
from fake_server.domain.errors import InvalidRequestError, NotFoundError
from fake_server.domain.file_search import ResponseStore
from fake_server.domain.search import Hit, compile_pattern

HITS = [
    Hit("file-a", "a.md", 0.9, {}, ("Refunds take 14 days.   Then more text.",)),
    Hit("file-b", "b.md", 0.5, {}, ("Parcels ship fast! Always.",)),
    Hit("file-c", "c.md", 0.4, {}, ("Returns need a receipt.",)),
    Hit("file-d", "d.md", 0.3, {}, ("A fourth result, never cited.",)),
]


def test_the_answer_is_a_sentence_of_each_top_hit_each_cited_where_it_ends() -> None:
    answer = answers.compose(HITS)
    assert answer.text == "Refunds take 14 days. Parcels ship fast! Returns need a receipt."
    assert [c.file_id for c in answer.citations] == ["file-a", "file-b", "file-c"]
    for citation in answer.citations:
        cited = answer.text[citation.start : citation.at]
        assert cited.endswith((".", "!"))
    assert answers.compose(HITS) == answer  # the same every time


def test_no_hits_is_an_answer_citing_nothing() -> None:
    assert answers.compose([]) == answers.Answer(answers.NOTHING_FOUND, ())


def test_a_long_sentence_is_cut_at_a_word() -> None:
    sentence = answers.first_sentence("word " * 500)
    assert len(sentence) <= defaults.RESPONSE_SENTENCE_CHARACTERS + 3
    assert sentence.endswith("word...")


def test_a_scripted_reply_cites_only_files_the_search_found() -> None:
    reply = answers.ScriptedReply(
        None, compile_pattern("(?i)refund"), "Scripted.", ("file-x", "file-b")
    )
    found = answers.reply_for("About refunds?", [reply])
    assert found is reply
    answer = answers.compose(HITS, found)
    assert answer.text == "Scripted."
    assert [(c.file_id, c.at) for c in answer.citations] == [("file-b", len("Scripted."))]
    assert answers.reply_for("shipping", [reply]) is None


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"model": "m", "input": "q", "tools": [{"type": "web_search"}]}, "tools[0].type"),
        (
            {
                "model": "m",
                "input": "q",
                "tools": [{"type": "file_search", "vector_store_ids": []}],
            },
            "tools[0].vector_store_ids",
        ),
        ({"model": "m", "input": [{"role": "assistant", "content": "hi"}]}, "input"),
        ({"model": "m", "input": "   "}, "input"),
        ({"input": "q"}, "model"),
        (
            {
                "model": "m",
                "input": "q",
                "tools": [
                    {"type": "file_search", "vector_store_ids": ["vs_1"], "max_num_results": 51}
                ],
            },
            "max_num_results",
        ),
    ],
)
def test_refused_requests_name_their_parameter(body: dict[str, object], param: str) -> None:
    with pytest.raises(InvalidRequestError) as refused:
        answers.parse_request(body)
    assert refused.value.param == param


def test_the_question_is_the_last_user_message() -> None:
    request = answers.parse_request(
        {
            "model": "m",
            "input": [
                {"role": "user", "content": "first"},
                {"role": "assistant", "content": "reply"},
                {"role": "user", "content": [{"type": "input_text", "text": "second"}]},
            ],
            "include": ["file_search_call.results"],
            "store": False,
        }
    )
    assert request.question == "second"
    assert request.include_results and not request.store and request.tool is None


def _response(number: int, actor: str | None = None) -> answers.ModelResponse:
    request = answers.parse_request({"model": "m", "input": "q"})
    answer = answers.compose([])
    return answers.ModelResponse(
        f"resp_{number}",
        0,
        request,
        (),
        None,
        "msg_1",
        answer,
        answers.usage(request, [], answer),
        actor,
    )


def test_the_store_is_bounded_and_keeps_end_users_apart() -> None:
    store = ResponseStore(max_responses=3)
    for number in range(5):
        store.keep(_response(number, actor="bob" if number == 4 else None))
    assert [r.id for r in store.recent()] == ["resp_4", "resp_3", "resp_2"]
    with pytest.raises(NotFoundError):
        store.get("resp_0", None)
    with pytest.raises(NotFoundError):
        store.get("resp_3", "bob")  # the account's, not bob's
    assert store.get("resp_4", "bob").actor == "bob"
    assert store.get("resp_4", None).id == "resp_4"  # the account sees every one
    store.delete("resp_4", "bob")
    assert [r.id for r in store.recent(limit=1)] == ["resp_3"]
