"""The inspector's Responses panel, in a real browser: each stored response with its
question, its file_search call and results, and the answer with what it cites."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import expect

from fake_server import parse_scenario
from fake_server.testing.handle import FakeServer

if TYPE_CHECKING:
    from playwright.sync_api import Page

SCENARIO = parse_scenario(
    """
description: A help desk's documents, half of them still being read.
clock: {mode: virtual, start: 1704067200}
defaults: {processing_seconds: 10}
""",
    "responses.yaml",
)
pytestmark = [
    pytest.mark.fake_server_scenario(SCENARIO),
    # Asking too early is what the panel is asked to show here.
    pytest.mark.fake_server_client_checks("off"),
]
QUESTION = "How are refunds paid?"


def test_a_response_shows_its_search_results_and_citations(page: Page, server: FakeServer) -> None:
    panel = page.get_by_role("list", name="Responses")
    expect(panel).to_be_hidden()  # no response yet: the section stays out of the way

    client = server.openai_client()
    refunds = client.files.create(
        file=("refunds.md", b"Refunds are paid within 14 days of the request."),
        purpose="assistants",
    )
    store = client.vector_stores.create(name="help")
    client.vector_stores.file_batches.create(store.id, file_ids=[refunds.id])
    tools: Any = [{"type": "file_search", "vector_store_ids": [store.id]}]
    early = client.responses.create(model="m", input=QUESTION, tools=tools)

    expect(panel).to_be_visible()
    first = panel.get_by_role("listitem").filter(has_text=early.id)
    expect(first).to_contain_text(f"Asked: {QUESTION}")
    expect(first).to_contain_text("asked too early")
    expect(first).to_contain_text("Cites no file.")

    server.advance(10)
    ready = client.responses.create(model="m", input=QUESTION, tools=tools)
    answered = panel.get_by_role("listitem").filter(has_text=ready.id).first
    expect(answered).to_contain_text(store.id)
    results = page.get_by_role("table", name=f"Results of {ready.output[0].id}")
    expect(results.get_by_role("row")).to_have_count(2)  # the header and refunds.md
    expect(results).to_contain_text("refunds.md")
    expect(results).to_contain_text("within 14 days")
    citations = page.get_by_role("list", name=f"Citations of {ready.id}")
    expect(citations).to_contain_text(refunds.id)
    expect(answered.locator("sup")).to_have_text(["[1]"])
    # Newest first.
    expect(panel.get_by_role("listitem").first).to_contain_text(ready.id)
