"""Every state-changing URL, POSTed by every role with the ids of another force's records
(issue 13: the URL × role test extended to POST). Each answers 403 or 404 when the id is in
the address, a form error when it is in the body, and nothing is written either way."""

from __future__ import annotations

from datetime import date

import pytest
from django.apps import apps
from django.urls import reverse

from courses.models import Booking, Offering, Status
from people.models import Deployment
from people.models.directory import DirectoryRequest
from skills.actions import services as actions
from tests.factories import ActivityFactory, completed
from tests.skills.conftest import expectation

# Roles with a force of their own: the Norfolk side, and the Kent outsider.
NORFOLK_SIDE = ("officer", "coordinator", "chief_officer", "regional_lead")
ROLES = (*NORFOLK_SIDE, "outsider")


@pytest.fixture
def world(cast):
    """For each side, a record of every kind the register changes."""
    course = ActivityFactory(code="POST-COURSE", title="Post check course")
    afi = expectation("HMICFRS-2019-CYBER AFI 1", "Evaluate the use of cyber specials.")
    sides = {}
    for side, person, unit, coordinator, owner in (
        ("norfolk", cast.colleague, cast.norfolk_unit, cast.coordinator, cast.chief),
        ("kent", cast.kent_person, cast.kent_unit, cast.outsider, cast.outsider),
    ):
        plan = actions.create_plan(force=unit.forces.get(), expectation=afi, owner=owner, by=owner)
        sides[side] = {
            "person": person,
            "completion": completed(person, course, date(2025, 1, 10), status=Status.PENDING),
            "deployment": Deployment.objects.create(
                person=person, unit=unit, deployed_on=date(2025, 1, 4), hours=3, task="Talk"
            ),
            "request": DirectoryRequest.objects.create(
                person=person, requested_by=coordinator, message="Help"
            ),
            "plan": plan,
            "action": actions.add_action(
                plan=plan, reference="1", title="Survey", due_on=date(2025, 3, 31), by=owner
            ),
            "force": unit.forces.get().code,
        }
        offering = Offering.objects.create(
            activity=course, starts_on=date(2025, 5, 19), ends_on=date(2025, 5, 20), places=2,
            owner_force=unit.forces.get(), location="Here",
        )  # fmt: skip
        sides[side]["booking"] = Booking.objects.create(offering=offering, person=person)
    sides["course"] = course
    sides["expectation"] = afi
    return sides


# name -> (url kwargs from the other side's records, POST body, where the foreign id is)
POSTS = {
    "courses:record_completion": (
        lambda o, w: {"person_pk": o["person"].pk},
        lambda o, w: {"activity": w["course"].pk, "completed_on": "2025-01-01"},
        "url",
    ),
    "courses:correct_completion": (
        lambda o, w: {"pk": o["completion"].pk},
        lambda o, w: {"completed_on": "2025-01-02", "reason": "typo"},
        "url",
    ),
    "courses:withdraw_completion": (
        lambda o, w: {"pk": o["completion"].pk},
        lambda o, w: {"reason": "entered twice"},
        "url",
    ),
    "courses:review_completion": (
        lambda o, w: {"pk": o["completion"].pk},
        lambda o, w: {"decision": "verify", "note": "fine"},
        "url",
    ),
    "courses:record_cohort": (
        lambda o, w: {},
        lambda o, w: {
            "activity": w["course"].pk,
            "people": [o["person"].pk],
            "completed_on": "2025-01-01",
        },
        "body",
    ),
    "people:invite": (
        lambda o, w: {"pk": o["person"].pk},
        lambda o, w: {"email": "new.login@example.com"},
        "url",
    ),
    "deployments:record": (
        lambda o, w: {},
        lambda o, w: {
            "person": o["person"].pk,
            "deployed_on": "2025-01-05",
            "hours": "2",
            "task": "Talk",
        },
        "body",
    ),
    "deployments:confirm": (lambda o, w: {"pk": o["deployment"].pk}, lambda o, w: {}, "url"),
    "deployments:reject": (
        lambda o, w: {"pk": o["deployment"].pk},
        lambda o, w: {"reason": "Not on duty"},
        "url",
    ),
    "courses:booking_attended": (lambda o, w: {"pk": o["booking"].pk}, lambda o, w: {}, "url"),
    "courses:offering_cancel": (
        lambda o, w: {"pk": o["booking"].offering_id},
        lambda o, w: {"note": "Trainer ill"},
        "url",
    ),
    "directory:request_help": (
        lambda o, w: {"pk": o["person"].pk},  # not listed in the directory
        lambda o, w: {"message": "Help in May"},
        "url",
    ),
    "directory:request_detail": (
        lambda o, w: {"pk": o["request"].pk},
        lambda o, w: {"decision": "accept", "note": "yes"},
        "url",
    ),
    "actions:plan_new": (
        lambda o, w: {"code": o["force"]},
        lambda o, w: {"expectation": w["expectation"].pk, "owner": "chief@norfolk.police.uk"},
        "url",
    ),
    "actions:plan_detail": (
        lambda o, w: {"pk": o["plan"].pk},
        lambda o, w: {"reference": "9", "title": "Other", "due_on": "31/03/2025"},
        "url",
    ),
    "actions:action_detail": (
        lambda o, w: {"pk": o["action"].pk},
        lambda o, w: {"on": "01/03/2025", "status": "closed", "text": "Done"},
        "url",
    ),
}


