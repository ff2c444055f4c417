from __future__ import annotations

import pytest
from pydantic import BaseModel

from infra_mind.llm.errors import InvalidReply
from infra_mind.llm.structured import extract_json_object, parse_reply, schema_instruction, strict_schema


class Risk(BaseModel):
    title: str
    severity: str = "medium"


class Section(BaseModel):
    narrative: str
    risks: list[Risk] = []
    owner: str | None = None


def test_strict_schema_closes_every_object_and_requires_every_property() -> None:
    schema = strict_schema(Section)

    assert schema["additionalProperties"] is False
    assert schema["required"] == ["narrative", "risks", "owner"]
    risk = schema["$defs"]["Risk"]
    assert risk["additionalProperties"] is False
    assert risk["required"] == ["title", "severity"]
    assert "default" not in risk["properties"]["severity"]
    assert Section.model_json_schema()["required"] == ["narrative"]


def test_schema_instruction_embeds_the_schema() -> None:
    assert '"narrative"' in schema_instruction(Section)


@pytest.mark.parametrize(
    "text",
    [
        '{"narrative": "N"}',
        '```json\n{"narrative": "N"}\n```',
        'Here you go:\n```\n{"narrative": "N"}\n```\nAnything else?',
        'Sure. {"narrative": "N"} Hope it helps.',
        '{broken {"narrative": "N"}',
        '[1, 2] then {"narrative": "N"}',
    ],
)
def test_first_json_object_is_found(text: str) -> None:
    assert extract_json_object(text) == {"narrative": "N"}


@pytest.mark.parametrize("text", ["", "no json here", "[1, 2, 3]", '{"narrative": "unterminated'])
def test_no_json_object_is_invalid(text: str) -> None:
    with pytest.raises(InvalidReply, match="no JSON object"):
        extract_json_object(text)


def test_parse_reply_validates_and_names_the_bad_fields() -> None:
    assert parse_reply('{"narrative": "N", "risks": [{"title": "t"}]}', Section).risks == [Risk(title="t")]
    with pytest.raises(InvalidReply, match=r"risks\.0\.title: Field required"):
        parse_reply('{"narrative": "N", "risks": [{}]}', Section)
