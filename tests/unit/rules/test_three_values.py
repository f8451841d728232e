"""Properties of the three-valued answers over random partial facts: a decided answer stays
decided whatever else becomes known, and an open one only asks for facts not yet given."""

from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.rules import Facts, evaluate

DAYS = st.sampled_from(
    [date(2019, 12, 31), date(2025, 8, 31), date(2025, 9, 1), date(2026, 11, 23), date(2027, 1, 1)]
)
fraction = st.sampled_from(["0", "0.19", "0.2", "0.49", "0.5", "0.75", "0.79", "0.8", "1"])
FACT_VALUES: dict[str, Any] = {
    "status": st.sampled_from(
        ["employee", "selfEmployed", "jobseeker", "inactive", "student", "retired"]
    ),
    "sector": st.sampled_from(
        ["private", "socialProfit", "flemishPublic", "localPublic", "federalPublic", "otherPublic"]
    ),
    "workplaceRegion": st.sampled_from(["flanders", "brussels", "wallonia", "abroad"]),
    "residenceRegion": st.sampled_from(["flanders", "brussels", "wallonia", "eea", "other"]),
    "movedFromEea": st.booleans(),
    "employmentFraction": fraction,
    "weeklyHours": st.sampled_from(["0", "20", "27.99", "28", "38"]),
    "educationLevel": st.sampled_from(["low", "medium", "high"]),
    "workExperienceMonths": st.sampled_from([0, 12, 83, 84, 200]),
    "careerGuidanceCompleted": st.booleans(),
    "careerGuidanceCompletedOn": st.sampled_from(
        [date(2010, 1, 1), date(2019, 9, 1), date(2021, 1, 1)]
    ),
    "careerVouchersUsed": st.sampled_from([0, 1, 2]),
    "employerFte": st.sampled_from(["0", "9", "10", "19", "20", "500"]),
    "receivesUnemploymentBenefit": st.booleans(),
    "contractType": st.sampled_from(["regular", "student", "apprenticeship"]),
    "apprenticeshipHoursPerMonth": st.sampled_from(["79", "80"]),
    "livesAlone": st.booleans(),
    "timeCredit": st.fixed_dictionaries(
        {"regime": st.sampled_from(["none", "full", "half", "oneFifth"])},
        optional={"priorYearWorkFraction": fraction},
    ),
}


@st.composite
def growing_facts(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """Some facts, and the same facts with more added."""
    full = draw(st.fixed_dictionaries({}, optional=FACT_VALUES))
    names = sorted(full)
    known = draw(st.sets(st.sampled_from(names))) if names else set()
    return {k: v for k, v in full.items() if k in known}, full


def _json(facts: dict[str, Any]) -> Facts:
    return Facts.model_validate(
        {k: v.isoformat() if isinstance(v, date) else v for k, v in facts.items()}
    )


@settings(max_examples=300, deadline=None)
@given(growing_facts(), DAYS)
def test_decided_answers_stay_decided_and_open_ones_ask_only_unknowns(
    pair: tuple[dict[str, Any], dict[str, Any]], day: date
) -> None:
    some, more = pair
    before = {r.incentive: r for r in evaluate(_json(some), day).results}
    after = {r.incentive: r for r in evaluate(_json(more), day).results}
    for code, result in before.items():
        if result.status == "undetermined":
            assert result.missing_facts
            for fact in result.missing_facts:
                top = fact.split(".")[0]
                assert top not in some or top == "timeCredit", (code, fact, some)
        else:
            assert after[code].status == result.status, (code, some, more)
            if result.status == "notEligible":
                assert result.missing_facts == []
