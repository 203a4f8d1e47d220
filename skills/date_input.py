"""The GOV.UK date input (day, month and year boxes) for every date a person types in the
skills pages, with the GOV.UK error messages for a part-filled or impossible date.

A GET filter's boxes are named ``as_of_0``, ``as_of_1`` and ``as_of_2``; the address may still
say ``?as_of=YYYY-MM-DD`` instead (bookmarks, links from other pages, DESIGN.md), which fills
the boxes."""

from __future__ import annotations

from datetime import date

from crispy_forms_gds.widgets import DateInputWidget
from django.core.exceptions import ValidationError

from courses.forms import RealDateField


class _NotIso(list):
    """What ``?as_of=`` held when it was not a YYYY-MM-DD date: shown back in the day box."""


class IsoOrBoxesWidget(DateInputWidget):
    def value_from_datadict(self, data, files, name):
        boxes = [f"{name}_{i}" for i in range(3)]
        if not any(key in data for key in boxes) and name in data:
            raw = (data.get(name) or "").strip()
            if not raw:
                return ["", "", ""]
            try:
                day = date.fromisoformat(raw) if len(raw) == 10 else None
            except ValueError:
                day = None
            if day is None:
                return _NotIso([raw, "", ""])
            # Four figures, so that 0001-01-01 is refused by the range, not as a short year.
            return [str(day.day), str(day.month), f"{day.year:04d}"]
        return super().value_from_datadict(data, files, name)


class GovukDateField(RealDateField):
    def clean(self, value):
        if isinstance(value, _NotIso):
            raise ValidationError(
                f"The {self.what} must be a real date, for example 27 3 2025", code="invalid"
            )
        return super().clean(value)


def date_input(
    label: str,
    what: str,
    *,
    required: bool = True,
    help_text: str = "For example, 27 3 2025",
    validators=(),
    iso_in_address: bool = False,
) -> GovukDateField:
    """A day/month/year field. ``what`` names the date in messages ("Enter the due date");
    ``iso_in_address`` lets a GET form's address give it as ``?name=YYYY-MM-DD``."""
    kwargs = {"widget": IsoOrBoxesWidget} if iso_in_address else {}
    field = GovukDateField(
        what=what,
        label=label,
        required=required,
        help_text=help_text,
        validators=list(validators),
        **kwargs,
    )
    # Sub-fields are optional so that a blank box gets RealDateField's own message.
    field.require_all_fields = False
    field.error_messages["required"] = f"Enter the {what}"
    field.error_messages["incomplete"] = f"Enter the day, month and year of the {what}"
    return field
