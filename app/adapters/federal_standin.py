"""``llr federal simulate``: a stand-in of the federal learning account's API (the contract is
in ``app/adapters/federal.py``), with its own accounts seeded from a file (or generated), that
can be told to fail, slow down or answer 429. Development and the tests use it over real HTTP.

Admin endpoints (the stand-in's own, no token): ``POST /admin/faults`` sets what goes wrong
(``{"failNext": 2, "failStatus": 503, "failAfterItems": 1000, "rateLimitNext": 3,
"retryAfter": 0, "delaySeconds": 0.5, "delayNext": 1, "down": true}``, each optional; the
answer replaces the previous faults), ``POST /admin/accounts`` changes an account (``{"ssin",
"accruals": {"2026": "5.00"}, "used": "1.00"}``: a new version and a new change in the feed),
``GET /admin/stats`` counts what it served. Its log never names an SSIN (no access log)."""

import asyncio
import base64
import binascii
import logging
import secrets
import socket
import threading
import time
import tomllib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.domain.identity import InvalidSsin, parse_ssin

log = logging.getLogger("llr.federal.standin")
DEFAULT_DATA = Path(__file__).resolve().parent / "federal_standin.toml"
DEFAULT_CLIENT = ("llr", "dev-only-federal-client-secret")
MAX_LIMIT = 1000


@dataclass(slots=True)
class Faults:
    fail_next: int = 0
    """Answer ``fail_status`` to the next N API calls."""
    fail_status: int = 503
    fail_after_items: int | None = None
    """Once this many changes were served in all, every change page fails (a feed that breaks
    half-way) until the faults are set again."""
    rate_limit_next: int = 0
    """Answer 429 (with ``Retry-After: retry_after``) to the next N API calls."""
    retry_after: int = 0
    delay_seconds: float = 0.0
    delay_next: int = 0
    """Delay only the next N API calls (0: every call, while ``delay_seconds`` is set)."""
    down: bool = False
    """Every API call (and the token endpoint) answers 503."""

    @classmethod
    def parse(cls, body: dict[str, Any]) -> "Faults":
        names = {_camel(f.name): f.name for f in fields(cls)}
        unknown = set(body) - set(names)
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}; known: {sorted(names)}")
        return cls(**{names[k]: v for k, v in body.items()})


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@dataclass(slots=True)
class Account:
    ssin: str
    window: str
    accruals: dict[int, Decimal]
    used: Decimal
    version: int = 0
    changed_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def as_json(self) -> dict[str, Any]:
        total = sum(self.accruals.values(), Decimal(0))
        return {
            "ssin": self.ssin,
            "window": self.window,
            "version": self.version,
            "changedAt": self.changed_at.isoformat(),
            "accruals": [
                {"year": year, "days": _days(days)} for year, days in sorted(self.accruals.items())
            ],
            "used": _days(self.used),
            "balance": _days(total - self.used),
        }


def _days(value: Decimal) -> dict[str, str]:
    return {"amount": f"{value:.2f}", "unit": "DAY"}


