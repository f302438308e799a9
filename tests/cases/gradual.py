"""A batch mid-way through a gradual cancel: one file finishing soon, one that never
would, one done. Shared by the tests that watch a cancel land late."""

from __future__ import annotations

GRADUAL_CANCEL = """
clock: {mode: virtual, start: 1704067200}
cancel: {mode: gradual, delay_seconds: 3}
defaults: {processing_seconds: never}
vector_stores:
  - id: vs_slow
    file_batches:
      - id: vsfb_slow
        files:
          - {id: file-quick, processing_seconds: 2}
          - {id: file-stuck}
          - {id: file-done, status: completed}
"""
# The same, on a clock that moves a second on every poll (as an SDK's poll loop sees it).
GRADUAL_CANCEL_POLLED = GRADUAL_CANCEL.replace(
    "start: 1704067200}", "start: 1704067200, advance_on_poll: 1}"
)
