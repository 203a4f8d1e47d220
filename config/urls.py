from django.contrib import admin
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.urls import include, path

from config.health import health_lines
from people import views as people_views


def healthz(request):
    """200 when the database answers, 503 when it does not: a load balancer's probe."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unreachable\n", status=503, content_type="text/plain")
    lines = ["ok", "database: ok", *health_lines()]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


urlpatterns = [
    path("", people_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("people.identity.urls")),
    path("accounts/", include("allauth.urls")),
    path("scim/v2/", include("people.identity.scim_urls")),
    path("admin/", admin.site.urls),
    path("me/", include("people.self_service.urls")),
    path("coverage/", include("skills.overview.urls")),
    path("evaluation/", include("skills.evaluation.urls")),
    path("deployments/", include("people.deployments.urls")),
    path("directory/", include("people.directory.urls")),
    path("actions/", include("skills.actions.urls")),
    path("", include("people.urls")),
    path("", include("courses.urls")),
    path("", include("skills.urls")),
]

admin.site.site_header = "Cyber skills register administration"
admin.site.site_title = "Cyber skills register"
