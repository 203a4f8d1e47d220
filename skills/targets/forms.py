"""The "Schedule a target change" form: which target (capability and level), the new minimum,
the date it takes effect (after today: a version in force is never edited) and whether it is a
draft."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Submit
from django import forms
from django.core.exceptions import ValidationError

from skills.date_input import date_input
from skills.models import Capability, Level
from skills.report.renderers import long_date
from skills.versions import today

# Hidden fields of the "check your answers" page carry these keys back (the date as its boxes).
CARRIED = ("capability", "level", "minimum", "valid_from_0", "valid_from_1", "valid_from_2")


def after_today(value):
    if value is not None and value <= today():
        raise ValidationError(
            f"The date it takes effect must be after today ({long_date(today())}): a version "
            "in force is never edited, so a change starts on a later day",
            code="not_future",
        )


class ScheduleTargetForm(forms.Form):
    capability = forms.ModelChoiceField(
        queryset=Capability.objects.order_by("name"),
        label="Capability",
        empty_label="Choose a capability",
        error_messages={
            "required": "Choose a capability",
            "invalid_choice": "Choose a capability from the list",
        },
    )
    level = forms.TypedChoiceField(
        label="Level",
        choices=[("", "Choose a level"), *Level.choices],
        coerce=int,
        error_messages={
            "required": "Choose a level",
            "invalid_choice": "Choose a level from the list",
        },
    )
    minimum = forms.IntegerField(
        label="New minimum",
        min_value=1,
        max_value=999,
        help_text="The fewest people who must hold the capability at the level.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter the new minimum",
            "invalid": "Enter the new minimum as a whole number, for example 3",
            "min_value": "Enter a new minimum of 1 or more",
            "max_value": "Enter a new minimum of 999 or fewer",
        },
    )
    valid_from = date_input(
        "In force from",
        "date it takes effect",
        help_text="A day after today, for example 1 5 2027.",
        validators=[after_today],
    )
    draft = forms.BooleanField(
        label="Save as a draft (it counts nowhere until adopted; its impact can be looked at)",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.select("capability"),
            Field.select("level"),
            Field.text("minimum", field_width=4),
            Field("valid_from"),
            Field.checkbox("draft", small=True),
            Submit("check", "Continue"),
        )
