"""Search and filters for lists; every FilterSet receives a queryset already scoped to the user
and offers only choices the user may see."""

from __future__ import annotations

from datetime import date

import django_filters
from django.db.models import Q

from people.forms import FilterForm
from people.models import Force, Person, PersonType, Unit

APOSTROPHES = "'\u2019\u2018\u02bc"


def apostrophe_spellings(word: str) -> set[str]:
    """``word`` with each kind of apostrophe, so that O'Brien finds O\u2019Brien and back."""
    if not any(a in word for a in APOSTROPHES):
        return {word}
    plain = word.translate({ord(a): "'" for a in APOSTROPHES})
    return {plain.replace("'", a) for a in APOSTROPHES}


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="Name, staff number or email", method="search", help_text=None
    )
    force = django_filters.ModelChoiceFilter(
        label="Force", queryset=Force.objects.none(), empty_label="Any force"
    )
    person_type = django_filters.ChoiceFilter(
        label="Type", choices=PersonType.choices, empty_label="Any type"
    )
    unit = django_filters.ModelChoiceFilter(
        label="Unit posted to today",
        queryset=Unit.objects.none(),
        method="in_unit_today",
        empty_label="Any unit",
    )

    class Meta:
        model = Person
        fields = ["q", "force", "person_type", "unit"]
        form = FilterForm

    def __init__(self, *args, user, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.filters["force"].queryset = Force.objects.filter(
            pk__in=self.queryset.values("force_id")
        )
        self.filters["unit"].queryset = Unit.objects.visible_to(user).order_by("name")

    def search(self, queryset, name, value):
        # Every word must match somewhere, so "Jane Smith" finds Jane Smith, not every Jane.
        for word in value.split():
            match = Q(staff_number__iexact=word) | Q(email__icontains=word)
            for spelling in apostrophe_spellings(word):
                match |= Q(first_name__icontains=spelling) | Q(last_name__icontains=spelling)
            queryset = queryset.filter(match)
        return queryset

    def in_unit_today(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.in_unit(value, on=self.today)
