"""``fake-server parity``: a recording's requests, replayed against a fresh fake.

The fake is built from the scenario (``--scenario``, else the ``scenario.yaml``
beside the cassette, else the default one) and answers in process. Its clock
follows the recording: before each request it is moved to the middle of the
recorded exchange (``t + duration / 2`` after the recording's start), so a file
the upstream reported still in progress is in progress here too if the
scenario times it alike. The ids the fake creates stand for the upstream's
(``parity_ids``); each answer is compared with the recorded one
(``parity_compare``) and each difference tagged (``parity_tags``).

The scenario's ``auth`` is left out: the recorded requests were the upstream's
to authorise, and their keys were never recorded.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import mimetypes
from pathlib import Path
from typing import Any

import httpx

from fake_server.contract.checker import Contract
from fake_server.contract.operations import BY_ID
from fake_server.domain.clock import FollowedClock
from fake_server.http.admin_paths import ADMIN_PREFIX
from fake_server.http.app import FakeServerApp, create_app
from fake_server.recording.cassette import Cassette, Exchange, RecordedRequest
from fake_server.recording.parity_compare import Answer, Difference, compare
from fake_server.recording.parity_ids import IdMap
from fake_server.recording.parity_report import ParityResult, findings
from fake_server.recording.parity_tags import Judged, tag
from fake_server.scenario.loading import Scenario, default_scenario
from fake_server.testing.handle import IN_PROCESS_URL, TEST_API_KEY
from fake_server.testing.inprocess import InProcessTransport

CASSETTE_NAME = "cassette.json"
SCENARIO_NAME = "scenario.yaml"
# Request headers never replayed: the transport sets them for the body it sends.
NOT_REPLAYED = frozenset({"content-type", "content-length", "host", "transfer-encoding"})
# An answer that never came (a connection dropped on purpose).
NO_ANSWER = 0
# The upstream refused the client's key: the recording keeps no key, so the
# request cannot be put to the fake as it was.
AUTHENTICATION_STATUS = 401
# Where an answer made of the uploaded content (``Operation.made_of_content``)
# holds it: not comparable when only the uploads' digests were recorded (the
# fake holds stand-in bytes then).
CONTENT_FIELDS = ("$.data", "$.content", "$.has_more", "$.next_page")
CONTENT_NOTE = (
    "uploads were recorded without their bytes (record with --keep-content to have "
    "them): differences in search results and file contents were left out"
)


def cassette_and_scenario(cassette: str, scenario: str | None) -> tuple[Path, Path | None]:
    """Where the cassette is (a folder stands for its ``cassette.json``) and which
    scenario goes with it: the one named, else ``scenario.yaml`` beside it, if any."""
    path = Path(cassette)
    if path.is_dir():
        path = path / CASSETTE_NAME
    if scenario is not None:
        return path, Path(scenario)
    beside = path.parent / SCENARIO_NAME
    return path, beside if beside.is_file() else None


def recording_start(cassette: Cassette) -> float:
    """The recording's start in unix seconds (now, if ``recorded_at`` is unreadable)."""
    try:
        moment = datetime.datetime.fromisoformat(cassette.recorded_at.replace("Z", "+00:00"))
    except ValueError:
        return datetime.datetime.now(datetime.UTC).timestamp()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.timestamp()


def following(scenario: Scenario, start: float) -> tuple[Scenario, FollowedClock]:
    """``scenario`` on a clock that parity moves, without its ``auth``."""
    data = {name: value for name, value in scenario.data.items() if name != "auth"}
    clock = FollowedClock(float(data.get("clock", {}).get("start", start)))
    return Scenario(scenario.source, data, clock), clock


def run_parity(
    cassette: Cassette,
    scenario: Scenario | None = None,
    *,
    cassette_name: str = CASSETTE_NAME,
    contract: Contract | None = None,
) -> ParityResult:
    """Replay ``cassette``'s requests against a fresh fake of ``scenario``; compare."""
    contract = contract or Contract.load()
    chosen = scenario or default_scenario()
    replayed_scenario, clock = following(chosen, recording_start(cassette))
    app = create_app(replayed_scenario, contract=contract)
    ids = IdMap()
    differences: list[Difference] = []
    skipped: list[tuple[int, str]] = []
    uncompared: set[str] = set()
    transport = InProcessTransport(app, httpx)
    headers = {"authorization": f"Bearer {TEST_API_KEY}"}
    start = clock.now()
    declared = declared_ids(chosen.data)
    contents_kept = all(
        exchange.request.upload is None or exchange.request.upload.content_b64 is not None
        for exchange in cassette.exchanges
    )
    with httpx.Client(
        base_url=IN_PROCESS_URL,
        transport=transport,  # type: ignore[arg-type]
        headers=headers,
    ) as client:
        for exchange in cassette.exchanges:
            reason = _not_replayed(exchange)
            if reason is not None:
                skipped.append((exchange.seq, reason))
                continue
            clock.move_to(start + exchange.t + exchange.duration / 2)
            fake = _ask(client, exchange.request, ids)
            # Learnt first: a create's answer names the id it stands for.
            ids.learn(exchange.response.body, fake.body)
            for difference in _compared(app, contract, exchange, fake, ids, declared_ids=declared):
                if contents_kept or not _made_of_content(difference):
                    differences.append(difference)
                else:
                    uncompared.add(CONTENT_NOTE)
    return ParityResult(
        cassette=cassette_name,
        scenario=None if scenario is None else scenario.source,
        exchanges=len(cassette.exchanges),
        replayed=len(cassette.exchanges) - len(skipped),
        skipped=tuple(skipped),
        findings=findings(differences),
        notes=tuple(sorted(uncompared)),
    )


