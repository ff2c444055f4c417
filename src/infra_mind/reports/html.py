"""A report's Markdown as one self-contained HTML page: inline CSS, charts as inline SVG, no scripts.

The Markdown is rendered with raw HTML disabled, so text from the input (company and workload names,
goals) is always escaped; the templates place markers ([[figure:name]], [[screen-only]], [[print-only]])
as paragraphs of their own, which become the charts and the edition blocks after the conversion.
Screen-only blocks hold reference detail that the printed edition (the PDF) replaces with a pointer to the
Markdown, HTML and JSON: the line items of the providers not recommended, each piece of evidence with its
source, the mitigations of every threat, the technical report's copy of the Terraform skeleton.
"""

from __future__ import annotations

import re

from jinja2 import Environment
from markdown_it import MarkdownIt
from markupsafe import escape

from infra_mind.reports.charts import Charts

TITLES = {
    "executive": "executive summary",
    "technical": "technical report",
    "cfo": "cost and scenarios (CFO view)",
    "ciso": "security and compliance (CISO view)",
    "engineering_lead": "build plan (engineering lead view)",
}
_FIGURE = re.compile(r"<p>\[\[figure:(\w+)\]\]</p>\n?")
_TASK = re.compile(r"<li>\[ \] ")
_EDITION = re.compile(r"<p>\[\[(/?)(screen-only|print-only)\]\]</p>")
SCREEN_ONLY = re.compile(r'<div class="screen-only">.*?</div><!-- /screen-only -->', re.DOTALL)


def figure_marker(name: str) -> str:
    """What a template writes where a chart goes; replaced by the chart (or nothing) in the HTML."""
    return f"[[figure:{name}]]"


def markdown_renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def html_page(env: Environment, kind: str, title: str, markdown: str, charts: Charts, md: MarkdownIt) -> str:
    body = _FIGURE.sub(lambda m: _figure(charts, m.group(1)), md.render(markdown))
    body = _TASK.sub('<li class="task">☐ ', body)
    body = _EDITION.sub(_edition, body)
    return env.get_template("page.html.j2").render(kind=kind, title=escape(title), body=body)


def print_edition(html: str) -> str:
    """The page as printed: without the blocks the print stylesheet hides, so the PDF engine never lays
    them out."""
    return SCREEN_ONLY.sub("", html)


def _edition(match: re.Match[str]) -> str:
    closing, name = match.groups()
    if not closing:
        return f'<div class="{name}">'
    return "</div><!-- /screen-only -->" if name == "screen-only" else "</div>"


def _figure(charts: Charts, name: str) -> str:
    chart = charts.get(name)
    if chart is None:
        return ""
    return f'<figure class="chart">\n{chart.svg}<figcaption>{escape(chart.caption)}</figcaption>\n</figure>\n'
