"""Input the parsers behind FastAPI would take or choke on, refused first as Belgif ``badRequest``
with ``issues``: JSON that is not strict JSON (``NaN``, ``Infinity``, numbers beyond a double
or of more than ``MAX_INT_DIGITS`` digits, lone surrogates, nesting deeper than ``MAX_DEPTH``,
arrays or objects of more than ``MAX_ITEMS``, duplicate keys, bytes that are not UTF-8) and a
NUL in the query string (PostgreSQL refuses it in text, as a server error)."""

import json
import math
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import Message, Receive, Scope, Send

from app.middleware import HttpMiddleware
from app.problems import BAD_REQUEST, ISSUE, send_problem

MAX_DEPTH = 32
MAX_ITEMS = 1000
"""The most elements of any one array or object: a request's work is bounded by its size."""
MAX_INT_DIGITS = 19
_BODY_METHODS = {"POST", "PUT", "PATCH"}


class NotStrictJson(ValueError):
    pass


def _constant(name: str) -> Any:
    raise NotStrictJson(f"{name} is not a JSON number")


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise NotStrictJson(f"an integer has at most {MAX_INT_DIGITS} digits")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise NotStrictJson("a number beyond the range of a double")
    return value


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise NotStrictJson("a property is given twice")
    return result


def _check_tree(value: Any) -> None:
    """Depth and lone surrogates, without recursion (the tree may be deep)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise NotStrictJson(f"nested deeper than {MAX_DEPTH} levels")
            if len(item) > MAX_ITEMS:
                raise NotStrictJson(f"an array or object holds at most {MAX_ITEMS} elements")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise NotStrictJson("a string holds a lone surrogate") from None


def parse_strict_json(body: bytes) -> Any:
    """The body as JSON, or ``NotStrictJson`` saying (safely, without echoing it) why not."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise NotStrictJson("the body is not UTF-8") from None
    try:
        value = json.loads(
            text,
            parse_constant=_constant,
            parse_int=_integer,
            parse_float=_float,
            object_pairs_hook=_object,
        )
    except RecursionError:
        raise NotStrictJson(f"nested deeper than {MAX_DEPTH} levels") from None
    except NotStrictJson:
        raise
    except ValueError as exc:  # JSONDecodeError: let the usual message through
        raise NotStrictJson(f"the body is not valid JSON: {exc}") from None
    _check_tree(value)
    return value


def _is_json(scope: Scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"content-type":
            media = value.split(b";")[0].strip().lower()
            return bool(media == b"application/json" or media.endswith(b"+json"))
    return True  # no content type: FastAPI reads it as JSON


class StrictInput(HttpMiddleware):
    """ASGI: refuses what ``parse_strict_json`` refuses and a NUL in the query, before routing."""

    async def http(self, scope: Scope, receive: Receive, send: Send) -> None:
        if b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
            await _refuse(send, scope, "query", "a query parameter may not hold a NUL character")
            return
        if scope["method"] not in _BODY_METHODS or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        chunks, more = [], True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([message], receive), send)
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if body:
            try:
                parse_strict_json(body)
            except NotStrictJson as exc:
                await _refuse(send, scope, "body", str(exc))
                return
        await self.app(scope, _replay([{"type": "http.request", "body": body}], receive), send)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """The messages already read, then the connection's own (a disconnect, in time)."""

    async def replayed() -> Message:
        return messages.pop(0) if messages else await receive()

    return replayed


async def _refuse(send: Send, scope: Scope, location: str, detail: str) -> None:
    issue = {"type": ISSUE + "schemaViolation", "in": location, "name": location, "value": None}
    issues = [issue | {"detail": detail}]
    await send_problem(send, scope["path"], BAD_REQUEST, BAD_REQUEST.example, issues=issues)
