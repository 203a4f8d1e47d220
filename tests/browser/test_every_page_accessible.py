"""Every URL pattern that renders HTML, opened in the browser by one role allowed to see it
(rules: tests/<app>/url_access*.py; cast: tests/conftest.py), has no axe-core violation of any
impact, and at 375 px its body does not scroll sideways. Error pages (403, 404) too.

Set REGISTER_JOURNEY_SCREENSHOTS=/tmp/pages to keep a 375 px picture of each page."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.browser import accessibility
from tests.browser.test_identity_pages_accessible import OPENED as SIGN_IN_PAGES
from tests.test_url_access import RULES, _url

# Who opens a page: the first allowed role in this order (coordinators see the most controls).
PREFERENCE = (
    "coordinator",
    "officer",
    "chief_officer",
    "regional_lead",
    "national_lead",
    "admin",
    "outsider",
)
SHOTS = os.environ.get("REGISTER_JOURNEY_SCREENSHOTS")


def _pages_by_role(cast) -> dict[str | None, list[tuple[str, str]]]:
    """Role (None: anonymous) -> [(url name, url)] of every GET rule."""
    by_role: dict[str | None, list[tuple[str, str]]] = {}
    for name, rule in sorted(RULES.items()):
        if rule.skip or rule.method != "get":
            continue
        if rule.public:
            role = None
        else:
            role = next((r for r in PREFERENCE if r in rule.allowed), None)
            if role is None:
                continue  # nobody opens it (a token from another session)
        by_role.setdefault(role, []).append((name, _url(name, rule, cast)))
    return by_role


def _signed_in_context(browser, live_server, user, *, password: str | None = None):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        if password is not None:
            # Pages behind "confirm it is you" (allauth's recent-authentication check).
            client.post(reverse("account_reauthenticate"), {"password": password})
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
    return context


def _visit(page, name: str, url: str, problems: list[str], *, status: int = 200) -> bool:
    """Opens ``url`` if it is an HTML page; axe runs through the watch. False if not HTML."""
    head = page.context.request.get(url, max_redirects=5)
    kind = head.headers.get("content-type", "")
    if head.status != status:
        problems.append(f"{name} {url}: {head.status}, expected {status}")
        return False
    if not kind.startswith("text/html"):
        return False
    page.set_viewport_size({"width": 1280, "height": 900})
    try:
        page.goto(url)
        accessibility.check_now(page)
    except accessibility.AccessibilityError as error:
        problems.append(f"{name}: {error}")
        return True
    page.set_viewport_size({"width": 375, "height": 800})
    if accessibility.overflows(page):
        problems.append(f"{name} {url}: the page body scrolls sideways at 375 px")
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower())
        page.screenshot(path=str(Path(SHOTS) / f"{slug}-375.png"), full_page=True)
    return True


@pytest.fixture
def builders_made_once(monkeypatch):
    """Some rules share a builder that creates a record (one plan per force and expectation);
    in one test, build it once."""
    from tests.skills import url_access_actions

    made = {}
    build = url_access_actions._plan

    def once(cast):
        if "plan" not in made:
            made["plan"] = build(cast)
        return made["plan"]

    monkeypatch.setattr(url_access_actions, "_plan", once)


def test_every_html_page_passes_axe_and_fits_a_phone(
    browser, live_server, transactional_db, cast, builders_made_once
):
    problems: list[str] = []
    visited: list[str] = []
    users = cast.users()
    for role, pages in _pages_by_role(cast).items():
        context = _signed_in_context(browser, live_server, users[role] if role else None)
        try:
            page = context.new_page()
            accessibility.watch(page)
            for name, url in pages:
                if _visit(page, name, url, problems):
                    visited.append(name)
            if role == "officer":
                # Error pages: someone else's record (404) and a list for oversight (403).
                _visit(page, "404", f"/people/{cast.kent_person.pk}/", problems, status=404)
                _visit(page, "403", "/people/", problems, status=403)
        finally:
            accessibility.unwatch_all()
            context.close()
    assert len(visited) > 40, visited
    assert not problems, "\n\n".join(problems)
    _documented_pages_are(visited)


# The skipped rules whose page is HTML once its record exists: opened here with that record.
WITH_A_RECORD = (
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_edit_webauthn",
    "mfa_remove_webauthn",
    "account_reset_password_from_key",
)


def test_pages_that_need_an_authenticator_or_a_reset_key_pass_axe_and_fit_a_phone(
    browser, live_server, transactional_db, cast, password
):
    """The url_access rules skip these (no TOTP, passkey or emailed key in the cast)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.people.test_mfa_passkeys import add_passkey

    user = cast.users()["officer"]
    problems: list[str] = []
    signed_in = _signed_in_context(browser, live_server, user, password=password)
    TOTP.activate(user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    RecoveryCodes.activate(user)
    passkey = add_passkey(user)
    pages = [
        ("mfa_deactivate_totp", reverse("mfa_deactivate_totp")),
        ("mfa_view_recovery_codes", reverse("mfa_view_recovery_codes")),
        ("mfa_edit_webauthn", reverse("mfa_edit_webauthn", kwargs={"pk": passkey.pk})),
        ("mfa_remove_webauthn", reverse("mfa_remove_webauthn", kwargs={"pk": passkey.pk})),
    ]
    visited = []
    try:
        page = signed_in.new_page()
        accessibility.watch(page)
        for name, url in pages:
            if _visit(page, name, url, problems):
                visited.append(name)
    finally:
        accessibility.unwatch_all()
        signed_in.close()
    key = default_token_generator.make_token(user)
    reset = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": key},
    )
    anonymous = _signed_in_context(browser, live_server, None)
    try:
        page = anonymous.new_page()
        accessibility.watch(page)
        if _visit(page, "account_reset_password_from_key", reset, problems):
            visited.append("account_reset_password_from_key")
        assert page.locator("h1").inner_text() == "Set your password"
    finally:
        accessibility.unwatch_all()
        anonymous.close()
    assert not problems, "\n\n".join(problems)
    assert visited == list(WITH_A_RECORD)


DOCS = Path(settings.BASE_DIR) / "docs" / "frontend.md"


def _documented_pages_are(visited: list[str]) -> None:
    """docs/frontend.md lists the URL names this test opens (a `- name` line each under
    "Pages covered"), so the list there stays true."""
    text = DOCS.read_text()
    section = text.split("### Pages covered", 1)[1].split("\n#", 1)[0]
    listed = set(re.findall(r"^- `([^`]+)`", section, flags=re.M))
    opened = set(visited) | {"403", "404"} | set(WITH_A_RECORD) | set(SIGN_IN_PAGES)
    assert listed == opened, (
        "docs/frontend.md 'Pages covered' is out of date: add "
        f"{sorted(opened - listed)}, remove {sorted(listed - opened)}"
    )
