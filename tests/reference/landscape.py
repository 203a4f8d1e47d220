"""Random, seeded landscapes for the fuzz test: a handful of units (nested, joint), people
posted (twice in one unit, postings ending, funds ending), activities (courses with and
without validity, labs in collections with sliding windows, "or higher" levels), completions
(verified, pending, rejected, withdrawn, own expiries), roles with grace periods, and targets
(a kind's and a unit's own). Small enough to check every figure by brute force."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone

from courses.models import Activity, ActivityCapability, Completion
from people.models import Force, Fund, Person, Posting, Region, Unit
from skills.models import Capability, Requirement, ResilienceTarget, RoleProfile

START = date(2023, 1, 1)
END = date(2026, 12, 31)
KIND = "force cyber crime unit"
OTHER_KIND = "specialist capability team"


@dataclass
class Landscape:
    seed: int
    units: list[Unit]
    people: list[Person]
    dates: list[date]


def _day(rng: random.Random, lo: date = START, hi: date = END) -> date:
    return lo + timedelta(days=rng.randrange((hi - lo).days + 1))


def build(seed: int) -> Landscape:
    rng = random.Random(seed)
    east = Region.objects.create(code="east", name="East")
    west = Region.objects.create(code="west", name="West")
    forces = [
        Force.objects.create(code="f-a", name="Force A", region=east),
        Force.objects.create(code="f-b", name="Force B", region=east),
        Force.objects.create(code="f-c", name="Force C", region=west),
    ]

    def unit(code, parent=None, member=(0,), kind=KIND, region=east):
        u = Unit.objects.create(
            code=code, name=f"Unit {code}", kind=kind, parent=parent, region=region
        )
        u.forces.set([forces[i] for i in member])
        return u

    top = unit("top")
    mid = unit("mid", parent=top, kind=rng.choice([KIND, OTHER_KIND]))
    leaf = unit("leaf", parent=mid)
    joint = unit("joint", member=(0, 1, 2) if rng.random() < 0.5 else (0, 1))
    west_unit = unit("solo", member=(2,), region=west, kind=rng.choice([KIND, OTHER_KIND]))
    units = [top, mid, leaf, joint, west_unit]

    caps = [
        Capability.objects.create(code=f"cap-{i}", name=f"Capability {i}", function="pursue")
        for i in range(4)
    ]

    def evidence(act, n=None):
        for cap in rng.sample(caps, n or rng.choice([1, 1, 2])):
            ActivityCapability.objects.create(activity=act, capability=cap, level=rng.randint(1, 3))

    validities = [None, None, 3, 6, 12, 24]
    activities = []
    for i in range(5):
        act = Activity.objects.create(
            code=f"course-{i}",
            kind=rng.choice(["course", "accreditation"]),
            provider="P",
            title=f"Course {i}",
            validity_months=rng.choice(validities),
        )
        evidence(act)
        activities.append(act)
    labs = []
    for i in range(5):
        lab = Activity.objects.create(
            code=f"lab-{i}", kind="lab", provider="Lab", title=f"Lab {i}",
            validity_months=rng.choice(validities),
        )  # fmt: skip
        if rng.random() < 0.3:
            evidence(lab, 1)  # a lab that evidences something by itself too
        labs.append(lab)
    for i in range(2):
        coll = Activity.objects.create(
            code=f"coll-{i}",
            kind="collection",
            provider="Lab",
            title=f"Collection {i}",
            validity_months=rng.choice([None, 3, 6, 12]),
            threshold=rng.randint(1, 3),
        )
        coll.labs.set(rng.sample(labs, rng.randint(2, 4)))
        evidence(coll)
        activities.append(coll)

    roles = []
    for i in range(3):
        role = RoleProfile.objects.create(code=f"role-{i}", name=f"Role {i}")
        for order, cap in enumerate(rng.sample(caps, rng.randint(1, 3)), start=1):
            Requirement.objects.create(
                role_profile=role,
                order=order,
                capability=cap,
                level=rng.randint(1, 3),
                mandatory=rng.random() < 0.75,
                grace_months=rng.choice([0, 0, 3, 6, 12]),
            )
        roles.append(role)
    # Two roles asking for the same thing: counted once for someone holding both posts.
    shared_cap = rng.choice(caps)
    for role in roles[:2]:
        if not role.requirements.filter(capability=shared_cap).exists():
            Requirement.objects.create(
                role_profile=role, order=9, capability=shared_cap, level=1,
                grace_months=rng.choice([0, 6]),
            )  # fmt: skip

    for cap_level in rng.sample([(c, lv) for c in caps for lv in (1, 2, 3)], 3):
        ResilienceTarget.objects.create(
            unit_kind=KIND, capability=cap_level[0], level=cap_level[1], minimum=rng.randint(1, 3)
        )
    kind_targets = list(ResilienceTarget.objects.all())
    for u in units:
        for _ in range(rng.randint(0, 2)):
            if rng.random() < 0.4 and kind_targets:
                base = rng.choice(kind_targets)  # the unit's own replaces its kind's
                cap, level = base.capability, base.level
            else:
                cap, level = rng.choice(caps), rng.randint(1, 3)
            if not ResilienceTarget.objects.filter(unit=u, capability=cap, level=level).exists():
                ResilienceTarget.objects.create(
                    unit=u, capability=cap, level=level, minimum=rng.randint(1, 3)
                )

    # Versions: a target's minimum changes (or it is retired) on a date; a requirement gets a
    # new version whose grace counts from its date for people already in post.
    if rng.random() < 0.7:
        base = rng.choice(list(ResilienceTarget.objects.all()))
        ResilienceTarget.objects.create(
            unit=base.unit,
            unit_kind=base.unit_kind,
            capability=base.capability,
            level=base.level,
            minimum=rng.randint(1, 4),
            valid_from=_day(rng, date(2024, 1, 1), date(2026, 6, 30)),
            retired=rng.random() < 0.3,
        )
    if rng.random() < 0.7:
        base = rng.choice(list(Requirement.objects.all()))
        since = _day(rng, date(2024, 1, 1), date(2026, 6, 30))
        Requirement.objects.create(
            role_profile=base.role_profile,
            order=base.order,
            capability=base.capability,
            level=base.level,
            mandatory=not base.mandatory if rng.random() < 0.5 else base.mandatory,
            grace_months=rng.choice([0, 3, 6]),
            valid_from=since,
            grace_from=since,
        )

    funds = [
        Fund.objects.create(code=f"fund-{i}", name=f"Fund {i}", ends_on=_day(rng, date(2024, 6, 1)))
        for i in range(2)
    ]

    people = []
    comps_seen = set()
    for i in range(rng.randint(8, 13)):
        p = Person.objects.create(
            force=rng.choice(forces),
            staff_number=f"S{i}",
            person_type=rng.choice(["officer", "officer", "staff", "special", "volunteer"]),
            first_name=f"First{i}",
            last_name=f"Last{rng.randint(0, 3)}",
            directory_consent=rng.random() < 0.6,
            directory_consent_on=date(2023, 1, 1),
        )
        people.append(p)
        n_postings = rng.choice([1, 1, 2, 2, 3])
        home = rng.choice(units)
        for _ in range(n_postings):
            # Often the same unit (or a unit inside it) again: posted twice in one unit.
            where = home if rng.random() < 0.5 else rng.choice(units)
            start = _day(rng, START, date(2026, 1, 1))
            end = None if rng.random() < 0.5 else start + timedelta(days=rng.randint(0, 700))
            Posting.objects.create(
                person=p,
                unit=where,
                role_profile=rng.choice(roles),
                start=start,
                end=end,
                fund=rng.choice(funds) if rng.random() < 0.3 else None,
            )
        for _ in range(rng.randint(0, 8)):
            act = rng.choice(activities[:5] + labs + labs)
            on = _day(rng, START, date(2026, 6, 30))
            if (p.pk, act.pk, on) in comps_seen:
                continue
            comps_seen.add((p.pk, act.pk, on))
            status = rng.choices(
                ["verified", "pending", "rejected", "withdrawn"], weights=[70, 15, 10, 5]
            )[0]
            own = on + timedelta(days=rng.randint(1, 500)) if rng.random() < 0.2 else None
            Completion.objects.create(
                person=p,
                activity=act,
                completed_on=on,
                expires_on=own,
                status=status,
                verified_at=timezone.now() if status == "verified" else None,
            )

    dates = [_day(rng, date(2023, 6, 1), date(2026, 6, 30)) for _ in range(3)]
    # A month end and the day before and after a fund ends: the edges that matter.
    dates.append(rng.choice([date(2024, 2, 29), date(2025, 1, 31), date(2025, 6, 30)]))
    fund = rng.choice(funds)
    dates.append(fund.ends_on + timedelta(days=rng.choice([0, 1])))
    return Landscape(seed=seed, units=units, people=people, dates=sorted(set(dates)))
