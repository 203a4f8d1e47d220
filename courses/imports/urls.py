"""Import pages under /courses/imports/, included in courses/urls.py (the ``courses:`` names)."""

from django.urls import path

from courses.imports import views

urlpatterns = [
    path("", views.import_upload, name="import_upload"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("<slug:token>/", views.import_preview, name="import_preview"),
    path("<slug:token>/confirm/", views.import_confirm, name="import_confirm"),
]
