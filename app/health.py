"""The service's health as Belgif describes it: ``UP``, ``DEGRADED`` (answering, but a
component is slow or at its limit) or ``DOWN`` (the database does not answer), with the
details of each component."""

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

log = logging.getLogger("llr.health")

SLOW_DATABASE_MS = 500.0
"""A ``SELECT 1`` slower than this: the database answers, but the service is DEGRADED."""
CHECK_TIMEOUT_SECONDS = 3.0


@dataclass(frozen=True, slots=True)
class HealthReport:
    status: str
    details: dict[str, dict[str, Any]] = field(default_factory=dict)


def _pool(engine: AsyncEngine | None) -> dict[str, Any] | None:
    pool = getattr(engine, "pool", None)
    if pool is None or not hasattr(pool, "checkedout"):
        return None
    size, overflow = pool.size(), getattr(pool, "_max_overflow", 0)
    used = pool.checkedout()
    status = "DEGRADED" if used >= size + max(overflow, 0) else "UP"
    return {
        "status": status,
        "details": {"checkedOut": used, "size": size, "maxOverflow": overflow},
    }


async def check(
    sessionmaker: async_sessionmaker[AsyncSession], engine: AsyncEngine | None
) -> HealthReport:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(CHECK_TIMEOUT_SECONDS), sessionmaker() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:  # any failure to reach the database means DOWN
        log.warning("health check failed: %s", type(exc).__name__)
        return HealthReport("DOWN", {"database": {"status": "DOWN"}})
    latency = round((time.perf_counter() - started) * 1000, 1)
    database = {
        "status": "DEGRADED" if latency > SLOW_DATABASE_MS else "UP",
        "details": {"latencyMs": latency},
    }
    details: dict[str, dict[str, Any]] = {"database": database}
    pool = _pool(engine)
    if pool is not None:
        details["connectionPool"] = pool
    degraded = any(component["status"] != "UP" for component in details.values())
    return HealthReport("DEGRADED" if degraded else "UP", details)
