"""Where the fixture files live and the as-of date the tests import them with."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = date(2026, 11, 29)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())
