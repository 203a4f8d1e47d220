"""Offerings and bookings, included in courses/urls.py (the ``courses:`` names)."""

from django.urls import path

from courses.offerings import views

urlpatterns = [
    path("offerings/", views.offering_list, name="offering_list"),
    path("offerings/new/", views.offering_create, name="offering_create"),
    path("offerings/<int:pk>/", views.offering_detail, name="offering_detail"),
    path("offerings/<int:pk>/edit/", views.offering_edit, name="offering_edit"),
    path("offerings/<int:pk>/book/", views.offering_book, name="offering_book"),
    path("offerings/<int:pk>/cancel/", views.offering_cancel, name="offering_cancel"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking_detail"),
    path("bookings/<int:pk>/attended/", views.booking_attended, name="booking_attended"),
    path("bookings/<int:pk>/complete/", views.booking_complete, name="booking_complete"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking_cancel"),
]
