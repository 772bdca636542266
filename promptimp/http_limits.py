"""Time limits for HTTP clients that send slowly or never finish a request.

uvicorn bounds header size (h11_max_incomplete_event_size), idle keep-alive connections
(timeout_keep_alive) and concurrency (limit_concurrency), but a connection that never
completes its request headers, or a body shorter than its Content-Length, is held forever.
`header_timeout_protocol` closes connections whose headers take too long; `BodyReadTimeout`
answers 408 when the body does not arrive in time.
"""

from __future__ import annotations

import asyncio

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol


class _HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request headers are not complete
    within `header_timeout_s` of it opening or of the previous response ending."""

    header_timeout_s = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_timer: asyncio.TimerHandle | None = None
        super().connection_made(transport)
        self._arm_header_timer()

    def handle_events(self) -> None:
        cycle = self.cycle
        super().handle_events()
        if self.cycle is not cycle:  # a request's headers arrived
            self._cancel_header_timer()

    def on_response_complete(self) -> None:
        self._arm_header_timer()  # before: the next pipelined request may start inside
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_header_timer()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout_s, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def header_timeout_protocol(timeout_s: float) -> type[H11Protocol]:
    """An h11 protocol class for uvicorn's `http=` that times out request headers."""
    return type("HeaderTimeoutProtocol", (_HeaderTimeoutProtocol,), {"header_timeout_s": timeout_s})


class BodyReadTimeout:
    """ASGI middleware: 408 when a request's body is not received within `timeout_s`.

    Once the body is complete, later receive() calls (waiting for a disconnect) are not timed.
    """

    def __init__(self, app: ASGIApp, timeout_s: float) -> None:
        self.app = app
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_s
        body_done = timed_out = started = False

        async def bounded_receive() -> Message:
            nonlocal body_done, timed_out
            if body_done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                timed_out = True
                return {"type": "http.disconnect"}
            body_done = message["type"] != "http.request" or not message.get("more_body")
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, bounded_receive, tracked_send)
        if timed_out and not started:
            detail = f"The request body did not arrive within {self.timeout_s:g} s."
            await JSONResponse({"detail": detail}, status_code=408)(scope, receive, send)
