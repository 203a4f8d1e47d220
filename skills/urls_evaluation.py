"""Specials and volunteers evaluation and the inspection pack (issue 7)."""

app_name = "evaluation"

urlpatterns: list = []
