"""Admin for the catalogue: inspections and expectations, capabilities, role profiles with
their ordered requirements, and resilience targets. ``load_catalogue`` ships the defaults."""

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from people.models import PersonType, UnitKind
from skills.models import (
    Capability,
    Expectation,
    Inspection,
    Requirement,
    ResilienceTarget,
    RoleProfile,
)
from skills.versions import VersionInForce, today


class BlankValuesFilter(admin.AllValuesFieldListFilter):
    """Filters by a field's values, listing the blank value as "(none)" rather than as a link
    with no text (axe's link-name, tests/browser/test_admin_pages_accessible.py)."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            yield {**choice, "display": "(none)"} if choice["display"] == "" else choice


class ExpectationInline(admin.TabularInline):
    model = Expectation
    extra = 0
    fields = ["reference", "theme", "audience", "text", "due"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "text":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 60})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "publisher", "published", "kind", "illustrative"]
    list_filter = ["publisher", "illustrative"]
    search_fields = ["code", "title", "publisher"]
    date_hierarchy = "published"
    inlines = [ExpectationInline]


@admin.register(Expectation)
class ExpectationAdmin(admin.ModelAdmin):
    """Listed on its own so that capabilities, requirements and targets can search it."""

    list_display = ["__str__", "theme", "audience", "due"]
    list_filter = ["inspection", ("theme", BlankValuesFilter)]
    list_select_related = ["inspection"]
    search_fields = ["inspection__code", "reference", "text", "theme"]
    autocomplete_fields = ["inspection"]


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "function"]
    list_filter = ["function"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["expectations"]
    fieldsets = [
        (None, {"fields": ["code", "name", "function"]}),
        ("Levels", {"fields": ["level_1", "level_2", "level_3"]}),
        ("Why", {"fields": ["expectations"]}),
    ]


class RoleProfileForm(forms.ModelForm):
    person_types = forms.MultipleChoiceField(
        choices=PersonType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Person types the role is meant for.",
    )

    class Meta:
        model = RoleProfile
        fields = ["code", "name", "person_types", "description"]


class VersionForm(forms.ModelForm):
    """A version that has counted is never edited: changing one is refused with the way
    forward (a new version; the admin's "Save as new" makes one from the values entered). A
    new version of an existing series takes effect after today, so no past figure moves."""

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk is not None and instance.counted_as_stored() and self.has_changed():
            raise VersionInForce(type(instance)._default_manager.get(pk=instance.pk))
        valid_from, draft = cleaned.get("valid_from"), cleaned.get("draft")
        if valid_from is None or draft or instance.pk is not None and not self.has_changed():
            return cleaned
        probe = type(instance)()
        for name in self._series_inputs:
            attname = type(instance)._meta.get_field(name).attname
            if name in cleaned:
                value = cleaned[name]
                setattr(probe, attname, value.pk if hasattr(value, "pk") else value)
            else:
                setattr(probe, attname, getattr(instance, attname, None))
        series = type(instance)._default_manager._series_of(probe).exclude(pk=instance.pk)
        if valid_from <= today() and series.filter(draft=False).exists():
            self.add_error(
                "valid_from",
                "A new version of a requirement or target already in use takes effect after "
                "today, so that past reports keep their figures.",
            )
        return cleaned


class RequirementVersionForm(VersionForm):
    _series_inputs = ("role_profile", "capability", "level")

    class Meta:
        model = Requirement
        fields = [
            "role_profile",
            "order",
            "capability",
            "level",
            "mandatory",
            "grace_months",
            "valid_from",
            "grace_from",
            "draft",
            "retired",
            "expectations",
        ]


class TargetVersionForm(VersionForm):
    _series_inputs = ("unit", "unit_kind", "capability", "level")

    class Meta:
        model = ResilienceTarget
        fields = [
            "unit_kind",
            "unit",
            "capability",
            "level",
            "minimum",
            "valid_from",
            "draft",
            "retired",
            "illustrative",
            "expectations",
        ]


class VersionFormSet(forms.BaseInlineFormSet):
    """A version that has counted is kept: deleting it is refused like editing it."""

    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk is not None and form.instance.counted_as_stored():
                raise VersionInForce(form.instance)


class RequirementInline(admin.TabularInline):
    """The pathway, in order: ``order`` is the step number. Each row is one version."""

    model = Requirement
    form = RequirementVersionForm
    extra = 0
    ordering = ["order", "valid_from"]
    fields = [
        "order",
        "capability",
        "level",
        "mandatory",
        "grace_months",
        "valid_from",
        "grace_from",
        "draft",
        "retired",
        "expectations",
    ]
    autocomplete_fields = ["capability", "expectations"]
    formset = VersionFormSet


class VersionAdminMixin:
    """Versions that have counted are read-only and kept (a new version replaces them)."""

    save_as = True

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.counted_as_stored():
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description="stage")
    def stage_display(self, obj):
        return obj.stage(today())

    @admin.display(description="impact")
    def impact_link(self, obj):
        """A draft or scheduled version: a link to what it would change (skills/impact/)."""
        if obj.has_counted(today()):
            return "–"
        prefix = "r" if isinstance(obj, Requirement) else "t"
        url = reverse("skills:requirement_impact")
        return format_html('<a href="{}?version={}{}">See its impact</a>', url, prefix, obj.pk)


@admin.register(Requirement)
class RequirementAdmin(VersionAdminMixin, admin.ModelAdmin):
    """Every requirement version, with its stage; a role's pathway is edited on the role."""

    form = RequirementVersionForm
    list_display = [
        "__str__",
        "role_profile",
        "order",
        "capability",
        "level",
        "mandatory",
        "grace_months",
        "valid_from",
        "stage_display",
        "impact_link",
    ]
    list_filter = ["role_profile", "draft", "retired", "mandatory"]
    list_select_related = ["role_profile", "capability"]
    search_fields = ["role_profile__code", "capability__code", "capability__name"]
    autocomplete_fields = ["role_profile", "capability", "expectations"]


@admin.register(RoleProfile)
class RoleProfileAdmin(admin.ModelAdmin):
    form = RoleProfileForm
    list_display = ["code", "name", "person_types_display", "requirement_count"]
    search_fields = ["code", "name"]
    inlines = [RequirementInline]

    @admin.display(description="person types")
    def person_types_display(self, obj):
        labels = dict(PersonType.choices)
        return ", ".join(labels.get(value, value) for value in obj.person_types)

    @admin.display(description="requirements")
    def requirement_count(self, obj):
        return obj.requirement_count

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(requirement_count=Count("requirements"))


class UnitOrKindFilter(admin.SimpleListFilter):
    """Targets set for a kind of unit, or for one unit."""

    title = "set for"
    parameter_name = "set_for"

    def lookups(self, request, model_admin):
        return [("kind", "a kind of unit"), ("unit", "one unit")]

    def queryset(self, request, queryset):
        if self.value() == "kind":
            return queryset.filter(unit__isnull=True)
        if self.value() == "unit":
            return queryset.filter(unit__isnull=False)
        return queryset


@admin.register(ResilienceTarget)
class ResilienceTargetAdmin(VersionAdminMixin, admin.ModelAdmin):
    form = TargetVersionForm
    list_display = [
        "__str__",
        "unit_kind",
        "unit",
        "capability",
        "level",
        "minimum",
        "valid_from",
        "stage_display",
        "impact_link",
        "illustrative",
    ]
    list_filter = [
        UnitOrKindFilter,
        ("unit_kind", BlankValuesFilter),
        "unit",
        "level",
        "draft",
        "illustrative",
    ]
    list_select_related = ["unit", "capability"]
    search_fields = ["capability__code", "capability__name", "unit__code", "unit__name"]
    autocomplete_fields = ["unit", "capability", "expectations"]
    fields = [
        "unit_kind",
        "unit",
        "capability",
        "level",
        "minimum",
        "valid_from",
        "draft",
        "retired",
        "illustrative",
        "expectations",
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "unit_kind":
            kwargs["widget"] = forms.Select(
                choices=[("", "— (set for one unit) —"), *UnitKind.choices]
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)
