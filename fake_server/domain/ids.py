"""Object ids in the formats the real API uses."""

from __future__ import annotations

import random
import secrets
import string

VECTOR_STORE_PREFIX = "vs_"
FILE_BATCH_PREFIX = "vsfb_"
FILE_PREFIX = "file-"
REQUEST_PREFIX = "req_"

_BASE62 = string.digits + string.ascii_letters
_FILE_ID_LENGTH = 22


def new_vector_store_id() -> str:
    return VECTOR_STORE_PREFIX + secrets.token_hex(16)


def new_file_batch_id() -> str:
    return FILE_BATCH_PREFIX + secrets.token_hex(16)


def new_file_id() -> str:
    return FILE_PREFIX + "".join(secrets.choice(_BASE62) for _ in range(_FILE_ID_LENGTH))


def new_request_id() -> str:
    # Not a secret, only unique: the fast generator is enough, on the hot path.
    return f"{REQUEST_PREFIX}{random.getrandbits(128):032x}"
