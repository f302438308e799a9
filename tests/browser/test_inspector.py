"""The inspector page at /__fake__/ui, used as a person uses it: in a real browser."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
import openai
import pytest
from playwright.sync_api import expect

from fake_server import ServerThread, create_app, default_scenario, parse_scenario
from fake_server.testing.handle import FakeServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page


SCENARIO = parse_scenario(
    """
clock: {mode: virtual, start: 1704067200}
vector_stores:
  - id: vs_docs
    name: Docs
    file_batches:
      - id: vsfb_slow
        files:
          - {id: file-a, processing_seconds: 10}
          - {id: file-b, processing_seconds: 20, outcome: failed}
          - {id: file-c, processing_seconds: 30}
""",
    "inspector.yaml",
)
BATCH_PATH = "/v1/vector_stores/vs_docs/file_batches/vsfb_slow"
# ``server`` (the plugin's fake_server) and ``page`` start every test in it.
pytestmark = pytest.mark.fake_server_scenario(SCENARIO)


def requests_table(page: Page) -> Locator:
    return page.get_by_role("table", name="Requests")


def test_a_batch_progresses_as_the_clock_is_advanced_from_the_page(page: Page) -> None:
    slow = page.locator("[data-batch='vsfb_slow']")
    expect(slow.locator(".counts")).to_contain_text("in_progress 3")
    slow.locator("summary").click()
    files = page.get_by_role("table", name="Files of vsfb_slow")
    expect(files.get_by_role("row", name="file-b")).to_contain_text("1704067220")

    # The keyboard alone: the field, a number, Enter.
    page.get_by_label("Seconds").fill("15")
    page.get_by_label("Seconds").press("Enter")
    expect(page.get_by_label("Now")).to_contain_text("1704067215")
    expect(slow.locator(".counts")).to_contain_text("in_progress 2 · completed 1")
    expect(files.get_by_role("row", name="file-a")).to_contain_text("completed")
    expect(files.get_by_role("row", name="file-c")).to_contain_text("15 s")

    page.get_by_label("Seconds").fill("20")
    page.get_by_role("button", name="Advance").click()
    expect(slow.locator(".batch-head")).to_contain_text("vsfb_slow completed")
    expect(slow.locator(".counts")).to_contain_text("in_progress 0")
    expect(files.get_by_role("row", name="file-b")).to_contain_text("failed")
    expect(slow.get_by_role("button", name="Cancel vsfb_slow")).to_have_count(0)


def test_cancel_goes_through_the_provider_api_and_shows_in_requests(page: Page) -> None:
    slow = page.locator("[data-batch='vsfb_slow']")
    slow.get_by_role("button", name="Cancel vsfb_slow").click()
    expect(slow.locator(".batch-head")).to_contain_text("cancelled")
    expect(slow.locator(".counts")).to_contain_text("cancelled 3 · total 3")
    # Cancelled files say so, with no planned outcome left.
    slow.locator("summary").click()
    files = page.get_by_role("table", name="Files of vsfb_slow")
    expect(files.get_by_role("row", name="file-b")).to_contain_text("cancelled at 1704067200")
    expect(files.get_by_role("row", name="file-b")).not_to_contain_text("failed")
    row = requests_table(page).get_by_role("row").nth(1)
    expect(row).to_contain_text(f"POST{BATCH_PATH}/cancel200cancelVectorStoreFileBatch")


def test_the_apps_requests_appear_newest_first_with_their_headers(
    page: Page, server: FakeServer
) -> None:
    client = openai.OpenAI(api_key="k", base_url=f"{server.url}/v1", max_retries=0)
    client.vector_stores.file_batches.retrieve("vsfb_slow", vector_store_id="vs_docs")
    store = client.vector_stores.create(name="Created by the app")

    rows = requests_table(page).get_by_role("row")
    expect(rows).to_have_count(3)  # the header and two requests
    expect(rows.nth(1)).to_contain_text("POST/v1/vector_stores200createVectorStore")
    expect(rows.nth(2)).to_contain_text("getVectorStoreFileBatch")
    rows.nth(2).get_by_role("button").click()
    expect(page.locator("tr.detail")).to_contain_text("x-stainless-retry-count: 0")
    expect(page.locator(f"[data-vector-store='{store.id}']")).to_contain_text("Created by the app")


def test_a_fault_is_added_and_cleared_from_the_page(page: Page, server: FakeServer) -> None:
    page.get_by_label("Operation", exact=True).fill("cancelVectorStoreFileBatch")
    page.get_by_label("Error status").fill("503")
    page.get_by_label("Times").fill("1")
    page.get_by_role("button", name="Add fault").click()
    faults = page.get_by_role("list", name="Fault rules")
    expect(faults).to_contain_text("cancelVectorStoreFileBatch")
    expect(faults).to_contain_text("answers 503")
    expect(faults).to_contain_text("1 left of 1")

    page.get_by_role("button", name="Cancel vsfb_slow").click()
    expect(page.get_by_role("status", name="Messages")).to_contain_text("Refused")
    expect(requests_table(page).get_by_role("row").nth(1)).to_contain_text("503")
    expect(faults).to_contain_text("0 left of 1")

    page.get_by_role("button", name="Clear faults").click()
    expect(faults).to_contain_text("No fault rules.")
    assert httpx.get(f"{server.url}/__fake__/faults").json() == {"faults": []}


def test_a_refused_fault_shows_why(page: Page) -> None:
    page.get_by_label("Operation", exact=True).fill("cancelVectorStoreFileBatchX")
    page.get_by_role("button", name="Add fault").click()
    expect(page.get_by_role("alert", name="Fault problems")).to_contain_text("operation")


def test_sessions_are_selected_on_the_page(page: Page, server: FakeServer) -> None:
    httpx.post(
        f"{server.url}{BATCH_PATH}/cancel",
        headers={"Authorization": "Bearer k", "X-Fake-Session": "alice"},
    ).raise_for_status()
    select = page.get_by_label("Session")
    expect(select.locator("option")).to_have_count(2)  # default, then alice
    slow = page.locator("[data-batch='vsfb_slow'] .counts")
    expect(slow).to_contain_text("in_progress 3")
    expect(requests_table(page).get_by_role("row")).to_have_count(1)

    select.select_option("alice")
    expect(slow).to_contain_text("cancelled 3")
    expect(requests_table(page).get_by_role("row").nth(1)).to_contain_text("cancel")
    page.get_by_label("Seconds").fill("5")
    page.get_by_role("button", name="Advance").click()
    expect(page.get_by_label("Now")).to_contain_text("1704067205")

    select.select_option("")
    expect(slow).to_contain_text("in_progress 3")
    expect(page.get_by_label("Now")).to_contain_text("1704067200")
    # Named sessions outlive the next test's reset.
    httpx.delete(f"{server.url}/__fake__/sessions/alice").raise_for_status()


def test_the_page_follows_a_session_that_is_dropped(page: Page, server: FakeServer) -> None:
    httpx.get(
        f"{server.url}{BATCH_PATH}", headers={"Authorization": "Bearer k", "X-Fake-Session": "bob"}
    ).raise_for_status()
    page.get_by_label("Session").select_option("bob")
    expect(requests_table(page).get_by_role("row")).to_have_count(2)
    httpx.delete(f"{server.url}/__fake__/sessions/bob").raise_for_status()
    expect(page.get_by_role("status", name="Messages")).to_contain_text("gone")
    # The page's reads never brought it back.
    assert httpx.get(f"{server.url}/__fake__/sessions").json()["sessions"] == []


def test_a_scenario_is_loaded_and_a_refused_one_shows_each_problem_with_its_line(
    page: Page,
) -> None:
    text = page.get_by_label("Scenario YAML")
    text.fill(
        "vector_stores:\n  - id: vs_a\n    file_batches:\n      - id: vsfb_a\n"
        "        files: 7\n        colour: blue\n"
    )
    page.get_by_role("button", name="Load scenario").click()
    problems = page.get_by_role("alert", name="Scenario problems").get_by_role("listitem")
    expect(problems.filter(has_text=":5: vector_stores[0].file_batches[0].files")).to_have_count(1)
    expect(problems.filter(has_text=":6: vector_stores[0].file_batches[0].colour")).to_have_count(1)
    # Refused: the old state stays.
    expect(page.locator("[data-batch='vsfb_slow']")).to_have_count(1)

    # Each problem by its line, under the form; the message line only points there.
    expect(page.get_by_role("status", name="Messages")).to_contain_text("under the form")
    expect(page.get_by_role("status", name="Messages")).not_to_contain_text(":5:")

    text.fill(
        "description: A fresh start.\n"
        "clock: {mode: virtual, start: 1800000000}\nvector_stores: [{id: vs_new}]\n"
    )
    page.get_by_role("button", name="Load scenario").click()
    expect(page.locator("[data-vector-store='vs_new']")).to_have_count(1)
    expect(page.locator("#scenario")).to_contain_text("A fresh start.")
    expect(page.get_by_label("Now")).to_contain_text("1800000000")
    expect(problems).to_have_count(0)


def test_reset_and_clear_requests(page: Page, server: FakeServer) -> None:
    page.get_by_role("button", name="Cancel vsfb_slow").click()
    expect(requests_table(page).get_by_role("row")).to_have_count(2)
    page.get_by_role("button", name="Clear requests").click()
    expect(requests_table(page).get_by_role("row")).to_have_count(1)
    page.get_by_role("button", name="Reset").click()
    expect(page.locator("[data-batch='vsfb_slow'] .counts")).to_contain_text("in_progress 3")


def test_every_control_has_an_accessible_name(page: Page) -> None:
    expect(page.get_by_role("button", name="Cancel vsfb_slow")).to_be_visible()
    unnamed = page.evaluate(
        """() => [...document.querySelectorAll('button, input, select, textarea, summary')]
            .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                    && !el.textContent.trim())
            .map((el) => el.outerHTML)"""
    )
    assert unnamed == []


def test_the_pages_own_requests_are_not_journaled(page: Page, server: FakeServer) -> None:
    page.get_by_label("Seconds").fill("1")
    page.get_by_role("button", name="Advance").click()
    expect(page.get_by_label("Now")).to_contain_text("1704067201")
    for _ in range(2):  # two more reads of the state, the second one unchanged
        with page.expect_response(lambda response: "/__fake__/state" in response.url):
            pass
    expect(requests_table(page).get_by_role("row")).to_have_count(1)
    assert httpx.get(f"{server.url}/__fake__/requests").json() == {"requests": []}


def test_the_default_scenario_on_a_real_clock_cancelled_from_the_page(browser: Browser) -> None:
    """What a fresh clone's ``make run`` shows: the reference batch, and Cancel works."""
    with ServerThread(create_app(default_scenario())) as running:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.goto(f"{running.url}/__fake__/ui")
            expect(page.locator("#mode")).to_have_text("(real clock)")
            expect(page.get_by_role("button", name="Advance")).to_be_disabled()
            cancel = page.get_by_role("button", name="Cancel vsfb_abc123")
            # The clock moves, so the page redraws every second: the keyboard
            # focus stays on the button all the same.
            cancel.focus()
            with page.expect_response(lambda response: "/__fake__/state" in response.url):
                pass
            with page.expect_response(lambda response: "/__fake__/state" in response.url):
                pass
            expect(cancel).to_be_focused()
            page.keyboard.press("Enter")
            head = page.locator("[data-batch='vsfb_abc123'] .batch-head")
            expect(head).to_contain_text("vsfb_abc123 cancelled")
            row = requests_table(page).get_by_role("row").nth(1)
            expect(row).to_contain_text("cancelVectorStoreFileBatch")
        finally:
            context.close()


def test_with_an_admin_token_the_url_carries_it_once_then_a_cookie_does(browser: Browser) -> None:
    token = "s3cret-admin"
    with ServerThread(create_app(SCENARIO, admin_token=token)) as guarded:
        context = browser.new_context()
        seen: list[str] = []
        try:
            page = context.new_page()
            page.on("request", lambda request: seen.append(request.url))
            page.goto(f"{guarded.url}/__fake__/ui?token={token}")
            assert page.url == f"{guarded.url}/__fake__/ui"
            expect(page.get_by_label("Now")).to_contain_text("1704067200")
            page.get_by_label("Seconds").fill("10")
            page.get_by_role("button", name="Advance").click()
            expect(page.get_by_label("Now")).to_contain_text("1704067210")
            (cookie,) = context.cookies()
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
            assert cookie["path"] == "/__fake__"
            assert page.evaluate("document.cookie") == ""
            assert token not in "".join(seen[1:]), seen
        finally:
            context.close()
        stranger = browser.new_context()
        try:
            response = stranger.new_page().goto(f"{guarded.url}/__fake__/ui")
            assert response is not None and response.status == 401
        finally:
            stranger.close()
