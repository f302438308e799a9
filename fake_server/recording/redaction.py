"""What of an exchange may reach disk: secrets never do.

Credential headers (``Authorization``, API keys, cookies, the admin token) are
never kept; only the documented, non-secret headers below are. What is a
secret is ``fake_server.domain.secrets``' rule: a string that holds a learnt
secret or a key shape (``sk-...``, ``rk-...``, ``Bearer ...``, a JWT) becomes
``[redacted]`` whole, and so does the value of a secret-named field
(``password``, ``client_secret``, ...) or credential query parameter; each
is counted. The keys a client sent are learnt from its headers, and the
values of credential query parameters and secret-named fields too, so a body
or header that echoes one (an error message quoting the key) is redacted.
``X-On-Behalf-Of`` values become stable pseudonyms (``end-user-1``, ...) wherever
they appear (headers, paths, queries, bodies) unless the end users are kept.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from fake_server.domain.secrets import (
    REDACTED,
    SHORTEST_SECRET,
    holds_secret,
    is_secret_name,
    is_secret_parameter,
)

# Headers a cassette keeps, lower-case; everything else is dropped.
REQUEST_HEADERS = frozenset(
    {"content-type", "idempotency-key", "x-on-behalf-of", "openai-beta", "x-stainless-retry-count"}
)
RESPONSE_HEADERS = frozenset(
    {
        "content-type",
        "content-disposition",
        "openai-poll-after-ms",
        "retry-after",
        "retry-after-ms",
        "x-should-retry",
        "x-request-id",
        "openai-processing-ms",
        "x-ratelimit-limit-requests",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-reset-requests",
        "x-ratelimit-limit-tokens",
        "x-ratelimit-remaining-tokens",
        "x-ratelimit-reset-tokens",
    }
)
# Headers that carry a credential: never written, and their values are learnt
# as secrets so that an echo of one elsewhere is redacted too.
CREDENTIAL_HEADERS = frozenset(
    {"authorization", "api-key", "x-api-key", "cookie", "set-cookie", "x-fake-admin-token"}
)
END_USER_HEADER = "x-on-behalf-of"
# An end-user id shorter than this is replaced only where it is a whole value
# (a path segment, a header, a string), not inside other text.
SHORTEST_END_USER = 3


class Redactor:
    """The secrets and end users one recording has seen, and what it replaced."""

    def __init__(self, *, keep_end_users: bool = False) -> None:
        self.keep_end_users = keep_end_users
        self.secrets_replaced = 0
        self._secrets: set[str] = set()
        self._pseudonyms: dict[str, str] = {}

    @property
    def end_users(self) -> int:
        return len(self._pseudonyms)

    def counts(self) -> dict[str, int]:
        return {"secrets": self.secrets_replaced, "end_users": self.end_users}

    def learn(self, headers: Iterable[tuple[str, str]]) -> None:
        """Remember the credentials and end users among a request's headers."""
        for name, value in headers:
            if name in CREDENTIAL_HEADERS:
                self._learn_secret(value)
            elif name == END_USER_HEADER and value and not self.keep_end_users:
                self.pseudonym(value)

    def _learn_secret(self, value: str, *, whole: bool = False) -> None:
        """Remember a credential; a header's (``Bearer KEY``) word by word too."""
        for part in (value,) if whole else (value, *value.split()):
            token = part.strip()
            if len(token) >= SHORTEST_SECRET and token.lower() != "bearer":
                self._secrets.add(token)

    def learn_end_user(self, value: Any) -> None:
        """Remember an end-user id met in a body or a path (MKA1's permissions)."""
        if isinstance(value, str) and value and not self.keep_end_users:
            self.pseudonym(value)

    def pseudonym(self, end_user: str) -> str:
        if self.keep_end_users:
            return end_user
        known = self._pseudonyms.get(end_user)
        if known is None:
            known = self._pseudonyms[end_user] = f"end-user-{len(self._pseudonyms) + 1}"
        return known

    def headers(self, headers: Iterable[tuple[str, str]], kept: frozenset[str]) -> dict[str, str]:
        """The headers a cassette may hold: documented ones, values redacted."""
        out: dict[str, str] = {}
        for name, value in headers:
            if name in kept and name not in CREDENTIAL_HEADERS:
                if name == END_USER_HEADER:
                    out[name] = self.pseudonym(value)
                else:
                    out[name] = self.text(value)
        return out

    def text(self, value: str) -> str:
        """A string as it may be written: ``[redacted]`` if it holds a key, end
        users replaced by their pseudonyms."""
        if holds_secret(value, self._secrets):
            self.secrets_replaced += 1
            return REDACTED
        if self._pseudonyms and not self.keep_end_users:
            whole = self._pseudonyms.get(value)
            if whole is not None:
                return whole
            for end_user, pseudonym in self._pseudonyms.items():
                if len(end_user) >= SHORTEST_END_USER and end_user in value:
                    value = value.replace(end_user, pseudonym)
        return value

    def value(self, value: Any) -> Any:
        """A JSON value with every string in it (keys of objects too) passed
        through ``text``."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {self.text(key): self._field(key, item) for key, item in value.items()}
        return value

    def _field(self, name: str, value: Any) -> Any:
        """A field's value: redacted whole (and learnt) under a secret name."""
        if not is_secret_name(name) or value is None or isinstance(value, bool):
            return self.value(value)
        if isinstance(value, str):
            self._learn_secret(value, whole=True)
        self.secrets_replaced += 1
        return REDACTED

    def path(self, path: str) -> str:
        return "/".join(self.text(part) for part in path.split("/"))

    def query(self, pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for name, value in pairs:
            if is_secret_parameter(name):
                self._learn_secret(value, whole=True)
                self.secrets_replaced += 1
                out.append((name, REDACTED))
            else:
                out.append((self.text(name), self.text(value)))
        return out
