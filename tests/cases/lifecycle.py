"""A recorded lifecycle for the parity and replay tests: the scenario an
upstream serves, and what an ``openai`` SDK client does against it.

The upstream runs on the real clock: files take PROCESSING seconds, a cancel
reaches a file after CANCEL_DELAY, four files may be attached a minute, one
uploaded file fails. The client's reads come either at once or WAIT seconds
later, well away from the moments anything changes, so a fake that follows
the recorded times sees what the upstream saw.
"""

from __future__ import annotations

import time
from typing import Any

PROCESSING = 0.6
CANCEL_DELAY = 0.6
WAIT = 1.2

UPSTREAM_SCENARIO = f"""
description: An upstream with slow files, a gradual cancel, a rate limit and a failed file.
defaults: {{processing_seconds: {PROCESSING}}}
cancel: {{mode: gradual, delay_seconds: {CANCEL_DELAY}}}
limits: {{attached_files_per_minute: 4}}
files:
  - {{id: file-bad, filename: bad.pdf, outcome: failed, error: {{code: unsupported_file}}}}
vector_stores:
  - id: vs_old
    name: Older store
    file_batches:
      - id: vsfb_old
        files:
          - {{id: file-old1, processing_seconds: never}}
          - {{id: file-old2, status: completed}}
"""


def lifecycle(client: Any, name: str = "Recorded store") -> dict[str, Any]:
    """Upload, attach, poll, list, be refused by the rate limit, cancel gradually,
    ask for a missing file; what the client saw, for the test to check."""
    openai = __import__("openai")
    seen: dict[str, Any] = {}
    uploads = [
        client.files.create(
            file=(f"doc{index}.txt", f"text {index}\n".encode()), purpose="assistants"
        )
        for index in range(2)
    ]
    store = client.vector_stores.create(name=name)
    batches = client.vector_stores.file_batches
    batch = batches.create(
        vector_store_id=store.id, file_ids=[upload.id for upload in uploads] + ["file-bad"]
    )
    seen["first"] = batches.retrieve(batch.id, vector_store_id=store.id).status
    time.sleep(WAIT)
    done = batches.retrieve(batch.id, vector_store_id=store.id)
    seen["done"] = (done.status, done.file_counts.completed, done.file_counts.failed)
    seen["failed"] = [
        file.id for file in batches.list_files(batch.id, vector_store_id=store.id, filter="failed")
    ]
    try:
        batches.create(vector_store_id=store.id, file_ids=[uploads[0].id, uploads[1].id])
    except openai.RateLimitError as refused:
        seen["limited"] = refused.status_code
    cancelled = batches.cancel("vsfb_old", vector_store_id="vs_old")
    seen["cancelling"] = cancelled.status
    time.sleep(WAIT)
    seen["cancelled"] = batches.retrieve("vsfb_old", vector_store_id="vs_old").status
    page = client.vector_stores.list(limit=1)
    seen["page"] = (len(page.data), page.has_more)
    try:
        client.files.retrieve("file-missing")
    except openai.NotFoundError as missing:
        seen["missing"] = missing.status_code
    return seen
