from __future__ import annotations

import math

import pytest

from infra_mind.chat import NO_ANSWER, Bm25Index, Passage, answer, answer_from, build_index
from infra_mind.chat.index import tokenize, words
from infra_mind.chat.passages import SKIPPED_AGENTS
from infra_mind.chat.stemmer import porter
from infra_mind.config import load_settings
from infra_mind.domain.agent_result import AgentError, AgentResult, AgentStatus
from infra_mind.domain.assessment import AssessmentResult
from infra_mind.domain.findings import Finding, Recommendation
from infra_mind.domain.outputs.chatbot import ChatAnswer, Citation
from infra_mind.llm import build_llm

from .helpers import quoted


def _rec(result: AssessmentResult, key: str) -> Recommendation:
    return next(r for r in result.recommendations if r.key == key)


def _finding(result: AssessmentResult, agent: str, finding_id: str) -> Finding:
    return next(f for f in result.agents[agent].findings if f.id == finding_id)


def _cites_finding(reply: ChatAnswer, agent: str, finding_id: str) -> bool:
    return any(c.kind == "finding" and c.ref == finding_id and c.agents == [agent] for c in reply.citations)


def _cites_rec(reply: ChatAnswer, rec: Recommendation) -> bool:
    return any(
        c.kind == "recommendation" and c.ref == rec.id and c.agents == rec.agents for c in reply.citations
    )


FINDING_QUESTIONS = [
    ("Which compliance frameworks apply?", "compliance", "frameworks"),
    ("What are the HIPAA gaps?", "compliance", "coverage-hipaa"),
    ("What disaster recovery strategy meets the RTO and RPO?", "infrastructure", "infra-recovery-objectives"),
    ("What is the design uptime?", "infrastructure", "infra-design-uptime"),
    ("What is the 36-month TCO on AWS?", "cto", "tco-aws"),
]
RECOMMENDATION_QUESTIONS = [
    ("Do we need a business associate agreement?", "compliance:baa"),
    ("Should we use Amazon RDS for clinical-db?", "database:clinical-db"),
    ("Should we put a CDN in front of the portal?", "edge:cdn"),
    ("How should encryption at rest be done?", "control:encryption_at_rest"),
    ("How many GPUs does the triage model need?", "gpu:triage-model"),
]


@pytest.mark.parametrize(("question", "agent", "finding_id"), FINDING_QUESTIONS)
def test_answers_cite_the_right_findings(
    assessment: AssessmentResult, question: str, agent: str, finding_id: str
) -> None:
    reply = quoted(assessment, question)
    assert reply.grounded, reply.answer
    assert _cites_finding(reply, agent, finding_id), reply.citations
    assert reply.answer.startswith("[1] ")


@pytest.mark.parametrize(("question", "key"), RECOMMENDATION_QUESTIONS)
def test_answers_cite_the_right_recommendations(
    assessment: AssessmentResult, question: str, key: str
) -> None:
    reply = quoted(assessment, question)
    assert reply.grounded, reply.answer
    assert _cites_rec(reply, _rec(assessment, key)), reply.citations


def _texts(item: Finding | Recommendation) -> list[str]:
    strings = [
        item.title,
        *(e.detail for e in item.evidence),
        *(f"{e.ref}: {e.detail}" for e in item.evidence),
    ]
    if isinstance(item, Finding):
        return [*strings, item.detail]
    return [*strings, item.rationale, *item.actions]


def _source(result: AssessmentResult, citation: Citation) -> Finding | Recommendation:
    if citation.kind == "finding":
        return _finding(result, citation.agents[0], citation.ref)
    return next(r for r in result.recommendations if r.id == citation.ref)


def test_answers_quote_the_assessment_verbatim(assessment: AssessmentResult) -> None:
    questions = [q for q, *_ in FINDING_QUESTIONS] + [q for q, _ in RECOMMENDATION_QUESTIONS]
    checked = 0
    for question in questions:
        for citation in quoted(assessment, question).citations:
            if citation.kind not in {"finding", "recommendation"}:
                continue
            item = _source(assessment, citation)
            assert citation.title == item.title
            texts = _texts(item)
            for piece in citation.excerpt.split(" … "):
                words = piece.removesuffix(" …")
                assert any(words in text for text in texts), (citation.ref, words)
            checked += 1
    assert checked >= len(questions)


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "Recommend a sourdough bread recipe",
        "Who won the football world cup?",
    ],
)
def test_unknown_topics_get_no_grounded_answer(assessment: AssessmentResult, question: str) -> None:
    reply = quoted(assessment, question)
    assert not reply.grounded
    assert reply.citations == []
    assert reply.answer.startswith(f"{NO_ANSWER}: ")
    assert "not found anywhere" in reply.answer


