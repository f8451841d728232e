"""The service as deployed on this machine: ``llr serve --workers N`` (uvicorn worker processes)
against the benchmark's database, started in its own process group and stopped afterwards."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


class Service:
    def __init__(self, url: str, port: int, workers: int, keys_dir: Path, pool_size: int) -> None:
        self.base, self.url = f"http://127.0.0.1:{port}", url
        self.env = os.environ | {
            "DATABASE_URL": url,
            "LLR_DATABASE_URL": url,
            "LLR_PORT": str(port),
            "LLR_HOST": "127.0.0.1",
            "LLR_WORKERS": str(workers),
            "LLR_LOG_LEVEL": "WARNING",
            "LLR_DEV_KEYS_DIR": str(keys_dir),
            "LLR_DB_POOL_SIZE": str(pool_size),
            "LLR_DB_MAX_OVERFLOW": "0",
            # capacity is measured, not the partner's quota: no rate limit; the token outlives
            # the run (the development token is minted for 2 h)
            "LLR_RATE_LIMIT": "",
            "LLR_AUTH_MAX_TOKEN_LIFETIME_SECONDS": "7200",
        }
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def group(self) -> int:
        """The process group of the server and its workers."""
        assert self.process is not None
        return self.process.pid

    def token(self, partner: str = "dwse") -> str:
        done = subprocess.run(
            [sys.executable, "-m", "app.cli", "token", "--partner", partner, "--lifetime", "7200"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def __enter__(self) -> "Service":
        self.process = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the service exited at start")
            try:
                if httpx.get(self.base + "/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"the service did not answer on {self.base}")

    def __exit__(self, *exc: object) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # our own child's process group only
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None
