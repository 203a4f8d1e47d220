"""The project's URLs plus two that fail on purpose, so that the browser suite can show the
generic 400 and 500 pages (tests/browser/test_error_states_accessible.py)."""

from django.core.exceptions import SuspiciousOperation
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns


def bad_request(request):
    raise SuspiciousOperation("a request the register refuses")


def server_error(request):
    raise RuntimeError("a failure inside the register")


urlpatterns = [
    path("__test__/400/", bad_request),
    path("__test__/500/", server_error),
    *project_urlpatterns,
]
