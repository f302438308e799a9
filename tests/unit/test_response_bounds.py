"""What one stored response keeps of its request is bounded: the worst requests
within RESPONSE_MAX_INPUT_MESSAGES and RESPONSE_MAX_CHARACTERS cost at most
MAX_STORED_RESPONSE_BYTES, measured (as tests/unit/test_record.py measures a record)."""

from __future__ import annotations

import gc
import json
import sys
from typing import Any

import pytest

from fake_server import defaults
from fake_server.domain import answers, file_search
from fake_server.domain.answers import InputItem, ModelResponse
from fake_server.domain.errors import InvalidRequestError

ASTRAL = "\U0001f600"  # 4 bytes a character in memory


def deep_size(value: Any) -> int:
    """Bytes of ``value`` and of everything it holds, each object once."""
    seen: set[int] = set()
    stack = [value]
    total = 0
    while stack:  # bounded: each object is visited once
        item = stack.pop()
        if id(item) in seen or isinstance(item, type):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        stack.extend(gc.get_referents(item))
    return total


def stored(body: dict[str, Any]) -> ModelResponse:
    """The response kept for ``body``, as ``file_search.answer_steps`` builds it."""
    request = answers.parse_request(json.loads(json.dumps(body)))
    answer = answers.compose([])
    return ModelResponse(
        id="resp_" + "0" * 48,
        created_at=1_700_000_000,
        request=request,
        input_items=tuple(
            InputItem(f"msg_{i:048d}", role, text)
            for i, (role, text) in enumerate(request.messages)
        ),
        search=None,
        message_id="msg_" + "1" * 48,
        answer=answer,
        usage=answers.usage(request, [], answer),
        actor=None,
    )


def _room(*spent: int) -> int:
    return defaults.RESPONSE_MAX_CHARACTERS - sum(spent) - 1024


def _many_messages() -> dict[str, Any]:
    count = defaults.RESPONSE_MAX_INPUT_MESSAGES
    each = _room() // count - 40
    text = ASTRAL * each
    return {"model": "m", "input": [{"role": "user", "content": text} for _ in range(count)]}


def _one_long_text() -> dict[str, Any]:
    return {"model": ASTRAL * 1000, "instructions": ASTRAL * 1000, "input": ASTRAL * _room(2000)}


def _many_filters() -> dict[str, Any]:
    leaf = {"type": "eq", "key": "k", "value": 1}
    filters = {"type": "and", "filters": [leaf] * (_room() // 150)}
    tool = {"type": "file_search", "vector_store_ids": ["vs_1"], "filters": filters}
    return {"model": "m", "input": "q", "tools": [tool]}


def _many_store_ids() -> dict[str, Any]:
    ids = [f"vs_{i}" for i in range(_room() // 24)]
    return {"model": "m", "input": "q", "tools": [{"type": "file_search", "vector_store_ids": ids}]}


def _much_metadata() -> dict[str, Any]:
    metadata = {f"k{i}": ASTRAL * 500 for i in range(_room() // 540)}
    return {"model": "m", "input": "q", "metadata": metadata}


@pytest.mark.parametrize(
    "body",
    [_many_messages(), _one_long_text(), _many_filters(), _many_store_ids(), _much_metadata()],
    ids=["messages", "text", "filters", "store-ids", "metadata"],
)
def test_a_stored_response_costs_at_most_the_stated_bytes(body: dict[str, Any]) -> None:
    response = stored(body)
    slot = 8 + 100  # its entry in the store's ordered dict, and the key
    size = deep_size(response) + slot
    assert size <= file_search.MAX_STORED_RESPONSE_BYTES


def test_beyond_the_bounds_is_refused() -> None:
    over = defaults.RESPONSE_MAX_INPUT_MESSAGES + 1
    with pytest.raises(InvalidRequestError, match="array too long"):
        answers.parse_request({"model": "m", "input": [{"role": "user", "content": "a"}] * over})
    with pytest.raises(InvalidRequestError, match="characters"):
        answers.parse_request({"model": "m", "input": "a" * defaults.RESPONSE_MAX_CHARACTERS})
