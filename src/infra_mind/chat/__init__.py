"""Chat over an assessment: a BM25 index of its passages and answers that cite them, quoted from the
passages or, when an LLM is configured, written by the model from them."""

from infra_mind.chat.answer import NO_ANSWER, answer, answer_from, answer_over, build_index
from infra_mind.chat.index import Bm25Index, Passage

__all__ = ["NO_ANSWER", "Bm25Index", "Passage", "answer", "answer_from", "answer_over", "build_index"]
