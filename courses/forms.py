"""Forms for recording, submitting, correcting, withdrawing and verifying completions, and for
uploading import files. Cross-field rules live in ``clean()``; services keep the invariants."""

from __future__ import annotations

from datetime import date

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size, Submit
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models.functions import Lower
from django.forms.utils import ErrorDict
from django.utils import timezone

from courses.models import Activity, ActivityKind
from people.forms import refuse_control_characters, refuse_control_characters_but_lines
from people.models import Person, Unit


class RealDateField(DateInputField):
    """A GOV.UK day/month/year date that refuses a part-filled or impossible date with a
    message, never a 500: crispy-forms-gds lets a blank year through as "no date", a huge
    year raise OverflowError, and shows Python's own text ("day is out of range for month")
    for the rest."""

    def __init__(self, *, what: str, **kwargs):
        super().__init__(**kwargs)
        self.what = what

    def compress(self, data_list):
        day, month, year = data_list
        if not (day or month or year):
            return None
        if not (day and month and year):
            # Sub-fields are optional once require_all_fields is off, so a blank year would
            # otherwise pass as "no date".
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        if len(year.strip()) != 4:
            raise ValidationError(
                f"The year of the {self.what} must have 4 numbers, for example 2025",
                code="invalid_year",
            )
        try:
            return date(day=int(day), month=int(month), year=int(year))
        except (ValueError, OverflowError) as error:
            raise ValidationError(
                f"The {self.what} must be a real date, for example 27 3 2025", code="invalid"
            ) from error


def date_field(
    label: str, *, required: bool = True, help_text: str = "", what: str = "date it was completed"
) -> DateInputField:
    field = RealDateField(what=what, label=label, required=required, help_text=help_text)
    field.require_all_fields = False
    field.error_messages["required"] = f"Enter the {what}"
    field.error_messages["incomplete"] = f"Enter the day, month and year of the {what}"
    return field


def recordable_activities():
    """Activities a completion can be recorded against: live ones, never a lab collection (a
    collection is held through its labs)."""
    # Case-insensitive, so that "eDiscovery" sorts among the Es.
    return (
        Activity.objects.active()
        .exclude(kind=ActivityKind.COLLECTION)
        .order_by(Lower("title"), "code")
    )


LINK_INVALID = "Enter the link to the certificate as a web address, like https://example.org/123"


class ActivityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} — {obj.provider} ({obj.code})"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # ``force`` is select_related by the caller, so no query per person.
        return f"{obj.full_name}, {obj.staff_number} ({obj.force.name})"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    # The largest primary key the database holds; a bigger number would overflow in the query.
    MAX_PK = 2**63 - 1

    def label_from_instance(self, obj):
        return f"{obj.full_name}, {obj.staff_number} ({obj.force.name})"

    def _check_values(self, value):
        # An ``__in`` lookup, unlike ``exact``, is not guarded against out-of-range integers.
        for pk in value:
            text = str(pk).strip()
            if not text.isdecimal() or int(text) > self.MAX_PK:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


# Cyber training on the register is no older than this: an earlier date is a typing slip
# (1 January 1899 was once recorded and verified).
EARLIEST_COMPLETION = date(1990, 1, 1)


def _expiry_rule(cleaned_data, form):
    """The completion date is not in the future nor implausibly old; an expiry comes after it."""
    completed_on = cleaned_data.get("completed_on")
    expires_on = cleaned_data.get("expires_on")
    if completed_on and completed_on > timezone.localdate():
        form.add_error("completed_on", "The date it was completed must be today or in the past")
    elif completed_on and completed_on < EARLIEST_COMPLETION:
        form.add_error(
            "completed_on",
            f"The date it was completed must be on or after {EARLIEST_COMPLETION:%-d %B %Y}",
        )
    elif completed_on and expires_on and expires_on <= completed_on:
        form.add_error("expires_on", "The expiry date must be after the date it was completed")


class CompletionForm(forms.Form):
    """One completion recorded by a coordinator for one person."""

    activity = ActivityChoiceField(
        queryset=Activity.objects.none(),
        empty_label="Choose an activity",
        error_messages={"required": "Choose the activity that was completed"},
    )
    completed_on = date_field("Date completed", help_text="For example, 27 3 2025")
    expires_on = date_field(
        "Expiry date (optional)",
        what="expiry date",
        required=False,
        help_text="Only if the certificate gives its own expiry. Leave blank to use the "
        "activity's validity.",
    )
    certificate_number = forms.CharField(
        label="Certificate number (optional)",
        max_length=80,
        required=False,
        validators=[refuse_control_characters],
    )
    evidence_link = forms.URLField(
        label="Link to the certificate (optional)",
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": LINK_INVALID},
        # A text input, so that crispy-forms-gds gives it the govuk-input class.
        widget=forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = recordable_activities()
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.select("activity"),
            Field("completed_on"),
            Field("expires_on"),
            Field.text("certificate_number", field_width=20),
            Field.text("evidence_link"),
            Submit("record", "Record completion"),
        )

    def clean(self):
        cleaned = super().clean()
        _expiry_rule(cleaned, self)
        return cleaned


