"""The inspector as a timeline and a request debugger, in a real browser.

The timeline's bars and now-line, a request's bodies (secrets never shown),
the filters, a finding linked to its requests, a fault rule added from the
form, the layout from 800 to 1920 px, axe-core's verdict, and that the page
asks nothing of any other origin. ``make screenshot`` writes the docs'
pictures from here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import httpx
import openai
import pytest
from playwright.sync_api import expect

from fake_server import parse_scenario
from fake_server.testing.handle import FakeServer
from tests.helpers import REPO_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

SCENARIO = parse_scenario(
    """
description: Two batches, one file that never finishes.
clock: {mode: virtual, start: 1704067200}
auth: {api_keys: [sk-inspector-test-0123456789]}
vector_stores:
  - id: vs_docs
    name: Docs
    file_batches:
      - id: vsfb_slow
        files:
          - {id: file-a, processing_seconds: 10}
          - {id: file-b, processing_seconds: 20, outcome: failed}
          - {id: file-never, processing_seconds: never}
""",
    "debugger.yaml",
)
KEY = "sk-inspector-test-0123456789"
BATCH = "/v1/vector_stores/vs_docs/file_batches/vsfb_slow"
AXE = REPO_ROOT / "tests" / "node" / "node_modules" / "axe-core" / "axe.min.js"
Scheme = Literal["light", "dark"]
SHOTS: dict[Scheme, Path] = {
    "light": REPO_ROOT / "docs" / "inspector.png",
    "dark": REPO_ROOT / "docs" / "inspector-dark.png",
}
pytestmark = pytest.mark.fake_server_scenario(SCENARIO)


def client(server: FakeServer) -> openai.OpenAI:
    return openai.OpenAI(api_key=KEY, base_url=f"{server.url}/v1", max_retries=0)


def rows(page: Page) -> Any:
    return page.get_by_role("table", name="Requests").locator("tbody > tr:not(.detail)")


def left_of(page: Page, selector: str) -> float:
    return float(page.locator(selector).evaluate("(node) => parseFloat(node.style.left)"))


def width_of(page: Page, selector: str) -> float:
    return float(page.locator(selector).evaluate("(node) => parseFloat(node.style.width)"))


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport={"width": 1440, "height": 900})
    try:
        yield opened
    finally:
        opened.close()


def test_the_timeline_bars_and_the_now_line_move_after_advance(page: Page) -> None:
    now = "[data-timeline='vsfb_slow'] .now"
    file_a = "[data-timeline='vsfb_slow'] .bar[data-file='file-a']"
    expect(page.locator(file_a)).to_have_class("bar in_progress")
    expect(page.locator("[data-timeline='vsfb_slow'] .bar.never")).to_have_count(1)
    before = left_of(page, now)
    assert before == 0  # the batch starts now

    page.get_by_label("Seconds").fill("15")
    page.get_by_label("Seconds").press("Enter")
    expect(page.locator(file_a)).to_have_class("bar completed")
    expect(page.locator(now)).to_have_attribute("data-now", "1704067215")
    assert left_of(page, now) > before
    # file-b (20 s) is still in progress, its bar ends after now.
    file_b = "[data-timeline='vsfb_slow'] .bar[data-file='file-b']"
    assert left_of(page, file_b) + width_of(page, file_b) > left_of(page, now)


def test_a_request_opens_to_its_bodies_without_secrets_and_the_list_filters(
    page: Page, server: FakeServer
) -> None:
    app = client(server)
    app.vector_stores.create(name="Made by the app", metadata={"api_key": "hunter2-secret"})
    app.vector_stores.file_batches.retrieve("vsfb_slow", vector_store_id="vs_docs")
    httpx.get(f"{server.url}/v1/vector_stores/vs_nope", headers={"Authorization": f"Bearer {KEY}"})
    expect(rows(page)).to_have_count(3)

    page.get_by_label("Show status").select_option("4")
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("404")
    page.get_by_label("Show status").select_option("")
    page.get_by_label("Show operation").select_option("createVectorStore")
    expect(rows(page)).to_have_count(1)
    page.get_by_label("Show operation").select_option("")
    page.get_by_label("Path contains").fill("file_batches")
    expect(rows(page)).to_have_count(1)
    expect(page.locator("#requests-note")).to_contain_text("1 match the filters")
    page.get_by_label("Path contains").fill("")
    expect(rows(page)).to_have_count(3)

    created = rows(page).filter(has_text="createVectorStore")
    created.get_by_role("button").click()
    detail = page.locator("tr.detail")
    expect(detail).to_contain_text('"name": "Made by the app"')
    expect(detail).to_contain_text('"object": "vector_store"')  # the response body
    expect(detail).to_contain_text("[redacted]")
    expect(detail).to_contain_text("Took")
    expect(detail).to_contain_text("none: a real answer")
    assert "hunter2-secret" not in detail.inner_text()
    assert KEY not in page.content()
    request_id = created.get_attribute("data-request-id")
    assert request_id and request_id.startswith("req_")
    expect(detail.locator("code").first).to_have_text(request_id)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    detail.get_by_role("button", name=f"Copy {request_id}").click()
    expect(page.get_by_role("status", name="Messages")).to_contain_text(f"Copied {request_id}")
    assert page.evaluate("navigator.clipboard.readText()") == request_id
    # Still open after the next redraws (the clock moves, the state changes).
    page.get_by_label("Seconds").fill("1")
    page.get_by_role("button", name="Advance").click()
    expect(page.get_by_label("Now")).to_contain_text("1704067201")
    expect(detail).to_contain_text('"name": "Made by the app"')


def test_an_open_body_keeps_its_scrolling_while_the_page_redraws(
    page: Page, server: FakeServer
) -> None:
    metadata = {f"key{i}": f"value {i}" for i in range(16)}
    client(server).vector_stores.create(name="Long", metadata=metadata)
    rows(page).first.get_by_role("button").click()
    body = page.get_by_label("Response body", exact=True)
    expect(body).to_contain_text('"key15"')
    body.evaluate("(pre) => { pre.scrollTop = 80; pre.dataset.mine = 'yes'; }")
    page.get_by_label("Seconds").fill("3")
    page.get_by_role("button", name="Advance").click()
    expect(page.get_by_label("Now")).to_contain_text("1704067203")
    assert body.evaluate("(pre) => [pre.dataset.mine, pre.scrollTop]") == ["yes", 80]


def test_a_request_opens_and_closes_from_the_keyboard(page: Page, server: FakeServer) -> None:
    client(server).vector_stores.create(name="By keyboard")
    button = rows(page).first.get_by_role("button")
    request_id = rows(page).first.get_attribute("data-request-id")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("tr.detail")).to_contain_text('"name": "By keyboard"')
    closing = page.get_by_role("button", name=f"Close {request_id}")
    expect(closing).to_be_focused()
    page.keyboard.press("Tab")  # into the detail: the Copy button
    expect(page.get_by_role("button", name=f"Copy {request_id}")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator("tr.detail")).to_have_count(0)
    expect(page.get_by_role("button", name=f"Open {request_id}")).to_be_focused()


@pytest.mark.fake_server_client_checks("off")  # the mistake is made on purpose
def test_a_finding_links_to_its_requests(page: Page, server: FakeServer) -> None:
    httpx.post(
        f"{server.url}/__fake__/faults",
        json={"operation": "createVectorStore", "status": 429, "retry_after_ms": 60000, "times": 1},
    ).raise_for_status()
    headers = {"Authorization": f"Bearer {KEY}"}
    for _ in range(2):  # the retry comes at once, not a minute later
        httpx.post(f"{server.url}/v1/vector_stores", json={"name": "x"}, headers=headers)
    findings = page.get_by_role("list", name="Client findings")
    expect(findings).to_contain_text("ignored_retry_after")
    report = httpx.get(f"{server.url}/__fake__/report").json()["findings"]
    first, second = report[0]["requests"]
    expect(rows(page).filter(has_text="finding")).to_have_count(2)

    findings.get_by_role("button", name=first).click()
    row = page.locator(f"tr[data-request-id='{first}']")
    expect(row.get_by_role("button", name=f"Close {first}")).to_be_focused()
    expect(row.get_by_role("button", name=f"Close {first}")).to_have_attribute(
        "aria-expanded", "true"
    )
    detail = page.locator(f"#detail-{first}")
    expect(detail).to_contain_text("ignored_retry_after")
    # The fault rule that answered it, and the body it answered.
    expect(detail).to_contain_text("#0 createVectorStore: answers 429, retry-after-ms 60000")
    expect(detail).to_contain_text('"code": "rate_limit_exceeded"')
    assert second != first


def test_a_fault_from_the_form_answers_the_next_request_and_counts_down(
    page: Page, server: FakeServer
) -> None:
    page.get_by_label("Operation", exact=True).fill("getVectorStoreFileBatch")
    page.get_by_label("Batch", exact=True).fill("vsfb_slow")
    page.get_by_label("Error status").fill("503")
    page.get_by_label("Times").fill("2")
    page.get_by_role("button", name="Add fault").click()
    faults = page.get_by_role("list", name="Fault rules")
    expect(faults).to_contain_text("getVectorStoreFileBatch (batch_id vsfb_slow)")
    expect(faults).to_contain_text("2 left of 2")

    with pytest.raises(openai.InternalServerError):
        client(server).vector_stores.file_batches.retrieve("vsfb_slow", vector_store_id="vs_docs")
    expect(faults).to_contain_text("1 left of 2")
    expect(rows(page).first).to_contain_text("503")
    expect(rows(page).first).to_contain_text("fault 0")


def test_a_dropped_connection_and_latency_from_the_form(page: Page, server: FakeServer) -> None:
    page.get_by_label("Operation", exact=True).fill("cancelVectorStoreFileBatch")
    page.get_by_label("Drop the connection").check()
    page.get_by_label("Latency ms").fill("10")
    page.get_by_label("After").fill("1")
    page.get_by_role("button", name="Add fault").click()
    faults = page.get_by_role("list", name="Fault rules")
    expect(faults).to_contain_text("drops the connection, waits 10 ms after 1 calls")
    expect(faults).to_contain_text("no limit")
    (rule,) = httpx.get(f"{server.url}/__fake__/faults").json()["faults"]
    assert (rule["drop_connection"], rule["latency_ms"], rule["after"]) == (True, 10, 1)
    assert "status" not in rule


@pytest.mark.parametrize("width", [800, 1440, 1920])
def test_no_horizontal_overflow(browser: Browser, server: FakeServer, width: int) -> None:
    long = "x" * 400
    httpx.get(
        f"{server.url}/v1/vector_stores/vs_{long}", headers={"Authorization": f"Bearer {KEY}"}
    )
    client(server).vector_stores.create(name="n" * 300, metadata={"k": "v" * 500})
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/__fake__/ui")
        expect(rows(page)).to_have_count(2)
        for index in range(2):
            rows(page).nth(index).get_by_role("button").click()
        page.locator("[data-batch='vsfb_slow'] summary").click()
        expect(page.locator("tr.detail pre").first).to_be_visible()
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths == [width, width]
    finally:
        context.close()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    if not AXE.exists():
        message = f"axe-core is not installed at {AXE} (make node-packages)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map((v) => ({id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target)}))"
    )
    return [found for found in results if found["impact"] in {"serious", "critical"}]


@pytest.mark.fake_server_client_checks("off")  # a finding on the page, on purpose
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_serious(browser: Browser, server: FakeServer, scheme: Scheme) -> None:
    """Every panel filled: a request open, a batch's files, a finding, a fault rule."""
    server.add_fault("createVectorStore", status=429, retry_after_ms=60000, times=1)
    for _ in range(2):
        httpx.post(
            f"{server.url}/v1/vector_stores",
            json={"name": "Checked"},
            headers={"Authorization": f"Bearer {KEY}"},
        )
    context = browser.new_context(viewport={"width": 1440, "height": 900}, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/__fake__/ui")
        expect(page.get_by_role("list", name="Client findings")).to_contain_text("ignored")
        rows(page).first.get_by_role("button").click()
        page.locator("[data-batch='vsfb_slow'] summary").click()
        expect(page.locator("tr.detail pre").first).to_be_visible()
        page.get_by_label("Scenario YAML").fill("vector_stores: 7\n")
        page.get_by_role("button", name="Load scenario").click()
        expect(page.get_by_role("alert", name="Scenario problems")).to_contain_text(":1:")
        assert axe_violations(page) == []
    finally:
        context.close()


def test_no_request_leaves_the_pages_origin(context: BrowserContext, server: FakeServer) -> None:
    seen: list[str] = []
    context.on("request", lambda request: seen.append(request.url))
    page = context.new_page()
    page.goto(f"{server.url}/__fake__/ui")
    client(server).vector_stores.create(name="Offline")
    rows(page).first.get_by_role("button").click()
    expect(page.locator("tr.detail pre").first).to_be_visible()
    page.get_by_label("Seconds").fill("5")
    page.get_by_role("button", name="Advance").click()
    expect(page.get_by_label("Now")).to_contain_text("1704067205")
    assert seen
    assert [url for url in seen if not url.startswith(f"{server.url}/")] == []


def test_page_weight_stays_small(server: FakeServer) -> None:
    page = httpx.get(f"{server.url}/__fake__/ui")
    names = ["common.js", "timeline.js", "requests.js", "inspector.js", "inspector.css"]
    assets = [httpx.get(f"{server.url}/__fake__/ui/{name}") for name in names]
    assert all(f"/__fake__/ui/{name}" in page.text for name in names)
    assert len(page.content) + sum(len(asset.content) for asset in assets) < 100_000


# What the docs' pictures show: two batches at work, a gradual cancel on its
# way, a file that never finishes, a fault rule half used, a client finding.
PICTURE = parse_scenario(
    """
description: Reports and uploads, mid-way; a cancel on its way.
clock: {mode: virtual, start: 1704067200}
cancel: {mode: gradual, delay_seconds: 8}
vector_stores:
  - id: vs_reports
    name: Quarterly reports
    file_batches:
      - id: vsfb_reports
        files:
          - {id: file-q1, processing_seconds: 10}
          - {id: file-q2, processing_seconds: 18, outcome: failed}
          - {id: file-q3, processing_seconds: 30}
          - {id: file-scan, processing_seconds: never}
      - id: vsfb_uploads
        files:
          - {id: file-notes, processing_seconds: 6}
          - {id: file-slides, processing_seconds: 16}
          - {id: file-video, processing_seconds: 45}
""",
    "picture.yaml",
)


@pytest.mark.fake_server_client_checks("off")  # the finding in the picture is on purpose
def test_the_screenshots_in_the_docs(browser: Browser, server: FakeServer, tmp_path: Path) -> None:
    """Writes docs/inspector.png and docs/inspector-dark.png with FAKE_SERVER_SCREENSHOT=1
    (``make screenshot``): 1440x900, light and dark."""
    server.reset(PICTURE)
    app = openai.OpenAI(api_key="k", base_url=f"{server.url}/v1", max_retries=0)
    app.vector_stores.file_batches.retrieve("vsfb_reports", vector_store_id="vs_reports")
    server.add_fault("createVectorStore", status=429, retry_after_ms=2000, times=2)
    for _ in range(2):  # retried at once: the finding the panel shows
        with pytest.raises(openai.RateLimitError):
            app.vector_stores.create(name="Drafts")
    store = app.vector_stores.create(name="Drafts")
    server.advance(12)
    app.vector_stores.file_batches.cancel("vsfb_uploads", vector_store_id="vs_reports")
    for scheme, target in SHOTS.items():
        path = target if os.environ.get("FAKE_SERVER_SCREENSHOT") else tmp_path / target.name
        context = browser.new_context(viewport={"width": 1440, "height": 900}, color_scheme=scheme)
        try:
            page = context.new_page()
            page.goto(f"{server.url}/__fake__/ui")
            expect(page.locator(f"[data-vector-store='{store.id}']")).to_have_count(1)
            expect(page.get_by_role("list", name="Client findings")).to_contain_text("ignored")
            page.screenshot(path=str(path))
        finally:
            context.close()
        assert path.read_bytes().startswith(b"\x89PNG")
