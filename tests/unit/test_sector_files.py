"""A sector fund's incentives file is validated at start-up: each mistake stops the start with a
message naming the file, the incentive and the field."""

from pathlib import Path

import pytest

from app.domain.access.partners import InvalidRegistry, load_registry

GOOD = {
    "pillar": '"money"',
    "unit": '"EUR"',
    "periodKind": '"calendarYear"',
    "legalBasis": '"Cao (test)"',
    "url": '"https://fund.example"',
    "inForceFrom": "2025-01-01",
}
NAMES = 'names = { nl = "n", fr = "f", en = "e", de = "d" }'


def registry(tmp_path: Path, incentives: str, *, second: str | None = None) -> Path:
    (tmp_path / "fund.toml").write_text(incentives, encoding="utf-8")
    funds = [("fund", "fund.toml")]
    if second is not None:
        (tmp_path / "other.toml").write_text(second, encoding="utf-8")
        funds.append(("other", "other.toml"))
    text = "".join(
        f'[partners.{name}]\ntitle = "{name}"\nkind = "sector"\nclient_ids = ["{name}"]\n'
        f'scopes = ["llr:transactions:write"]\ncitizens = "any"\nincentives_file = "{file}"\n'
        for name, file in funds
    )
    (tmp_path / "partners.toml").write_text(text, encoding="utf-8")
    return tmp_path / "partners.toml"


def incentive(code: str = "fundTraining", names: str = NAMES, **fields: str) -> str:
    body = GOOD | fields
    lines = "".join(f"{k} = {v}\n" for k, v in body.items() if v != "")
    return f"[incentives.{code}]\n{names}\n{lines}"


def test_a_good_file_loads(tmp_path: Path) -> None:
    shares = '{ sectorFund = "0.5", employer = "0.5" }'
    loaded = load_registry(registry(tmp_path, incentive(coFinancing=shares)))
    found = loaded.sector_incentives["fundTraining"]
    assert (found.fund, found.unit.value, str(found.co_financing["employer"])) == (
        "fund",
        "EUR",
        "0.5",
    )
    assert loaded["fund"].posting_incentives == {"fundTraining"}
    assert loaded["fund"].may_post("redeem")
    assert not loaded["fund"].may_post("reverse")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (incentive(names='names = { nl = "n", fr = "f", en = "e" }'), "fundTraining.names.de"),
        (incentive(unit='"HOUR"'), "a money right is counted in EUR, VOUCHER, not HOUR"),
        (incentive(periodKind='"monthly"'), "fundTraining.periodKind"),
        (incentive(url='"http://fund.example"'), "fundTraining.url"),
        (incentive(legalBasis=""), "fundTraining.legalBasis"),
        (incentive(coFinancing='{ sectorFund = "0.9" }'), "the shares must add up to 1"),
        (incentive(coFinancing='{ union = "1" }'), "unknown payers ['union']"),
        (incentive(code="vov"), "incentive 'vov' is the code of a rule"),
        (incentive(code="Bad-code"), "incentives.Bad-code"),
        (incentive(colour='"blue"'), "fundTraining.colour"),
        ("[incentives]\n", "incentives"),
    ],
)
def test_a_bad_file_stops_the_start_naming_the_field(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(InvalidRegistry) as refused:
        load_registry(registry(tmp_path, text))
    assert message in str(refused.value)
    if "rule" not in message:
        assert "fund.toml (fund)" in str(refused.value)


def test_two_funds_cannot_declare_one_code(tmp_path: Path) -> None:
    with pytest.raises(InvalidRegistry, match="'fundTraining' is already fund's"):
        load_registry(registry(tmp_path, incentive(), second=incentive()))


def test_a_sector_fund_declares_no_posting_and_a_door_no_file(tmp_path: Path) -> None:
    path = registry(tmp_path, incentive())
    text = path.read_text("utf-8")
    path.write_text(text + 'posting = { types = ["reverse"], incentives = ["*"] }\n', "utf-8")
    with pytest.raises(InvalidRegistry, match="it declares no posting"):
        load_registry(path)
    path.write_text(text.replace('kind = "sector"', 'kind = "door"'), "utf-8")
    with pytest.raises(InvalidRegistry, match="posting is required"):
        load_registry(path)
