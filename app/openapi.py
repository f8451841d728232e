"""The OpenAPI document as partners and SDK generators read it: FastAPI's, finished here.

- problems as ``application/problem+json``, each example's ``instance`` the operation's path;
- the response headers (``BelGov-Trace-Id`` on every response, ``Location``...);
- an OAuth2 scheme listing the seven scopes beside the bearer scheme Swagger UI pastes into;
- ``servers``; no generated ``title`` on properties and parameters (``Asof``);
- and a 3.0 rendition (``llr openapi --version 3.0``), the version Belgif's validator reads."""

import copy
from typing import Any

SCOPES = {
    "llr:eligibility": "Ask who is entitled to what (POST /eligibility)",
    "llr:wallet:read": "Read wallets, a citizen's facts and (citizen-bound) the access log",
    "llr:transactions:read": "List and read transactions",
    "llr:transactions:write": "Post transactions (as the partner's permissions allow)",
    "llr:facts:write": "Declare facts about citizens",
    "llr:statistics:read": "Read aggregated statistics",
    "llr:audit:read": "Read any wallet's access log and the decisions' receipts",
}
"""The scopes of the contract (api.md), as the OAuth2 scheme lists them."""

HEADERS: dict[str, dict[str, Any]] = {
    "BelGov-Trace-Id": {
        "description": "The request's trace id: the one received when it is a UUID holding no "
        "SSIN, otherwise a generated one (the received value then comes back as "
        "`BelGov-Related-Trace-Id`)",
        "schema": {"type": "string", "format": "uuid"},
        "example": "4b2a3c1d-8e9f-4a0b-9c1d-2e3f4a5b6c7d",
    },
    "Location": {
        "description": "The created resource",
        "schema": {"type": "string"},
        "example": "/transactions/6f1c2c9e-8f0a-4a53-9b7e-3d1f1e0c2a11",
    },
    "Idempotency-Replayed": {
        "description": "`true` when this is the stored answer to an earlier request with the "
        "same Idempotency-Key and body",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "WWW-Authenticate": {
        "description": "The bearer challenge (RFC 6750), with `error` for a refused token",
        "schema": {"type": "string"},
        "example": 'Bearer realm="llr", error="invalid_token"',
    },
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer"},
        "example": 5,
    },
    "Content-Language": {
        "description": "The language of the answer's messages (nl, fr, en or de)",
        "schema": {"type": "string", "enum": ["nl", "fr", "en", "de"]},
        "example": "nl",
    },
    "Vary": {
        "description": "`Accept-Language`: the answer depends on it",
        "schema": {"type": "string"},
        "example": "Accept-Language",
    },
}

PROBLEM_REF = "#/components/schemas/Problem"
_NOT_SCHEMA = {"example", "examples", "default", "const", "enum", "properties"}


def finish(
    spec: dict[str, Any], servers: list[dict[str, str]], development: bool = False
) -> dict[str, Any]:
    spec["servers"] = servers
    components = spec.setdefault("components", {})
    components["headers"] = {
        name: {k: v for k, v in header.items()} for name, header in HEADERS.items()
    }
    _security(components, spec, development)
    for path, operations in spec.get("paths", {}).items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                _untitled(parameter.get("schema", {}))
                given = parameter.get("schema", {}).get("examples")
                if given and "example" not in parameter and "examples" not in parameter:
                    parameter["example"] = given[0]  # what Swagger UI fills in for Try-it-out
            _untitled_body(operation)
            for status, response in operation.get("responses", {}).items():
                _problem_json(response, path)
                headers = response.setdefault("headers", {})
                headers["BelGov-Trace-Id"] = {"$ref": "#/components/headers/BelGov-Trace-Id"}
                if status == "201":
                    headers["Location"] = {"$ref": "#/components/headers/Location"}
    for schema in components.get("schemas", {}).values():
        for prop in schema.get("properties", {}).values():
            _untitled(prop)
    return spec


def _security(components: dict[str, Any], spec: dict[str, Any], development: bool) -> None:
    schemes = components.setdefault("securitySchemes", {})
    schemes["accessToken"]["description"] = "An OAuth2 access token (JWT) of a trusted issuer" + (
        ". In development: `./dev llr token --partner vdab` prints one." if development else "."
    )
    schemes["oauth2"] = {
        "type": "oauth2",
        "description": "OAuth2 access tokens (RFC 9068 JWT) of a trusted issuer, obtained "
        "with client credentials at that issuer (its token endpoint, not this service's); "
        "the partner's permissions apply on top of the scopes.",
        "flows": {
            "clientCredentials": {
                "tokenUrl": "https://idp.example/oauth2/token",
                "scopes": SCOPES,
            }
        },
    }
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            required = operation.get("security")
            if not required:
                continue
            scopes = sorted({s for r in required for s in r.get("accessToken", [])})
            # either scheme: a token from the issuer (OAuth2, its scopes listed) or one pasted
            operation["security"] = [{"accessToken": []}, {"oauth2": scopes}]