@dataclass(slots=True)
class StandIn:
    """The stand-in's state: accounts, the append-only change feed, tokens, faults, counts."""

    client: tuple[str, str] = DEFAULT_CLIENT
    token_lifetime: int = 300
    accounts: dict[str, Account] = field(default_factory=dict)
    feed: list[tuple[str, datetime, dict[str, Any]]] = field(default_factory=list)
    """(change id, instant, the account as it stood after the change), in order."""
    tokens: dict[str, float] = field(default_factory=dict)
    faults: Faults = field(default_factory=Faults)
    stats: Counter[str] = field(default_factory=Counter)

    def change(
        self,
        ssin: str,
        accruals: dict[int, Decimal],
        used: Decimal | None,
        window: str = "2024-2028",
        at: datetime | None = None,
    ) -> tuple[str, int]:
        account = self.accounts.get(ssin)
        if account is None:
            account = self.accounts[ssin] = Account(ssin, window, {}, Decimal(0))
        account.accruals.update(accruals)
        if used is not None:
            account.used = used
        account.version += 1
        account.changed_at = at or datetime.now(UTC)
        change_id = f"ch-{len(self.feed) + 1:09d}"
        self.feed.append((change_id, account.changed_at, account.as_json()))
        return change_id, account.version

    # -- what goes wrong -------------------------------------------------------------------

    async def _fault(self, *, feed: bool = False) -> Response | None:
        f = self.faults
        if f.delay_seconds and (f.delay_next == 0 or self.stats["delayed"] < f.delay_next):
            self.stats["delayed"] += 1
            await asyncio.sleep(f.delay_seconds)
        if f.down:
            return self._failed(503)
        if f.rate_limit_next > 0:
            f.rate_limit_next -= 1
            self.stats["served429"] += 1
            return _problem(429, "tooManyRequests", "Too many requests", f.retry_after)
        if f.fail_next > 0:
            f.fail_next -= 1
            return self._failed(f.fail_status)
        if feed and f.fail_after_items is not None and self.stats["items"] >= f.fail_after_items:
            return self._failed(f.fail_status)
        return None

    def _failed(self, status: int) -> Response:
        self.stats["served5xx"] += 1
        return _problem(status, "serviceUnavailable", "The service is unavailable", 0)

    # -- endpoints ---------------------------------------------------------------------------

    async def token(self, request: Request) -> Response:
        self.stats["tokenRequests"] += 1
        if self.faults.down:
            return self._failed(503)
        form = {k: v[0] for k, v in parse_qs((await request.body()).decode("latin-1")).items()}
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        if (form.get("client_id"), form.get("client_secret")) != self.client:
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        token = secrets.token_urlsafe(24)
        self.tokens[token] = time.monotonic() + self.token_lifetime
        return JSONResponse(
            {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime}
        )

    def _authorized(self, request: Request) -> Response | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return _problem(401, "noAccessToken", "No access token", None)
        if self.tokens.get(token, 0) < time.monotonic():
            return _problem(401, "invalidAccessToken", "The access token is not valid", None)
        return None

    async def changes(self, request: Request) -> Response:
        self.stats["apiCalls"] += 1
        refused = self._authorized(request) or await self._fault(feed=True)
        if refused is not None:
            return refused
        query = request.query_params
        try:
            limit = int(query.get("limit", "100"))
            start = _position(query.get("cursor")) if "cursor" in query else 0
            since = date.fromisoformat(query["since"]) if "since" in query else None
        except ValueError as exc:
            return _problem(400, "badRequest", str(exc), None)
        if not 1 <= limit <= MAX_LIMIT:
            return _problem(400, "badRequest", f"limit must lie in 1..{MAX_LIMIT}", None)
        if since is not None and "cursor" not in query:
            start = next(
                (i for i, (_, at, _) in enumerate(self.feed) if at.date() >= since), len(self.feed)
            )
        page = self.feed[start : start + limit]
        end = start + len(page)
        self.stats["items"] += len(page)
        cursor = _cursor(end)
        more = end < len(self.feed)
        log.info("change feed page: %d changes, %s", len(page), "more" if more else "last")
        return JSONResponse(
            {
                "items": [
                    {"changeId": cid, "changedAt": at.isoformat(), "trainingAccount": account}
                    for cid, at, account in page
                ],
                "cursor": cursor,
                "next": f"{request.url.path}?cursor={cursor}&limit={limit}" if more else None,
            }
        )

    async def account(self, request: Request) -> Response:
        self.stats["apiCalls"] += 1
        refused = self._authorized(request) or await self._fault()
        if refused is not None:
            return refused
        try:
            ssin = parse_ssin(request.path_params["ssin"]).value
        except InvalidSsin:
            return _problem(400, "badRequest", "not an SSIN", None)
        found = self.accounts.get(ssin)
        if found is None:
            return _problem(404, "resourceNotFound", "No training account", None)
        return JSONResponse(found.as_json())

    async def set_faults(self, request: Request) -> Response:
        try:
            self.faults = Faults.parse(await request.json())
        except (ValueError, TypeError) as exc:
            return _problem(400, "badRequest", str(exc), None)
        self.stats["delayed"] = 0
        return JSONResponse({"faults": _camel_dict(self.faults)})

    async def set_account(self, request: Request) -> Response:
        try:
            body = await request.json()
            ssin = parse_ssin(str(body["ssin"])).value
            accruals = {int(y): Decimal(str(d)) for y, d in body.get("accruals", {}).items()}
            used = Decimal(str(body["used"])) if "used" in body else None
        except (ValueError, TypeError, KeyError, ArithmeticError) as exc:
            return _problem(400, "badRequest", f"an account change: {exc}", None)
        change_id, version = self.change(ssin, accruals, used)
        return JSONResponse({"changeId": change_id, "version": version})

    async def get_stats(self, request: Request) -> Response:
        return JSONResponse(dict(self.stats) | {"changes": len(self.feed)})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/oauth2/token", self.token, methods=["POST"]),
                Route("/trainingAccounts/changes", self.changes),
                Route("/trainingAccounts/{ssin}", self.account),
                Route("/admin/faults", self.set_faults, methods=["POST"]),
                Route("/admin/accounts", self.set_account, methods=["POST"]),
                Route("/admin/stats", self.get_stats),
            ]
        )


