"""``manage.py seed_demo``: the demo register and the national-scale bulk path."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import transaction

from courses.models import Completion, Status
from people.management.demo import DEMO_PASSWORD
from people.models import Deployment, Force, Fund, Grant, Person, PersonType, Posting, Role, Unit
from skills.coverage.engine import build_unit_report
from skills.dates import add_months
from tests.factories import PersonFactory

TODAY = date(2025, 3, 31)


def seed(*args) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--today", TODAY.isoformat(), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(db) -> str:
    return seed()


def counts() -> dict[str, int]:
    models = [Unit, Force, Fund, Person, Posting, Completion, Deployment, Grant, EmailAddress]
    return {m.__name__: m.objects.count() for m in models}


def test_joint_unit_spans_norfolk_and_suffolk_with_a_forensic_unit_inside(demo):
    joint = Unit.objects.get(code="NSJ-CCU")
    assert joint.name == "Norfolk and Suffolk joint cyber crime unit"
    assert joint.kind == "force cyber crime unit"
    assert joint.region.name == "Eastern"
    assert sorted(joint.forces.values_list("name", flat=True)) == [
        "Norfolk Constabulary",
        "Suffolk Constabulary",
    ]
    dfu = Unit.objects.get(code="NSJ-DFU")
    assert (dfu.parent, dfu.kind) == (joint, "digital forensic unit")
    people = Person.objects.in_unit(joint, on=TODAY)
    assert set(people.values_list("force__code", flat=True)) == {"norfolk", "suffolk"}
    assert people.filter(postings__unit=dfu).count() == 7  # the sub-unit's people count too
    assert Unit.objects.get(code="KEN-CCU").region.name == "South East"
    rocu = Unit.objects.get(code="ERSOU-CCU")
    assert (rocu.kind, rocu.region.code, rocu.forces.count()) == (
        "regional cyber crime unit",
        "eastern",
        0,
    )


def test_specialist_team_is_paid_from_a_fund_ending_within_three_months(demo):
    team = Unit.objects.get(code="NOR-SCT")
    assert team.kind == "specialist capability team"
    fund = Fund.objects.get(name="Police Transformation Fund")
    assert fund.ends_on == date(2025, 6, 14)  # 31 March + 75 days
    assert TODAY < fund.ends_on <= add_months(TODAY, 3)
    postings = Posting.objects.filter(unit=team)
    assert postings.count() == 5
    assert set(postings.values_list("fund", flat=True)) == {fund.pk}
    # The day after the fund's last day nobody in the team is counted any more.
    assert Person.objects.in_unit(team, on=fund.ends_on).count() == 5
    assert Person.objects.in_unit(team, on=fund.ends_on + timedelta(days=1)).count() == 0


def test_officer_login_has_met_expiring_pending_rejected_and_withdrawn_records(demo):
    priya = Person.objects.get(email="priya.shah@norfolk.police.uk")
    assert priya.user.email == "priya.shah@norfolk.police.uk"
    records = {
        c.activity.code: c for c in priya.completions.select_related("activity", "verified_by")
    }
    pending = records["CHAINALYSIS-CRC"]
    assert (pending.status, pending.completed_on, pending.certificate_number) == (
        Status.PENDING,
        date(2025, 3, 19),
        "CRC-2291-5530",
    )
    assert pending.verified_at is None
    rejected = records["GIAC-GCIH"]
    assert (rejected.status, rejected.completed_on) == (Status.REJECTED, date(2025, 1, 30))
    assert "not found on the GIAC register" in rejected.status_reason
    assert records["COP-OSINT-FOUND"].status == Status.WITHDRAWN
    expiring = records["VICTIM-CARE-CYBER"]  # 36 months' validity
    assert (expiring.completed_on, expiring.expiry()) == (date(2022, 5, 10), date(2025, 5, 10))
    verified = records["ROCU-CYBER-INV"]
    assert verified.status == Status.VERIFIED
    assert verified.verified_at is not None
    assert verified.verified_by.email == "coordinator@norfolk.police.uk"


def test_register_has_expiring_expired_pending_rejected_and_withdrawn_completions(demo):
    completions = list(Completion.objects.select_related("activity"))
    by_status = {s: [c for c in completions if c.status == s] for s in Status.values}
    assert len(by_status[Status.VERIFIED]) > 0.9 * len(completions) - 5
    assert len(by_status[Status.PENDING]) >= 4
    assert len(by_status[Status.REJECTED]) == 1
    assert len(by_status[Status.WITHDRAWN]) == 1
    assert all(c.verified_at for c in by_status[Status.VERIFIED])
    assert all(c.certificate_number or c.evidence_link for c in by_status[Status.PENDING])
    expiries = [c.expiry() for c in by_status[Status.VERIFIED] if c.expiry()]
    soon = [e for e in expiries if TODAY < e <= TODAY + timedelta(days=90)]
    assert len(soon) >= 4
    assert any(e <= TODAY for e in expiries)
    assert all(c.completed_on <= TODAY for c in completions)


def test_joint_unit_report_shows_single_point_of_failure_and_reliance_on_specials(demo):
    report = build_unit_report(Unit.objects.get(code="NSJ-CCU"), as_of=TODAY)
    malware = [
        s
        for s in report.single_points_of_failure
        if (s.capability.code, s.level) == ("MALWARE-TRIAGE", 2)
    ]
    assert len(malware) == 1
    depended = {(d.capability.code, d.level) for d in report.specials_and_volunteers.depended_on}
    assert ("INCIDENT-RESPONSE", 2) in depended
    holders = Person.objects.in_unit(Unit.objects.get(code="NSJ-CCU"), on=TODAY).filter(
        completions__activity__code="CHAINALYSIS-CRC", completions__status=Status.VERIFIED
    )
    assert [p.person_type for p in holders] == [PersonType.SPECIAL]
    # Some of the joint unit is one lab short of a collection: Priya has 2 of the 3 needed.
    priya = Person.objects.get(email="priya.shah@norfolk.police.uk")
    assert priya.completions.filter(activity__code__startswith="LAB-MAL-").count() == 2


def test_specials_and_volunteers_have_deployments_and_biographies(demo):
    casual = Person.objects.filter(person_type__in=[PersonType.SPECIAL, PersonType.VOLUNTEER])
    assert casual.filter(person_type=PersonType.SPECIAL).count() >= 6
    assert casual.filter(person_type=PersonType.VOLUNTEER).count() >= 4
    deployed = casual.filter(deployments__isnull=False).distinct()
    assert deployed.count() == casual.count()
    year_ago = TODAY - timedelta(days=365)
    assert not Deployment.objects.filter(deployed_on__lt=year_ago).exists()
    six_months_ago = add_months(TODAY, -6)
    idle = [
        p for p in deployed if not p.deployments.filter(deployed_on__gt=six_months_ago).exists()
    ]
    assert len(idle) == 1 and idle[0].person_type == PersonType.SPECIAL
    assert casual.exclude(skills_biography="").count() >= 6
    consenting = Person.objects.filter(directory_consent=True)
    assert consenting.count() == 4
    assert all(p.directory_consent_on for p in consenting)


def test_every_role_has_a_demo_login_that_works(demo):
    logins = {
        "admin@register.local": None,
        "national.lead@register.local": Role.NATIONAL_LEAD,
        "regional.lead@ersou.police.uk": Role.REGIONAL_LEAD,
        "chief.officer@norfolk.police.uk": Role.CHIEF_OFFICER,
        "coordinator@norfolk.police.uk": Role.COORDINATOR,
        "coordinator@kent.police.uk": Role.COORDINATOR,
        "priya.shah@norfolk.police.uk": None,
        "tom.reeve@norfolk.police.uk": None,
    }
    for email, role in logins.items():
        assert email in demo  # printed in the table
        user = authenticate(None, email=email, password=DEMO_PASSWORD)
        assert user is not None, email
        assert EmailAddress.objects.filter(
            user=user, email=email, verified=True, primary=True
        ).exists()
        if role:
            assert list(user.grants.values_list("role", flat=True)) == [role]
    assert DEMO_PASSWORD in demo
    assert authenticate(None, email="admin@register.local", password="wrong-password-1") is None
    admin = authenticate(None, email="admin@register.local", password=DEMO_PASSWORD)
    assert admin.is_superuser and admin.is_staff
    assert Grant.objects.get(role=Role.NATIONAL_LEAD).scope_label == "everything"
    assert Grant.objects.get(user__email="coordinator@kent.police.uk").force.code == "kent"
    special = Person.objects.get(user__email="tom.reeve@norfolk.police.uk")
    assert special.person_type == PersonType.SPECIAL


def test_staff_numbers_are_unique_in_each_force_and_people_have_ranks(demo):
    rows = list(Person.objects.values_list("force__code", "staff_number", "person_type", "rank"))
    assert 60 <= len(rows) <= 90
    assert len({(f, n) for f, n, _, _ in rows}) == len(rows)
    ranks = {t: {r for _, _, pt, r in rows if pt == t} for t in PersonType.values}
    assert ranks["officer"] == {"PC", "DC", "DS", "DI"}
    assert ranks["special"] == {"SC"}
    assert ranks["staff"] == ranks["volunteer"] == {""}
    assert Posting.objects.filter(end__lt=TODAY).count() >= 4
    assert Posting.objects.filter(end__gt=TODAY).exists()


def test_second_run_changes_nothing(demo):
    before = counts()
    out = seed()
    assert "already present" in out
    assert counts() == before
    # `make run` seeds every time: the logins must still be printed for the newcomer.
    assert "Demo logins (password for all:" in out
    assert "priya.shah@norfolk.police.uk" in out


def test_demo_does_not_mix_into_a_register_with_people(db):
    PersonFactory()
    before = counts()
    assert "already holds people" in seed()
    assert counts() == before


def test_same_date_gives_the_same_demo(db):
    def snapshot():
        people = sorted(
            Person.objects.values_list(
                "force__code", "staff_number", "first_name", "last_name", "person_type", "rank"
            )
        )
        completions = sorted(
            Completion.objects.values_list(
                "person__staff_number", "activity__code", "completed_on", "status"
            )
        )
        return people, completions

    with transaction.atomic():
        seed()
        first = snapshot()
        transaction.set_rollback(True)
    assert not Person.objects.exists()
    seed()
    assert snapshot() == first
    assert len(first[1]) > 300


def test_national_scale_bulk_path_creates_people_with_postings_and_completions(db):
    out = seed("--scale", "national", "--people", "2000")
    assert Person.objects.count() == 2000
    assert not Person.objects.filter(postings__isnull=True).exists()
    assert Completion.objects.count() > 2000 * 10
    assert Force.objects.count() == 44  # 43 territorial forces and the NCA
    assert Unit.objects.filter(kind="regional cyber crime unit").count() == 9
    specials = Person.objects.filter(person_type=PersonType.SPECIAL)
    assert Deployment.objects.filter(person__in=specials).exists()
    assert Person.objects.filter(directory_consent=True).exists()
    assert "completions" in out and "Finished in" in out
    # The bulk path kept sequences right: an ordinary insert afterwards works.
    person = Person.objects.create(
        force=Force.objects.get(code="kent"),
        staff_number="X1",
        person_type=PersonType.OFFICER,
        first_name="A",
        last_name="B",
    )
    assert person.pk > max(Person.objects.exclude(pk=person.pk).values_list("pk", flat=True))
    before = counts()
    assert "already present" in seed("--scale", "national", "--people", "2000")
    assert counts() == before


def test_people_option_is_only_for_national_scale(db):
    with pytest.raises(CommandError, match="only to --scale national"):
        seed("--people", "50")
