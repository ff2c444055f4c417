"""The Starlette app: OpenAI chat completions and models, plus /mock/stats and /mock/reset."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import structlog
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from bench.mockllm.chat import DONE, ChatRequest, Completion, RequestView
from bench.mockllm.faults import FaultKind, openai_error
from bench.mockllm.profiles import Profile
from bench.mockllm.replies import RandomStreams, plan_reply
from bench.mockllm.stats import Stats

AGENT_HEADER = "x-mock-agent"
CHAT_PATH = "/v1/chat/completions"
CLIENT_CLOSED_REQUEST = 499
"""nginx's status for a request its client gave up on before it was read"""
log = structlog.get_logger("bench.mockllm")


class MockState:
    """What one server reads per request. The profile is only ever replaced whole, so a request sees one
    consistent profile even while a test swaps it."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self.stats = Stats()
        self.randoms = RandomStreams(profile.seed)
        self._stopping: asyncio.Event | None = None

    def configure(self, profile: Profile) -> None:
        self.profile = profile
        self.randoms = RandomStreams(profile.seed)

    def reset(self) -> None:
        """Counters to zero and every random stream back to its seed."""
        self.stats.reset()
        self.randoms = RandomStreams(self.profile.seed)

    def serving(self) -> None:
        """Called on the server's loop as it starts: the stop signal belongs to that loop."""
        self._stopping = asyncio.Event()

    def stopping(self) -> None:
        if self._stopping is not None:
            self._stopping.set()

    async def pause(self, seconds: float, request: Request | None = None) -> bool:
        """Waits `seconds`; True when cut short by shutdown or, given `request`, by the client leaving."""
        if seconds <= 0:
            return False
        stopping = self._stopping or asyncio.Event()
        waits: list[asyncio.Future[object]] = [asyncio.ensure_future(stopping.wait())]
        if request is not None:
            waits.append(asyncio.ensure_future(_disconnected(request)))
        try:
            done, _ = await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()
        return bool(done)


async def _disconnected(request: Request) -> None:
    while (await request.receive())["type"] != "http.disconnect":
        pass


class CountInFlight:
    """ASGI middleware: a chat request is in flight until its last byte is sent, streams included."""

    def __init__(self, app: ASGIApp, stats: Stats) -> None:
        self.app = app
        self.stats = stats

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != CHAT_PATH:
            await self.app(scope, receive, send)
            return
        with self.stats.in_flight():
            await self.app(scope, receive, send)


class ChunkStream(StreamingResponse):
    """SSE chunks, the latency spread evenly before the content chunks. A stream cut short (injected
    truncation, shutdown, the client leaving) ends without the final empty body, so the connection closes
    the way a dropped upstream connection looks to the client."""

    def __init__(
        self,
        request: Request,
        completion: Completion,
        latency_s: float,
        *,
        truncate: bool,
        usage: bool,
    ) -> None:
        self.request = request
        self.state: MockState = request.app.state.mock
        self.completion = completion
        self.latency_s = latency_s
        self.truncate = truncate
        self.usage = usage
        self.cut_short = truncate
        super().__init__(
            self._events(), media_type="text/event-stream", headers={"cache-control": "no-cache"}
        )

    async def _events(self) -> AsyncIterator[bytes]:
        pieces = self.completion.content_pieces()
        sent = len(pieces) // 2 if self.truncate else len(pieces)
        yield self.completion.chunk({"role": "assistant", "content": ""})
        for piece in pieces[:sent]:
            if await self.state.pause(self.latency_s / len(pieces), self.request):
                self.cut_short = True
                return
            yield self.completion.chunk({"content": piece})
        if self.truncate:
            return
        yield self.completion.chunk({}, self.completion.finish_reason)
        if self.usage:
            yield self.completion.usage_chunk()
        yield DONE
        self.state.stats.count_completed()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers})
        async for chunk in self.body_iterator:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        if not self.cut_short:
            await send({"type": "http.response.body", "body": b"", "more_body": False})


async def chat_completions(request: Request) -> Response:
    state: MockState = request.app.state.mock
    profile, randoms = state.profile, state.randoms
    try:
        chat = ChatRequest.model_validate_json(await request.body())
    except ClientDisconnect:
        # A run cancelled, or a runner stopped, mid-request: nobody is left to answer.
        log.debug("mockllm.client_gone", agent=request.headers.get(AGENT_HEADER))
        return Response(status_code=CLIENT_CLOSED_REQUEST)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
        return _error(400, message, "invalid_request_error")
    agent = request.headers.get(AGENT_HEADER)
    number = state.stats.next_request(agent)
    if chat.wants_json_schema and profile.reject_json_schema:
        state.stats.count_rejection()
        log.info("mockllm.json_schema_rejected", agent=agent)
        message = "response_format type json_schema is not supported by this server; use json_object"
        return _error(400, message, "invalid_request_error", param="response_format")

    view = RequestView.of(chat, agent)
    plan = plan_reply(profile, chat, view, randoms)
    if plan.fault is not None:
        state.stats.count_fault(plan.fault.value)
        log.info("mockllm.fault_injected", fault=plan.fault.value, agent=agent, request=number)
    if plan.fault is FaultKind.HTTP_500:
        return _error(500, "injected server error", "server_error")
    if plan.fault is FaultKind.HTTP_429:
        headers = {"retry-after": str(plan.faults.retry_after_s)}
        return _error(
            429, "injected rate limit", "rate_limit_exceeded", code="rate_limit_exceeded", headers=headers
        )
    if plan.fault is FaultKind.TIMEOUT:
        await state.pause(plan.faults.hang_s, request)
        return _error(504, "injected timeout: no reply in time", "timeout")

    completion = Completion.build(f"chatcmpl-mock-{number}", chat, view.prompt, plan.content)
    if chat.stream:
        usage = chat.stream_options is not None and chat.stream_options.include_usage
        truncate = plan.fault is FaultKind.TRUNCATED_STREAM
        return ChunkStream(request, completion, plan.latency_s, truncate=truncate, usage=usage)
    if await state.pause(plan.latency_s, request):
        return _error(503, "mock server shutting down", "server_error")
    state.stats.count_completed()
    return JSONResponse(completion.body())


async def models(request: Request) -> Response:
    profile: Profile = request.app.state.mock.profile
    data = [
        {"id": name, "object": "model", "created": 0, "owned_by": "infra-mind-mock"}
        for name in profile.models
    ]
    return JSONResponse({"object": "list", "data": data})


async def stats(request: Request) -> Response:
    return JSONResponse(request.app.state.mock.stats.snapshot().model_dump())


async def reset(request: Request) -> Response:
    state: MockState = request.app.state.mock
    state.reset()
    return JSONResponse(state.stats.snapshot().model_dump())


def _error(
    status: int,
    message: str,
    error_type: str,
    *,
    code: str | None = None,
    param: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(openai_error(message, error_type, code=code, param=param), status, headers=headers)


def create_app(state: MockState) -> Starlette:
    routes = [
        Route(CHAT_PATH, chat_completions, methods=["POST"]),
        Route("/v1/models", models, methods=["GET"]),
        Route("/mock/stats", stats, methods=["GET"]),
        Route("/mock/reset", reset, methods=["POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.mock = state
    app.add_middleware(CountInFlight, stats=state.stats)
    return app
