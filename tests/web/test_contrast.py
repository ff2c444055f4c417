"""The UI's text colours against their backgrounds meet WCAG 2.x AA (4.5:1 for body text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).parents[2] / "src" / "infra_mind" / "web" / "static" / "app.css"
AA_TEXT = 4.5
PAIRS = [
    ("ink", "paper"),
    ("ink", "canvas"),
    ("muted", "paper"),
    ("muted", "canvas"),
    ("brand", "paper"),
    ("brand", "canvas"),
    ("brand-ink", "brand"),
    ("ok", "paper"),
    ("warn", "paper"),
    ("bad", "paper"),
    ("info", "paper"),
]


def _palette() -> dict[str, str]:
    root = re.search(r":root\s*{(.*?)}", CSS.read_text(), re.S)
    assert root is not None
    return dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", root.group(1)))


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_the_formula_matches_wcags_extremes() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_text_colours_meet_aa(text: str, background: str) -> None:
    palette = _palette()
    assert contrast(palette[text], palette[background]) >= AA_TEXT
