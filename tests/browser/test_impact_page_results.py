"""The impact page with results, in Chromium: axe finds nothing and it fits a phone (the
every-page test opens it without versions, where it is the form alone)."""

from __future__ import annotations

import os

from django.conf import settings
from django.test import Client

from tests.browser import accessibility
from tests.skills.conftest import unit  # noqa: F401
from tests.skills.test_impact_page import _url, scheduled  # noqa: F401

# In tests/browser so that it shares the one session's Chromium (a second sync_playwright
# started beside it fails: "Playwright Sync API inside the asyncio loop").


def test_the_impact_page_with_results_passes_axe_and_fits_a_phone(
    browser,
    live_server,
    transactional_db,
    cast,
    unit,  # noqa: F811
    scheduled,  # noqa: F811
):
    raised, osint = scheduled
    client = Client()
    client.force_login(cast.chief)
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(_url(raised, osint, unit, as_of="2099-07-01"))
        assert page.get_by_role("heading", name="Test cyber crime unit").is_visible()
        assert page.get_by_role("region", name="Training that would close the gap").is_visible()
        accessibility.check_now(page)
        page.set_viewport_size({"width": 375, "height": 800})
        assert not accessibility.overflows(page)
        shots = os.environ.get("REGISTER_JOURNEY_SCREENSHOTS")
        if shots:
            page.screenshot(path=f"{shots}/impact-375.png", full_page=True)
        # The force: its total, and each unit's tables with names of their own.
        page.set_viewport_size({"width": 1280, "height": 900})
        force_url = _url(raised, osint, unit, as_of="2099-07-01").replace(
            f"unit={unit.code}", "force=norfolk"
        )
        page.goto(force_url)
        assert page.get_by_role("heading", name="Norfolk", exact=False).first.is_visible()
        assert page.get_by_role(
            "region", name="Training that would close the gap: Test cyber crime unit"
        ).is_visible()
        accessibility.check_now(page)
        page.set_viewport_size({"width": 375, "height": 800})
        assert not accessibility.overflows(page)
        if shots:
            page.screenshot(path=f"{shots}/impact-force-375.png", full_page=True)
    finally:
        context.close()


def test_the_catalogue_upload_with_results_and_with_problems_passes_axe(
    browser, live_server, transactional_db, cast, tmp_path
):
    from skills.catalogue import load_catalogue
    from tests.factories import UnitFactory
    from tests.skills.test_impact_catalogue import _raised_targets

    load_catalogue()
    UnitFactory(
        code="TST-FCCU", name="Test force unit", kind="force cyber crime unit",
        region=cast.eastern, forces=[cast.norfolk],
    )  # fmt: skip
    good, bad = tmp_path / "targets.yaml", tmp_path / "broken.yaml"
    good.write_bytes(_raised_targets())
    bad.write_text("- [unclosed", encoding="utf-8")
    client = Client()
    client.force_login(cast.admin)
    context = browser.new_context(base_url=live_server.url)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    try:
        page = context.new_page()
        page.set_viewport_size({"width": 1280, "height": 900})
        for path, expected in ((good, "Test force unit"), (bad, "There is a problem")):
            # The unit's section heading; the error summary's title.
            page.goto("/coverage/impact/catalogue/")
            page.get_by_label("Catalogue file").set_input_files(str(path))
            page.get_by_label("targets.yaml").check()
            page.get_by_label("Day").first.fill("1")
            page.get_by_label("Month").first.fill("4")
            page.get_by_label("Year").first.fill("2099")
            page.get_by_label("Or a force").select_option("norfolk")
            page.get_by_role("button", name="Show the impact").click()
            assert page.get_by_role("heading", name=expected, exact=True).is_visible()
            accessibility.check_now(page)
            page.set_viewport_size({"width": 375, "height": 800})
            assert not accessibility.overflows(page)
            page.set_viewport_size({"width": 1280, "height": 900})
    finally:
        context.close()
