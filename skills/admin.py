"""Admin for the catalogue: inspections and expectations, capabilities, role profiles with
their ordered requirements, and resilience targets. ``load_catalogue`` ships the defaults."""

from django import forms
from django.contrib import admin
from django.db.models import Count

from people.models import PersonType, UnitKind
from skills.models import (
    Capability,
    Expectation,
    Inspection,
    Requirement,
    ResilienceTarget,
    RoleProfile,
)


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
    list_filter = ["inspection", "theme"]
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


class RequirementInline(admin.TabularInline):
    """The pathway, in order: ``order`` is the step number."""

    model = Requirement
    extra = 0
    ordering = ["order"]
    fields = ["order", "capability", "level", "mandatory", "grace_months", "expectations"]
    autocomplete_fields = ["capability", "expectations"]


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
class ResilienceTargetAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "unit_kind",
        "unit",
        "capability",
        "level",
        "minimum",
        "illustrative",
    ]
    list_filter = [UnitOrKindFilter, "unit_kind", "unit", "level", "illustrative"]
    list_select_related = ["unit", "capability"]
    search_fields = ["capability__code", "capability__name", "unit__code", "unit__name"]
    autocomplete_fields = ["unit", "capability", "expectations"]
    fields = ["unit_kind", "unit", "capability", "level", "minimum", "illustrative", "expectations"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "unit_kind":
            kwargs["widget"] = forms.Select(
                choices=[("", "— (set for one unit) —"), *UnitKind.choices]
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)
