"""POST /simulations with ``periods``: one period is exactly the one-period result; more run
the horizon with the take-up monitoring published for the last closed period (stated, with
the overall rate where a group's is suppressed, full use where none was observed), a reform
equal to the law changes nothing over it, and bad ``periods`` are precise 400s."""

import random
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.test_simulations import SAME_AS_LAW, run, seed
from tests.auth_support import TestIssuer
from tests.statistics_support import seed as seed_monitoring
from tests.support import Clock

OBSERVED = datetime(2031, 11, 15, 10, tzinfo=UTC)
"""The statistics population's school year, 2031-32: closed by the day the simulation runs."""
LATER = datetime(2032, 11, 15, 10, tzinfo=UTC)


def incentive(cell: dict[str, Any], code: str) -> dict[str, Any]:
    [found] = [f for f in cell["incentives"] if f["incentive"] == code]
    return found


async def test_one_period_is_the_one_period_result(
    client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    await seed(client, 24)
    plain = await run(client, issuer, {"name": "s3", "reformName": "viona-s3-generic-money"})
    one = await run(
        client, issuer, {"name": "s3", "reformName": "viona-s3-generic-money", "periods": 1}
    )
    assert plain["status"] == one["status"] == "done"
    for body in (plain, one):
        for volatile in ("id", "createdAt", "finishedAt"):
            body.pop(volatile)
    assert one == plain
    assert one["periods"] == 1
    assert one["result"]["multiYear"] is None


async def test_a_multi_year_run_uses_the_observed_take_up(
    client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession, clock: Clock
) -> None:
    await seed_monitoring(client, clock, random.Random(7), today=OBSERVED, settle=False)
    clock.offset = LATER - datetime.now(UTC)
    headers = issuer.headers("statistics")
    by_level = await client.get(
        "/statistics/takeUp?incentive=vov&period=2031-32&by=educationLevel", headers=headers
    )
    by_age = await client.get(
        "/statistics/takeUp?incentive=vov&period=2031-32&by=ageBand", headers=headers
    )
    reads = await session.scalar(text("SELECT count(*) FROM statistics_reads"))
    body = await run(
        client,
        issuer,
        {
            "name": "s5",
            "reformName": "viona-s5-time-right",
            "period": "2033-34",
            "periods": 3,
            "takeUpBy": "ageBand",
        },
    )
    assert body["status"] == "done", body
    assert body["periods"] == 3
    multi = body["result"]["multiYear"]
    assert [p["key"] for p in multi["periods"]] == ["2033-34", "2034-35", "2035-36"]
    behaviour = multi["behaviour"]
    assert behaviour["takeUpBy"] == "ageBand"
    assert "zorgkrediet" in behaviour["notFollowed"]
    assert any("take-up rate" in line for line in behaviour["assumptions"])
    stated = {t["incentive"]: t for t in behaviour["incentives"]}
    # VOV: the published rates by age band of 2031-32, the overall rate where a band is
    # suppressed or absent
    vov = stated["vov"]
    assert vov["sourcePeriod"] == "2031-32"
    table = by_age.json()
    assert vov["overallRate"] == table["totals"][-1]["takeUpRate"]
    published = {c["group"]["ageBand"]: c for c in table["cells"]}
    assert any(c["flag"] == "c" for c in published.values()), "the test needs a suppressed band"
    for rate in vov["rates"]:
        cell = published.get(rate["group"])
        if cell is not None and cell["flag"] is None:
            assert (rate["rate"], rate["source"]) == (cell["takeUpRate"], "observed")
        else:
            assert (rate["rate"], rate["source"]) == (vov["overallRate"], "overall")
    # a time credit's premium holds no balance: monitoring has no take-up of it, so full use
    # is assumed (and said so); so for any incentive without a closed period with take-up
    assert stated["vok"]["sourcePeriod"] is None
    for found in stated.values():
        sources = {r["source"] for r in found["rates"]}
        if found["sourcePeriod"] is None:
            assert {(r["rate"], r["source"]) for r in found["rates"]} == {("1", "assumed")}
        else:
            assert sources <= {"observed", "overall"}
    # each take-up read is on the statistics' log
    read = [t for t in stated.values() if t["sourcePeriod"] is not None]
    logged = await session.scalar(
        text("SELECT count(*) FROM statistics_reads WHERE action = 'simulation.takeUp'")
    )
    assert logged == len(read) >= 1
    assert await session.scalar(text("SELECT count(*) FROM statistics_reads")) == reads + logged
    # the law has no carry-over: expected use = rate x right in every period, the rest expires
    total = incentive(multi["total"], "vov")
    rates = [Decimal(r["rate"]) for r in vov["rates"]]
    for period in total["periods"]:
        base = period["baseline"]
        assert base["carriedOver"]["amount"] == "0.00"
        right, use = Decimal(base["entitlement"]["amount"]), Decimal(base["expectedUse"]["amount"])
        assert right > 0
        assert min(rates) * right <= use <= max(rates) * right
        assert Decimal(base["expired"]["amount"]) == right - use
    # the reform carries over (cap 250 h): by the last period something is still held
    assert Decimal(total["total"]["reform"]["carriedOver"]["amount"]) > 0
    assert total["gainers"]["count"] > 0
    # by education level (the default `by`): every cell published or suppressed as required
    for cell in [*multi["cells"], *multi["totals"]]:
        assert cell["flag"] == "c" or cell["citizens"] >= 10
    assert by_level.status_code == 200


async def test_a_reform_equal_to_the_law_over_three_periods_changes_nothing(
    client: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    await seed(client, 24)
    body = await run(
        client, issuer, {"name": "same", "period": "2027-28", "periods": 3, "reform": SAME_AS_LAW}
    )
    multi = body["result"]["multiYear"]
    for cell in [multi["total"], *multi["cells"]]:
        if cell["flag"]:
            continue
        assert cell["overall"]["gainers"]["count"] == cell["overall"]["losers"]["count"] == 0
        for figures in cell["incentives"]:
            assert figures["gainers"]["count"] == figures["losers"]["count"] == 0
            for period in [*figures["periods"], figures["total"]]:
                assert period["baseline"] == period["reform"]


async def test_bad_periods_are_precise_400s(
    client: httpx.AsyncClient, issuer: TestIssuer, session: AsyncSession
) -> None:
    base = {"name": "bad", "reformName": "viona-s3-generic-money"}
    for extra, field in [
        ({"periods": 0}, "periods"),
        ({"periods": 7}, "periods"),
        ({"periods": "three"}, "periods"),
        ({"periods": 2, "period": "lifetime"}, "periods"),
        ({"periods": 2, "takeUpBy": "shoeSize"}, "takeUpBy"),
    ]:
        response = await client.post(
            "/simulations", json=base | extra, headers=issuer.headers("statistics")
        )
        assert response.status_code == 400, (extra, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [i["name"] for i in response.json()["issues"]] == [field], response.json()
    assert await session.scalar(text("SELECT count(*) FROM simulations")) == 0
