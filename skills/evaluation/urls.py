"""Specials and volunteers evaluation and the inspection pack (issue 7)."""

from django.urls import path

from skills.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("units/<slug:code>/", views.unit_evaluation, name="unit"),
    path("forces/<str:force>/pack.pdf", views.force_pack, name="force_pack"),
    path("regions/<slug:code>/pack.pdf", views.region_pack, name="region_pack"),
]
