"""A report's Markdown as one self-contained HTML page: inline CSS, charts as inline SVG, no scripts.

The Markdown is rendered with raw HTML disabled, so text from the input (company and workload names,
goals) is always escaped; the templates place chart markers ([[figure:name]]) as paragraphs of their own,
which become the charts after the conversion.
"""

from __future__ import annotations

import re

from jinja2 import Environment
from markdown_it import MarkdownIt
from markupsafe import escape

from infra_mind.reports.charts import Charts
from infra_mind.reports.markdown_text import MarkdownSource

TITLES = {
    "executive": "executive summary",
    "technical": "technical report",
    "cfo": "cost and scenarios (CFO view)",
    "ciso": "security and compliance (CISO view)",
    "engineering_lead": "build plan (engineering lead view)",
}
_FIGURE = re.compile(r"<p>\[\[figure:(\w+)\]\]</p>\n?")
_TASK = re.compile(r"<li>\[ \] ")


def figure_marker(name: str) -> MarkdownSource:
    """What a template writes where a chart goes; replaced by the chart (or nothing) in the HTML."""
    return MarkdownSource(f"[[figure:{name}]]")


def markdown_renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def html_page(env: Environment, kind: str, title: str, markdown: str, charts: Charts, md: MarkdownIt) -> str:
    body = _FIGURE.sub(lambda m: _figure(charts, m.group(1)), md.render(markdown))
    body = _TASK.sub('<li class="task">☐ ', body)
    return env.get_template("page.html.j2").render(kind=kind, title=escape(title), body=body)


def _figure(charts: Charts, name: str) -> str:
    chart = charts.get(name)
    if chart is None:
        return ""
    return f'<figure class="chart">\n{chart.svg}<figcaption>{escape(chart.caption)}</figcaption>\n</figure>\n'
