"""Who may open the unit resilience report and its downloads (format: tests/access.py).

The Norfolk unit's report is for oversight whose scope includes it: Norfolk's coordinator and
chief officer, the Eastern regional lead, the national lead and the administrator. The Kent
outsider gets 404; the Norfolk officer, though posted to the unit, has no oversight: 403."""

from __future__ import annotations

from tests.access import Rule

NORFOLK_OVERSIGHT = frozenset(
    {"coordinator", "chief_officer", "regional_lead", "national_lead", "admin"}
)


def _norfolk_unit(cast):
    return {"code": cast.norfolk_unit.code}


RULES = {
    "skills:unit_report": Rule(
        allowed=NORFOLK_OVERSIGHT, kwargs=_norfolk_unit, query="as_of=2025-03-31"
    ),
    # The trace of an expectation the unit cites (tests/skills/test_traceability.py); here
    # one it does not cite, which every reader is told in a 404 page.
    "skills:unit_trace": Rule(
        allowed=frozenset(),
        kwargs=_norfolk_unit,
        query="as_of=2025-03-31&expectation=NOT-CITED",
    ),
    "skills:unit_report_download": Rule(
        allowed=NORFOLK_OVERSIGHT,
        kwargs=lambda cast: {"code": cast.norfolk_unit.code, "fmt": "json"},
        query="as_of=2025-03-31",
    ),
}
