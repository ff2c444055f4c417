"""chatbot: the question-answering index, its suggested questions and the shape of every chat answer."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from infra_mind.domain.outputs.base import Output


class Citation(Output):
    """One passage an answer quotes; `number` is the [n] that marks it in the answer text."""

    number: int = Field(ge=1)
    kind: str = Field(
        description="finding | recommendation | summary | agent_status | requirement | profile | "
        "constraint | framework | warning | default"
    )
    ref: str = Field(description="finding id, recommendation id, agent name, or input/constraint field path")
    agents: list[str] = Field(default_factory=list, description="who produced it; empty for phase-1 context")
    title: str
    excerpt: str = Field(description="the passage's own words that the answer quotes")
    score: float = Field(description="BM25 score of the passage for the question")
    source: str | None = None
    as_of: date | None = None


class ChatAnswer(Output):
    question: str
    grounded: bool = Field(description="False: nothing matched well enough, and the answer says so")
    answer: str = Field(description="quoted passages marked [n], or the reason there is no grounded answer")
    citations: list[Citation] = Field(default_factory=list)
    terms: list[str] = Field(description="the question's searchable terms after stop words and stemming")
    coverage: float = Field(
        ge=0, le=1, description="share of the question's term weight found in the best passage"
    )
    answered_by: Literal["retrieval", "llm"] = Field(
        default="retrieval",
        description="retrieval: the cited passages quoted; llm: a model's answer from the cited passages",
    )
    model: str | None = Field(
        default=None, description="the LLM that answered, or that was asked when its answer was not used"
    )
    fallback_reason: str | None = Field(
        default=None, description="why an LLM is configured but the answer is the retrieval one"
    )


class IndexStats(Output):
    passages: int
    terms: int = Field(description="distinct terms in the index")
    tokens: int = Field(description="terms counted with repeats, over every passage")
    by_kind: dict[str, int]
    k1: float
    b: float


class SuggestedQuestion(Output):
    topic: str
    answer: ChatAnswer


class ChatbotOutput(Output):
    kind: Literal["chatbot"] = "chatbot"
    index: IndexStats = Field(description="the index of the phase-1 context this run built")
    suggested: list[SuggestedQuestion] = Field(description="questions whose answers the context grounds")
    scope: str