def _rows() -> dict[str, int]:
    """Row counts of every model of the register's apps, history tables included."""
    return {
        m._meta.label: m._default_manager.count()
        for app in ("people", "courses", "skills")
        for m in apps.get_app_config(app).get_models()
    }


def _snapshot(world) -> list:
    """The state of the records the POSTs aim at (a change without a new row shows here)."""
    out = []
    for side in ("norfolk", "kent"):
        s = world[side]
        for obj in (s["completion"], s["deployment"], s["request"], s["plan"], s["action"]):
            obj.refresh_from_db()
            out.append({k: v for k, v in vars(obj).items() if not k.startswith("_")})
    return out


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(POSTS))
def test_a_post_with_another_forces_ids_is_refused_and_writes_nothing(
    client, cast, world, name, role
):
    url_kwargs, body, where = POSTS[name]
    other = world["kent"] if role in NORFOLK_SIDE else world["norfolk"]
    client.raise_request_exception = False
    client.force_login(cast.users()[role])
    before, state = _rows(), _snapshot(world)
    response = client.post(reverse(name, kwargs=url_kwargs(other, world)), body(other, world))
    if where == "url":
        assert response.status_code in (403, 404), (name, role, response.status_code)
    else:
        assert response.status_code in (200, 400, 403, 404), (name, role, response.status_code)
    assert _rows() == before, (name, role)
    assert _snapshot(world) == state, (name, role)


def test_every_state_changing_url_with_an_id_is_in_the_post_suite():
    """A new POST view taking an id must join POSTS (or say here why it need not)."""
    from tests.test_url_access import RULES

    not_by_id = {
        "directory:my_entry": "the signed-in person's own entry; no id",
        "courses:submit_completion": "the signed-in person's own record; no id",
        "courses:import_confirm": "import pipeline: tests/hostile/test_imports.py",
        "courses:import_upload": "import pipeline: tests/hostile/test_imports.py",
        "actions:import_upload": "a file, checked row by row in tests/skills/test_actions.py",
        "actions:import_confirm": "a token bound to the uploader's session",
    }
    # Namespaces of the register's own records; sign-in and identity pages hold no record ids.
    mine = ("courses:", "people:", "deployments:", "directory:", "actions:", "me:", "skills:")
    posted = {
        name for name, rule in RULES.items() if rule.method == "post" and name.startswith(mine)
    }
    missing = posted - POSTS.keys() - not_by_id.keys()
    assert not missing, f"POST views missing from the hostile POST suite: {sorted(missing)}"
