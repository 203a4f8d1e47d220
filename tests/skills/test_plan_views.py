"""The training plan page and accepting its proposals (issue 16, point 4): who may plan, the
form's errors, the proposals explained, and bookings made all or none, each checked again."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from courses.models import Booking, Offering
from people.models import Fund
from tests.factories import activity, completed, posted
from tests.skills.conftest import person, target

AS_OF = date(2099, 3, 31)
APRIL = date(2099, 4, 10)
MAY = date(2099, 5, 10)


@pytest.fixture
def planned(cast, unit):
    """NETINV L2, minimum 2: Ann and Finn hold it, Finn's fund ends on 15 June 2099; Dev
    holds nothing. Offerings: April (£600) and May (£900), four places each. The optimum:
    Dev onto April, £600."""
    course = activity("NET", {"NETINV": 2}, title="Network investigation")
    target(unit, "NETINV", 2, 2)
    fund = Fund.objects.create(code="uplift", name="Cyber Uplift", ends_on=date(2099, 6, 15))
    ann = person(cast.norfolk, "Ann", "Able")
    finn = person(cast.norfolk, "Finn", "Hale")
    dev = person(cast.norfolk, "Dev", "Patel")
    posted(ann, unit, start=date(2024, 1, 1))
    posted(finn, unit, start=date(2024, 1, 1), fund=fund)
    posted(dev, unit, start=date(2024, 1, 1))
    completed(ann, course, date(2024, 2, 1))
    completed(finn, course, date(2024, 2, 1))
    april = Offering.objects.create(
        activity=course, starts_on=APRIL, ends_on=APRIL, places=4, cost_pence=60000,
        owner_force=cast.norfolk,
    )  # fmt: skip
    may = Offering.objects.create(
        activity=course, starts_on=MAY, ends_on=MAY, places=4, cost_pence=90000,
        owner_force=cast.norfolk,
    )  # fmt: skip
    return {"unit": unit, "ann": ann, "finn": finn, "dev": dev, "april": april, "may": may}


def plan_url(unit, **more):
    query = {"scope": f"unit:{unit.code}", "as_of": AS_OF.isoformat(), "horizon": "6"}
    query.update(more)
    query["plan"] = "1"
    return f"{reverse('skills:plan')}?" + "&".join(f"{k}={v}" for k, v in query.items())


def accept_url(unit, *picks, **more):
    query = [("scope", f"unit:{unit.code}"), ("as_of", AS_OF.isoformat()), ("horizon", "6")]
    query += [("pick", p) for p in picks] + list(more.items())
    return f"{reverse('skills:plan_accept')}?" + "&".join(f"{k}={v}" for k, v in query)


def accept_post(client, unit, *picks):
    return client.post(
        reverse("skills:plan_accept"),
        {
            "scope": f"unit:{unit.code}",
            "as_of": AS_OF.isoformat(),
            "horizon": "6",
            "pick": list(picks),
        },
    )


def pick(p, o) -> str:
    return f"{p.pk}-{o.pk}"


def test_the_plan_proposes_the_cheapest_booking_explained_with_its_figures(cast, client, planned):
    client.force_login(cast.chief)

    response = client.get(plan_url(planned["unit"]))

    assert response.status_code == 200
    [row] = response.context["proposals"].data.data
    assert row["key"] == pick(planned["dev"], planned["april"])
    assert row["reason"] == (
        "keeps NETINV L2 at 2 after Finn Hale leaves (fund Cyber Uplift ends) on 15 June 2099"
    )
    page = response.content.decode()
    summary = dict(response.context["summary_rows"])
    assert summary["Proposed bookings"] == 1
    assert summary["Total cost"] == "£600.00"
    assert summary["Solver"].startswith("Proved optimal")
    assert f'value="{row["key"]}"' in page
    assert "Book Dev Patel onto Network investigation" in page
    [table] = response.context["headcounts"]
    by_month = {r["month_end"]: (r["minimum"], r["before"], r["after"]) for r in table.data.data}
    assert by_month[date(2099, 4, 30)] == (2, 2, 3)
    assert by_month[date(2099, 6, 30)] == (2, 1, 2)
    assert len(by_month) == 6
    # Folded under a summary in words; short only without the plan, so shown closed.
    assert table.summary == "NETINV L2: short without the plan, at or above its minimum with it"
    assert not table.short
    assert Booking.objects.count() == 0  # nothing is written by looking


def test_a_budget_too_small_says_which_target_from_when_and_what_it_would_cost(
    cast, client, planned
):
    client.force_login(cast.coordinator)

    response = client.get(plan_url(planned["unit"], money="100"))

    assert response.status_code == 200
    assert response.context["proposals"].data.data == []
    assert response.context["shortfalls"] == [
        "NETINV L2 is short by up to 1 from 30 June 2099: closing it would take 1 booking "
        "costing £600.00"
    ]
    assert "NETINV L2 is short by up to 1 from 30 June 2099" in response.content.decode()
    # Its month ends are shown open, headed in words.
    [table] = response.context["headcounts"]
    assert table.short
    assert table.summary == "NETINV L2: short at some month end even with the plan"
    assert '<details class="govuk-details plan-headcount" open>' in response.content.decode()


@pytest.mark.parametrize(
    "query, field, message",
    [
        ({"horizon": "0"}, "horizon", "Enter months ahead of 1 or more"),
        ({"horizon": "25"}, "horizon", "Enter months ahead of 24 or fewer"),
        ({"horizon": "twelve"}, "horizon", "Enter the months ahead as a whole number"),
        ({"money": "lots"}, "money", "Enter the money as an amount in pounds"),
        ({"money": "-5"}, "money", "Enter money of £0 or more"),
        ({"money": "1.005"}, "money", "Enter the money to the nearest penny"),
        ({"places": "-1"}, "places", "Enter places of 0 or more"),
        ({"per_person": "0"}, "per_person", "Enter bookings per person of 1 or more"),
        ({"as_of": "2099-02-30"}, "as_of", "must be a real date"),
        ({"as_of": "0001-01-01"}, "as_of", ""),
        ({"scope": ""}, "scope", "Choose a unit or force to plan for"),
    ],
)
def test_bad_input_gives_the_form_error_not_a_500(cast, client, planned, query, field, message):
    client.force_login(cast.chief)
    url = plan_url(planned["unit"], **query)

    response = client.get(url)

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert message in " ".join(errors[field])
    assert "There is a problem" in response.content.decode()


def test_who_may_plan(cast, client, planned):
    unit = planned["unit"]
    for user in (cast.coordinator, cast.chief, cast.admin):
        client.force_login(user)
        assert client.get(plan_url(unit)).status_code == 200
    for user in (cast.officer_user, cast.regional_lead, cast.national_lead):
        client.force_login(user)
        assert client.get(plan_url(unit)).status_code == 403
        assert accept_post(client, unit, pick(planned["dev"], planned["april"])).status_code == 403
    client.force_login(cast.outsider)  # Kent's coordinator
    assert client.get(plan_url(unit)).status_code == 404
    assert client.get(accept_url(unit, pick(planned["dev"], planned["april"]))).status_code == 404
    assert accept_post(client, unit, pick(planned["dev"], planned["april"])).status_code == 404
    # The form offers only the units the user may plan for.
    response = client.get(reverse("skills:plan"))
    keys = {k for k, _ in response.context["form"].fields["scope"].choices}
    assert keys - {"force:kent"} == {"", "unit:KEN-CCU"}  # Kent's force once it is planned
    assert Booking.objects.count() == 0


def test_no_offering_open_says_so_and_links_to_recording_one(cast, client, planned):
    Offering.objects.update(cancelled=True)
    client.force_login(cast.coordinator)

    response = client.get(plan_url(planned["unit"]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "No course offering open to Test cyber crime unit starts after 31 March 2099" in page
    assert f'href="{reverse("courses:offering_create")}"' in page
    assert response.context["result"] is None


def test_nothing_to_do_when_the_targets_hold(cast, client, planned):
    completed(planned["dev"], planned["april"].activity, date(2024, 2, 1))
    client.force_login(cast.chief)

    response = client.get(plan_url(planned["unit"]))

    assert response.status_code == 200
    assert response.context["nothing_to_do"]
    assert "Nothing to book" in response.content.decode()
    # A model so small that CBC's presolve solves it logs no gap: it is still proved optimal.
    assert "Proved optimal" in response.content.decode()


def test_no_target_is_said_in_words(cast, client, planned):
    from skills.models import ResilienceTarget

    ResilienceTarget.objects.all().update(draft=True)
    client.force_login(cast.chief)

    response = client.get(plan_url(planned["unit"]))

    assert response.status_code == 200
    assert "No resilience target is in force for Test cyber crime unit" in (
        response.content.decode()
    )


def test_check_your_answers_lists_the_chosen_bookings_and_writes_nothing(cast, client, planned):
    client.force_login(cast.chief)
    chosen = [pick(planned["dev"], planned["april"]), pick(planned["dev"], planned["may"])]

    response = client.get(accept_url(planned["unit"], *chosen))

    assert response.status_code == 200
    rows = response.context["chosen"].data.data
    assert [(r["person"], r["starts_on"], r["cost_pence"]) for r in rows] == [
        ("Dev Patel", APRIL, 60000),
        ("Dev Patel", MAY, 90000),
    ]
    page = response.content.decode()
    assert "Total cost: £1,500.00." in page
    assert all(f'name="pick" value="{c}"' in page for c in chosen)
    assert "Make 2 bookings" in page
    assert Booking.objects.count() == 0


def test_accept_all_takes_every_proposal(cast, client, planned):
    client.force_login(cast.chief)
    every = pick(planned["dev"], planned["april"])

    response = client.get(accept_url(planned["unit"], proposal=every, everything="1"))

    assert response.context["picks"] == [every]


def test_nothing_chosen_says_so(cast, client, planned):
    client.force_login(cast.chief)
    response = client.get(accept_url(planned["unit"]))
    assert response.status_code == 200
    assert "You have not chosen any proposal" in response.content.decode()


def test_accepting_makes_exactly_the_chosen_bookings_booked_by_the_user(cast, client, planned):
    client.force_login(cast.chief)
    ann_may = pick(planned["ann"], planned["may"])  # a free choice, not a proposal

    response = accept_post(client, planned["unit"], pick(planned["dev"], planned["april"]), ann_may)

    assert response.status_code == 302
    made = Booking.objects.order_by("offering__starts_on")
    assert [(b.person, b.offering, b.status, b.booked_by) for b in made] == [
        (planned["dev"], planned["april"], Booking.Status.BOOKED, cast.chief),
        (planned["ann"], planned["may"], Booking.Status.BOOKED, cast.chief),
    ]
    assert {h.history_user for b in made for h in b.history.all()} == {cast.chief}
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("2 bookings made.")
    report = reverse("skills:unit_report", args=[planned["unit"].code])
    assert f'href="{report}?as_of=2099-03-31&amp;horizon=6&amp;bookings=on"' in message
    assert response["Location"].startswith(reverse("skills:plan"))
    # The plan page after it shows the banner and opens without solving again.
    after = client.get(response["Location"])
    assert after.status_code == 200
    assert after.context["result"] is None
    assert "See the forecast of Test cyber crime unit with booked training" in (
        after.content.decode()
    )


@pytest.mark.parametrize("stale", ["full", "cancelled", "booked", "started"])
def test_a_stale_proposal_is_refused_and_nothing_is_written(cast, client, planned, stale):
    april, may = planned["april"], planned["may"]
    if stale == "full":
        april.places = 1
        april.save()
        Booking.objects.create(offering=april, person=planned["ann"])
    elif stale == "cancelled":
        april.cancelled = True
        april.save()
    elif stale == "booked":
        Booking.objects.create(offering=april, person=planned["dev"])
    else:
        Offering.objects.filter(pk=april.pk).update(starts_on=date(2020, 1, 1))
    before = Booking.objects.count()
    client.force_login(cast.coordinator)

    response = accept_post(
        client, planned["unit"], pick(planned["finn"], may), pick(planned["dev"], april)
    )

    assert response.status_code == 409
    assert Booking.objects.count() == before
    page = response.content.decode()
    assert "No booking was made" in page
    why = {
        "full": "0 places left, 1 chosen",
        "cancelled": "the offering has been cancelled",
        "booked": "they are booked onto it already",
        "started": "the offering has already started",
    }[stale]
    assert why in page


def test_pairs_outside_the_users_scope_are_refused(cast, client, planned):
    client.force_login(cast.chief)
    april = planned["april"]
    kent = accept_post(client, planned["unit"], pick(cast.kent_person, april))
    elsewhere = accept_post(client, planned["unit"], pick(cast.colleague, april))  # NOR-CCU
    nonsense = accept_post(client, planned["unit"], "12-x")
    missing = accept_post(client, planned["unit"], f"{planned['dev'].pk}-999999")

    assert kent.status_code == 409
    assert "is not someone you may book" in kent.content.decode()
    assert elsewhere.status_code == 409
    assert "they are not in Test cyber crime unit on 10 April 2099" in elsewhere.content.decode()
    assert nonsense.status_code == 400
    assert missing.status_code == 409
    assert Booking.objects.count() == 0


def test_an_offering_not_open_to_the_unit_is_refused(cast, client, planned):
    may = planned["may"]
    may.open_to_units.set([cast.kent_unit])
    client.force_login(cast.chief)

    response = accept_post(client, planned["unit"], pick(planned["dev"], may))

    assert response.status_code == 409
    assert "the offering is not open to their unit" in response.content.decode()
    assert Booking.objects.count() == 0


def test_the_check_takes_as_many_queries_for_three_bookings_as_for_one(
    cast, client, planned, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.chief)
    client.get(reverse("skills:plan"))  # the session and grants are read once
    april, may = planned["april"], planned["may"]

    with CaptureQueriesContext(connection) as one:
        client.get(accept_url(planned["unit"], pick(planned["dev"], april)))
    with CaptureQueriesContext(connection) as three:
        client.get(
            accept_url(
                planned["unit"],
                pick(planned["dev"], april),
                pick(planned["ann"], may),
                pick(planned["finn"], may),
            )
        )
    assert len(three) == len(one) + 1  # one more first day: May's postings


def test_a_force_wide_plan_and_its_bookings(cast, client, planned):
    client.force_login(cast.chief)
    url = plan_url(planned["unit"]).replace("scope=unit:TST-CCU", "scope=force:norfolk")

    response = client.get(url)

    assert response.status_code == 200
    keys = [row["key"] for row in response.context["proposals"].data.data]
    assert keys == [pick(planned["dev"], planned["april"])]
    made = client.post(
        reverse("skills:plan_accept"),
        {"scope": "force:norfolk", "as_of": AS_OF.isoformat(), "horizon": "6", "pick": keys},
    )
    assert made.status_code == 302
    assert [(b.person, b.offering) for b in Booking.objects.all()] == [
        (planned["dev"], planned["april"])
    ]
    [message] = [str(m) for m in get_messages(made.wsgi_request)]
    assert reverse("skills:unit_report", args=["TST-CCU"]) in message
    # Kent's coordinator may not plan for Norfolk.
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404


def test_the_impact_page_links_to_the_plan_for_those_who_may_plan(cast, client, unit):
    from tests.skills.test_impact_page import _url, scheduled

    raised, osint = scheduled.__wrapped__(cast, unit)
    link = f'href="{reverse("skills:plan")}?scope=unit:{unit.code}"'
    client.force_login(cast.chief)
    assert link in client.get(_url(raised, osint, unit)).content.decode()
    client.force_login(cast.regional_lead)
    page = client.get(_url(raised, osint, unit))
    assert page.status_code == 200
    assert link not in page.content.decode()


def test_the_coverage_pages_link_to_the_plan_for_those_who_may_plan(cast, client):
    link = f'href="{reverse("skills:plan")}"'
    client.force_login(cast.chief)
    assert link in client.get(reverse("coverage:overview")).content.decode()
    client.force_login(cast.regional_lead)
    page = client.get(reverse("coverage:overview"))
    assert page.status_code == 200
    assert link not in page.content.decode()


def test_the_solver_status_in_words():
    from skills.plan.model import PlanResult, StageResult
    from skills.plan.views import solver_words

    def result(*stages):
        return PlanResult([], 0, [], list(stages), 0, 0, 0.0, {}, {})

    optimal = StageResult("coverage", "Optimal", 0.0, 0.0, 0.1)
    assert solver_words(result(optimal)).startswith("Proved optimal")
    within = StageResult("rest", "Not Solved", 5.0, 0.034, 20.0)
    assert "within 3.4% of the best possible" in solver_words(result(optimal, within))
    unknown = StageResult("rest", "Not Solved", 5.0, None, 20.0)
    assert "could not say how close" in solver_words(result(optimal, unknown))
    nothing = StageResult("coverage", "Not Solved", None, None, 20.0)
    assert "found no plan" in solver_words(result(nothing))
    assert "were not weighed" in solver_words(result(optimal, nothing))


def test_the_plan_page_takes_as_many_queries_for_more_people(cast, client, planned):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.chief)
    client.get(reverse("skills:plan"))
    with CaptureQueriesContext(connection) as few:
        client.get(plan_url(planned["unit"]))
    for first in ("Eve", "Fay", "Gus"):
        posted(person(cast.norfolk, first, "More"), planned["unit"], start=date(2024, 1, 1))
    with CaptureQueriesContext(connection) as more:
        response = client.get(plan_url(planned["unit"]))
    assert response.status_code == 200
    assert len(more) == len(few)


def test_a_plan_as_of_a_past_date_cannot_book_what_has_started(cast, client, planned):
    Offering.objects.filter(pk=planned["april"].pk).update(
        starts_on=date(2025, 4, 10), ends_on=date(2025, 4, 10)
    )
    Offering.objects.filter(pk=planned["may"].pk).update(cancelled=True)
    client.force_login(cast.chief)
    Fund.objects.update(ends_on=date(2025, 6, 15))  # the same story, in 2025

    response = client.get(plan_url(planned["unit"], as_of="2025-03-31"))

    assert response.status_code == 200
    [row] = response.context["proposals"].data.data
    assert not row["bookable"]
    assert '<td class="govuk-table__cell">Started</td>' in response.content.decode()
    assert response.context["bookable"] == []
    assert "Accept all proposals" not in response.content.decode()


def test_the_unit_report_links_to_its_plan_for_those_who_may_plan(cast, client):
    code = cast.norfolk_unit.code
    link = f'href="{reverse("skills:plan")}?scope=unit:{code}&amp;as_of=2025-03-31"'
    report = reverse("skills:unit_report", args=[code])
    client.force_login(cast.chief)
    assert link in client.get(report, {"as_of": "2025-03-31"}).content.decode()
    client.force_login(cast.regional_lead)
    page = client.get(report, {"as_of": "2025-03-31"})
    assert page.status_code == 200
    assert link not in page.content.decode()
