from django.urls import path

from people.identity import views

app_name = "identity"

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("sso-reauthenticate/", views.reauthenticate, name="reauthenticate"),
    path("sso/<slug:slug>/", views.sso_start, name="sso_start"),
    path("sso/<slug:slug>/callback/", views.sso_callback, name="sso_callback"),
]
