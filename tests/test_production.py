"""Production settings refuse to be unsafe, and /healthz tells a load balancer the truth."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import OperationalError

ROOT = Path(__file__).resolve().parent.parent

# What docs/deploy.md tells a force's IT team to set.
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ALLOWED_HOSTS": "register.example.police.uk",
    "DJANGO_SECURE": "1",
    "REGISTER_BASE_URL": "https://register.example.police.uk",
    "DJANGO_SETTINGS_MODULE": "config.settings",
}


def _manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REGISTER_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DATABASE_URL": "sqlite:///:memory:", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_a_secret_key_debug_off_refuses_to_start_naming_the_variable():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = _manage("check", env=env)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DJANGO_SECRET_KEY" in lines[0]


def test_the_development_key_exists_only_with_debug_on():
    code = "from django.conf import settings; print(settings.SECRET_KEY[:4])"
    result = _manage(
        "shell", "-c", code, env={"DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "dev-"


def test_check_deploy_with_the_documented_environment_prints_no_warning():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNINGS" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_without_the_base_url_fails_naming_it():
    # Reminder emails once linked to http://127.0.0.1:8000 whatever the server's address.
    env = {k: v for k, v in PRODUCTION.items() if k != "REGISTER_BASE_URL"}
    result = _manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "register.E001" in result.stderr
    assert "REGISTER_BASE_URL is not set" in result.stderr


def test_the_base_url_has_the_local_default_only_with_debug_on():
    code = "from django.conf import settings; print(repr(settings.REGISTER_BASE_URL))"
    debug = {"DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = _manage("shell", "-c", code, env=debug)
    assert result.stdout.strip().splitlines()[-1] == "'http://127.0.0.1:8000'", result.stderr
    env = {k: v for k, v in PRODUCTION.items() if k != "REGISTER_BASE_URL"}
    result = _manage("shell", "-c", code, env=env)
    assert result.stdout.strip().splitlines()[-1] == "''", result.stderr


def test_pages_carry_a_content_security_policy(client, cast):
    client.force_login(cast.officer_user)
    response = client.get("/me/", follow=True)
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    # The pathway's own styles carry the nonce the policy names; nothing else inline runs.
    nonce = policy.split("style-src 'self' 'nonce-")[1].split("'")[0]
    assert f'<style nonce="{nonce}">' in response.content.decode()
    assert "'unsafe-inline'" not in policy
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.content.decode()
    assert body.startswith("ok\n")
    assert "database: ok" in body
    assert "worker:" in body


@pytest.mark.django_db
def test_healthz_reports_the_workers_heartbeat(client):
    from django.core.cache import cache

    from config.health import HEARTBEAT_KEY
    from people.management.commands.worker import beat

    # The cache table is not a model's, so a flush after the real-worker test leaves that
    # worker's heartbeat behind: start from none.
    cache.delete(HEARTBEAT_KEY)
    assert "worker: no heartbeat yet" in client.get("/healthz").content.decode()
    beat()
    body = client.get("/healthz").content.decode()
    assert "worker: last heartbeat" in body
    assert " s ago, " in body


def test_the_worker_stops_only_after_its_heartbeat_write_under_way_has_finished(monkeypatch):
    """A beat still writing when the worker returns would hold the cache table (under the
    tests' in-memory SQLite, "database table is locked" for whatever runs next)."""
    import time

    from django_tasks_db.management.commands.db_worker import Command as DBWorker

    from people.management.commands import worker

    finished = []

    def slow_beat():
        time.sleep(0.5)
        finished.append(True)

    monkeypatch.setattr(worker, "beat", slow_beat)
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    monkeypatch.setattr("courses.jobs.fail_dead_jobs", lambda: 0)
    monkeypatch.setattr(DBWorker, "handle", lambda self, *args, **options: None)
    worker.Command().handle()
    assert finished == [True]


@pytest.mark.django_db
def test_healthz_answers_503_while_the_database_is_unreachable_and_200_once_back(
    client, monkeypatch
):
    from django.db import connection

    def unreachable(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", unreachable)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert b"database unreachable" in response.content
    assert client.get("/healthz").status_code == 200
