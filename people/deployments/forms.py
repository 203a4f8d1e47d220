"""Forms for the deployment log: record a deployment, filter the log. Cross-field rules live
in ``clean()``; the database keeps hours between 0 and 24."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import django_filters
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q

from courses.forms import RealDateField
from people.forms import FilterForm, refuse_control_characters
from people.models import Deployment, Person, Posting, Unit
from skills.dates import check_month
from skills.models import Capability


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # ``force`` is select_related by the caller, so no query per person.
        return f"{obj.full_name}, {obj.staff_number} ({obj.force.name})"


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class CapabilityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class DeploymentForm(forms.Form):
    """One deployment of one person. ``people`` are those the user may record for; with one
    only (their own record), the person is not asked."""

    person = PersonChoiceField(
        queryset=Person.objects.none(),
        empty_label="Choose a person",
        label="Who was deployed",
        error_messages={"required": "Choose who was deployed"},
    )
    deployed_on = RealDateField(
        what="date deployed", label="Date deployed", help_text="For example, 27 3 2025"
    )
    hours = forms.DecimalField(
        label="Hours",
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.25"),
        max_value=Decimal(24),
        help_text="Between 0.25 and 24, for example 7.5.",
        error_messages={
            "required": "Enter the hours deployed",
            "invalid": "Enter the hours as a number, for example 7.5",
            "min_value": "Hours must be at least 0.25",
            "max_value": "Hours must be 24 or fewer",
            "max_decimal_places": "Enter the hours to at most 2 decimal places",
            "max_digits": "Hours must be 24 or fewer",
        },
        widget=forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false"}),
    )
    task = forms.CharField(
        label="Task",
        max_length=240,
        help_text="What the deployment was for, e.g. OSINT support to a fraud investigation.",
        error_messages={"required": "Enter the task"},
        validators=[refuse_control_characters],
    )
    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        empty_label="No particular unit",
        label="Unit (optional)",
        help_text="The unit the deployment was for. The person must be posted to it that day.",
    )
    capabilities = CapabilityChoiceField(
        queryset=Capability.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Capabilities used (optional)",
    )

    def __init__(self, *args, people, units, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["person"].queryset = people
        self.fields["unit"].queryset = units
        self.fields["capabilities"].queryset = Capability.objects.order_by("name")
        self.fields["deployed_on"].require_all_fields = False
        self.fields["deployed_on"].error_messages["required"] = "Enter the date deployed"
        self.fields["deployed_on"].error_messages["incomplete"] = (
            "Enter the day, month and year of the deployment"
        )
        self.only_person = people.first() if people.count() == 1 else None
        layout = []
        if self.only_person is not None:
            self.fields["person"].widget = forms.HiddenInput()
            self.fields["person"].initial = self.only_person.pk
            layout.append(Field("person"))
        else:
            layout.append(Field.select("person"))
        layout += [
            Field("deployed_on"),
            Field.text("hours", field_width=5),
            Field.text("task"),
            Field.select("unit"),
            Field.checkboxes("capabilities", legend_size=Size.SMALL, small=True),
            Submit("record", "Record the deployment"),
        ]
        self.helper = FormHelper()
        self.helper.layout = Layout(*layout)

    def clean_deployed_on(self):
        day = self.cleaned_data["deployed_on"]
        if day > self.today:
            raise forms.ValidationError("The date deployed must be today or in the past")
        return day

    def clean(self):
        cleaned = super().clean()
        person, unit, day = (cleaned.get(k) for k in ("person", "unit", "deployed_on"))
        if person and unit and day:
            posted = (
                Posting.objects.filter(
                    person=person, unit_id__in=Unit.objects.descendant_ids([unit.pk])
                )
                .current_on(day)
                .exists()
            )
            if not posted:
                self.add_error(
                    "unit",
                    f"{person.full_name} was not posted to {unit.code} on "
                    f"{day:%-d %B %Y}: choose their unit or no particular unit",
                )
        return cleaned


class RejectDeploymentForm(forms.Form):
    reason = forms.CharField(
        label="Why is this deployment rejected?",
        max_length=300,
        help_text="The person and other coordinators see this, for example: not on duty that day.",
        error_messages={
            "required": "Enter why the deployment is rejected",
            "max_length": "The reason must be 300 characters or fewer",
        },
        validators=[refuse_control_characters],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.text("reason"),
            Submit("reject", "Reject the deployment", css_class="govuk-button--warning"),
        )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter why the deployment is rejected")
        return reason


def _month_in_range(value: str) -> None:
    """``0000-01`` has the right shape but no such year: refuse it with the range."""
    year, _, month = (value or "").partition("-")
    if year.isdigit() and month.isdigit():
        check_month(int(year), int(month))


class _NotIsoMonth(list):
    """What ``?month=`` held when it was not YYYY-MM: shown back in the month box."""


class MonthYearWidget(forms.MultiWidget):
    """The GOV.UK date input without its day box (the Design System's pattern for a month):
    boxes ``month_0`` (month) and ``month_1`` (year). The address may still say
    ``?month=YYYY-MM`` (links, bookmarks), which fills the boxes."""

    template_name = "gds/widgets/date.html"

    def __init__(self, attrs=None):
        box = "govuk-input govuk-date-input__input govuk-input--width-"
        super().__init__(
            [
                forms.TextInput(
                    attrs={"class": box + "2", "label": "Month", "inputmode": "numeric"}
                ),
                forms.TextInput(
                    attrs={"class": box + "4", "label": "Year", "inputmode": "numeric"}
                ),
            ],
            attrs,
        )

    def decompress(self, value):
        year, _, month = (value or "").partition("-")
        return [month.lstrip("0") or month, year] if value else [None, None]

    def value_from_datadict(self, data, files, name):
        if f"{name}_0" not in data and f"{name}_1" not in data and name in data:
            raw = (data.get(name) or "").strip()
            if not raw:
                return ["", ""]
            if not re.fullmatch(r"\d{4}-\d{2}", raw):
                return _NotIsoMonth([raw, ""])
            return self.decompress(raw)
        return super().value_from_datadict(data, files, name)


class MonthField(forms.MultiValueField):
    """Month and year boxes, cleaned to ``YYYY-MM`` ("" when both are empty)."""

    widget = MonthYearWidget

    def __init__(self, **kwargs):
        boxes = (forms.CharField(required=False), forms.CharField(required=False))
        super().__init__(boxes, require_all_fields=False, **kwargs)

    def clean(self, value):
        if isinstance(value, _NotIsoMonth):
            raise forms.ValidationError("Enter the month as year and month, like 2025-03")
        return super().clean(value)

    def compress(self, data_list):
        month, year = ((v or "").strip() for v in (list(data_list) + ["", ""])[:2])
        if not month and not year:
            return ""
        if not month.isdigit() or not 1 <= int(month) <= 12:
            raise forms.ValidationError("Enter the month as a number from 1 to 12")
        if not year.isdigit() or len(year) != 4:
            raise forms.ValidationError("Enter the year as 4 numbers, like 2025")
        return f"{year}-{int(month):02d}"


class MonthFilter(django_filters.CharFilter):
    field_class = MonthField


class DeploymentFilter(django_filters.FilterSet):
    """Filters for the deployment log; receives deployments already scoped to the user."""

    person = django_filters.CharFilter(
        label="Name or staff number", method="search_person", help_text=None
    )
    unit = django_filters.ModelChoiceFilter(
        label="Unit", queryset=Unit.objects.none(), method="in_unit", empty_label="Any unit"
    )
    month = MonthFilter(
        label="Month",
        method="in_month",
        help_text="For example, 3 2025",
        validators=[
            RegexValidator(
                r"^\d{4}-(0[1-9]|1[0-2])$", "Enter the month as year and month, like 2025-03"
            ),
            _month_in_range,
        ],
    )
    confirmed = django_filters.ChoiceFilter(
        label="Confirmed",
        choices=[("yes", "Confirmed"), ("no", "Not confirmed yet"), ("rejected", "Rejected")],
        method="by_confirmation",
        empty_label="Either",
    )

    class Meta:
        model = Deployment
        fields = ["person", "unit", "month", "confirmed"]
        form = FilterForm

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = units

    def search_person(self, queryset, name, value):
        # Every word must match somewhere, so "Jane Smith" finds Jane Smith, not every Jane.
        for word in value.split():
            queryset = queryset.filter(
                Q(person__first_name__icontains=word)
                | Q(person__last_name__icontains=word)
                | Q(person__staff_number__iexact=word)
            )
        return queryset

    def in_unit(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(unit_id__in=Unit.objects.descendant_ids([value.pk]))

    def in_month(self, queryset, name, value):
        year, month = (int(part) for part in value.split("-"))
        return queryset.filter(deployed_on__year=year, deployed_on__month=month)

    def by_confirmation(self, queryset, name, value):
        if value == "rejected":
            return queryset.filter(rejected_at__isnull=False)
        if value == "no":
            return queryset.filter(confirmed_by__isnull=True, rejected_at__isnull=True)
        return queryset.filter(confirmed_by__isnull=False)
