"""Mijn rekening in a real browser: the development login, the wallet of a citizen with a
pending hold, a used right and rights expiring within 30 days, its history and who consulted
it (the page's own read among them, also on the API's access log), on a phone, and axe-core."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.commands.demo import DemoCitizen, seed
from app.domain.identity import CitizenKeyer, parse_ssin
from app.domain.periods import BRUSSELS, school_year
from app.domain.quantities import Quantity, Unit
from app.pages.i18n import Texts
from tests.faults.live import TEST_SECRET

NL = Texts("nl")


@pytest.fixture(scope="module")
def citizen(api: httpx.Client) -> DemoCitizen:
    """The demo employee: VOV with a 20-hour hold, €50 of training vouchers used, and the
    federal right of this calendar year."""
    return seed(api, datetime.now(BRUSSELS).date())[0]


def login(page: Any, pages_server: Any, citizen: DemoCitizen, axe: Any = None) -> None:
    page.goto(pages_server.url("/mijn-rekening?lang=nl"))
    assert page.url.startswith(pages_server.url("/mijn-rekening/aanmelden"))
    if axe is not None:
        assert axe(page, "mijn-rekening-login") == []
    key = CitizenKeyer(TEST_SECRET.encode()).key(parse_ssin(citizen.ssin))
    radio = page.locator(f"input[name=citizen][value='{key}']")
    page.locator(f"label[for='{radio.get_attribute('id')}']").click()
    assert citizen.ssin not in page.content(), "the login page never shows an SSIN"
    with page.expect_navigation():
        page.get_by_role("button", name=NL("login")).click()
    assert page.url.startswith(pages_server.url("/mijn-rekening?"))


def right_card(page: Any, incentive_name: str) -> Any:
    return page.locator("article.incentive", has=page.get_by_role("heading", name=incentive_name))


def test_the_wallet_of_a_citizen_with_a_hold_a_use_and_rights_running_out(
    page: Any,
    pages_server: Any,
    api: httpx.Client,
    citizen: DemoCitizen,
    screenshot: Any,
    axe_violations: Any,
) -> None:
    login(page, pages_server, citizen, axe_violations)
    assert page.locator("h1").inner_text() == NL("walletTitle")
    vov = right_card(page, NL.incentive_name("vov"))
    assert f"{NL('reserved')}\n{NL.quantity(Quantity(Decimal(20), Unit.HOUR))}" in vov.inner_text()
    vouchers = right_card(page, NL.incentive_name("opleidingscheques"))
    assert f"{NL('used')}\n{NL.quantity(Quantity(Decimal(50), Unit.EUR))}" in vouchers.inner_text()
    history = page.locator("div[aria-labelledby=history-title] tbody tr")
    kinds = [row.locator("td").nth(1).inner_text() for row in history.all()]
    assert NL("txn_reserve") in kinds
    assert NL("txn_redeem") in kinds
    pending = history.filter(has_text=NL("txn_reserve")).first
    assert NL("tstatus_pending") in pending.inner_text()
    consulted = page.locator("div[aria-labelledby=access-title] tbody tr").first
    assert NL("partner_burgerprofiel") in consulted.inner_text()
    assert NL("action_wallet_read") in consulted.inner_text()
    # what runs out within 30 days today is what the API says does
    today = datetime.now(BRUSSELS).date()
    rights = api.get(f"/wallet/{citizen.ssin}").json()["rights"]
    soon = {
        NL.incentive_name(r["incentive"])
        for r in rights
        if Decimal(r["available"]) > 0
        and date.fromisoformat(r["expiresOn"]) - today <= timedelta(days=30)
    }
    expiring = page.locator("section.expiring li strong")
    assert {e.inner_text() for e in expiring.all()} == soon
    assert axe_violations(page, "mijn-rekening-nl") == []
    screenshot(page, "mijn-rekening-nl")
    # the page's read is on the access log, as the API's are
    log = api.get(f"/wallet/{citizen.ssin}/accessLog").json()["items"]
    assert any(
        e["endpoint"] == "GET /mijn-rekening" and e["partner"] == "burgerprofiel" for e in log
    )


def test_ten_days_before_the_school_year_ends_its_rights_are_highlighted(
    page: Any, pages_server: Any, citizen: DemoCitizen, screenshot: Any
) -> None:
    login(page, pages_server, citizen)
    end = school_year(datetime.now(BRUSSELS).date()).end
    on = end - timedelta(days=10)
    page.goto(pages_server.url(f"/mijn-rekening?lang=en&asOf={on.isoformat()}"))
    en = Texts("en")
    expiring = page.locator("section.expiring")
    names = {e.inner_text() for e in expiring.locator("li strong").all()}
    assert {en.incentive_name("vov"), en.incentive_name("opleidingscheques")} <= names
    assert en.date(end) in expiring.inner_text()
    assert page.locator("mark").count() >= 4  # the warnings and the cards' end dates
    vov = right_card(page, en.incentive_name("vov"))
    assert en.quantity(Quantity(Decimal(80), Unit.HOUR)) in vov.inner_text()
    screenshot(page, "mijn-rekening-expiring-en")


def test_on_a_phone_and_logging_out(
    phone: Any, pages_server: Any, citizen: DemoCitizen, screenshot: Any
) -> None:
    login(phone, pages_server, citizen)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways ({width} px)"
    screenshot(phone, "mijn-rekening-phone-nl")
    with phone.expect_navigation():
        phone.get_by_role("button", name=NL("logout")).click()
    assert "/wegwijzer" in phone.url
    phone.goto(pages_server.url("/mijn-rekening"))
    assert "/mijn-rekening/aanmelden" in phone.url
