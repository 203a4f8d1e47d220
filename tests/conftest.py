"""The fixed cast every view test uses (STYLE.md §5): a Norfolk coordinator, a Norfolk officer,
an Eastern regional lead, a Norfolk chief officer, a national lead, an administrator, and an
outsider from Kent (another force, another region)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from people.models import Person, PersonType, Role, Unit
from tests.factories import (
    DEMO_PASSWORD,
    ForceFactory,
    PersonFactory,
    RegionFactory,
    UnitFactory,
    UserFactory,
    granted,
    posted,
)

AS_OF = date(2025, 3, 31)


@dataclass
class Cast:
    eastern: object
    south_east: object
    norfolk: object
    suffolk: object
    kent: object
    norfolk_unit: Unit
    joint_unit: Unit
    kent_unit: Unit
    officer: Person  # Norfolk officer with a login, posted to the Norfolk unit
    colleague: Person  # another Norfolk officer, no login
    kent_person: Person
    coordinator: object  # user: coordinator of Norfolk force
    chief: object  # user: chief officer of Norfolk force
    regional_lead: object  # user: regional lead of Eastern
    national_lead: object  # user: national lead, everything
    admin: object  # superuser
    outsider: object  # user: Kent coordinator
    officer_user: object

    def users(self) -> dict[str, object]:
        return {
            "officer": self.officer_user,
            "coordinator": self.coordinator,
            "chief_officer": self.chief,
            "regional_lead": self.regional_lead,
            "national_lead": self.national_lead,
            "admin": self.admin,
            "outsider": self.outsider,
        }


@pytest.fixture
def cast(db) -> Cast:
    eastern = RegionFactory(code="eastern", name="Eastern")
    south_east = RegionFactory(code="south-east", name="South East")
    norfolk = ForceFactory(code="norfolk", name="Norfolk Constabulary", region=eastern)
    suffolk = ForceFactory(code="suffolk", name="Suffolk Constabulary", region=eastern)
    kent = ForceFactory(code="kent", name="Kent Police", region=south_east)
    norfolk_unit = UnitFactory(
        code="NOR-CCU", name="Norfolk cyber crime unit", region=eastern, forces=[norfolk]
    )
    joint_unit = UnitFactory(
        code="NSJ-CCU",
        name="Norfolk and Suffolk joint cyber crime unit",
        region=eastern,
        forces=[norfolk, suffolk],
    )
    kent_unit = UnitFactory(
        code="KEN-CCU", name="Kent cyber crime unit", region=south_east, forces=[kent]
    )

    officer_user = UserFactory(email="officer@norfolk.police.uk")
    officer = PersonFactory(
        force=norfolk,
        staff_number="1234",
        first_name="Jane",
        last_name="Smith",
        email="officer@norfolk.police.uk",
        user=officer_user,
    )
    colleague = PersonFactory(
        force=norfolk, staff_number="2345", first_name="Sam", last_name="Jones"
    )
    kent_person = PersonFactory(
        force=kent,
        staff_number="9999",
        first_name="Kim",
        last_name="Kentish",
        person_type=PersonType.SPECIAL,
    )
    posted(officer, norfolk_unit, start=date(2024, 1, 1))
    posted(colleague, norfolk_unit, start=date(2024, 1, 1))
    posted(kent_person, kent_unit, start=date(2024, 1, 1))

    coordinator = UserFactory(email="coordinator@norfolk.police.uk")
    granted(coordinator, Role.COORDINATOR, force=norfolk)
    chief = UserFactory(email="chief@norfolk.police.uk")
    granted(chief, Role.CHIEF_OFFICER, force=norfolk)
    regional_lead = UserFactory(email="lead@eastern.police.uk")
    granted(regional_lead, Role.REGIONAL_LEAD, region=eastern)
    national_lead = UserFactory(email="national@police.uk")
    granted(national_lead, Role.NATIONAL_LEAD)
    admin = UserFactory(email="admin@register.local", is_staff=True, is_superuser=True)
    outsider = UserFactory(email="coordinator@kent.police.uk")
    granted(outsider, Role.COORDINATOR, force=kent)
    return Cast(
        eastern=eastern,
        south_east=south_east,
        norfolk=norfolk,
        suffolk=suffolk,
        kent=kent,
        norfolk_unit=norfolk_unit,
        joint_unit=joint_unit,
        kent_unit=kent_unit,
        officer=officer,
        colleague=colleague,
        kent_person=kent_person,
        coordinator=coordinator,
        chief=chief,
        regional_lead=regional_lead,
        national_lead=national_lead,
        admin=admin,
        outsider=outsider,
        officer_user=officer_user,
    )


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s per user; tests check access, not hash strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _evidence_in_tmp(settings, tmp_path):
    # Evidence uploads and import files go to a per-test folder, never var/evidence.
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    settings.MEDIA_ROOT = settings.EVIDENCE_ROOT


@pytest.fixture(autouse=True)
def _no_kept_directory_origins():
    # Pages keep the directories' origins for a minute per process (the CSP form-action): a
    # test must not see another's, and query counts must not depend on which test ran first.
    from people.identity.models import forget_directory_origins

    forget_directory_origins()


@pytest.fixture
def password() -> str:
    return DEMO_PASSWORD
