"""Small builders for the officer's own pages: a role profile with ordered requirements."""

from __future__ import annotations

from skills.models import Requirement, RoleProfile
from tests.factories import CapabilityFactory


def capability(code: str):
    return CapabilityFactory(code=code, name=code.replace("-", " ").capitalize())


def role(code: str, *requirements, name: str | None = None) -> RoleProfile:
    """``role("PURSUE", ("NETINV", 2), ("OSINT", 1, {"grace": 6, "mandatory": False}))``."""
    profile = RoleProfile.objects.create(code=code, name=name or f"{code.title()} role")
    for order, spec in enumerate(requirements, start=1):
        cap, level, *rest = spec
        options = rest[0] if rest else {}
        Requirement.objects.create(
            role_profile=profile,
            order=order,
            capability=capability(cap),
            level=level,
            mandatory=options.get("mandatory", True),
            grace_months=options.get("grace", 0),
        )
    return profile
