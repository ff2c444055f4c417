"""Writing the reports hits a full disk for real: `infra-mind assess --out` on a small tmpfs (ENOSPC).
The command ends with one clear error and exit 1; every file left is complete (the atomic writes leave no
partial file and no temporary one), so nothing half-written passes for a good report.

The server keeps reports as database rows (jobs/outcome.py), so its only disk is the database's own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import EXAMPLES, skip_or_fail_in_ci

pytestmark = pytest.mark.reliability

# assessment.json of the example is about 2.8 MB and its reports about 1.1 MB more: the disk fills on a
# report, after the result has been written.
DISK_SIZE = "3m"
EXIT_ERROR = 1


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mount = shutil.which("mount")
    if mount is None or os.geteuid() != 0:
        skip_or_fail_in_ci("mounting a small tmpfs needs root and mount(8)")
    mounted = subprocess.run(
        [mount, "-t", "tmpfs", "-o", f"size={DISK_SIZE}", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        skip_or_fail_in_ci(f"this machine does not let the tests mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_reports_on_a_full_disk_end_the_command_with_one_error_and_leave_no_partial_file(
    full_disk: Path, tmp_path: Path
) -> None:
    out = full_disk / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "infra_mind.cli",
            "assess",
            str(EXAMPLES / "healthtech-hipaa.yaml"),
            "--out",
            str(out),
            "--format",
            "md,json,csv",
            "--quiet",
        ],
        env={
            **os.environ,
            "INFRA_MIND_DATA_DIR": str(tmp_path / "data"),
            "INFRA_MIND_LLM_CACHE_ENABLED": "false",
        },
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    output = result.stdout + result.stderr
    lines = [line for line in output.splitlines() if line.strip()]
    assert result.returncode == EXIT_ERROR, output
    assert lines == [f"error: cannot write to {out}: No space left on device"], output
    assert "Traceback" not in output
    left = sorted(p.name for p in out.iterdir())
    assert "assessment.json" in left, "the disk was meant to fill on a report, after the result"
    assert len(left) < 12, f"every file was written, the disk never filled: {left}"
    assert not [name for name in left if name.startswith(".")], f"temporary files left: {left}"
    for name in left:
        if name.endswith(".json"):
            json.loads((out / name).read_text(encoding="utf-8"))
        else:
            assert (out / name).read_bytes().rstrip(), name
