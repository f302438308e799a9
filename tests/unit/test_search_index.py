"""The search index ranks exactly as a pass over every chunk does, however it was
kept: built at once, or followed through files added, detached and changed."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fake_server.domain import search_text, slices
from fake_server.domain.account import Account
from fake_server.domain.clock import VirtualClock
from fake_server.domain.content import chunks
from fake_server.domain.search import Document, Hit, SearchRequest, search, tokens
from fake_server.domain.search_index import BM25_B, BM25_K1, Ranked, SearchIndex


def reference(documents: Sequence[Document], request: SearchRequest) -> list[Hit]:
    """The ranking as it was first written: every chunk split and tokenised per query."""
    query = tokens(" ".join(request.queries))
    corpus = [
        (document, chunk, tokens(chunk))
        for document in documents
        for chunk in chunks(str(document.text), document.chunking_strategy)
    ]
    if not query or not corpus:
        return []
    count = len(corpus)
    average = sum(len(words) for _, _, words in corpus) / count or 1.0
    frequency: Counter[str] = Counter()
    for _, _, words in corpus:
        frequency.update(set(words))
    scored = []
    for index, (document, chunk, words) in enumerate(corpus):
        counts = Counter(words)
        score = 0.0
        for term, times in Counter(query).items():
            tf = counts.get(term, 0)
            if not tf:
                continue
            idf = math.log(1 + (count - frequency[term] + 0.5) / (frequency[term] + 0.5))
            length = 1 - BM25_B + BM25_B * len(words) / average
            norm = tf * (BM25_K1 + 1) / (tf + BM25_K1 * length)
            score += times * idf * norm
        if score > 0:
            scored.append((score, index, document, chunk))
    best: dict[str, tuple[float, Document, str]] = {}
    for score, _, document, chunk in sorted(scored, key=lambda item: (-item[0], item[1])):
        best.setdefault(document.file_id, (score, document, chunk))
    if not best:
        return []
    top = max(score for score, _, _ in best.values())
    hits = [
        Hit(d.file_id, d.filename, round(score / top, 6), d.attributes, (chunk,))
        for score, d, chunk in best.values()
    ]
    return hits[: request.max_num_results]


# A small vocabulary, so queries meet the text; odd spacing, case and
# punctuation, so chunking and tokenising meet their edges.
WORDS = st.sampled_from(
    ["apple", "Apple", "pie", "red", "blue", "x", "über", "Σας", "a-b", "!!", "42", "the"]
)
SPACES = st.sampled_from([" ", "  ", "\n", "\t", " \u3000 ", "\x1c"])
TEXTS = st.lists(st.tuples(WORDS, SPACES), max_size=40).map(
    lambda parts: "".join(word + space for word, space in parts)
)
STRATEGIES = st.one_of(
    st.none(),
    st.builds(
        lambda size, overlap: {
            "type": "static",
            "static": {"max_chunk_size_tokens": size, "chunk_overlap_tokens": overlap},
        },
        st.integers(1, 8),
        st.integers(0, 4),
    ),
)


@st.composite
def corpora(draw: st.DrawFn) -> list[Document]:
    texts = draw(st.lists(st.tuples(TEXTS, STRATEGIES), max_size=8))
    return [
        Document(f"file-{index}", f"{index}.txt", {"n": index}, text, strategy)
        for index, (text, strategy) in enumerate(texts)
    ]


QUERIES = st.lists(WORDS, min_size=0, max_size=4).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(corpora(), QUERIES, st.integers(1, 50))
def test_the_index_ranks_as_the_reference_does(
    documents: list[Document], query: str, limit: int
) -> None:
    request = SearchRequest([query], max_num_results=limit)
    assert search(documents, request) == reference(documents, request)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(corpora(), QUERIES), min_size=1, max_size=6))
def test_an_index_kept_across_changes_ranks_as_a_new_one(
    steps: list[tuple[list[Document], str]],
) -> None:
    """One index, one store whose searchable files change between searches."""
    index = SearchIndex()
    for documents, query in steps:
        request = SearchRequest([query], max_num_results=50)
        assert search(documents, request, index) == reference(documents, request)


def test_removed_chunks_are_compacted_away_and_the_ranking_holds() -> None:
    index = SearchIndex()
    many = [Document(f"file-{n}", "f.txt", {}, f"word{n % 7} apple", None) for n in range(9000)]
    request = SearchRequest(["apple word3"])
    assert search(many, request, index) == reference(many, request)
    few = many[-3:]
    assert search(few, request, index) == reference(few, request)
    assert index.chunk_count == 3
    # The postings shrank to the live chunks: nothing removed is kept.
    assert len(index._owners) == 3  # what compaction is for


def test_a_file_whose_content_or_chunking_changes_is_indexed_again() -> None:
    index = SearchIndex()
    request = SearchRequest(["pear"])
    before = [Document("file-a", "a.txt", {}, "apple", None)]
    assert search(before, request, index) == []
    after = [Document("file-a", "a.txt", {}, "pear", None)]
    assert [hit.file_id for hit in search(after, request, index)] == ["file-a"]


def test_bytes_are_decoded_as_the_text_of_a_file() -> None:
    data = "café apple\n".encode() + b"\xff pie"
    documents = [Document("file-a", "a.txt", {}, data, None)]
    hits = search(documents, SearchRequest(["pie"]))
    assert hits[0].content == ("café apple \ufffd pie",)


def test_a_deleted_or_detached_file_leaves_the_index_at_once() -> None:
    clock = VirtualClock(0)
    account = Account(clock)
    store = account.create_vector_store("docs")
    uploads = [
        account.upload_file(f"{n}.txt", 5, "assistants", content=f"apple {n}".encode())
        for n in range(3)
    ]
    account.create_batch(store.id, [upload.id for upload in uploads])
    clock.advance(10)
    assert len(account.search_vector_store(store.id, SearchRequest(["apple"]))) == 3
    index = next(account.vector_stores()).search_index
    assert index.chunk_count == 3
    account.delete_file(uploads[0].id)
    assert index.chunk_count == 2, "deleting the upload let go of its chunks, no search needed"
    account.delete_vector_store_file(store.id, uploads[1].id)
    assert index.chunk_count == 1, "detaching it did too"
    assert index.searchable is None, "no list of files (and their text) is kept"
    hits = account.search_vector_store(store.id, SearchRequest(["apple"]))
    assert [hit.file_id for hit in hits] == [uploads[2].id]


def test_a_file_forgotten_while_a_search_holds_the_index_waits_for_it() -> None:
    index = SearchIndex()
    documents = [Document(f"file-{n}", "f.txt", {}, "apple", None) for n in range(2)]
    assert len(list(index.rank(documents, ["apple"]))) == 2
    with index._lock:  # a search in another thread, as it were
        index.forget("file-0")  # does not wait for it
        assert index.chunk_count == 2
    assert [ranked.document.file_id for ranked in index.rank(documents[1:], ["apple"])] == [
        "file-1"
    ]
    assert index.chunk_count == 1


def test_two_searches_in_slices_take_turns_on_one_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slices, "SLICE_SECONDS", 0.0)  # a slice at every look
    documents = [
        Document(f"file-{n}", "f.txt", {}, f"apple pie {n} " * 50, None) for n in range(20)
    ]
    index = SearchIndex()
    first, second = index.rank_steps(documents, ["apple"]), index.rank_steps(documents, ["pie"])
    steps: list[list[str]] = [[], []]
    results: list[list[Ranked]] = [[], []]
    running = {0: first, 1: second}
    while running:
        for turn, steps_of in list(running.items()):
            try:
                steps[turn].append(next(steps_of))
            except StopIteration as done:
                results[turn] = list(done.value)
                del running[turn]
    assert slices.MORE in steps[0], "the first search worked in slices"
    assert slices.WAIT in steps[1], "the second waited for the index meanwhile"
    expected = reference(documents, SearchRequest(["apple"], max_num_results=50))
    assert [ranked.document.file_id for ranked in results[0]] == [hit.file_id for hit in expected]
    assert len(results[1]) == 20


@settings(max_examples=150, deadline=None)
@given(corpora(), QUERIES, st.sampled_from([b"", b"\xff", b"\xe2\x82", "é".encode()]))
def test_large_texts_split_and_decoded_in_pieces_rank_the_same(
    documents: list[Document], query: str, odd: bytes
) -> None:
    """Bytes, decoded a few at a time (undecodable ones too), and split a few
    characters at a time, as a large file is."""
    as_bytes = [
        document._replace(text=str(document.text).encode() + odd + b" apple")
        for document in documents
    ]
    as_text = [document._replace(text=document.decoded()) for document in as_bytes]
    request = SearchRequest([query or "apple"], max_num_results=50)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_text, "PIECE", 3)
        assert search(as_bytes, request, SearchIndex()) == reference(as_text, request)


def test_results_past_the_first_ranked_come_in_order_too() -> None:
    documents = [
        Document(f"file-{n:03d}", "f.txt", {"n": n}, "apple " * (n % 7 + 1) + "pie " * n, None)
        for n in range(100)
    ]
    wanted = {"type": "gte", "key": "n", "value": 90}  # the last by score, mostly
    request = SearchRequest(["apple"], max_num_results=50, filters=wanted)
    everything = reference(documents, SearchRequest(["apple"], max_num_results=100))
    expected = [hit for hit in everything if hit.attributes["n"] >= 90]
    assert search(documents, request) == expected
