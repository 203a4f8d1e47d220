from django.apps import AppConfig


class SkillsConfig(AppConfig):
    name = "skills"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The background worker runs the large report PDFs this app registers.
        from django.db.models.signals import m2m_changed

        import skills.jobs.services  # noqa: F401
        from skills.models import Requirement, ResilienceTarget
        from skills.versions import guard_expectations

        # A version in force is never edited, its citations included.
        for model in (Requirement, ResilienceTarget):
            m2m_changed.connect(
                guard_expectations, sender=model.expectations.through, dispatch_uid=model.__name__
            )
