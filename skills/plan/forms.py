"""The training plan page's GET form: what to plan for, from when, how far ahead, and the
budget. Nothing it asks for is saved."""

from __future__ import annotations

from decimal import Decimal

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms

from skills.date_input import date_input
from skills.dates import check_as_of

MAX_PLAN_HORIZON = 24


def _whole(label: str, what: str, *, low: int, high: int | None = None, help_text: str = ""):
    messages = {
        "invalid": f"Enter the {what} as a whole number, for example 3",
        "min_value": f"Enter {what} of {low} or more",
    }
    if high is not None:
        messages["max_value"] = f"Enter {what} of {high} or fewer"
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        help_text=help_text,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages=messages,
    )


class PlanForm(forms.Form):
    """``scope`` is ``unit:CODE`` or ``force:CODE``: ``choices`` are those the user may plan
    for."""

    scope = forms.ChoiceField(
        label="Plan for",
        error_messages={
            "required": "Choose a unit or force to plan for",
            "invalid_choice": "Choose a unit or force you may plan for",
        },
    )
    as_of = date_input(
        "As of",
        "date the plan starts",
        required=False,
        help_text="For example, 31 3 2027. Leave blank for today. Offerings starting after it "
        "are proposed.",
        validators=[check_as_of],
        iso_in_address=True,
    )
    horizon = _whole(
        "Months ahead",
        "months ahead",
        low=1,
        high=MAX_PLAN_HORIZON,
        help_text=f"From 1 to {MAX_PLAN_HORIZON}; 12 if left blank.",
    )
    money = forms.DecimalField(
        label="Money, in pounds",
        required=False,
        min_value=Decimal(0),
        max_digits=10,
        decimal_places=2,
        help_text="The most the bookings may cost in all. Leave blank for no limit.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
        error_messages={
            "invalid": "Enter the money as an amount in pounds, for example 1500 or 1500.50",
            "min_value": "Enter money of £0 or more",
            "max_digits": "Enter money of less than £100,000,000",
            "max_decimal_places": "Enter the money to the nearest penny, for example 1500.50",
            "max_whole_digits": "Enter money of less than £100,000,000",
        },
    )
    places = _whole(
        "Places",
        "places",
        low=0,
        help_text="The most bookings in all. Leave blank for no limit.",
    )
    per_person = _whole(
        "Bookings per person",
        "bookings per person",
        low=1,
        help_text="The most bookings for any one person. Leave blank for no limit.",
    )

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].choices = [("", "Choose a unit or force")] + list(choices)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.select("scope"),
            Field("as_of"),
            Field.text("horizon", field_width=3),
            Fieldset(
                Field.text("money", field_width=10),
                Field.text("places", field_width=4),
                Field.text("per_person", field_width=3),
                legend="Budget",
                legend_size=Size.SMALL,
            ),
            Submit("plan", "Propose a plan"),
        )

    @property
    def money_pence(self) -> int | None:
        money = self.cleaned_data.get("money")
        return None if money is None else int(money * 100)
