"""The Django admin (/admin/), opened in the browser by the cast's superuser at 1280 px, has no
axe-core violation of any impact and logs no error (a style or script the Content-Security-Policy
refuses, a missing file, a script error) (issue 15): the index, each app's index, every
registered model's list, every add page the admin offers, and, for one record of every model
(the cast's records and those made by ``_records`` below), its change, history and (where
offered) delete pages; and the admin's password change page.

The register's fixes to the admin's markup are in templates/admin/ (base_site.html,
edit_inline/tabular.html), templates/simple_history/object_history_list.html,
static/css/admin-accessibility.css, static/js/admin-accessibility.js (markup the admin's own
scripts write) and skills/admin.py (BlankValuesFilter)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from allauth.usersessions.models import UserSession
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from courses.models import (
    ActivityCapability,
    ActivityPrerequisite,
    Booking,
    Job,
    JobKind,
    JobStatus,
    Offering,
)
from people.identity.models import (
    Directory,
    DirectoryLink,
    LoginEvent,
    LoginEventKind,
    ScimIdentity,
    ScimToken,
)
from people.models import Deployment, Fund
from skills.models import Expectation, Inspection, Requirement, ResilienceTarget
from tests.browser import accessibility
from tests.browser.test_every_page_accessible import _signed_in_context
from tests.factories import ActivityFactory, CapabilityFactory, RoleProfileFactory, completed


def _records(cast) -> None:
    """One record of each registered model the cast has none of, with the inlines and the widgets
    (autocompletes, two-box selectors, date and time inputs) their change pages show."""
    inspection = Inspection.objects.create(
        code="hmicfrs-cyber", title="Cyber inspection", publisher="HMICFRS"
    )
    expectation = Expectation.objects.create(
        inspection=inspection, reference="5.56", text="Forces train enough investigators."
    )
    capability = CapabilityFactory(code="NETINV", name="Network investigation")
    capability.expectations.add(expectation)
    role = RoleProfileFactory(code="PURSUE", name="Pursue investigator")
    Requirement.objects.create(
        role_profile=role,
        order=1,
        capability=capability,
        level=1,
        mandatory=True,
        grace_months=3,
        valid_from=date(2024, 1, 1),
        grace_from=date(2024, 1, 1),
    )
    ResilienceTarget.objects.create(
        unit=cast.norfolk_unit,
        capability=capability,
        level=1,
        minimum=2,
        valid_from=date(2024, 1, 1),
    )
    course = ActivityFactory(code="NET", title="Network investigation course")
    ActivityCapability.objects.create(activity=course, capability=capability, level=1)
    ActivityPrerequisite.objects.create(activity=course, capability=capability, level=1)
    completed(cast.officer, course, date(2024, 2, 1))
    offering = Offering.objects.create(
        activity=course,
        starts_on=date(2025, 5, 1),
        ends_on=date(2025, 5, 2),
        places=4,
        cost_pence=50_000,
        owner_force=cast.norfolk,
    )
    offering.open_to_units.add(cast.norfolk_unit)
    Booking.objects.create(offering=offering, person=cast.colleague)
    Fund.objects.create(code="uplift", name="Cyber Uplift", ends_on=date(2025, 6, 15))
    deployment = Deployment.objects.create(
        person=cast.officer, deployed_on=date(2025, 3, 3), hours=Decimal("6"), task="OSINT"
    )
    deployment.capabilities.add(capability)
    Group.objects.create(name="Catalogue editors")
    Job.objects.create(
        kind=JobKind.PACK,
        started_by=cast.chief,
        params={"scope": "force", "code": cast.norfolk.code, "as_of": "2025-03-31"},
        status=JobStatus.RUNNING,
    )
    Directory.objects.create(
        force=cast.norfolk,
        slug="norfolk",
        name="Norfolk Entra ID",
        issuer="https://login.example.test/norfolk/v2.0",
        client_id="register",
    )
    directory = Directory.objects.get(force=cast.norfolk)
    DirectoryLink.objects.create(directory=directory, user=cast.officer_user, subject="sub-1")
    ScimToken.issue(force=cast.norfolk, name="Entra ID", created_by=cast.admin)
    ScimIdentity.objects.create(user=cast.coordinator, force=cast.norfolk, external_id="ext-1")
    LoginEvent.objects.create(user=cast.officer_user, kind=LoginEventKind.CREATED)
    EmailAddress.objects.create(
        user=cast.officer_user, email=cast.officer_user.email, verified=True, primary=True
    )
    TOTP.activate(cast.officer_user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    UserSession.objects.create(
        user=cast.officer_user, ip="192.0.2.1", session_key="s" * 32, user_agent="Firefox"
    )
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="courses.tasks.run_job",
        backend_name="default",
        run_after=timezone.now(),
    )


def _admin_pages(cast) -> list[tuple[str, str]]:
    """(what, url) of the index, every list, every add page and one change page per model (its
    newest record: the one ``_records`` made, with the inline rows its page lists)."""
    request = RequestFactory().get("/admin/")
    request.user = cast.admin
    pages = [("index", reverse("admin:index"))]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        prefix = f"admin:{opts.app_label}_{opts.model_name}"
        pages.append((f"{opts.label} list", reverse(f"{prefix}_changelist")))
        if model_admin.has_add_permission(request):
            pages.append((f"{opts.label} add", reverse(f"{prefix}_add")))
        record = model_admin.get_queryset(request).order_by("-pk").first()
        if record is not None:
            pages.append((f"{opts.label} change", reverse(f"{prefix}_change", args=[record.pk])))
            pages.append((f"{opts.label} history", reverse(f"{prefix}_history", args=[record.pk])))
            if model_admin.has_delete_permission(request, record):
                pages.append(
                    (f"{opts.label} delete", reverse(f"{prefix}_delete", args=[record.pk]))
                )
    for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
        pages.append((f"{app_label} app", reverse("admin:app_list", args=[app_label])))
    pages.append(("password change", reverse("admin:password_change")))
    return pages


def _by_the_page(message, fetched: set[str]) -> bool:
    """An error the page itself logged (a refused script or style, a missing file, a script
    error); not one from the scripts the test runs in it: axe-core's own code has no address,
    and the files it fetches to read stylesheets (``fetched``) are not the page's."""
    where = message.location.get("url")
    return message.type == "error" and bool(where) and where not in fetched


