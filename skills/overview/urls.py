"""Chief officers' coverage across units and forces (issue 7): overview, expectations, trend."""

from django.urls import path

from skills.overview import views

app_name = "coverage"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("expectations/", views.expectations, name="expectations"),
    path("trend/", views.trend, name="trend"),
    path("units/<slug:code>/trend/", views.unit_trend, name="unit_trend"),
]
