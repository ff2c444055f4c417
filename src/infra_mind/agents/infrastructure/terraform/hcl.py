"""A small HCL writer: blocks, attributes and expressions, laid out the way `terraform fmt` lays them out."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeAlias

_INDENT = "  "
_INLINE_LIST_WIDTH = 100
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_LONE_INTERPOLATION = re.compile(r"^\$\{([^{}]*)\}$")


@dataclass(frozen=True)
class Expr:
    """An HCL expression written as is: references, function calls, templates."""

    text: str


@dataclass(frozen=True)
class Comment:
    text: str


Value: TypeAlias = "str | int | float | bool | Expr | list[Value] | dict[str, Value]"
Item: TypeAlias = "tuple[str, Value] | Block | Comment"


@dataclass(frozen=True)
class Block:
    type: str
    labels: tuple[str, ...] = ()
    body: tuple[Item, ...] = ()


def block(type_: str, *labels: str, body: Iterable[Item | None] = ()) -> Block:
    """A block; `None` items are dropped so optional attributes can be written inline."""
    return Block(type_, labels, tuple(item for item in body if item is not None))


def ref(*parts: str) -> Expr:
    return Expr(".".join(parts))


def template(text: str) -> Expr:
    """A quoted string template, e.g. template("${var.project}-web"); a lone "${x}" is written as x."""
    lone = _LONE_INTERPOLATION.match(text)
    return Expr(lone.group(1)) if lone else Expr(f'"{text}"')


def render(blocks: Iterable[Block | Comment]) -> str:
    chunks = ["\n".join(_comment_or_block(b)) for b in blocks]
    return "\n\n".join(chunks) + "\n"


def identifier(name: str) -> str:
    """A Terraform name from a free-text name: lower case, underscores, never starting with a digit."""
    slug = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "main"
    return slug if slug[0].isalpha() else f"w_{slug}"


def _comment_or_block(item: Block | Comment) -> list[str]:
    return [f"# {item.text}"] if isinstance(item, Comment) else _block_lines(item, 0)


def _block_lines(b: Block, depth: int) -> list[str]:
    pad = _INDENT * depth
    head = " ".join([b.type, *(_quote(label) for label in b.labels)])
    if not b.body:
        return [f"{pad}{head} {{}}"]
    return [f"{pad}{head} {{", *_body_lines(b.body, depth + 1), f"{pad}}}"]


def _body_lines(items: Iterable[Item], depth: int) -> list[str]:
    pad = _INDENT * depth
    lines: list[str] = []
    run: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(key) for key, _ in run), default=0)
        lines.extend(f"{pad}{key.ljust(width)} = {text}" for key, text in run)
        run.clear()

    for item in items:
        if isinstance(item, Block):
            flush()
            lines += _block_lines(item, depth)
        elif isinstance(item, Comment):
            flush()
            lines.append(f"{pad}# {item.text}")
        else:
            key, value = item
            rendered = _value_lines(value, depth)
            if len(rendered) == 1:
                run.append((_key(key), rendered[0]))
            else:
                flush()
                lines.append(f"{pad}{_key(key)} = {rendered[0]}")
                lines += rendered[1:]
    flush()
    return lines


def _value_lines(value: Value, depth: int) -> list[str]:
    """The value's lines: the first continues the `key = ` line, the rest carry their own indentation."""
    if isinstance(value, dict):
        if not value:
            return ["{}"]
        return ["{", *_body_lines(value.items(), depth + 1), f"{_INDENT * depth}}}"]
    if isinstance(value, list):
        return _list_lines(value, depth)
    return [_scalar(value)]


def _list_lines(values: list[Value], depth: int) -> list[str]:
    items = [_value_lines(v, depth + 1) for v in values]
    inline = "[" + ", ".join(lines[0] for lines in items) + "]"
    if all(len(lines) == 1 for lines in items) and len(inline) <= _INLINE_LIST_WIDTH:
        return [inline]
    pad = _INDENT * (depth + 1)
    lines = ["["]
    for item in items:
        lines.append(pad + item[0])
        lines += item[1:]
        lines[-1] += ","
    return [*lines, f"{_INDENT * depth}]"]


def _scalar(value: str | int | float | bool | Expr) -> str:
    match value:
        case Expr(text=text):
            return text
        case bool():
            return "true" if value else "false"
        case int():
            return str(value)
        case float():
            return f"{value:g}"
    return _quote(value)


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped.replace("${", "$${").replace("%{", "%%{") + '"'


def _key(key: str) -> str:
    return key if _IDENTIFIER.match(key) else _quote(key)
