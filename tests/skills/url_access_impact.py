"""Who may open the impact page of a requirement or target change (format: tests/access.py).

Oversight whose scope includes the Norfolk unit gets the page; the Kent outsider asking for the
Norfolk unit gets 404; the Norfolk officer, with no oversight, 403."""

from __future__ import annotations

from tests.access import Rule

RULES = {
    "skills:requirement_impact": Rule(
        allowed=frozenset(
            {"coordinator", "chief_officer", "regional_lead", "national_lead", "admin"}
        ),
        query="unit=NOR-CCU",
    ),
    # Only who may make requirement and target versions in the admin (the administrator).
    "skills:requirement_impact_catalogue": Rule(allowed=frozenset({"admin"})),
}