def _camel_dict(faults: Faults) -> dict[str, Any]:
    return {_camel(f.name): getattr(faults, f.name) for f in fields(faults)}


def _problem(status: int, name: str, title: str, retry_after: int | None) -> Response:
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    return JSONResponse(
        {"type": f"urn:problem-type:belgif:{name}", "title": title, "status": status},
        status_code=status,
        media_type="application/problem+json",
        headers=headers,
    )


def _cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"p{position}".encode()).decode().rstrip("=")


def _position(cursor: str | None) -> int:
    try:
        text = base64.urlsafe_b64decode((cursor or "") + "=" * (-len(cursor or "") % 4)).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError("not a cursor of this feed") from exc
    if not text.startswith("p") or not text[1:].isdigit():
        raise ValueError("not a cursor of this feed")
    return int(text[1:])


# -- data ------------------------------------------------------------------------------------


def seeded(path: Path | None = None, generate: int = 0, **options: Any) -> StandIn:
    """A stand-in with the accounts of a data file (TOML ``[[accounts]]`` with ``ssin``,
    ``accruals`` per year, ``used``, optional ``window`` and ``changedAt``), then ``generate``
    synthetic ones."""
    standin = StandIn(**options)
    if path is not None:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for number, entry in enumerate(data.get("accounts", []), start=1):
            try:
                ssin = parse_ssin(str(entry["ssin"])).value
                accruals = {int(y): Decimal(str(d)) for y, d in entry["accruals"].items()}
                used = Decimal(str(entry.get("used", "0")))
            except (InvalidSsin, KeyError, ValueError, ArithmeticError) as exc:
                raise ValueError(f"{path}: accounts[{number}]: {exc}") from exc
            at = entry.get("changedAt")
            standin.change(ssin, accruals, used, entry.get("window", "2024-2028"), at)
    for i in range(generate):
        standin.change(synthetic_ssin(i), *synthetic_right(i))
    return standin


def synthetic_ssin(i: int) -> str:
    """The ``i``-th of 16 million distinct valid national register numbers (born 1950-1999)."""
    first9 = f"{50 + i % 50:02d}{1 + (i // 50) % 12:02d}{1 + (i // 600) % 28:02d}"
    first9 += f"{1 + (i // 16800) % 997:03d}"
    return first9 + f"{97 - int(first9) % 97:02d}"


def synthetic_right(i: int) -> tuple[dict[int, Decimal], Decimal]:
    fraction = Decimal((50, 80, 100)[i % 3]) / 100
    accruals = {year: (5 * fraction).quantize(Decimal("0.01")) for year in (2024, 2025, 2026)}
    return accruals, Decimal(i % 4)


# -- running it ------------------------------------------------------------------------------


@contextmanager
def running(standin: StandIn, host: str = "127.0.0.1") -> Iterator[str]:
    """Serves the stand-in on a free port in a thread; yields its URL. For tests and benches."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(standin.app(), log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the federal stand-in did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
