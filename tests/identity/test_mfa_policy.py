"""MFA by policy: in production every role that sees other people's records must set up TOTP
before anything else; development and the test suite default to none."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ROLES = ["coordinator", "chief_officer", "regional_lead", "national_lead", "admin"]


def _roles_with(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "REGISTER_MFA"))}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_SECRET_KEY="x" * 50, **env)
    code = "from django.conf import settings; print(','.join(settings.REGISTER_MFA_REQUIRED_ROLES))"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_requires_mfa_of_every_role_that_sees_others_records():
    assert _roles_with(DJANGO_DEBUG="0").split(",") == PRODUCTION_ROLES


def test_development_requires_none_unless_set():
    assert _roles_with(DJANGO_DEBUG="1") == ""
    assert _roles_with(DJANGO_DEBUG="1", REGISTER_MFA_REQUIRED_ROLES="coordinator") == (
        "coordinator"
    )


@pytest.mark.parametrize(
    "role", ["coordinator", "chief_officer", "regional_lead", "national_lead", "admin", "outsider"]
)
def test_under_the_production_policy_each_oversight_role_is_sent_to_set_up_totp(
    client, cast, settings, role
):
    settings.REGISTER_MFA_REQUIRED_ROLES = PRODUCTION_ROLES
    client.force_login(cast.users()[role])
    response = client.get(reverse("people:unit_list"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    # The account page stays reachable, to find the way to MFA.
    assert client.get(reverse("identity:account")).status_code == 200


def test_under_the_production_policy_an_officer_is_not_asked(client, cast, settings):
    settings.REGISTER_MFA_REQUIRED_ROLES = PRODUCTION_ROLES
    client.force_login(cast.officer_user)
    assert client.get(reverse("me:pathway")).status_code == 200
