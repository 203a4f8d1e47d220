"""Who may open each coverage: URL (format: tests/access.py).

The overview, expectations and trend pages are for oversight roles, each seeing their own
scope: Norfolk's coordinator and chief officer, the Eastern regional lead, the national lead,
the administrator, and Kent's coordinator (the outsider, who sees Kent). Officers get 403. A
unit's trend is found only in scope: Kent's coordinator gets 404 for Norfolk's unit."""

from __future__ import annotations

from tests.access import Rule

OVERSIGHT = frozenset(
    {"coordinator", "chief_officer", "regional_lead", "national_lead", "admin", "outsider"}
)
NORFOLK_READERS = OVERSIGHT - {"outsider"}

RULES = {
    "coverage:overview": Rule(allowed=OVERSIGHT),
    "coverage:expectations": Rule(allowed=OVERSIGHT),
    "coverage:trend": Rule(allowed=OVERSIGHT),
    "coverage:unit_trend": Rule(
        allowed=NORFOLK_READERS, kwargs=lambda c: {"code": c.norfolk_unit.code}
    ),
}
