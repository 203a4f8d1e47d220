"""Who may open the identity pages: signing in through a force's directory, the account page,
active sessions, and the SCIM endpoint (format: tests/access.py)."""

from __future__ import annotations

from tests.access import EVERYONE, Rule


def _norfolk_directory(cast) -> dict:
    from people.identity.models import Directory

    directory, _ = Directory.objects.get_or_create(
        force=cast.norfolk,
        defaults={
            "slug": "norfolk",
            "name": "Norfolk Constabulary",
            "issuer": "https://login.example.invalid/norfolk/v2.0",
            "client_id": "register",
        },
    )
    return {"slug": directory.slug}


SCIM_ONLY = (
    "a force directory's machine endpoint: a bearer token, never a session (401 for every "
    "role); tests/identity/test_scim.py checks tokens, force scope and scim2-tester"
)

NEEDS_PASSKEY = (
    "only exists for a passkey of the user's own (404 otherwise); "
    "tests/people/test_mfa_passkeys.py opens it with one"
)

RULES = {
    # allauth.mfa WebAuthn: passkeys and security keys, each user's own.
    "mfa_add_webauthn": Rule(allowed=EVERYONE),
    "mfa_list_webauthn": Rule(allowed=EVERYONE),
    "mfa_reauthenticate_webauthn": Rule(allowed=EVERYONE),
    "mfa_edit_webauthn": Rule(allowed=EVERYONE, skip=NEEDS_PASSKEY),
    "mfa_remove_webauthn": Rule(allowed=EVERYONE, skip=NEEDS_PASSKEY),
    # allauth.usersessions: the signed-in user's own sessions, with "sign out everywhere".
    "usersessions_list": Rule(allowed=EVERYONE),
    # The signed-in user's own account page; ending one's own sessions.
    "identity:account": Rule(allowed=EVERYONE),
    "identity:sign_out_everywhere": Rule(allowed=EVERYONE, method="post"),
    # Confirming it is you at your force's directory: only for a login linked to one.
    "identity:reauthenticate": Rule(
        allowed=EVERYONE,
        skip="only for a login linked to a force account (404 otherwise); "
        "tests/identity/test_reauthentication.py signs in again at a real OpenID provider; "
        "axe: tests/browser/test_identity_pages_accessible.py",
    ),
    # Entrance pages: the button page before the force's directory is public.
    "identity:sso_start": Rule(allowed=EVERYONE, public=True, kwargs=_norfolk_directory),
    "identity:sso_callback": Rule(
        allowed=EVERYONE,
        public=True,
        kwargs=_norfolk_directory,
        skip="answers only a sign-in started at the directory (400 otherwise); "
        "tests/identity/test_sso.py drives it against a real OpenID provider; "
        "axe on each answer: tests/browser/test_identity_pages_accessible.py",
    ),
    # SCIM 2.0 (people/identity/scim_urls.py): bearer tokens only.
    **{
        f"scim:{name}": Rule(allowed=frozenset(), public=True, skip=SCIM_ONLY)
        for name in (
            "root",
            "search",
            "users-search",
            "users",
            "service-provider-config",
            "resource-types",
            "schemas",
            "unknown",
        )
    },
}
