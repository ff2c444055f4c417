"""An httpx2 MockTransport that plays an OpenAI-compatible chat-completions server from a script."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx2

Step = httpx2.Response | Exception | Callable[[httpx2.Request], httpx2.Response]


def completion(
    content: str | None,
    *,
    model: str = "gpt-4o-mini-2024-07-18",
    tokens_in: int = 10,
    tokens_out: int = 5,
    usage: bool = True,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1764393600,
        "model": model,
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
        ],
    }
    if usage:
        body["usage"] = {
            "prompt_tokens": tokens_in,
            "completion_tokens": tokens_out,
            "total_tokens": tokens_in + tokens_out,
        }
    return body


def ok(content: str | None, **kwargs: Any) -> httpx2.Response:
    return httpx2.Response(200, json=completion(content, **kwargs))


def error(status: int, message: str, headers: dict[str, str] | None = None) -> httpx2.Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": None, "code": None}}
    return httpx2.Response(status, json=body, headers=headers)


class ScriptedServer:
    """Answers each request with the next step of the script (the last step repeats); records the
    request bodies and the peak number of requests in flight."""

    def __init__(self, *steps: Step, delay_s: float = 0.0) -> None:
        self.steps = list(steps)
        self.delay_s = delay_s
        self.requests: list[httpx2.Request] = []
        self.in_flight = 0
        self.peak_in_flight = 0

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests]

    def client(self) -> httpx2.AsyncClient:
        return httpx2.AsyncClient(transport=httpx2.MockTransport(self._handle))

    async def _handle(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        step = self.steps[min(len(self.requests), len(self.steps)) - 1]
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            if isinstance(step, Exception):
                raise step
            return step if isinstance(step, httpx2.Response) else step(request)
        finally:
            self.in_flight -= 1
