"""The coverage overview's filters: function, person type and as-of date (a GOV.UK GET form)."""

from __future__ import annotations

from datetime import date

from crispy_forms.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms
from django.utils import timezone

from people.models import PersonType
from skills.date_input import date_input
from skills.dates import check_as_of
from skills.models import Function


class OverviewFilterForm(forms.Form):
    function = forms.ChoiceField(
        label="Function",
        required=False,
        choices=[("", "All functions"), *Function.choices],
        help_text="Only targets and requirements of capabilities of this function.",
    )
    person_type = forms.ChoiceField(
        label="Person type",
        required=False,
        choices=[("", "Everyone"), *PersonType.choices],
        help_text="Count only people of this type.",
    )
    # Day, month and year boxes; the address may still say ?as_of=YYYY-MM-DD (DESIGN.md).
    as_of = date_input(
        "As of",
        "date of the figures",
        required=False,
        help_text="For example, 27 3 2025. Leave blank for today.",
        validators=[check_as_of],
        iso_in_address=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.select("function"),
            Field.select("person_type"),
            Field("as_of"),
            Submit("filter", "Apply filters", css_class="govuk-button--secondary"),
        )

    def choices(self) -> tuple[date, str | None, str | None]:
        """(as of, function, person type) from a valid form; today and no filter otherwise."""
        data = self.cleaned_data if self.is_valid() else {}
        as_of = data.get("as_of") or timezone.localdate()
        return as_of, data.get("function") or None, data.get("person_type") or None
