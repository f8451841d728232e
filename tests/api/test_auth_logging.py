"""The logs of the new paths (tokens with an ``ssin`` claim, refused tokens, the access log,
refused postings) show neither an SSIN nor a token."""

import io
import json
import time

import httpx

from tests.auth_support import TestIssuer
from tests.support import grant, post_txn, qty

OWN, OTHER = "85073003328", "98472899765"


async def test_no_ssin_and_no_token_in_the_logs(
    client: httpx.AsyncClient, issuer: TestIssuer, captured_logs: io.StringIO
) -> None:
    tokens = [
        issuer.token("burgerprofiel", ssin=OWN),
        issuer.token("burgerprofiel", ssin=OTHER),
        issuer.token("vdab", ssin=OWN, exp=int(time.time()) - 60),  # refused: expired
        issuer.token("dwse", ssin="85073003329"),  # refused: not a valid SSIN
        issuer.token("vdab"),
    ]
    granted = await grant(client, OWN, "vov", "10", "HOUR")
    for token in tokens:
        headers = {"Authorization": f"Bearer {token}"}
        await client.get(f"/wallet/{OWN}/accessLog", headers=headers)
        await client.get("/wallet/85.07.30-033.28/accessLog", headers=headers)
        await client.get(f"/transactions?ssin={OWN}", headers=headers)
        await client.get(f"/transactions/{granted['id']}", headers=headers)
        await post_txn(
            client, {"type": "reserve", "ssin": OWN, "incentive": "vov", "amount": qty("1", "HOUR")}
        )
    await client.get("/transactions", headers={"Authorization": f"Bearer {tokens[0][:-5]}x"})
    await post_txn(
        client, {"type": "reverse", "transactionId": granted["id"], "reason": "for 85.07.30-033.28"}
    )
    output = captured_logs.getvalue()
    lines = [json.loads(line) for line in output.splitlines()]
    assert any("access token refused" in line["message"] for line in lines)
    assert any(line.get("route") == "/wallet/{ssin}/accessLog" for line in lines)
    for secret in (OWN, OTHER, "85073003329", "85.07.30-033.28", "0730033"):
        assert secret not in output
    for token in tokens:
        for part in token.split("."):
            assert part not in output, "a token (or part of one) was logged"
