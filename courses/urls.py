from django.urls import include, path

from courses import views

app_name = "courses"

urlpatterns = [
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/<slug:code>/", views.activity_detail, name="activity_detail"),
    path("completions/<int:pk>/", views.completion_detail, name="completion_detail"),
    path("completions/<int:pk>/correct/", views.correct_completion, name="correct_completion"),
    path("completions/<int:pk>/withdraw/", views.withdraw_completion, name="withdraw_completion"),
    path("completions/<int:pk>/evidence/", views.evidence_file, name="evidence_file"),
    path("completions/<int:pk>/review/", views.review_completion, name="review_completion"),
    path("completions/submit/", views.submit_completion, name="submit_completion"),
    path("completions/cohort/", views.record_cohort, name="record_cohort"),
    path(
        "people/<int:person_pk>/completions/new/",
        views.record_completion,
        name="record_completion",
    ),
    path("", include("courses.offerings.urls")),
    path("imports/", include("courses.imports.urls")),
    path("verification/", views.verification_queue, name="verification_queue"),
]
