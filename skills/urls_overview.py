"""Chief officers' coverage across units and forces (issue 7). Filled in by the overview work."""

app_name = "coverage"

urlpatterns: list = []
