"""Issue 15 point 3 in the browser: a wide table scrolls inside its own focusable region, by
keyboard, with its first column kept in view; and point 8: the import page explains the file it
wants, and a bad file is explained on the page (never "read docs/imports.md")."""

from __future__ import annotations

from datetime import date

from tests.browser.conftest import log_in
from tests.factories import CapabilityFactory, PersonFactory, posted

# For each table region: its label, whether it scrolls, and where its first column stays.
REGIONS = """() => [...document.querySelectorAll("table")].map(table => {
  const region = table.closest("[role=region]");
  const first = table.querySelector("tbody tr > :first-child");
  return {
    label: region ? region.getAttribute("aria-label") : null,
    focusable: region ? region.tabIndex === 0 : false,
    scrolls: region ? region.scrollWidth > region.clientWidth : false,
    sticky: first ? getComputedStyle(first).position : null,
  };
})"""


def test_wide_tables_scroll_by_keyboard_with_the_name_column_in_view(page, cast, password):
    # Enough capabilities and people that the coverage matrix is wider than a phone.
    for n in range(14):
        CapabilityFactory(code=f"CAP{n:02}", name=f"Capability number {n}")
    for n in range(5):
        person = PersonFactory(force=cast.norfolk, first_name=f"Wide{n}", last_name="Table")
        posted(person, cast.norfolk_unit, start=date(2024, 1, 1))
    log_in(page, cast.coordinator.email, password)
    page.set_viewport_size({"width": 375, "height": 800})
    for url in ("/people/", "/coverage/"):
        page.goto(url)
        regions = page.evaluate(REGIONS)
        assert regions, f"{url}: no table"
        for region in regions:
            assert region["label"] and region["focusable"], (url, region)
            assert region["sticky"] == "sticky", (url, region)
        scrolling = [r for r in regions if r["scrolls"]]
        assert scrolling, f"{url}: no table wider than 375 px to try"
        # Tab to the first region that scrolls; the arrow keys scroll it sideways.
        label = scrolling[0]["label"]
        region = page.locator(f'[role=region][aria-label="{label}"]').first
        for _ in range(80):
            page.keyboard.press("Tab")
            if region.evaluate("el => el === document.activeElement"):
                break
        else:
            raise AssertionError(f"{url}: Tab never reached the region {label!r}")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        # Scrolling may be smooth: wait for it to move rather than read it at once.
        region.evaluate(
            "el => new Promise(done => { const t0 = Date.now(); (function see() {"
            " if (el.scrollLeft > 0 || Date.now() - t0 > 3000) done();"
            " else requestAnimationFrame(see); })(); })"
        )
        assert region.evaluate("el => el.scrollLeft") > 0, url


def test_the_import_page_explains_the_file_and_a_bad_file_on_the_page(page, cast, password):
    log_in(page, cast.coordinator.email, password)
    page.goto("/imports/")
    page.get_by_text("Which columns each file needs").click()
    columns = page.locator("#columns").inner_text()
    assert "activity_code" in columns and "completed_on" in columns
    page.get_by_label("Completions").check()
    page.set_input_files(
        'input[type="file"]',
        {
            "name": "no-dates.csv",
            "mimeType": "text/csv",
            "buffer": b"email,activity_code\nofficer@norfolk.police.uk,OSINT-FOUND\n",
        },
    )
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_load_state("domcontentloaded")
    main = page.locator("main").inner_text()
    assert "completed_on" in main
    assert "docs/" not in page.content()
