"""``llr federal sync`` against the stand-in over real HTTP: from empty, incrementally, a rerun
that posts nothing, a crash half-way resumed from the stored cursor, the federal account down
(the wallet answers, marked stale), 429s and timeouts retried."""

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.domain.federal import store
from app.domain.federal.model import FederalProblem, FederalUnavailable
from app.domain.ledger.tables import transactions
from tests.federal.conftest import Federal, fast_client
from tests.support import assert_ledger_consistent


async def federal_right(client: httpx.AsyncClient, ssin: str) -> dict[str, Any] | None:
    response = await client.get(f"/wallet/{ssin}")
    assert response.status_code == 200, response.text
    found = [r for r in response.json()["rights"] if r["incentive"] == "opleidingsrecht"]
    assert len(found) <= 1
    return found[0] if found else None


async def posted(session: AsyncSession, caller: str = "federal") -> int:
    return int(
        await session.scalar(
            select(func.count()).select_from(transactions).where(transactions.c.caller == caller)
        )
        or 0
    )


async def test_a_sync_from_empty_posts_each_federal_account_into_its_window(
    federal: Federal,
    run_sync: Any,
    client: httpx.AsyncClient,
    session: AsyncSession,
    ssins: list[str],
) -> None:
    federal.account(ssins[0], used="3.00", y2024="5.00", y2025="5.00", y2026="4.00")
    federal.account(ssins[1], y2025="2.50")
    report = await run_sync()
    assert (report.changes, report.applied, report.grants, report.redeems) == (2, 2, 4, 1)
    first = await federal_right(client, ssins[0])
    assert first is not None
    assert first["period"]["key"] == "2024-2028"
    assert (first["granted"], first["used"], first["available"]) == ("14.00", "3.00", "11.00")
    status = first["federalAccount"]
    assert status["stale"] is False
    assert status["synchronisedAt"] is not None
    assert status["federalBalance"] == {"amount": "11.00", "unit": "DAY"}
    year = int(status["yearAccrual"]["year"])
    expected = {2024: "5.00", 2025: "5.00", 2026: "4.00"}.get(year)
    assert status["yearAccrual"]["days"]["amount"] == expected
    assert [a["year"] for a in status["accruals"]] == [2024, 2025, 2026]
    second = await federal_right(client, ssins[1])
    assert second is not None
    assert second["available"] == "2.50"
    state = await store.read_state(session)
    assert state is not None
    assert state.cursor is not None
    assert state.last_error is None
    await assert_ledger_consistent(session)


async def test_an_incremental_sync_posts_only_what_changed_since_the_cursor(
    federal: Federal,
    run_sync: Any,
    client: httpx.AsyncClient,
    session: AsyncSession,
    ssins: list[str],
) -> None:
    federal.account(ssins[0], used="1.00", y2025="5.00", y2026="4.00")
    federal.account(ssins[1], y2026="1.00")
    await run_sync()
    before = await posted(session)
    await federal.admin("accounts", {"ssin": ssins[0], "accruals": {"2026": "5.00"}, "used": "2"})
    report = await run_sync()
    assert (report.changes, report.applied, report.grants, report.redeems) == (1, 1, 1, 1)
    assert await posted(session) == before + 2
    right = await federal_right(client, ssins[0])
    assert right is not None
    assert (right["granted"], right["used"], right["available"]) == ("10.00", "2.00", "8.00")
    assert right["federalAccount"]["federalVersion"] == 2
    untouched = await federal_right(client, ssins[1])
    assert untouched is not None
    assert untouched["available"] == "1.00"


async def test_a_rerun_of_the_whole_feed_posts_nothing(
    federal: Federal, run_sync: Any, session: AsyncSession, ssins: list[str]
) -> None:
    for ssin in ssins[:5]:
        federal.account(ssin, used="1.00", y2024="5.00", y2025="5.00")
    first = await run_sync(page_size=2)
    assert (first.pages, first.grants, first.redeems) == (3, 10, 5)
    count = await posted(session)
    again = await run_sync(page_size=2)  # from the stored cursor: nothing new
    assert (again.changes, again.grants) == (0, 0)
    from datetime import date

    replayed = await run_sync(since=date(2000, 1, 1), page_size=2)  # the whole feed again
    assert (replayed.changes, replayed.already_applied, replayed.grants) == (5, 5, 0)
    assert replayed.redeems == 0
    assert await posted(session) == count


async def test_a_sync_that_breaks_half_way_resumes_from_the_last_committed_page(
    federal: Federal,
    run_sync: Any,
    client: httpx.AsyncClient,
    session: AsyncSession,
    ssins: list[str],
) -> None:
    for ssin in ssins[:10]:
        federal.account(ssin, y2025="5.00", y2026="5.00")
    await federal.admin("faults", {"failAfterItems": 6, "failStatus": 503})
    with pytest.raises(FederalUnavailable, match="503"):
        await run_sync(page_size=3)
    state = await store.read_state(session)
    assert state is not None
    assert state.changes_seen == 6
    assert state.last_error is not None
    assert await posted(session) == 12  # two pages of three citizens, two grants each
    assert await federal_right(client, ssins[9]) is None
    await federal.admin("faults", {})
    resumed = await run_sync(page_size=3)
    assert resumed.changes == 4  # from the cursor, not from the start
    assert await posted(session) == 20
    for ssin in ssins[:10]:
        right = await federal_right(client, ssin)
        assert right is not None
        assert right["granted"] == "10.00"
    await assert_ledger_consistent(session)
    unique = await session.scalar(
        text(
            "SELECT count(DISTINCT unique_token) FROM ledger_transactions WHERE caller = 'federal'"
        )
    )
    assert unique == 20


