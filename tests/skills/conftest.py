"""Small builders for coverage-engine tests: targets, roles with requirements, expectations."""

from __future__ import annotations

from datetime import date

import pytest

from people.models import Unit
from skills.models import Expectation, Inspection, Requirement, ResilienceTarget, RoleProfile
from tests.factories import CapabilityFactory, PersonFactory, UnitFactory

D = date(2025, 3, 31)


def capability(code: str):
    return CapabilityFactory(code=code, name=code.replace("-", " ").capitalize())


def expectation(key: str, text: str = "Paraphrase.") -> Expectation:
    """``expectation("HMIC-2015-DIGITAL 5.56")``: creates the inspection if needed."""
    code, reference = key.split(" ", 1)
    inspection, _ = Inspection.objects.get_or_create(
        code=code,
        defaults={
            "title": f"Inspection {code}",
            "publisher": code.split("-")[0],
            "published": date(int(code.split("-")[1]), 1, 1),
        },
    )
    exp, _ = Expectation.objects.get_or_create(
        inspection=inspection, reference=reference, defaults={"text": text}
    )
    return exp


def target(where, cap: str, level: int, minimum: int, expectations=()) -> ResilienceTarget:
    """A resilience target for a unit, or for a kind of unit when ``where`` is a string."""
    t = ResilienceTarget.objects.create(
        unit=where if isinstance(where, Unit) else None,
        unit_kind="" if isinstance(where, Unit) else where,
        capability=capability(cap),
        level=level,
        minimum=minimum,
    )
    t.expectations.set([expectation(k) for k in expectations])
    return t


def role(code: str, *requirements) -> RoleProfile:
    """``role("PURSUE", ("NETINV", 2), ("OSINT", 1, {"grace": 6, "mandatory": False}))``."""
    profile = RoleProfile.objects.create(code=code, name=f"{code.title()} role")
    for order, spec in enumerate(requirements, start=1):
        cap, level, *rest = spec
        options = rest[0] if rest else {}
        req = Requirement.objects.create(
            role_profile=profile,
            order=order,
            capability=capability(cap),
            level=level,
            mandatory=options.get("mandatory", True),
            grace_months=options.get("grace", 0),
        )
        req.expectations.set([expectation(k) for k in options.get("expectations", ())])
    return profile


def person(force, first="Alex", last="Smith", **fields):
    return PersonFactory(force=force, first_name=first, last_name=last, **fields)


@pytest.fixture
def unit(cast) -> Unit:
    """An empty Norfolk force cyber crime unit."""
    return UnitFactory(
        code="TST-CCU", name="Test cyber crime unit", region=cast.eastern, forces=[cast.norfolk]
    )


def line_for(report, who):
    """The report's person line for ``who`` (a Person), or None."""
    return next((line for line in report.people if line.person.id == who.pk), None)


def requirement_of(report, who, cap: str, level: int | None = None):
    line = line_for(report, who)
    return next(
        r
        for r in line.requirements
        if r.capability.code == cap and (level is None or r.level == level)
    )


def target_line(report, cap: str, level: int):
    return next(t for t in report.targets if t.capability.code == cap and t.level == level)
