"""The deployment log of specials and volunteers (issue 7)."""

from django.urls import path

from people.deployments import views

app_name = "deployments"

urlpatterns = [
    path("", views.deployment_list, name="list"),
    path("new/", views.record, name="record"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/reject/", views.reject, name="reject"),
]
