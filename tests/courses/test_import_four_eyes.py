"""Four eyes in the import pipeline (docs/four-eyes.md): a coordinator's own completions in a
file they import are written pending, for another coordinator to verify; everyone else's rows
are verified by the import as before. The rule is the services' (is_own_record)."""

from __future__ import annotations

import pytest

from courses.imports.services import apply_import, preview_import
from courses.models import Completion, Status
from tests.courses.importing import catalogue, csv_file
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(cast):
    """The Norfolk coordinator's own record on the register, in the force they coordinate."""
    catalogue()
    return PersonFactory(
        force=cast.norfolk,
        staff_number="7001",
        email="own.record@norfolk.police.uk",
        user=cast.coordinator,
    )


FILE = (
    "email,activity_code,completed_on\n"
    "own.record@norfolk.police.uk,ROCU-NET-INV,2025-01-20\n"
    "officer@norfolk.police.uk,ROCU-NET-INV,2025-01-20\n"
)


def test_an_importers_own_completion_is_left_pending(cast, own):
    result = apply_import("completions", csv_file(FILE), filename="f.csv", user=cast.coordinator)
    assert result.created == 2
    mine = Completion.objects.get(person=own)
    assert (mine.status, mine.verified_by, mine.verified_at) == (Status.PENDING, None, None)
    assert mine.recorded_by == cast.coordinator
    theirs = Completion.objects.get(person=cast.officer)
    assert (theirs.status, theirs.verified_by) == (Status.VERIFIED, cast.coordinator)


def test_the_preview_says_so(cast, own):
    preview = preview_import("completions", csv_file(FILE), filename="f.csv", user=cast.coordinator)
    assert not preview.errors
    text = preview.to_json()
    assert "your own record: left pending for another coordinator to verify" in text


def test_an_import_does_not_verify_the_importers_own_pending_record(cast, own):
    apply_import("completions", csv_file(FILE), filename="f.csv", user=cast.coordinator)
    again = apply_import("completions", csv_file(FILE), filename="f.csv", user=cast.coordinator)
    assert again.changed == 0
    assert Completion.objects.get(person=own).status == Status.PENDING


def test_another_coordinators_import_verifies_it(cast, own):
    from tests.factories import UserFactory, granted

    apply_import("completions", csv_file(FILE), filename="f.csv", user=cast.coordinator)
    second = UserFactory(email="second.coordinator@norfolk.police.uk")
    granted(second, "coordinator", force=cast.norfolk)
    apply_import("completions", csv_file(FILE), filename="f.csv", user=second)
    mine = Completion.objects.get(person=own)
    assert (mine.status, mine.verified_by) == (Status.VERIFIED, second)
