"""The Wegwijzer in a real browser: a full run to a result in each language, a run of "I don't
know", back that keeps answers, the keyboard alone, a 375 px phone, and axe-core."""

from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from babel.numbers import format_currency

from app.domain.rules import INCENTIVES
from app.pages.i18n import LOCALES, Texts
from tests.browser.wizard_support import WORKER, answer, asked, dont_know, on_result, run_wizard

LANGUAGES = ("nl", "fr", "en", "de")


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_full_run_reaches_a_result_in_each_language(
    page: Any,
    browser: Any,
    pages_server: Any,
    screenshot: Any,
    axe_violations: Any,
    language: str,
) -> None:
    texts = Texts(language)
    # nl by default, fr by the browser's language (Accept-Language), en and de by ?lang=
    if language == "fr":
        page = browser.new_context(locale="fr-BE", viewport={"width": 1280, "height": 900})
        page = page.new_page()
        response = page.goto(pages_server.url("/wegwijzer"))
    elif language == "nl":
        response = page.goto(pages_server.url("/wegwijzer"))
    else:
        response = page.goto(pages_server.url(f"/wegwijzer?lang={language}"))
    assert response.headers["content-language"] == language
    assert "accept-language" in response.headers["vary"].lower()
    assert "default-src 'none'" in response.headers["content-security-policy"]
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").inner_text() == texts("wizardTitle")
    assert axe_violations(page, f"wegwijzer-step1-{language}") == []
    asked_facts = run_wizard(page, WORKER)
    assert len(asked_facts) == len(set(asked_facts)), "a question was asked twice"
    assert page.locator("h1").inner_text() == texts("resultTitle")
    articles = page.locator("article.incentive")
    assert articles.count() == len(INCENTIVES)
    eligible = page.locator("article.eligible")
    assert eligible.count() >= 3
    vouchers = page.locator("article:has(#inc-opleidingscheques)")
    assert "eligible" in vouchers.get_attribute("class").split()
    expected = format_currency(Decimal("250"), "EUR", locale=LOCALES[language])
    assert expected in vouchers.locator(".amount").inner_text()
    vov = page.locator("article:has(#inc-vov)")
    assert texts("unit_HOUR") in vov.locator(".amount").inner_text()
    assert texts("legalBasis") in vov.inner_text()
    assert texts("trainingTitle") in vov.inner_text()
    assert page.locator("ul.reasons li.passed").count() > 5
    # the result is its own address: reopened, it says the same
    query = dict(parse_qsl(urlsplit(page.url).query))
    assert query["lang"] == language
    assert query["status"] == "employee"
    assert "ssin" not in page.url.lower()
    again = page.context.new_page()
    again.goto(page.url)
    assert again.locator("article.eligible").count() == eligible.count()
    again.close()
    assert axe_violations(page, f"wegwijzer-result-{language}") == []
    screenshot(page, f"wegwijzer-result-{language}")


def test_i_dont_know_moves_on_and_leaves_the_incentive_open(
    page: Any, pages_server: Any, screenshot: Any
) -> None:
    page.goto(pages_server.url("/wegwijzer?lang=en"))
    answer(page, "employee")
    answer(page, "private")
    first_unknown = asked(page)
    dont_know(page)
    assert asked(page) != first_unknown, "'I don't know' must move on"
    assert ("unknown", first_unknown) in parse_qsl(urlsplit(page.url).query)
    steps = 0
    while not on_result(page):
        dont_know(page)
        steps += 1
        assert steps < 30
    open_ = page.locator("article.undetermined")
    assert open_.count() >= 1
    assert Texts("en")("youDidNotKnow") in open_.first.inner_text()
    assert page.locator("article.notEligible").count() + open_.count() == len(INCENTIVES)
    screenshot(page, "wegwijzer-dont-know-en")


def test_back_keeps_the_answers_and_shows_the_last_one_chosen(page: Any, pages_server: Any) -> None:
    page.goto(pages_server.url("/wegwijzer?lang=nl"))
    answer(page, "employee")
    second = asked(page)
    answer(page, "private")
    third = asked(page)
    page.get_by_role("link", name=Texts("nl")("back")).click()
    assert asked(page) == second
    assert page.locator("input[name=sector][value=private]").is_checked()
    assert ("status", "employee") in parse_qsl(urlsplit(page.url).query)
    page.locator("form button[type=submit]").first.click()
    assert asked(page) == third


def test_an_unanswered_step_shows_an_error_summary(
    page: Any, pages_server: Any, axe_violations: Any, screenshot: Any
) -> None:
    page.goto(pages_server.url("/wegwijzer?lang=de"))
    page.locator("form button[type=submit]").first.click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert Texts("de")("errorChoose") in summary.inner_text()
    assert asked(page) == "status"
    assert axe_violations(page, "wegwijzer-error-de") == []
    screenshot(page, "wegwijzer-error-de")


def test_keyboard_only(page: Any, pages_server: Any) -> None:
    page.goto(pages_server.url("/wegwijzer?lang=nl"))
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.getAttribute('href')")
    assert skip == "#content", "the first stop is the skip link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus is visible"
    page.keyboard.press("Enter")
    # tab to the first answer, choose it with the space bar, then submit with Enter
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio":
            break
    assert page.evaluate("document.activeElement.name") == "status"
    page.keyboard.press("Space")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert ("status", "employee") in parse_qsl(urlsplit(page.url).query)
    assert asked(page) != "status"
    # "I don't know" by keyboard: tab to its button and press Enter
    before = asked(page)
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "skip":
            break
    assert page.evaluate("document.activeElement.name") == "skip"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert ("unknown", before) in parse_qsl(urlsplit(page.url).query)


def test_readable_on_a_375_px_phone(phone: Any, pages_server: Any, screenshot: Any) -> None:
    phone.goto(pages_server.url("/wegwijzer?lang=fr"))
    screenshot(phone, "wegwijzer-step-phone-fr")
    run_wizard(phone, WORKER)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways ({width} px)"
    screenshot(phone, "wegwijzer-result-phone-fr")
