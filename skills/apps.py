from django.apps import AppConfig


class SkillsConfig(AppConfig):
    name = "skills"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The background worker runs the large report PDFs this app registers.
        import skills.report_jobs  # noqa: F401
