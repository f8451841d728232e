"""The problem types the service answers with: the Belgif ones and the domain's
(``urn:problem-type:llr:<name>``), each with a detail it really sends, and the one builder of a
problem's body. No FastAPI here: the middleware and the OpenAPI document use it too.

A new domain error is declared once, with ``register_domain_problem`` (or in the table below);
``app/schemas/problems.py`` documents each operation's errors from it."""

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from app.domain.errors import DomainError, InvalidInput, NotFound
from app.observability import mask_ssins

PROBLEM_JSON = "application/problem+json"
BELGIF = "urn:problem-type:belgif:"
LLR = "urn:problem-type:llr:"
ISSUE = BELGIF + "input-validation:"


@dataclass(frozen=True, slots=True)
class ProblemType:
    """One problem type: what it answers with, and a detail the service really sends (the
    example the OpenAPI document shows for it)."""

    status: int
    type: str
    title: str
    example: str

    def body(self, detail: str | None, instance: str, **extra: Any) -> dict[str, Any]:
        return problem_body(self.status, self.type, self.title, detail, instance, **extra)


def problem_body(
    status: int, type_: str, title: str, detail: str | None, instance: str, **extra: Any
) -> dict[str, Any]:
    """The one place a problem's body is built (handlers, the middleware, the strict input
    check): the Belgif shape, SSINs masked in what echoes the request."""
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = mask_ssins(detail)
    body["instance"] = mask_ssins(instance)
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


async def send_problem(
    send: Callable[[dict[str, Any]], Awaitable[None]],
    path: str,
    kind: ProblemType,
    detail: str | None,
    **extra: Any,
) -> None:
    """A problem sent straight over ASGI, by middleware that answers before any route."""
    body = json.dumps(kind.body(detail, path, **extra)).encode()
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": kind.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


BAD_REQUEST = ProblemType(
    400, BELGIF + "badRequest", "Bad Request", "The input message is incorrect"
)
NO_ACCESS_TOKEN = ProblemType(
    401,
    BELGIF + "noAccessToken",
    "No Access Token",
    "This operation needs an access token (Authorization: Bearer ...)",
)
INVALID_ACCESS_TOKEN = ProblemType(
    401,
    BELGIF + "invalidAccessToken",
    "Invalid Access Token",
    "The access token is refused: the token has expired",
)
MISSING_SCOPE = ProblemType(
    403, BELGIF + "missingScope", "Missing Scope", "this operation needs the scope llr:wallet:read"
)
MISSING_PERMISSION = ProblemType(
    403,
    BELGIF + "missingPermission",
    "Missing Permission",
    "this token is bound to another citizen",
)
RESOURCE_NOT_FOUND = ProblemType(
    404,
    BELGIF + "resourceNotFound",
    "Resource Not Found",
    "no transaction 6f1c2c9e-8f0a-4a53-9b7e-3d1f1e0c2a11",
)
TOO_MANY_REQUESTS = ProblemType(
    429,
    BELGIF + "tooManyRequests",
    "Too Many Requests",
    "Too many requests of vdab; try again in 2 s",
)
INTERNAL_SERVER_ERROR = ProblemType(
    500,
    BELGIF + "internalServerError",
    "Internal Server Error",
    "An unexpected error occurred; it has been logged with the trace id",
)
SERVICE_UNAVAILABLE = ProblemType(
    503,
    BELGIF + "serviceUnavailable",
    "Service Unavailable",
    "The service cannot reach its database; try again shortly",
)
CONTENT_TOO_LARGE = ProblemType(
    413, "about:blank", "Content Too Large", "The body may hold at most 1000000 bytes"
)
HEADERS_TOO_LARGE = ProblemType(
    431,
    "about:blank",
    "Request Header Fields Too Large",
    "At most 100 headers of 16384 bytes in all",
)


DOMAIN_PROBLEMS: dict[type[DomainError], ProblemType] = {
    InvalidInput: BAD_REQUEST,
    NotFound: RESOURCE_NOT_FOUND,
}


