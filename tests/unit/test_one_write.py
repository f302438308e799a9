"""The head-joining transport: an answer leaves in one write; a turn's later ones together."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator

import pytest

from fake_server.serve.one_write import (
    JOIN_LIMIT_BYTES,
    EventLoopTurn,
    HeadJoiningTransport,
    protocol_for,
    turn_of,
)

HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"
PROTOCOL = asyncio.Protocol()


class RecordingTransport(asyncio.Transport):
    """Stands where the event loop's socket transport stands; keeps what it is asked."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, bytes]] = []
        self.buffered = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.calls.append(("write", bytes(data)))

    def close(self) -> None:
        self.calls.append(("close", b""))

    def abort(self) -> None:
        self.calls.append(("abort", b""))

    def write_eof(self) -> None:
        self.calls.append(("eof", b""))

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def is_closing(self) -> bool:
        return bool(self.calls) and self.calls[-1][0] in ("close", "abort")

    def get_protocol(self) -> asyncio.BaseProtocol:
        return PROTOCOL

    def get_extra_info(self, name: str, default: object = None) -> object:
        return {"peername": ("127.0.0.1", 1)}.get(name, default)


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    new_loop = asyncio.new_event_loop()
    yield new_loop
    new_loop.close()


def one_turn(loop: asyncio.AbstractEventLoop) -> None:
    """Run the callbacks scheduled so far (what the loop does before it polls)."""
    loop.run_until_complete(asyncio.sleep(0))


def joined(
    loop: asyncio.AbstractEventLoop, turn: EventLoopTurn | None = None
) -> tuple[HeadJoiningTransport, RecordingTransport]:
    inner = RecordingTransport()
    return HeadJoiningTransport(inner, turn or EventLoopTurn(loop)), inner


def test_a_head_and_its_body_leave_in_one_write(loop: asyncio.AbstractEventLoop) -> None:
    transport, inner = joined(loop)
    transport.write(HEAD)
    assert inner.calls == []
    transport.write(b"{}")
    assert inner.calls == [("write", HEAD + b"{}")]
    one_turn(loop)
    assert inner.calls == [("write", HEAD + b"{}")]


def test_a_head_alone_leaves_on_the_next_turn(loop: asyncio.AbstractEventLoop) -> None:
    transport, inner = joined(loop)
    transport.write(HEAD)
    assert transport.get_write_buffer_size() == len(HEAD)
    one_turn(loop)
    assert inner.calls == [("write", HEAD)]
    assert transport.get_write_buffer_size() == 0
    transport.write(b"{}")  # a body sent in a later turn goes out as it is
    assert inner.calls == [("write", HEAD), ("write", b"{}")]


def test_a_large_body_is_not_copied_to_join_its_head(loop: asyncio.AbstractEventLoop) -> None:
    transport, inner = joined(loop)
    body = b"x" * (JOIN_LIMIT_BYTES + 1)
    transport.write(HEAD)
    transport.write(body)
    assert inner.calls == [("write", HEAD), ("write", body)]


def test_later_answers_of_a_turn_leave_together_at_its_end(
    loop: asyncio.AbstractEventLoop,
) -> None:
    turn = EventLoopTurn(loop)
    (first, first_inner), (second, second_inner) = joined(loop, turn), joined(loop, turn)
    first.write(HEAD)
    first.write(b"{1}")
    second.write(HEAD)
    second.write(b"{2}")
    # The turn's first answer has left; the next waits for the turn's end.
    assert first_inner.calls == [("write", HEAD + b"{1}")]
    assert second_inner.calls == []
    one_turn(loop)
    assert second_inner.calls == [("write", HEAD + b"{2}")]
    # A new turn: its first answer leaves at once again.
    second.write(HEAD)
    second.write(b"{3}")
    assert second_inner.calls[-1] == ("write", HEAD + b"{3}")


def test_a_body_without_a_held_head_is_an_answer_too(loop: asyncio.AbstractEventLoop) -> None:
    transport, inner = joined(loop)
    transport.write(b"5\r\nhello\r\n")  # the turn's first: at once
    transport.writelines([b"0\r\n", b"\r\n"])  # a later one: at the turn's end
    assert inner.calls == [("write", b"5\r\nhello\r\n")]
    one_turn(loop)
    assert inner.calls == [("write", b"5\r\nhello\r\n"), ("write", b"0\r\n\r\n")]


def test_pipelined_answers_keep_their_order(loop: asyncio.AbstractEventLoop) -> None:
    transport, inner = joined(loop)
    for body in (b"{1}", b"{2}"):
        transport.write(HEAD)
        transport.write(body)
    transport.write(HEAD)
    one_turn(loop)
    assert [data for _, data in inner.calls] == [HEAD + b"{1}", HEAD + b"{2}" + HEAD]


def test_each_thread_and_loop_has_its_own_turn(loop: asyncio.AbstractEventLoop) -> None:
    assert turn_of(loop) is turn_of(loop)
    other = asyncio.new_event_loop()
    try:
        assert turn_of(other) is not turn_of(loop)
    finally:
        other.close()


def test_closing_sends_a_held_head_first(loop: asyncio.AbstractEventLoop) -> None:
    transport, inner = joined(loop)
    transport.write(HEAD)
    transport.close()
    one_turn(loop)
    assert inner.calls == [("write", HEAD), ("close", b"")]
    transport, inner = joined(loop)
    transport.write(HEAD)
    transport.write_eof()
    assert inner.calls == [("write", HEAD), ("eof", b"")]


def test_a_head_for_a_connection_gone_meanwhile_is_dropped(
    loop: asyncio.AbstractEventLoop,
) -> None:
    transport, inner = joined(loop)
    transport.write(HEAD)
    inner.close()  # the peer went away: the loop closed the transport itself
    one_turn(loop)
    assert inner.calls == [("close", b"")]


def test_an_abort_drops_a_held_head(loop: asyncio.AbstractEventLoop) -> None:
    transport, inner = joined(loop)
    transport.write(HEAD)
    transport.abort()
    one_turn(loop)
    assert inner.calls == [("abort", b"")]


def test_the_rest_of_the_transport_is_the_inner_one(loop: asyncio.AbstractEventLoop) -> None:
    transport, inner = joined(loop)
    inner.buffered = 7
    assert transport.get_protocol() is PROTOCOL  # through __getattr__
    assert transport.get_write_buffer_size() == 7
    assert transport.get_extra_info("peername") == ("127.0.0.1", 1)
    assert transport.get_extra_info("socket", "none") == "none"
    assert transport.is_closing() is False
    transport.close()
    assert transport.is_closing() is True


def test_the_protocols_are_uvicorns_own_extended() -> None:
    from uvicorn.protocols.http.h11_impl import H11Protocol  # noqa: PLC0415

    h11 = protocol_for("h11")
    assert isinstance(h11, type) and issubclass(h11, H11Protocol)
    auto = protocol_for("auto")
    assert isinstance(auto, type)
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol  # noqa: PLC0415
    except ImportError:
        assert issubclass(auto, H11Protocol)
    else:
        assert issubclass(auto, HttpToolsProtocol)
        assert issubclass(protocol_for("httptools"), HttpToolsProtocol)  # type: ignore[arg-type]


def test_without_uvicorns_protocol_modules_uvicorn_chooses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As under a uvicorn whose modules moved: importing them fails.
    monkeypatch.setitem(sys.modules, "uvicorn.protocols.http.httptools_impl", None)
    monkeypatch.setitem(sys.modules, "uvicorn.protocols.http.h11_impl", None)
    assert protocol_for("httptools") == "httptools"
    assert protocol_for("h11") == "h11"
