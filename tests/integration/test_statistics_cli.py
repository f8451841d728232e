"""``llr statistics``: ``refresh`` folds every queued leg (committed step by step) and ``show``
prints the same published table as the API, suppression included."""

import argparse
import random
from datetime import UTC, datetime

import httpx

from app.commands.statistics import refresh_all, show
from app.settings import Settings
from tests.statistics_support import ssin_born
from tests.support import EMPLOYEE_FACTS, Clock, grant


async def test_refresh_then_show(
    committing_client: httpx.AsyncClient, clock: Clock, settings: Settings, database_url: str
) -> None:
    clock.offset = datetime(2034, 10, 1, 9, tzinfo=UTC) - datetime.now(UTC)
    rng = random.Random(34)
    for i in range(26):
        ssin = ssin_born(rng, 1980 + i % 2)
        level = "high" if i < 12 else "medium" if i < 23 else "low"
        response = await committing_client.put(
            f"/citizens/{ssin}/facts",
            json={
                "facts": EMPLOYEE_FACTS | {"educationLevel": level},
                "source": "dmfa",
                "observedOn": "2034-09-01",
            },
        )
        assert response.status_code == 200
        await grant(committing_client, ssin, "vov", "7", "HOUR", period="2034-35")
    assert await refresh_all(settings, database_url) >= 52  # two legs a grant at least
    assert await refresh_all(settings, database_url) == 0
    args = argparse.Namespace(incentive="vov", period="2034-35", by="educationLevel")
    printed = await show(settings, database_url, args)
    lines = printed.splitlines()
    assert "vov 2034-35, by educationLevel" in printed
    [high] = [line.split() for line in lines if line.split()[:1] == ["high"]]
    [low] = [line.split() for line in lines if line.split()[:1] == ["low"]]
    [medium] = [line.split() for line in lines if line.split()[:1] == ["medium"]]
    assert high[1:3] == ["12", "0"]
    assert high[4] == "84.00"  # granted, hours
    assert low[-1] == medium[-1] == "c"  # 3 citizens, and the next smallest with them
    assert "Matthew index vov" in printed
