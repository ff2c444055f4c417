"""A BM25 index over short passages: tokenizer, term statistics and scoring.

Scoring is Okapi BM25 (Robertson et al., "Okapi at TREC-3", 1994) with the parameters and the
non-negative IDF of Lucene's BM25Similarity:
https://lucene.apache.org/core/10_3_1/core/org/apache/lucene/search/similarities/BM25Similarity.html

    idf(t)      = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5))
    score(d, q) = Σ over distinct t in q: idf(t) · tf · (k1 + 1) / (tf + k1 · (1 − b + b · |d| / avgdl))

where tf is the count of t in passage d and |d| its length in terms.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from infra_mind.chat.stemmer import porter

K1 = 1.2
B = 0.75

_STOP_WORDS_TEXT = """
a about after all also am an and any are as at be been before being both but by can could did do
does doing done during each else for from further give had has have having here how i if in into is it
its just many me more most much my no nor not of off on once only or other our over own per please
same shall should show so some such tell than that the their them then there these they this those
through to too under until up use used using very was we were what when where which while who whom
whose why will with would you your
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
"""English function and question words: they carry no topic, so they are not indexed or searched."""

_TOKEN = re.compile(r"[a-z0-9]+(?:\.[0-9]+)*")
_BREAK = re.compile(r"(?<=[.;])\s+|\s+\|\s+")


def words(text: str, stems: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """(word, term) pairs: lower-case words and numbers, stop words and single letters dropped, words
    reduced to their Porter stem. `stems` remembers the stems already computed."""
    known = {} if stems is None else stems
    pairs = []
    for word in _TOKEN.findall(text.lower()):
        if word in STOP_WORDS or (len(word) == 1 and word.isalpha()):
            continue
        term = known.get(word)
        if term is None:
            term = known[word] = porter(word) if word.isalpha() else word
        pairs.append((word, term))
    return pairs


def tokenize(text: str, stems: dict[str, str] | None = None) -> list[str]:
    return [term for _, term in words(text, stems)]


def fragments(text: str) -> tuple[str, ...]:
    """Sentences and clauses (and the parts of merged rationales): the units an answer quotes."""
    return tuple(part.strip() for part in _BREAK.split(text) if part.strip())


@dataclass(frozen=True)
class Passage:
    """One citable unit: a finding, a recommendation, an agent summary or a piece of the context."""

    kind: str
    ref: str
    title: str
    body: tuple[str, ...] = ()
    agents: tuple[str, ...] = ()
    keywords: str = field(default="", repr=False)
    source: str | None = None
    as_of: date | None = None

    def indexed_text(self) -> str:
        return " ".join((self.title, *self.body, self.keywords))


@dataclass(frozen=True)
class Hit:
    """A passage holding some of the query's terms: its BM25 score, those terms, and their share of the
    query's IDF weight (coverage)."""

    passage: Passage
    score: float
    matched: frozenset[str]
    coverage: float


class Bm25Index:
    def __init__(self, passages: Iterable[Passage], k1: float = K1, b: float = B) -> None:
        self.passages: tuple[Passage, ...] = tuple(passages)
        self.k1 = k1
        self.b = b
        self._stems: dict[str, str] = {}
        self._tf = [Counter(self.tokenize(p.indexed_text())) for p in self.passages]
        self._lengths = [sum(tf.values()) for tf in self._tf]
        self._df: Counter[str] = Counter(term for tf in self._tf for term in tf)
        self.tokens = sum(self._lengths)
        self.average_length = self.tokens / len(self.passages) if self.passages else 0.0

    def words(self, text: str) -> list[tuple[str, str]]:
        return words(text, self._stems)

    def tokenize(self, text: str) -> list[str]:
        return tokenize(text, self._stems)

    @property
    def size(self) -> int:
        return len(self.passages)

    @property
    def vocabulary(self) -> int:
        return len(self._df)

    def knows(self, term: str) -> bool:
        return term in self._df

    def by_kind(self) -> dict[str, int]:
        return dict(Counter(p.kind for p in self.passages))

    def idf(self, term: str) -> float:
        """A term no passage contains gets the highest weight an index of this size can give."""
        n = self._df.get(term, 0)
        return math.log(1 + (self.size - n + 0.5) / (n + 0.5))

    def score(self, terms: Sequence[str], position: int) -> float:
        tf = self._tf[position]
        norm = self.k1 * (1 - self.b + self.b * self._lengths[position] / (self.average_length or 1))
        return sum(
            self.idf(t) * tf[t] * (self.k1 + 1) / (tf[t] + norm) for t in dict.fromkeys(terms) if t in tf
        )

    def search(self, terms: Sequence[str], limit: int = 10) -> list[Hit]:
        """Passages containing any of the terms, best first; ties keep the passages' order."""
        wanted = list(dict.fromkeys(terms))
        hits = []
        for position, tf in enumerate(self._tf):
            matched = frozenset(t for t in wanted if t in tf)
            if matched:
                hits.append((self.score(wanted, position), position, matched))
        hits.sort(key=lambda hit: (-hit[0], hit[1]))
        return [
            Hit(self.passages[position], score, matched, self.coverage(wanted, matched))
            for score, position, matched in hits[:limit]
        ]

    def coverage(self, terms: Sequence[str], matched: Iterable[str]) -> float:
        """Share of the query's IDF weight that a passage contains. A term no passage contains has the
        highest IDF there is, so a question whose key words the index never mentions stays below one half."""
        wanted = list(dict.fromkeys(terms))
        total = sum(self.idf(t) for t in wanted)
        found = set(matched)
        return sum(self.idf(t) for t in wanted if t in found) / total if total else 0.0