def test_every_admin_page_passes_axe_and_logs_no_error(
    browser, live_server, transactional_db, cast, settings
):
    # The task results listed are the database backend's, as outside the tests.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    _records(cast)
    pages = _admin_pages(cast)
    context = _signed_in_context(browser, live_server, cast.admin)
    problems: list[str] = []
    messages: list = []
    fetched: set[str] = set()
    opened: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: messages.append(message))
        page.on("pageerror", lambda error: problems.append(f"{page.url}: script error: {error}"))
        page.on(
            "request",
            lambda request: (
                fetched.add(request.url) if request.resource_type in ("xhr", "fetch") else None
            ),
        )
        page.set_viewport_size({"width": 1280, "height": 900})
        accessibility.watch(page)
        for what, url in pages:
            messages.clear()
            try:
                response = page.goto(url)
                accessibility.check_now(page)
            except accessibility.AccessibilityError as error:
                problems.append(f"{what}: {error}")
            else:
                if response is None or response.status != 200:
                    problems.append(f"{what} {url}: {response and response.status}, not 200")
                else:
                    opened.append(what)
            errors = [
                f"{message.text} ({message.location['url']})"
                for message in messages
                if _by_the_page(message, fetched)
            ]
            if errors:
                problems.append(f"{what} {url}: errors in the console:\n" + "\n".join(errors))
    finally:
        accessibility.unwatch_all()
        context.close()
    assert not problems, f"{len(problems)} problem(s) on {len(pages)} admin pages:\n\n" + (
        "\n\n".join(problems)
    )
    # Every registered model's list and a record's change page, the inline rows and widgets
    # the fixes are for among them, and the add pages the admin offers.
    labels = [model._meta.label for model in admin.site._registry]
    assert len(opened) == len(pages), opened
    assert {f"{label} {page}" for label in labels for page in ("list", "change")} <= set(opened)
    assert {
        "index",
        "people.Grant add",
        "people.Person history",
        "skills.Capability delete",
        "people app",
        "password change",
    } <= set(opened)
