from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest

from infra_mind.errors import InputUnreadable
from infra_mind.knowledge.importers.common import json_documents, price


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.0960000000", Decimal("0.096")),
        (1.006, Decimal("1.006")),
        (2, Decimal(2)),
        (" 0.5 ", Decimal("0.5")),
    ],
)
def test_positive_prices_are_read_from_numbers_and_strings(value: Any, expected: Decimal) -> None:
    assert price(value) == expected


@pytest.mark.parametrize("value", [0, 0.0, "0.00", "-1", "N/A", "", None, True, "nan", "inf"])
def test_zero_negative_and_non_numeric_values_are_no_price(value: Any) -> None:
    assert price(value) is None


def test_documents_written_one_after_another_are_all_read() -> None:
    stream = io.BytesIO(b'{"Items": []}\n{"Items": [1]}\n  [2]')
    assert json_documents(stream, "azure-retail") == [{"Items": []}, {"Items": [1]}, [2]]


def test_byte_order_mark_is_tolerated() -> None:
    assert json_documents(io.BytesIO(b'\xef\xbb\xbf{"skus": []}'), "gcp-billing") == [{"skus": []}]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "the file is empty"),
        (b"   ", "the file is empty"),
        (b'{"a": 1} }', "invalid JSON at line 1 column 10"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_unreadable_documents_say_what_is_wrong(content: bytes, problem: str) -> None:
    with pytest.raises(InputUnreadable, match=f"<stream> is not a readable azure-retail file: {problem}"):
        json_documents(io.BytesIO(content), "azure-retail")
