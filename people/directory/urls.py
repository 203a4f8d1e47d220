"""The cross-force skills directory, mounted at /directory/."""

from django.urls import path

from people.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("people/<int:pk>/", views.entry, name="entry"),
    path("people/<int:pk>/request/", views.request_help, name="request_help"),
    path("requests/", views.requests, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("my-entry/", views.my_entry, name="my_entry"),
    path("my-entry/views/", views.my_views, name="my_views"),
]
