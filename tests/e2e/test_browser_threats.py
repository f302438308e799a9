"""Browser threats: DNS rebinding (a foreign Host) and simple cross-site requests
(a foreign Origin, a body type a page sends without a preflight).

Each refusal is a 403 in the provider's envelope, changes nothing, and the
server goes on serving everyone else.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from fake_server import ServerThread, create_app
from fake_server.contract.checker import Contract
from fake_server.domain.inspection import OverviewBounds
from fake_server.scenario.loading import parse_scenario
from fake_server.testing import InProcessTransport
from fake_server.testing.handle import IN_PROCESS_URL

SCENARIO = """
clock: {mode: virtual, start: 1704067200}
vector_stores:
  - id: vs_g
    file_batches: [{id: vsfb_g, files: [{processing_seconds: 60}, {processing_seconds: 60}]}]
"""
ADMIN_TOKEN = "admin-secret-1234"
KEY = {"authorization": "Bearer k"}
BATCH = "/v1/vector_stores/vs_g/file_batches/vsfb_g"
FOREIGN_HOSTS = [
    "attacker.example",
    "attacker.example:8080",
    "ATTACKER.example",
    "localhost.attacker.example",
    "127.0.0.1.nip.io",
    "evil.localhost",
    "0.0.0.0",
    "[::2]",
    "10.0.0.1",
    "127.0.0.1@attacker.example",
    "attacker.example/127.0.0.1",
    "",
    " ",
    "localhost:99999",
    "a" * 5000,
    "xn--80ak6aa92e.com",
]
LOOPBACK_HOSTS = [
    "localhost",
    "LOCALHOST:8080",
    "localhost.",
    "127.0.0.1",
    "127.0.0.1:1",
    "127.1.2.3",
    "[::1]",
    "[::1]:8080",
]
# (method, path, JSON body or None): every change the control plane offers.
CHANGES: list[tuple[str, str, Any]] = [
    ("POST", "/__fake__/reset", None),
    ("POST", "/__fake__/clock/advance", {"seconds": 30}),
    ("POST", "/__fake__/faults", {"operation": "getVectorStoreFileBatch", "status": 500}),
    ("DELETE", "/__fake__/faults", None),
    ("DELETE", "/__fake__/requests", None),
    ("DELETE", "/__fake__/sessions/other", None),
    ("PUT", "/__fake__/scenario", None),
]
FOREIGN_ORIGINS = [
    "http://attacker.example",
    "null",
    "https://fake-server.invalid",
    "http://fake-server.invalid:8080",
    "http://FAKE-server.invalid.attacker.example",
    "http://fake-server.invalid/",
    "http://user@fake-server.invalid",
    "fake-server.invalid",
    "file://",
    "",
]
SIMPLE_BODY_TYPES = [
    "text/plain",
    "text/plain;charset=UTF-8",
    "TEXT/PLAIN",
    " text/plain ; charset=utf-8",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=----x",
    "text/html",
    "application/octet-stream",
]


def _app(**options: Any) -> Any:
    return create_app(parse_scenario(SCENARIO, "<guards>"), contract=_CONTRACT, **options)


_CONTRACT = Contract.load()


@pytest.fixture
def app() -> Any:
    return _app()


def _client(app: Any, base_url: str = IN_PROCESS_URL, **options: Any) -> httpx.Client:
    transport = InProcessTransport(app)
    return httpx.Client(transport=transport, base_url=base_url, **options)  # type: ignore[arg-type]


@pytest.fixture
def client(app: Any) -> Iterator[httpx.Client]:
    with _client(app) as http:
        yield http


def _refused(answer: httpx.Response, code: str) -> None:
    assert answer.status_code == 403, answer.text
    error = answer.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error" and error["code"] == code
    assert error["param"] is None
    assert len(error["message"]) < 400, "the client's input is echoed cut short"


def _snapshot(app: Any) -> tuple[Any, ...]:
    session = app.sessions.default
    return (
        session.clock.now(),
        [rule.to_dict() for rule in session.faults.rules()],
        session.journal.entries(),
        session.scenario.source,
        app.sessions.names(),
        session.account.inspect(OverviewBounds()).vector_stores[0].batches[0].status,
    )


def _serves_others(client: httpx.Client) -> None:
    assert client.get(BATCH, headers=KEY).status_code == 200
    assert client.get("/__fake__/state").status_code == 200


def _send(
    client: httpx.Client, method: str, path: str, body: Any, **headers: str
) -> httpx.Response:
    content = b"" if body is None else httpx.Request("POST", "/", json=body).read()
    return client.request(method, path, content=content, headers=headers)


# -- Host, on every route -------------------------------------------------


@pytest.mark.parametrize("host", FOREIGN_HOSTS, ids=lambda host: repr(host[:30]))
@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/__fake__/requests"),
        ("GET", "/__fake__/state"),
        ("GET", BATCH),
        ("POST", BATCH + "/cancel"),
        ("GET", "/__fake__/health"),
        ("GET", "/nowhere"),
    ],
)
def test_a_host_the_server_does_not_answer_to_is_refused(
    app: Any, client: httpx.Client, host: str, method: str, path: str
) -> None:
    client.get(BATCH, headers=KEY)  # something in the journal to leak
    before = _snapshot(app)

    answer = client.request(method, path, headers={**KEY, "host": host})

    _refused(answer, "forbidden_host")
    assert answer.headers["content-type"] == "application/json"
    after = _snapshot(app)
    assert after[:2] == before[:2] and after[3:] == before[3:]
    _serves_others(client)


@pytest.mark.parametrize("host", LOOPBACK_HOSTS)
def test_loopback_names_are_answered(client: httpx.Client, host: str) -> None:
    assert client.get(BATCH, headers={**KEY, "host": host}).status_code == 200
    assert client.get("/__fake__/requests", headers={"host": host}).status_code == 200


def test_a_host_sent_twice_is_refused(client: httpx.Client) -> None:
    request = client.build_request("GET", "/__fake__/requests")
    request.headers = httpx.Headers([("host", "localhost"), ("host", "attacker.example")])
    _refused(client.send(request), "forbidden_host")


def test_the_in_process_url_host_is_its_own(client: httpx.Client) -> None:
    assert client.get(BATCH, headers=KEY).status_code == 200


@pytest.mark.parametrize("base", ["http://fake.invalid", "http://x", "https://api.example:8443"])
def test_any_in_process_base_url_is_its_own(base: str) -> None:
    with _client(_app(), base) as http:
        assert http.get(BATCH, headers=KEY).status_code == 200
        _refused(http.get(BATCH, headers={**KEY, "host": "attacker.example"}), "forbidden_host")


def test_allowed_hosts_add_names_and_star_allows_any() -> None:
    with _client(_app(allowed_hosts=["Fake.Docker", "0.0.0.0"])) as http:
        assert http.get(BATCH, headers={**KEY, "host": "fake.docker:8080"}).status_code == 200
        # An unspecified address names no host: 0.0.0.0 stays refused.
        _refused(http.get(BATCH, headers={**KEY, "host": "0.0.0.0:8080"}), "forbidden_host")
        _refused(http.get(BATCH, headers={**KEY, "host": "attacker.example"}), "forbidden_host")
    with _client(_app(allowed_hosts=["*"])) as http:
        assert http.get(BATCH, headers={**KEY, "host": "anything.example"}).status_code == 200


def test_over_a_socket_the_bound_address_and_loopback_are_answered() -> None:
    with ServerThread(_app()) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        port = server.url.rsplit(":", 1)[1]
        assert http.get(BATCH, headers=KEY).status_code == 200
        assert http.get(BATCH, headers={**KEY, "host": f"localhost:{port}"}).status_code == 200
        refused = http.get("/__fake__/requests", headers={"host": f"attacker.example:{port}"})
        _refused(refused, "forbidden_host")
        assert http.get("/__fake__/requests").status_code == 200


def test_the_refusal_comes_before_auth() -> None:
    app = _app(admin_token=ADMIN_TOKEN)
    with _client(app) as http:
        _refused(
            http.get("/__fake__/requests", headers={"host": "attacker.example"}), "forbidden_host"
        )
        _refused(http.get(BATCH, headers={"host": "attacker.example"}), "forbidden_host")


# -- Origin, on every change to the control plane --------------------------


@pytest.mark.parametrize("token", [None, ADMIN_TOKEN])
@pytest.mark.parametrize("origin", FOREIGN_ORIGINS)
@pytest.mark.parametrize("method, path, body", CHANGES, ids=lambda value: str(value)[:20])
def test_a_change_from_a_foreign_origin_is_refused(
    token: str | None, origin: str, method: str, path: str, body: Any
) -> None:
    app = _app(admin_token=token)
    headers = {} if token is None else {"authorization": f"Bearer {token}"}
    with _client(app, headers=headers) as http:
        http.post(BATCH + "/cancel", headers=KEY)  # a change the reset would undo
        before = _snapshot(app)

        answer = _send(http, method, path, body, origin=origin)

        _refused(answer, "forbidden_origin")
        assert _snapshot(app) == before
        assert http.get(BATCH, headers=KEY).json()["status"] == "cancelled"
        assert http.get("/__fake__/state").status_code == 200


def test_an_origin_sent_twice_is_refused(app: Any, client: httpx.Client) -> None:
    request = client.build_request("POST", "/__fake__/reset")
    request.headers["origin"] = IN_PROCESS_URL
    request.headers = httpx.Headers([*request.headers.raw, (b"origin", b"http://attacker.example")])
    _refused(client.send(request), "forbidden_origin")


def test_the_servers_own_origin_may_change_it(client: httpx.Client) -> None:
    advanced = client.post(
        "/__fake__/clock/advance", json={"seconds": 5}, headers={"origin": IN_PROCESS_URL}
    )
    assert advanced.status_code == 200 and advanced.json()["now"] == 1704067205
    same = client.post("/__fake__/reset", headers={"origin": "HTTP://Fake-Server.invalid:80"})
    assert same.status_code == 200


def test_over_a_socket_the_inspectors_own_origin_is_accepted() -> None:
    with ServerThread(_app()) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        advanced = http.post(
            "/__fake__/clock/advance", json={"seconds": 1}, headers={"origin": server.url}
        )
        assert advanced.status_code == 200
        port = server.url.rsplit(":", 1)[1]
        other_port = http.post(
            "/__fake__/reset", headers={"origin": f"http://127.0.0.1:{int(port) + 1}"}
        )
        _refused(other_port, "forbidden_origin")
        other_name = http.post("/__fake__/reset", headers={"origin": f"http://localhost:{port}"})
        _refused(other_name, "forbidden_origin")


def test_reads_and_provider_calls_are_not_origin_checked(client: httpx.Client) -> None:
    # A foreign page cannot read these answers (no CORS); a provider call needs
    # a bearer key, which a page cannot add without a preflight.
    assert (
        client.get("/__fake__/clock", headers={"origin": "http://attacker.example"}).status_code
        == 200
    )
    cancel = client.post(BATCH + "/cancel", headers={**KEY, "origin": "http://attacker.example"})
    assert cancel.status_code == 200


# -- Body types a page sends without a preflight ----------------------------


@pytest.mark.parametrize("content_type", SIMPLE_BODY_TYPES)
@pytest.mark.parametrize("change", CHANGES, ids=lambda value: str(value)[:20])
def test_a_change_with_a_body_type_a_page_can_send_is_refused(
    app: Any, client: httpx.Client, content_type: str, change: tuple[str, str, Any]
) -> None:
    client.post(BATCH + "/cancel", headers=KEY)
    before = _snapshot(app)

    answer = _send(client, *change, **{"content-type": content_type})

    _refused(answer, "forbidden_content_type")
    assert _snapshot(app) == before
    _serves_others(client)


def test_a_content_type_sent_twice_is_refused(client: httpx.Client) -> None:
    request = client.build_request("POST", "/__fake__/clock/advance", json={"seconds": 1})
    request.headers = httpx.Headers([*request.headers.raw, (b"content-type", b"text/plain")])
    _refused(client.send(request), "forbidden_content_type")
    assert client.get("/__fake__/clock").json()["now"] == 1704067200


def test_curl_without_origin_or_type_keeps_working(client: httpx.Client) -> None:
    assert client.post("/__fake__/reset").status_code == 200
    assert client.delete("/__fake__/requests").status_code == 200
    advanced = client.post("/__fake__/clock/advance", content=b'{"seconds": 3}')
    assert advanced.status_code == 200 and advanced.json()["now"] == 1704067203
    json_typed = client.post(
        "/__fake__/clock/advance",
        content=b'{"seconds": 1}',
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert json_typed.status_code == 200


@pytest.mark.parametrize(
    "content_type",
    [None, "application/yaml", "application/x-yaml", "text/yaml", "application/json"],
)
def test_a_scenario_is_put_as_yaml_json_or_untyped(
    client: httpx.Client, content_type: str | None
) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    text = (
        "vector_stores: [{id: vs_new}]\n"
        if content_type != "application/json"
        else '{"vector_stores": [{"id": "vs_new"}]}'
    )
    loaded = client.put("/__fake__/scenario", content=text, headers=headers)
    assert loaded.status_code == 200, loaded.text
    assert client.get("/v1/vector_stores/vs_new", headers=KEY).status_code == 200


def test_a_scenario_sent_as_text_plain_is_refused(app: Any, client: httpx.Client) -> None:
    before = _snapshot(app)
    refused = client.put(
        "/__fake__/scenario", content="vector_stores: []\n", headers={"content-type": "text/plain"}
    )
    _refused(refused, "forbidden_content_type")
    assert "application/yaml" in refused.json()["error"]["message"]
    assert _snapshot(app) == before
