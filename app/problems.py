"""The one table from errors to ``application/problem+json`` in the Belgif shape (RFC 9457)."""

import asyncio
import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.domain.errors import DomainError, InvalidInput, NotFound
from app.observability import mask_ssins

log = logging.getLogger("llr.problems")

PROBLEM_JSON = "application/problem+json"
BELGIF = "urn:problem-type:belgif:"
LLR = "urn:problem-type:llr:"
ISSUE = BELGIF + "input-validation:"


class ApiProblem(Exception):
    """A problem raised by the HTTP layer itself (auth, headers), already in problem terms."""

    def __init__(
        self,
        status: int,
        type_: str,
        title: str,
        detail: str | None = None,
        issues: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail or title)
        self.status, self.type, self.title, self.detail = status, type_, title, detail
        self.issues, self.headers = issues, headers


def problem(
    request: Request,
    status: int,
    type_: str,
    title: str,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = mask_ssins(detail)
    body["instance"] = mask_ssins(request.url.path)
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def bad_request(request: Request, issues: list[dict[str, Any]]) -> JSONResponse:
    return problem(
        request,
        400,
        BELGIF + "badRequest",
        "Bad Request",
        "The input message is incorrect",
        issues=issues,
    )


def issue(kind: str, location: str, name: str, value: Any, detail: str) -> dict[str, Any]:
    return {
        "type": ISSUE + kind,
        "in": location,
        "name": mask_ssins(name),
        "value": _shorten(value),
        "detail": mask_ssins(detail),
    }


def _shorten(value: Any) -> Any:
    """The offending value as it may be echoed: JSON-safe (a body that is not JSON arrives as
    bytes), at most 200 characters, and with anything shaped like an SSIN masked."""
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, str):
        value = mask_ssins(value[:200] + "…" if len(value) > 200 else value)
    elif isinstance(value, dict | list):
        text = json.dumps(value, default=str, ensure_ascii=False)
        masked = mask_ssins(text)
        if len(masked) > 200 or masked != text:
            return masked[:200] + "…" if len(masked) > 200 else masked
    return value


def _dotted(loc: tuple[Any, ...]) -> str:
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += ("." if name else "") + str(part)
    return name


_SCHEMA_TYPES = {"missing", "json_invalid", "json_type", "model_attributes_type", "dict_type"}


def validation_issues(exc: RequestValidationError) -> list[dict[str, Any]]:
    issues = []
    tag = exc.body.get("type") if isinstance(exc.body, dict) else None
    for error in exc.errors():
        loc = tuple(error.get("loc", ()))
        if tag is not None and len(loc) > 1 and loc[0] == "body" and loc[1] == tag:
            loc = (loc[0], *loc[2:])  # a tagged union puts its tag in the path: not a field
        location = str(loc[0]) if loc else "body"
        path = loc[1:]
        kind = error.get("type", "")
        if kind in ("union_tag_invalid", "union_tag_not_found") and loc[:1] == ("body",):
            path = (*path, "type")  # the tag is the field at fault, not the whole body
        if kind == "extra_forbidden":
            category = "unknownInput"
        elif kind in _SCHEMA_TYPES or kind.endswith("_type") or kind.endswith("_parsing"):
            category = "schemaViolation"
        else:
            category = "invalidInput"
        message = str(error.get("msg", "invalid"))
        if kind == "json_invalid":
            message = "the body is not valid JSON: " + str(error.get("ctx", {}).get("error", ""))
            path = ()
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        value = None if kind in ("missing", "json_invalid") else error.get("input")
        if path and str(path[-1]).lower() == "ssin":
            value = None  # a mistyped SSIN is still personal data: not echoed
        issues.append(issue(category, location, _dotted(path) or location, value, message))
    return issues


_STATUS = {
    404: (BELGIF + "resourceNotFound", "Resource Not Found"),
    401: (BELGIF + "noAccessToken", "No Access Token"),
    403: (BELGIF + "missingPermission", "Missing Permission"),
    429: (BELGIF + "tooManyRequests", "Too Many Requests"),
    503: (BELGIF + "serviceUnavailable", "Service Unavailable"),
}

# Domain error -> (status, problem type, title). Subclasses map by the nearest listed base.
DOMAIN_PROBLEMS: dict[type[DomainError], tuple[int, str, str]] = {
    NotFound: (404, BELGIF + "resourceNotFound", "Resource Not Found"),
}


def _ledger_problems() -> None:
    from app.domain.ledger import errors as e

    for error, status, name, title in (
        (e.NotEntitled, 409, "notEntitled", "Not Entitled"),
        (e.InsufficientBalance, 409, "insufficientBalance", "Insufficient Balance"),
        (e.TrainingNotEligible, 409, "trainingNotEligible", "Training Not Eligible"),
        (e.HoldNotPending, 409, "holdNotPending", "Hold Not Pending"),
        (e.HoldExpired, 409, "holdExpired", "Hold Expired"),
        (e.CaptureExceedsHold, 409, "captureExceedsHold", "Capture Exceeds Hold"),
        (e.AlreadyReversed, 409, "alreadyReversed", "Already Reversed"),
        (e.NotReversible, 409, "notReversible", "Not Reversible"),
        (e.IdempotencyInFlight, 409, "idempotencyKeyInFlight", "Request Still In Flight"),
        (e.IdempotencyKeyReused, 422, "idempotencyKeyReused", "Idempotency Key Reused"),
    ):
        register_domain_problem(error, status, name, title)


