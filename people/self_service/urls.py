"""The signed-in person's own pages, mounted at /me/."""

from django.urls import path

from people.self_service import views

app_name = "me"

urlpatterns = [
    path("", views.pathway, name="pathway"),
    path("statement/", views.statement, name="statement"),
    path("export.json", views.export, name="export"),
    path("reminders/", views.reminders, name="reminders"),
    path("people/<int:pk>/statement/", views.person_statement, name="person_statement"),
    path("people/<int:pk>/export.json", views.person_export, name="person_export"),
]
