"""The deployment log of specials and volunteers (issue 7)."""

app_name = "deployments"

urlpatterns: list = []
