"""Chat over an assessment: a BM25 index of its passages and answers that quote and cite them."""

from infra_mind.chat.answer import NO_ANSWER, answer, answer_from, build_index
from infra_mind.chat.index import Bm25Index, Passage

__all__ = ["NO_ANSWER", "Bm25Index", "Passage", "answer", "answer_from", "build_index"]
