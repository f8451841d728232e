"""Swagger UI and ReDoc render in a real browser with the network cut: every request that is not
to the service on loopback is aborted (and recorded), and the pages must still show the
operations, with no request to another origin and no content-security-policy violation.

The fixture here is this module's own (a minimal one); the shared browser fixture lives in
tests/browser/conftest.py once the pages' work is merged."""

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Request, Route, sync_playwright

from app.main import create_app
from app.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=".ci/run installs chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def docs_server(settings: Settings) -> Iterator[str]:
    """The service on a loopback port, in a thread (the pages need no database)."""
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()
    for _ in range(200):
        if server.started:
            started.set()
            break
        threading.Event().wait(0.05)
    assert started.is_set(), "the server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield launched
        launched.close()


class Offline:
    """A page whose every request off loopback is aborted and recorded, with its console."""

    def __init__(self, browser: Browser) -> None:
        self.context = browser.new_context()
        self.page: Page = self.context.new_page()
        self.blocked: list[str] = []
        self.console: list[str] = []
        self.page.route("**/*", self._route)
        self.page.on("console", lambda message: self.console.append(message.text))
        self.page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))

    def _route(self, route: Route, request: Request) -> None:
        host = urlsplit(request.url).hostname
        if request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            self.blocked.append(request.url)
            route.abort("internetdisconnected")

    def csp_violations(self) -> list[str]:
        return [m for m in self.console if "Content Security Policy" in m]


@pytest.fixture
def offline(browser: Browser) -> Iterator[Offline]:
    page = Offline(browser)
    yield page
    page.context.close()


def test_swagger_ui_renders_every_operation_offline(docs_server: str, offline: Offline) -> None:
    response = offline.page.goto(docs_server + "/docs")
    assert response is not None
    assert response.status == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "http" not in csp
    offline.page.wait_for_selector(".opblock-summary", timeout=30_000)
    operations = offline.page.locator(".opblock-summary-path").all_inner_texts()
    assert "/transactions" in operations
    assert "/wallet/{ssin}" in operations
    assert len(operations) >= 13
    offline.page.get_by_role("button", name="Authorize").first.click()
    offline.page.wait_for_selector("text=llr:transactions:write", timeout=10_000)  # the scopes
    assert offline.blocked == []
    assert offline.csp_violations() == []


def test_redoc_renders_offline(docs_server: str, offline: Offline) -> None:
    response = offline.page.goto(docs_server + "/redoc")
    assert response is not None
    assert response.status == 200
    offline.page.wait_for_selector("h2:has-text('Move a right')", timeout=30_000)
    assert offline.page.locator("h2").count() >= 10  # one heading per operation
    assert offline.blocked == []
    # ReDoc always shows Redocly's logo from its CDN in the side menu (no option turns it off):
    # the policy refuses it before any request leaves, and the image hides itself on error.
    violations = offline.csp_violations()
    assert all("https://cdn.redoc.ly/redoc/logo-mini.svg" in v for v in violations), violations
