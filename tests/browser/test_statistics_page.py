"""GET /statistieken in a real browser (Debian's Chromium driven by Playwright): the service runs
as a real process on the test database, with a population made through the API; the page shows
the four charts, suppressed cells drawn as such, loads nothing from another host (strict CSP,
no script), and each chart's CSV downloads. The screenshot lands in the test's folder (and in
``docs/statistieken.png`` with ``LLR_UPDATE_SCREENSHOTS=1``)."""

import contextlib
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import httpx
import pytest

from app.embedded_pg import free_port
from tests.conftest import TEST_SECRET
from tests.statistics_support import seed, ssin_born
from tests.support import EMPLOYEE_FACTS, Clock, grant

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TODAY = datetime(2036, 11, 15, 10, tzinfo=UTC)

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no Chromium (apt chromium)")


@pytest.fixture
def service(database_url: str, tmp_path: Path, repo_root: Path) -> Iterator[str]:
    """``uvicorn`` serving the app as deployed (its own process, pool and clock)."""
    port = free_port()
    env = os.environ | {
        "LLR_ENV": "test",
        "LLR_DATABASE_URL": database_url,
        "LLR_CITIZEN_KEY_SECRET": TEST_SECRET,
        "LLR_DEV_ISSUER": "false",
        "LLR_DEV_KEYS_DIR": str(tmp_path / "keys"),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=repo_root,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                raise RuntimeError("the service did not start")
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=0.1)  # a pause that ends early if the process dies
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


async def test_the_dashboard_in_a_browser(
    committing_client: httpx.AsyncClient,
    clock: Clock,
    service: str,
    tmp_path: Path,
    repo_root: Path,
) -> None:
    from playwright.async_api import async_playwright

    rng = random.Random(36)
    # no settlement: the committed ledger of other tests may hold system accounts of 2026's
    # units, which a far-future rule (another unit) cannot post to
    population = await seed(committing_client, clock, rng, TODAY, settle=False)
    for ssins in population.ssins.values():  # rights of an ended period, all left to expire
        for ssin in ssins[:12]:
            await grant(committing_client, ssin, "vov", "20", "HOUR", period="2025-26")
    for _ in range(4):  # a small age band: suppressed on the page
        young = ssin_born(rng, 2014)
        response = await committing_client.put(
            f"/citizens/{young}/facts",
            json={"facts": EMPLOYEE_FACTS, "source": "dmfa", "observedOn": "2036-09-01"},
        )
        assert response.status_code == 200, response.text
        await grant(committing_client, young, "vov", "20", "HOUR")
    hosts: set[str] = set()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = await browser.new_page(
            viewport={"width": 900, "height": 1200}, accept_downloads=True
        )
        page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
        response = await page.goto(f"{service}/statistieken?incentive=vov&period=2036-37")
        assert response is not None
        assert response.status == 200
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy
        assert "style-src 'self'" in policy
        assert "script" not in policy
        assert await page.title() == "Monitoring vov 2036-37 · LLR"
        for chart in ("education", "age", "matthew", "expired"):
            assert await page.locator(f"#{chart} svg g.bar").count() > 0, chart
        high = page.locator('#education g.bar[data-label="high"] .value')
        assert "of 14" in (await high.text_content() or "")
        assert await page.locator("#age g.bar.suppressed").count() > 0  # small age bands
        css_applied = await page.evaluate(
            "getComputedStyle(document.querySelector('header')).backgroundColor"
        )
        assert css_applied == "rgb(255, 230, 21)"  # the stylesheet loaded under the policy
        periods = await page.locator("#matthew g.bar").evaluate_all(
            "bars => bars.map(b => b.dataset.label)"
        )
        assert periods[0] == "2025-26"
        assert periods[-1] == "2036-37"
        async with page.expect_download() as info:
            await page.locator("#education a.csv").click()
        download = await info.value
        saved = tmp_path / download.suggested_filename
        await download.save_as(saved)
        lines = saved.read_text().splitlines()
        assert lines[0].startswith("educationLevel,eligible,users,takeUpRate")
        assert any(line.startswith("high,14,9,") for line in lines)
        shot = tmp_path / "statistieken.png"
        await page.screenshot(path=str(shot), full_page=True)
        await browser.close()
    assert hosts == {urlparse(service).netloc}  # nothing from another host
    assert shot.stat().st_size > 10_000
    if os.environ.get("LLR_UPDATE_SCREENSHOTS"):
        shutil.copy(shot, repo_root / "docs" / "statistieken.png")
