"""The training plan solver on hand-built units whose optimum is known by hand (issue 16)."""

from datetime import date

from skills.plan.explain import explain, explain_shortfalls
from skills.plan.model import (
    NEVER,
    Budget,
    PlanInput,
    PlanOffering,
    PlanPerson,
    PlanTarget,
    eligible,
    solve,
)

MONTH_ENDS = [
    date(2027, 1, 31),
    date(2027, 2, 28),
    date(2027, 3, 31),
    date(2027, 4, 30),
    date(2027, 5, 31),
    date(2027, 6, 30),
]
AS_OF = date(2027, 1, 5)
DE2 = ("DIGITAL-EVIDENCE", 2)
NET2 = ("NETWORK", 2)


def target(pair, minimum):
    return PlanTarget(pair[0], pair[1], dict.fromkeys(MONTH_ENDS, minimum))


def offering(id, pair, start, end, cost, places=5, **kw):
    return PlanOffering(
        id=id,
        title=f"Course {id}",
        grants=(pair,),
        starts_on=start,
        ends_on=end,
        places=places,
        cost_pence=cost,
        **kw,
    )


def plan(people, targets, offerings, budget=None):
    budget = budget or Budget()
    data = PlanInput(AS_OF, MONTH_ENDS, people, targets, offerings, budget, time_limit=20)
    return data, solve(data)


def booked(result):
    return {(p.person_id, p.offering_id) for p in result.proposals}


def test_single_point_of_failure_removed_by_the_cheaper_booking():
    alice = PlanPerson(1, "Alice Ng", held={DE2: NEVER, ("DIGITAL-EVIDENCE", 1): NEVER})
    bob = PlanPerson(2, "Bob Roe")
    # Carol leaves in March: booking her leaves the capability on Alice alone from then.
    carol = PlanPerson(3, "Carol Wu", leaves_on=date(2027, 3, 15))
    offerings = [
        offering(10, DE2, date(2027, 1, 10), date(2027, 1, 12), 50000),
        offering(11, DE2, date(2027, 1, 10), date(2027, 1, 12), 30000),
    ]
    data, result = plan([alice, bob, carol], [target(DE2, 1)], offerings)
    assert booked(result) == {(2, 11)}
    assert result.cost_pence == 30000
    assert result.shortfalls == []
    assert result.headcount_before["DIGITAL-EVIDENCE L2"][MONTH_ENDS[0]] == 1
    assert set(result.headcount_after["DIGITAL-EVIDENCE L2"].values()) == {2}
    assert result.optimal and result.gap == 0.0
    [line] = explain(data, result)
    assert line.text == (
        "Bob Roe: Course 11, 10 January 2027 — keeps DIGITAL-EVIDENCE L2 from resting on"
        " Alice Ng alone from 31 January 2027"
    )


def test_cliff_when_a_fund_ends_covered_at_least_cost():
    alice = PlanPerson(1, "Alice Ng", held={NET2: NEVER})
    finn = PlanPerson(
        2,
        "Finn Hale",
        held={NET2: NEVER},
        leaves_on=date(2027, 4, 15),
        leaves_because="leaves (fund Cyber Uplift ends)",
    )
    dev = PlanPerson(3, "Dev Patel")
    offerings = [
        offering(20, NET2, date(2027, 2, 10), date(2027, 2, 12), 100000),
        offering(21, NET2, date(2027, 3, 10), date(2027, 3, 11), 60000),
        # Cheapest, but ends after the 30 April month end: the cliff would show then.
        offering(22, NET2, date(2027, 5, 3), date(2027, 5, 4), 20000),
    ]
    data, result = plan([alice, finn, dev], [target(NET2, 2)], offerings)
    assert booked(result) == {(3, 21)}
    assert result.cost_pence == 60000
    assert result.headcount_before["NETWORK L2"][date(2027, 4, 30)] == 1
    assert result.headcount_after["NETWORK L2"][date(2027, 4, 30)] == 2
    [line] = explain(data, result)
    assert line.text == (
        "Dev Patel: Course 21, 10 March 2027 — keeps NETWORK L2 at 2 after Finn Hale leaves"
        " (fund Cyber Uplift ends) on 15 April 2027"
    )


