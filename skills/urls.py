from django.urls import path

from skills.impact import views as impact_views
from skills.jobs import views as job_views
from skills.plan import views as plan_views
from skills.report import views
from skills.targets import views as target_views

app_name = "skills"

urlpatterns = [
    # Under /coverage/ (the chief officer's section); coverage's own urls do not claim it.
    path("coverage/impact/", impact_views.requirement_impact, name="requirement_impact"),
    path(
        "coverage/impact/catalogue/",
        impact_views.catalogue_impact,
        name="requirement_impact_catalogue",
    ),
    path("coverage/plan/", plan_views.plan, name="plan"),
    path("coverage/plan/accept/", plan_views.accept, name="plan_accept"),
    path(
        "coverage/units/<slug:code>/targets/schedule/",
        target_views.schedule,
        name="target_schedule",
    ),
    path("units/<slug:code>/report/", views.unit_report, name="unit_report"),
    path("units/<slug:code>/report/trace/", views.unit_trace, name="unit_trace"),
    path("units/<slug:code>/report/pdf/<int:pk>/", job_views.report_job, name="report_job"),
    path(
        "units/<slug:code>/report/pdf/<int:pk>/download/",
        job_views.report_job_download,
        name="report_job_download",
    ),
    path("jobs/<int:pk>/", job_views.scope_job, name="scope_job"),
    path("jobs/<int:pk>/download/", job_views.scope_job_download, name="scope_job_download"),
    path(
        "units/<slug:code>/report.<slug:fmt>",
        views.unit_report,
        name="unit_report_download",
    ),
]
