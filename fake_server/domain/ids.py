"""Object ids in the formats the real API uses."""

from __future__ import annotations

import os
import random
import string

VECTOR_STORE_PREFIX = "vs_"
FILE_BATCH_PREFIX = "vsfb_"
FILE_PREFIX = "file-"
REQUEST_PREFIX = "req_"

_BASE62 = string.digits + string.ascii_letters
_FILE_ID_LENGTH = 22

# Ids need to be unique, not secret or unpredictable (a client could work out
# the generator's state from enough request ids; this is a fake). A generator
# of our own, seeded from the system's entropy once, costs no system call per
# id, and a test that calls ``random.seed`` cannot make the fake hand out an
# id it already gave.
_generator = random.Random()
_bits = _generator.getrandbits
# A forked child draws its own sequence, as ``random``'s own generator does
# (where processes fork: not on Windows).
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_generator.seed)


def new_vector_store_id() -> str:
    return f"{VECTOR_STORE_PREFIX}{_bits(128):032x}"


def new_file_batch_id() -> str:
    return f"{FILE_BATCH_PREFIX}{_bits(128):032x}"


def new_file_id() -> str:
    return FILE_PREFIX + "".join(_generator.choices(_BASE62, k=_FILE_ID_LENGTH))


def new_request_id() -> str:
    return f"{REQUEST_PREFIX}{_bits(128):032x}"


def new_response_id() -> str:
    return f"resp_{_bits(192):048x}"


def new_message_id() -> str:
    return f"msg_{_bits(192):048x}"


def new_file_search_call_id() -> str:
    return f"fs_{_bits(192):048x}"
