"""Where the control plane lives, for the modules that must tell it apart."""

from __future__ import annotations

ADMIN_PREFIX = "/__fake__"


def is_admin_path(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")
