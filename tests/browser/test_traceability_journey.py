"""An inspector asks "show me 5.56": a chief officer goes from the coverage-by-expectation view
to the requirements behind the figure, the people, and a person's evidence file, in at most
four clicks (issue 15 point 9)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.files.base import ContentFile

from tests.browser.conftest import log_in
from tests.factories import activity, completed, posted
from tests.skills.conftest import person, role

TRAINING = "HMIC-2015-DIGITAL 5.56"


def test_show_me_5_56_from_the_expectations_view_to_an_evidence_file(page, cast, password):
    pursue = role("PURSUE", ("NETINV", 2, {"expectations": [TRAINING]}))
    ann = person(cast.norfolk, "Ann", "Able")
    cat = person(cast.norfolk, "Cat", "Cole")
    posted(ann, cast.norfolk_unit, start=date(2023, 1, 1), role=pursue)
    posted(cat, cast.norfolk_unit, start=date(2023, 1, 1), role=pursue)
    course = activity("NET", {"NETINV": 2}, title="Network investigation course")
    filed = completed(ann, course, date(2024, 2, 1))
    # Demo-like noise: a second unit of the force meeting it, and Kent, which the chief of
    # Norfolk must not be shown.
    for first, force, unit in (
        ("Dev", cast.norfolk, cast.joint_unit),
        ("Kim", cast.kent_person.force, cast.kent_unit),
    ):
        other = person(force, first, "Other")
        posted(other, unit, start=date(2023, 1, 1), role=pursue)
        completed(other, course, date(2024, 3, 1))
    filed.evidence_file.save("trace/ann.pdf", ContentFile(b"%PDF-1.4 Ann's certificate"))

    log_in(page, cast.chief.email, password)
    clicks = 0

    page.get_by_role("link", name="By expectation").click()
    clicks += 1
    page.wait_for_load_state("domcontentloaded")
    table = page.locator("table", has_text="HMIC 2015 5.56")
    row = table.locator("tr", has_text="Norfolk cyber crime unit")
    assert "1 of 2" in row.inner_text()
    assert "Kent" not in table.inner_text()

    row.get_by_role("link", name="1 of 2").click()
    clicks += 1
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("h1").inner_text() == "HMIC 2015 5.56"
    assert "1 of 2 requirements met" in page.locator("#trace-figure").inner_text()
    trace = page.locator("#trace-table")
    assert "Cat Cole" in trace.locator("tbody tr").first.inner_text()  # not met comes first
    ann_row = trace.locator("tr", has_text="Ann Able")
    assert "Network investigation course" in ann_row.inner_text()
    assert "Dev Other" not in trace.inner_text()  # another unit's figure, another page
    assert "Kim Other" not in page.content()

    with page.expect_download() as download:
        ann_row.get_by_role("link", name="evidence file").click()
    clicks += 1
    assert Path(download.value.path()).read_bytes() == b"%PDF-1.4 Ann's certificate"
    assert clicks <= 4
