"""SCIM 2.0 endpoints, mounted at /scim/v2/ (django-scim2's views; no Groups, no Bulk)."""

from django.urls import re_path
from django_scim import views

from people.identity import scim_views

app_name = "scim"

urlpatterns = [
    re_path(r"^$", views.SCIMView.as_view(implemented=False), name="root"),
    re_path(r"^\.search$", scim_views.UserSearchView.as_view(), name="search"),
    re_path(r"^Users/\.search$", scim_views.UserSearchView.as_view(), name="users-search"),
    re_path(r"^Users(?:/(?P<uuid>[^/]+))?$", views.UsersView.as_view(), name="users"),
    re_path(
        r"^ServiceProviderConfig$",
        scim_views.ServiceProviderConfigView.as_view(),
        name="service-provider-config",
    ),
    re_path(
        r"^ResourceTypes(?:/(?P<uuid>[^/]+))?$",
        scim_views.ResourceTypesView.as_view(),
        name="resource-types",
    ),
    re_path(r"^Schemas(?:/(?P<uuid>[^/]+))?$", scim_views.SchemasView.as_view(), name="schemas"),
    # Anything else under /scim/v2/ answers with a SCIM error, not an HTML page.
    re_path(r"^.+$", scim_views.NotFoundView.as_view(), name="unknown"),
]