def _access_problems() -> None:
    from app.domain.access.principal import MissingPermission, MissingScope

    DOMAIN_PROBLEMS[MissingScope] = (403, BELGIF + "missingScope", "Missing Scope")
    DOMAIN_PROBLEMS[MissingPermission] = (403, BELGIF + "missingPermission", "Missing Permission")


def _webhook_problems() -> None:
    from app.domain.webhooks.history import DeliveryPending

    register_domain_problem(DeliveryPending, 409, "deliveryPending", "Delivery Pending")
    from app.domain.simulation.service import SimulationBusy

    register_domain_problem(SimulationBusy, 409, "simulationRunning", "Simulation Running")


def domain_problem(request: Request, exc: DomainError) -> JSONResponse:
    """The problem answering a domain error; a 403 is logged with the partner and the reason."""
    for cls in type(exc).__mro__:
        if cls in DOMAIN_PROBLEMS:
            status, type_, title = DOMAIN_PROBLEMS[cls]
            if status == 403:
                partner = getattr(request.state, "partner", None)
                refusal = {"partner": partner, "reason": exc.detail, "problem": type_}
                log.warning("access refused", extra=refusal)
            extra = getattr(exc, "problem_extra", None) or {}
            return problem(request, status, type_, title, exc.detail, **extra)
    log.error("unmapped domain error %s", type(exc).__name__, exc_info=exc)
    return _internal(request)


def register_domain_problem(error: type[DomainError], status: int, name: str, title: str) -> None:
    DOMAIN_PROBLEMS[error] = (status, LLR + name, title)


def install(app: FastAPI) -> None:
    _ledger_problems()
    _access_problems()
    _webhook_problems()

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return bad_request(request, validation_issues(exc))

    @app.exception_handler(InvalidInput)
    async def _invalid(request: Request, exc: InvalidInput) -> JSONResponse:
        return bad_request(
            request, [issue("invalidInput", exc.location, exc.field, exc.value, exc.detail)]
        )

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return domain_problem(request, exc)

    @app.exception_handler(ApiProblem)
    async def _api(request: Request, exc: ApiProblem) -> JSONResponse:
        return problem(
            request, exc.status, exc.type, exc.title, exc.detail, exc.headers, issues=exc.issues
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        type_, title = _STATUS.get(exc.status_code, ("about:blank", _reason(exc.status_code)))
        detail = exc.detail if isinstance(exc.detail, str) else None
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"No resource at {request.url.path}"
        return problem(request, exc.status_code, type_, title, detail, dict(exc.headers or {}))

    for db_error in (OperationalError, InterfaceError, OSError):
        app.add_exception_handler(db_error, _unavailable)
    app.add_exception_handler(PoolTimeoutError, _busy)
    app.add_exception_handler(DBAPIError, _dbapi)
    app.add_exception_handler(Exception, _unexpected)


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def service_unavailable(request: Request, detail: str, retry_after: int) -> JSONResponse:
    headers = {"Retry-After": str(retry_after)}
    return problem(
        request, 503, BELGIF + "serviceUnavailable", "Service Unavailable", detail, headers
    )


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.warning("database unavailable: %s", type(exc).__name__)
    return service_unavailable(
        request, "The service cannot reach its database; try again shortly", 5
    )


async def _busy(request: Request, exc: Exception) -> JSONResponse:
    """Every pooled connection is in use and none came free in time: the database is there, the
    service is saturated. Told apart from a database that is down."""
    log.warning("connection pool exhausted: %s", type(exc).__name__)
    return service_unavailable(request, "The service is busy; try again shortly", 1)


# SQLSTATEs of a database that is not there for us: connection exceptions (class 08) and a
# server shutting down, crashed or still starting (57P01-57P03).
_UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")


def database_unreachable(exc: BaseException) -> bool:
    """Whether a driver error means the database cannot be reached (503), not a failing query
    (500): a dropped connection, a refused or timed-out connect, a server shutting down."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated or isinstance(exc.orig, OSError | asyncio.TimeoutError):
        return True
    state = getattr(exc.orig, "sqlstate", None) or ""
    return state.startswith(_UNREACHABLE_STATES)


async def _dbapi(request: Request, exc: Exception) -> JSONResponse:
    if database_unreachable(exc):
        return await _unavailable(request, exc)
    return await _unexpected(request, exc)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.error("unexpected error", exc_info=exc)
    return _internal(request)


def _internal(request: Request) -> JSONResponse:
    return problem(
        request,
        500,
        BELGIF + "internalServerError",
        "Internal Server Error",
        "An unexpected error occurred; it has been logged with the trace id",
    )
