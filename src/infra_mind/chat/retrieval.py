"""Retrieval-only answers: the best-matching passages of the assessment, quoted in its own words and cited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from infra_mind.chat.index import Bm25Index, Hit, Passage
from infra_mind.chat.passages import result_passages
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.outputs.chatbot import ChatAnswer, Citation

MIN_COVERAGE = 0.5
"""A passage grounds an answer only when it holds at least this share of the question's IDF weight; a word
found nowhere in the index weighs the most, so a question about something else falls below it."""
RELATIVE_SCORE = 0.5
"""Grounding passages scoring below this share of the best one are not quoted."""
MAX_CITATIONS = 5
MAX_FRAGMENTS = 3
"""Sentences quoted from one passage."""
MAX_FRAGMENT_CHARS = 300
NO_ANSWER = "No grounded answer"


@dataclass(frozen=True)
class Retrieved:
    answer: ChatAnswer
    """The retrieval-only answer."""
    hits: tuple[Hit, ...]
    """The passages behind `answer.citations`, in the same order (none when it is not grounded)."""


def build_index(result: AssessmentResult) -> Bm25Index:
    return Bm25Index(result_passages(result))


def answer_from(index: Bm25Index, question: str) -> ChatAnswer:
    return retrieve(index, question).answer


def retrieve(index: Bm25Index, question: str) -> Retrieved:
    spelled: dict[str, str] = {}
    for word, term in index.words(question):
        spelled.setdefault(term, word)
    terms = list(spelled)
    if not terms:
        return Retrieved(_no_answer(question, terms, 0.0, "the question has no searchable words"), ())
    hits = index.search(terms, limit=index.size)
    grounded = [h for h in hits if h.coverage >= MIN_COVERAGE]
    if not grounded:
        best = max((h.coverage for h in hits), default=0.0)
        unknown = [spelled[t] for t in terms if not index.knows(t)]
        reason = "nothing in the assessment matches this question closely enough"
        if unknown:
            reason += f"; not found anywhere: {', '.join(unknown)}"
        reason += f" (best match holds {best:.0%} of the question's weight, {MIN_COVERAGE:.0%} needed)"
        return Retrieved(_no_answer(question, terms, best, reason), ())
    top = grounded[0].score
    chosen = [h for h in grounded if h.score >= RELATIVE_SCORE * top][:MAX_CITATIONS]
    citations = [_citation(number, hit, index, terms) for number, hit in enumerate(chosen, start=1)]
    quoted = ChatAnswer(
        question=question,
        grounded=True,
        answer="\n".join(
            f"[{c.number}] {c.title}" + (f": {c.excerpt}" if c.excerpt else "") for c in citations
        ),
        citations=citations,
        terms=terms,
        coverage=round(chosen[0].coverage, 4),
    )
    return Retrieved(quoted, tuple(chosen))


def _citation(number: int, hit: Hit, index: Bm25Index, terms: Sequence[str]) -> Citation:
    p = hit.passage
    return Citation(
        number=number,
        kind=p.kind,
        ref=p.ref,
        agents=list(p.agents),
        title=p.title,
        excerpt=excerpt(p, index, terms),
        score=round(hit.score, 4),
        source=p.source,
        as_of=p.as_of,
    )


def excerpt(passage: Passage, index: Bm25Index, terms: Sequence[str]) -> str:
    """The passage's sentences that hold the most question weight, topped up with its first ones, in their
    original order."""
    wanted = set(terms)
    weighted = []
    for position, fragment in enumerate(passage.body):
        found = wanted.intersection(index.tokenize(fragment))
        if found:
            weighted.append((-sum(index.idf(t) for t in found), position))
    best = [position for _, position in sorted(weighted)[:MAX_FRAGMENTS]]
    rest = [position for position in range(len(passage.body)) if position not in best]
    picked = sorted(best + rest[: MAX_FRAGMENTS - len(best)])
    pieces = [_clip(passage.body[position]) for position in picked]
    return " … ".join(pieces).replace(" … … ", " … ")


def _clip(fragment: str) -> str:
    if len(fragment) <= MAX_FRAGMENT_CHARS:
        return fragment
    return fragment[:MAX_FRAGMENT_CHARS].rsplit(" ", 1)[0] + " …"


def _no_answer(question: str, terms: list[str], coverage: float, reason: str) -> ChatAnswer:
    return ChatAnswer(
        question=question,
        grounded=False,
        answer=f"{NO_ANSWER}: {reason}.",
        terms=terms,
        coverage=round(coverage, 4),
    )
