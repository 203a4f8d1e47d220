"""Inspection actions tracked to closure, mounted at /actions/."""

from django.urls import path

from skills.actions import views

app_name = "actions"

urlpatterns = [
    path("", views.index, name="index"),
    path("forces/<slug:code>/", views.force_actions, name="force"),
    path("forces/<slug:code>/new-plan/", views.plan_new, name="plan_new"),
    path("forces/<slug:code>/export/", views.export, name="export"),
    path("expectations/<int:pk>/", views.expectation_status, name="expectation"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/", views.action_detail, name="action_detail"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<str:token>/", views.import_preview, name="import_preview"),
    path("import/<str:token>/confirm/", views.import_confirm, name="import_confirm"),
]
