"""The client of the federal learning account's REST API (FLA). The real API is not public:
this module and the stand-in (``app/adapters/federal_standin.py``) define its contract the way
the social-security REST APIs are written (Belgif), and this one module is what the real client
replaces.

The contract:

- ``POST {token URL}`` (OAuth2 client credentials, RFC 6749 §4.4; form ``grant_type``,
  ``client_id``, ``client_secret``) -> ``{"access_token", "token_type": "Bearer",
  "expires_in"}``. The token is cached until shortly before it expires.
- ``GET /trainingAccounts/changes?since=YYYY-MM-DD&cursor=C&limit=N`` -> ``{"items": [change],
  "cursor": C2, "next": href | null}``: the changes in the order they were made; ``cursor`` is
  where the feed goes on (also on the last page), ``next`` the link to the next page if any.
  A change is ``{"changeId", "changedAt", "trainingAccount": account}``.
- ``GET /trainingAccounts/{ssin}`` -> ``account``, 404 ``resourceNotFound`` when none.
- An account: ``{"ssin", "window": "2024-2028", "version", "changedAt", "accruals": [{"year",
  "days": {"amount": "5.00", "unit": "DAY"}}], "used": {...}, "balance": {...}}``.
- Errors are ``application/problem+json`` (``type``, ``status``, ``title``, ``detail``); 429
  and 503 may carry ``Retry-After`` (seconds).

Every call has a timeout; 429, 5xx and connection errors are retried with exponential backoff
and jitter (stamina; a ``Retry-After`` is honoured up to the backoff's maximum); a 401 fetches a
new token once; a small circuit breaker stops calling for a while after repeated failures. No
SSIN is logged: httpx's own request log (which names URLs) is kept at WARNING."""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx
import stamina

from app.domain.federal.model import (
    Change,
    ChangePage,
    FederalAccount,
    FederalProblem,
    FederalUnavailable,
)
from app.domain.identity import InvalidSsin, Ssin, parse_ssin
from app.domain.quantities import InvalidQuantity, Quantity, Unit

logging.getLogger("httpx").setLevel(logging.WARNING)  # it logs every URL at INFO
log = logging.getLogger("llr.federal")

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})


class _Retryable(Exception):
    def __init__(self, status: int, detail: str, retry_after: float | None) -> None:
        super().__init__(f"{status}: {detail}")
        self.status, self.retry_after = status, retry_after


@dataclass(slots=True)
class CircuitBreaker:
    """Closed while calls succeed; open for ``reset_after`` seconds after ``threshold``
    failed calls in a row (each after its retries); then one trial call (half-open)."""

    threshold: int = 3
    reset_after: float = 30.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None

    def check(self) -> None:
        if self.opened_at is None:
            return
        if self.clock() - self.opened_at < self.reset_after:
            raise FederalUnavailable(
                f"the federal account failed {self.failures} times in a row: not called for "
                f"{self.reset_after:g} s (circuit open)"
            )
        self.opened_at = None  # half-open: this call is the trial

    def succeeded(self) -> None:
        self.failures, self.opened_at = 0, None

    def failed(self) -> None:
        self.failures += 1
        if self.failures >= self.threshold:
            self.opened_at = self.clock()


@dataclass(frozen=True, slots=True)
class Backoff:
    attempts: int = 5
    initial: float = 0.2
    maximum: float = 5.0
    jitter: float = 0.5


