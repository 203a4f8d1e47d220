from django.urls import path

from skills import views

app_name = "skills"

urlpatterns = [
    path("units/<slug:code>/report/", views.unit_report, name="unit_report"),
    path(
        "units/<slug:code>/report.<slug:fmt>",
        views.unit_report,
        name="unit_report_download",
    ),
]
