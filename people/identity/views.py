"""Signing in through a force's directory (OpenID Connect), the account page, and the pages
that refuse a directory account in words."""

from __future__ import annotations

import logging

from allauth.account.internal.flows.login import perform_login, record_authentication
from allauth.account.models import Login
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from people.identity import oidc
from people.identity.models import Directory, LoginEvent
from people.identity.services import (
    Refusal,
    end_sessions,
    link_directory_account,
    match_directory_account,
    password_login_closed,
    record_event,
)

log = logging.getLogger("register.identity")

PENDING_KEY = "identity_sso_pending"
SIGNED_IN_KEY = "identity_sso"


def _directory_for(slug) -> Directory:
    return get_object_or_404(Directory.objects.select_related("force"), slug=slug, enabled=True)


def _callback_uri(request, directory) -> str:
    return request.build_absolute_uri(reverse("identity:sso_callback", args=[directory.slug]))


def _safe_next(request, value: str) -> str:
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return ""


def refused(request, reason: Refusal, directory=None, status=403):
    return render(
        request,
        "identity/refused.html",
        {"reason": reason, "Refusal": Refusal, "directory": directory},
        status=status,
    )


def _off_to_directory(request, directory, next_url: str, *, prompt: str = "", **pending):
    """Starts an authorisation-code sign-in at ``directory`` (state, nonce and PKCE verifier
    kept in the session for the callback, with ``pending``'s extra keys); 502 when the
    directory cannot be reached."""
    redirect_uri = _callback_uri(request, directory)
    try:
        start = oidc.begin(directory, redirect_uri=redirect_uri, prompt=prompt)
    except oidc.OIDCError as error:
        log.warning("directory %s unreachable: %s", directory.slug, error)
        return refused(request, Refusal.NOT_TRUSTED, directory, status=502)
    request.session[PENDING_KEY] = {
        "directory": directory.slug,
        "state": start.state,
        "nonce": start.nonce,
        "code_verifier": start.code_verifier,
        "redirect_uri": redirect_uri,
        "next": next_url,
        **pending,
    }
    return redirect(start.url)


@require_http_methods(["GET", "POST"])
def sso_start(request, slug):
    """GET: a page with one button; POST: off to the force's directory to sign in."""
    directory = _directory_for(slug)
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if request.method == "GET":
        return render(
            request, "identity/sso_start.html", {"directory": directory, "next": next_url}
        )
    return _off_to_directory(request, directory, next_url)


def sso_callback(request, slug):
    """The directory sends the browser back here with a code; the register checks everything
    before anyone is signed in."""
    directory = _directory_for(slug)
    pending = request.session.pop(PENDING_KEY, None)
    state = request.GET.get("state", "")
    if not pending or pending.get("directory") != directory.slug or pending["state"] != state:
        return refused(request, Refusal.EXPIRED, directory, status=400)
    if request.GET.get("error") or not request.GET.get("code"):
        log.info("directory %s returned %s", directory.slug, request.GET.get("error", "no code"))
        return refused(request, Refusal.EXPIRED, directory, status=400)
    try:
        tokens = oidc.exchange_code(
            directory,
            code=request.GET["code"],
            redirect_uri=pending["redirect_uri"],
            code_verifier=pending["code_verifier"],
        )
        claims = oidc.verify_id_token(directory, tokens["id_token"], nonce=pending["nonce"])
    except oidc.OIDCError as error:
        log.warning("sign-in through %s refused: %s", directory.slug, error)
        return refused(request, Refusal.NOT_TRUSTED, directory, status=400)

    user, refusal = match_directory_account(directory=directory, claims=claims)
    if refusal is not None:
        log.info("sign-in through %s refused: %s", directory.slug, refusal.value)
        return refused(request, refusal, directory)

    subject = str(claims[directory.subject_claim])
    if pending.get("reauthenticate"):
        return _reauthenticated(request, directory, user, subject, claims, tokens, pending)
    link_directory_account(directory=directory, user=user, subject=subject)
    counts_as_mfa = (
        settings.REGISTER_SSO_AMR_COUNTS_AS_MFA
        and directory.amr_counts_as_mfa
        and oidc.shows_mfa(claims)
    )
    if request.user.is_authenticated and request.user != user:
        logout(request)
    record_authentication(
        request, user, method="socialaccount", provider=directory.slug, uid=subject
    )
    request.identity_mfa_by_directory = counts_as_mfa
    response = perform_login(request, Login(user=user, redirect_url=pending["next"] or None))
    request.session[SIGNED_IN_KEY] = {
        "directory": directory.slug,
        "id_token": tokens["id_token"],
        "mfa": counts_as_mfa,
    }
    return response


