"""Keyboard only (issue 15): a coordinator signs in, records a completion for a cohort and
verifies an officer's submitted evidence with Tab, Shift+Tab, Enter, Space, arrow keys and
typing — never a click. Every element that takes focus on the way shows a focus style, the skip
link moves focus to the main content, and axe checks every page (tests/browser/conftest.py)."""

from __future__ import annotations

from datetime import date

from django.core.files.base import ContentFile

from courses.models import Completion, Source, Status
from tests.factories import PersonFactory, activity, completed, posted

# What the focused element is, and whether it shows the GOV.UK focus style (a yellow outline,
# box shadow or background; a checkbox shows it on its label's box).
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const styled = (style) =>
    (style.outlineStyle !== "none" && style.outlineColor !== "rgba(0, 0, 0, 0)"
      && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== "none"
    || style.backgroundColor === "rgb(255, 221, 0)";
  let visible = styled(getComputedStyle(el));
  const label = el.labels && el.labels[0];
  if (!visible && label) visible = styled(getComputedStyle(label, "::before"));
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: el.getAttribute("name") || "",
    type: el.getAttribute("type") || "",
    text: (el.innerText || el.value || "").trim(),
    label: label ? label.innerText.trim() : "",
    visible,
  };
}"""


def tab_to(page, wanted, *, backwards: bool = False, limit: int = 120) -> dict:
    """Presses Tab (Shift+Tab) until ``wanted(focused)`` holds; every stop must show focus."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        assert focused["visible"], f"no visible focus style on {focused}"
        if wanted(focused):
            return focused
    raise AssertionError(f"{key} never reached the element wanted on {page.url}")


def link(text: str):
    return lambda f: f["tag"] == "a" and f["text"] == text


def field(element_id: str):
    return lambda f: f["id"] == element_id


def button(text: str):
    return lambda f: f["tag"] == "button" and f["text"] == text


def press(page, key: str) -> None:
    """A key that submits a form or follows a link: wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)
    page.wait_for_load_state("domcontentloaded")


def type_date(page, prefix: str, day: date) -> None:
    """Types into the GOV.UK day, month and year boxes, Tab between them."""
    tab_to(page, field(f"id_{prefix}_0"))
    page.keyboard.type(str(day.day))
    page.keyboard.press("Tab")
    page.keyboard.type(str(day.month))
    page.keyboard.press("Tab")
    page.keyboard.type(str(day.year))


def test_coordinator_records_and_verifies_with_the_keyboard_only(page, cast, password):
    course = activity("OSINT-FOUND", {"OSINT": 1}, title="OSINT foundation", validity_months=36)
    ali = PersonFactory(force=cast.norfolk, staff_number="7701", first_name="Ali", last_name="Day")
    posted(ali, cast.norfolk_unit, start=date(2024, 6, 1))
    submitted = completed(cast.officer, course, date(2025, 3, 3), status=Status.PENDING)
    submitted.evidence_file.save("keyboard/cert.pdf", ContentFile(b"%PDF-1.4 certificate"))

    # The skip link is the first thing Tab reaches, and Enter moves focus to the content.
    page.goto("/accounts/login/")
    first = tab_to(page, lambda f: True, limit=1)
    assert first["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"

    tab_to(page, lambda f: f["name"] == "login")
    page.keyboard.type(cast.coordinator.email)
    tab_to(page, lambda f: f["name"] == "password")
    page.keyboard.type(password)
    press(page, "Enter")
    assert "/accounts/login/" not in page.url

    # Record a cohort from the coordinator's home page.
    tab_to(page, link("Record a cohort"))
    press(page, "Enter")
    assert page.locator("h1").inner_text() == "Record a cohort"
    tab_to(page, field("id_activity"))
    for _ in range(200):
        chosen = page.evaluate("document.activeElement.selectedOptions[0].text")
        if chosen.startswith("OSINT foundation"):
            break
        page.keyboard.press("ArrowDown")
    else:
        raise AssertionError("the arrow keys never chose OSINT foundation")
    type_date(page, "completed_on", date(2025, 3, 14))
    ticked = tab_to(page, lambda f: f["type"] == "checkbox" and f["label"].startswith("Ali Day"))
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked"), ticked
    # Shift+Tab goes back over the form: the date is still there.
    tab_to(page, field("id_completed_on_2"), backwards=True)
    assert page.evaluate("document.activeElement.value") == "2025"
    tab_to(page, button("Record the cohort"))
    press(page, "Enter")
    panel = page.locator(".govuk-panel--confirmation")
    assert "1 completion of OSINT foundation on 14 March 2025" in panel.inner_text()
    recorded = Completion.objects.get(person=ali, activity=course)
    assert (recorded.status, recorded.source) == (Status.VERIFIED, Source.RECORDED)

    # Verify the officer's evidence from the queue.
    tab_to(page, link("Verification"))
    press(page, "Enter")
    assert page.locator("h1").inner_text() == "Verification queue"
    tab_to(page, lambda f: f["tag"] == "a" and f["text"].startswith("Review"))
    press(page, "Enter")
    assert page.locator("h1").inner_text() == "Review: OSINT foundation"
    tab_to(page, field("id_note"))
    page.keyboard.type("Certificate checked with the provider")
    tab_to(page, button("Verify"))
    press(page, "Enter")
    banner = page.locator(".govuk-notification-banner").inner_text()
    assert "OSINT foundation for Jane Smith verified" in banner
    submitted.refresh_from_db()
    assert (submitted.status, submitted.verified_by) == (Status.VERIFIED, cast.coordinator)
