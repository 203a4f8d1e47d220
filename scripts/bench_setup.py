"""What the in-process benchmark scripts share: Django started with production settings (DEBUG
off, a throw-away key unless one is set, no second sign-in step) against ``DATABASE_URL``."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_django_for_production() -> None:
    os.environ.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SETTINGS_MODULE="config.settings",
        REGISTER_MFA_REQUIRED_ROLES="",
        REGISTER_LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def signed_in_client(email: str):
    """A test client signed in as the user with this email."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(email=email))
    return client
