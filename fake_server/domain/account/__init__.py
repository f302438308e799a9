"""One account's state and every operation on it, behind one facade holding one lock.

Pure Python, no HTTP: operations raise the errors of
``fake_server.domain.errors``. ``Account`` (``facade``) takes the lock and
calls its resource's module: ``batches``, ``vector_stores``, ``store_files``
(a store's files one by one, and search), ``files`` (uploads) and ``grants``
(MKA1 permissions). Those share ``find`` (what an operation names, as the
end user may see it) and ``attach`` (uploads becoming a store's files), and
never lock: the state (``state``) is theirs only under the facade's lock.
The rules they apply live beside them: who may do what in ``permissions``,
uploads in ``uploads``, the rate limit in ``limits``, the objects in
``model`` and what reads return in ``views``.
"""

from __future__ import annotations

from fake_server.domain.account.attach import Attributes, DuplicateRule, FileSettings
from fake_server.domain.account.facade import Account
from fake_server.domain.account.state import DEFAULT_PROCESSING

__all__ = ["DEFAULT_PROCESSING", "Account", "Attributes", "DuplicateRule", "FileSettings"]
