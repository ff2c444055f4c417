"""Writes a run's outputs atomically: a file is either complete or absent, never half-written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from infra_mind.engine.pipeline import RunOutcome

RESULT_FILE = "assessment.json"


def write_outputs(outcome: RunOutcome, out: Path, *, include_reports: bool) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, str | bytes] = {RESULT_FILE: outcome.result.model_dump_json(indent=2)}
    if include_reports:
        files |= {report.filename: report.content for report in outcome.reports}
    written = []
    for name, content in files.items():
        target = out / name
        atomic_write(target, content)
        written.append(target)
    return written


def atomic_write(target: Path, content: str | bytes) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
