"""Coordinators give people on the register a login (there is no public sign-up)."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from people.models import Person, User


def invite_url(person):
    return reverse("people:invite", args=[person.pk])


def test_a_coordinator_gives_a_person_a_login_and_they_are_emailed_a_link(client, cast):
    client.force_login(cast.coordinator)
    person_page = client.get(cast.colleague.get_absolute_url()).content.decode()
    assert invite_url(cast.colleague) in person_page

    response = client.post(invite_url(cast.colleague))

    assert response.status_code == 302
    user = User.objects.get(email=cast.colleague.email.lower())
    assert Person.objects.get(pk=cast.colleague.pk).user == user
    assert not user.has_usable_password()
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body
    # Attributable: the person's history records who linked the login.
    assert cast.colleague.history.latest().history_user == cast.coordinator


def test_a_second_login_is_refused_in_words(client, cast):
    client.force_login(cast.coordinator)
    client.post(invite_url(cast.colleague))
    mail.outbox.clear()

    response = client.post(invite_url(cast.colleague))

    assert response.status_code == 400
    assert "already has a login" in response.content.decode()
    assert mail.outbox == []
    assert User.objects.filter(email=cast.colleague.email.lower()).count() == 1


def test_a_person_without_email_cannot_be_given_a_login(client, cast):
    Person.objects.filter(pk=cast.colleague.pk).update(email="")
    client.force_login(cast.coordinator)
    response = client.post(invite_url(cast.colleague))
    assert response.status_code == 400
    assert "has no email address" in response.content.decode()


def test_an_email_that_already_has_a_login_is_not_taken_over(client, cast):
    Person.objects.filter(pk=cast.colleague.pk).update(email=cast.chief.email.upper())
    client.force_login(cast.coordinator)
    response = client.post(invite_url(cast.colleague))
    assert response.status_code == 400
    assert Person.objects.get(pk=cast.colleague.pk).user is None


def test_only_the_persons_coordinators_may_give_a_login(client, cast):
    for user, status in ((cast.outsider, 404), (cast.chief, 403), (cast.officer_user, 404)):
        client.force_login(user)
        assert client.post(invite_url(cast.colleague)).status_code == status, user
    assert Person.objects.get(pk=cast.colleague.pk).user is None


def test_the_confirmation_page_leads_back_to_the_person(client, cast):
    client.force_login(cast.coordinator)
    page = client.get(invite_url(cast.colleague)).content.decode()
    assert "govuk-breadcrumbs__link" in page
    assert f'href="{cast.colleague.get_absolute_url()}"' in page


def test_the_email_says_who_gave_the_login_and_how_long_the_link_lasts(client, cast, settings):
    settings.PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
    cast.coordinator.first_name, cast.coordinator.last_name = "Pat", "Reid"
    cast.coordinator.save()
    client.force_login(cast.coordinator)

    client.post(invite_url(cast.colleague))

    message = mail.outbox[0]
    assert message.subject == "Your login to the cyber skills register"
    assert "You have been given a login to the cyber skills register by Pat Reid." in message.body
    assert "valid for 3 days" in message.body
    assert "can safely be ignored" not in message.body  # not allauth's reset text


def test_the_set_password_link_lets_the_person_sign_in(client, cast):
    import re

    client.force_login(cast.coordinator)
    client.post(invite_url(cast.colleague))
    client.logout()
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[0].body)

    page = client.get(link.group(1), follow=True)
    assert page.status_code == 200
    assert "Set your password" in page.content.decode()
    form_url = page.request["PATH_INFO"]
    new = "a-long-pass-phrase-for-sam"
    client.post(form_url, {"password1": new, "password2": new})
    user = User.objects.get(email=cast.colleague.email.lower())
    assert user.check_password(new)


def test_the_giving_of_a_login_is_recorded_with_who_did_it(client, cast):
    from people.identity.models import LoginEvent

    client.force_login(cast.coordinator)
    client.post(invite_url(cast.colleague))

    user = User.objects.get(email=cast.colleague.email.lower())
    event = LoginEvent.objects.get(user=user, kind=LoginEvent.Kind.CREATED)
    assert event.by == cast.coordinator


def test_with_a_force_directory_the_email_says_sign_in_with_the_force_account(client, cast):
    from people.identity.models import Directory

    Directory.objects.create(
        force=cast.norfolk,
        slug="norfolk",
        name="Norfolk Constabulary",
        issuer="https://login.example.invalid/norfolk/v2.0",
        client_id="register",
        password_login=False,
    )
    client.force_login(cast.coordinator)
    page = client.get(invite_url(cast.colleague)).content.decode()
    assert "sign in with their Norfolk Constabulary account" in page

    client.post(invite_url(cast.colleague))

    body = mail.outbox[0].body
    assert 'choose "Sign in with Norfolk Constabulary"' in body
    assert "/accounts/password/reset/key/" not in body  # passwords are closed for Norfolk
