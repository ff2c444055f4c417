"""Every report kind in every format, for every example input, through the whole pipeline."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest

from infra_mind.engine.pipeline import RunOutcome
from infra_mind.reports.backlog import HEADER
from infra_mind.reports.render import FORMATS, PRINTED_ROWS, REPORT_KINDS

pytestmark = pytest.mark.slow

SVG = re.compile(r"<svg\b.*?</svg>", re.DOTALL)
LEAKS = re.compile(r"\bNone\b|\bnan\b|\{\{|\}\}|\{%|(?i:TODO|placeholder|lorem ipsum)")
EXTERNAL = re.compile(r"<script|<link|<img|<iframe|\bsrc=|\bhref=\"(?!#)", re.IGNORECASE)


def _files(outcome: RunOutcome) -> dict[str, str | bytes]:
    return {r.filename: r.content for r in outcome.reports}


def test_every_kind_in_every_format(every_format: dict[str, RunOutcome]) -> None:
    expected = {f"{kind}.{fmt}" for kind in REPORT_KINDS for fmt in FORMATS if fmt != "csv"} | {"backlog.csv"}
    for outcome in every_format.values():
        files = _files(outcome)
        assert set(files) == expected
        assert all(files.values())
        assert {(ref.kind, ref.format, ref.path) for ref in outcome.result.reports} == {
            (name.split(".")[0], name.split(".")[1], name) for name in expected
        }


def test_html_is_one_self_contained_file_with_inline_svg_charts(every_format: dict[str, RunOutcome]) -> None:
    for outcome in every_format.values():
        files = _files(outcome)
        for kind in REPORT_KINDS:
            html = files[f"{kind}.html"]
            assert isinstance(html, str)
            assert html.startswith("<!DOCTYPE html>")
            assert "<style>" in html
            assert EXTERNAL.search(SVG.sub("", html)) is None
            assert "[[" not in html
            text = re.sub(r"<[^>]+>", " ", SVG.sub("", html.split("</style>")[1]))
            assert LEAKS.search(text) is None, (kind, LEAKS.search(text))
            for svg in SVG.findall(html):
                ET.fromstring(svg)
        assert len(SVG.findall(str(files["technical.html"]))) == 4
        assert len(SVG.findall(str(files["cfo.html"]))) == 2


def test_chart_ids_are_unique_within_a_page(every_format: dict[str, RunOutcome]) -> None:
    html = str(_files(every_format["llm-scaleup"])["technical.html"])
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert ids
    assert len(ids) == len(set(ids))


def test_pdf_opens_and_its_first_page_is_not_blank(every_format: dict[str, RunOutcome]) -> None:
    for outcome in every_format.values():
        files = _files(outcome)
        for kind in REPORT_KINDS:
            pdf = files[f"{kind}.pdf"]
            assert isinstance(pdf, bytes)
            assert pdf.startswith(b"%PDF-")
            document = pdfium.PdfDocument(pdf)
            assert len(document) >= 1
            pixels = document[0].render(scale=0.5, grayscale=True).to_numpy()
            assert (pixels < 200).mean() > 0.01, f"{kind}.pdf: the first page is blank"
            document.close()


def test_json_is_the_report_data(every_format: dict[str, RunOutcome]) -> None:
    for example, outcome in every_format.items():
        files = _files(outcome)
        for kind in REPORT_KINDS:
            data = json.loads(files[f"{kind}.json"])
            assert data["report"] == kind
            assert data["assessment_id"] == example
            assert data["missing_sections"] == {}
        cfo = json.loads(files["cfo.json"])
        assert {p["provider"] for p in cfo["providers"]} == {p["provider"] for p in cfo["tco"]}
        assert len(cfo["cost_model"]["scenarios"]) == 3


def test_backlog_csv_round_trips(every_format: dict[str, RunOutcome]) -> None:
    for outcome in every_format.values():
        text = _files(outcome)["backlog.csv"]
        assert isinstance(text, str)
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        assert tuple(rows[0]) == HEADER
        recs = outcome.result.recommendations
        assert [r["ID"] for r in rows] == [r.id for r in recs]
        for row, rec in zip(rows, recs, strict=True):
            assert row["Title"] == row["Summary"] == rec.title
            assert row["Effort"] == str(rec.effort)
            assert rec.rationale in row["Description"]
            assert row["Priority"] in {"Urgent", "High", "Medium", "Low"}


def _pdf_text(pdf: str | bytes) -> str:
    assert isinstance(pdf, bytes)
    document = pdfium.PdfDocument(pdf)
    text = " ".join(page.get_textpage().get_text_range() for page in document)
    document.close()
    return " ".join(text.split())


def test_the_printed_edition_replaces_reference_detail_with_pointers(
    every_format: dict[str, RunOutcome],
) -> None:
    for outcome in every_format.values():
        files = _files(outcome)
        printed = _pdf_text(files["technical.pdf"])
        assert "itemises the recommended plan only" in printed
        assert "the alternatives considered for each recommendation are in technical.html" in printed
        assert "Evidence:" not in printed
        assert "<p>Evidence:</p>" in str(files["technical.html"])
        for name in ("technical.html", "technical.md"):
            assert "printed edition" not in str(files[name])


def test_printed_ranked_tables_carry_the_top_rows_and_say_where_the_rest_are(
    every_format: dict[str, RunOutcome],
) -> None:
    for outcome in every_format.values():
        recs = outcome.result.recommendations
        assert len(recs) > PRINTED_ROWS
        printed = _pdf_text(_files(outcome)["engineering_lead.pdf"])
        assert f"lists the {PRINTED_ROWS} highest-ranked of {len(recs)} items" in printed
        assert recs[PRINTED_ROWS - 1].id in printed
        assert recs[PRINTED_ROWS].id not in printed


def test_the_executive_summary_prints_on_one_page(every_format: dict[str, RunOutcome]) -> None:
    for example, outcome in every_format.items():
        document = pdfium.PdfDocument(_files(outcome)["executive.pdf"])
        assert len(document) == 1, example
        document.close()