def _problem_json(response: dict[str, Any], path: str) -> None:
    """FastAPI documents every response model as ``application/json``; problems are sent as
    ``application/problem+json``, so that is what the document must say."""
    content = response.get("content", {})
    plain = content.get("application/json")
    if plain is None or plain.get("schema", {}).get("$ref") != PROBLEM_REF:
        return
    content["application/problem+json"] = content.pop("application/json")
    for example in plain.get("examples", {}).values():
        example["value"]["instance"] = path


def _untitled_body(operation: dict[str, Any]) -> None:
    for media in operation.get("requestBody", {}).get("content", {}).values():
        _untitled(media.get("schema", {}))


def _untitled(schema: Any) -> None:
    """Drops the titles pydantic and FastAPI make up from a name (``Asof``, ``Pagesize``):
    they are no name a partner should see. Component names stay."""
    if isinstance(schema, list):
        for item in schema:
            _untitled(item)
        return
    if not isinstance(schema, dict):
        return
    if isinstance(schema.get("title"), str):
        del schema["title"]
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            for prop in value.values():
                _untitled(prop)
        elif key not in _NOT_SCHEMA:
            _untitled(value)


def as_openapi_30(spec: dict[str, Any]) -> dict[str, Any]:
    """The same contract in OpenAPI 3.0.3: ``nullable`` instead of a null type, one
    ``example`` instead of ``examples`` in schemas, ``enum`` instead of ``const``."""
    down = copy.deepcopy(spec)
    down["openapi"] = "3.0.3"
    down.pop("jsonSchemaDialect", None)
    schemas = down.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        schemas[name] = _schema_30(schema)
    for operations in down.get("paths", {}).values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if "schema" in parameter:
                    parameter["schema"] = _schema_30(parameter["schema"])
                _examples_30(parameter)
            for media in operation.get("requestBody", {}).get("content", {}).values():
                media["schema"] = _schema_30(media.get("schema", {}))
            for response in operation.get("responses", {}).values():
                for media in response.get("content", {}).values():
                    if "schema" in media:
                        media["schema"] = _schema_30(media["schema"])
    _typed_nullables(down, schemas)
    return down


def _typed_nullables(node: Any, schemas: dict[str, Any]) -> None:
    """3.0's ``nullable`` needs a ``type`` beside it: a nullable reference takes its target's."""
    if isinstance(node, list):
        for item in node:
            _typed_nullables(item, schemas)
        return
    if not isinstance(node, dict):
        return
    if node.get("nullable") and "type" not in node:
        refs = [o["$ref"] for o in node.get("allOf", []) + node.get("anyOf", []) if "$ref" in o]
        types = {schemas.get(r.rsplit("/", 1)[-1], {}).get("type") for r in refs}
        if len(types) == 1 and None not in types:
            node["type"] = types.pop()
    for key, value in node.items():
        if key not in ("example", "examples"):
            _typed_nullables(value, schemas)


def _examples_30(parameter: dict[str, Any]) -> None:
    """A parameter's ``examples`` is a map of example objects in both versions; FastAPI writes
    the schema-level list, which 3.0 lacks."""
    schema = parameter.get("schema", {})
    if "example" in schema and "example" not in parameter and "examples" not in parameter:
        parameter["example"] = schema["example"]


_ONLY_31 = {"propertyNames", "contentMediaType", "contentEncoding", "unevaluatedProperties"}
"""JSON Schema keywords 3.0 lacks (``propertyNames`` of a map keyed by an enum: the enum is
then only in the description)."""


def _schema_30(schema: Any) -> Any:
    if isinstance(schema, list):
        return [_schema_30(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _ONLY_31:
            continue
        if key in ("example", "default", "enum"):
            out[key] = value
        elif key == "properties":
            out[key] = {name: _schema_30(s) for name, s in value.items()}
        elif key == "examples" and isinstance(value, list):
            if value:
                out["example"] = value[0]
        elif key == "const":
            out["enum"] = [value]
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
            out[key.replace("exclusive", "").lower()] = value
            out[key] = True
        else:
            out[key] = _schema_30(value)
    if isinstance(out.get("type"), list):
        types = [t for t in out["type"] if t != "null"]
        if len(types) < len(out["type"]):
            out["nullable"] = True
        out["type"] = types[0] if len(types) == 1 else types
    for combiner in ("anyOf", "oneOf"):
        options = out.get(combiner)
        if isinstance(options, list) and {"type": "null"} in options:
            rest = [o for o in options if o != {"type": "null"}]
            del out[combiner]
            if len(rest) == 1 and "$ref" in rest[0]:
                out["allOf"], out["nullable"] = rest, True
            elif len(rest) == 1:
                out.update(rest[0])
                out["nullable"] = True
            else:  # each option nullable: 3.0 wants a type beside every nullable
                out[combiner] = [
                    {"allOf": [o], "nullable": True} if "$ref" in o else o | {"nullable": True}
                    for o in rest
                ]
    if "$ref" in out and len(out) > 1:  # 3.0 ignores a $ref's siblings: keep them with allOf
        out["allOf"] = [{"$ref": out.pop("$ref")}, *out.get("allOf", [])]
    return out
