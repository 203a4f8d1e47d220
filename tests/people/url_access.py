"""Who may open home, healthz, each people: URL and each allauth page (format: tests/access.py).

Admin URLs (``admin:``) are checked by one generic rule in tests/test_url_access.py."""

from __future__ import annotations

from tests.access import EVERYONE, ROLES, Rule

OVERSIGHT = frozenset(ROLES) - {"officer"}
NORFOLK_READERS = frozenset(
    {"coordinator", "chief_officer", "regional_lead", "national_lead", "admin"}
)

NEEDS_AUTHENTICATOR = (
    "only exists once the user has a TOTP authenticator (404 before); "
    "tests/people/test_mfa_pages.py activates one and opens it"
)

RULES = {
    # Home sends every signed-in user somewhere they may be (followed to a 200).
    "home": Rule(allowed=EVERYONE),
    "healthz": Rule(allowed=EVERYONE, public=True),
    "people:person_list": Rule(allowed=OVERSIGHT),
    # The officer may open only their own record; the Kent outsider no Norfolk record.
    "people:person_detail": Rule(
        allowed=NORFOLK_READERS, kwargs=lambda cast: {"pk": cast.colleague.pk}
    ),
    # Giving a login: the person's coordinators (and administrators) only.
    "people:invite": Rule(
        allowed=frozenset({"coordinator", "admin"}), kwargs=lambda cast: {"pk": cast.colleague.pk}
    ),
    "people:unit_list": Rule(allowed=EVERYONE),
    # The officer is posted to the Norfolk unit, so sees it.
    "people:unit_detail": Rule(
        allowed=NORFOLK_READERS | {"officer"}, kwargs=lambda cast: {"code": cast.norfolk_unit.code}
    ),
    # --- django-allauth: entrance pages are public; signed-in users are sent on to home.
    "account_login": Rule(allowed=EVERYONE, public=True),
    "account_signup": Rule(allowed=EVERYONE, public=True),  # says sign-up is closed
    "account_inactive": Rule(allowed=EVERYONE, public=True),
    "account_email_verification_sent": Rule(allowed=EVERYONE, public=True),
    "account_reset_password": Rule(allowed=EVERYONE, public=True),
    "account_reset_password_done": Rule(allowed=EVERYONE, public=True),
    "account_reset_password_from_key_done": Rule(allowed=EVERYONE, public=True),
    "account_reset_password_from_key": Rule(
        allowed=EVERYONE,
        public=True,
        skip="needs the user id and one-time key from a reset email; "
        "tests/people/test_login.py sends that email",
    ),
    "account_confirm_email": Rule(
        allowed=EVERYONE,
        public=True,
        skip="needs the key from a verification email; email verification is off; "
        "tests/browser/test_identity_pages_accessible.py opens it with good and bad keys",
    ),
    # Login by code is off: the page sends people to log in, or home if they are in.
    "account_confirm_login_code": Rule(allowed=EVERYONE),
    # Reauthentication by emailed code (allauth 65.22): only inside a reauthentication that
    # asked for a code; otherwise the page sends the user on (home, or log in).
    "account_request_reauthentication_code": Rule(allowed=EVERYONE),
    "account_confirm_reauthentication_code": Rule(allowed=EVERYONE),
    # --- pages for the signed-in user's own account.
    "account_logout": Rule(allowed=EVERYONE),
    "account_reauthenticate": Rule(allowed=EVERYONE),
    "account_email": Rule(allowed=EVERYONE),
    "account_change_password": Rule(allowed=EVERYONE),
    "account_set_password": Rule(allowed=EVERYONE),  # forwards to change password
    "mfa_index": Rule(allowed=EVERYONE),
    "mfa_activate_totp": Rule(allowed=EVERYONE),
    "mfa_authenticate": Rule(allowed=EVERYONE),  # only inside a login; else home
    "mfa_reauthenticate": Rule(allowed=EVERYONE),
    "mfa_generate_recovery_codes": Rule(allowed=EVERYONE),
    "mfa_deactivate_totp": Rule(allowed=EVERYONE, skip=NEEDS_AUTHENTICATOR),
    "mfa_view_recovery_codes": Rule(allowed=EVERYONE, skip=NEEDS_AUTHENTICATOR),
    "mfa_download_recovery_codes": Rule(allowed=EVERYONE, skip=NEEDS_AUTHENTICATOR),
}
