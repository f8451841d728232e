"""Issue 10: when ``llr serve`` owns its embedded PostgreSQL and that dies, the service starts it
again and recovers without a restart of its own."""

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.auth_support import TestIssuer
from tests.faults.live import LiveServer, wait_until

pytestmark = pytest.mark.faults


class EmbeddedLive(LiveServer):
    """``llr serve`` without DATABASE_URL: it starts (and owns) the embedded PostgreSQL."""

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env.pop("DATABASE_URL")
        env["LLR_DATA_DIR"] = str(self.work_dir / "pgdata")
        return env


def _postmaster_pid(data_dir: Path) -> int:
    return int((data_dir / "postmaster.pid").read_text().split()[0])


def test_a_killed_embedded_postgres_is_started_again(issuer: TestIssuer, tmp_path: Path) -> None:
    server = EmbeddedLive("", issuer, tmp_path, workers=2)
    server.start(timeout=120)
    try:
        headers = issuer.headers("dwse")
        wallet = f"{server.base_url}/wallet/85073003328"
        assert httpx.get(wallet, headers=headers, timeout=10).status_code == 200
        dead = _postmaster_pid(tmp_path / "pgdata")
        os.kill(dead, signal.SIGKILL)

        def recovered() -> bool:
            try:
                health = httpx.get(server.base_url + "/health", timeout=5)
                return health.status_code == 200 and _postmaster_pid(tmp_path / "pgdata") != dead
            except (httpx.TransportError, FileNotFoundError, ValueError, IndexError):
                return False

        started = time.monotonic()
        wait_until(recovered, 60, "the service answering UP on a new PostgreSQL")
        assert server.process is not None
        assert server.process.poll() is None  # the service itself was not restarted
        deadline = started + 30
        while httpx.get(wallet, headers=headers, timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "the pool did not reconnect"
    finally:
        server.stop()
