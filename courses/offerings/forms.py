"""Forms for course offerings and bookings (GOV.UK patterns through crispy-forms-gds)."""

from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms

from courses.forms import ActivityChoiceField, date_field, recordable_activities
from people.forms import refuse_control_characters
from people.models import Force, Unit


class PersonChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name}, {obj.staff_number} ({obj.force.name})"


class NamedChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class NamedChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class OfferingForm(forms.Form):
    activity = ActivityChoiceField(
        queryset=None,
        empty_label="Choose an activity",
        error_messages={"required": "Choose the activity this offering runs"},
    )
    starts_on = date_field("First day", help_text="For example, 19 5 2025", what="first day")
    ends_on = date_field("Last day", help_text="For example, 20 5 2025", what="last day")
    places = forms.IntegerField(
        label="Places",
        min_value=0,
        max_value=10000,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "required": "Enter the number of places",
            "invalid": "Enter the places as a whole number, for example 12",
            "min_value": "Enter places of 0 or more",
            "max_value": "Enter places of 10000 or fewer",
        },
    )
    cost = forms.DecimalField(
        label="Cost per place, in pounds",
        min_value=0,
        max_value=1_000_000,
        decimal_places=2,
        required=False,
        help_text="For example, 1200.00. Leave blank if free.",
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={
            "invalid": "Enter the cost in pounds, for example 1200.00",
            "min_value": "Enter a cost of 0 or more",
            "max_value": "Enter a cost of £1,000,000 or less",
            "max_decimal_places": "Enter the cost to the penny, for example 1200.50",
        },
    )
    online = forms.BooleanField(label="Online", required=False)
    location = forms.CharField(
        label="Location",
        max_length=200,
        required=False,
        help_text="Where it is held. May be left blank for an online offering.",
        validators=[refuse_control_characters],
    )
    owner_force = NamedChoice(
        queryset=None,
        label="Recorded for",
        empty_label=None,
        help_text="With nothing chosen below, the offering is open to this force's units.",
    )
    open_to_units = NamedChoices(
        queryset=None, required=False, label="Open to units", widget=forms.CheckboxSelectMultiple
    )
    open_to_forces = NamedChoices(
        queryset=None,
        required=False,
        label="Open to forces",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, forces, submit="Save offering", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = recordable_activities()
        self.fields["owner_force"].queryset = forces.order_by("name")
        self.fields["open_to_units"].queryset = Unit.objects.visible_to(user).order_by("name")
        self.fields["open_to_forces"].queryset = Force.objects.order_by("name")
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.select("activity"),
            Field("starts_on"),
            Field("ends_on"),
            Field.text("places", field_width=5),
            Field.text("cost", field_width=10),
            Field.checkbox("online"),
            Field.text("location"),
            Field.select("owner_force"),
            Fieldset(
                Field.checkboxes("open_to_units", small=True),
                Field.checkboxes("open_to_forces", small=True),
                legend="Who may be booked",
                legend_size=Size.MEDIUM,
            ),
            Submit("save", submit),
        )

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The last day must be the same as or after the first day")
        no_place = not cleaned.get("online") and not (cleaned.get("location") or "").strip()
        if no_place and "location" not in self.errors:
            self.add_error("location", "Enter the location, or say the offering is online")
        return cleaned

    @staticmethod
    def initial_from(offering) -> dict:
        return {
            "activity": offering.activity,
            "starts_on": offering.starts_on,
            "ends_on": offering.ends_on,
            "places": offering.places,
            "cost": offering.cost_pence / 100,
            "online": offering.online,
            "location": offering.location,
            "owner_force": offering.owner_force,
            "open_to_units": list(offering.open_to_units.all()),
            "open_to_forces": list(offering.open_to_forces.all()),
        }


class BookForm(forms.Form):
    people = PersonChoices(
        queryset=None,
        label="Who to book",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the people to book"},
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = people
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.checkboxes("people", small=True, legend_size=Size.MEDIUM),
            Submit("book", "Book places"),
        )


class BookingCompletionForm(forms.Form):
    completed_on = date_field("Date completed", help_text="For example, 20 5 2025")
    certificate_number = forms.CharField(
        label="Certificate number (optional)",
        max_length=80,
        required=False,
        validators=[refuse_control_characters],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field("completed_on"),
            Field.text("certificate_number", field_width=20),
            Submit("record", "Record completion"),
        )


class CancelBookingForm(forms.Form):
    note = forms.CharField(
        label="Why is it cancelled? (optional)",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.textarea("note"),
            Submit("cancel", "Cancel the booking", css_class="govuk-button--warning"),
        )


class CancelOfferingForm(forms.Form):
    note = forms.CharField(
        label="Why is it cancelled? (optional)",
        help_text="Kept with the offering and with each booking it cancels.",
        max_length=500,
        required=False,
        validators=[refuse_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, count: int, **kwargs):
        super().__init__(*args, **kwargs)
        what = "Cancel the offering"
        if count:
            what += f" and {count} booking{'' if count == 1 else 's'}"
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.textarea("note"),
            Submit("cancel", what, css_class="govuk-button--warning"),
        )