class FederalClient:
    def __init__(
        self,
        base_url: str,
        client_id: str,
        client_secret: str,
        *,
        token_url: str | None = None,
        timeout: float = 10.0,
        backoff: Backoff | None = None,
        breaker: CircuitBreaker | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token_url = token_url or f"{self.base_url}/oauth2/token"
        self.client_id, self.client_secret = client_id, client_secret
        self.backoff = backoff or Backoff()
        self.breaker = breaker or CircuitBreaker()
        self.http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._token: tuple[str, float] | None = None
        self.tokens_fetched = 0

    async def __aenter__(self) -> "FederalClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.http.aclose()

    # -- the API ---------------------------------------------------------------------------

    async def changes(self, since: date | None, cursor: str | None, limit: int) -> ChangePage:
        params: dict[str, str] = {"limit": str(limit)}
        if cursor is not None:
            params["cursor"] = cursor
        elif since is not None:
            params["since"] = since.isoformat()
        body = await self._get("/trainingAccounts/changes", params)
        try:
            changes = [
                Change(str(item["changeId"]), _account(item["trainingAccount"]))
                for item in body["items"]
            ]
            return ChangePage(changes, str(body["cursor"]), bool(body.get("next")))
        except (KeyError, TypeError, ValueError) as exc:
            raise FederalProblem(200, "invalidAnswer", f"a change feed page: {exc}") from exc

    async def account(self, ssin: Ssin) -> FederalAccount | None:
        try:
            body = await self._get(f"/trainingAccounts/{ssin.value}", {})
        except FederalProblem as exc:
            if exc.status == 404:
                return None
            raise
        try:
            return _account(body)
        except (KeyError, TypeError, ValueError) as exc:
            raise FederalProblem(200, "invalidAnswer", f"a training account: {exc}") from exc

    # -- HTTP ------------------------------------------------------------------------------

    async def _get(self, path: str, params: dict[str, str]) -> Any:
        self.breaker.check()
        try:
            body = await self._retried(path, params)
        except FederalUnavailable:
            self.breaker.failed()
            raise
        self.breaker.succeeded()
        return body

    async def _retried(self, path: str, params: dict[str, str]) -> Any:
        b = self.backoff
        try:
            async for attempt in stamina.retry_context(
                on=self._backoff_hint,
                attempts=b.attempts,
                timeout=None,
                wait_initial=b.initial,
                wait_max=b.maximum,
                wait_jitter=b.jitter,
            ):
                with attempt:
                    return await self._once(path, params)
        except _Retryable as exc:
            raise FederalUnavailable(
                f"the federal account answered {exc} after {b.attempts} attempts"
            ) from exc
        except httpx.TransportError as exc:
            raise FederalUnavailable(
                f"the federal account cannot be reached after {b.attempts} attempts: "
                f"{type(exc).__name__}"
            ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _backoff_hint(self, exc: Exception) -> bool | float:
        """Retry connection errors, timeouts, 429 and 5xx; wait what ``Retry-After`` asks
        (within the backoff's maximum) when the answer says."""
        if isinstance(exc, httpx.TransportError):
            log.warning("federal account call failed: %s; retrying", type(exc).__name__)
            return True
        if isinstance(exc, _Retryable):
            log.warning("federal account answered %s; retrying", exc.status)
            if exc.retry_after is not None:
                return min(exc.retry_after, self.backoff.maximum)
            return True
        return False

    async def _once(self, path: str, params: dict[str, str]) -> Any:
        for fresh in (False, True):
            token = await self._access_token(fresh)
            response = await self.http.get(
                self.base_url + path,
                params=params,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            )
            if response.status_code != 401:
                break
        return _answer(response)

    async def _access_token(self, fresh: bool) -> str:
        if not fresh and self._token is not None and time.monotonic() < self._token[1]:
            return self._token[0]
        response = await self.http.post(
            self.token_url,
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
            headers={"Accept": "application/json"},
        )
        body = _answer(response)
        try:
            token, lifetime = str(body["access_token"]), float(body.get("expires_in", 60))
        except (KeyError, TypeError, ValueError) as exc:
            raise FederalProblem(response.status_code, "invalidAnswer", "no access_token") from exc
        # renewed a little before it expires, so no call goes out with a token about to lapse
        self._token = (token, time.monotonic() + max(lifetime - 30, lifetime / 2))
        self.tokens_fetched += 1
        return token


def _answer(response: httpx.Response) -> Any:
    status = response.status_code
    if 200 <= status < 300:
        return response.json()
    problem = _problem(response)
    detail = str(problem.get("detail") or problem.get("title") or response.reason_phrase)
    if status in RETRIED_STATUSES:
        raise _Retryable(status, detail, _retry_after(response))
    problem_type = str(problem.get("type") or "about:blank").rsplit(":", 1)[-1]
    raise FederalProblem(status, problem_type, detail)


def _problem(response: httpx.Response) -> dict[str, Any]:
    """The Belgif problem answer, if the body is one (an HTML error page is not)."""
    if "json" not in response.headers.get("content-type", ""):
        return {}
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _days(value: Any) -> Quantity:
    if not isinstance(value, dict) or value.get("unit") != Unit.DAY.value:
        raise ValueError(f"not a quantity of days: {value!r}")
    try:
        return Quantity.parse(str(value["amount"]), Unit.DAY, allow_zero=True)
    except InvalidQuantity as exc:
        raise ValueError(str(exc)) from exc


def _account(body: Any) -> FederalAccount:
    try:
        ssin = parse_ssin(str(body["ssin"]))
    except InvalidSsin as exc:
        raise ValueError("an account's ssin is not an SSIN") from exc
    return FederalAccount(
        ssin=ssin,
        window=str(body["window"]),
        version=int(body["version"]),
        changed_at=datetime.fromisoformat(str(body["changedAt"])),
        accruals={int(a["year"]): _days(a["days"]) for a in body["accruals"]},
        used=_days(body["used"]),
        balance=_days(body["balance"]),
    )
