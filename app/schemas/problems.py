"""How problems look in the OpenAPI document: the Belgif shape (never FastAPI's 422), and each
operation's error responses generated from the domain errors it declares.

An operation lists what it can raise; the common problems (400, 401, 403, 404, 429, 500, 503)
are always there::

    @router.post("/things", responses=problem_responses(NotEntitled, InsufficientBalance))

Each problem type appears once under its status with one example the service really sends
(``app/problem_types.py`` holds the table: a new domain error is registered there, once)."""

from collections import defaultdict
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from app.domain.errors import DomainError
from app.problem_types import (
    BAD_REQUEST,
    INTERNAL_SERVER_ERROR,
    INVALID_ACCESS_TOKEN,
    ISSUE,
    MISSING_PERMISSION,
    MISSING_SCOPE,
    NO_ACCESS_TOKEN,
    RESOURCE_NOT_FOUND,
    SERVICE_UNAVAILABLE,
    TOO_MANY_REQUESTS,
    ProblemType,
    problem_type_of,
)


class ProblemIssue(BaseModel):
    """One thing wrong with the input, naming the field."""

    model_config = ConfigDict(populate_by_name=True)

    type: str = Field(
        description="`urn:problem-type:belgif:input-validation:` + schemaViolation, "
        "invalidInput or unknownInput",
        examples=[ISSUE + "invalidInput"],
    )
    in_: str = Field(alias="in", description="body, path, query or header", examples=["body"])
    name: str = Field(description="The field, as a dotted path", examples=["facts.weeklyHours"])
    value: Any = Field(default=None, description="The value received (SSINs never echoed)")
    detail: str = Field(examples=["Input should be less than or equal to 60"])


class Problem(BaseModel):
    """application/problem+json (RFC 9457) in the Belgif shape."""

    model_config = ConfigDict(populate_by_name=True)

    type: str = Field(
        description="A URN: `urn:problem-type:belgif:...` or `urn:problem-type:llr:...`",
        examples=[BAD_REQUEST.type],
    )
    href: str | None = Field(default=None, description="A page documenting the type")
    title: str = Field(examples=[BAD_REQUEST.title])
    status: int = Field(ge=400, le=599, examples=[400])
    detail: str | None = Field(default=None, examples=[BAD_REQUEST.example])
    instance: str | None = Field(
        default=None, description="The request's path", examples=["/eligibility"]
    )
    issues: list[ProblemIssue] | None = Field(default=None, description="With 400 badRequest")
    required_scopes: list[str] | None = Field(
        default=None, alias="requiredScopes", description="With 403 missingScope"
    )


COMMON = (
    BAD_REQUEST,
    NO_ACCESS_TOKEN,
    INVALID_ACCESS_TOKEN,
    MISSING_SCOPE,
    MISSING_PERMISSION,
    RESOURCE_NOT_FOUND,
    TOO_MANY_REQUESTS,
    INTERNAL_SERVER_ERROR,
    SERVICE_UNAVAILABLE,
)
PUBLIC = (BAD_REQUEST, RESOURCE_NOT_FOUND, INTERNAL_SERVER_ERROR, SERVICE_UNAVAILABLE)
"""What an operation without a token (health, metrics) can answer."""

_STATUS_TEXT = {
    400: "Bad input: each issue names the field (`in`, `name`, `value`, `detail`)",
    401: "No access token, or one that does not verify (with `WWW-Authenticate`)",
    403: "A scope is missing (`requiredScopes`), or the partner or the token may not act on "
    "this citizen or right",
    404: "The resource does not exist (or is not visible to the caller)",
    409: "Refused by the ledger or the idempotency rules: nothing changed",
    422: "The Idempotency-Key came with another body",
    429: "Too many requests of this partner (with `Retry-After`)",
    500: "An unexpected error, logged with the trace id (never a stack trace)",
    503: "The database cannot be reached, the service is busy or the request took too long "
    "(with `Retry-After`)",
}
_HEADERS = {
    401: {"WWW-Authenticate": {"$ref": "#/components/headers/WWW-Authenticate"}},
    429: {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
    503: {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
}


def _example(kind: ProblemType, instance: str) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if kind is BAD_REQUEST:
        extra["issues"] = [
            {
                "type": ISSUE + "invalidInput",
                "in": "body",
                "name": "facts.weeklyHours",
                "value": "61",
                "detail": "Input should be less than or equal to 60",
            }
        ]
    if kind is MISSING_SCOPE:
        extra["requiredScopes"] = ["llr:wallet:read"]
    return {
        "summary": kind.title,
        "value": kind.body(kind.example, instance, **extra),
    }


def problem_responses(
    *raises: type[DomainError], public: bool = False, instance: str = "/transactions"
) -> dict[int | str, dict[str, Any]]:
    """The error responses of an operation: the common problems and those of the domain
    errors it ``raises``, grouped by status, one example per problem type."""
    kinds = list(PUBLIC if public else COMMON)
    for error in raises:
        kind = problem_type_of(error)
        if kind is None:
            raise ValueError(f"{error.__name__} has no problem type in app/problem_types.py")
        if kind not in kinds:
            kinds.append(kind)
    by_status: dict[int, list[ProblemType]] = defaultdict(list)
    for kind in kinds:
        by_status[kind.status].append(kind)
    responses: dict[int | str, dict[str, Any]] = {}
    for status in sorted(by_status):
        listed = by_status[status]
        names = ", ".join(f"`{k.type.rsplit(':', 1)[-1]}`" for k in listed)
        examples = {k.type.rsplit(":", 1)[-1]: _example(k, instance) for k in listed}
        responses[status] = {
            "model": Problem,
            "description": f"{_STATUS_TEXT.get(status, 'Problem')}: {names}",
            "content": {"application/json": {"examples": examples}},
        }
        if status in _HEADERS:
            responses[status]["headers"] = _HEADERS[status]
    responses["default"] = {
        "model": Problem,
        "description": "Any other problem (413 body too large, 431 headers too large...)",
    }
    return responses
