from people.models import Person, Unit


def test_officer_sees_only_their_own_record(cast):
    assert list(Person.objects.visible_to(cast.officer_user)) == [cast.officer]


def test_force_coordinator_sees_their_force_and_not_kent(cast):
    seen = set(Person.objects.visible_to(cast.coordinator))
    assert {cast.officer, cast.colleague} <= seen
    assert cast.kent_person not in seen


def test_outsider_sees_nobody_from_norfolk(cast):
    seen = set(Person.objects.visible_to(cast.outsider))
    assert seen == {cast.kent_person}


def test_regional_lead_sees_their_region_only(cast):
    seen = set(Person.objects.visible_to(cast.regional_lead))
    assert cast.officer in seen and cast.kent_person not in seen


def test_national_lead_sees_everyone(cast):
    assert Person.objects.visible_to(cast.national_lead).count() == 3


def test_joint_unit_is_visible_to_both_member_forces(cast):
    assert cast.joint_unit in Unit.objects.visible_to(cast.coordinator)
    assert cast.joint_unit not in Unit.objects.visible_to(cast.outsider)


def test_only_coordinators_may_change_records(cast):
    assert cast.officer in Person.objects.coordinated_by(cast.coordinator)
    assert not Person.objects.coordinated_by(cast.chief).exists()
    assert not Person.objects.coordinated_by(cast.officer_user).exists()


# --- the one rule for which units a grant covers (docs/access.md) ----------------------------

import pytest  # noqa: E402
from django.urls import reverse  # noqa: E402

from people.access import units_of_force, units_of_region, units_overseen_by  # noqa: E402
from people.models import Role, UnitKind  # noqa: E402
from skills.evaluation.views import units_evaluated_by  # noqa: E402
from skills.overview.services import units_in_scope  # noqa: E402
from tests.factories import UnitFactory, UserFactory, granted  # noqa: E402


@pytest.fixture
def landscape(cast):
    """The cast's units, plus: a unit inside Norfolk's; Eastern's regional unit (no member
    force); and a joint unit of Suffolk (Eastern) and Kent (South East) that belongs to the
    South East region, with a unit inside it."""
    UnitFactory(code="NOR-OSINT", name="Norfolk OSINT cell", region=cast.eastern, forces=[],
                parent=cast.norfolk_unit)  # fmt: skip
    UnitFactory(code="ERSOU", name="Eastern regional cyber unit", region=cast.eastern, forces=[],
                kind=UnitKind.REGIONAL_CYBER)  # fmt: skip
    joint = UnitFactory(code="SKJ-CCU", name="Suffolk and Kent joint unit",
                        region=cast.south_east, forces=[cast.suffolk, cast.kent])  # fmt: skip
    UnitFactory(code="SKJ-LAB", name="Suffolk and Kent joint lab", region=cast.south_east,
                forces=[], parent=joint)  # fmt: skip
    south_east_lead = UserFactory(email="lead@south-east.police.uk")
    granted(south_east_lead, Role.REGIONAL_LEAD, region=cast.south_east)
    suffolk_chief = UserFactory(email="chief@suffolk.police.uk")
    granted(suffolk_chief, Role.CHIEF_OFFICER, force=cast.suffolk)
    unit_coordinator = UserFactory(email="unit@norfolk.police.uk")
    granted(unit_coordinator, Role.COORDINATOR, unit=cast.norfolk_unit)
    return {
        "regional_lead": cast.regional_lead,
        "south_east_lead": south_east_lead,
        "coordinator": cast.coordinator,
        "chief_officer": cast.chief,
        "suffolk_chief": suffolk_chief,
        "unit_coordinator": unit_coordinator,
        "outsider": cast.outsider,
        "national_lead": cast.national_lead,
    }


EVERY_UNIT = {"NOR-CCU", "NOR-OSINT", "NSJ-CCU", "ERSOU", "KEN-CCU", "SKJ-CCU", "SKJ-LAB"}
COVERED = {
    # A region: its units, units with a member force in it (the South East joint unit has
    # Suffolk), and the units inside them.
    "regional_lead": {"NOR-CCU", "NOR-OSINT", "NSJ-CCU", "ERSOU", "SKJ-CCU", "SKJ-LAB"},
    "south_east_lead": {"KEN-CCU", "SKJ-CCU", "SKJ-LAB"},
    # A force: every unit it is a member of, joint units included, and the units inside.
    "coordinator": {"NOR-CCU", "NOR-OSINT", "NSJ-CCU"},
    "chief_officer": {"NOR-CCU", "NOR-OSINT", "NSJ-CCU"},
    "suffolk_chief": {"NSJ-CCU", "SKJ-CCU", "SKJ-LAB"},
    "outsider": {"KEN-CCU", "SKJ-CCU", "SKJ-LAB"},
    # A unit: it and the units inside it.
    "unit_coordinator": {"NOR-CCU", "NOR-OSINT"},
    "national_lead": EVERY_UNIT,
}


def _codes(units) -> set[str]:
    return set(units.values_list("code", flat=True))


@pytest.mark.parametrize("who", sorted(COVERED))
def test_every_reader_of_scope_agrees_role_by_role(landscape, who):
    user = landscape[who]
    expected = COVERED[who]
    assert _codes(units_overseen_by(user)) == expected
    assert _codes(units_in_scope(user)) == expected  # coverage overview
    assert _codes(units_evaluated_by(user)) == expected  # evaluation pages
    assert _codes(Unit.objects.visible_to(user)) == expected  # unit and report pages


def test_a_joint_unit_spanning_two_regions_is_seen_by_both_regional_leads(landscape):
    for who in ("regional_lead", "south_east_lead"):
        assert {"SKJ-CCU", "SKJ-LAB"} <= _codes(Unit.objects.visible_to(landscape[who]))


def test_packs_cover_the_same_units_as_a_grant_over_the_force_or_region(cast, landscape):
    assert _codes(units_of_region(cast.eastern)) == COVERED["regional_lead"]
    assert _codes(units_of_region(cast.south_east)) == COVERED["south_east_lead"]
    assert _codes(units_of_force(cast.norfolk)) == COVERED["coordinator"]
    assert _codes(units_of_force(cast.suffolk)) == COVERED["suffolk_chief"]


def test_an_officer_oversees_nothing_and_sees_only_units_they_are_posted_to(cast, landscape):
    assert not units_overseen_by(cast.officer_user).exists()
    assert not units_in_scope(cast.officer_user).exists()
    assert _codes(Unit.objects.visible_to(cast.officer_user)) == {"NOR-CCU"}


def test_the_regional_leads_overview_pack_evaluation_and_reports_list_the_same_units(
    cast, client, landscape
):
    """Before the one rule, the pack printed SKJ-CCU while its report page was a 404."""
    import io

    import pypdf

    client.force_login(cast.regional_lead)
    expected = COVERED["regional_lead"]
    for code in EVERY_UNIT:
        report = client.get(reverse("skills:unit_report", args=[code]))
        evaluation = client.get(reverse("evaluation:unit", args=[code]))
        wanted = 200 if code in expected else 404
        assert (code, report.status_code, evaluation.status_code) == (code, wanted, wanted)
    overview = client.get(reverse("coverage:overview"))
    assert {line.unit.code for line in overview.context["overview"].units} == expected
    pack = client.get(reverse("evaluation:region_pack", args=["eastern"]))
    text = "\n".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pack.content)).pages
    )
    for code in EVERY_UNIT:
        assert (code in text) == (code in expected), code