@login_required
def account(request):
    """The signed-in user's own account: how they sign in, MFA, recovery codes, sessions."""
    user = request.user
    mine = list(Authenticator.objects.filter(user=user).order_by("created_at"))
    authenticators = {a.type: a for a in mine}
    signed_in = request.session.get(SIGNED_IN_KEY) or {}
    context = {
        "has_password": user.has_usable_password(),
        "password_closed": password_login_closed(user),
        "links": list(user.directory_links.select_related("directory")),
        "totp": authenticators.get(Authenticator.Type.TOTP),
        "recovery_codes": authenticators.get(Authenticator.Type.RECOVERY_CODES),
        "passkeys": [a for a in mine if a.type == Authenticator.Type.WEBAUTHN],
        "mfa_by_directory": bool(signed_in.get("mfa")),
        "events": list(user.login_events.select_related("by")[:20]),
        "mfa_required": bool(_mfa_roles_of(request)),
        "sessions": UserSession.objects.purge_and_list(user),
    }
    return render(request, "identity/account.html", context)


def _mfa_roles_of(request) -> set[str]:
    from people.middleware import mfa_roles_required

    return mfa_roles_required(request.user)


@login_required
@require_POST
def sign_out_everywhere(request):
    """Ends every session of this user, this one included."""
    user = request.user
    record_event(user=user, kind=LoginEvent.Kind.SIGNED_OUT, by=user, detail="every session")
    end_sessions(user)
    logout(request)
    messages.success(request, "You have been signed out everywhere.")
    return redirect("account_login")


def directory_logout_url(request) -> str | None:
    """The force directory's end-session URL for this session's directory sign-in, if any."""
    signed_in = request.session.get(SIGNED_IN_KEY) or {}
    directory = Directory.objects.filter(slug=signed_in.get("directory", ""), enabled=True).first()
    if directory is None or not signed_in.get("id_token"):
        return None
    return oidc.logout_url(
        directory,
        id_token=signed_in["id_token"],
        post_logout_redirect_uri=request.build_absolute_uri(reverse("account_login")),
    )


def directory_for_reauthentication(user) -> Directory | None:
    """The enabled directory ``user`` is linked to, through which they may confirm it is
    them before changing how they sign in (people/adapters.py)."""
    link = (
        user.directory_links.select_related("directory")
        .filter(directory__enabled=True)
        .order_by("-last_sign_in_at", "-linked_at")
        .first()
    )
    return link.directory if link else None


@login_required
@require_http_methods(["GET", "POST"])
def reauthenticate(request):
    """Confirm it is you by signing in again at your force's directory: for logins with no
    register password, which must never be shown a password form (allauth's reauthenticate
    steps list this page first for them)."""
    from allauth.account.adapter import get_adapter

    directory = directory_for_reauthentication(request.user)
    if directory is None:
        raise Http404("No force account linked")
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    if request.method == "GET":
        here = reverse("identity:reauthenticate")
        alternatives = [
            m
            for m in get_adapter(request).get_reauthentication_methods(request.user)
            if m["url"] != here
        ]
        return render(
            request,
            "identity/reauthenticate.html",
            {"directory": directory, "next": next_url, "alternatives": alternatives},
        )
    return _off_to_directory(
        request, directory, next_url, prompt="login", reauthenticate=True, user=request.user.pk
    )


def _reauthenticated(request, directory, user, subject, claims, tokens, pending):
    """The directory confirmed it is the signed-in user: recorded as a fresh authentication
    (allauth's reauthentication), then on to what they were doing. Another account, or nobody
    signed in any more, is refused: a reauthentication never switches who is signed in."""
    from allauth.account.internal.flows.reauthentication import resume_request

    if (
        not request.user.is_authenticated
        or request.user.pk != pending.get("user")
        or (user.pk != request.user.pk)
    ):
        log.info("reauthentication through %s by another account refused", directory.slug)
        return refused(request, Refusal.EXPIRED, directory, status=403)
    link_directory_account(directory=directory, user=user, subject=subject)
    record_authentication(
        request,
        user,
        method="socialaccount",
        provider=directory.slug,
        uid=subject,
        reauthenticated=True,
    )
    counts_as_mfa = (
        settings.REGISTER_SSO_AMR_COUNTS_AS_MFA
        and directory.amr_counts_as_mfa
        and oidc.shows_mfa(claims)
    )
    signed_in = request.session.get(SIGNED_IN_KEY) or {}
    request.session[SIGNED_IN_KEY] = {
        "directory": directory.slug,
        "id_token": tokens["id_token"],
        "mfa": counts_as_mfa or bool(signed_in.get("mfa")),
    }
    if pending.get("next"):
        request.GET = request.GET.copy()
        request.GET["next"] = pending["next"]
    response = resume_request(request)
    return response or redirect(pending.get("next") or "identity:account")
