"""The engine's interface and its parameter data, without a database."""

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.periods import PeriodKind
from app.domain.quantities import Unit
from app.domain.rules import (
    INCENTIVES,
    Facts,
    carry_over_cap,
    evaluate,
    funding_shares,
    pick_language,
    validated_book,
)
from app.domain.rules.parameters import PARAMETER_DIR, ParameterFileError, load_book

FULL = Facts.model_validate(
    {
        "status": "employee",
        "sector": "private",
        "workplaceRegion": "flanders",
        "residenceRegion": "flanders",
        "employmentFraction": "0.80",
        "weeklyHours": "30.40",
        "educationLevel": "medium",
        "workExperienceMonths": 120,
        "careerVouchersUsed": 0,
        "employerFte": "45",
        "receivesUnemploymentBenefit": False,
        "contractType": "regular",
        "livesAlone": False,
        "timeCredit": {"regime": "full", "priorYearWorkFraction": "1.00"},
        "birthDate": "1985-07-30",
    }
)


def test_facts_round_trip_through_json() -> None:
    stored = FULL.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert stored["employmentFraction"] == "0.80"
    assert stored["timeCredit"] == {
        "regime": "full",
        "motive": "training",
        "priorYearWorkFraction": "1.00",
    }
    assert Facts.model_validate(stored) == FULL


def test_request_facts_override_stored_ones() -> None:
    merged = FULL.overridden_by(Facts.model_validate({"employmentFraction": "0.5"}))
    assert merged.employment_fraction == Decimal("0.5")
    assert merged.sector == FULL.sector


def test_full_evaluation_answers_every_incentive() -> None:
    evaluation = evaluate(FULL, date(2026, 11, 23))
    statuses = {r.incentive: r.status for r in evaluation.results}
    assert statuses == {
        "opleidingscheques": "eligible",
        "vov": "eligible",
        "vok": "eligible",
        "zorgkrediet": "notEligible",
        "loopbaancheques": "eligible",
        "opleidingsrecht": "eligible",
    }
    assert evaluation.rules_version.startswith("2025-10-01+")


def test_rules_version_moves_with_the_parameters_in_force() -> None:
    book = validated_book()
    assert book.rules_version(date(2025, 8, 31)).startswith("2024-09-01+")
    assert book.rules_version(date(2027, 1, 1)).startswith("2027-01-01+")
    assert book.rules_version(date(2025, 8, 31)).split("+")[1] == book.digest


def test_a_changed_parameter_file_changes_the_digest(tmp_path: Path) -> None:
    copy = tmp_path / "parameters"
    shutil.copytree(PARAMETER_DIR, copy)
    before = load_book(copy).digest
    vov = copy / "vov.toml"
    vov.write_text(vov.read_text().replace('value = "125"', 'value = "126"'))
    after = load_book(copy)
    assert after.digest != before
    assert after["vov"].decimal("hoursPerSchoolYear", date(2026, 1, 1)) == Decimal(126)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('value = "125"', "value = 125.5"), "hoursPerSchoolYear"),
        (
            (
                'effectiveFrom = 2025-09-01, value = "0.80"',
                'effectiveFrom = 2019-09-01, value = "0.80"',
            ),
            "increase",
        ),
        (('code = "vov"', 'code = "vof"'), "file name"),
        (("verified = true", "verified = 1"), "verified"),
    ],
)
def test_bad_parameter_files_stop_the_start(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    copy = tmp_path / "parameters"
    shutil.copytree(PARAMETER_DIR, copy)
    vov = copy / "vov.toml"
    vov.write_text(vov.read_text().replace(*change, 1))
    with pytest.raises(ParameterFileError, match=message):
        load_book(copy)


def test_incentive_definitions() -> None:
    vov, vok = INCENTIVES["vov"], INCENTIVES["vok"]
    assert (vov.pillar, vov.unit, vov.period_kind, vov.holds_balance) == (
        "time",
        Unit.HOUR,
        PeriodKind.SCHOOL_YEAR,
        True,
    )
    assert vok.holds_balance is False
    assert vov.period_for(date(2026, 11, 23)).key == "2026-27"
    federal = INCENTIVES["opleidingsrecht"]
    assert federal.period_for(date(2026, 11, 23)).key == "2024-2028"  # the 5-year window
    assert federal.period_for(date(2029, 1, 1)).key == "2029-2033"
    assert federal.period_for(date(2023, 12, 31)).key == "2023"  # yearly before the windows
    career = INCENTIVES["loopbaancheques"]
    assert career.period_for(date(2026, 1, 1)).end == date(2026, 12, 31)
    assert career.period_for(date(2026, 1, 1)).start == date(2025, 10, 1)
    assert career.unit_for(date(2026, 12, 31)) is Unit.VOUCHER
    assert career.unit_for(date(2027, 1, 1)) is Unit.HOUR
    assert vov.unit_for(date(2027, 1, 1)) is Unit.HOUR


def test_funding_and_carry_over() -> None:
    day = date(2026, 11, 23)
    assert funding_shares("opleidingscheques", day) == {
        "citizen": Decimal("0.50"),
        "government": Decimal("0.50"),
    }
    assert funding_shares("vov", day) == {}
    assert funding_shares("vok", day) == {"government": Decimal(1)}
    assert all(carry_over_cap(code, day) == 0 for code in INCENTIVES)


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "nl"),
        ("fr-BE,fr;q=0.9,en;q=0.8", "fr"),
        ("en-GB", "en"),
        ("de", "de"),
        ("es, en;q=0.5", "en"),
        ("ja", "nl"),
        ("nl;q=0.1, fr;q=0.9", "fr"),
    ],
)
def test_language_from_accept_language(header: str | None, language: str) -> None:
    assert pick_language(header) == language


def test_messages_are_localised_with_parameter_values() -> None:
    facts = Facts.model_validate({"employmentFraction": "0.5"})
    by_lang = {
        lang: evaluate(facts, date(2026, 1, 1), incentives=["vov"], language=lang).results[0]
        for lang in ("nl", "fr", "en", "de")
    }
    fraction = {
        lang: next(r for r in res.reasons if r.code == "employmentFractionAtLeast")
        for lang, res in by_lang.items()
    }
    assert "minstens 0.8" in fraction["nl"].message
    assert "au moins 0.8" in fraction["fr"].message
    assert "at least 0.8" in fraction["en"].message
    assert "mindestens 0.8" in fraction["de"].message
    assert fraction["nl"].passed is False
    assert "BVR 21 december 2018" in fraction["nl"].legal_basis


def test_referrals() -> None:
    jobseeker = evaluate(Facts.model_validate({"status": "jobseeker"}), date(2026, 1, 1))
    assert [r.code for r in jobseeker.referrals] == ["vdabTrainingOffer", "careerGuidance"]
    brussels = Facts.model_validate({"status": "employee", "workplaceRegion": "brussels"})
    assert "federalEducationalLeave" in [
        r.code for r in evaluate(brussels, date(2026, 1, 1)).referrals
    ]
    selfemployed = evaluate(Facts.model_validate({"status": "selfEmployed"}), date(2026, 1, 1))
    assert "kmoPortefeuille" in [r.code for r in selfemployed.referrals]
    public = Facts.model_validate({"status": "employee", "sector": "localPublic"})
    assert "vlaamsZorgkrediet" in [r.code for r in evaluate(public, date(2026, 1, 1)).referrals]