def test_budget_too_small_reports_the_shortfall_and_what_closing_it_costs():
    alice = PlanPerson(1, "Alice Ng", held={NET2: NEVER})
    others = [PlanPerson(i, f"Person {i}") for i in (2, 3, 4)]
    offerings = [offering(30, NET2, date(2027, 1, 10), date(2027, 1, 12), 40000)]
    data, result = plan([alice, *others], [target(NET2, 3)], offerings, Budget(money_pence=40000))
    assert len(result.proposals) == 1 and result.cost_pence == 40000
    [short] = result.shortfalls
    assert short.target.label == "NETWORK L2"
    assert short.first_short == date(2027, 1, 31)
    assert short.worst == 1
    # With no budget limit the cheapest plan books two places: 2 x £400.
    assert short.bookings_to_close == 2 and short.cost_to_close_pence == 80000
    assert short.closable
    assert explain_shortfalls(result) == [
        "NETWORK L2 is short by up to 1 from 31 January 2027: closing it would take"
        " 2 bookings costing £800.00"
    ]


def test_places_budget_limits_bookings():
    alice = PlanPerson(1, "Alice Ng", held={NET2: NEVER})
    others = [PlanPerson(i, f"Person {i}") for i in (2, 3, 4)]
    offerings = [offering(30, NET2, date(2027, 1, 10), date(2027, 1, 12), 40000)]
    _, result = plan([alice, *others], [target(NET2, 3)], offerings, Budget(places=1))
    assert len(result.proposals) == 1
    assert result.shortfalls[0].worst == 1


def test_a_gap_no_offering_can_close():
    alice = PlanPerson(1, "Alice Ng", held={NET2: NEVER})
    _, result = plan([alice, PlanPerson(2, "Bob Roe")], [target(NET2, 3)], [])
    [short] = result.shortfalls
    assert short.worst == 2 and short.bookings_to_close == 0 and not short.closable
    assert explain_shortfalls(result) == [
        "NETWORK L2 is short by up to 2 from 31 January 2027: no offering in the horizon"
        " can close it"
    ]


def test_eligibility_rules():
    last = MONTH_ENDS[-1]
    course = offering(40, NET2, date(2027, 2, 1), date(2027, 2, 2), 100)
    other = offering(41, ("OSINT", 1), date(2027, 2, 1), date(2027, 2, 2), 100)
    wanted = {NET2}
    assert eligible(PlanPerson(1, "A"), course, wanted, last)
    # Nothing the unit's targets or their role asks for: not eligible; their role needs it: is.
    assert not eligible(PlanPerson(1, "A"), other, wanted, last)
    assert eligible(PlanPerson(1, "A", needs=frozenset({("OSINT", 1)})), other, wanted, last)
    # Already holding it past the horizon: not; lapsing inside the horizon: is.
    assert not eligible(PlanPerson(1, "A", held={NET2: date(2027, 7, 1)}), course, wanted, last)
    assert eligible(PlanPerson(1, "A", held={NET2: date(2027, 6, 30)}), course, wanted, last)
    # A missing prerequisite: not; held on the start date: is.
    needs_l1 = offering(
        42, NET2, date(2027, 2, 1), date(2027, 2, 2), 100, prerequisites=(("NETWORK", 1),)
    )
    assert not eligible(PlanPerson(1, "A"), needs_l1, wanted, last)
    assert eligible(PlanPerson(1, "A", held={("NETWORK", 1): NEVER}), needs_l1, wanted, last)
    # Not open to them, or gone from the unit when it starts: not.
    assert not eligible(
        PlanPerson(1, "A"),
        offering(43, NET2, date(2027, 2, 1), date(2027, 2, 2), 1, open_to=frozenset({2})),
        wanted,
        last,
    )
    assert not eligible(PlanPerson(1, "A", leaves_on=date(2027, 1, 31)), course, wanted, last)


