"""Text reaches a Markdown report as text, never as markup.

Company and workload names, goals and the agents' sentences that quote them are written into the Markdown
templates; a `<script>`, an image `![x](https://…)` or a `[link](javascript:…)` in them would be live in a
viewer that renders the Markdown, and the image also in the HTML edition. Every `{{ … }}` of a Markdown
template is therefore escaped: the characters that open raw HTML, entities, links, images, code spans and
table cells get a backslash, which a Markdown viewer removes. What is Markdown already (chart markers, the
Terraform block, escaped cells and narratives) is marked `MarkdownSource` and passes as it is.
"""

from __future__ import annotations

from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context

_MARKUP = str.maketrans({c: f"\\{c}" for c in "\\`<>&[]|"})
_MARKDOWN_TEMPLATE = ".md.j2"


class MarkdownSource(str):
    """Markdown written by our code, to be kept as markup."""


def escaped(text: str) -> MarkdownSource:
    return MarkdownSource(text.translate(_MARKUP))


def table_cell(value: Any) -> MarkdownSource:
    return MarkdownSource(escaped(str(value)).replace("\n", " "))


@pass_context
def escape_expression(context: Context, value: Any) -> Any:
    """The environment's `finalize`: HTML templates (the page around the Markdown) are left alone."""
    if isinstance(value, MarkdownSource) or not isinstance(value, str):
        return value
    if context.name is None or not context.name.endswith(_MARKDOWN_TEMPLATE):
        return value
    return escaped(value)
