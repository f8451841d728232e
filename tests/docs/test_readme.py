"""The README's "A call per door" runs as written: every command of that section, top to bottom,
in bash, against ``llr serve`` started as a real process on a fresh embedded PostgreSQL, with
each curl answering the status its comment says (``# 201``). Only ``./dev serve &`` is left out:
the test starts that server itself, on a free port it gives as ``LLR_URL``."""

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.embedded_pg import free_port

README = Path("README.md")
SECTION = "### A call per door"
CURL_RECORDING = """
curl() {  # the real curl, its status code appended to $STATUS_LOG, its body on stdout
  local body status
  body=$(mktemp)
  status=$(command curl -sS -o "$body" -w '%{http_code}' "$@")
  echo "$status" >> "$STATUS_LOG"
  cat "$body"
  rm -f "$body"
}
"""


def section_commands(readme: str) -> list[str]:
    """The section's bash block as logical commands (continuation lines joined)."""
    block = readme.split(SECTION, 1)[1].split("```bash\n", 1)[1].split("\n```", 1)[0]
    commands, current = [], ""
    for line in block.splitlines():
        current += line + "\n"
        if not line.endswith("\\"):
            commands.append(current)
            current = ""
    return [c for c in commands if c.strip() and not c.lstrip().startswith("#")]


def expected_statuses(commands: list[str]) -> list[int]:
    statuses = []
    for command in commands:
        if "curl " in command:
            said = re.search(r"#\s*(\d{3})\s*$", command.rstrip())
            assert said, f"the README gives no status for: {command}"
            statuses.append(int(said.group(1)))
    return statuses


def _environment(work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLR_")}
    env.pop("DATABASE_URL", None)
    env.update(
        {
            "LLR_ENV": "development",
            "LLR_DATA_DIR": str(work / "pgdata"),
            "LLR_DEV_KEYS_DIR": str(work / "dev-keys"),
            "LLR_LOG_LEVEL": "WARNING",
        }
    )
    return env


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, repo_root: Path) -> Iterator[tuple[str, Path]]:
    """``llr serve`` as ``./dev serve`` runs it: no DATABASE_URL, so an embedded PostgreSQL on a
    fresh data directory; torn down with its process group."""
    work = tmp_path_factory.mktemp("readme")
    port = free_port()
    log = (work / "serve.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port)],
        cwd=repo_root,
        env=_environment(work),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        assert process.poll() is None, (work / "serve.log").read_text()[-3000:]
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, "llr serve did not come up"
        time.sleep(0.2)
    yield url, work
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)
    log.close()


def test_every_command_of_a_call_per_door_runs_as_written(
    served: tuple[str, Path], repo_root: Path
) -> None:
    url, work = served
    commands = section_commands((repo_root / README).read_text())
    assert commands[0].startswith("./dev serve &")
    commands = commands[1:]
    expected = expected_statuses(commands)
    assert len(expected) >= 10
    status_log = work / "statuses"
    script = "set -euo pipefail\n" + CURL_RECORDING + "".join(commands)
    env = _environment(work) | {"LLR_URL": url, "STATUS_LOG": str(status_log)}
    run = subprocess.run(
        ["/bin/bash", "-c", script],
        cwd=repo_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    statuses = [int(s) for s in status_log.read_text().split()]
    assert statuses == expected, run.stdout[-3000:]
    assert "imported 11 trainings" in run.stdout  # the import ran against the running service
