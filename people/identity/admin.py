"""Admin for force directories, SCIM tokens and the login-change history. Nothing here is
deleted: a token is revoked, a directory switched off, a login deactivated."""

from django.contrib import admin, messages
from simple_history.admin import SimpleHistoryAdmin

from people.identity.models import Directory, DirectoryLink, LoginEvent, ScimIdentity, ScimToken


class NoDelete:
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Directory)
class DirectoryAdmin(NoDelete, SimpleHistoryAdmin):
    list_display = ["name", "force", "issuer", "enabled", "password_login", "amr_counts_as_mfa"]
    list_filter = ["enabled", "password_login"]
    search_fields = ["name", "force__name", "issuer", "client_id"]
    fieldsets = [
        (None, {"fields": ["force", "slug", "name", "enabled"]}),
        (
            "OpenID Connect",
            {"fields": ["issuer", "client_id", "client_secret", "scopes", "subject_claim"]},
        ),
        (
            "Policy",
            {"fields": ["verified_email_domains", "password_login", "amr_counts_as_mfa"]},
        ),
    ]


@admin.register(DirectoryLink)
class DirectoryLinkAdmin(NoDelete, SimpleHistoryAdmin):
    list_display = ["user", "directory", "subject", "linked_at", "last_sign_in_at"]
    search_fields = ["user__email", "subject"]
    readonly_fields = ["directory", "user", "subject", "linked_at", "last_sign_in_at"]

    def has_add_permission(self, request):
        return False


@admin.register(ScimToken)
class ScimTokenAdmin(NoDelete, SimpleHistoryAdmin):
    """Issue a token by adding one (it is shown once, then only its hash is kept); revoke with
    the action."""

    list_display = [
        "force",
        "name",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = ["force"]
    actions = ["revoke"]

    def get_fields(self, request, obj=None):
        return (
            ["force", "name"]
            if obj is None
            else [
                "force",
                "name",
                "prefix",
                "created_by",
                "created_at",
                "last_used_at",
                "revoked_at",
                "revoked_by",
            ]
        )

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if change:
            return
        row, token = ScimToken.issue(force=obj.force, name=obj.name, created_by=request.user)
        obj.pk = row.pk
        obj.__dict__.update(row.__dict__)
        messages.warning(
            request,
            f"SCIM token for {row.force.name}: {token} — copy it now into the directory's "
            "provisioning settings; it is not shown again.",
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        for token in queryset.active():
            token.revoke(by=request.user)
        messages.success(request, "Revoked. The directory can no longer provision with them.")


@admin.register(ScimIdentity)
class ScimIdentityAdmin(NoDelete, SimpleHistoryAdmin):
    list_display = ["user", "force", "external_id", "created_at", "deprovisioned_at"]
    list_filter = ["force"]
    search_fields = ["user__email", "external_id"]
    readonly_fields = ["user", "force", "external_id", "created_at", "deprovisioned_at"]

    def has_add_permission(self, request):
        return False


@admin.register(LoginEvent)
class LoginEventAdmin(NoDelete, admin.ModelAdmin):
    list_display = ["at", "user", "kind", "by", "via", "detail"]
    list_filter = ["kind"]
    search_fields = ["user__email", "detail", "via"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
