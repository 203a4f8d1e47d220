"""Inspection actions: overdue on the day after the due date, each force's plans kept from
other forces, side-by-side status for leads, import (dry run, all or nothing, idempotent) and
export (formula cells neutralised)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from skills.actions import services as actions
from skills.models.actions import Action, ActionPlan, ActionStatus, ActionUpdate
from tests.skills.conftest import expectation

AFI1 = "HMICFRS-2019-CYBER AFI 1"
DUE = date(2025, 3, 31)


@pytest.fixture
def afi1(db):
    return expectation(AFI1, "Evaluate the use of cyber specials and volunteers.")


@pytest.fixture
def norfolk_plan(cast, afi1):
    plan = actions.create_plan(
        force=cast.norfolk, expectation=afi1, owner=cast.chief, by=cast.coordinator
    )
    return plan


@pytest.fixture
def norfolk_action(norfolk_plan, cast):
    return actions.add_action(
        plan=norfolk_plan,
        reference="1",
        title="Survey specials' hours",
        due_on=DUE,
        by=cast.coordinator,
    )


@pytest.fixture
def kent_action(cast, afi1):
    plan = actions.create_plan(
        force=cast.kent, expectation=afi1, owner=cast.outsider, by=cast.outsider
    )
    return actions.add_action(
        plan=plan, reference="K1", title="Kent only", due_on=DUE, by=cast.outsider
    )


# --- overdue -------------------------------------------------------------------------------


def test_an_action_becomes_overdue_the_day_after_its_due_date(norfolk_action):
    assert norfolk_action.is_overdue_on(date(2025, 3, 30)) is False
    assert norfolk_action.is_overdue_on(date(2025, 3, 31)) is False
    assert norfolk_action.is_overdue_on(date(2025, 4, 1)) is True
    late = Action.objects.filter(actions.overdue_q(date(2025, 4, 1)))
    assert list(late) == [norfolk_action]
    assert not Action.objects.filter(actions.overdue_q(date(2025, 3, 31))).exists()


def test_a_closed_action_is_never_overdue(norfolk_action, cast):
    actions.add_update(
        action=norfolk_action,
        on=date(2025, 4, 5),
        text="Done",
        status=ActionStatus.CLOSED,
        by=cast.coordinator,
    )
    norfolk_action.refresh_from_db()
    assert norfolk_action.closed_on == date(2025, 4, 5)
    assert norfolk_action.is_overdue_on(date(2025, 6, 1)) is False
    assert actions.action_reminders_due(date(2025, 6, 1)) == []


def test_the_owner_is_told_an_action_is_due_soon_then_overdue_from_the_day_after_due(
    norfolk_action, cast
):
    assert actions.action_reminders_due(date(2025, 3, 16)) == []  # 15 days before
    [soon] = actions.action_reminders_due(date(2025, 3, 17))
    assert (soon.kind, soon.email, soon.about_on) == ("due_soon", "chief@norfolk.police.uk", DUE)
    [(kind, text)] = [(i.kind, i.text) for i in actions.action_reminders_due(DUE)]
    assert kind == "due_soon"
    [late] = actions.action_reminders_due(date(2025, 4, 1))
    assert late.kind == "overdue"
    assert late.text == (
        "Norfolk Constabulary, HMICFRS 2019 AFI 1, action 1: Survey specials' hours "
        "(due 31 March 2025, overdue)"
    )


# --- who sees and changes what --------------------------------------------------------------


def test_a_force_lead_of_one_force_can_neither_read_nor_change_another_forces_actions(
    cast, client, norfolk_action, kent_action
):
    client.force_login(cast.chief)  # Norfolk's chief officer
    plan_url = reverse("actions:plan_detail", args=[kent_action.plan_id])
    action_url = reverse("actions:action_detail", args=[kent_action.pk])
    for url in (
        plan_url,
        action_url,
        reverse("actions:force", args=["kent"]),
        reverse("actions:export", args=["kent"]),
        reverse("actions:plan_new", args=["kent"]),
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        action_url,
        {
            "form": "update",
            "update-on_0": "1",
            "update-on_1": "4",
            "update-on_2": "2025",
            "update-status": "closed",
        },
    )
    assert response.status_code == 404
    response = client.post(
        plan_url,
        {"reference": "2", "title": "x", "due_on_0": "1", "due_on_1": "5", "due_on_2": "2025"},
    )
    assert response.status_code == 404
    kent_action.refresh_from_db()
    assert kent_action.status == ActionStatus.OPEN
    assert kent_action.plan.actions.count() == 1

    # The Kent outsider likewise cannot reach Norfolk's.
    client.force_login(cast.outsider)
    assert client.get(reverse("actions:action_detail", args=[norfolk_action.pk])).status_code == 404


def test_coordinators_and_chief_officers_change_their_forces_actions(cast, client, norfolk_action):
    client.force_login(cast.chief)
    url = reverse("actions:action_detail", args=[norfolk_action.pk])
    response = client.post(
        url,
        {
            "form": "update",
            "update-on_0": "20",
            "update-on_1": "3",
            "update-on_2": "2025",
            "update-status": "evidence_submitted",
            "update-text": "Survey report attached",
        },
    )
    assert response.status_code == 302
    response = client.post(
        url,
        {
            "form": "evidence",
            "evidence-kind": "report",
            "evidence-unit_code": "NOR-CCU",
            "evidence-as_of_0": "31",
            "evidence-as_of_1": "3",
            "evidence-as_of_2": "2025",
        },
    )
    assert response.status_code == 302
    norfolk_action.refresh_from_db()
    assert norfolk_action.status == ActionStatus.EVIDENCE_SUBMITTED
    update = ActionUpdate.objects.get()
    assert (update.on, update.text) == (
        date(2025, 3, 20),
        "Status: evidence submitted. Survey report attached",
    )
    link = norfolk_action.evidence_links.get()
    assert link.url == "/units/NOR-CCU/report/?as_of=2025-03-31"
    assert "/units/NOR-CCU/report/?as_of=2025-03-31" in client.get(url).content.decode()
    # An update that neither says anything nor changes the status is refused.
    response = client.post(
        url,
        {
            "form": "update",
            "update-on_0": "21",
            "update-on_1": "3",
            "update-on_2": "2025",
            "update-status": "evidence_submitted",
        },
    )
    assert response.status_code == 400
    assert "Say what changed, or choose a new status" in response.content.decode()
    assert ActionUpdate.objects.count() == 1


def test_leads_read_but_do_not_change_and_officers_are_refused(cast, client, norfolk_action):
    url = reverse("actions:action_detail", args=[norfolk_action.pk])
    for lead in (cast.regional_lead, cast.national_lead):
        client.force_login(lead)
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            {
                "form": "update",
                "update-on_0": "1",
                "update-on_1": "4",
                "update-on_2": "2025",
                "update-status": "closed",
            },
        )
        assert response.status_code == 403
    client.force_login(cast.officer_user)
    assert client.get(url).status_code == 403
    assert client.get(reverse("actions:index")).status_code == 403
    norfolk_action.refresh_from_db()
    assert norfolk_action.status == ActionStatus.OPEN


def test_the_force_view_lists_open_actions_and_flags_the_overdue(cast, client, norfolk_action):
    client.force_login(cast.coordinator)
    response = client.get(reverse("actions:force", args=["norfolk"]))
    content = response.content.decode()
    # DUE is in the past for the real today, so the open action is overdue.
    assert "Survey specials&#x27; hours" in content
    assert "Overdue" in content
    assert "1 action overdue today" in content


def test_a_regional_lead_sees_the_forces_of_their_region_side_by_side(
    cast, client, afi1, norfolk_action, kent_action
):
    lines = actions.status_by_force(user=cast.regional_lead, expectation=afi1, as_of=DUE)
    assert [(s.force, s.total, s.overdue, s.plan_id is not None) for s in lines] == [
        ("Norfolk Constabulary", 1, 0, True),
        ("Suffolk Constabulary", 0, 0, False),
    ]
    lines = actions.status_by_force(
        user=cast.national_lead, expectation=afi1, as_of=date(2025, 4, 1)
    )
    assert [(s.force, s.overdue) for s in lines] == [
        ("Kent Police", 1),
        ("Norfolk Constabulary", 1),
        ("Suffolk Constabulary", 0),
    ]
    actions.add_update(
        action=norfolk_action,
        on=date(2025, 3, 1),
        text="Started",
        status=ActionStatus.IN_PROGRESS,
        by=cast.coordinator,
    )
    [norfolk, _] = actions.status_by_force(user=cast.regional_lead, expectation=afi1, as_of=DUE)
    assert (norfolk.opened, norfolk.in_progress, norfolk.closed, norfolk.open) == (0, 1, 0, 1)
    client.force_login(cast.regional_lead)
    content = client.get(reverse("actions:expectation", args=[afi1.pk])).content.decode()
    assert "Norfolk Constabulary" in content and "Kent Police" not in content
    assert "Suffolk Constabulary (no plan recorded)" in content


# --- import and export ---------------------------------------------------------------------

HEADER = "force,inspection,expectation,owner,action,title,due_on,status\n"


def _csv(*rows: str) -> io.BytesIO:
    return io.BytesIO((HEADER + "".join(r + "\n" for r in rows)).encode())


GOOD = [
    "norfolk,HMICFRS-2019-CYBER,AFI 1,chief@norfolk.police.uk,1,Survey hours,2025-03-31,open",
    "norfolk,HMICFRS-2019-CYBER,AFI 1,chief@norfolk.police.uk,2,Report to DCC,31/05/2025,"
    "in progress",
]


def test_a_dry_run_shows_what_would_change_and_writes_nothing(cast, afi1):
    preview = actions.preview_actions(_csv(*GOOD), filename="a.csv", user=cast.coordinator)
    assert (preview.rows, preview.created, preview.changed, preview.errors) == (2, 2, 0, [])
    assert preview.to_create[0] == (
        "Row 2: Norfolk Constabulary, HMICFRS 2019 AFI 1, action 1 (new action, new plan)"
    )
    assert not ActionPlan.objects.exists() and not Action.objects.exists()


def test_an_import_with_one_bad_row_imports_nothing(cast, afi1):
    rows = [
        *GOOD,
        "kent,HMICFRS-2019-CYBER,AFI 1,chief@norfolk.police.uk,3,Not ours,2025-03-31,open",
        "norfolk,HMICFRS-2019-CYBER,AFI 9,chief@norfolk.police.uk,4,No such,2025-03-31,open",
        "norfolk,HMICFRS-2019-CYBER,AFI 1,nobody@x.uk,5,Bad owner,2025-13-01,finished",
    ]
    with pytest.raises(actions.ImportHasErrors) as caught:
        actions.import_actions(_csv(*rows), filename="a.csv", user=cast.coordinator)
    errors = [str(e) for e in caught.value.preview.errors]
    assert errors == [
        "Row 4, force: you cannot change Kent Police's actions",
        "Row 5, expectation: no expectation AFI 9 in inspection HMICFRS-2019-CYBER",
        "Row 6, due_on: “2025-13-01” is not a date: use 2025-03-14 or 14/03/2025",
        "Row 6, status: “finished”: use open, in progress, evidence submitted or closed",
        "Row 6, owner: no login with email nobody@x.uk in Norfolk Constabulary: "
        "the owner must have a login there",
    ]
    assert not ActionPlan.objects.exists() and not Action.objects.exists()


def test_importing_the_same_file_twice_changes_nothing_the_second_time(cast, afi1):
    first = actions.import_actions(_csv(*GOOD), filename="a.csv", user=cast.coordinator)
    assert (first.created, first.changed, first.unchanged) == (2, 0, 0)
    second = actions.import_actions(_csv(*GOOD), filename="a.csv", user=cast.coordinator)
    assert (second.created, second.changed, second.unchanged) == (0, 0, 2)
    plan = ActionPlan.objects.get()
    assert (plan.force, plan.owner) == (cast.norfolk, cast.chief)
    assert list(plan.actions.values_list("reference", "due_on", "status")) == [
        ("1", date(2025, 3, 31), "open"),
        ("2", date(2025, 5, 31), "in_progress"),
    ]


def test_an_exported_file_imports_back_unchanged(cast, norfolk_action):
    formula = actions.add_action(
        plan=norfolk_action.plan,
        reference="2",
        title="=SUM(A1:A2) hours surveyed",
        due_on=DUE,
        by=cast.coordinator,
    )
    for export in (actions.export_csv, actions.export_xlsx):
        data = export(Action.objects.all(), DUE)
        name = "x.csv" if export is actions.export_csv else "x.xlsx"
        result = actions.import_actions(io.BytesIO(data), filename=name, user=cast.coordinator)
        assert (result.created, result.changed, result.unchanged) == (0, 0, 2)
    formula.refresh_from_db()
    assert formula.title == "=SUM(A1:A2) hours surveyed"


def test_export_neutralises_formula_cells(cast, norfolk_plan):
    actions.add_action(
        plan=norfolk_plan,
        reference="9",
        title='=HYPERLINK("http://x","y")',
        due_on=DUE,
        by=cast.coordinator,
    )
    rows = list(
        csv.reader(io.StringIO(actions.export_csv(Action.objects.all(), DUE).decode("utf-8-sig")))
    )
    assert rows[0][:3] == ["force", "inspection", "expectation"]
    assert rows[1][5] == '\'=HYPERLINK("http://x","y")'
    sheet = openpyxl.load_workbook(
        io.BytesIO(actions.export_xlsx(Action.objects.all(), DUE))
    ).active
    assert sheet.cell(row=2, column=6).value == '\'=HYPERLINK("http://x","y")'


def test_the_import_command_dry_run_writes_nothing(cast, afi1, tmp_path):
    path = tmp_path / "actions.csv"
    path.write_bytes(_csv(*GOOD).getvalue())
    out = io.StringIO()
    call_command(
        "import_actions", str(path), "--dry-run", "--by", cast.coordinator.email, stdout=out
    )
    assert "2 to create" in out.getvalue()
    assert not Action.objects.exists()
    call_command("import_actions", str(path), "--by", cast.coordinator.email, stdout=out)
    assert Action.objects.count() == 2
    with pytest.raises(CommandError):
        call_command("import_actions", str(path), "--by", cast.regional_lead.email, stdout=out)


def test_the_web_import_previews_then_confirms(cast, client, afi1):
    client.force_login(cast.coordinator)
    upload = io.BytesIO(_csv(*GOOD).getvalue())
    upload.name = "actions.csv"
    response = client.post(reverse("actions:import_upload"), {"file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert preview.context["preview"].created == 2
    assert not Action.objects.exists()
    confirm = client.post(response["Location"] + "confirm/")
    assert confirm.status_code == 302
    assert Action.objects.count() == 2


def test_the_inspection_pack_reads_each_expectations_action_status(
    cast, afi1, norfolk_action, kent_action, django_assert_max_num_queries
):
    with django_assert_max_num_queries(2):
        status = actions.action_status_for_pack(
            force_ids=[cast.norfolk.pk, cast.suffolk.pk], as_of=date(2025, 4, 1)
        )
    [afi] = status.values()
    assert afi.expectation_id == afi1.pk
    assert [(p.force, p.total, p.overdue) for p in afi.plans] == [("Norfolk Constabulary", 1, 1)]
    assert afi.summary == "overdue"
    actions.add_update(
        action=norfolk_action,
        on=date(2025, 4, 2),
        text="Done",
        status=ActionStatus.CLOSED,
        by=cast.coordinator,
    )
    status = actions.action_status_for_pack(force_ids=[cast.norfolk.pk], as_of=date(2025, 4, 3))
    assert status[afi1.pk].summary == "closed"


# --- the owner of a plan (issue 13 point 6) --------------------------------------------------


def _new_plan(client, cast, afi1, owner_email):
    client.force_login(cast.coordinator)
    return client.post(
        reverse("actions:plan_new", args=["norfolk"]),
        {"expectation": afi1.pk, "owner": owner_email},
    )


def test_a_norfolk_plan_does_not_take_a_kent_login_as_its_owner(cast, client, afi1):
    response = _new_plan(client, cast, afi1, cast.outsider.email)
    assert response.status_code == 400
    assert not ActionPlan.objects.exists()


def test_a_login_outside_the_force_reads_exactly_like_an_unknown_one(cast, client, afi1):
    """Nothing on the page tells a Norfolk coordinator that a Kent login exists."""
    kent = _new_plan(client, cast, afi1, cast.outsider.email).content.decode()
    unknown = _new_plan(client, cast, afi1, "nobody@kent.police.uk").content.decode()
    assert (
        f"No login with email {cast.outsider.email} in Norfolk Constabulary: "
        "the owner must have a login there"
    ) in kent
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", kent.replace(cast.outsider.email, "nobody@kent.police.uk")) == (
        token.sub("", unknown)
    )


def test_a_login_of_the_force_may_own_its_plan(cast, client, afi1):
    """The chief (a grant over Norfolk) and an officer whose record is in Norfolk may."""
    assert _new_plan(client, cast, afi1, "CHIEF@norfolk.police.uk").status_code == 302
    assert ActionPlan.objects.get().owner == cast.chief
    assert actions.find_owner(force=cast.norfolk, email=cast.officer_user.email) == (
        cast.officer_user
    )
    assert actions.find_owner(force=cast.kent, email=cast.officer_user.email) is None


def test_an_import_refuses_an_owner_from_another_force_like_an_unknown_one(cast, afi1):
    rows = [
        f"norfolk,HMICFRS-2019-CYBER,AFI 1,{cast.outsider.email},1,Kent owner,2025-03-31,open",
        "norfolk,HMICFRS-2019-CYBER,AFI 1,nobody@kent.police.uk,2,Nobody,2025-03-31,open",
    ]
    with pytest.raises(actions.ImportHasErrors) as caught:
        actions.import_actions(_csv(*rows), filename="a.csv", user=cast.coordinator)
    errors = [str(e) for e in caught.value.preview.errors]
    assert errors == [
        f"Row 2, owner: no login with email {cast.outsider.email} in Norfolk Constabulary: "
        "the owner must have a login there",
        "Row 3, owner: no login with email nobody@kent.police.uk in Norfolk Constabulary: "
        "the owner must have a login there",
    ]
    assert not ActionPlan.objects.exists()