def test_a_question_without_searchable_words_gets_no_grounded_answer(assessment: AssessmentResult) -> None:
    reply = quoted(assessment, "Why?")
    assert not reply.grounded
    assert reply.terms == []
    assert reply.answer == f"{NO_ANSWER}: the question has no searchable words."


def test_index_covers_every_finding_recommendation_and_summary(assessment: AssessmentResult) -> None:
    index = build_index(assessment)
    kinds = index.by_kind()
    indexed = [a for name, a in assessment.agents.items() if name not in SKIPPED_AGENTS]
    assert kinds["finding"] == sum(len(a.findings) for a in indexed)
    assert kinds["recommendation"] == len(assessment.recommendations)
    assert kinds["summary"] == len(indexed) >= 4
    assert kinds["framework"] == len(assessment.validation.constraints.frameworks)


def test_a_failed_agent_is_answered_with_its_status(assessment: AssessmentResult) -> None:
    failed = AgentResult(
        agent="compliance",
        status=AgentStatus.TIMED_OUT,
        attempts=1,
        error=AgentError(type="TimeoutError", message="no result within 20 s"),
    )
    partial = assessment.model_copy(update={"agents": {**assessment.agents, "compliance": failed}})
    reply = quoted(partial, "Did the compliance agent fail?")
    assert reply.grounded
    first = reply.citations[0]
    assert (first.kind, first.ref, first.agents) == ("agent_status", "compliance", ["compliance"])
    assert "no result within 20 s" in first.excerpt
    assert not _cites_finding(
        quoted(partial, "Which compliance frameworks apply?"), "compliance", "frameworks"
    )


def test_without_synthesis_the_agents_recommendations_are_cited(assessment: AssessmentResult) -> None:
    unranked = assessment.model_copy(update={"recommendations": []})
    own = next(r for r in assessment.agents["compliance"].recommendations if r.key == "compliance:baa")
    reply = quoted(unranked, "Do we need a business associate agreement?")
    assert _cites_rec(reply, own)
    assert own.id.startswith("compliance-")


def test_cost_scenarios_are_searchable(assessment: AssessmentResult) -> None:
    assert assessment.cost_model is not None
    scenario = assessment.cost_model.scenarios[0]
    aws = next(s for s in scenario.series if s.provider == "aws")
    name = scenario.name.replace("_", " ")
    reply = quoted(assessment, f"What does the {name} scenario cost on AWS over 36 months?")
    assert reply.citations[0].ref == f"cost_model.{scenario.name}"
    assert f"aws: ${aws.total_36m_usd:,.2f} over 36 months" in reply.citations[0].excerpt


def test_run_metrics_are_searchable(assessment: AssessmentResult) -> None:
    reply = quoted(assessment, "Which agent was the slowest?")
    assert reply.citations[0].ref == "execution_metrics"
    assert (
        f"slowest agent (critical path): {assessment.execution_metrics.critical_path_agent}" in reply.answer
    )


def _mini_index() -> Bm25Index:
    return Bm25Index(
        [
            Passage("test", "d1", "gpu cluster gpu"),
            Passage("test", "d2", "database cluster"),
            Passage("test", "d3", "database backup encryption backup"),
        ]
    )


