"""What Swagger UI's Try-it-out sends by default succeeds: the facts declaration built from the
properties' examples, then every documented body of POST /eligibility, and the first (default)
body of POST /transactions, for the example citizen."""

import uuid
from typing import Any

import httpx


def _example_of(schema: dict[str, Any], spec: dict[str, Any]) -> Any:
    """The body Swagger UI builds from a schema: each property's first example (a reference's
    own ``examples`` beside it first, as OpenAPI 3.1 allows)."""
    if "examples" in schema:
        return schema["examples"][0]
    if "$ref" in schema:
        return _example_of(spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]], spec)
    body = {}
    for name, prop in schema.get("properties", {}).items():
        if name in schema.get("required", []) or "examples" in prop:
            body[name] = _example_of(prop, spec)
    return body


async def test_the_default_bodies_of_try_it_out_succeed(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    put = spec["paths"]["/citizens/{ssin}/facts"]["put"]
    [ssin] = [p["example"] for p in put["parameters"] if p["name"] == "ssin"]
    declaration = _example_of(put["requestBody"]["content"]["application/json"]["schema"], spec)
    declared = await client.put(f"/citizens/{ssin}/facts", json=declaration)
    assert declared.status_code == 200, declared.text

    eligibility = spec["paths"]["/eligibility"]["post"]["requestBody"]["content"]
    for name, example in eligibility["application/json"]["examples"].items():
        answer = await client.post("/eligibility", json=example["value"])
        assert answer.status_code == 200, (name, answer.text)

    posting = spec["paths"]["/transactions"]["post"]
    first = next(iter(posting["requestBody"]["content"]["application/json"]["examples"].values()))
    response = await client.post(
        "/transactions", json=first["value"], headers={"Idempotency-Key": str(uuid.uuid4())}
    )
    assert response.status_code == 201, response.text
    assert response.json()["ssin"] == ssin
