"""Who may open each actions: URL (format: tests/access.py).

Norfolk's plans are read by Norfolk's coordinator and chief officer, the Eastern regional
lead, the national lead and the administrator; the Kent outsider gets 404, officers 403.
Changing (new plan) is for coordinators and chief officers only: leads get 403."""

from __future__ import annotations

from datetime import date

from tests.access import Rule

NORFOLK_READERS = frozenset(
    {"coordinator", "chief_officer", "regional_lead", "national_lead", "admin"}
)
NORFOLK_EDITORS = frozenset({"coordinator", "chief_officer", "admin"})
READERS = NORFOLK_READERS | {"outsider"}
IMPORTERS = NORFOLK_EDITORS | {"outsider"}


def _plan(cast):
    from skills.actions import services as actions
    from tests.skills.conftest import expectation

    plan = actions.create_plan(
        force=cast.norfolk,
        expectation=expectation("HMICFRS-2019-CYBER AFI 1"),
        owner=cast.chief,
        by=cast.coordinator,
    )
    action = actions.add_action(
        plan=plan, reference="1", title="Survey", due_on=date(2025, 3, 31), by=cast.coordinator
    )
    return plan, action


def _norfolk(cast):
    return {"code": "norfolk"}


RULES = {
    "actions:index": Rule(allowed=READERS),
    "actions:force": Rule(allowed=NORFOLK_READERS, kwargs=_norfolk),
    "actions:plan_new": Rule(allowed=NORFOLK_EDITORS, kwargs=_norfolk),
    "actions:export": Rule(allowed=NORFOLK_READERS, kwargs=_norfolk, query="format=csv"),
    # The expectation is catalogue data: every reader sees it, each with only their forces.
    "actions:expectation": Rule(
        allowed=READERS, kwargs=lambda c: {"pk": _plan(c)[0].expectation_id}
    ),
    "actions:plan_detail": Rule(allowed=NORFOLK_READERS, kwargs=lambda c: {"pk": _plan(c)[0].pk}),
    "actions:action_detail": Rule(allowed=NORFOLK_READERS, kwargs=lambda c: {"pk": _plan(c)[1].pk}),
    "actions:import_upload": Rule(allowed=IMPORTERS),
    # An upload token belongs to one session: anyone else's (here, none) is not found.
    # tests/skills/test_actions.py follows a real upload through preview and confirm.
    "actions:import_preview": Rule(allowed=frozenset(), kwargs=lambda c: {"token": "nope"}),
    "actions:import_confirm": Rule(
        allowed=frozenset(), kwargs=lambda c: {"token": "nope"}, method="post"
    ),
}
