"""Every URL of the project × every role: who gets a page, who is refused, who must log in.

Rules live in ``tests/<app>/url_access*.py`` (format: tests/access.py). A URL pattern without a
rule fails ``test_every_url_pattern_has_a_rule``. Allowed roles must reach a 200 page (following
redirects within the site, e.g. home to the units list) other than the login page; every other
role gets 403 or 404; anonymous users end at the login page unless the rule is public."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.access import ROLES, Rule

ADMIN_NAMESPACE = "admin:"


def _collect_rules() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    tests_dir = Path(__file__).parent
    for path in sorted(tests_dir.glob("*/url_access*.py")):
        module = importlib.import_module(f"tests.{path.parent.name}.{path.stem}")
        for name, rule in module.RULES.items():
            assert name not in rules, f"{name} has rules in two url_access modules"
            rules[name] = rule
    return rules


def _named_patterns(resolver=None, namespace: str = ""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def _pattern_origins(resolver=None, namespace: str = "") -> dict[str, str]:
    """URL name -> the dotted path of its view, so a failure names the app that added it."""
    resolver = resolver or get_resolver()
    origins = {}
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            origins |= _pattern_origins(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            origins[f"{namespace}{pattern.name}"] = pattern.lookup_str
    return origins


RULES = _collect_rules()


def _url(name: str, rule: Rule, cast) -> str:
    url = reverse(name, kwargs=rule.kwargs(cast))
    return f"{url}?{rule.query}" if rule.query else url


def _request(client, url: str, rule: Rule, *, follow: bool):
    if rule.method == "post":
        return client.post(url, follow=follow)
    return client.get(url, follow=follow)


def test_every_url_pattern_has_a_rule():
    names = {name for name in _named_patterns() if not name.startswith(ADMIN_NAMESPACE)}
    missing = sorted(names - RULES.keys())
    origins = _pattern_origins()
    described = [f"{name} ({origins[name]})" for name in missing]
    # A dependency upgrade (allauth adds pages in minor releases) lands here: decide who may
    # open each new page and write its rule, rather than allowing third-party URLs wholesale.
    assert not missing, (
        "URL patterns without an access rule in tests/<app>/url_access*.py (new in a "
        f"dependency upgrade?): {', '.join(described)}"
    )


def test_every_rule_names_a_url_pattern():
    stale = sorted(RULES.keys() - set(_named_patterns()))
    assert not stale, f"Access rules for URL names that do not exist: {', '.join(stale)}"


def test_every_skip_says_why():
    for name, rule in RULES.items():
        if rule.skip:
            assert len(rule.skip) > 20, f"{name}: skip reason too short"


@pytest.mark.parametrize("name", sorted(RULES))
def test_url_answers_each_role_as_its_rule_says(name, cast, client):
    rule = RULES[name]
    if rule.skip:
        pytest.skip(rule.skip)
    url = _url(name, rule, cast)
    login_path = reverse("account_login")

    client.logout()
    if rule.public:
        response = _request(client, url, rule, follow=False)
        assert response.status_code == 200, f"anonymous {name}: {response.status_code}"
    else:
        response = _request(client, url, rule, follow=True)
        assert response.redirect_chain, f"anonymous {name}: not sent to log in"
        assert response.request["PATH_INFO"] == login_path, f"anonymous {name}: not at login"

    for role, user in cast.users().items():
        client.logout()
        client.force_login(user)
        if role in rule.allowed:
            if rule.method == "post":
                response = _request(client, url, rule, follow=False)
                assert response.status_code in (200, 302, 400), f"{role} {name}"
            else:
                response = _request(client, url, rule, follow=True)
                assert response.status_code == 200, f"{role} {name}: {response.status_code}"
                if name != "account_login":
                    assert response.request["PATH_INFO"] != login_path, f"{role} {name}"
        else:
            response = _request(client, url, rule, follow=False)
            assert response.status_code in (403, 404), f"{role} {name}: {response.status_code}"


def _admin_urls():
    urls = [("admin:index", {})]
    for model in admin.site._registry:
        opts = model._meta
        urls.append((f"admin:{opts.app_label}_{opts.model_name}_changelist", {}))
    return urls


def test_only_the_administrator_opens_the_admin(cast, client):
    admin_login = reverse("admin:login")
    urls = [reverse(name, kwargs=kwargs) for name, kwargs in _admin_urls()]
    assert len(urls) > 5, "the catalogue and grants should be registered in the admin"
    for role, user in [*cast.users().items(), ("anonymous", None)]:
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in urls:
            response = client.get(url)
            if role == "admin":
                assert response.status_code == 200, f"admin {url}: {response.status_code}"
            elif response.status_code == 302:
                assert response["Location"].startswith(admin_login), f"{role} {url}"
            else:
                assert response.status_code == 403, f"{role} {url}: {response.status_code}"


def test_roles_in_the_rules_are_the_cast(cast):
    assert set(cast.users()) == set(ROLES)
