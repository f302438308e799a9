"""A ``file_search`` over the account's own stores, answered as a model response.

The one search there is (``search``, through ``Account.start_search``) runs
on each store the tool names, and on no other: files in progress, failed,
cancelled, detached or expired contribute nothing, as they do to the search
endpoint. The hits of all the stores are merged by score. A store the
caller cannot read, or that does not exist, is the search's own error; an
expired one is refused as the dialect does it.

Bounds of the stored responses (``ResponseStore``), stated here only. A
request beyond them is refused with a 400 naming ``input`` and the bound
(``answers.parse_request``), never kept cut short: a cut copy would make
``input_items`` and ``usage`` show what the client never sent, and the real
API refuses an input beyond its own limits too.

- ``defaults.RESPONSE_MAX_INPUT_MESSAGES`` (256) input messages;
- ``defaults.RESPONSE_MAX_CHARACTERS`` (32768) characters over the model,
  instructions, the messages' text, metadata and the tool (each JSON value
  counted 16 characters besides its text: ``answers.VALUE_CHARACTERS``).

So what one response keeps of its request costs at most
``MAX_STORED_RESPONSE_BYTES`` (192 KiB, with the text in 4-byte characters,
whether in one message, 256 of them, filters, store ids or metadata;
``tests/unit/test_response_bounds.py`` measures it). Per session, the store
keeps the last ``defaults.MAX_STORED_RESPONSES`` (200), so the worst case is

    200 x MAX_STORED_RESPONSE_BYTES = 200 x 192 KiB = 37.5 MiB per session,

and ``--max-sessions`` + 1 times that in all.

Not bounded here: a response also keeps its search's results (at most
``max_num_results``, 50), each with a copy of its text: a chunk of the
searched file (some 800 tokens), or the whole file's text for a scenario's
scripted result that gives no ``content``. Their size is bounded only by the
files' own.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

from fake_server import defaults
from fake_server.domain import answers, search
from fake_server.domain.account import Account
from fake_server.domain.answers import AskRequest, InputItem, ModelResponse, ScriptedReply
from fake_server.domain.errors import ExpiredError, InvalidRequestError, NotFoundError, quoted
from fake_server.domain.ids import new_file_search_call_id, new_message_id, new_response_id
from fake_server.domain.slices import Steps

# What one stored response costs at most of its request (see the module's doc).
MAX_STORED_RESPONSE_BYTES = 192 * 1024


def answer_steps(
    account: Account,
    request: AskRequest,
    *,
    actor: str | None,
    expired_is_gone: bool,
    skip_missing: bool = False,
    replies: Sequence[ScriptedReply] = (),
) -> Steps[ModelResponse]:
    """The response to ``request``, its searches run in slices (``slices``).

    ``expired_is_gone``: an expired store is ``ExpiredError`` (else a 400);
    ``skip_missing``: a store not found (or that the end user may not read)
    is skipped rather than refused."""
    question = request.question
    hits: list[search.Hit] = []
    call = None
    tool = request.tool
    if tool is not None:
        store_ids, waiting = _check_stores(
            account, tool.vector_store_ids, actor, expired_is_gone, skip_missing
        )
        wanted = search.SearchRequest(
            queries=[question],
            max_num_results=tool.max_num_results,
            score_threshold=tool.score_threshold,
            filters=tool.filters,
        )
        for store_id in store_ids:
            found = yield from account.start_search(store_id, wanted, actor=actor)
            hits.extend(found)
        # Stable: equal scores keep the stores' order, and each store's own.
        hits.sort(key=lambda hit: -hit.score)
        del hits[tool.max_num_results :]
        call = answers.SearchCall(new_file_search_call_id(), (question,), tuple(hits), waiting)
    answer = answers.compose(hits, answers.reply_for(question, replies))
    if tool is None and not answer.citations and answer.text == answers.NOTHING_FOUND:
        answer = answers.Answer(answers.NO_FILE_SEARCH, ())
    return ModelResponse(
        id=new_response_id(),
        created_at=int(account.clock.now()),
        request=request,
        input_items=tuple(
            InputItem(new_message_id(), role, text) for role, text in request.messages
        ),
        search=call,
        message_id=new_message_id(),
        answer=answer,
        usage=answers.usage(request, hits, answer),
        actor=actor,
    )


def _check_stores(
    account: Account,
    store_ids: Sequence[str],
    actor: str | None,
    expired_is_gone: bool,
    skip_missing: bool,
) -> tuple[list[str], int]:
    """Every named store exists, may be read and has not expired, before any search
    runs: the stores to search, and how many of their files are still in progress."""
    waiting = 0
    kept = []
    for store_id in store_ids:
        try:
            readiness = account.search_readiness(store_id, actor=actor)
        except NotFoundError:
            if skip_missing:
                continue
            raise
        if readiness.expired:
            if expired_is_gone:
                raise ExpiredError(f"Vector store '{store_id}' has expired.")
            raise InvalidRequestError(
                f"Vector store {store_id} is expired. Create a new vector store and try again.",
                "tools",
            )
        waiting += readiness.in_progress
        kept.append(store_id)
    return kept, waiting


class ResponseStore:
    """A session's stored responses, newest last; bounded, the oldest going first.

    ``recent`` is the plain read (the inspector lists responses with it).
    """

    def __init__(self, max_responses: int = defaults.MAX_STORED_RESPONSES) -> None:
        self._kept: OrderedDict[str, ModelResponse] = OrderedDict()
        self._max = max_responses
        self._lock = threading.Lock()

    def keep(self, response: ModelResponse) -> None:
        with self._lock:
            self._kept[response.id] = response
            while len(self._kept) > self._max:
                self._kept.popitem(last=False)

    def get(self, response_id: str, actor: str | None) -> ModelResponse:
        """The response, if the end user may see it (its own, or any for the account)."""
        with self._lock:
            found = self._kept.get(response_id)
        if found is None or (actor is not None and found.actor != actor):
            raise NotFoundError(f"Response with id {quoted(response_id)} not found.", "response_id")
        return found

    def check_previous(self, response_id: str | None, actor: str | None) -> None:
        """A ``previous_response_id`` names a response kept here (and the end user's)."""
        if response_id is None:
            return
        try:
            self.get(response_id, actor)
        except NotFoundError:
            raise NotFoundError(
                f"Previous response with id {quoted(response_id)} not found.",
                "previous_response_id",
            ) from None

    def delete(self, response_id: str, actor: str | None) -> str:
        self.get(response_id, actor)
        with self._lock:
            self._kept.pop(response_id, None)
        return response_id

    def recent(self, limit: int | None = None) -> list[ModelResponse]:
        """The stored responses, newest first; ``limit`` of them at most."""
        with self._lock:
            kept = list(self._kept.values())
        kept.reverse()
        return kept if limit is None else kept[:limit]
