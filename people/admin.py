"""Admin for logins, regions, forces, units, people, postings, funds, grants and deployments.
People, postings, grants and deployments are never deleted here: end a posting, revoke a
grant, deactivate a login, correct a deployment (its history keeps every version)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from people.forms import refuse_control_characters
from people.models import (
    Deployment,
    Force,
    Fund,
    Grant,
    Person,
    Posting,
    Region,
    Unit,
    User,
)


class NoDeleteMixin:
    """No delete view and no bulk delete action: records are ended or withdrawn instead."""

    def has_delete_permission(self, request, obj=None):
        return False


# --- logins and grants ----------------------------------------------------------------------


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class GrantInline(NoDeleteMixin, admin.TabularInline):
    model = Grant
    fk_name = "user"
    extra = 0
    fields = ["role", "unit", "force", "region", "created_at", "revoked_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["unit", "force", "region"]


@admin.register(User)
class UserAdmin(NoDeleteMixin, DjangoUserAdmin):
    """Django's user admin, for email logins (no username). Deactivate rather than delete."""

    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "grants__role"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Name", {"fields": ["first_name", "last_name"]}),
        (
            "Permissions",
            {
                "fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"],
                "classes": ["collapse"],
            },
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "usable_password", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [GrantInline]

    def get_inlines(self, request, obj):
        # Grants are given once the login exists.
        return self.inlines if obj is not None else []

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            if isinstance(instance, Grant) and instance.pk is None:
                instance.granted_by = request.user
            instance.save()
        formset.save_m2m()


class ActiveFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "active"), ("revoked", "revoked")]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(Grant)
class GrantAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """Grants are revoked, never deleted, so that who could see what stays on record."""

    list_display = ["user", "role", "scope", "created_at", "granted_by", "revoked_at"]
    list_filter = [ActiveFilter, "role", "region", "force"]
    list_select_related = ["user", "unit", "force", "region", "granted_by"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "unit", "force", "region"]
    fields = ["user", "role", "unit", "force", "region", "granted_by", "created_at", "revoked_at"]
    readonly_fields = ["granted_by", "created_at"]
    actions = ["revoke"]

    @admin.display(description="scope")
    def scope(self, obj):
        return obj.scope_label

    @admin.action(description="Revoke selected grants")
    def revoke(self, request, queryset):
        now = timezone.now()
        revoked = 0
        for grant in queryset.filter(revoked_at__isnull=True):
            grant.revoked_at = now
            grant._change_reason = f"revoked in the admin by {request.user}"
            grant.save(update_fields=["revoked_at"])
            revoked += 1
        self.message_user(request, f"{revoked} grant(s) revoked.", messages.SUCCESS)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


# --- places ---------------------------------------------------------------------------------


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Force)
class ForceAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "region"]
    list_filter = ["region"]
    list_select_related = ["region"]
    search_fields = ["name", "code"]


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "region", "parent"]
    list_filter = ["kind", "region", "forces"]
    list_select_related = ["region", "parent"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent", "region"]
    filter_horizontal = ["forces"]


@admin.register(Fund)
class FundAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "force", "ends_on"]
    list_filter = ["force"]
    list_select_related = ["force"]
    search_fields = ["name", "code"]
    date_hierarchy = "ends_on"


# --- people ---------------------------------------------------------------------------------


class PostingInline(NoDeleteMixin, admin.TabularInline):
    model = Posting
    extra = 0
    fields = ["unit", "role_profile", "start", "end", "fund", "commitment_hours_per_month"]
    autocomplete_fields = ["unit", "role_profile", "fund"]


class PersonAdminForm(forms.ModelForm):
    """Names and numbers are one line: a line break in a name broke the emails about them."""

    ONE_LINE = ("staff_number", "rank", "first_name", "last_name", "email")

    class Meta:
        model = Person
        fields = [
            *("force", "staff_number", "person_type", "rank", "first_name", "last_name"),
            *("email", "user", "monthly_hours_commitment", "skills_biography"),
            *("directory_consent", "directory_consent_on"),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.ONE_LINE:
            if name in self.fields:
                self.fields[name].validators.append(refuse_control_characters)


@admin.register(Person)
class PersonAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    form = PersonAdminForm
    list_display = ["last_name", "first_name", "staff_number", "rank", "person_type", "force"]
    list_filter = ["person_type", "force", "directory_consent"]
    list_select_related = ["force"]
    search_fields = ["first_name", "last_name", "staff_number", "email"]
    autocomplete_fields = ["force", "user"]
    inlines = [PostingInline]
    fieldsets = [
        (None, {"fields": ["force", "staff_number", "person_type", "rank"]}),
        ("Name and login", {"fields": ["first_name", "last_name", "email", "user"]}),
        (
            "Specials and volunteers",
            {"fields": ["monthly_hours_commitment", "skills_biography"]},
        ),
        ("Skills directory", {"fields": ["directory_consent", "directory_consent_on"]}),
    ]


@admin.register(Posting)
class PostingAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    list_display = ["person", "unit", "role_profile", "start", "end", "fund"]
    list_filter = ["unit", "role_profile", "fund"]
    list_select_related = ["person__force", "unit", "role_profile", "fund"]
    search_fields = ["person__first_name", "person__last_name", "person__staff_number"]
    date_hierarchy = "start"
    autocomplete_fields = ["person", "unit", "role_profile", "fund"]


@admin.register(Deployment)
class DeploymentAdmin(NoDeleteMixin, SimpleHistoryAdmin):
    """No delete, single or bulk: the hours deployed are evidence for the evaluation."""

    list_display = ["person", "unit", "deployed_on", "hours", "task"]
    list_filter = ["unit"]
    list_select_related = ["person__force", "unit"]
    search_fields = ["person__first_name", "person__last_name", "person__staff_number", "task"]
    date_hierarchy = "deployed_on"
    autocomplete_fields = ["person", "unit"]
    filter_horizontal = ["capabilities"]
    raw_id_fields = ["confirmed_by", "recorded_by"]

    def save_model(self, request, obj, form, change):
        if not change and obj.recorded_by_id is None:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