def test_solver_respects_eligibility():
    alice = PlanPerson(1, "Alice Ng", held={NET2: NEVER})
    bob = PlanPerson(2, "Bob Roe", held={NET2: date(2027, 8, 1)})  # holds past the horizon
    carol = PlanPerson(3, "Carol Wu")  # no NETWORK L1: the prerequisite
    dev = PlanPerson(4, "Dev Patel", held={("NETWORK", 1): NEVER})
    course = offering(
        50, NET2, date(2027, 1, 10), date(2027, 1, 12), 100, prerequisites=(("NETWORK", 1),)
    )
    _, result = plan([alice, bob, carol, dev], [target(NET2, 4)], [course])
    assert booked(result) == {(4, 50)}
    assert result.shortfalls[0].worst == 1


def test_no_two_offerings_on_the_same_days():
    dev = PlanPerson(4, "Dev Patel")
    offerings = [
        offering(60, NET2, date(2027, 1, 10), date(2027, 1, 14), 100),
        offering(61, DE2, date(2027, 1, 13), date(2027, 1, 15), 100),
    ]
    _, result = plan([dev], [target(NET2, 1), target(DE2, 1)], offerings)
    assert len(result.proposals) == 1
    assert len(result.shortfalls) == 1


def test_cap_per_person():
    dev = PlanPerson(4, "Dev Patel")
    offerings = [
        offering(70, NET2, date(2027, 1, 10), date(2027, 1, 11), 100),
        offering(71, DE2, date(2027, 1, 20), date(2027, 1, 21), 100),
    ]
    targets = [target(NET2, 1), target(DE2, 1)]
    _, capped = plan([dev], targets, offerings, Budget(per_person=1))
    assert len(capped.proposals) == 1
    _, free = plan([dev], targets, offerings, Budget(per_person=2))
    assert booked(free) == {(4, 70), (4, 71)}


def test_compliance_then_cost():
    """No target short: the one requirement of Bob's role is met by the cheaper offering;
    nobody is booked for nothing."""
    alice = PlanPerson(1, "Alice Ng", held={NET2: NEVER})
    alice2 = PlanPerson(2, "Ann Lee", held={NET2: NEVER})
    bob = PlanPerson(3, "Bob Roe", needs=frozenset({("OSINT", 1)}))
    carol = PlanPerson(5, "Carol Wu")
    offerings = [
        offering(80, ("OSINT", 1), date(2027, 1, 10), date(2027, 1, 11), 900),
        offering(81, ("OSINT", 1), date(2027, 1, 10), date(2027, 1, 11), 700),
    ]
    data, result = plan([alice, alice2, bob, carol], [target(NET2, 2)], offerings)
    assert booked(result) == {(3, 81)}
    [line] = explain(data, result)
    assert line.reason == "meets their role’s requirement OSINT L1"


NET1 = ("NETWORK", 1)


def test_an_existing_booking_closes_the_gap_so_nothing_is_proposed():
    """Finn leaves in April; Dev is already booked on a course ending 12 February: he holds
    NETWORK L2 from then (the "before" headcount counts him), so no booking is proposed."""
    alice = PlanPerson(1, "Alice Ng", held={NET2: NEVER})
    finn = PlanPerson(2, "Finn Hale", held={NET2: NEVER}, leaves_on=date(2027, 4, 15))
    booked_on = (date(2027, 2, 10), date(2027, 2, 12))
    dev = PlanPerson(
        3,
        "Dev Patel",
        planned=((NET2, booked_on[1], NEVER), (NET1, booked_on[1], NEVER)),
        busy=(booked_on,),
    )
    eve = PlanPerson(4, "Eve Moss")
    offerings = [offering(20, NET2, date(2027, 3, 10), date(2027, 3, 11), 100)]
    _, result = plan([alice, finn, dev, eve], [target(NET2, 2)], offerings)
    assert result.proposals == []
    assert result.headcount_before["NETWORK L2"][date(2027, 1, 31)] == 2
    assert result.headcount_before["NETWORK L2"][date(2027, 4, 30)] == 2
    # Without Dev's booking, Eve is proposed to cover Finn's leaving.
    _, without = plan([alice, finn, PlanPerson(3, "Dev Patel"), eve], [target(NET2, 2)], offerings)
    assert len(without.proposals) == 1


