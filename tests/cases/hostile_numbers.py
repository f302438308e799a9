"""Numbers and rule fields no field can hold, sent to a running server: each a 400.

Each case shows in its test id as its body's text (see ``text_id``).
"""

from __future__ import annotations

CREATE_BATCH = "/v1/vector_stores/vs_abc123/file_batches"
CREATE_STORE = "/v1/vector_stores"
HUGE = "9" * 5000

# (path, body, the parameter named, the code)
PROVIDER_NUMBERS: list[tuple[str, str, str | None, str]] = [
    (CREATE_BATCH, "NaN", None, "invalid_json"),
    (CREATE_BATCH, "1e999", None, "invalid_value"),
    (CREATE_BATCH, HUGE, None, "invalid_value"),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "attributes": {"a": NaN}}',
        "attributes.a",
        "invalid_json",
    ),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "attributes": {"a": Infinity}}',
        "attributes.a",
        "invalid_json",
    ),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "attributes": {"a": -Infinity}}',
        "attributes.a",
        "invalid_json",
    ),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "attributes": {"a": 1e999}}',
        "attributes.a",
        "invalid_value",
    ),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "attributes": {"a": -1e999}}',
        "attributes.a",
        "invalid_value",
    ),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "attributes": {"a": ' + HUGE + "}}",
        "attributes.a",
        "invalid_value",
    ),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "attributes": {"a": ' + str(2**64) + "}}",
        "attributes.a",
        "invalid_value",
    ),
    (CREATE_BATCH, '{"file_ids": [NaN]}', "file_ids.0", "invalid_json"),
    (
        CREATE_BATCH,
        '{"files": [{"file_id": "file-abc123", "attributes": {"n": 1e400}}]}',
        "files.0.attributes.n",
        "invalid_value",
    ),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "chunking_strategy": {"type": "static", "static": '
        '{"max_chunk_size_tokens": ' + HUGE + ', "chunk_overlap_tokens": 0}}}',
        "chunking_strategy.static.max_chunk_size_tokens",
        "invalid_value",
    ),
    (
        CREATE_BATCH,
        '{"file_ids": ["file-abc123"], "chunking_strategy": {"type": "static", "static": '
        '{"max_chunk_size_tokens": 800, "chunk_overlap_tokens": NaN}}}',
        "chunking_strategy.static.chunk_overlap_tokens",
        "invalid_json",
    ),
    (
        CREATE_STORE,
        '{"name": "x", "expires_after": {"anchor": "last_active_at", "days": 1e999}}',
        "expires_after.days",
        "invalid_value",
    ),
    (
        CREATE_STORE,
        '{"expires_after": {"anchor": "last_active_at", "days": ' + HUGE + "}}",
        "expires_after.days",
        "invalid_value",
    ),
    (CREATE_STORE, '{"metadata": {"k": NaN}}', "metadata.k", "invalid_json"),
    # A param cut from the client's text says how long it was.
    (
        CREATE_STORE,
        '{"' + "k" * 100_000 + '": NaN}',
        "k" * 64 + "... (100000 characters)",
        "invalid_json",
    ),
    (
        CREATE_STORE,
        "[" * 500 + "NaN" + "]" * 500,
        ("0" + ".0" * 499)[:64] + "... (999 characters)",
        "invalid_json",
    ),
]

ADVANCE_BODIES = [
    '{"seconds": NaN}',
    '{"seconds": Infinity}',
    '{"seconds": -Infinity}',
    '{"seconds": 1e999}',
    '{"seconds": -1e999}',
    '{"seconds": ' + HUGE + "}",
    '{"seconds": ' + str(2**64) + "}",
    '{"seconds": 1e10}',
    '{"seconds": 1000000001}',
    '{"seconds": 1.7976931348623157e308}',
    '{"seconds": -1}',
    '{"seconds": -0.5}',
    '{"seconds": "10"}',
    '{"seconds": true}',
    '{"seconds": null}',
    '{"seconds": [1]}',
    "{}",
]

RULE = '{"operation": "cancelVectorStoreFileBatch", '
# (rule body, the field named in the message)
FAULT_BODIES: list[tuple[str, str]] = [
    (RULE + '"status": 503.0}', "status"),
    (RULE + '"status": 5.03e2}', "status"),
    (RULE + '"status": 399}', "status"),
    (RULE + '"status": 600}', "status"),
    (RULE + '"status": -500}', "status"),
    (RULE + '"status": "503"}', "status"),
    (RULE + '"status": true}', "status"),
    (RULE + '"status": NaN}', "status"),
    (RULE + '"status": 1e999}', "status"),
    (RULE + '"status": ' + HUGE + "}", "status"),
    (RULE + '"status": 500, "times": 0}', "times"),
    (RULE + '"status": 500, "times": 1.0}', "times"),
    (RULE + '"status": 500, "times": 10000000000}', "times"),
    (RULE + '"status": 500, "times": Infinity}', "times"),
    (RULE + '"status": 500, "after": -1}', "after"),
    (RULE + '"status": 500, "after": 3.0}', "after"),
    (RULE + '"status": 500, "after": 10000000000}', "after"),
    (RULE + '"status": 500, "probability": 1.01}', "probability"),
    (RULE + '"status": 500, "probability": -1e-9}', "probability"),
    (RULE + '"status": 500, "probability": NaN}', "probability"),
    (RULE + '"status": 500, "seed": -1}', "seed"),
    (RULE + '"status": 500, "seed": 7.0}', "seed"),
    (RULE + '"status": 500, "seed": ' + str(2**62) + "}", "seed"),
    (RULE + '"status": 500, "seed": ' + str(2**70) + "}", "seed"),
    (RULE + '"latency_ms": 60001}', "latency_ms"),
    (RULE + '"latency_ms": -1}', "latency_ms"),
    (RULE + '"latency_ms": 1e300}', "latency_ms"),
    (RULE + '"latency_ms": Infinity}', "latency_ms"),
    (RULE + '"latency_ms": 1, "jitter_ms": 60001}', "jitter_ms"),
    (RULE + '"latency_ms": 1, "jitter_ms": -Infinity}', "jitter_ms"),
    (RULE + '"status": 429, "retry_after_ms": ' + "9" * 30 + "}", "retry_after_ms"),
    (RULE + '"status": 429, "retry_after_ms": 3600001}', "retry_after_ms"),
    (RULE + '"status": 429, "retry_after_ms": -1}', "retry_after_ms"),
    (RULE + '"status": 429, "retry_after_ms": 1000.0}', "retry_after_ms"),
    (RULE + '"status": 429, "retry_after_ms": 1e999}', "retry_after_ms"),
    (RULE + '"status": 500, "message": "' + "m" * 5000 + '"}', "message"),
    (RULE + '"status": 500, "code": "' + "c" * 300 + '"}', "code"),
    ('{"operation": "' + "o" * 60_000 + '", "status": 500}', "operation"),
]