async def test_when_the_federal_account_is_down_the_wallet_answers_the_last_balance_stale(
    federal: Federal, run_sync: Any, client: httpx.AsyncClient, ssins: list[str]
) -> None:
    federal.account(ssins[0], used="1.00", y2025="5.00", y2026="5.00")
    await run_sync()
    fresh = await federal_right(client, ssins[0])
    assert fresh is not None
    assert fresh["federalAccount"]["stale"] is False
    await federal.admin("faults", {"down": True})
    calls = federal.standin.stats["apiCalls"]
    with pytest.raises(FederalUnavailable):
        await run_sync()
    assert federal.standin.stats["apiCalls"] - calls == 4  # the client's attempts, no more
    stale = await federal_right(client, ssins[0])
    assert stale is not None
    assert stale["available"] == fresh["available"] == "9.00"
    assert stale["federalAccount"]["stale"] is True
    assert stale["federalAccount"]["staleReason"] == "federalAccountUnavailable"
    assert stale["federalAccount"]["synchronisedAt"] == fresh["federalAccount"]["synchronisedAt"]


async def test_429s_and_timeouts_are_retried_and_the_token_is_reused(
    federal: Federal, run_sync: Any, client: httpx.AsyncClient, ssins: list[str]
) -> None:
    for ssin in ssins[:4]:
        federal.account(ssin, y2026="5.00")
    await federal.admin("faults", {"rateLimitNext": 2, "retryAfter": 0})
    report = await run_sync(page_size=2)
    assert report.changes == 4
    assert federal.standin.stats["served429"] == 2
    assert federal.standin.stats["tokenRequests"] == 1  # cached across pages and retries
    federal.account(ssins[5], y2026="3.00")
    await federal.admin("faults", {"delaySeconds": 1.0, "delayNext": 1})
    async with fast_client(federal.url, timeout=0.3) as impatient:
        slow = await run_sync(impatient)
    assert slow.changes == 1
    assert federal.standin.stats["delayed"] == 1
    right = await federal_right(client, ssins[5])
    assert right is not None
    assert right["available"] == "3.00"


async def test_a_belgif_problem_is_not_retried_and_the_circuit_opens_after_failures(
    federal: Federal,
) -> None:
    async with fast_client(federal.url, attempts=2) as feed:
        calls = federal.standin.stats["apiCalls"]
        with pytest.raises(FederalProblem) as refused:
            await feed.changes(None, "not-a-cursor", 10)
        assert (refused.value.status, refused.value.problem_type) == (400, "badRequest")
        assert federal.standin.stats["apiCalls"] - calls == 1
        await federal.admin("faults", {"down": True})
        for _ in range(3):
            with pytest.raises(FederalUnavailable, match="after 2 attempts"):
                await feed.changes(None, None, 10)
        calls = federal.standin.stats["apiCalls"]
        with pytest.raises(FederalUnavailable, match="circuit open"):
            await feed.changes(None, None, 10)
        assert federal.standin.stats["apiCalls"] == calls  # not called at all


async def test_the_stand_in_and_the_sync_log_no_ssin(
    federal: Federal, run_sync: Any, captured_logs: Any, ssins: list[str]
) -> None:
    federal.account(ssins[0], y2026="5.00")
    await federal.admin("faults", {"rateLimitNext": 1})
    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{federal.url}/trainingAccounts/{ssins[0]}")).status_code == 401
    await run_sync()
    logged = captured_logs.getvalue()
    assert "429" in logged  # the retry was logged...
    assert ssins[0] not in logged  # ...and no SSIN, in any line


async def test_a_sync_older_than_the_allowed_age_is_marked_stale(
    federal: Federal, run_sync: Any, client: httpx.AsyncClient, clock: Any, ssins: list[str]
) -> None:
    federal.account(ssins[0], y2026="5.00")
    await run_sync()
    clock.advance(hours=25)
    recent = await federal_right(client, ssins[0])
    assert recent is not None
    assert recent["federalAccount"]["stale"] is False
    clock.advance(hours=2)  # 27 h: past LLR_FEDERAL_STALE_AFTER_HOURS (26)
    old = await federal_right(client, ssins[0])
    assert old is not None
    assert old["federalAccount"]["staleReason"] == "notSynchronisedRecently"
    assert old["available"] == "5.00"


async def test_the_per_citizen_read_gives_the_account_or_none(
    federal: Federal, feed: Any, ssins: list[str]
) -> None:
    from app.domain.identity import parse_ssin

    federal.account(ssins[0], used="1.50", y2025="2.50", y2026="5.00")
    found = await feed.account(parse_ssin(ssins[0]))
    assert found is not None
    assert (found.window, found.version, found.balance.text(), found.used.text()) == (
        "2024-2028",
        1,
        "6.00",
        "1.50",
    )
    assert {y: q.text() for y, q in found.accruals.items()} == {2025: "2.50", 2026: "5.00"}
    assert await feed.account(parse_ssin(ssins[1])) is None  # 404 resourceNotFound
