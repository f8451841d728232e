"""A real HTTP receiver of webhooks for the tests: a small ASGI app served by uvicorn on a free
loopback port in a thread, recording what it got and answering as told (500s, slowness)."""

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn


@dataclass
class Received:
    headers: dict[str, str]
    body: str


@dataclass
class Receiver:
    url: str = ""
    received: list[Received] = field(default_factory=list)
    answers: list[int | float] = field(default_factory=list)
    """What to do with the next requests, in order: a status to answer, or seconds to stall
    (a float) before answering 200; then 200."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def __call__(self, scope: dict, receive, send) -> None:  # type: ignore[no-untyped-def, type-arg]
        if scope["type"] != "http":
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        headers = {k.decode(): v.decode() for k, v in scope["headers"]}
        with self.lock:
            answer = self.answers.pop(0) if self.answers else 200
            self.received.append(Received(headers, b"".join(chunks).decode()))
        if isinstance(answer, float):
            await asyncio.sleep(answer)  # a slow receiver: the sender's timeout runs out
            answer = 200
        await send({"type": "http.response.start", "status": answer, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    def ids(self) -> list[str]:
        with self.lock:
            return [r.headers["webhook-id"] for r in self.received]


@contextmanager
def receiving() -> Iterator[Receiver]:
    receiver = Receiver()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    receiver.url = f"http://127.0.0.1:{sock.getsockname()[1]}/hooks"
    config = uvicorn.Config(receiver, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        while not server.started:
            threading.Event().wait(0.01)  # start-up of the server, not a race in the test
        yield receiver
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()
