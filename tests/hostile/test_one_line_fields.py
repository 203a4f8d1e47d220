"""Newlines and control characters in every typed field that reaches a mail header or a
one-line output (a table cell, a CSV or XLSX cell, a PDF line): refused with a clear message
by the one shared validator (people.forms.refuse_control_characters). Fields that may span
lines (reasons, notes, updates) take line breaks but no other control character."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from courses import forms as course_forms
from courses.imports.services import ImportFileError, preview_import
from people.deployments import forms as deployment_forms
from skills.actions import forms as action_forms
from tests.courses.importing import catalogue, csv_file
from tests.hostile.corpus import CONTROL_NAMES

ONE_LINE = [
    (course_forms.CompletionForm, "certificate_number"),
    (course_forms.SubmitCompletionForm, "certificate_number"),
    (course_forms.CorrectCompletionForm, "certificate_number"),
    (deployment_forms.DeploymentForm, "task"),
    (action_forms.ActionForm, "reference"),
    (action_forms.ActionForm, "title"),
    (action_forms.EvidenceForm, "note"),
]
MULTI_LINE = [
    (course_forms.CorrectCompletionForm, "reason"),
    (course_forms.ReasonForm, "reason"),
    (course_forms.ReviewForm, "note"),
    (action_forms.UpdateForm, "text"),
]
# Control characters other than a line break or tab (which a multi-line field keeps).
NOT_LINES = [v for v in CONTROL_NAMES if not set(v) & {"\n", "\r", "\t"}]


@pytest.mark.parametrize("value", CONTROL_NAMES, ids=repr)
@pytest.mark.parametrize(("form", "name"), ONE_LINE, ids=lambda x: getattr(x, "__name__", x))
def test_a_one_line_field_refuses_control_characters(form, name, value):
    with pytest.raises(ValidationError) as refused:
        form.base_fields[name].clean(value[:20])
    assert "Remove the line break, tab or other control character" in str(refused.value)


@pytest.mark.parametrize(("form", "name"), ONE_LINE, ids=lambda x: getattr(x, "__name__", x))
def test_a_one_line_field_takes_ordinary_text(form, name):
    assert form.base_fields[name].clean("A2 – Zoë's OSINT") == "A2 – Zoë's OSINT"


@pytest.mark.parametrize("value", NOT_LINES, ids=repr)
@pytest.mark.parametrize(("form", "name"), MULTI_LINE, ids=lambda x: getattr(x, "__name__", x))
def test_a_multi_line_field_refuses_other_control_characters(form, name, value):
    with pytest.raises(ValidationError) as refused:
        form.base_fields[name].clean(value)
    assert "Remove the control character" in str(refused.value)


@pytest.mark.parametrize(("form", "name"), MULTI_LINE, ids=lambda x: getattr(x, "__name__", x))
def test_a_multi_line_field_keeps_its_line_breaks(form, name):
    assert form.base_fields[name].clean("First line\r\nsecond") == "First line\r\nsecond"


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["CERT\n1", "CERT\r\nBcc: x@example.com", "CERT\x1b[2J"])
def test_an_imported_certificate_number_with_a_control_character_is_refused(cast, value):
    catalogue()
    text = (
        "email,activity_code,completed_on,certificate_number\n"
        f'officer@norfolk.police.uk,ROCU-NET-INV,2025-01-20,"{value}"\n'
    )
    try:
        preview = preview_import(
            "completions", csv_file(text), filename="f.csv", user=cast.coordinator
        )
    except ImportFileError as error:  # a refused file is an answer too
        pytest.fail(f"the file was refused, not the row: {error.messages}")
    assert [(e.row, e.column) for e in preview.errors] == [(2, "certificate_number")]
    assert "control character" in preview.errors[0].message
