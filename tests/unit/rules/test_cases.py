"""Table-driven rules tests, in the spirit of OpenFisca's YAML tests: each file in ``cases/``
holds named bases (facts shared by several cases) and cases (a base, facts on top, a day, the
incentive, and the answer expected). A case states only what it checks."""

import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.domain.rules import Facts, TrainingInfo, evaluate

CASE_DIR = Path(__file__).parent / "cases"


def _load() -> list[Any]:
    cases = []
    for path in sorted(CASE_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text("utf-8"))
        bases = data.get("bases", {})
        for case in data["cases"]:
            facts = {**bases.get(case.get("base", ""), {}), **case.get("facts", {})}
            cases.append(pytest.param(case, facts, id=f"{path.stem}: {case['name']}"))
    return cases


CASES = _load()


def test_there_are_enough_boundary_cases() -> None:
    assert len(CASES) >= 80


def _jsonable(facts: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in facts.items()}


@pytest.mark.parametrize(("case", "facts"), CASES)
def test_case(case: dict[str, Any], facts: dict[str, Any]) -> None:
    training = TrainingInfo.model_validate(case["training"]) if "training" in case else None
    evaluation = evaluate(
        Facts.model_validate(_jsonable(facts)),
        case["asOf"],
        incentives=[case["incentive"]],
        training=training,
    )
    [result] = evaluation.results
    assert result.status == case["status"], [(r.code, r.passed) for r in result.reasons]
    assert result.missing_facts == case.get("missingFacts", [])
    if "entitlement" in case:
        assert result.entitlement is not None
        assert (result.entitlement.text(), result.entitlement.unit.value) == (
            case["entitlement"],
            case.get("unit", result.entitlement.unit.value),
        )
    elif result.status != "eligible":
        assert result.entitlement is None
    if "monthlyAmount" in case:
        assert result.monthly_amount is not None
        assert result.monthly_amount.text() == case["monthlyAmount"]
    if "period" in case:
        assert result.period is not None
        assert result.period.key == case["period"]
    if "failed" in case:
        assert [r.code for r in result.reasons if r.passed is False] == [case["failed"]]
    if "covered" in case:
        assert result.training is not None
        expected = None if case["covered"] == "unknown" else case["covered"]
        assert result.training.covered is expected
        consumes = result.training.consumes
        assert (consumes.text() if consumes else None) == case.get("consumes")
        assert result.training.missing_facts == case.get("trainingMissing", [])
