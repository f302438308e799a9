"""The whole path a RAG app takes, through the openai SDK on a virtual clock: upload,
batch, ask, wait, ask again, cancel. Asking before ingestion finished is the
client report's ``searched_before_ready``, and unfinished files are never cited."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import StartServer

SCENARIO = """
clock: {mode: virtual, start: 1704067200}
defaults: {processing_seconds: 10}
"""
FILES = {
    "refunds.md": b"Refunds are paid within 14 days of the request.",
    "returns.md": b"Returns of refunds need the original receipt.",
    "late.md": b"Refunds for late parcels are paid at once.",
}
QUESTION = "How are refunds paid?"


def _cited(response: Any) -> set[str]:
    return {note.file_id for part in response.output[-1].content for note in part.annotations}


@pytest.mark.fake_server_client_checks("off")  # the finding is this test's subject
def test_ask_too_early_wait_ask_again_cancel_the_rest(start_server: StartServer) -> None:
    server = start_server(SCENARIO)
    client = server.openai_client()
    ids = {
        name: client.files.create(file=(name, data), purpose="assistants").id
        for name, data in FILES.items()
    }
    store = client.vector_stores.create(name="help")
    tools: Any = [{"type": "file_search", "vector_store_ids": [store.id]}]
    client.vector_stores.file_batches.create(
        store.id, file_ids=[ids["refunds.md"], ids["returns.md"]]
    )

    too_early = client.responses.create(model="m", input=QUESTION, tools=tools)
    assert _cited(too_early) == set()
    [finding] = server.report()
    assert finding["code"] == "searched_before_ready"
    assert finding["operation"] == "createResponse"
    assert len(finding["requests"]) == 1

    server.advance(5)
    late = client.vector_stores.file_batches.create(store.id, file_ids=[ids["late.md"]])
    server.advance(5)  # the first batch is done; late.md needs five seconds more
    ready = client.responses.create(model="m", input=QUESTION, tools=tools)
    assert _cited(ready) == {ids["refunds.md"], ids["returns.md"]}

    cancelled = client.vector_stores.file_batches.cancel(late.id, vector_store_id=store.id)
    assert cancelled.file_counts.cancelled == 1
    server.advance(60)
    after = client.responses.create(
        model="m", input=QUESTION, tools=tools, include=["file_search_call.results"]
    )
    assert ids["late.md"] not in _cited(after)
    assert ids["late.md"] not in {r.file_id for r in after.output[0].results}
    # The second question still met late.md in progress; the third met nothing unfinished.
    [finding] = server.report()
    assert len(finding["requests"]) == 2
