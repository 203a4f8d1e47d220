"""Login throttling counts per account and per address across every worker (a shared
database cache), and one user never locks out another on a shared police network address."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.urls import reverse

POLICE_NETWORK = "10.20.30.40"


@pytest.fixture(autouse=True)
def _clear_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


def _login(client, email, password, address=POLICE_NETWORK):
    return client.post(
        reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address
    )


def test_failed_logins_of_one_account_do_not_lock_out_another_on_the_same_address(
    client, cast, password
):
    for _ in range(6):
        _login(client, cast.chief.email, "wrong-wrong")
    response = _login(client, cast.coordinator.email, password)
    assert response.status_code == 302
    assert response.wsgi_request.user == cast.coordinator


def test_an_account_is_locked_after_five_failures_from_any_address(client, cast, password):
    for n in range(5):
        _login(client, cast.chief.email, "wrong-wrong", address=f"10.0.0.{n + 1}")
    response = _login(client, cast.chief.email, password, address="192.0.2.7")
    assert not response.wsgi_request.user.is_authenticated
    assert "Too many failed login attempts" in response.content.decode()


def test_a_busy_shared_address_is_not_throttled_by_ordinary_use(client, cast, password):
    """A morning of logins and typos through one network address stays under its limit."""
    for n in range(60):
        _login(client, f"typo{n}@norfolk.police.uk", "wrong-wrong")
    assert _login(client, cast.coordinator.email, password).status_code == 302


def test_failure_counts_live_in_the_shared_database_cache(client, cast, settings):
    """Every worker reads the same counts: they are rows of the cache table, not memory."""
    assert settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache")
    _login(client, cast.chief.email, "wrong-wrong")
    table = connection.ops.quote_name(settings.CACHES["default"]["LOCATION"])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        assert cursor.fetchone()[0] >= 1