class CohortForm(forms.Form):
    """One course run on one date, for many people in the coordinator's scope."""

    activity = ActivityChoiceField(
        queryset=Activity.objects.none(),
        empty_label="Choose an activity",
        error_messages={"required": "Choose the activity the cohort completed"},
    )
    completed_on = date_field("Date completed", help_text="For example, 27 3 2025")
    expires_on = date_field(
        "Expiry date (optional)",
        what="expiry date",
        required=False,
        help_text="Only if the certificates give their own expiry.",
    )
    people = PeopleChoiceField(
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label="Who completed it",
        help_text="Select everyone who completed it.",
        error_messages={
            "required": "Select at least one person who completed it",
            "invalid_pk_value": "Select people from the list",
        },
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = recordable_activities()
        self.fields["people"].queryset = people if people is not None else Person.objects.none()
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.select("activity"),
            Field("completed_on"),
            Field("expires_on"),
            Field.checkboxes("people", legend_size=Size.MEDIUM, small=True),
            HTML('{% include "courses/cohort_buttons.html" %}'),
        )

    def clean(self):
        cleaned = super().clean()
        _expiry_rule(cleaned, self)
        return cleaned

    def redrawn(self) -> CohortForm:
        """Keeps what was typed and shows no errors: the page is only being redrawn (everyone
        ticked or the selection cleared), not submitted."""
        self._errors = ErrorDict()
        return self


class CohortUnitForm(forms.Form):
    """Narrows the cohort's list of people to one unit (GET)."""

    unit = forms.ModelChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        empty_label="Everyone I coordinate",
        to_field_name="code",
        label="Show people in",
    )

    # Carried through the GET so that narrowing the list keeps the chosen activity.
    activity = forms.CharField(required=False, widget=forms.HiddenInput)
    select = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, units=None, **kwargs):
        # Its own ids: the cohort form on the same page has an "activity" field too.
        kwargs.setdefault("auto_id", "show_%s")
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else Unit.objects.none()
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.select("unit"),
            Field("activity"),
            Submit("show", "Show people", css_class="govuk-button--secondary"),
        )


