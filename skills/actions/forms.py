"""Forms of the inspection-action pages (skills/actions/views.py)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from people.forms import refuse_control_characters, refuse_control_characters_but_lines
from skills.actions import services as actions
from skills.date_input import date_input
from skills.dates import check_as_of
from skills.models import Expectation
from skills.models.actions import ActionStatus, EvidenceKind


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*layout)
    return helper


class ExpectationChoiceField(forms.ModelChoiceField):
    # A bare "HMIC 2015 5.56" means little in a list: show what the expectation says too.
    def label_from_instance(self, obj):
        text = obj.text if len(obj.text) <= 90 else obj.text[:89].rstrip() + "…"
        return f"{obj}: {text}"


class PlanForm(forms.Form):
    expectation = ExpectationChoiceField(
        queryset=Expectation.objects.select_related("inspection"),
        empty_label="Choose an expectation",
        error_messages={"required": "Choose the expectation"},
    )
    owner = forms.EmailField(
        label="Owner's email", help_text="The person with a login in the force who owns it."
    )

    def __init__(self, *args, force, **kwargs):
        self.force = force
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field("expectation"), Field.text("owner"), Submit("save", "Create"))

    def clean_owner(self):
        email = self.cleaned_data["owner"].lower()
        owner = actions.find_owner(force=self.force, email=email)
        if owner is None:
            message = actions.no_owner_message(self.force, email)
            raise ValidationError(message[0].upper() + message[1:])
        return owner


class ActionForm(forms.Form):
    reference = forms.CharField(
        max_length=20,
        help_text='Your numbering, e.g. "1" or "A2".',
        validators=[refuse_control_characters],
    )
    title = forms.CharField(
        label="What will be done", max_length=300, validators=[refuse_control_characters]
    )
    due_on = date_input("Due date", "due date", validators=[check_as_of])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
            Field.text("reference", field_width=5),
            Field.text("title"),
            Field("due_on"),
            Submit("add", "Add action"),
        )


class UpdateForm(forms.Form):
    on = date_input("Date", "date of the update", validators=[check_as_of])
    status = forms.ChoiceField(choices=ActionStatus.choices)
    text = forms.CharField(
        label="Update",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        validators=[refuse_control_characters_but_lines],
    )

    def __init__(self, *args, has_evidence=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_evidence = has_evidence
        self.helper = _helper(
            Field("on"),
            Field("status"),
            Field.textarea("text"),
            Submit("update", "Add update"),
        )

    def clean(self):
        data = super().clean()
        unchanged = data.get("status") == self.initial.get("status")
        no_note = not (data.get("text") or "").strip()
        if unchanged and no_note:
            self.add_error("text", "Say what changed, or choose a new status")
        elif data.get("status") == ActionStatus.CLOSED and no_note and not self.has_evidence:
            # An inspector asks what closed it: evidence or a note must say.
            self.add_error("text", "Say why the action is closed, or add evidence first")
        return data


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(choices=EvidenceKind.choices, widget=forms.RadioSelect)
    unit_code = forms.CharField(label="Unit code", max_length=40)
    as_of = date_input(
        "As of",
        "date of the figures",
        help_text="The date of the figures, for example 27 3 2025",
        validators=[check_as_of],
    )
    note = forms.CharField(max_length=300, required=False, validators=[refuse_control_characters])

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.helper = _helper(
            Field.radios("kind", legend_size=Size.SMALL),
            Field.text("unit_code", field_width=10),
            Field("as_of"),
            Field.text("note"),
            Submit("evidence", "Link evidence"),
        )

    def clean_unit_code(self):
        from people.models import Unit

        code = self.cleaned_data["unit_code"].strip()
        if not Unit.objects.visible_to(self.user).filter(code=code).exists():
            raise ValidationError(f"No unit {code} that you can see")
        return code


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a file",
        help_text="A CSV (UTF-8) or Excel (.xlsx) file with a header row (docs/actions.md).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": "Choose a CSV or XLSX file to upload"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(Field("file"), Submit("upload", "Upload and preview"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not (upload.name or "").lower().endswith((".csv", ".xlsx")):
            raise ValidationError("The file must be a CSV or an XLSX file")
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                f"The file must be smaller than {settings.IMPORT_MAX_BYTES // (1024 * 1024)} MB"
            )
        return upload


# --- tables --------------------------------------------------------------------------------