def declared_ids(data: Any) -> frozenset[str]:
    """Every object id a scenario names (its stores, batches, files, uploads)."""
    found: set[str] = set()
    pending = [data]
    for _ in range(1_000_000):  # bounded: a scenario is at most MAX_SCENARIO_BYTES
        if not pending:
            break
        value = pending.pop()
        if isinstance(value, dict):
            if isinstance(value.get("id"), str):
                found.add(value["id"])
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return frozenset(found)


def _not_replayed(exchange: Exchange) -> str | None:
    """Why an exchange is not put to the fake, if it is not."""
    if exchange.request.path.startswith(ADMIN_PREFIX):
        return "the control plane is the fake's own"
    if exchange.response.status == AUTHENTICATION_STATUS:
        return "the upstream refused the key, which the recording does not keep"
    return None


def _made_of_content(difference: Difference) -> bool:
    operation = BY_ID.get(difference.operation)
    return (
        operation is not None
        and operation.made_of_content
        and difference.where.startswith(CONTENT_FIELDS)
    )


def _compared(
    app: FakeServerApp,
    contract: Contract,
    exchange: Exchange,
    fake: Answer,
    ids: IdMap,
    *,
    declared_ids: frozenset[str] = frozenset(),
) -> list[Difference]:
    request, response = exchange.request, exchange.response
    download = response.download
    upstream = Answer(
        response.status,
        {name.lower(): value for name, value in response.headers.items()},
        None if download is not None else response.body,
        None if download is None else download.size,
    )
    match = app.router.match(request.method, request.path)
    operation = match.route.operation_id if match.route is not None else "unknown route"
    schema = contract.response_schema(match.dialect.schema_set, operation, upstream.status)
    filtered = any(name == "filter" for name, _ in request.query)
    judged = Judged(upstream.body, schema)
    declared = not declared_ids.isdisjoint(request.path.split("/"))
    return [
        difference._replace(
            tag=tag(difference, upstream, fake, judged, filtered=filtered, names_declared=declared)
        )
        for difference in compare(exchange.seq, operation, upstream, fake, ids)
    ]


def _ask(client: httpx.Client, request: RecordedRequest, ids: IdMap) -> Answer:
    """The fake's answer to the recorded request, upstream ids replaced by the fake's."""
    options: dict[str, Any] = {
        "params": [(name, ids.rewrite(value)) for name, value in request.query],
        "headers": {
            name: value
            for name, value in request.headers.items()
            if name.lower() not in NOT_REPLAYED
        },
    }
    upload = request.upload
    if upload is not None:
        content = upload_content(upload.size, upload.sha256, upload.content_b64)
        kind = mimetypes.guess_type(upload.filename)[0] or "application/octet-stream"
        options["files"] = {upload.field: (upload.filename, content, kind)}
        options["data"] = dict(upload.fields)
    elif request.body is not None:
        options["json"] = ids.rewrite(request.body)
    try:
        answer = client.request(request.method, ids.rewrite_path(request.path), **options)
    except httpx.TransportError as error:
        return Answer(NO_ANSWER, {}, {"no answer": str(error)})
    headers = {name.lower(): value for name, value in answer.headers.items()}
    if headers.get("content-type", "").partition(";")[0].strip() == "application/json":
        return Answer(answer.status_code, headers, answer.json())
    return Answer(answer.status_code, headers, None, len(answer.content))


def upload_content(size: int, sha256: str, content_b64: str | None) -> bytes:
    """An upload's bytes: the recorded ones if kept, else ``size`` bytes of text made
    from its digest (the same for the same content, different for another)."""
    if content_b64 is not None:
        return base64.b64decode(content_b64)
    seed = hashlib.sha256(sha256.encode("ascii")).hexdigest().encode("ascii") + b"\n"
    return (seed * (size // len(seed) + 1))[:size]
