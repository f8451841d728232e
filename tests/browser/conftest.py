"""Fixtures of the browser tests: ``llr serve`` as a real process on a free port with a
PostgreSQL of its own (as ``tests/faults`` do), and Playwright driving Debian's chromium
(``/usr/bin/chromium``; ``.ci/run`` installs it when missing).

For other engineers' pages: ``pages_server`` (``.base_url``, ``.url(path)``), ``api`` (an httpx
client of that server calling as ``dwse``), ``browser`` (one chromium per module),
``page`` (a fresh context and page per test, 1280x900, nl), ``phone`` (375x740),
``screenshot(page, name)`` (PNG under ``.llr/screenshots/``) and ``axe_violations(page)``
(axe-core's serious and critical violations on the page as it is)."""

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.embedded_pg import EmbeddedPostgres
from tests.auth_support import TestIssuer
from tests.faults.live import LiveServer, start_postgres

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".llr" / "screenshots"
SERIOUS = ("serious", "critical")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


class PagesServer(LiveServer):
    """``llr serve`` trusting both the tests' issuer (for the API calls that set up data) and
    the development issuer (the development login mints its tokens)."""

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env["LLR_DEV_ISSUER"] = "true"
        env["LLR_RATE_LIMIT"] = ""
        return env

    def url(self, path: str) -> str:
        return self.base_url + path


@pytest.fixture(scope="session")
def pages_pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    server = start_postgres(tmp_path_factory.mktemp("pages-pg") / "data")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pages_server(
    pages_pg: EmbeddedPostgres, issuer: TestIssuer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PagesServer]:
    server = PagesServer(pages_pg.url("llr"), issuer, tmp_path_factory.mktemp("pages"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def api(pages_server: PagesServer, issuer: TestIssuer) -> Iterator[httpx.Client]:
    """The live server's API, as the Department (every scope)."""
    with httpx.Client(
        base_url=pages_server.base_url, headers=issuer.headers("dwse"), timeout=30
    ) as client:
        yield client


@pytest.fixture(scope="module")
def browser(pages_server: PagesServer) -> Iterator[Any]:
    """One chromium per test module. Playwright's sync API runs an event loop of its own in
    this thread while it lives: the server (whose start uses asyncio) is started first, and the
    loop is gone before the next module's async tests."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True
        )
        yield launched
        launched.close()


def _page(browser: Any, **options: Any) -> Iterator[Any]:
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    yield from _page(browser, viewport={"width": 1280, "height": 900}, locale="nl-BE")


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    yield from _page(browser, viewport={"width": 375, "height": 740}, locale="nl-BE")


@pytest.fixture(scope="session")
def screenshot() -> Callable[..., Path]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page: Any, name: str, full_page: bool = True) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take


AXE_LOG = SCREENSHOTS / "axe-results.jsonl"


@pytest.fixture(scope="session")
def axe_violations() -> Callable[..., list[dict[str, Any]]]:
    """Runs axe-core (the copy bundled in the pinned ``axe-playwright-python``) in the page,
    WCAG 2.0/2.1 A and AA rules and best practices, and returns the serious and critical
    violations; every run is appended to ``.llr/screenshots/axe-results.jsonl``."""
    import axe_playwright_python

    source = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    AXE_LOG.unlink(missing_ok=True)

    def run(page: Any, name: str) -> list[dict[str, Any]]:
        page.evaluate(source)
        results = page.evaluate(
            """() => axe.run(document, {runOnly: {type: 'tag', values:
                 ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"""
        )
        violations = results["violations"]
        summary = {
            "page": name,
            "axe": results["testEngine"]["version"],
            "passes": len(results["passes"]),
            "violations": [(v["id"], v["impact"], len(v["nodes"])) for v in violations],
        }
        with AXE_LOG.open("a") as log:
            log.write(json.dumps(summary) + "\n")
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
            for v in violations
            if v["impact"] in SERIOUS
        ]

    return run
