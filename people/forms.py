"""Forms for the people pages, rendered through crispy-forms-gds."""

from __future__ import annotations

import re

from crispy_forms.helper import FormHelper
from crispy_forms_gds.layout import Div, Field, Layout
from django import forms
from django.core.exceptions import ValidationError


class FilterForm(forms.Form):
    """A GET search form laid out in one row; the page supplies the <form> tag and button."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Div(
                *(
                    Div(Field(name), css_class="govuk-grid-column-one-quarter")
                    for name in self.fields
                ),
                css_class="govuk-grid-row",
            )
        )


# --- text that reaches names and mail headers ----------------------------------------------

# Control characters (C0, DEL, C1) and the Unicode line and paragraph separators.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def refuse_control_characters(value: str) -> None:
    """A name (or any one-line field) holds no newline, tab or other control character."""
    if value and _CONTROL.search(value):
        raise ValidationError(
            "Remove the line break, tab or other control character from it",
            code="control_character",
        )


def refuse_control_characters_but_lines(value: str) -> None:
    """A message may span lines but holds no other control character."""
    if value and _CONTROL_BUT_LINES.search(value):
        raise ValidationError(
            "Remove the control character from it (line breaks are fine)",
            code="control_character",
        )


def single_line(text: str) -> str:
    """``text`` safe for a mail header: every control character becomes a space."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())
