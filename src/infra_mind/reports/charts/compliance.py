"""Compliance coverage per framework: controls met today and with the recommended design."""

from __future__ import annotations

from typing import TYPE_CHECKING

from infra_mind.reports.charts.svg import BLUE, LIGHT_BLUE, new_figure
from infra_mind.reports.view import ReportView

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def compliance_coverage(view: ReportView) -> Figure | None:
    if view.compliance is None or not view.compliance.frameworks:
        return None
    rows = []
    for status in view.compliance.frameworks:
        total = status.controls_total or 1
        rows.append((status.framework, 100 * status.met_now / total, 100 * status.met_by_design / total))
    rows.reverse()
    height = 0.35
    figure = new_figure(6.4, 0.9 + 0.45 * len(rows), left=0.8)
    axes = figure.add_subplot()
    positions = range(len(rows))
    axes.barh(
        [p + height / 2 for p in positions], [r[2] for r in rows], height, color=BLUE, label="by design"
    )
    axes.barh(
        [p - height / 2 for p in positions], [r[1] for r in rows], height, color=LIGHT_BLUE, label="now"
    )
    for p, (_, now, design) in zip(positions, rows, strict=True):
        axes.annotate(
            f"{design:.0f} %",
            (design, p + height / 2),
            xytext=(2, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
        axes.annotate(
            f"{now:.0f} %",
            (now, p - height / 2),
            xytext=(2, 0),
            textcoords="offset points",
            va="center",
            fontsize=7,
        )
    axes.set_yticks(list(positions), [r[0] for r in rows])
    axes.set_xlim(0, 110)
    axes.set_xlabel("controls met (%)")
    axes.set_title("Compliance coverage per framework")
    axes.legend(loc="lower right")
    return figure
