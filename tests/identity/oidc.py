"""A real OpenID Connect provider for the tests: tests/oidc/provider.mjs (the `oidc-provider`
npm package, installed by `make oidc-deps`) on loopback, one issuer per force "tenant".

``oidc_provider`` starts it once per session; ``make_directory`` registers a client with it
(dynamic client registration) and configures a force's Directory to use it; ``DirectoryUser``
is a person at the directory's sign-in page, driven over HTTP."""

from __future__ import annotations

import http.cookiejar
import json
import re
import select
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from people.identity import oidc
from people.identity.models import Directory

HERE = Path(__file__).resolve().parent.parent / "oidc"
REGISTRATION_TOKEN = "register-tests-initial-access-token"

ACCOUNTS = {
    "norfolk": {
        "jane": {"email": "officer@norfolk.police.uk", "email_verified": True},
        "coord": {
            "email": "coordinator@norfolk.police.uk",
            "email_verified": True,
            "amr": ["pwd", "mfa"],
        },
        "stranger": {"email": "stranger@norfolk.police.uk", "email_verified": True},
        "unverified": {"email": "officer@norfolk.police.uk", "email_verified": False},
    },
    "kent": {
        # Kent's directory vouching for a Norfolk login's email: the wrong tenant.
        "impostor": {"email": "officer@norfolk.police.uk", "email_verified": True},
        "kim": {"email": "coordinator@kent.police.uk", "email_verified": True},
    },
}


# Seconds the provider may take to say it is listening (it starts in well under one).
START_SECONDS = 30


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """{"norfolk": issuer URL, "kent": issuer URL} of the running provider."""
    if not (HERE / "node_modules" / "oidc-provider").exists():
        pytest.fail("tests/oidc/node_modules is missing: run `make oidc-deps` (npm ci)")
    config = tmp_path_factory.mktemp("oidc") / "config.json"
    config.write_text(
        json.dumps({"tenants": {name: {"accounts": a} for name, a in ACCOUNTS.items()}})
    )
    process, line = None, ""
    # A start that never says it is listening is killed and tried again, rather than
    # holding the whole suite (seen once in CI: the provider sat silent, the suite waited).
    for _attempt in range(3):
        process = subprocess.Popen(
            ["node", str(HERE / "provider.mjs"), str(config)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        ready, _, _ = select.select([process.stdout], [], [], START_SECONDS)
        line = process.stdout.readline() if ready else ""
        if line:
            break
        process.kill()
        process.wait(timeout=10)
    if not line:
        pytest.fail("the test OpenID provider did not start (see tests/oidc/provider.mjs)")
    try:
        yield json.loads(line)["tenants"]
    finally:
        process.terminate()
        process.wait(timeout=10)


def register_client(issuer: str, *, redirect_uri: str, post_logout: str, tamper=False) -> dict:
    request = urllib.request.Request(
        f"{issuer}/reg",
        data=json.dumps(
            {
                "redirect_uris": [redirect_uri],
                "post_logout_redirect_uris": [post_logout],
                "token_endpoint_auth_method": "client_secret_post",
                "x_tamper_id_token": tamper,
            }
        ).encode(),
        headers={
            "Authorization": f"Bearer {REGISTRATION_TOKEN}",
            "Content-Type": "application/json",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def make_directory(oidc_provider):
    """Configures ``force`` to sign in through ``tenant`` of the test provider, for a register
    served at ``base_url``."""
    oidc._cache.clear()

    def make(force, tenant, *, base_url="http://testserver", slug=None, tamper=False, **fields):
        slug = slug or force.code
        client = register_client(
            oidc_provider[tenant],
            redirect_uri=f"{base_url}/accounts/sso/{slug}/callback/",
            post_logout=f"{base_url}/accounts/login/",
            tamper=tamper,
        )
        return Directory.objects.create(
            force=force,
            slug=slug,
            name=force.name,
            issuer=oidc_provider[tenant],
            client_id=client["client_id"],
            client_secret=client["client_secret"],
            **fields,
        )

    return make


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class DirectoryUser:
    """A browser at the directory's pages: follows the directory's redirects with its own
    cookies and stops at the first URL outside the directory (the register's callback)."""

    def __init__(self, issuer: str):
        self.issuer = issuer
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def _open(self, url: str, data: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            response = self.opener.open(urllib.request.Request(url, data=body), timeout=10)
            return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def follow(self, url: str, data: dict | None = None) -> tuple[str, str]:
        """(final URL, page text): redirects followed while they stay at the directory."""
        for _ in range(10):
            status, headers, text = self._open(url, data)
            data = None
            if status in (301, 302, 303, 307) and headers.get("Location"):
                url = urllib.parse.urljoin(url, headers["Location"])
                if not url.startswith(self.issuer):
                    return url, ""
                continue
            return url, text
        raise AssertionError("too many redirects at the directory")

    def sign_in(self, authorisation_url: str, account: str) -> str:
        """Signs in as ``account`` at the directory; returns the URL it sends the browser to."""
        url, page = self.follow(authorisation_url)
        action = re.search(r'<form method="post" action="([^"]+)"', page)
        assert action, f"no sign-in form at the directory: {page[:300]}"
        url, page = self.follow(urllib.parse.urljoin(url, action.group(1)), {"account": account})
        assert not url.startswith(self.issuer), f"directory did not send us back: {page[:300]}"
        return url

    def submit_logout(self, url: str) -> str:
        url, page = self.follow(url)
        form = re.search(r'<form[^>]*action="([^"]+)"', page)
        xsrf = re.search(r'name="xsrf" value="([^"]+)"', page)
        assert form and xsrf, f"no logout form at the directory: {page[:300]}"
        final, _ = self.follow(
            urllib.parse.urljoin(url, form.group(1)), {"xsrf": xsrf.group(1), "logout": "yes"}
        )
        return final
