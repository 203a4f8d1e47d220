"""System checks of the production settings that Django's own ``check --deploy`` does not know."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def base_url_is_set(app_configs, **kwargs):
    """Reminder emails link to ``REGISTER_BASE_URL``: with DEBUG off there is no default, since
    a link to this machine's own port 8000 would reach nobody (docs/deploy.md)."""
    if settings.DEBUG or getattr(settings, "REGISTER_BASE_URL", ""):
        return []
    return [
        Error(
            "REGISTER_BASE_URL is not set: reminder emails would link nowhere.",
            hint="Set it to the address people use for the register, for example "
            "https://register.example.police.uk (docs/deploy.md).",
            id="register.E001",
        )
    ]
