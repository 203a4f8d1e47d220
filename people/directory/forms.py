"""Forms of the directory pages (people/directory/views.py)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from people.directory import services as directory
from people.forms import FilterForm, refuse_control_characters_but_lines
from people.models import PersonType, Region
from people.models.directory import (
    WorkMode,
)
from skills.models import Capability, Function, Level


class SearchForm(FilterForm):
    capability = forms.ModelChoiceField(
        queryset=Capability.objects.order_by("name"),
        required=False,
        empty_label="Any capability",
        to_field_name="code",
    )
    level = forms.TypedChoiceField(
        label="At least level", choices=Level.choices, coerce=int, required=False, empty_value=1
    )
    function = forms.ChoiceField(choices=[("", "Any function"), *Function.choices], required=False)
    person_type = forms.ChoiceField(
        label="Type", choices=[("", "Any type"), *PersonType.choices], required=False
    )
    region = forms.ModelChoiceField(
        queryset=Region.objects.all(), required=False, empty_label="Any region"
    )
    mode = forms.ChoiceField(
        label="Works",
        choices=[("", "Any way"), (WorkMode.REMOTE, "Remote"), (WorkMode.ON_SITE, "On site")],
        required=False,
    )
    min_hours = forms.IntegerField(label="At least hours a month", min_value=0, required=False)
    max_notice_days = forms.IntegerField(label="Notice at most (days)", min_value=0, required=False)

    def to_filter(self) -> directory.DirectoryFilter:
        data = self.cleaned_data
        return directory.DirectoryFilter(
            capability=data.get("capability"),
            level=data.get("level") or 1,
            function=data.get("function") or "",
            person_type=data.get("person_type") or "",
            region_id=data["region"].pk if data.get("region") else None,
            mode=data.get("mode") or "",
            min_hours=data.get("min_hours"),
            max_notice_days=data.get("max_notice_days"),
        )


class RequestForm(forms.Form):
    message = forms.CharField(
        label="What do you need help with?",
        help_text="Say what the task is, when, for how long and where. Do not include "
        "operationally sensitive details.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=4000,
        error_messages={"required": "Say what you need help with"},
        validators=[refuse_control_characters_but_lines],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Field.textarea("message"), Submit("send", "Send request"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", "Accept"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        label="Your decision",
        error_messages={"required": "Choose accept or decline"},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        validators=[refuse_control_characters_but_lines],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.MEDIUM, inline=True),
            Field.textarea("note"),
            Submit("decide", "Save decision"),
        )


class EntryForm(forms.Form):
    consent = forms.BooleanField(
        label="Show my entry in the cross-force skills directory",
        required=False,
        help_text="Coordinators and leads of any force can then find you by your verified "
        "capabilities. Your contact details are never shown. You can withdraw at any time.",
    )
    biography = forms.CharField(
        label="Skills biography",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Your specialist skills in your own words. Shown as your own description, "
        "never as verified.",
        max_length=4000,
    )
    hours_a_month = forms.IntegerField(
        label="Hours a month you could offer", min_value=0, max_value=744, required=False
    )
    mode = forms.ChoiceField(
        label="How you can work", choices=WorkMode.choices, widget=forms.RadioSelect
    )
    notice_days = forms.IntegerField(
        label="Notice needed (days)", min_value=0, max_value=365, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Field.checkbox("consent"),
            Field.textarea("biography"),
            Field.text("hours_a_month", field_width=4),
            Field.radios("mode", legend_size=Size.SMALL),
            Field.text("notice_days", field_width=4),
            Submit("save", "Save"),
        )
