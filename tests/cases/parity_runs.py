"""Recording the lifecycle against a real upstream on loopback, for the parity and
replay tests: the upstream is a fake_server of the lifecycle's scenario, served
by uvicorn; the client is the ``openai`` SDK, recorded by its HTTP hooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fake_server.http.app import FakeServerApp, create_app
from fake_server.recording.cassette import dump_cassette
from fake_server.scenario.loading import parse_scenario
from fake_server.serve.thread import ServerThread
from fake_server.testing.handle import FakeServer
from tests.cases.lifecycle import UPSTREAM_SCENARIO, lifecycle
from tests.cases.recorder import Recorder


def openai_client(base_url: str, hooks: dict[str, Any] | None = None) -> Any:
    import openai  # noqa: PLC0415 -- as a test imports the SDK it drives

    return openai.OpenAI(
        api_key="sk-parity-test-key",
        base_url=base_url,
        max_retries=0,
        http_client=openai.DefaultHttpxClient(event_hooks=hooks or {}),
    )


def record_lifecycle(
    folder: Path,
    *,
    prefix: str = "",
    wrap: Any = None,
    prepare: Any = None,
) -> dict[str, Any]:
    """Serve the lifecycle's scenario (its app wrapped by ``wrap``, prepared by
    ``prepare(FakeServer)``), record the lifecycle against it under ``prefix`` into
    ``folder/cassette.json`` with ``folder/scenario.yaml`` beside it; what the
    client saw."""
    app: FakeServerApp = create_app(parse_scenario(UPSTREAM_SCENARIO))
    with ServerThread(app if wrap is None else wrap(app)) as upstream:
        if prepare is not None:
            prepare(FakeServer(app, upstream.url))
        recorder = Recorder(upstream.url, prefix)
        seen = lifecycle(openai_client(f"{upstream.url}{prefix}/v1", recorder.hooks()))
    folder.mkdir(parents=True, exist_ok=True)
    dump_cassette(recorder.cassette(), folder / "cassette.json")
    (folder / "scenario.yaml").write_text(UPSTREAM_SCENARIO, encoding="utf-8")
    return seen
