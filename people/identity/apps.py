from django.apps import AppConfig


class IdentityConfig(AppConfig):
    """Logins and how people sign in: force directories (OpenID Connect), SCIM provisioning,
    and the history of every change to a login (docs/identity.md)."""

    name = "people.identity"
    label = "identity"
    verbose_name = "Identity and sign-in"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from people.identity import signals  # noqa: F401