def test_no_proposal_on_the_days_of_an_existing_booking():
    """Dev is booked elsewhere on 9-10 March: the course on 10-11 March clashes, one on
    11-12 March does not. Only Eve can take the clashing course."""
    alice = PlanPerson(1, "Alice Ng", held={NET2: NEVER})
    dev = PlanPerson(3, "Dev Patel", busy=((date(2027, 3, 9), date(2027, 3, 10)),))
    eve = PlanPerson(4, "Eve Moss")
    course = offering(20, NET2, date(2027, 3, 10), date(2027, 3, 11), 100)
    after = offering(21, NET2, date(2027, 3, 11), date(2027, 3, 12), 100)
    assert not eligible(dev, course, {NET2}, MONTH_ENDS[-1])
    assert eligible(dev, after, {NET2}, MONTH_ENDS[-1])
    _, result = plan([alice, dev, eve], [target(NET2, 3)], [course])
    assert booked(result) == {(4, 20)}
    assert result.headcount_after["NETWORK L2"][date(2027, 3, 31)] == 2  # short of 3 by 1


def test_a_prerequisite_from_a_proposed_booking_does_not_count_one_from_a_booking_does():
    """The practitioner course needs NETWORK L1. Carol could take the foundation course first,
    but a prerequisite from a booking proposed in the same plan is not modelled: she is not
    proposed. Dev, already booked on a foundation course ending in January, is."""
    alice = PlanPerson(1, "Alice Ng", held={NET2: NEVER, NET1: NEVER})
    carol = PlanPerson(3, "Carol Wu")
    foundation = offering(30, NET1, date(2027, 1, 10), date(2027, 1, 12), 100)
    practitioner = offering(
        31, NET2, date(2027, 2, 10), date(2027, 2, 12), 100, prerequisites=(NET1,)
    )
    _, result = plan([alice, carol], [target(NET2, 2)], [foundation, practitioner])
    assert result.proposals == []
    dev = PlanPerson(
        4,
        "Dev Patel",
        planned=((NET1, date(2027, 1, 20), NEVER),),
        busy=((date(2027, 1, 18), date(2027, 1, 20)),),
    )
    _, result = plan([alice, carol, dev], [target(NET2, 2)], [foundation, practitioner])
    assert booked(result) == {(4, 31)}


def test_a_unit_target_wants_only_its_units_people():
    """Force plans: a target of unit A makes its capability wanted by A's people only; B's
    people are eligible for it only when their role needs it."""
    from skills.plan.model import Spell, wanted_by

    a_target = PlanTarget("NETWORK", 2, dict.fromkeys(MONTH_ENDS, 1), unit="A")
    in_a = PlanPerson(1, "In A", units={"A": Spell()})
    in_b = PlanPerson(2, "In B", units={"B": Spell()})
    needs_it = PlanPerson(3, "In B, needs it", units={"B": Spell()}, needs=frozenset({NET2}))
    course = offering(40, NET2, date(2027, 2, 1), date(2027, 2, 2), 100)
    last = MONTH_ENDS[-1]
    assert wanted_by(in_a, [a_target]) == {NET2}
    assert wanted_by(in_b, [a_target]) == set()
    assert eligible(in_a, course, wanted_by(in_a, [a_target]), last)
    assert not eligible(in_b, course, wanted_by(in_b, [a_target]), last)
    assert eligible(needs_it, course, wanted_by(needs_it, [a_target]), last)
    assert a_target.label == "NETWORK L2 in A"
