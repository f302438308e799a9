"""Ids: the real API's formats, unique even when a test seeds ``random``."""

from __future__ import annotations

import os
import random
import re

import pytest

from fake_server.domain import ids

FORMATS = [
    (ids.new_vector_store_id, r"vs_[0-9a-f]{32}"),
    (ids.new_file_batch_id, r"vsfb_[0-9a-f]{32}"),
    (ids.new_file_id, r"file-[0-9A-Za-z]{22}"),
    (ids.new_request_id, r"req_[0-9a-f]{32}"),
]


@pytest.mark.parametrize(("new_id", "pattern"), FORMATS)
def test_ids_have_the_real_format_and_do_not_repeat(new_id: object, pattern: str) -> None:
    made = [new_id() for _ in range(2000)]  # type: ignore[operator]
    assert all(re.fullmatch(pattern, made_id) for made_id in made)
    assert len(set(made)) == len(made)


@pytest.mark.parametrize("new_id", [new_id for new_id, _ in FORMATS])
def test_seeding_random_does_not_replay_ids(new_id: object) -> None:
    random.seed(1234)
    first = new_id()  # type: ignore[operator]
    random.seed(1234)
    assert new_id() != first  # type: ignore[operator]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no os.fork here")
def test_a_forked_child_draws_its_own_ids() -> None:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: send one id, then leave at once, whatever happens
        try:
            os.write(write_end, ids.new_file_batch_id().encode())
        finally:
            os._exit(0)
    os.close(write_end)
    try:
        child_id = os.read(read_end, 100).decode()
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    assert re.fullmatch(r"vsfb_[0-9a-f]{32}", child_id)
    # The parent's next id would be the child's too, were the child not reseeded.
    assert ids.new_file_batch_id() != child_id
