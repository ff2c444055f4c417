"""Which catalog category an EC2 instance family belongs to, read from the family's name prefix."""

from __future__ import annotations

import re

from infra_mind.knowledge.models import InstanceCategory

_RULES: tuple[tuple[re.Pattern[str], InstanceCategory | None], ...] = (
    (re.compile(r"^(inf|trn|dl)\d"), InstanceCategory.GPU),
    (re.compile(r"^hpc\d"), InstanceCategory.COMPUTE),
    (re.compile(r"^(mac|f|vt)\d"), None),
    (re.compile(r"^(u-|u\d|x\d|z\d|r\d)"), InstanceCategory.MEMORY),
    (re.compile(r"^(im|is|i|d|h)\d"), InstanceCategory.STORAGE),
    (re.compile(r"^(p|g)\d"), InstanceCategory.GPU),
    (re.compile(r"^t\d"), InstanceCategory.BURSTABLE),
    (re.compile(r"^c\d"), InstanceCategory.COMPUTE),
    (re.compile(r"^(m|a)\d"), InstanceCategory.GENERAL),
)
"""Order matters: longer prefixes first (inf before i, hpc before h, trn before t, mac before m). Mac
(dedicated hosts only), FPGA (f*) and video transcoding (vt*) fit no catalog category and are skipped."""


def family_of(instance_type: str) -> str:
    return instance_type.split(".", 1)[0]


def category_of(family: str) -> InstanceCategory | None:
    for pattern, category in _RULES:
        if pattern.match(family):
            return category
    return None
