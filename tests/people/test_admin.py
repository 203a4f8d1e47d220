"""Django admin: every page opens for the administrator, and people, postings, completions,
grants and logins cannot be deleted there (withdraw, end or revoke instead)."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib import admin
from django.urls import reverse

from courses.models import Activity, Booking, Completion, Job, JobKind, Offering
from people.models import Deployment, Fund, Grant, Person, Posting, Role, User
from skills.admin import RoleProfileForm
from skills.catalogue import load_catalogue
from skills.models import Expectation, Inspection, ResilienceTarget, RoleProfile
from tests.factories import completed

NO_DELETE = [Person, Posting, Completion, Grant, User, Deployment]


@pytest.fixture
def register(cast):
    """The cast, the shipped catalogue, and one of each remaining kind of record."""
    load_catalogue()
    fund = Fund.objects.create(
        code="ptf", name="Police Transformation Fund", ends_on=date(2020, 3, 31)
    )
    posting = cast.officer.postings.get()
    posting.fund = fund
    posting.save()
    completion = completed(cast.officer, Activity.objects.get(code="COP-DMI"), date(2024, 5, 1))
    Deployment.objects.create(
        person=cast.kent_person, unit=cast.kent_unit, deployed_on=date(2025, 1, 4), hours=6,
        task="Protect talk", recorded_by=cast.admin,
    )  # fmt: skip
    ResilienceTarget.objects.create(
        unit=cast.norfolk_unit, capability_id=ResilienceTarget.objects.first().capability_id,
        level=3, minimum=1,
    )  # fmt: skip
    offering = Offering.objects.create(
        activity=completion.activity, starts_on=date(2025, 5, 19), ends_on=date(2025, 5, 20),
        places=2, owner_force=cast.norfolk, location="Norwich",
    )  # fmt: skip
    Booking.objects.create(offering=offering, person=cast.colleague)
    return {"cast": cast, "completion": completion, "posting": posting}


@pytest.fixture
def admin_client_(client, cast):
    client.force_login(cast.admin)
    return client


def registered_models():
    return sorted(admin.site._registry, key=lambda m: m._meta.label)


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_changelist_and_add_page_opens(register, admin_client_):
    ours = [m for m in registered_models() if m._meta.app_label in {"people", "skills", "courses"}]
    assert {m.__name__ for m in ours} >= {
        "User", "Region", "Force", "Unit", "Person", "Posting", "Fund", "Grant", "Deployment",
        "Inspection", "Expectation", "Capability", "RoleProfile", "ResilienceTarget",
        "Activity", "Completion",
    }  # fmt: skip
    # Records of what ran (background jobs) are read-only: nobody adds one by hand.
    read_only = {"Job"}
    for model in ours:
        assert admin_client_.get(url(model, "changelist")).status_code == 200, model.__name__
        expected = 403 if model.__name__ in read_only else 200
        assert admin_client_.get(url(model, "add")).status_code == expected, model.__name__


def test_every_change_and_history_page_opens(register, admin_client_):
    Job.objects.create(kind=JobKind.REMINDERS, params={"as_of": "2025-03-31"})
    for model in registered_models():
        if model._meta.app_label not in {"people", "skills", "courses"}:
            continue
        obj = model.objects.order_by("pk").first()
        assert obj is not None, model.__name__
        assert admin_client_.get(url(model, "change", obj.pk)).status_code == 200, model.__name__
        assert admin_client_.get(url(model, "history", obj.pk)).status_code == 200, model.__name__


def test_inspection_page_lists_its_expectations_inline(register, admin_client_):
    inspection = Inspection.objects.get(code="HMIC-2015-DIGITAL")

    response = admin_client_.get(url(Inspection, "change", inspection.pk))

    assert response.context["inline_admin_formsets"][0].formset.queryset.count() == 6
    assert "Provide appropriate and continuing training" in response.content.decode()


def test_role_profile_page_lists_its_pathway_in_order(register, admin_client_):
    role = RoleProfile.objects.get(code="CYBER-PURSUE")

    response = admin_client_.get(url(RoleProfile, "change", role.pk))

    formset = response.context["inline_admin_formsets"][0].formset
    assert [form.instance.order for form in formset.forms] == list(range(1, 11))
    assert formset.forms[0].instance.capability.code == "FIRST-RESPONSE"


def test_completions_are_found_by_staff_number(register, admin_client_):
    response = admin_client_.get(url(Completion, "changelist"), {"q": "1234"})

    assert list(response.context["cl"].result_list) == [register["completion"]]
    response = admin_client_.get(url(Completion, "changelist"), {"q": "9999"})
    assert list(response.context["cl"].result_list) == []


@pytest.mark.parametrize("model", NO_DELETE, ids=lambda m: m.__name__)
def test_delete_view_is_refused(register, admin_client_, model):
    obj = model.objects.order_by("pk").first()

    get = admin_client_.get(url(model, "delete", obj.pk))
    post = admin_client_.post(url(model, "delete", obj.pk), {"post": "yes"})

    assert get.status_code == 403
    assert post.status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", NO_DELETE, ids=lambda m: m.__name__)
def test_bulk_delete_action_is_not_offered_and_does_nothing(register, admin_client_, model):
    before = model.objects.count()

    page = admin_client_.get(url(model, "changelist"))
    posted = admin_client_.post(
        url(model, "changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(model.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )

    form = page.context["action_form"]  # None when no action is offered at all
    actions = [value for value, _ in form.fields["action"].choices] if form else []
    assert "delete_selected" not in actions
    assert posted.status_code in (200, 302)
    assert model.objects.count() == before


def test_revoking_grants_keeps_them_on_record(register, admin_client_):
    cast = register["cast"]
    grant = Grant.objects.get(user=cast.coordinator)

    response = admin_client_.post(
        url(Grant, "changelist"), {"action": "revoke", "_selected_action": [grant.pk]}
    )

    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    assert not Grant.objects.active().filter(user=cast.coordinator).exists()
    assert grant.history.first().history_change_reason.startswith("revoked in the admin")


def test_grant_change_list_shows_the_scope(register, admin_client_):
    response = admin_client_.get(url(Grant, "changelist"), {"role__exact": Role.REGIONAL_LEAD})

    assert list(response.context["cl"].result_list) == [
        Grant.objects.get(user=register["cast"].regional_lead)
    ]
    assert "Eastern" in response.content.decode()


def test_administrator_adds_a_login_by_email_without_a_username(register, admin_client_):
    response = admin_client_.post(
        url(User, "add"),
        {
            "email": "new.coordinator@suffolk.police.uk",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="new.coordinator@suffolk.police.uk")
    assert user.check_password("a-long-enough-passphrase")


def test_recording_a_verified_completion_in_the_admin_stamps_who_and_when(register, admin_client_):
    cast = register["cast"]
    activity = Activity.objects.get(code="GIAC-GCFE")

    response = admin_client_.post(
        url(Completion, "add"),
        {
            "person": cast.colleague.pk,
            "activity": activity.pk,
            "completed_on": "2024-06-01",
            "source": Completion.Source.RECORDED,
            "status": Completion.Status.VERIFIED,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    completion = Completion.objects.get(person=cast.colleague, activity=activity)
    assert completion.recorded_by == cast.admin
    assert completion.verified_by == cast.admin
    assert completion.verified_at is not None


@pytest.mark.parametrize("who", ["coordinator", "outsider", "officer"])
def test_people_without_staff_status_are_sent_to_the_admin_login(register, client, who):
    client.force_login(register["cast"].users()[who])

    response = client.get(url(Person, "changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_expectations_are_searchable_for_autocomplete(register, admin_client_):
    response = admin_client_.get(
        reverse("admin:autocomplete"),
        {
            "term": "5.56",
            "app_label": "skills",
            "model_name": "capability",
            "field_name": "expectations",
        },
    )

    assert response.status_code == 200
    texts = [item["text"] for item in response.json()["results"]]
    assert texts == [str(Expectation.objects.get(reference="5.56"))]


def test_role_profile_person_types_are_chosen_from_the_register_values(register):
    role = RoleProfile.objects.get(code="CYBER-SPECIAL")
    assert RoleProfileForm(instance=role)["person_types"].value() == ["special"]

    form = RoleProfileForm(
        data={"code": role.code, "name": role.name, "person_types": ["special", "volunteer"]},
        instance=role,
    )
    assert form.is_valid(), form.errors
    form.save()
    role.refresh_from_db()
    assert role.person_types == ["special", "volunteer"]
    assert not RoleProfileForm(
        data={"code": role.code, "name": role.name, "person_types": ["constable"]}, instance=role
    ).is_valid()


@pytest.mark.parametrize("name", ["Jane\nBcc: all@example.com", "Jane\x00", "Jane\tSmith"])
def test_a_name_with_a_line_break_or_control_character_is_refused(register, admin_client_, name):
    person = register["cast"].colleague
    response = admin_client_.post(
        url(Person, "change", person.pk),
        {
            "force": person.force_id, "staff_number": person.staff_number,
            "person_type": person.person_type, "rank": "", "first_name": name,
            "last_name": person.last_name, "email": "",
            "postings-TOTAL_FORMS": "0", "postings-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "Remove the line break, tab or other control character" in response.content.decode()
    person.refresh_from_db()
    assert person.first_name == "Sam"
