"""The unit resilience report's GET form: the as-of date, the forecast horizon and a what-if
(people who leave, a fund not renewed, a planned cohort). Nothing it asks for is saved."""

from __future__ import annotations

from datetime import date

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size
from django import forms

from courses.forms import recordable_activities
from people.models import Fund
from skills.coverage import MAX_HORIZON, PlannedCompletion, WhatIf
from skills.date_input import date_input
from skills.dates import check_as_of


def _iso_date_field(label: str, what: str, *, help_text: str = "For example, 27 3 2025"):
    # Day, month and year boxes; the address may still say ?as_of=YYYY-MM-DD (DESIGN.md).
    return date_input(
        label,
        what,
        required=False,
        help_text=help_text,
        validators=[check_as_of],
        iso_in_address=True,
    )


class CodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Activities have a title, funds a name.
        return f"{getattr(obj, 'title', None) or obj.name} ({obj.code})"


class ReportForm(forms.Form):
    """``?as_of=&horizon=`` and the what-if. ``people`` are the (id, label) choices of who may
    leave or join a cohort: the people in the unit on the as-of date."""

    as_of = _iso_date_field(
        "Report as of", "report date", help_text="For example, 27 3 2025. Leave blank for today."
    )
    horizon = forms.IntegerField(
        label="Forecast months",
        required=False,
        min_value=0,
        max_value=MAX_HORIZON,
        help_text=f"From 0 to {MAX_HORIZON}; 12 if left blank.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the forecast months as a whole number, for example 12",
            "min_value": "Enter forecast months of 0 or more",
            "max_value": f"Enter forecast months of {MAX_HORIZON} or fewer",
        },
    )
    who = forms.CharField(
        label="Find people in the unit",
        required=False,
        max_length=100,
        help_text="Part of a name or a staff number. Tick the people found below; people "
        "already ticked stay ticked when you search again.",
    )
    without = forms.TypedMultipleChoiceField(
        label="People who leave",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The report is worked out as if they had left the unit. Find people above "
        "to list them here.",
        error_messages={"invalid_choice": "Choose people who are in the unit"},
    )
    fund = CodeChoiceField(
        label="Fund",
        queryset=Fund.objects.none(),
        to_field_name="code",
        required=False,
        empty_label="No change",
    )
    fund_ends = _iso_date_field("Last funded day", "fund's last funded day")
    activity = CodeChoiceField(
        label="Activity",
        queryset=recordable_activities().none(),
        to_field_name="code",
        required=False,
        empty_label="No planned cohort",
    )
    cohort = forms.TypedMultipleChoiceField(
        label="Who completes it",
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Find people above to list them here.",
        error_messages={"invalid_choice": "Choose people who are in the unit"},
    )
    cohort_on = _iso_date_field("Completed on", "cohort's completion date")
    bookings = forms.BooleanField(
        label="Count booked training as done on its end date",
        required=False,
        help_text="Each booking of the unit's people onto a course offering counts as completed "
        "on the offering's last day.",
    )

    def __init__(self, *args, people=(), funds=None, **kwargs):
        # ``people``: the (id, label) choices drawn as checkboxes: those already chosen and
        # the people the search ``who`` finds on this page of matches (skills.report.query),
        # never everyone in the unit.
        super().__init__(*args, **kwargs)
        self.fields["without"].choices = list(people)
        self.fields["cohort"].choices = list(people)
        self.fields["fund"].queryset = funds if funds is not None else Fund.objects.none()
        self.fields["activity"].queryset = recordable_activities()
        # A GET form: a CSRF token would only end up in addresses, logs and Referer headers.
        self.date_helper = FormHelper()
        self.date_helper.form_tag = False
        self.date_helper.disable_csrf = True
        self.date_helper.layout = Layout(Field("as_of"), Field.text("horizon", field_width=3))
        self.what_if_helper = FormHelper()
        self.what_if_helper.form_tag = False
        self.what_if_helper.disable_csrf = True
        self.who_helper = FormHelper()
        self.who_helper.form_tag = False
        self.who_helper.disable_csrf = True
        self.who_helper.layout = Layout(Field.text("who", field_width=20))
        self.what_if_helper.layout = Layout(
            Field.checkboxes("without", legend_size=Size.SMALL, small=True),
            Fieldset(
                Field.select("fund"),
                Field("fund_ends"),
                legend="A fund not renewed",
                legend_size=Size.SMALL,
            ),
            Fieldset(
                Field.select("activity"),
                Field.checkboxes("cohort", legend_size=Size.SMALL, small=True),
                Field("cohort_on"),
                legend="A planned cohort",
                legend_size=Size.SMALL,
            ),
            Field.checkbox("bookings", small=True),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("fund") and not cleaned.get("fund_ends") and "fund_ends" not in self.errors:
            self.add_error("fund_ends", "Enter the fund's last funded day, or choose no change")
        if cleaned.get("fund_ends") and not cleaned.get("fund") and "fund" not in self.errors:
            self.add_error("fund", "Choose the fund that is not renewed")
        planned = [cleaned.get("activity"), cleaned.get("cohort"), cleaned.get("cohort_on")]
        if any(planned) and not all(planned):
            if not cleaned.get("activity") and "activity" not in self.errors:
                self.add_error("activity", "Choose the activity the planned cohort completes")
            if not cleaned.get("cohort") and "cohort" not in self.errors:
                self.add_error("cohort", "Select who completes the planned cohort")
            if not cleaned.get("cohort_on") and "cohort_on" not in self.errors:
                self.add_error("cohort_on", "Enter the date the planned cohort completes")
        return cleaned

    def as_of_or(self, default: date) -> date:
        return self.cleaned_data.get("as_of") or default

    def horizon_or(self, default: int = 12) -> int:
        horizon = self.cleaned_data.get("horizon")
        return default if horizon is None else horizon

    def what_if(self) -> WhatIf | None:
        """The what-if asked for, or None; only on a valid form."""
        data = self.cleaned_data
        fund_ends = {}
        if data.get("fund") and data.get("fund_ends"):
            fund_ends[data["fund"].code] = data["fund_ends"]
        planned = ()
        if data.get("activity") and data.get("cohort") and data.get("cohort_on"):
            planned = (
                PlannedCompletion(
                    activity_code=data["activity"].code,
                    person_ids=frozenset(data["cohort"]),
                    completed_on=data["cohort_on"],
                ),
            )
        what_if = WhatIf(
            without_people=frozenset(data.get("without") or ()),
            fund_ends=fund_ends,
            planned=planned,
        )
        return what_if or None
