"""``fake-server serve``'s options, each also read from its ``FAKE_SERVER_*``
variable (a flag wins over the variable), and the option values that cannot be
served, refused before anything loads."""

from __future__ import annotations

import argparse
import importlib.util
import ipaddress
import os

from fake_server import defaults

ENV_PREFIX = "FAKE_SERVER_"
# The optional fast halves of uvicorn's stack, chosen by "auto" when importable.
FAST_STACK = ("uvloop", "httptools")


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(ENV_PREFIX + name, default)


def flag(name: str) -> bool:
    """A yes/no variable: set and not 0, false, no or empty."""
    return (env(name) or "").strip().lower() not in ("", "0", "false", "no")


def add_serve_options(serve: argparse.ArgumentParser) -> None:
    """Every option of ``serve``: what it serves and where, then how."""
    _serve_what_and_where(serve)
    _serve_how(serve)


def _serve_what_and_where(serve: argparse.ArgumentParser) -> None:
    serve.add_argument(
        "--scenario",
        metavar="FILE",
        default=env("SCENARIO"),
        help="scenario YAML (default: the shipped one)",
    )
    serve.add_argument(
        "--host", default=env("HOST", "127.0.0.1"), help="address to bind (default 127.0.0.1)"
    )
    serve.add_argument(
        "--port",
        type=port,
        default=env("PORT", "8080"),
        help="port; 0 picks a free one (default 8080)",
    )
    serve.add_argument(
        "--contract",
        choices=["strict", "warn"],
        default=env("CONTRACT", "strict"),
        help="on a contract violation: answer 500 (strict, default) or log and send it (warn)",
    )
    serve.add_argument(
        "--journal-size",
        type=positive,
        metavar="N",
        default=env("JOURNAL_SIZE"),
        help="requests kept by the journal (default: the scenario's journal.max_entries, "
        f"or {defaults.JOURNAL_MAX_ENTRIES})",
    )
    serve.add_argument(
        "--max-sessions",
        type=positive,
        metavar="N",
        default=env("MAX_SESSIONS", str(defaults.MAX_SESSIONS)),
        help="X-Fake-Session sessions kept; the least recently used goes first "
        f"(default {defaults.MAX_SESSIONS})",
    )


def _serve_how(serve: argparse.ArgumentParser) -> None:
    serve.add_argument(
        "--admin-token",
        metavar="TOKEN",
        default=env("ADMIN_TOKEN"),
        help="require 'Authorization: Bearer TOKEN' on the control plane (/__fake__, "
        "health excepted); required when --host is not a loopback address",
    )
    serve.add_argument(
        "--open-control-plane",
        action="store_true",
        default=flag("OPEN_CONTROL_PLANE"),
        help="serve the control plane without --admin-token on a non-loopback --host: "
        "inside a container, whose published port decides who reaches it "
        "(FAKE_SERVER_OPEN_CONTROL_PLANE=1; the image sets it)",
    )
    serve.add_argument(
        "--allowed-host",
        metavar="NAME",
        action="append",
        default=[name for name in (env("ALLOWED_HOST") or "").split(",") if name],
        help="answer requests whose Host is NAME too (repeatable; FAKE_SERVER_ALLOWED_HOST "
        "takes a comma-separated list; * for any), beyond loopback names and the bound "
        "address: a container's service name, say",
    )
    serve.add_argument(
        "--ready-file",
        metavar="PATH",
        default=env("READY_FILE"),
        help="once accepting connections, write {url, host, port, pid} as JSON to PATH "
        "(atomically); removed on exit",
    )
    serve.add_argument(
        "--loop",
        choices=["auto", "uvloop", "asyncio"],
        default=env("LOOP", "auto"),
        help="event loop: uvloop when installed (auto, default), or asyncio",
    )
    serve.add_argument(
        "--http",
        choices=["auto", "httptools", "h11"],
        default=env("HTTP", "auto"),
        help="HTTP/1.1 parser: httptools when installed (auto, default), or h11",
    )
    serve.add_argument(
        "--log-format",
        choices=["text", "json"],
        default=env("LOG_FORMAT", "text"),
        help="one line per request, readable (text, default) or JSON",
    )
    serve.add_argument(
        "--log-level",
        choices=["debug", "info", "warning", "error"],
        default=env("LOG_LEVEL", "info"),
        help="info logs every request; warning only problems (default info)",
    )


def port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return int(text)


def positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve anywhere


def serve_refusal(args: argparse.Namespace) -> str | None:
    """Why these options cannot be served, before anything is loaded; None if they can."""
    if not args.admin_token and not args.open_control_plane and not is_loopback(args.host):
        return (
            f"--host {args.host} exposes the control plane beyond this machine; "
            "set --admin-token (or FAKE_SERVER_ADMIN_TOKEN) to protect it, or "
            "--open-control-plane where something else decides who reaches it (a container)"
        )
    for option, module in (("--loop", args.loop), ("--http", args.http)):
        if module in FAST_STACK and importlib.util.find_spec(module) is None:
            return (
                f"{option} {module}: {module} is not installed here "
                "(use auto to fall back to asyncio + h11)"
            )
    return None
