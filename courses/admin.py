"""Admin for activities (the catalogue) and completions. Completions are never deleted: withdraw
or reject them instead, and their history is kept."""

from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from courses.models import (
    Activity,
    ActivityCapability,
    ActivityPrerequisite,
    Booking,
    Completion,
    Job,
    Offering,
    Status,
)


class ActivityCapabilityInline(admin.TabularInline):
    model = ActivityCapability
    extra = 0
    autocomplete_fields = ["capability"]


class ActivityPrerequisiteInline(admin.TabularInline):
    model = ActivityPrerequisite
    extra = 0
    autocomplete_fields = ["capability"]
    verbose_name = "prerequisite (held on the first day)"
    verbose_name_plural = "prerequisites (held on the first day)"


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "title",
        "provider",
        "kind",
        "validity_months",
        "validity_confidence",
        "retired",
    ]
    list_filter = ["kind", "provider", "validity_confidence", "retired"]
    search_fields = ["code", "title", "provider"]
    filter_horizontal = ["labs"]
    inlines = [ActivityCapabilityInline, ActivityPrerequisiteInline]
    fieldsets = [
        (None, {"fields": ["code", "kind", "provider", "title", "hours", "retired"]}),
        ("Validity", {"fields": ["validity_months", "validity_confidence"]}),
        ("Lab collection", {"fields": ["labs", "threshold"], "classes": ["collapse"]}),
    ]


@admin.register(Completion)
class CompletionAdmin(SimpleHistoryAdmin):
    list_display = ["person", "activity", "completed_on", "status", "source", "recorded_at"]
    list_filter = ["status", "source", "activity__kind"]
    list_select_related = ["person__force", "activity"]
    search_fields = [
        "person__first_name",
        "person__last_name",
        "person__staff_number",
        "activity__code",
        "activity__title",
        "certificate_number",
    ]
    date_hierarchy = "completed_on"
    autocomplete_fields = ["person", "activity"]
    raw_id_fields = ["recorded_by", "verified_by"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = ["evidence", "recorded_by", "recorded_at", "verified_by", "verified_at"]
    fields = [
        "person",
        "activity",
        "completed_on",
        "expires_on",
        "source",
        "status",
        "status_reason",
        "evidence",
        "evidence_link",
        "certificate_number",
        "points",
        "recorded_by",
        "recorded_at",
        "verified_by",
        "verified_at",
    ]

    @admin.display(description="evidence file")
    def evidence(self, obj):
        # Files are read back only through the access-checked view, never from storage URLs.
        if not obj.pk or not obj.evidence_file:
            return "–"
        return format_html(
            '<a href="{}">Download evidence</a>',
            reverse("courses:evidence_file", args=[obj.pk]),
        )

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            obj.recorded_by = request.user
        if obj.status == Status.VERIFIED and obj.verified_at is None:
            obj.verified_at = timezone.now()
            obj.verified_by = request.user
        obj._change_reason = "changed in the admin" if change else "recorded in the admin"
        super().save_model(request, obj, form, change)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Background jobs, read-only: they are records of what ran (docs/jobs.md)."""

    list_display = [
        "pk",
        "kind",
        "status",
        "started_by",
        "filename",
        "rows_done",
        "rows_total",
        "created_at",
        "finished_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["filename", "started_by__email"]
    readonly_fields = [field.name for field in Job._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Offering)
class OfferingAdmin(SimpleHistoryAdmin):
    list_display = ["activity", "starts_on", "ends_on", "places", "cost_pence", "owner_force"]
    list_filter = ["online", "cancelled", "owner_force"]
    search_fields = ["activity__title", "activity__code", "location"]
    autocomplete_fields = ["activity"]
    filter_horizontal = ["open_to_units", "open_to_forces"]
    readonly_fields = ["created_by", "created_at"]

    def has_delete_permission(self, request, obj=None):
        return False  # Cancel it instead: bookings and history rest on it.


@admin.register(Booking)
class BookingAdmin(SimpleHistoryAdmin):
    list_display = ["person", "offering", "status", "updated_at"]
    list_filter = ["status"]
    search_fields = ["person__last_name", "person__staff_number", "offering__activity__title"]
    raw_id_fields = ["offering", "person", "completion"]
    readonly_fields = ["booked_by", "cancelled_by", "cancelled_at", "created_at", "updated_at"]

    def has_delete_permission(self, request, obj=None):
        return False  # A booking is cancelled, never deleted.
