"""django-filter filter sets; each receives a queryset already scoped to the user."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q

from courses.models import Activity, ActivityKind
from people.models import Posting, Unit


class ActivityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search by title, code or provider")
    kind = django_filters.ChoiceFilter(
        choices=ActivityKind.choices, empty_label="Any kind", label="Kind"
    )
    include_retired = django_filters.BooleanFilter(
        method="retired",
        label="Include retired activities",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Activity
        fields = ["q", "kind"]

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        # Retired activities are left out unless asked for, even with no filter given.
        self._show_retired = bool(data and data.get("include_retired"))

    @property
    def qs(self):
        qs = super().qs
        return qs if self._show_retired else qs.filter(retired=False)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(code__icontains=value) | Q(provider__icontains=value)
        )

    def retired(self, queryset, name, value):
        return queryset


class VerificationQueueFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Name or staff number")
    unit = django_filters.ModelChoiceFilter(
        queryset=Unit.objects.none(),
        to_field_name="code",
        method="in_unit",
        empty_label="Any unit",
        label="Unit",
    )
    activity = django_filters.ModelChoiceFilter(
        queryset=Activity.objects.none(), empty_label="Any activity", label="Activity"
    )

    def __init__(self, data=None, queryset=None, *, units=None, activities=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["unit"].queryset = units if units is not None else Unit.objects.none()
        self.filters["activity"].queryset = (
            activities if activities is not None else Activity.objects.none()
        )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # Every word must match a first or last name: "jane smith" finds Jane Smith only.
        names = Q()
        for word in value.split():
            names &= Q(person__first_name__icontains=word) | Q(person__last_name__icontains=word)
        q = Q(person__staff_number__iexact=value) | Q(person__email__iexact=value) | names
        return queryset.filter(q)

    def in_unit(self, queryset, name, unit):
        if unit is None:
            return queryset
        unit_ids = Unit.objects.descendant_ids([unit.pk])
        return queryset.filter(
            person__in=Posting.objects.filter(unit_id__in=unit_ids).values("person_id")
        )
