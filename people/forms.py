"""Forms for the people pages, rendered through crispy-forms-gds."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms_gds.layout import Div, Field, Layout
from django import forms


class FilterForm(forms.Form):
    """A GET search form laid out in one row; the page supplies the <form> tag and button."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Div(
                *(
                    Div(Field(name), css_class="govuk-grid-column-one-quarter")
                    for name in self.fields
                ),
                css_class="govuk-grid-row",
            )
        )
