"""Scenarios declare content, attributes, chunking, expiry and scripted search answers."""

from __future__ import annotations

from pathlib import Path

import httpx
import openai
import pytest

from fake_server.scenario.loading import load_scenario, parse_scenario
from fake_server.scenario.problems import ScenarioError
from fake_server.testing.handle import TEST_API_KEY
from tests.helpers import StartServer

SCENARIO = """
clock: {mode: virtual, start: 1704067200}
files:
  - id: file-refunds
    filename: refunds.md
    content: "Refunds are paid within 14 days of the request."
    expires_after: {anchor: created_at, seconds: 7200}
  - {id: file-ship, filename: ship.txt, purpose: batch, content: "We ship worldwide, quickly."}
  - {id: file-slow, content: "refunds refunds refunds"}
vector_stores:
  - id: vs_help
    name: Help
    description: The help centre
    metadata: {team: support}
    expires_after: {anchor: last_active_at, days: 2}
    file_batches:
      - id: vsfb_help
        attributes: {source: faq}
        files:
          - id: file-refunds
            status: completed
            attributes: {topic: billing, year: 2024}
            chunking_strategy:
              type: static
              static: {max_chunk_size_tokens: 100, chunk_overlap_tokens: 50}
          - {id: file-ship, status: completed}
          - {id: file-slow, processing_seconds: 600}
    search:
      - query: scripted question
        results:
          - {file_id: file-ship, score: 0.42, content: [Scripted answer.]}
          - {file_id: file-slow, score: 0.9}
      - pattern: "^refund"
        results: [{file_id: file-refunds, score: 0.8}]
"""


def test_declared_fields_are_served(start_server: StartServer) -> None:
    client = start_server(SCENARIO).openai_client()
    store = client.vector_stores.retrieve("vs_help")
    assert store.metadata == {"team": "support"}
    assert store.model_dump()["description"] == "The help centre"
    assert store.expires_at == 1704067200 + 2 * 86400
    files = {f.id: f for f in client.vector_stores.files.list("vs_help")}
    assert files["file-refunds"].attributes == {"topic": "billing", "year": 2024}
    assert files["file-ship"].attributes == {"source": "faq"}
    strategy = files["file-refunds"].chunking_strategy
    assert strategy is not None and strategy.model_dump()["static"] == {
        "max_chunk_size_tokens": 100,
        "chunk_overlap_tokens": 50,
    }
    upload = client.files.retrieve("file-refunds")
    assert upload.expires_at == 1704067200 + 7200
    assert upload.bytes == len(b"Refunds are paid within 14 days of the request.")
    assert client.files.content("file-ship").read() == b"We ship worldwide, quickly."
    parts = client.vector_stores.files.content("file-refunds", vector_store_id="vs_help")
    assert [part.text for part in parts] == ["Refunds are paid within 14 days of the request."]


def test_scripted_answers_then_the_ranking(start_server: StartServer) -> None:
    server = start_server(SCENARIO)
    client = server.openai_client()
    scripted = client.vector_stores.search("vs_help", query="scripted question")
    # file-slow is still in progress: never a result, scripted or not.
    assert [(hit.file_id, hit.score) for hit in scripted] == [("file-ship", 0.42)]
    assert scripted.data[0].content[0].text == "Scripted answer."
    assert scripted.data[0].filename == "ship.txt"
    assert scripted.data[0].attributes == {"source": "faq"}
    by_pattern = client.vector_stores.search("vs_help", query="refund policy")
    assert [(hit.file_id, hit.score) for hit in by_pattern] == [("file-refunds", 0.8)]
    assert by_pattern.data[0].content[0].text.startswith("Refunds are paid")
    ranked = client.vector_stores.search("vs_help", query="ship")
    assert [hit.file_id for hit in ranked] == ["file-ship"]
    mka1 = server.mka1_client().llm.vector_stores.search(
        vector_store_id="vs_help", query="scripted question"
    )
    assert [hit.file_id for hit in mka1.data] == ["file-ship"]


