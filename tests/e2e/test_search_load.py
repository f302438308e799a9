"""A search never holds the server: it runs in slices between other requests, and
a store's text is tokenised once, not by every query. Through a real server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fake_server.domain import search_index, search_text, slices
from fake_server.domain.search_index import Ranked, SearchIndex
from fake_server.testing.handle import TEST_API_KEY
from tests.helpers import StartServer

AUTH = {"Authorization": f"Bearer {TEST_API_KEY}"}
SCENARIO = """
clock: {mode: virtual, start: 0}
defaults: {processing_seconds: 1}
files:
  - {id: file-a, content: "apple pie recipe"}
  - {id: file-b, content: "banana bread and apple"}
vector_stores:
  - id: vs_s
    file_batches:
      - files: [{id: file-a, status: completed}, {id: file-b, status: completed}]
"""
SEARCH = "/v1/vector_stores/vs_s/search"


def test_other_clients_are_served_while_a_search_runs(
    start_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = start_server(SCENARIO)
    entered, release = threading.Event(), threading.Event()
    rank_steps = SearchIndex.rank_steps

    def held_rank(self: SearchIndex, *args: Any) -> slices.Steps[Iterator[Ranked]]:
        # A search with a great deal of work: it goes on, slice after slice,
        # until the test lets it end.
        entered.set()
        while not release.is_set():
            yield slices.MORE
        return (yield from rank_steps(self, *args))

    monkeypatch.setattr(SearchIndex, "rank_steps", held_rank)
    answers: list[httpx.Response] = []
    searching = threading.Thread(
        target=lambda: answers.append(
            httpx.post(server.url + SEARCH, headers=AUTH, json={"query": "apple"}, timeout=30)
        )
    )
    searching.start()
    try:
        assert entered.wait(30), "the search never started"
        # The search is running, held: everyone else is still served.
        health = httpx.get(server.url + "/__fake__/health", timeout=5)
        assert health.status_code == 200
        files = httpx.get(server.url + "/v1/vector_stores/vs_s/files", headers=AUTH, timeout=5)
        assert files.status_code == 200 and len(files.json()["data"]) == 2
    finally:
        release.set()
        searching.join(30)
    assert answers[0].status_code == 200, answers[0].text
    assert [hit["file_id"] for hit in answers[0].json()["data"]] == ["file-a", "file-b"]


def test_a_stores_text_is_tokenised_once(
    start_server: StartServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = start_server(SCENARIO)
    tokenised: list[str] = []
    tokens = search_text.tokens

    def counted(text: str) -> list[str]:
        tokenised.append(text)
        return tokens(text)

    monkeypatch.setattr(search_index, "tokens", counted)

    def search(query: str) -> list[str]:
        response = httpx.post(server.url + SEARCH, headers=AUTH, json={"query": query})
        assert response.status_code == 200, response.text
        return [hit["file_id"] for hit in response.json()["data"]]

    assert search("apple") == ["file-a", "file-b"]
    assert sorted(tokenised) == ["apple pie recipe", "banana bread and apple"]
    tokenised.clear()
    assert search("banana") == ["file-b"]
    assert search("recipe apple") == ["file-a", "file-b"]
    assert tokenised == [], "a store unchanged since the last search is not read again"

    upload = httpx.post(
        server.url + "/v1/files",
        headers=AUTH,
        data={"purpose": "assistants"},
        files={"file": ("c.txt", b"cherry apple tart")},
    ).json()
    attach = {"file_id": upload["id"]}
    httpx.post(server.url + "/v1/vector_stores/vs_s/files", headers=AUTH, json=attach)
    httpx.post(server.url + "/__fake__/clock/advance", json={"seconds": 5})
    assert search("cherry") == [upload["id"]]
    assert tokenised == ["cherry apple tart"], "only the new file is read"
    httpx.delete(server.url + "/v1/vector_stores/vs_s/files/file-a", headers=AUTH)
    assert sorted(search("apple")) == sorted(["file-b", upload["id"]]), "file-a left"
    assert search("recipe") == []