def test_bm25_scores_match_a_hand_computation() -> None:
    index = _mini_index()
    assert (index.size, index.tokens, index.average_length) == (3, 9, 3.0)
    # idf = ln(1 + (N − n + 0.5) / (n + 0.5)); N = 3; 'gpu' and 'backup' are each in one passage
    idf_one = math.log(1 + (3 - 1 + 0.5) / (1 + 0.5))
    assert idf_one == pytest.approx(math.log(8 / 3))
    # d1: tf(gpu) = 2, |d1| = 3 = avgdl → 2 · 2.2 / (2 + 1.2 · (0.25 + 0.75 · 3/3)) = 4.4 / 3.2
    # d3: tf(backup) = 2, |d3| = 4 → 2 · 2.2 / (2 + 1.2 · (0.25 + 0.75 · 4/3)) = 4.4 / 3.5
    hits = index.search(["gpu", "backup"])
    assert [h.passage.ref for h in hits] == ["d1", "d3"]
    assert hits[0].score == pytest.approx(idf_one * 4.4 / 3.2)
    assert hits[1].score == pytest.approx(idf_one * 4.4 / 3.5)
    assert hits[0].score == pytest.approx(1.348640, abs=1e-6)
    assert hits[1].score == pytest.approx(1.233043, abs=1e-6)

    # 'database' and 'cluster' are each in two passages: idf = ln(1 + 1.5 / 2.5) = ln 1.6
    idf_two = math.log(1.6)
    hits = index.search(tokenize("database cluster"))
    assert [h.passage.ref for h in hits] == ["d2", "d1", "d3"]
    # d2: |d2| = 2 → each term 2.2 / (1 + 1.2 · (0.25 + 0.75 · 2/3)) = 2.2 / 1.9
    assert hits[0].score == pytest.approx(2 * idf_two * 2.2 / 1.9)
    assert hits[1].score == pytest.approx(idf_two * 2.2 / 2.2)
    assert hits[2].score == pytest.approx(idf_two * 2.2 / 2.5)


def test_coverage_and_the_grounding_threshold_on_the_mini_corpus() -> None:
    index = _mini_index()
    assert index.coverage(["gpu", "backup"], {"gpu"}) == pytest.approx(0.5)
    # a term no passage contains: idf = ln(1 + (3 − 0 + 0.5) / (0 + 0.5)) = ln 8, the highest there is
    assert index.idf("pizza") == pytest.approx(math.log(8))
    assert index.coverage(["gpu", "pizza"], {"gpu"}) == pytest.approx(
        math.log(8 / 3) / (math.log(8 / 3) + math.log(8))
    )
    assert index.coverage(["pizza"], set()) == 0

    reply = answer_from(index, "GPU backup?")
    assert reply.grounded
    assert [c.ref for c in reply.citations] == ["d1", "d3"]
    assert reply.answer == "[1] gpu cluster gpu\n[2] database backup encryption backup"
    assert not answer_from(index, "gpu pizza pasta").grounded


def test_tokenizer_stems_words_and_drops_stop_words() -> None:
    assert tokenize("Which frameworks apply to us-east-1 at 99.9 %?") == [
        "framework",
        "appli",
        "us",
        "east",
        "1",
        "99.9",
    ]
    assert tokenize("hosting") == tokenize("hosted") == tokenize("hosts") == ["host"]
    assert tokenize("policies") == tokenize("policy")
    assert words("Encrypting backups") == [("encrypting", "encrypt"), ("backups", "backup")]


@pytest.mark.parametrize(
    ("word", "expected"),
    # examples from M. F. Porter, "An algorithm for suffix stripping" (1980), one or more per rule
    [
        ("caresses", "caress"),
        ("ponies", "poni"),
        ("cats", "cat"),
        ("agreed", "agre"),
        ("plastered", "plaster"),
        ("motoring", "motor"),
        ("sing", "sing"),
        ("conflated", "conflat"),
        ("hopping", "hop"),
        ("falling", "fall"),
        ("filing", "file"),
        ("happy", "happi"),
        ("relational", "relat"),
        ("conditional", "condit"),
        ("vietnamization", "vietnam"),
        ("hopefulness", "hope"),
        ("triplicate", "triplic"),
        ("electrical", "electr"),
        ("replacement", "replac"),
        ("adjustment", "adjust"),
        ("adoption", "adopt"),
        ("probate", "probat"),
        ("rate", "rate"),
        ("controll", "control"),
        ("roll", "roll"),
        ("us", "us"),
    ],
)
def test_porter_stemmer(word: str, expected: str) -> None:
    assert porter(word) == expected


async def test_without_an_llm_the_answer_is_the_retrieval_one(assessment: AssessmentResult) -> None:
    question = "What is the design uptime?"
    expected = quoted(assessment, question)
    offline = build_llm(load_settings(llm_provider="offline"))

    assert await answer(assessment, question) == expected
    assert await answer(assessment, question, llm=offline) == expected
    assert expected.answered_by == "retrieval"
    assert (expected.model, expected.fallback_reason) == (None, None)
    assert offline.usage().calls == 0
