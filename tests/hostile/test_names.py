"""Newlines and control characters in names: refused where a name is typed (the admin's
person form), flattened to one line wherever a stored name reaches a mail header, so no email
raises BadHeaderError after its change was saved."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from people.directory import services as directory
from people.forms import refuse_control_characters, single_line
from people.models import Person
from tests.hostile.corpus import CONTROL_NAMES


@pytest.mark.parametrize("name", CONTROL_NAMES, ids=repr)
def test_a_name_with_a_control_character_is_refused_by_the_validator(name):
    with pytest.raises(ValidationError):
        refuse_control_characters(name)


@pytest.mark.parametrize("name", ["Jane Smith", "Zoë O'Brien-Ng", "José María"])
def test_ordinary_names_pass(name):
    refuse_control_characters(name)


@pytest.mark.parametrize("name", CONTROL_NAMES, ids=repr)
def test_the_admin_refuses_a_person_named_with_a_control_character(client, cast, name):
    client.force_login(cast.admin)
    person = cast.colleague
    response = client.post(
        reverse("admin:people_person_change", args=[person.pk]),
        {
            "force": person.force_id, "staff_number": person.staff_number,
            "person_type": person.person_type, "rank": "", "first_name": "Sam",
            "last_name": name, "email": "",
            "postings-TOTAL_FORMS": "0", "postings-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "Remove the line break, tab or other control character" in response.content.decode()
    assert Person.objects.get(pk=person.pk).last_name == "Jones"


@pytest.mark.parametrize("name", CONTROL_NAMES, ids=repr)
def test_a_stored_name_with_a_control_character_reaches_mail_as_one_line(
    cast, name, django_capture_on_commit_callbacks
):
    """Names already on the register (or arriving by import) cannot break a header."""
    if "\x00" in name and connection.vendor == "postgresql":
        pytest.skip("PostgreSQL cannot store a NUL in text at all, so no such name exists there")
    assert "\n" not in single_line(name) and "\r" not in single_line(name)
    Person.objects.filter(pk=cast.kent_person.pk).update(first_name=name)
    directory.give_consent(person=cast.kent_person, by=cast.outsider)
    with django_capture_on_commit_callbacks(execute=True):
        directory.request_help(person_id=cast.kent_person.pk, by=cast.coordinator, message="Hi")
    assert len(mail.outbox) == 1
    assert all(ord(ch) >= 32 for ch in mail.outbox[0].subject)
