"""PDFs from the reports' HTML pages with WeasyPrint (print media: the page rules of the report stylesheet).

WeasyPrint is pure-Python layout and CPU-bound, so several reports are laid out in parallel worker
processes. They are forked from a fork server with WeasyPrint already imported, so a worker starts in
milliseconds, and never from the caller itself: the API and the workers have threads (the run loop, the
database driver) and broker connections whose locks and at-fork handlers a forked child would inherit
mid-use and wait on forever. Where that is not possible (not Linux, a daemonic process, one core, one
page) the reports are rendered one after another.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import structlog

log = structlog.get_logger()


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def render_pdfs(pages: dict[str, str]) -> dict[str, bytes]:
    """One PDF per page, in the order of `pages`.

    WeasyPrint's warnings (the HarfBuzz subsetter it would prefer, CSS it ignores) are raised to ERROR:
    they are deployment notes, not news on every report.
    """
    import weasyprint

    logging.getLogger(weasyprint.__name__).setLevel(logging.ERROR)
    workers = min(len(pages), os.cpu_count() or 1)
    if workers < 2 or not _can_fork():
        return {kind: html_to_pdf(html) for kind, html in pages.items()}
    largest_first = sorted(pages, key=lambda kind: _layout_cost(pages[kind]), reverse=True)
    try:
        with ProcessPoolExecutor(workers, mp_context=_fork_server()) as pool:
            futures = {kind: pool.submit(html_to_pdf, pages[kind]) for kind in largest_first}
            done = {kind: future.result() for kind, future in futures.items()}
    except BrokenProcessPool:
        log.warning("reports.pdf_workers_lost", fallback="sequential")
        return {kind: html_to_pdf(html) for kind, html in pages.items()}
    return {kind: done[kind] for kind in pages}


def _layout_cost(html: str) -> int:
    """How long a page takes to lay out, relatively: WeasyPrint's time goes by table cells and lines of
    text, while an inline chart is long markup that lays out quickly."""
    return html.count("<td") + html.count("<li") + html.count("<p>")


def _fork_server() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__, "weasyprint"])
    return context


def _can_fork() -> bool:
    return sys.platform == "linux" and not multiprocessing.current_process().daemon
