"""Where the CPU goes during a scenario: the service's processes, PostgreSQL's, and the load
generator's, from /proc (Linux), so a missed target can say what bounds it."""

import os
import resource
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: str) -> tuple[int, int, float] | None:
    """(parent pid, process group, CPU seconds) of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), int(fields[2]), (int(fields[11]) + int(fields[12])) / TICK


@dataclass(frozen=True)
class Sample:
    service: float
    postgres: float
    children: float


def sample(service_group: int, postgres_pid: int | None) -> Sample:
    service = postgres = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        found = _stat(pid)
        if found is None:
            continue
        parent, group, seconds = found
        if group == service_group:
            service += seconds
        elif postgres_pid is not None and (int(pid) == postgres_pid or parent == postgres_pid):
            postgres += seconds
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return Sample(service, postgres, used.ru_utime + used.ru_stime)


def per_request(before: Sample, after: Sample, requests: int, seconds: float) -> dict[str, float]:
    """CPU milliseconds per request of each side, and the cores each kept busy."""
    spent = {
        "service": after.service - before.service,
        "postgres": after.postgres - before.postgres,
        "loadGenerator": after.children - before.children,
    }
    return {
        f"{name}MsPerRequest": round(1000 * value / max(requests, 1), 3)
        for name, value in spent.items()
    } | {f"{name}Cores": round(value / seconds, 2) for name, value in spent.items()}
