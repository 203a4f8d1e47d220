"""Playwright (Python) driving Debian's chromium against pytest-django's live server.

`make test` / `.ci/run` install chromium with apt-get when missing; Playwright's own browser
download is never used (nothing but package registries can be reached)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser import accessibility

CHROMIUM = os.environ.get("REGISTER_CHROMIUM", "/usr/bin/chromium")
# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures
# in that thread are still synchronous, so Django's async-safety guard is relaxed here only.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(os.environ.get("REGISTER_BROWSER_ARTIFACTS", "test-results"))


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser-deps` (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db, request):
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    # axe-core checks every HTML page the journey shows (tests/browser/accessibility.py).
    accessibility.watch(page)
    # Any Content-Security-Policy violation fails the journey: the browser logs each one.
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    assert not refused, "Content-Security-Policy violations:\n" + "\n".join(refused)
    failed = getattr(request.node, "rep_call", None)
    try:
        if failed is not None and not failed.failed:
            accessibility.check_now(page)
    finally:
        accessibility.unwatch_all()
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def log_in(page, email: str, password: str) -> None:
    """Signs in through the allauth form as a person would."""
    page.goto("/accounts/login/")
    page.fill('input[name="login"]', email)
    page.fill('input[name="password"]', password)
    page.locator('form button[type="submit"], form input[type="submit"]').first.click()
    page.wait_for_load_state("domcontentloaded")
