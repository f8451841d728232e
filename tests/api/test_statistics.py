"""GET /statistics/takeUp and /statistics/matthew on a population made through the API: the
documented cells, small cells suppressed with secondary suppression that an attacker working on
the published totals cannot undo, figures equal to the citizens' own wallets, CSV, precise 400s,
and every read on the statistics' log (none on a citizen's access log)."""

import csv
import io
import random
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.auth_support import TestIssuer
from tests.statistics_support import POPULATION, Population, recover, seed, wallets
from tests.support import Clock


@pytest.fixture
async def population(client: httpx.AsyncClient, clock: Clock) -> Population:
    return await seed(client, clock, random.Random(13))


async def take_up(
    client: httpx.AsyncClient, issuer: TestIssuer, query: str, **headers: str
) -> httpx.Response:
    return await client.get(
        f"/statistics/takeUp?{query}", headers=issuer.headers("statistics") | headers
    )


def cell(table: dict[str, Any], **group: str) -> dict[str, Any]:
    [found] = [c for c in table["cells"] + table["totals"] if c["group"] == group]
    return found


async def test_take_up_by_education_level(
    client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession, population: Population
) -> None:
    logged = await session.scalar(text("SELECT count(*) FROM access_log"))
    response = await take_up(client, issuer, "incentive=vov&by=educationLevel")
    # aggregates only: no row on any citizen's access log
    assert await session.scalar(text("SELECT count(*) FROM access_log")) == logged
    assert response.status_code == 200, response.text
    table = response.json()
    assert table["period"]["key"] == "2032-33"
    assert table["by"] == ["educationLevel"]
    assert table["pendingLegs"] == 0
    for level, count, users in POPULATION:
        found = cell(table, educationLevel=level)
        assert found["eligible"] == count
        assert found["users"] == users
        assert found["takeUpRate"] == f"{users / count:.4f}"
        mine = await wallets(client, population.ssins[level], "vov")
        assert float(found["granted"]["amount"]) == mine["granted"]
        assert float(found["used"]["amount"]) == mine["used"] == 10 * users
        assert found["flag"] is None
    everyone = sum(c for _, c, _ in POPULATION)
    grand = table["totals"][-1]
    assert grand["group"] == {}
    assert grand["eligible"] == everyone
    assert grand["users"] == len(population.users)
    low = cell(table, educationLevel="low")
    users_all, eligible_all = len(population.users), everyone
    expected = (low["users"] / users_all) / (low["eligible"] / eligible_all)
    assert float(low["representationIndex"]) == pytest.approx(expected, abs=1e-4)
    # the read is on the statistics' log, by the statistics partner
    read = (
        await session.execute(
            text(
                "SELECT partner, action, endpoint, query FROM statistics_reads "
                "ORDER BY id DESC LIMIT 1"
            )
        )
    ).one()
    assert read.partner == "statistics"
    assert read.action == "statistics.takeUp"
    assert read.query == {"incentive": "vov", "period": "2032-33", "by": ["educationLevel"]}


async def test_small_cells_are_suppressed_and_cannot_be_recovered(
    client: httpx.AsyncClient, issuer: TestIssuer, population: Population
) -> None:
    for by in ["ageBand", "educationLevel,ageBand", "ageBand,sex", "educationLevel,employerSize"]:
        response = await take_up(client, issuer, f"incentive=vov&by={by}")
        assert response.status_code == 200, response.text
        table = response.json()
        entries = table["cells"] + table["totals"]
        hidden = [e for e in entries if e["eligible"] is None]
        assert hidden, f"{by}: the population has small cells"
        for entry in entries:
            if entry["eligible"] is None:
                assert entry["flag"] == "c"
                assert entry["users"] is entry["granted"] is entry["used"] is None
                assert entry["expiredUnused"] is entry["representationIndex"] is None
            else:
                assert entry["eligible"] >= 10
        for measure in ("eligible", "users"):
            assert recover(table, measure) == {}, f"{by}: a suppressed {measure} follows"


async def test_csv(client: httpx.AsyncClient, issuer: TestIssuer, population: Population) -> None:
    response = await take_up(client, issuer, "incentive=vov&by=educationLevel", accept="text/csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    json_table = (await take_up(client, issuer, "incentive=vov&by=educationLevel")).json()
    assert [r["educationLevel"] for r in rows] == [
        *(c["group"]["educationLevel"] for c in json_table["cells"]),
        "total",
    ]
    for row, entry in zip(rows, json_table["cells"] + json_table["totals"], strict=True):
        assert row["eligible"] == ("" if entry["eligible"] is None else str(entry["eligible"]))
        assert row["flag"] == (entry["flag"] or "")
        assert row["unit"] == "HOUR"


async def test_matthew(
    client: httpx.AsyncClient, issuer: TestIssuer, population: Population
) -> None:
    response = await client.get(
        "/statistics/matthew?incentive=vov", headers=issuer.headers("statistics")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    levels = {level: (count, users) for level, count, users in POPULATION}
    high = levels["high"][1] / levels["high"][0]
    low_medium = (levels["low"][1] + levels["medium"][1]) / (levels["low"][0] + levels["medium"][0])
    assert body["high"]["eligible"] == levels["high"][0]
    assert body["lowMedium"]["users"] == levels["low"][1] + levels["medium"][1]
    assert float(body["high"]["takeUpRate"]) == pytest.approx(high, abs=1e-4)
    assert float(body["index"]) == pytest.approx(high / low_medium, abs=2e-3)
    assert body["trend"][-1]["period"]["key"] == "2032-33"
    assert body["trend"][-1]["index"] == body["index"]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("incentive=vov&by=shoeSize", "by"),
        ("incentive=vov&by=sex,ageBand,sector", "by"),
        ("incentive=vov&by=sex&by=sex", "by"),
        ("incentive=nothing", "incentive"),
        ("incentive=vov&period=2026", "period"),
        ("incentive=vov&period=someday", "period"),
        ("by=sex", "incentive"),
    ],
)
async def test_bad_queries_are_400_and_read_nothing(
    client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession, query: str, name: str
) -> None:
    before = await session.scalar(text("SELECT count(*) FROM statistics_reads"))
    response = await take_up(client, issuer, query)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:problem-type:belgif:badRequest"
    assert [(i["in"], i["name"]) for i in body["issues"]] == [("query", name)]
    assert await session.scalar(text("SELECT count(*) FROM statistics_reads")) == before


async def test_dimensions_hold_no_ssin_nor_birth_date(
    client: httpx.AsyncClient, session: AsyncSession, population: Population
) -> None:
    columns = (
        (
            await session.execute(
                text(
                    "SELECT column_name FROM information_schema.columns WHERE table_name IN "
                    "('citizen_dimensions', 'statistics_groups', "
                    "'statistics_rights', 'statistics_cells')"
                )
            )
        )
        .scalars()
        .all()
    )
    assert not {c for c in columns if "ssin" in c or "birth" in c}
    bands = (
        await session.execute(text("SELECT DISTINCT age_band FROM statistics_groups"))
    ).scalars()
    assert set(bands) <= {"under25", "25to34", "35to44", "45to54", "55plus", "unknown"}


async def test_a_period_nobody_holds_a_right_in_is_an_empty_table_not_an_error(
    client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    response = await take_up(client, issuer, "incentive=vov&period=2020-21")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["cells"] == [] or all(c["eligible"] in (0, None) for c in body["cells"])
    matthew = await client.get(
        "/statistics/matthew?incentive=vov&period=2020-21", headers=issuer.headers("statistics")
    )
    assert matthew.status_code == 200, matthew.text
