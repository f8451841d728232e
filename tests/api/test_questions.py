"""Typed questions: an anonymous wizard that only ever asks the first question reaches a
decision for every incentive, in every language, and each question can be answered from what it
says (kind, options, bounds)."""

from decimal import Decimal
from typing import Any

import httpx
import pytest

from app.domain.rules import INCENTIVES
from app.domain.rules.facts import Facts
from app.domain.rules.questions import declared_facts
from tests.support import EMPLOYEE_FACTS

LANGUAGES = ("nl", "fr", "en", "de")
PERSONA: dict[str, Any] = EMPLOYEE_FACTS | {
    "employmentFraction": "1",
    "weeklyHours": "38",
    "timeCredit.regime": "full",
    "timeCredit.priorYearWorkFraction": "1",
}
"""The person answering: a full-time private-sector employee in Flanders on time credit."""
SECTOR_FOR = {"zorgkrediet": "flemishPublic"}
ROUND_TRIPS = {
    "opleidingscheques": 6,
    "vov": 7,
    "vok": 6,
    "zorgkrediet": 3,
    "loopbaancheques": 5,
    "opleidingsrecht": 5,
}
"""Requests until the answer is decided (the last one gives the decision); README states them."""
ALL_AT_ONCE = 15


def answerable(question: dict[str, Any], value: object) -> bool:
    kind = question["kind"]
    if kind in ("enum", "boolean"):
        return value in [option["value"] for option in question["options"]]
    if kind in ("decimal", "integer"):
        number = Decimal(str(value))
        low, high = question.get("minimum"), question.get("maximum")
        return (low is None or number >= Decimal(low)) and (high is None or number <= Decimal(high))
    return kind == "date"


def put(facts: dict[str, Any], path: str, value: object) -> None:
    head, _, rest = path.partition(".")
    if rest:
        facts.setdefault(head, {})[rest] = value
    else:
        facts[head] = value


async def converse(
    client: httpx.AsyncClient, language: str, incentives: list[str], persona: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """Asks until every answer is decided, answering only the first question each time."""
    facts: dict[str, Any] = {}
    for trips in range(1, 30):
        response = await client.post(
            "/eligibility",
            json={"asOf": "2026-11-23", "facts": facts, "incentives": incentives},
            headers={"Accept-Language": language},
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-language"] == language
        body = response.json()
        if all(r["status"] != "undetermined" for r in body["results"]):
            return trips, body
        first = body["questions"][0]
        assert first["text"]
        assert first["sources"]
        deciding = [r for r in body["results"] if r["incentive"] in first["decides"]]
        assert any(r["status"] == "undetermined" for r in deciding)
        value = persona[first["answer"]]
        assert answerable(first, value), (first, value)
        put(facts, first["answer"], value)
    raise AssertionError(f"no decision for {incentives} in {language}")


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_first_question_each_time_decides_every_incentive(
    client: httpx.AsyncClient, language: str
) -> None:
    trips = {}
    for code in INCENTIVES:
        persona = PERSONA | ({"sector": SECTOR_FOR[code]} if code in SECTOR_FOR else {})
        trips[code], body = await converse(client, language, [code], persona)
        [result] = body["results"]
        assert result["status"] == "eligible", result
    assert trips == ROUND_TRIPS
    all_trips, body = await converse(client, language, list(INCENTIVES), PERSONA)
    assert all_trips == ALL_AT_ONCE


async def test_questions_are_typed_labelled_and_ranked(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/eligibility", json={"asOf": "2026-11-23"}, headers={"Accept-Language": "de"}
    )
    questions = response.json()["questions"]
    first = questions[0]
    assert first["fact"] == "status"
    assert first["text"] == "Was ist Ihre Haupttätigkeit?"
    assert sorted(first["decides"]) == sorted(INCENTIVES)
    assert {"value": "employee", "label": "Arbeitnehmer (auch Leiharbeit)"} in first["options"]
    by_fact = {q["fact"]: q for q in questions}
    fraction = by_fact["employmentFraction"]
    assert (fraction["kind"], fraction["minimum"], fraction["maximum"]) == ("decimal", "0", "1")
    assert by_fact["receivesUnemploymentBenefit"]["options"] == [
        {"value": True, "label": "Ja"},
        {"value": False, "label": "Nein"},
    ]
    assert by_fact["workExperienceMonths"]["kind"] == "integer"
    decided = [len(q["decides"]) for q in questions]
    assert decided[0] == max(decided)
    missing = {f for r in response.json()["results"] for f in r["missingFacts"]}
    assert missing == set(by_fact)


async def test_a_training_question_and_an_amount_question(client: httpx.AsyncClient) -> None:
    facts = {k: v for k, v in PERSONA.items() if "." not in k and k != "livesAlone"}
    facts["timeCredit"] = {"regime": "full", "priorYearWorkFraction": "1"}
    training = {"kind": "course", "contactHours": "20"}
    request = {"asOf": "2026-11-23", "facts": facts, "incentives": ["vok", "vov"]}
    response = await client.post("/eligibility", json=request | {"training": training})
    by_fact = {q["fact"]: q for q in response.json()["questions"]}
    assert by_fact["livesAlone"]["decides"] == ["vok"]
    assert by_fact["training.vovEligible"]["sources"] == ["odb"]
    assert by_fact["training.combinedContactHours"]["unit"] == "HOUR"
    del facts["timeCredit"]
    response = await client.post("/eligibility", json=request | {"incentives": ["vok"]})
    [question] = response.json()["questions"]
    assert (question["fact"], question["answer"]) == ("timeCredit", "timeCredit.regime")


def test_every_fact_has_a_question() -> None:
    facts = {Facts.model_fields[name].alias or name for name in Facts.model_fields}
    assert facts <= set(declared_facts())
