"""OpenAI chat-completions wire format: the request as the mock reads it, and the replies it builds.

Token counts are deterministic: a token is a whitespace-separated word. prompt_tokens counts the words of
every message's text, completion_tokens the words of the reply.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

WORD_WITH_LEADING_SPACE = re.compile(r"\s*\S+\s*$|\s*\S+")


class TextPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str
    text: str | None = None


class Message(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: str
    content: str | list[TextPart] | None = None

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return "\n".join(part.text or "" for part in self.content)
        return self.content or ""


class JsonSchemaSpec(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    name: str = "reply"
    json_schema: dict[str, Any] = Field(default_factory=dict, alias="schema")
    strict: bool | None = None


class ResponseFormat(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: Literal["text", "json_object", "json_schema"]
    json_schema: JsonSchemaSpec | None = None


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="allow")
    include_usage: bool = False


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str
    messages: list[Message] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None
    response_format: ResponseFormat | None = None
    user: str | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)

    @property
    def wants_json_schema(self) -> bool:
        return self.response_format is not None and self.response_format.type == "json_schema"

    @property
    def json_mode(self) -> bool:
        return self.response_format is not None and self.response_format.type != "text"

    @property
    def reply_schema(self) -> dict[str, Any] | None:
        if self.response_format and self.response_format.json_schema:
            return self.response_format.json_schema.json_schema
        return None

    @property
    def token_limit(self) -> int | None:
        return self.max_completion_tokens or self.max_tokens


@dataclass(frozen=True)
class RequestView:
    """What rules match on: the X-Mock-Agent header, the `user` field and the prompt text."""

    agent: str | None
    user: str | None
    last_user_message: str
    prompt: str

    @classmethod
    def of(cls, request: ChatRequest, agent: str | None) -> RequestView:
        user_messages = [m.text for m in request.messages if m.role == "user"]
        return cls(
            agent=agent,
            user=request.user,
            last_user_message=user_messages[-1] if user_messages else "",
            prompt="\n".join(m.text for m in request.messages),
        )


def count_tokens(text: str) -> int:
    return len(text.split())


def limit_tokens(content: str, limit: int | None) -> tuple[str, str]:
    """The content cut to `limit` words and the finish_reason that says whether it was cut."""
    if limit is None or count_tokens(content) <= limit:
        return content, "stop"
    return " ".join(content.split()[:limit]), "length"


def usage(prompt: str, content: str) -> dict[str, int]:
    prompt_tokens, completion_tokens = count_tokens(prompt), count_tokens(content)
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }


@dataclass(frozen=True)
class Completion:
    id: str
    model: str
    content: str
    finish_reason: str
    usage: dict[str, int]
    created: int = 0

    @classmethod
    def build(cls, completion_id: str, request: ChatRequest, prompt: str, content: str) -> Completion:
        content, finish_reason = limit_tokens(content, request.token_limit)
        return cls(
            completion_id, request.model, content, finish_reason, usage(prompt, content), int(time.time())
        )

    def body(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": self.content},
                    "finish_reason": self.finish_reason,
                    "logprobs": None,
                }
            ],
            "usage": self.usage,
        }

    def content_pieces(self) -> list[str]:
        """Word by word, each with the whitespace before it, so the pieces join back to the content."""
        return WORD_WITH_LEADING_SPACE.findall(self.content) or [self.content]

    def chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
        return sse(
            {
                "id": self.id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": self.model,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason, "logprobs": None}],
            }
        )

    def usage_chunk(self) -> bytes:
        return sse(
            {
                "id": self.id,
                "object": "chat.completion.chunk",
                "created": self.created,
                "model": self.model,
                "choices": [],
                "usage": self.usage,
            }
        )


def sse(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, separators=(",", ":")).encode() + b"\n\n"


DONE = b"data: [DONE]\n\n"
