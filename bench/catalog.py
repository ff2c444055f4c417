"""Knowledge-base load time: every catalog read and validated, in a fresh interpreter each time (the cost
a CLI run or a starting worker pays once), and again in the same process (what a reload costs)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from dataclasses import dataclass

_PROBE = """
import json, time
started = time.perf_counter()
from infra_mind.knowledge.catalog import Knowledge
from infra_mind.knowledge.models import Provider
imported = time.perf_counter()
knowledge = Knowledge.load()
loaded = time.perf_counter()
Knowledge.load()
again = time.perf_counter()
records = (
    len(knowledge.all_regions())
    + sum(len(i.prices) for p in Provider for i in knowledge.instances(p))
    + sum(len(knowledge.services(p)) for p in Provider)
)
print(json.dumps({"import_ms": (imported - started) * 1000, "load_ms": (loaded - imported) * 1000,
                  "reload_ms": (again - loaded) * 1000, "priced_records": records}))
"""


@dataclass(frozen=True)
class CatalogFigures:
    repeats: int
    load_ms_median: float
    reload_ms_median: float
    import_ms_median: float
    priced_records: int


def measure(*, repeats: int = 5) -> CatalogFigures:
    samples = [
        json.loads(
            subprocess.run([sys.executable, "-c", _PROBE], check=True, capture_output=True, text=True).stdout
        )
        for _ in range(repeats)
    ]
    return CatalogFigures(
        repeats=repeats,
        load_ms_median=statistics.median(s["load_ms"] for s in samples),
        reload_ms_median=statistics.median(s["reload_ms"] for s in samples),
        import_ms_median=statistics.median(s["import_ms"] for s in samples),
        priced_records=samples[0]["priced_records"],
    )
