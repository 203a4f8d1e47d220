"""Who may open "Schedule a target change" (format: tests/access.py).

Chief officers schedule changes to the units their grants reach (the administrator to any);
everyone else, with no chief officer grant, gets 403."""

from __future__ import annotations

from tests.access import Rule

RULES = {
    "skills:target_schedule": Rule(
        allowed=frozenset({"chief_officer", "admin"}), kwargs=lambda c: {"code": "NOR-CCU"}
    ),
}
