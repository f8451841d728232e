"""``llr demo-citizens``: a few fictional citizens on a running development service, through
its own API (facts, a wallet read that settles their rights, a hold, a use, a federal grant),
so that the development login of ``/mijn-rekening`` has someone to show. Safe to rerun: every
transaction carries a fixed ``Idempotency-Key``, so a rerun replays instead of posting again."""

import argparse
import sys
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx

from app.schemas.examples import EXAMPLE_FACTS

DEMO_NAMESPACE = uuid.UUID("6f1d3c1e-3d55-4a8e-9a57-0d7f3c1b2a10")
EMPLOYEE = {
    fact: value
    for fact, value in EXAMPLE_FACTS.items()
    if fact not in ("careerGuidanceCompletedOn", "timeCredit")
}
"""The API's example employee (``app/schemas/examples.py``), without a guidance date or a time
credit: a citizen who still has career vouchers and no monthly allowance."""


@dataclass(frozen=True, slots=True)
class DemoCitizen:
    ssin: str
    """Fictional (check digits valid, nobody's): development data only."""
    facts: dict[str, Any]
    moves: tuple[dict[str, Any], ...] = ()


def _qty(amount: str, unit: str) -> dict[str, str]:
    return {"amount": amount, "unit": unit}


def citizens(today: date) -> list[DemoCitizen]:
    return [
        DemoCitizen(
            "85073003328",
            EMPLOYEE,
            (
                {"type": "reserve", "incentive": "vov", "amount": _qty("20", "HOUR")},
                {"type": "redeem", "incentive": "opleidingscheques", "amount": _qty("50", "EUR")},
                {
                    "type": "grant",
                    "incentive": "opleidingsrecht",
                    "amount": _qty("5", "DAY"),
                    "period": str(today.year),
                },
            ),
        ),
        DemoCitizen("90020199704", EMPLOYEE | {"status": "selfEmployed"}),
        DemoCitizen(
            "78111512375",
            EMPLOYEE | {"sector": "flemishPublic", "educationLevel": "high"},
        ),
    ]


def seed(client: httpx.Client, today: date) -> list[DemoCitizen]:
    """Declares each demo citizen's facts (valid since two years back, so that every
    reference date sees them), reads their wallet (settling what the rules grant), and posts
    their transactions. ``client`` calls as a partner that may do all of it (``dwse``)."""
    observed = date(today.year - 2, 1, 1).isoformat()
    made = citizens(today)
    for citizen in made:
        declared = client.put(
            f"/citizens/{citizen.ssin}/facts",
            json={"facts": citizen.facts, "source": "citizen", "observedOn": observed},
        )
        declared.raise_for_status()
        client.get(f"/wallet/{citizen.ssin}").raise_for_status()
        for n, move in enumerate(citizen.moves):
            key = uuid.uuid5(DEMO_NAMESPACE, f"{citizen.ssin}/{today.year}/{n}")
            posted = client.post(
                "/transactions",
                json={"ssin": citizen.ssin, **move},
                headers={"Idempotency-Key": str(key)},
            )
            posted.raise_for_status()
    return made


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running service")


def main(args: argparse.Namespace) -> int:
    from app.domain.access.partners import load_registry
    from app.security.devtokens import DEV_ISSUER, load_or_create_key, mint
    from app.settings import get_settings

    settings = get_settings()
    if not settings.trusts_dev_issuer:
        print("llr demo-citizens: refused: development only", file=sys.stderr)
        return 2
    policy = load_registry(settings.partners_file)["dwse"]
    token = mint(
        load_or_create_key(settings.dev_keys_dir),
        issuer=DEV_ISSUER,
        audience=settings.auth_audience,
        client_id=sorted(policy.client_ids)[0],
        scopes=sorted(policy.scopes),
        lifetime_seconds=600,
    )
    headers = {"Authorization": f"Bearer {token}"}
    try:
        with httpx.Client(base_url=args.url, headers=headers, timeout=30) as client:
            made = seed(client, date.today())
    except httpx.HTTPError as exc:
        print(f"llr demo-citizens: {exc} (is `./dev serve` running?)", file=sys.stderr)
        return 1
    print(f"{len(made)} demo citizens ready: log in at {args.url}/mijn-rekening/aanmelden")
    return 0
