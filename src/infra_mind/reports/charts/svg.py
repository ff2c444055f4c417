"""Matplotlib figures to self-contained, deterministic SVG that can sit inline in an HTML page.

Figures are built with matplotlib.figure.Figure, never pyplot: no global figure registry, no GUI backend,
nothing needs a display.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BLUE = "#2f5d8a"
LIGHT_BLUE = "#8fb3d9"
RED = "#c0392b"
GREY = "#7f8c8d"
GREEN = "#2e8b57"
SERIES_COLOURS = (GREY, BLUE, RED, "#8e44ad", "#d68910", GREEN)
STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "legend.frameon": False,
    "legend.fontsize": 7,
}
_IDS = re.compile(r'(\bid="|url\(#|href="#)')
_STYLE = re.compile(r'\sstyle="([^"]*)"')


@contextmanager
def chart_style(name: str) -> Iterator[None]:
    """The house style; the hash salt makes matplotlib's generated ids the same on every run."""
    from matplotlib import rc_context

    with rc_context({**STYLE, "svg.hashsalt": name}):
        yield


def new_figure(
    width_in: float, height_in: float, *, left: float = 0.7, bottom: float = 0.45, top: float = 0.3
) -> Figure:
    """A figure with fixed margins in inches: a layout engine would draw every chart several times."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width_in, height_in))
    figure.subplots_adjust(
        left=left / width_in, right=1 - 0.15 / width_in, bottom=bottom / height_in, top=1 - top / height_in
    )
    return figure


def to_svg(figure: Figure, name: str) -> str:
    """The figure as an <svg> element; ids carry the chart name so several charts can share one page."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = _STYLE.sub(_presentation_attributes, svg)
    return _IDS.sub(lambda m: f"{m.group(1)}{name}-", svg)


def _presentation_attributes(match: re.Match[str]) -> str:
    """style="fill: #fff; stroke: none" as fill="#fff" stroke="none": the same drawing for SVG renderers,
    and nothing an HTML stylesheet parser (WeasyPrint's) reads as unknown CSS."""
    declarations = (d.split(":", 1) for d in match.group(1).split(";") if ":" in d)
    return "".join(f' {key.strip()}="{value.strip().strip(chr(39))}"' for key, value in declarations)


def usd_ticks() -> Callable[[float, object], str]:
    def label(value: float, _: object = None) -> str:
        if abs(value) >= 1_000_000:
            return f"${value / 1_000_000:,.1f}M"
        if abs(value) >= 1_000:
            return f"${value / 1_000:,.0f}k"
        return f"${value:,.0f}"

    return label
