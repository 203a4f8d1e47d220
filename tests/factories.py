"""Factories and small builders shared by the whole suite."""

from __future__ import annotations

from datetime import date

import factory
from django.utils import timezone

from courses.models import Activity, ActivityCapability, ActivityKind, Completion, Status
from people.models import Force, Fund, Grant, Person, PersonType, Posting, Region, Unit, User
from skills.models import Capability, Function, RoleProfile

DEMO_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.police.uk")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or DEMO_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"Region {n}")


class ForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Force
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"force-{n}")
    name = factory.Sequence(lambda n: f"Force {n}")
    region = factory.SubFactory(RegionFactory)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Cyber crime unit {n}")
    kind = "force cyber crime unit"
    region = factory.SubFactory(RegionFactory)

    @factory.post_generation
    def forces(self, create, extracted, **kwargs):
        if create and extracted:
            self.forces.set(extracted)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    force = factory.SubFactory(ForceFactory)
    staff_number = factory.Sequence(lambda n: f"F{100000 + n}")
    person_type = PersonType.OFFICER
    rank = "PC"
    first_name = factory.Sequence(lambda n: f"Alex{n}")
    last_name = factory.Sequence(lambda n: f"Smith{n}")
    email = factory.LazyAttribute(
        lambda p: f"{p.first_name}.{p.last_name}@{p.force.code}.police.uk".lower()
    )


class CapabilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Capability
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"CAP-{n}")
    name = factory.Sequence(lambda n: f"Capability {n}")
    function = Function.PURSUE


class RoleProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleProfile
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ROLE-{n}")
    name = factory.Sequence(lambda n: f"Role {n}")


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ACT-{n}")
    kind = ActivityKind.COURSE
    provider = "Regional (ROCU)"
    title = factory.Sequence(lambda n: f"Course {n}")


def activity(code: str, evidences: dict | None = None, **fields) -> Activity:
    """An activity evidencing ``{capability_or_code: level}``."""
    act = ActivityFactory(code=code, **fields)
    for cap, level in (evidences or {}).items():
        if isinstance(cap, str):
            cap = CapabilityFactory(code=cap)
        ActivityCapability.objects.create(activity=act, capability=cap, level=level)
    return act


def posted(
    person: Person,
    unit: Unit,
    *,
    start: date,
    end: date | None = None,
    role: RoleProfile | None = None,
    fund: Fund | None = None,
) -> Posting:
    return Posting.objects.create(
        person=person,
        unit=unit,
        role_profile=role or RoleProfileFactory(code="GENERIC", name="Generic role"),
        start=start,
        end=end,
        fund=fund,
    )


def completed(
    person: Person,
    act: Activity,
    on: date,
    *,
    status: str = Status.VERIFIED,
    expires_on: date | None = None,
    **fields,
) -> Completion:
    return Completion.objects.create(
        person=person,
        activity=act,
        completed_on=on,
        status=status,
        expires_on=expires_on,
        verified_at=timezone.now() if status == Status.VERIFIED else None,
        **fields,
    )


def granted(user: User, role: str, *, unit=None, force=None, region=None) -> Grant:
    return Grant.objects.create(user=user, role=role, unit=unit, force=force, region=region)
