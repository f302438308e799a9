"""A domain's work done in slices (``domain/slices``), run on the event loop: between
two slices everyone else's requests are served."""

from __future__ import annotations

import asyncio
from typing import TypeVar

from fake_server.domain.slices import WAIT, Steps

Result = TypeVar("Result")


async def run_slices(steps: Steps[Result]) -> Result:
    """What ``steps`` returns, yielding to the loop after every slice (a while after
    a slice that asked to ``WAIT``)."""
    while True:
        try:
            step = next(steps)
        except StopIteration as done:
            result: Result = done.value
            return result
        await asyncio.sleep(0.001 if step == WAIT else 0)
