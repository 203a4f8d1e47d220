from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The production settings' own deploy checks (REGISTER_BASE_URL), and the per-job
        # log lines in every process, the worker's included.
        import config.checks  # noqa: F401
        import config.logging  # noqa: F401
