"""Settings for the test suite: production settings (DEBUG off) with a throw-away key.

Tests are not production, so they may not borrow the development key that exists only with
DJANGO_DEBUG on; static files are served unhashed so no collectstatic is needed."""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-not-a-secret-" + "k" * 40)

from config.settings import *  # noqa: E402, F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# No collectstatic in tests: whitenoise finds files in the source folders, as with DEBUG on.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Background tasks run at once, inside the test (docs/jobs.md); the one end-to-end test of
# the worker (tests/courses/test_import_jobs_worker.py) sets the database backend itself.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "REGISTER_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}