class SubmitCompletionForm(forms.Form):
    """Training done elsewhere, with evidence: an upload, a certificate number or a link."""

    person = PersonChoiceField(
        queryset=Person.objects.none(),
        required=False,
        empty_label="Choose a person",
        label="Who completed it",
    )
    activity = ActivityChoiceField(
        queryset=Activity.objects.none(),
        empty_label="Choose an activity",
        error_messages={"required": "Choose the activity that was completed"},
    )
    completed_on = date_field("Date completed", help_text="For example, 27 3 2025")
    expires_on = date_field(
        "Expiry date (optional)",
        what="expiry date",
        required=False,
        help_text="If the certificate gives one.",
    )
    evidence_file = forms.FileField(
        label="Upload the certificate",
        required=False,
        help_text="A PDF, PNG or JPEG file.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
    certificate_number = forms.CharField(
        label="Certificate number",
        max_length=80,
        required=False,
        validators=[refuse_control_characters],
    )
    evidence_link = forms.URLField(
        label="Link to the certificate",
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": LINK_INVALID},
        # A text input, so that crispy-forms-gds gives it the govuk-input class.
        widget=forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false"}),
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = recordable_activities()
        limit = settings.EVIDENCE_MAX_BYTES // (1024 * 1024)
        self.fields["evidence_file"].help_text = f"A PDF, PNG or JPEG file under {limit} MB."
        fields = []
        if people is None:
            del self.fields["person"]
        else:
            self.fields["person"].queryset = people
            self.fields["person"].required = True
            self.fields["person"].error_messages["required"] = "Choose who completed it"
            fields.append(Field.select("person"))
        self.helper = FormHelper()
        self.helper.layout = Layout(
            *fields,
            Field.select("activity"),
            Field("completed_on"),
            Field("expires_on"),
            Fieldset(
                Field("evidence_file"),
                Field.text("certificate_number", field_width=20),
                Field.text("evidence_link"),
                legend="Evidence: give at least one",
                legend_size=Size.MEDIUM,
            ),
            Submit("submit", "Submit for verification"),
        )

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            from courses.evidence import validate_evidence_file

            validate_evidence_file(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        _expiry_rule(cleaned, self)
        has_evidence = (
            cleaned.get("evidence_file")
            or cleaned.get("certificate_number")
            or cleaned.get("evidence_link")
        )
        if (
            not has_evidence
            and not self.has_error("evidence_file")
            and not self.has_error("evidence_link")
        ):
            self.add_error(
                "evidence_file",
                "Upload the certificate, or give its certificate number or a link to it",
            )
        return cleaned


class CorrectCompletionForm(forms.Form):
    """Corrects a completion's details; the reason is kept in its history."""

    completed_on = date_field("Date completed")
    expires_on = date_field(
        "Expiry date (optional)",
        what="expiry date",
        required=False,
        help_text="Only if the certificate gives its own expiry.",
    )
    certificate_number = forms.CharField(
        label="Certificate number (optional)",
        max_length=80,
        required=False,
        validators=[refuse_control_characters],
    )
    evidence_link = forms.URLField(
        label="Link to the certificate (optional)",
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": LINK_INVALID},
        # A text input, so that crispy-forms-gds gives it the govuk-input class.
        widget=forms.TextInput(attrs={"inputmode": "url", "spellcheck": "false"}),
    )
    reason = forms.CharField(
        label="Why are you correcting it?",
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the record is being corrected"},
        validators=[refuse_control_characters_but_lines],
    )

    # The activity is not corrected: a record of the wrong activity is withdrawn instead.
    FIELDS = ("completed_on", "expires_on", "certificate_number", "evidence_link")

    def __init__(self, *args, completion, **kwargs):
        self.completion = completion
        initial = {name: getattr(completion, name) for name in self.FIELDS}
        super().__init__(*args, initial=initial, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field("completed_on"),
            Field("expires_on"),
            Field.text("certificate_number", field_width=20),
            Field.text("evidence_link"),
            Field.textarea("reason", rows=3),
            Submit("correct", "Save the correction"),
        )

    def clean(self):
        cleaned = super().clean()
        _expiry_rule(cleaned, self)
        if not self.errors and not self.changes():
            raise ValidationError("Nothing has changed: change a detail, or go back")
        return cleaned

    def changes(self) -> dict:
        """The fields whose values differ from the record's."""
        changes = {}
        for name in self.FIELDS:
            value = self.cleaned_data.get(name)
            if name in {"certificate_number", "evidence_link"}:
                value = value or ""
            if value != getattr(self.completion, name):
                changes[name] = value
        return changes


class ReasonForm(forms.Form):
    """A required reason (withdrawing a completion)."""

    reason = forms.CharField(
        label="Why is it being withdrawn?",
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the record is being withdrawn"},
        validators=[refuse_control_characters_but_lines],
    )

    def __init__(self, *args, submit_label="Withdraw the record", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.textarea("reason", rows=3),
            Submit("withdraw", submit_label, css_class="govuk-button--warning"),
        )


class ReviewForm(forms.Form):
    """Verify or reject a submitted completion; rejecting needs a reason."""

    VERIFY = "verify"
    REJECT = "reject"

    decision = forms.ChoiceField(choices=[(VERIFY, "Verify"), (REJECT, "Reject")])
    note = forms.CharField(
        label="Note or reason",
        max_length=400,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when rejecting: the officer is told the reason.",
        validators=[refuse_control_characters_but_lines],
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.REJECT and not cleaned.get("note", "").strip():
            self.add_error("note", "Give the reason for rejecting the evidence")
        return cleaned


class ImportUploadForm(forms.Form):
    """Chooses what a file holds and uploads it for a preview."""

    KINDS = [
        ("completions", "Completions (one row per person and activity)"),
        ("labs", "Cyber-range platform export (one row per lab completed)"),
        ("people", "People and postings"),
    ]

    kind = forms.ChoiceField(
        choices=KINDS,
        widget=forms.RadioSelect,
        label="What does the file hold?",
        error_messages={"required": "Choose what the file holds"},
    )
    file = forms.FileField(
        label="Upload a file",
        help_text="A CSV (UTF-8) or Excel (.xlsx) file with a header row.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": "Choose a CSV or XLSX file to upload"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.radios("kind", legend_size=Size.MEDIUM),
            Field("file"),
            Submit("upload", "Upload and preview"),
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".csv", ".xlsx")):
            raise ValidationError("The file must be a CSV or an XLSX file")
        if upload.size > settings.IMPORT_MAX_BYTES:
            limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
            raise ValidationError(f"The file must be smaller than {limit} MB")
        return upload
