"""The inspector in a real browser: states the domain can reach, and pages of other origins.

A file that never finishes, a gradual cancel on its way and then landed:
the page shows them (the state read once answered Infinity, then a 500). A page served
from another origin cannot change the control plane, even with the
browser's help; the inspector's own page still can.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.sync_api import expect

from fake_server import ServerThread, create_app, parse_scenario

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SCENARIO = """
clock: {mode: virtual, start: 1704067200}
cancel: {mode: gradual, delay_seconds: 3}
defaults: {processing_seconds: never}
vector_stores:
  - id: vs_stuck
    file_batches:
      - id: vsfb_stuck
        files:
          - {id: file-never}
          - {id: file-soon, processing_seconds: 2}
"""
BATCH = "/v1/vector_stores/vs_stuck/file_batches/vsfb_stuck"
# A page of another origin posting what needs no CORS preflight: text/plain.
HOSTILE_PAGE = """<!doctype html><title>elsewhere</title><script>
fetch(%r, {method: "POST", mode: "no-cors", headers: {"Content-Type": "text/plain"},
           body: '{"seconds": 1000}'}).then(() => { document.title = "sent"; },
                                          () => { document.title = "sent"; });
</script>"""


@pytest.fixture
def server() -> Iterator[ServerThread]:
    with ServerThread(create_app(parse_scenario(SCENARIO, "states.yaml"))) as running:
        yield running


def test_a_file_that_never_finishes_and_a_gradual_cancel_are_shown(
    browser: Browser, server: ServerThread
) -> None:
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(f"{server.url}/__fake__/ui")
        batch = page.locator("[data-batch='vsfb_stuck']")
        batch.locator("summary").click()
        files = page.get_by_role("table", name="Files of vsfb_stuck")
        expect(files.get_by_role("row", name="file-never")).to_contain_text("never")

        never = batch.locator(".bar[data-file='file-never']")
        expect(never).to_have_class("bar never")
        expect(never).to_contain_text("never")  # drawn open-ended

        batch.get_by_role("button", name="Cancel vsfb_stuck").click()
        # Gradual: drawn pending, the cancel's landing marked ahead of now.
        expect(never).to_have_class("bar pending")
        expect(batch.locator(".mark.pending")).to_have_count(1)
        expect(files.get_by_role("row", name="file-never")).to_contain_text("on its way")
        page.get_by_label("Seconds").fill("3")
        page.get_by_role("button", name="Advance").click()
        expect(never).to_have_class("bar cancelled")
        expect(batch.locator(".mark.pending")).to_have_count(0)
        expect(batch.locator(".mark")).to_have_count(1)
        # file-soon finished before the cancel reached it.
        expect(batch.locator(".bar[data-file='file-soon']")).to_have_class("bar completed")
        expect(files.get_by_role("row", name="file-never")).to_contain_text(
            "cancelled at 1704067203"
        )
    finally:
        context.close()


def test_a_page_of_another_origin_cannot_change_the_control_plane(
    browser: Browser, server: ServerThread
) -> None:
    body = (HOSTILE_PAGE % f"{server.url}/__fake__/clock/advance").encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    elsewhere = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=elsewhere.serve_forever, daemon=True).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"http://localhost:{elsewhere.server_address[1]}/")
        expect(page).to_have_title("sent")
        assert httpx.get(f"{server.url}/__fake__/clock").json()["now"] == 1704067200
        # The inspector's own page still changes it.
        own = context.new_page()
        own.goto(f"{server.url}/__fake__/ui")
        own.get_by_label("Seconds").fill("5")
        own.get_by_role("button", name="Advance").click()
        expect(own.get_by_label("Now")).to_contain_text("1704067205")
    finally:
        context.close()
        elsewhere.shutdown()
        elsewhere.server_close()
