"""The partner registry: the shipped file is valid and says what the contract says; a broken
file stops the start with a message naming what is wrong."""

from pathlib import Path

import pytest

from app.domain.access.partners import InvalidRegistry, load_registry
from app.domain.access.principal import MissingPermission, MissingScope, Principal


def test_the_shipped_registry_matches_the_contract() -> None:
    registry = load_registry()
    assert set(registry.partners) == {
        "burgerprofiel",
        "vdab",
        "federal",
        "dwse",
        "statistics",
        "cevora",
        "constructiv",
    }
    assert registry["burgerprofiel"].citizen_bound_only
    assert not registry["burgerprofiel"].posting_types
    assert registry["statistics"].scopes == {"llr:statistics:read"}
    federal = registry["federal"]
    assert federal.posting_incentives == {"opleidingsrecht"}
    assert "reverse" not in federal.posting_types
    assert federal.may_post("grant")
    vdab = registry["vdab"]
    assert {
        t
        for t in ("reserve", "capture", "release", "redeem", "grant", "reverse")
        if vdab.may_post(t)
    } == {"reserve", "capture", "release", "redeem"}
    assert registry["dwse"].may_post("reverse")
    assert registry["dwse"].may_post_incentive("vov")
    assert registry.by_client_id("vdab") is vdab


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('scopes = ["llr:wallet:write"]', "unknown scopes"),
        ('posting = { types = ["refund"], incentives = [] }', "unknown transaction types"),
        ('citizens = "some"', "citizens"),
        ('colour = "blue"', "colour"),
    ],
)
def test_a_broken_registry_is_refused(tmp_path: Path, body: str, message: str) -> None:
    entry = {
        "title": 'title = "x"',
        "client_ids": 'client_ids = ["x"]',
        "scopes": 'scopes = ["llr:wallet:read"]',
        "citizens": 'citizens = "any"',
        "posting": "posting = { types = [], incentives = [] }",
    }
    key = body.split(" =")[0]
    entry[key] = body
    path = tmp_path / "partners.toml"
    path.write_text("[partners.x]\n" + "\n".join(entry.values()) + "\n")
    with pytest.raises(InvalidRegistry, match=message):
        load_registry(path)


def test_a_client_id_belongs_to_one_partner(tmp_path: Path) -> None:
    one = (
        'title = "x"\nclient_ids = ["same"]\nscopes = []\ncitizens = "any"\n'
        "posting = { types = [], incentives = [] }\n"
    )
    path = tmp_path / "partners.toml"
    path.write_text(f"[partners.a]\n{one}[partners.b]\n{one}")
    with pytest.raises(InvalidRegistry, match="same"):
        load_registry(path)


def test_an_unreadable_registry_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidRegistry, match="cannot read"):
        load_registry(tmp_path / "missing.toml")


def test_principal_checks() -> None:
    from app.domain.identity import parse_ssin

    vdab = load_registry()["vdab"]
    own = parse_ssin("85073003328")
    bound = Principal("vdab", vdab, frozenset({"llr:wallet:read"}), own, "k-own")
    assert bound.check_citizen("85.07.30-033.28") == own
    with pytest.raises(MissingPermission):
        bound.check_citizen("98472899765")
    with pytest.raises(MissingPermission):
        bound.check_citizen_key("k-other")
    with pytest.raises(MissingScope):
        bound.require("llr:audit:read")
    bound.check_posting("reserve", "opleidingscheques")
    with pytest.raises(MissingPermission):
        bound.check_posting("grant", "opleidingscheques")
    with pytest.raises(MissingPermission):
        bound.check_posting("reserve", "vov")
    assert bound.actor.partner == "vdab"
    free = Principal("vdab", vdab, frozenset())
    free.check_citizen_key("anyone")  # not bound: any citizen
