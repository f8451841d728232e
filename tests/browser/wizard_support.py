"""Driving the Wegwijzer in a browser as a citizen would: read the step's question, answer it
from a persona (or say "I don't know"), submit, until the result page."""

from typing import Any

WORKER = {
    "status": "employee",
    "sector": "private",
    "workplaceRegion": "flanders",
    "residenceRegion": "flanders",
    "employmentFraction": "0,8",
    "weeklyHours": "38",
    "educationLevel": "medium",
    "workExperienceMonths": "120",
    "careerVouchersUsed": "0",
    "employerFte": "45",
    "receivesUnemploymentBenefit": "false",
    "contractType": "regular",
    "agencyWorker": "false",
    "sideSelfEmployed": "false",
    "timeCredit.regime": "none",
    "livesAlone": "false",
}
"""A private-sector employee working 80% in Flanders, typing decimals the Belgian way."""
MAX_STEPS = 40


def on_result(page: Any) -> bool:
    return bool(page.locator("ol.results").count())


def asked(page: Any) -> str:
    value: str = page.locator("input[name=asked]").get_attribute("value")
    return value


def answer_field(page: Any) -> tuple[str, str]:
    """(answer path, kind): a radio group or a text/date input."""
    radio = page.locator("form input[type=radio]")
    if radio.count():
        return radio.first.get_attribute("name"), "radio"
    field = page.locator("form input[type=text], form input[type=date]").first
    return field.get_attribute("name"), "text"


def answer(page: Any, value: str) -> None:
    path, kind = answer_field(page)
    field_id = "q-" + path.replace(".", "-")
    if kind == "radio":
        page.locator(f"label[for='{field_id}-{value}']").click()
    else:
        page.locator(f"#{field_id}").fill(value)
    page.locator("form button[type=submit]").first.click()


def dont_know(page: Any) -> None:
    page.locator("form button[name=skip]").click()


def run_wizard(page: Any, persona: dict[str, str]) -> list[str]:
    """Answers every question from ``persona`` ("I don't know" for what it lacks) and returns
    the facts asked, in order, once the result page is reached."""
    seen: list[str] = []
    for _ in range(MAX_STEPS):
        if on_result(page):
            return seen
        fact = asked(page)
        seen.append(fact)
        path, _ = answer_field(page)
        if path in persona:
            answer(page, persona[path])
        else:
            dont_know(page)
        page.wait_for_load_state()
    raise AssertionError(f"no result after {MAX_STEPS} steps: {seen}")
