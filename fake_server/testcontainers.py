"""fake_server's image under Testcontainers: ``FakeServerContainer``.

Needs the optional extra: ``pip install 'vector-store-fake[testcontainers]'``,
and an image built by ``make image`` (or any tag of it). One container can
serve a whole test run: each ``session(name)`` has its own state, clock,
faults and journal (``X-Fake-Session``), so xdist workers or tests never see
each other's objects.

    with FakeServerContainer(image="fake-server:latest", scenario="tests/scenario.yaml") as fake:
        client = fake.session("worker-1").openai_client()
        client.vector_stores.create(name="docs")
"""

from __future__ import annotations

import time
from os import PathLike, fspath
from pathlib import Path
from typing import Any

import httpx

try:
    from testcontainers.core.container import DockerContainer
except ImportError as missing:  # pragma: no cover -- the extra is part of the test setup
    raise ImportError(
        "fake_server.testcontainers needs the testcontainers package: "
        "pip install 'vector-store-fake[testcontainers]'"
    ) from missing

from fake_server import defaults
from fake_server.testing.handle import TEST_API_KEY

SESSION_HEADER = "X-Fake-Session"
_POLL_SECONDS = 0.05


class FakeServerSession:
    """One ``X-Fake-Session`` of a served fake_server (``name`` None: the default one)."""

    def __init__(
        self, url: str, name: str | None = None, *, admin_token: str | None = None
    ) -> None:
        self.url = url
        self.name = name
        self._admin_token = admin_token

    @property
    def headers(self) -> dict[str, str]:
        """The header that names this session (none for the default one)."""
        return {} if self.name is None else {SESSION_HEADER: self.name}

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    def openai_client(self, **options: Any) -> Any:
        """An ``openai.OpenAI`` client for this session (retries off: tests want the
        first answer); ``options`` win."""
        import openai  # noqa: PLC0415 -- only for those who ask for a client

        settings: dict[str, Any] = {
            "api_key": TEST_API_KEY,
            "base_url": self.openai_base_url,
            "max_retries": 0,
            "default_headers": self.headers,
        }
        return openai.OpenAI(**(settings | options))

    def reset(self) -> None:
        """Back to the loaded scenario: objects, clock, faults and journal."""
        self._control("POST", "/reset")

    def report(self) -> list[dict[str, Any]]:
        """The client report: each mistake the fake saw this session's client make."""
        findings: list[dict[str, Any]] = self._control("GET", "/report")["findings"]
        return findings

    def requests(self) -> list[dict[str, Any]]:
        """The journal: this session's last requests, oldest first."""
        entries: list[dict[str, Any]] = self._control("GET", "/requests")["requests"]
        return entries

    def _control(self, method: str, path: str) -> Any:
        headers = dict(self.headers)
        if self._admin_token:
            headers["Authorization"] = f"Bearer {self._admin_token}"
        answer = httpx.request(method, f"{self.url}/__fake__{path}", headers=headers)
        answer.raise_for_status()
        return answer.json()


class FakeServerContainer(DockerContainer):
    """The fake_server image, started and waited for until ready.

    ``scenario``: a scenario file on this machine, mounted read-only as the
    image's /scenarios/scenario.yaml (.json for JSON); without it the
    shipped scenario is served. ``admin_token`` makes the control plane
    require it (the container passes it on its own calls). ``allowed_hosts``:
    names other containers reach it by (``--allowed-host``). ``host_ip``: the
    address the port is published on (None: every address, for a Docker host
    on another machine).
    """

    def __init__(
        self,
        image: str = defaults.IMAGE,
        scenario: str | PathLike[str] | None = None,
        *,
        admin_token: str | None = None,
        allowed_hosts: tuple[str, ...] = (),
        ready_timeout: float = defaults.IMAGE_READY_TIMEOUT_SECONDS,
        host_ip: str | None = "127.0.0.1",
        **kwargs: Any,
    ) -> None:
        super().__init__(image, **kwargs)
        self.with_exposed_ports(defaults.IMAGE_PORT)
        if host_ip is not None:
            # A free port on host_ip only (Docker's API takes an address and no
            # port): the control plane is open to whoever reaches the port.
            self.ports[str(defaults.IMAGE_PORT)] = (host_ip,)  # type: ignore[assignment]
        if scenario is not None:
            source = Path(fspath(scenario)).resolve()
            suffix = ".json" if source.suffix == ".json" else ".yaml"
            self.with_volume_mapping(str(source), f"/scenarios/scenario{suffix}", "ro")
        if admin_token:
            self.with_env("FAKE_SERVER_ADMIN_TOKEN", admin_token)
        if allowed_hosts:
            self.with_env("FAKE_SERVER_ALLOWED_HOST", ",".join(allowed_hosts))
        self._admin_token = admin_token
        self._ready_timeout = ready_timeout

    def start(self) -> FakeServerContainer:
        super().start()
        self._wait_until_ready()
        return self

    @property
    def url(self) -> str:
        """The server's base URL from this machine (the mapped port)."""
        host = self.get_container_host_ip()
        return f"http://{host}:{self.get_exposed_port(defaults.IMAGE_PORT)}"

    @property
    def openai_base_url(self) -> str:
        return f"{self.url}/v1"

    def session(self, name: str) -> FakeServerSession:
        """The session called ``name``, made on its first request from the scenario."""
        return FakeServerSession(self.url, name, admin_token=self._admin_token)

    def default_session(self) -> FakeServerSession:
        """The session of requests that name none."""
        return FakeServerSession(self.url, admin_token=self._admin_token)

    def openai_client(self, **options: Any) -> Any:
        """An ``openai.OpenAI`` client of the default session."""
        return self.default_session().openai_client(**options)

    def reset(self) -> None:
        self.default_session().reset()

    def report(self) -> list[dict[str, Any]]:
        return self.default_session().report()

    def requests(self) -> list[dict[str, Any]]:
        return self.default_session().requests()

    def _wait_until_ready(self) -> None:
        ready = f"{self.url}/__fake__/ready"
        deadline = time.monotonic() + self._ready_timeout
        last = "no answer"
        while time.monotonic() < deadline:  # bounded by the ready timeout
            try:
                answer = httpx.get(ready, timeout=1.0)
                if answer.status_code == 200:
                    return
                last = f"{answer.status_code} {answer.text[:200]}"
            except httpx.HTTPError as error:
                last = str(error) or type(error).__name__
            time.sleep(_POLL_SECONDS)
        stdout, stderr = self.get_logs()
        raise TimeoutError(
            f"fake_server in {self.image} was not ready after {self._ready_timeout:g} s "
            f"({last}); its output:\n{(stdout + stderr).decode(errors='replace')[-2000:]}"
        )
