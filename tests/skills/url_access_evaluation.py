"""Who may open each evaluation: URL (format: tests/access.py).

A Norfolk unit's evaluation is read by Norfolk's coordinator and chief officer, the Eastern
regional lead, the national lead and the administrator; officers get 403 and the Kent outsider
404. The pack of Norfolk is for its chief officer and the leads (coordinators 403, Kent 404);
the pack of the Eastern region for its regional lead and the national lead."""

from __future__ import annotations

from tests.access import Rule

NORFOLK_READERS = frozenset(
    {"coordinator", "chief_officer", "regional_lead", "national_lead", "admin"}
)
PACK_READERS = frozenset({"chief_officer", "regional_lead", "national_lead", "admin"})

RULES = {
    "evaluation:unit": Rule(allowed=NORFOLK_READERS, kwargs=lambda c: {"code": "NOR-CCU"}),
    "evaluation:force_pack": Rule(allowed=PACK_READERS, kwargs=lambda c: {"force": "norfolk"}),
    "evaluation:region_pack": Rule(
        allowed=frozenset({"regional_lead", "national_lead", "admin"}),
        kwargs=lambda c: {"code": "eastern"},
    ),
}
