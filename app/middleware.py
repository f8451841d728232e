"""One pure-ASGI middleware for what every request shares: the trace id, the body size limit,
the request timeout, metrics and one masked access-log line."""

import asyncio
import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.observability import LATENCY, REQUESTS, trace_id_var

log = logging.getLogger("llr.access")

TRACE_HEADER = "BelGov-Trace-Id"
_TRACE_OK = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")


class BodyTooLarge(Exception):
    pass


def _problem_bytes(status: int, type_: str, title: str, detail: str, path: str) -> bytes:
    body = {"type": type_, "title": title, "status": status, "detail": detail, "instance": path}
    return json.dumps(body).encode()


class RequestContext:
    def __init__(self, app: ASGIApp, max_body_bytes: int, timeout_seconds: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get(TRACE_HEADER.lower(), "")
        trace_id = given if _TRACE_OK.match(given) else str(uuid.uuid4())
        token = trace_id_var.set(trace_id)
        started = time.perf_counter()
        state: dict[str, Any] = {"status": 500, "started": False}

        async def send_with_trace(message: Message) -> None:
            if state.get("too_large"):
                # The app turned the aborted read into an error of its own: answer 413 instead.
                if message["type"] == "http.response.start":
                    state["too_large"] = False
                    await self._reply(
                        send_with_trace,
                        scope,
                        413,
                        "about:blank",
                        "Content Too Large",
                        f"The body may hold at most {self.max_body_bytes} bytes",
                    )
                    state["swallow"] = True
                return
            if state.get("swallow"):
                return
            if message["type"] == "http.response.start":
                state["status"], state["started"] = message["status"], True
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (TRACE_HEADER.encode(), trace_id.encode()),
                ]
            await send(message)

        try:
            declared = headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.max_body_bytes:
                await self._reply(
                    send_with_trace,
                    scope,
                    413,
                    "about:blank",
                    "Content Too Large",
                    f"The body may hold at most {self.max_body_bytes} bytes",
                )
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
                async with asyncio.timeout(self.timeout_seconds):
                    await self.app(scope, limited_receive, send_with_trace)
            except BodyTooLarge:
                state["too_large"] = False
                if not state["started"]:
                    await self._reply(
                        send_with_trace,
                        scope,
                        413,
                        "about:blank",
                        "Content Too Large",
                        f"The body may hold at most {self.max_body_bytes} bytes",
                    )
            except TimeoutError:
                log.warning("request timed out after %ss", self.timeout_seconds)
                if not state["started"]:
                    await self._reply(
                        send_with_trace,
                        scope,
                        503,
                        "urn:problem-type:belgif:serviceUnavailable",
                        "Service Unavailable",
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
                },
            )
            trace_id_var.reset(token)

    @staticmethod
    async def _reply(
        send: Send, scope: Scope, status: int, type_: str, title: str, detail: str
    ) -> None:
        body = _problem_bytes(status, type_, title, detail, scope["path"])
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