def test_content_file_is_read_relative_to_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_bytes(b"from disk")
    path = tmp_path / "scenario.yaml"
    path.write_text("files: [{id: file-a, content_file: docs/a.txt}]\n", encoding="utf-8")
    account = load_scenario(path).instantiate().account
    assert account.file_content("file-a") == b"from disk"
    assert account.get_file("file-a").bytes == len(b"from disk")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "files: [{id: file-a, content_file: a.txt}]",
            "<scenario>:1: files[0].content_file: only in a scenario read from a file",
        ),
        (
            "files: [{id: file-a, content_file: ../secret}]",
            '<scenario>:1: files[0].content_file: "../secret" must be a relative path',
        ),
        (
            "files: [{id: file-a, content: x, content_file: a.txt}]",
            "files[0].content_file: give content or content_file, not both",
        ),
        (
            "vector_stores:\n  - id: vs_a\n    search: [{pattern: '(', results: []}]",
            "<scenario>:3: vector_stores[0].search[0].pattern: not a regular expression",
        ),
        (
            "vector_stores:\n  - id: vs_a\n    search: [{results: []}]",
            "<scenario>:3: vector_stores[0].search[0]: give query or pattern",
        ),
        (
            "vector_stores:\n  - id: vs_a\n    expires_after: {anchor: last_active_at, days: 0}",
            "<scenario>:3: vector_stores[0].expires_after.days: must be >= 1",
        ),
        (
            "vector_stores:\n  - file_batches:\n      - files:\n          - id: file-a\n"
            "            attributes: {k: [1]}",
            "<scenario>:5: vector_stores[0].file_batches[0].files[0].attributes.k:",
        ),
        (
            "vector_stores:\n  - file_batches:\n      - files: [{id: file-a}]\n"
            "        chunking_strategy: {type: static, static: "
            "{max_chunk_size_tokens: 100, chunk_overlap_tokens: 60}}",
            "vector_stores[0].file_batches[0].chunking_strategy: chunk_overlap_tokens must not",
        ),
    ],
)
def test_bad_declarations_name_file_line_and_field(text: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(text)
    assert expected in str(raised.value)


def test_every_purpose_a_scenario_may_give_reads_back_in_both_dialects(
    start_server: StartServer,
) -> None:
    purposes = ["assistants", "batch", "fine-tune", "vision", "user_data", "evals"]
    server = start_server(
        "files:\n" + "".join(f"  - {{id: file-{p}, purpose: {p}}}\n" for p in purposes)
    )
    # The openai SDK's FileObject literal predates `evals` (the spec's own upload
    # purpose), so its strict mode would fail on the SDK, not on us; our contract
    # checker still validates every one of these responses.
    lenient = openai.OpenAI(api_key=TEST_API_KEY, base_url=f"{server.url}/v1", max_retries=0)
    listed = lenient.files.list()
    assert sorted(upload.purpose for upload in listed) == sorted(purposes)
    for purpose in purposes:
        upload = server.mka1_client().llm.files.get(file_id=f"file-{purpose}")
        assert upload.purpose == purpose


@pytest.mark.parametrize("link", ["secret_link", "linked_dir/secret.txt"])
def test_a_content_file_cannot_leave_the_folder_through_a_link(tmp_path: Path, link: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"not for the scenario")
    folder = tmp_path / "scenario"
    folder.mkdir()
    (folder / "secret_link").symlink_to(outside / "secret.txt")
    (folder / "linked_dir").symlink_to(outside, target_is_directory=True)
    path = folder / "scenario.yaml"
    path.write_text(f"files:\n  - {{id: file-a, content_file: {link}}}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert f"{path}:2: files[0].content_file: '{link}' leads outside" in str(raised.value)


def test_a_link_that_stays_inside_the_folder_is_followed(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"inside")
    (tmp_path / "alias.txt").symlink_to(tmp_path / "a.txt")
    path = tmp_path / "scenario.yaml"
    path.write_text("files: [{id: file-a, content_file: alias.txt}]\n", encoding="utf-8")
    assert load_scenario(path).instantiate().account.file_content("file-a") == b"inside"


def test_a_missing_content_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    path.write_text("files:\n  - {id: file-a, content_file: nope.txt}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert f"{path}:2: files[0].content_file: cannot read 'nope.txt'" in str(raised.value)


def test_a_search_pattern_that_backtracks_without_end_is_answered_not_hung(
    start_server: StartServer,
) -> None:
    server = start_server(
        "vector_stores:\n  - id: vs_a\n    search: [{pattern: '(a|aa)+$', results: []}]\n"
    )
    client = server.openai_client(max_retries=2)
    with pytest.raises(openai.InternalServerError) as raised:
        client.vector_stores.search("vs_a", query="a" * 40 + "!")
    assert raised.value.code == "search_pattern_timeout"
    assert "'(a|aa)+$'" in raised.value.message
    # Not retried (x-should-retry: false), and the server goes on serving.
    journal = httpx.get(f"{server.url}/__fake__/requests").json()["requests"]
    assert [entry["status"] for entry in journal if entry["path"].endswith("/search")] == [500]
    assert list(client.vector_stores.search("vs_a", query="aaaa")) == []
