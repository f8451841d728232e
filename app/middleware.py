"""One pure-ASGI middleware for what every request shares: the trace id, the body size limit,
the request timeout, metrics and one masked access-log line."""

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Awaitable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.domain.ssin_text import holds_ssin
from app.observability import LATENCY, REQUESTS, trace_id_var
from app.problems import CONTENT_TOO_LARGE, HEADERS_TOO_LARGE, SERVICE_UNAVAILABLE, send_problem

log = logging.getLogger("llr.access")

TRACE_HEADER = "BelGov-Trace-Id"
RELATED_TRACE_HEADER = "BelGov-Related-Trace-Id"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_NOT_RELATED = re.compile(r"[^A-Za-z0-9._:\-]")
_RELATED_DIGITS = 10


def trace_ids(given: str) -> tuple[str, str | None]:
    """(trace id, related trace id). A received trace id of the documented form (a UUID) holding
    no SSIN is the request's; anything else is replaced by a new one (it would be stored in the
    access log, the ledger and the decisions), and kept only as ``BelGov-Related-Trace-Id`` in a
    form that cannot hold an SSIN: safe ASCII, at most 64 characters, at most 10 digits (the
    rest masked)."""
    if _UUID.match(given) and not holds_ssin(given):
        return given.lower(), None
    if not given:
        return str(uuid.uuid4()), None
    related, digits = [], 0
    for char in _NOT_RELATED.sub("", given)[:64]:
        digits += char.isdigit()
        related.append("*" if char.isdigit() and digits > _RELATED_DIGITS else char)
    return str(uuid.uuid4()), "".join(related) or None


class BodyTooLarge(Exception):
    pass


_ABANDONED: set["asyncio.Future[None]"] = set()
"""Timed-out requests still cleaning up (kept referenced until they are done)."""


def _abandoned(task: "asyncio.Future[None]") -> None:
    _ABANDONED.discard(task)
    if not task.cancelled() and task.exception() is not None:
        log.warning(
            "a timed-out request failed while cleaning up: %s", type(task.exception()).__name__
        )


class RequestContext:
    def __init__(
        self,
        app: ASGIApp,
        max_body_bytes: int,
        timeout_seconds: float,
        max_header_count: int = 100,
        max_header_bytes: int = 16_384,
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.timeout_seconds = timeout_seconds
        self.max_header_count, self.max_header_bytes = max_header_count, max_header_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get(TRACE_HEADER.lower(), "")
        trace_id, related = trace_ids(given)
        returned = [(TRACE_HEADER.encode(), trace_id.encode())]
        if related:
            returned.append((RELATED_TRACE_HEADER.encode(), related.encode()))
        token = trace_id_var.set(trace_id)
        started = time.perf_counter()
        state: dict[str, Any] = {"status": 500, "started": False}

        async def send_with_trace(message: Message) -> None:
            if state.get("too_large"):
                # The app turned the aborted read into an error of its own: answer 413 instead.
                if message["type"] == "http.response.start":
                    state["too_large"] = False
                    await self._too_large(send_with_trace, scope)
                    state["swallow"] = True
                return
            if state.get("swallow") or state.get("abandoned"):
                return
            await deliver(message)

        async def deliver(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"], state["started"] = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *returned]
            await send(message)

        try:
            if self._headers_too_large(scope):
                await send_problem(
                    send_with_trace,
                    scope["path"],
                    HEADERS_TOO_LARGE,
                    f"At most {self.max_header_count} headers of "
                    f"{self.max_header_bytes} bytes in all",
                )
                return
            declared = headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_body_bytes:
                await self._too_large(send_with_trace, scope)
                return
            received = 0

            async def limited_receive() -> Message:
                nonlocal received
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > self.max_body_bytes:
                        state["too_large"] = True
                        raise BodyTooLarge
                return message

            try:
                await self._within_timeout(self.app(scope, limited_receive, send_with_trace), state)
            except BodyTooLarge:
                state["too_large"] = False
                if not state["started"]:
                    await self._too_large(send_with_trace, scope)
            except TimeoutError:
                log.warning("request timed out after %ss", self.timeout_seconds)
                if not state["started"]:
                    await send_problem(
                        deliver,  # the abandoned request's own sends are dropped, not this
                        scope["path"],
                        SERVICE_UNAVAILABLE,
                        "The request took too long; try again shortly",
                    )
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            REQUESTS.labels(scope["method"], template, str(state["status"])).inc()
            LATENCY.labels(scope["method"], template).observe(elapsed)
            log.info(
                "%s %s %s",
                scope["method"],
                scope["path"],
                state["status"],
                extra={
                    "route": template,
                    "status": state["status"],
                    "durationMs": round(elapsed * 1000, 2),
                    **({"relatedTraceId": related} if related else {}),
                },
            )
            trace_id_var.reset(token)

    def _headers_too_large(self, scope: Scope) -> bool:
        raw = scope["headers"]
        size = sum(len(name) + len(value) for name, value in raw)
        return len(raw) > self.max_header_count or size > self.max_header_bytes

    async def _too_large(self, send: Send, scope: Scope) -> None:
        await send_problem(
            send,
            scope["path"],
            CONTENT_TOO_LARGE,
            f"The body may hold at most {self.max_body_bytes} bytes",
        )

    async def _within_timeout(self, call: Awaitable[None], state: dict[str, Any]) -> None:
        """Runs the app, or raises TimeoutError once the timeout has passed, without waiting for
        the cancelled request to clean up: rolling back on a database that does not answer may
        take as long again, and the caller must have its 503 on time. The cleanup goes on in
        the background; whatever the request still tries to send is dropped."""
        task = asyncio.ensure_future(call)
        done, _ = await asyncio.wait({task}, timeout=self.timeout_seconds)
        if task in done:
            task.result()
            return
        state["abandoned"] = True
        task.cancel()
        task.add_done_callback(_abandoned)
        _ABANDONED.add(task)
        raise TimeoutError


# The HTML pages (Swagger UI, ReDoc) load their scripts and styles from this service only
# (app/routers/docs.py); their scripts are files, never inline. The libraries set style
# attributes and ReDoc inserts <style> elements and starts a worker from a blob: those two,
# and nothing from another origin. Nothing may frame the pages or be sent a referrer.
HTML_PAGES = ("/docs", "/redoc")
DOC_ASSETS = ("/docs/assets/", "/docs/swagger-init.js")
_PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
_PAGE_HEADERS = [
    (b"content-security-policy", _PAGE_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class HttpMiddleware:
    """A pure-ASGI middleware of HTTP requests only: everything else passes through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.http(scope, receive, send)

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class SecurityHeaders(HttpMiddleware):
    """``nosniff`` on every response; a strict content security policy, no framing and no
    referrer on the HTML pages; ``no-store`` on API answers, which may hold personal data."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        page = scope["path"] in HTML_PAGES
        extra = [(b"x-content-type-options", b"nosniff")]
        if page:
            extra += _PAGE_HEADERS
        elif scope["path"].startswith(DOC_ASSETS):
            extra += [(b"cache-control", b"public, max-age=86400")]  # the libraries: no data
        else:
            extra += [(b"cache-control", b"no-store")]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
