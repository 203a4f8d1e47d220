"""Who may open the training plan and its "check your answers" page (format: tests/access.py).

Coordinators and chief officers plan for the units they oversee (the administrator for any);
the Kent coordinator asking for the Norfolk unit gets 404; the officer and the regional and
national leads, who neither coordinate nor lead a unit, 403."""

from __future__ import annotations

from tests.access import Rule

PLANNERS = frozenset({"coordinator", "chief_officer", "admin"})

RULES = {
    "skills:plan": Rule(allowed=PLANNERS, query="scope=unit:NOR-CCU"),
    # Nothing chosen: the page says so (the proposals' pairs need a plan; tests/skills and the
    # browser journey open it with bookings chosen).
    "skills:plan_accept": Rule(allowed=PLANNERS, query="scope=unit:NOR-CCU"),
}
