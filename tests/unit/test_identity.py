from datetime import date

import pytest

from app.domain.identity import CitizenKeyer, InvalidSsin, parse_ssin


@pytest.mark.parametrize(
    ("text", "expected", "kind"),
    [
        ("85073003328", "85073003328", "nationalRegister"),
        ("85.07.30-033.28", "85073003328", "nationalRegister"),
        ("85 07 30 033 28", "85073003328", "nationalRegister"),
        ("17073003384", "17073003384", "nationalRegister"),  # born in 2017: the 2-prefixed check
        ("98.47.28-997.65", "98472899765", "bis"),
        ("01490700185", "01490700185", "bis"),
    ],
)
def test_valid_ssins_are_normalised(text: str, expected: str, kind: str) -> None:
    ssin = parse_ssin(text)
    assert ssin.value == expected
    assert ssin.kind == kind


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("85073003329", "not a valid"),  # check digits off by one
        ("85073003327", "not a valid"),
        ("8507300332", "11 digits"),
        ("850730033288", "11 digits"),
        ("8507300332a", "only digits"),
        ("", "11 digits"),
        ("85_07_30_033_28", "only digits"),
        ("８５０７３００３３２８", "only digits"),  # full-width digits are not ASCII
    ],
)
def test_invalid_ssins_are_refused_with_a_reason(text: str, why: str) -> None:
    with pytest.raises(InvalidSsin, match=why):
        parse_ssin(text)


def test_birth_date_is_derived_from_the_number() -> None:
    assert parse_ssin("85073003328").birth_date == date(1985, 7, 30)
    assert parse_ssin("17073003384").birth_date == date(2017, 7, 30)


def test_masked_form_shows_only_the_check_digits() -> None:
    assert parse_ssin("85073003328").masked == "*********28"


def test_citizen_key_is_a_keyed_hash() -> None:
    ssin = parse_ssin("85073003328")
    key = CitizenKeyer(b"secret-one").key(ssin)
    assert key == CitizenKeyer(b"secret-one").key(parse_ssin("85.07.30-033.28"))
    assert key != CitizenKeyer(b"secret-two").key(ssin)
    assert "85073003328" not in key
    assert len(key) == 64
