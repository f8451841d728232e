"""No SSIN lies in clear in the database: drive the API with fresh SSINs (committed), dump the
whole database with pg_dump, and search the dump for every form of those SSINs."""

import re
import subprocess
import uuid

import httpx
from sqlalchemy.engine import make_url

from app.domain.identity import CitizenKeyer
from app.domain.ssin_text import find_ssins
from app.embedded_pg import find_bin_dir
from tests.auth_support import TestIssuer
from tests.conftest import TEST_SECRET
from tests.support import grant, make_ssin, post_txn, qty


def punctuated(ssin: str) -> str:
    return f"{ssin[:2]}.{ssin[2:4]}.{ssin[4:6]}-{ssin[6:9]}.{ssin[9:]}"


def spellings(ssin: str) -> list[str]:
    """Ways an SSIN was found to slip through (issue 10, finding 2)."""
    return [
        ssin,
        punctuated(ssin),
        ".".join(ssin),
        "0" + ssin,
        ssin[:5] + "\u200b" + ssin[5:],
        f"{ssin[:2]}.{ssin[2:4]}.{ssin[4:6]} - {ssin[6:9]}.{ssin[9:]}",
    ]


async def drive(client: httpx.AsyncClient, issuer: TestIssuer, ssin: str) -> None:
    """Everything the API can store about a citizen: grants, a hold captured, a hold released,
    a redeem, a reversal, replays, reads by id and by citizen, the access log."""
    granted = await grant(client, punctuated(ssin), "vov", "100", "HOUR")
    await grant(client, ssin, "opleidingscheques", "250", "EUR")
    hold = (
        await post_txn(
            client,
            {"type": "reserve", "ssin": ssin, "incentive": "vov", "amount": qty("10", "HOUR")},
        )
    ).json()
    await post_txn(client, {"type": "capture", "reservationId": hold["id"]})
    other = (
        await post_txn(
            client,
            {"type": "reserve", "ssin": ssin, "incentive": "vov", "amount": qty("5", "HOUR")},
        )
    ).json()
    await post_txn(client, {"type": "release", "reservationId": other["id"]})
    body = {
        "type": "redeem",
        "ssin": punctuated(ssin),
        "incentive": "opleidingscheques",
        "amount": qty("50", "EUR"),
    }
    key = str(uuid.uuid4())
    assert (await post_txn(client, body, key)).status_code == 201
    assert (await post_txn(client, body, key)).headers["Idempotency-Replayed"] == "true"
    leaky = await post_txn(
        client,
        {
            "type": "reverse",
            "transactionId": granted["id"],
            "reason": f"wrong citizen {punctuated(ssin)}?",
        },
    )
    assert leaky.status_code == 400, "free text holding an SSIN would be stored in clear"
    reversed_ = await post_txn(
        client, {"type": "reverse", "transactionId": granted["id"], "reason": "posted twice"}
    )
    assert reversed_.status_code in (201, 409)
    for spelling in spellings(ssin):  # planted in every free field and header
        planted: dict[str, str | bytes] = {"BelGov-Trace-Id": spelling.encode()}
        refused = await client.post(
            "/transactions",
            headers=planted | {"Idempotency-Key": key},
            json={
                "type": "reserve",
                "ssin": ssin,
                "incentive": "vov",
                "amount": qty("1", "HOUR"),
                "reference": spelling,
                "training": {"title": spelling},
            },
        )
        assert refused.status_code == 400
        for path in (f"/wallet/{ssin}", f"/transactions/{hold['id']}"):
            assert (await client.get(path, headers=planted)).status_code == 200
        elig = {"ssin": ssin, "facts": {"status": "employee"}, "training": {"title": spelling}}
        assert (await client.post("/eligibility", headers=planted, json=elig)).status_code < 500
        await client.put(
            f"/citizens/{ssin}/facts",
            headers=planted,
            json={"facts": {}, "source": "dmfa", "observedOn": "2026-09-01"},
        )
    citizen = issuer.headers("burgerprofiel", ssin=ssin)
    for path in (
        f"/transactions/{hold['id']}",
        f"/transactions?ssin={ssin}",
        f"/wallet/{ssin}/accessLog",
        f"/wallet/{punctuated(ssin)}/accessLog",
    ):
        assert (await client.get(path)).status_code == 200
        assert (await client.get(path, headers=citizen)).status_code == 200


def pg_dump(database_url: str) -> str:
    url = make_url(database_url).set(drivername="postgresql")
    completed = subprocess.run(
        [
            str(find_bin_dir() / "pg_dump"),
            "--no-owner",
            "--data-only",
            "--inserts",
            f"--dbname={url.render_as_string(hide_password=False)}",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return completed.stdout


async def test_a_database_dump_holds_no_ssin_in_clear(
    committing_client: httpx.AsyncClient, issuer: TestIssuer, database_url: str
) -> None:
    ssins = [make_ssin() for _ in range(3)]
    for ssin in ssins:
        await drive(committing_client, issuer, ssin)
    dump = pg_dump(database_url)
    keyer = CitizenKeyer(TEST_SECRET.encode())
    from app.domain.identity import parse_ssin

    for ssin in ssins:
        # the dump does hold these citizens' records (by their key), so the search means something
        assert keyer.key(parse_ssin(ssin)) in dump
        for form in (ssin, punctuated(ssin), re.sub(r"\D", " ", punctuated(ssin))):
            assert form not in dump, "an SSIN is stored in clear"
    # every spelling at once: the service's own detector over the whole dump
    hidden = {found.digits for found in find_ssins(dump)}
    assert not hidden & set(ssins), "an SSIN is stored in clear, in some spelling"
    assert "INSERT INTO public.access_log" in dump
    assert "INSERT INTO public.idempotency_keys" in dump
