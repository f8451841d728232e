"""Issue 10, finding 3: input is never a 500. Every parser and validator answers Belgif
``badRequest`` with ``issues``: the cases found by hand, then hypothesis sending hostile JSON
(NaN, huge numbers, lone surrogates, deep nesting, duplicate keys) to every body."""

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BAD_REQUEST = "urn:problem-type:belgif:badRequest"
SSIN = "85073003328"
JSON = {"content-type": "application/json"}
KEY = {"Idempotency-Key": "0b6f3a52-3a8e-4c1e-9a4e-2f1d7c5b9e10"}
BODIES = [("POST", "/eligibility"), ("PUT", f"/citizens/{SSIN}/facts"), ("POST", "/transactions")]

FOUND: list[tuple[str, str, bytes | None]] = [
    ("POST", "/eligibility", b'{"facts": {"employmentFraction": NaN}}'),
    ("POST", "/eligibility", b'{"facts": {"employmentFraction": Infinity}}'),
    ("POST", "/eligibility", b'{"facts": {"workExperienceMonths": -Infinity}}'),
    ("POST", "/eligibility", b'{"facts": {"workExperienceMonths": 1e999999}}'),
    ("POST", "/eligibility", b'{"facts": {"status": "\\ud800"}}'),
    ("POST", "/eligibility", b'{"asOf": "0001-01-01"}'),
    ("POST", "/eligibility", b'{"asOf": "9999-12-31"}'),
    ("POST", "/eligibility", b'{"facts": {"workExperienceMonths": ' + b"9" * 5000 + b"}}"),
    ("POST", "/eligibility", b"[" * 1000 + b"]" * 1000),
    ("POST", "/eligibility", b'{"facts": {"status": "\xff\xfe"}}'),
    ("POST", "/eligibility", b'{"facts": {}, "facts": {"status": "employee"}}'),
    ("GET", "/transactions?from=0001-01-01", None),
    ("GET", "/transactions?to=9999-12-31", None),
    ("GET", "/transactions?incentive=vo%00v", None),
    ("GET", f"/wallet/{SSIN}?asOf=9999-12-31", None),
    ("GET", f"/wallet/{SSIN}?asOf=0001-01-01", None),
]


@pytest.mark.parametrize(("method", "path", "body"), FOUND)
async def test_the_inputs_of_the_finding_are_400_bad_request(
    client: httpx.AsyncClient, method: str, path: str, body: bytes | None
) -> None:
    response = await client.request(method, path, content=body, headers=JSON)
    assert response.status_code == 400, response.text
    problem = response.json()
    assert problem["type"] == BAD_REQUEST
    assert problem["issues"]
    assert all(i["detail"] for i in problem["issues"])


async def test_an_edited_cursor_is_400(client: httpx.AsyncClient) -> None:
    from tests.support import grant

    for _ in range(2):
        await grant(client, SSIN, "vov", "1", "HOUR")
    link = (await client.get(f"/transactions?ssin={SSIN}&pageSize=1")).json()["next"]
    assert (await client.get(link)).status_code == 200
    cursor = httpx.URL(link).params["cursor"]
    inner, _, seal = cursor.rpartition(".")
    for edited in (inner[:-2] + "AA" + "." + seal, inner, "W10." + seal):
        response = await client.get("/transactions", params={"ssin": SSIN, "cursor": edited})
        assert response.status_code == 400, response.text
        assert response.json()["issues"][0]["name"] == "cursor"


def _hostile_text(value: Any) -> str:
    """JSON text, but allowed to hold what JSON may not: numbers and strings as drawn."""
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, list):
        return "[" + ",".join(_hostile_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_hostile_text(v)}" for k, v in value.items()) + "}"
    return json.dumps(value)


class Raw:
    def __init__(self, text: str) -> None:
        self.text = text


NASTY = st.sampled_from(
    [
        "NaN",
        "Infinity",
        "-Infinity",
        "1e999999",
        "9" * 5000,
        "-" + "9" * 30,
        '"\\ud800"',
        '"\\udfff x"',
        '"\\u0000"',
        "[" * 200 + "]" * 200,
        '{"a": 1, "a": 2}',
        "1.0e-999999",
    ]
).map(Raw)
FIELDS = st.sampled_from(
    [
        "facts",
        "asOf",
        "ssin",
        "incentives",
        "training",
        "source",
        "observedOn",
        "type",
        "amount",
        "incentive",
        "reference",
        "reservationId",
        "employmentFraction",
        "status",
    ]
)
HOSTILE = st.recursive(
    NASTY | st.integers() | st.text(max_size=5) | st.none() | st.booleans(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(FIELDS, inner, max_size=4),
    max_leaves=12,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.dictionaries(FIELDS, HOSTILE, min_size=1, max_size=5), target=st.sampled_from(BODIES)
)
async def test_hostile_json_to_every_body_is_never_a_server_error(
    client: httpx.AsyncClient, body: dict[str, Any], target: tuple[str, str]
) -> None:
    method, path = target
    content = _hostile_text(body).encode("utf-8", errors="surrogatepass")
    response = await client.request(method, path, content=content, headers=JSON | KEY)
    assert response.status_code < 500, (content[:300], response.text)
    if response.status_code == 400:
        problem = response.json()
        assert problem["type"] == BAD_REQUEST
        assert problem["issues"]
