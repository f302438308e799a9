"""Any sequence of operations leaves every answer, provider and control plane, in its contract.

The app runs in process and strict: a provider or control-plane answer that
breaks its schema, or holds a number JSON cannot carry, comes back as a 500
``contract_violation``. After every step the control plane's reads (state,
journal, report) are read too, so a state the domain can reach but the
admin schema does not describe fails here, whichever step reached it.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from fake_server.http.app import create_app
from fake_server.scenario.loading import parse_scenario
from fake_server.testing import InProcessTransport
from fake_server.testing.handle import IN_PROCESS_URL

SCENARIO = """
clock: {mode: virtual, start: 1704067200}
cancel: %(cancel)s
defaults: {processing_seconds: %(default_seconds)s}
files:
  - {id: file-up1, content: "alpha beta", expires_after: {anchor: created_at, seconds: 3600}}
  - {id: file-up2, content: "gamma delta", processing_seconds: never}
  - {id: file-up3, content: "epsilon", processing_seconds: 4, outcome: failed}
vector_stores:
  - id: vs_p
    owner: alice
    expires_after: {anchor: last_active_at, days: 1}
    file_batches:
      - id: vsfb_p
        files:
          - {id: file-n1, processing_seconds: never}
          - {id: file-q1, processing_seconds: 2}
          - {id: file-f1, processing_seconds: 5, outcome: failed}
          - {id: file-d1, status: completed}
"""
STORE = "/v1/vector_stores/vs_p"
MKA1_STORE = "/api/v1/llm/vector_stores/vs_p"
AS_OWNER = {"authorization": "Bearer k", "x-on-behalf-of": "alice"}
READS = ("/__fake__/state", "/__fake__/requests", "/__fake__/report")
NAMES = st.sampled_from(["file-up1", "file-up2", "file-up3", "file-n1", "file-q1", "file-zz"])


class EveryAnswerInContract(RuleBasedStateMachine):
    @initialize(
        cancel=st.sampled_from(["{mode: immediate}", "{mode: gradual, delay_seconds: 3}"]),
        default_seconds=st.sampled_from(["never", "1", "30"]),
    )
    def start(self, cancel: str, default_seconds: str) -> None:
        text = SCENARIO % {"cancel": cancel, "default_seconds": default_seconds}
        self.app = create_app(parse_scenario(text, "<property>"))
        transport = InProcessTransport(self.app)
        self.http = httpx.Client(transport=transport, base_url=IN_PROCESS_URL)  # type: ignore[arg-type]
        self.batches = ["vsfb_p"]
        self.uploads: list[str] = []

    def teardown(self) -> None:
        http = getattr(self, "http", None)
        if http is not None:
            http.close()

    def call(self, method: str, path: str, **options: Any) -> httpx.Response:
        headers = {**AS_OWNER, **options.pop("headers", {})}
        answer = self.http.request(method, path, headers=headers, **options)
        assert answer.status_code < 500, (method, path, answer.text[:500])
        if answer.headers["content-type"] == "application/json":
            _strict_json(answer.content)
        return answer

    @rule(
        content=st.binary(max_size=64),
        expires=st.sampled_from([None, "3600", "7200"]),
    )
    def upload(self, content: bytes, expires: str | None) -> None:
        data = {"purpose": "assistants"}
        if expires is not None:
            data |= {"expires_after[anchor]": "created_at", "expires_after[seconds]": expires}
        answer = self.call("POST", "/v1/files", data=data, files={"file": ("a.txt", content)})
        if answer.status_code == 200:
            self.uploads.append(answer.json()["id"])

    @rule(data=st.data())
    def create_batch(self, data: st.DataObject) -> None:
        pool = [*self.uploads, "file-up1", "file-up2", "file-up3"]
        ids = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))
        answer = self.call("POST", f"{STORE}/file_batches", json={"file_ids": ids})
        if answer.status_code == 200:
            self.batches.append(answer.json()["id"])

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        batch = data.draw(st.sampled_from(self.batches))
        self.call("POST", f"{STORE}/file_batches/{batch}/cancel")

    @rule(data=st.data())
    def read_batch(self, data: st.DataObject) -> None:
        batch = data.draw(st.sampled_from(self.batches))
        self.call("GET", f"{STORE}/file_batches/{batch}")
        self.call("GET", f"{STORE}/file_batches/{batch}/files", params={"limit": 2})

    @rule(name=NAMES)
    def detach(self, name: str) -> None:
        self.call("DELETE", f"{STORE}/files/{name}")

    @rule(name=NAMES)
    def delete_upload(self, name: str) -> None:
        self.call("DELETE", f"/v1/files/{name}")

    @rule(name=NAMES)
    def read_content(self, name: str) -> None:
        self.call("GET", f"/v1/files/{name}/content")
        self.call("GET", f"{STORE}/files/{name}")

    @rule(
        user=st.sampled_from(["bob", "carol"]),
        role=st.sampled_from(["reader", "writer"]),
        grant=st.booleans(),
    )
    def permission(self, user: str, role: str, grant: bool) -> None:
        if grant:
            self.call("POST", f"{MKA1_STORE}/permissions", json={"role": role, "user_id": user})
        else:
            self.call("DELETE", f"{MKA1_STORE}/permissions/{user}")
        self.call("GET", f"{MKA1_STORE}/files", headers={"x-on-behalf-of": user})

    @rule()
    def list_and_search(self) -> None:
        self.call("GET", "/v1/vector_stores")
        self.call("GET", "/v1/files")
        self.call("POST", f"{STORE}/search", json={"query": "alpha"})

    @rule()
    def delete_store(self) -> None:
        self.call("DELETE", STORE)

    @rule(seconds=st.sampled_from([0, 1, 2.5, 3, 60, 3601, 86_401, 1e9]))
    def advance(self, seconds: float) -> None:
        answer = self.http.post("/__fake__/clock/advance", json={"seconds": seconds})
        assert answer.status_code == 200, answer.text

    @invariant()
    def control_plane_reads_are_in_contract(self) -> None:
        if not hasattr(self, "http"):
            return
        for path in READS:
            answer = self.http.get(path)
            assert answer.status_code == 200, (path, answer.text[:500])
            _strict_json(answer.content)
        violations = list(self.app.sessions.default.violations)
        assert violations == [], violations


def _strict_json(data: bytes) -> None:
    """Parse ``data`` as JSON proper: Python's reader would take ``Infinity`` and ``NaN``."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} in an answer: not JSON")

    json.loads(data, parse_constant=refuse)


EveryAnswerInContract.TestCase.settings = settings(
    max_examples=30,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_every_answer_stays_in_contract = EveryAnswerInContract.TestCase
