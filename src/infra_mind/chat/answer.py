"""The chat's entry point: a question about a finished assessment, answered from its own passages.

Without an LLM (the default) the answer quotes the best-matching passages (retrieval.py). With one, the
model writes the answer from those passages and must cite them (model_answer.py); otherwise the retrieval
answer is given and says why.
"""

from __future__ import annotations

from infra_mind.chat.index import Bm25Index
from infra_mind.chat.model_answer import answer_with_model
from infra_mind.chat.retrieval import NO_ANSWER, answer_from, build_index, retrieve
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.outputs.chatbot import ChatAnswer
from infra_mind.llm import LlmClient

__all__ = ["NO_ANSWER", "answer", "answer_from", "answer_over", "build_index"]


async def answer(result: AssessmentResult, question: str, *, llm: LlmClient | None = None) -> ChatAnswer:
    return await answer_over(build_index(result), question, llm=llm)


async def answer_over(index: Bm25Index, question: str, *, llm: LlmClient | None = None) -> ChatAnswer:
    """For a caller that keeps the index of an assessment between questions."""
    if llm is None or llm.offline:
        return answer_from(index, question)
    return await answer_with_model(retrieve(index, question), llm)