def _ledger_problems() -> None:
    from app.domain.ledger import errors as e

    for error, status, name, title, example in (
        (
            e.NotEntitled,
            409,
            "notEntitled",
            "Not Entitled",
            "no opleidingscheques right for this citizen in period 2026",
        ),
        (
            e.InsufficientBalance,
            409,
            "insufficientBalance",
            "Insufficient Balance",
            "48.00 HOUR available, 60.00 HOUR asked",
        ),
        (
            e.TrainingNotEligible,
            409,
            "trainingNotEligible",
            "Training Not Eligible",
            "vov does not cover this training",
        ),
        (
            e.HoldNotPending,
            409,
            "holdNotPending",
            "Hold Not Pending",
            "hold 6f1c2c9e-8f0a-4a53-9b7e-3d1f1e0c2a11 was already captured",
        ),
        (
            e.HoldExpired,
            409,
            "holdExpired",
            "Hold Expired",
            "hold 6f1c2c9e-8f0a-4a53-9b7e-3d1f1e0c2a11 expired at 2026-11-30T23:00:00+00:00",
        ),
        (
            e.CaptureExceedsHold,
            409,
            "captureExceedsHold",
            "Capture Exceeds Hold",
            "the hold reserved 20.00 HOUR; a capture takes at most that",
        ),
        (
            e.AlreadyReversed,
            409,
            "alreadyReversed",
            "Already Reversed",
            "transaction 6f1c2c9e-8f0a-4a53-9b7e-3d1f1e0c2a11 was already reversed",
        ),
        (
            e.NotReversible,
            409,
            "notReversible",
            "Not Reversible",
            "a reserve transaction cannot be reversed",
        ),
        (
            e.IdempotencyInFlight,
            409,
            "idempotencyKeyInFlight",
            "Request Still In Flight",
            "a request with Idempotency-Key 0b6f3a52-3a8e-4c1e-9a4e-2f1d7c5b9e10 is still "
            "being processed",
        ),
        (
            e.IdempotencyKeyReused,
            422,
            "idempotencyKeyReused",
            "Idempotency Key Reused",
            "Idempotency-Key 0b6f3a52-3a8e-4c1e-9a4e-2f1d7c5b9e10 was used for another "
            "request; use a new key",
        ),
    ):
        register_domain_problem(error, status, name, title, example)


def _access_problems() -> None:
    from app.domain.access.principal import MissingPermission, MissingScope

    DOMAIN_PROBLEMS[MissingScope] = MISSING_SCOPE
    DOMAIN_PROBLEMS[MissingPermission] = MISSING_PERMISSION


def _webhook_problems() -> None:
    from app.domain.webhooks.history import DeliveryPending

    register_domain_problem(
        DeliveryPending,
        409,
        "deliveryPending",
        "Delivery Pending",
        "the delivery is still pending: it is sent again on its own",
    )
    from app.domain.simulation.service import SimulationBusy

    register_domain_problem(
        SimulationBusy,
        409,
        "simulationRunning",
        "Simulation Running",
        "a simulation of this partner is still running: wait for it to finish",
    )


def problem_type_of(error: type[DomainError]) -> ProblemType | None:
    """The problem type a domain error class answers with (the nearest mapped base)."""
    load_tables()
    for cls in error.__mro__:
        if cls in DOMAIN_PROBLEMS:
            return DOMAIN_PROBLEMS[cls]
    return None


def register_domain_problem(
    error: type[DomainError], status: int, name: str, title: str, example: str
) -> None:
    """Declares a domain problem ``urn:problem-type:llr:<name>`` (the example: a detail the
    service really sends). New resources register theirs here, once."""
    DOMAIN_PROBLEMS[error] = ProblemType(status, LLR + name, title, example)


_LOADED: list[bool] = []


def load_tables() -> None:
    """Fills the table with the ledger's and the access layer's errors (imported late: those
    modules import the domain, which must not wait on this one)."""
    if not _LOADED:
        _LOADED.append(True)
        _ledger_problems()
        _access_problems()
        _webhook_problems()
