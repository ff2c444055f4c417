from __future__ import annotations

from markdown_it import MarkdownIt

from infra_mind.reports.html import markdown_renderer
from infra_mind.reports.render import make_environment

HOSTILE = "Acme <script>alert(1)</script> ![x](https://evil.example/p) [y](javascript:alert(2)) a|b `c` &amp;"


def _render(source: str, name: str = "probe.md.j2", **values: object) -> str:
    template = make_environment().from_string(source)
    template.name = name
    return template.render(**values)


def test_text_in_a_markdown_template_renders_as_itself_never_as_markup() -> None:
    markdown = _render("# {{ company }}\n\n| name |\n|---|\n| {{ company|cell }} |\n", company=HOSTILE)
    html = markdown_renderer().render(markdown)
    assert "<script" not in html
    assert "<img" not in html
    assert "<a " not in html
    assert "<code>" not in html
    assert html.count("<td>") == 1
    plain = MarkdownIt("commonmark").render(markdown)
    assert "<script" not in plain
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in plain


def test_markdown_our_code_writes_stays_markdown() -> None:
    markdown = _render("{{ figure('costs') }}\n\n{{ block|markdown }}\n", block="```hcl\nx = [1]\n```")
    assert "[[figure:costs]]" in markdown
    assert "```hcl\nx = [1]\n```" in markdown


def test_html_templates_are_not_escaped_as_markdown() -> None:
    assert _render("{{ body }}", name="page.html.j2", body="<p>[a]</p>") == "<p>[a]</p>"
