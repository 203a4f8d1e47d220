"""Loading the shipped catalogue: keyed by codes, idempotent, never deletes, and a bad catalogue
loads nothing. Requirements and targets change by new versions from a date (``--effective``);
a changed entry that would edit a version that has counted is refused."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from courses.models import Activity, ActivityCapability
from skills.catalogue import CATALOGUE_DIR, CatalogueError, load_catalogue
from skills.models import (
    Capability,
    Expectation,
    Inspection,
    Requirement,
    ResilienceTarget,
    RoleProfile,
)

pytestmark = pytest.mark.django_db

MODELS = [
    Inspection,
    Expectation,
    Capability,
    RoleProfile,
    Requirement,
    Activity,
    ActivityCapability,
    ResilienceTarget,
    Capability.expectations.through,
    Requirement.expectations.through,
    ResilienceTarget.expectations.through,
    Activity.labs.through,
]


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def catalogue_copy(tmp_path):
    """A writable copy of the shipped catalogue."""
    directory = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE_DIR, directory)
    return directory


def read(directory, name):
    return yaml.safe_load((directory / name).read_text(encoding="utf-8"))


def write(directory, name, data):
    (directory / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def entry(entries, code):
    return next(e for e in entries if e.get("code") == code)


def test_first_load_creates_every_entry_of_the_shipped_catalogue():
    result = load_catalogue()

    created = {kind: result[kind].created for kind in result.kinds}
    assert created == {
        "inspections": 5,
        "expectations": 19,  # 6 + 1 + 3 + 8 + 1
        "capabilities": 19,
        "role profiles": 10,
        "requirements": 47,  # 4 + 10 + 5 + 3 + 5 + 3 + 5 + 4 + 5 + 3
        "activities": 69,  # 28 courses + 21 accreditations + 16 labs + 4 collections
        "capabilities evidenced": 81,
        "targets": 20,  # 11 force, 6 regional, 3 digital forensic
    }
    assert Expectation.objects.count() == 19
    assert ResilienceTarget.objects.filter(unit__isnull=True).count() == 20


def test_loading_twice_changes_nothing():
    load_catalogue()
    before = counts()

    again = load_catalogue()

    assert counts() == before
    assert again.created == 0
    assert again.updated == 0
    assert again["requirements"].unchanged == 47
    assert again["activities"].unchanged == 69
    assert again.no_longer_in_file() == []


def test_loading_again_takes_a_bounded_number_of_queries(django_assert_max_num_queries):
    load_catalogue()
    with django_assert_max_num_queries(40):
        load_catalogue()


def test_seed_inspections_name_their_expectations_by_paragraph_reference():
    load_catalogue()

    def references(code):
        return set(
            Expectation.objects.filter(inspection__code=code).values_list("reference", flat=True)
        )

    assert references("HMIC-2015-DIGITAL") == {"4.17", "5.56", "6.19", "7.33", "8.28", "9.66"}
    assert references("HMICFRS-2019-CYBER") == {
        "Q2", "Q3", "Q4", "R1", "AFI 1", "AFI 2", "AFI 3", "AFI 4",
    }  # fmt: skip
    assert references("VISION-2025") == {
        "workforce", "digital capability", "specialist capability",
    }  # fmt: skip
    assert references("HMIC-2016-PEEL-EFFICIENCY") == {"digital skills"}
    assert references("NPCC-MCS-CYBER") == {"MCS capability"}
    assert Inspection.objects.get(code="HMIC-2015-DIGITAL").published == date(2015, 12, 22)
    assert Inspection.objects.get(code="HMICFRS-2019-CYBER").published == date(2019, 10, 24)
    assert Inspection.objects.get(code="NPCC-MCS-CYBER").illustrative is True
    r1 = Expectation.objects.get(inspection__code="HMICFRS-2019-CYBER", reference="R1")
    assert r1.due == date(2020, 11, 1)
    assert "5.56" in Expectation.objects.get(reference="5.56").key


def test_capabilities_cite_their_expectations_and_describe_their_levels():
    load_catalogue()

    fraud = Capability.objects.get(code="FRAUD-TRIAGE")
    assert fraud.function == "core"
    assert {e.key for e in fraud.expectations.all()} == {
        "HMIC-2015-DIGITAL 9.66",
        "HMICFRS-2019-CYBER AFI 3",
    }
    assert fraud.level_2 == "Triages NFIB disseminations and the weekly list against force policy."


def test_requirement_order_follows_the_file():
    load_catalogue()

    pathway = list(
        Requirement.objects.filter(role_profile__code="CYBER-PURSUE")
        .order_by("order")
        .values_list("order", "capability__code", "level", "mandatory", "grace_months")
    )
    assert pathway == [
        (1, "FIRST-RESPONSE", 1, True, 1),
        (2, "DIGITAL-EVIDENCE", 2, True, 3),
        (3, "CYBER-INVESTIGATION", 2, True, 6),
        (4, "NETWORK-INVESTIGATION", 2, True, 9),
        (5, "OSINT", 2, True, 9),
        (6, "MALWARE-TRIAGE", 1, True, 12),
        (7, "CRYPTOCURRENCY", 1, True, 12),
        (8, "VICTIM-CARE", 1, True, 6),
        (9, "INCIDENT-RESPONSE", 2, False, 18),
        (10, "DARK-WEB", 1, False, 18),
    ]
    manager_fraud = Requirement.objects.get(role_profile__code="CYBER-MANAGER", order=4)
    assert {e.key for e in manager_fraud.expectations.all()} == {
        "HMIC-2015-DIGITAL 9.66",
        "HMICFRS-2019-CYBER AFI 3",
    }


def test_person_types_map_to_the_register_values():
    load_catalogue()

    assert RoleProfile.objects.get(code="FRONTLINE").person_types == [
        "officer",
        "staff",
        "special",
    ]
    assert RoleProfile.objects.get(code="CYBER-VOLUNTEER").person_types == ["volunteer"]


def test_collections_have_their_labs_and_threshold():
    load_catalogue()

    network = Activity.objects.get(code="COLL-NETWORK")
    assert network.threshold == 5
    assert network.validity_months == 24
    assert set(network.labs.values_list("code", flat=True)) == {
        f"LAB-NET-0{n}" for n in range(1, 7)
    }
    crypto = Activity.objects.get(code="COLL-CRYPTO")
    assert crypto.threshold == 2
    assert crypto.labs.count() == 3
    assert list(network.evidences.values_list("capability__code", "level")) == [
        ("NETWORK-INVESTIGATION", 2)
    ]
    assert Activity.objects.get(code="LAB-MAL-01").threshold is None
    assert Activity.objects.get(code="LAB-MAL-01").hours == Decimal("1.5")


def test_activities_keep_validity_and_what_they_evidence():
    load_catalogue()

    gcfa = Activity.objects.get(code="GIAC-GCFA")
    assert gcfa.validity_months == 48
    assert gcfa.validity_confidence == "checked"
    assert dict(gcfa.evidences.values_list("capability__code", "level")) == {
        "INCIDENT-RESPONSE": 3,
        "DIGITAL-EVIDENCE": 3,
        "NETWORK-INVESTIGATION": 2,
    }
    assert Activity.objects.get(code="COP-CDP-INTRO").validity_months is None


def test_targets_are_set_per_kind_of_unit_with_their_expectations():
    load_catalogue()

    target = ResilienceTarget.objects.get(
        unit_kind="force cyber crime unit", capability__code="CYBER-INVESTIGATION", level=2
    )
    assert target.unit is None
    assert target.minimum == 3
    assert target.illustrative is True
    assert {e.key for e in target.expectations.all()} == {
        "HMICFRS-2019-CYBER Q2",
        "NPCC-MCS-CYBER MCS capability",
    }


def test_editing_an_entry_updates_it_in_place(catalogue_copy):
    load_catalogue(catalogue_copy)
    fraud = Activity.objects.get(code="COP-FRAUD-AF")
    before = counts()
    activities = read(catalogue_copy, "activities.yaml")
    edited = entry(activities, "COP-FRAUD-AF")
    edited["validity_months"] = 12
    edited["title"] = "Fraud, Action Fraud and NFIB referrals"
    edited["evidences"] = {"FRAUD-TRIAGE": 2}
    write(catalogue_copy, "activities.yaml", activities)

    result = load_catalogue(catalogue_copy)

    assert counts() == before
    assert (result["activities"].created, result["activities"].updated) == (0, 1)
    assert result["activities"].unchanged == 68
    assert (result["capabilities evidenced"].created, result["capabilities evidenced"].updated) == (
        0,
        1,
    )
    fraud_now = Activity.objects.get(code="COP-FRAUD-AF")
    assert fraud_now.pk == fraud.pk
    assert fraud_now.validity_months == 12
    assert fraud_now.title == "Fraud, Action Fraud and NFIB referrals"
    assert fraud_now.evidences.get().level == 2
    assert load_catalogue(catalogue_copy).updated == 0


def test_editing_an_expectation_updates_it_in_place(catalogue_copy):
    load_catalogue(catalogue_copy)
    before = counts()
    inspections = read(catalogue_copy, "inspections.yaml")
    afi1 = next(
        e for e in entry(inspections, "HMICFRS-2019-CYBER")["expectations"]
        if e["reference"] == "AFI 1"
    )  # fmt: skip
    afi1["text"] = "Evaluate the use of cyber specials and volunteers."
    write(catalogue_copy, "inspections.yaml", inspections)

    result = load_catalogue(catalogue_copy)

    assert result["expectations"].updated == 1
    assert result.created == 0
    expectation = Expectation.objects.get(inspection__code="HMICFRS-2019-CYBER", reference="AFI 1")
    assert expectation.text == "Evaluate the use of cyber specials and volunteers."
    assert counts() == before


APRIL = date(2099, 4, 1)  # after today, whenever the tests run


def _raise_first_target(directory, minimum=4):
    targets = read(directory, "targets.yaml")
    targets[0]["targets"][0]["minimum"] = minimum
    targets[0]["targets"][0]["expectations"].append("HMICFRS-2019-CYBER Q4")
    write(directory, "targets.yaml", targets)


def _cyber_investigation_l2():
    return ResilienceTarget.objects.filter(
        unit_kind="force cyber crime unit", capability__code="CYBER-INVESTIGATION", level=2
    ).order_by("valid_from")


def test_a_changed_target_without_effective_is_refused_naming_it(catalogue_copy):
    load_catalogue(catalogue_copy)
    before = counts()
    _raise_first_target(catalogue_copy)

    with pytest.raises(CatalogueError) as raised:
        load_catalogue(catalogue_copy)

    message = str(raised.value)
    assert "target force cyber crime unit: CYBER-INVESTIGATION level 2" in message
    assert "minimum 3 → 4" in message
    assert "now cites HMICFRS-2019-CYBER Q4" in message
    assert "Give --effective YYYY-MM-DD" in message
    assert counts() == before
    assert _cyber_investigation_l2().get().minimum == 3


def test_a_changed_target_with_effective_becomes_a_new_version_from_that_date(catalogue_copy):
    load_catalogue(catalogue_copy)
    old = _cyber_investigation_l2().get()
    before = counts()
    _raise_first_target(catalogue_copy)

    result = load_catalogue(catalogue_copy, effective=APRIL)

    assert (result["targets"].created, result["targets"].updated) == (1, 0)
    assert result["targets"].unchanged == 19
    assert result.created == 1
    versions = list(_cyber_investigation_l2().values_list("pk", "minimum", "valid_from", "draft"))
    assert versions == [(old.pk, 3, old.valid_from, False), (versions[1][0], 4, APRIL, False)]
    new = ResilienceTarget.objects.get(pk=versions[1][0])
    assert "HMICFRS-2019-CYBER Q4" in {e.key for e in new.expectations.all()}
    assert "HMICFRS-2019-CYBER Q4" not in {e.key for e in old.expectations.all()}
    assert result.versions == [("targets", new.pk)]
    after = counts()
    assert after.pop("ResilienceTarget") == before.pop("ResilienceTarget") + 1
    after.pop("ResilienceTarget_expectations")
    before.pop("ResilienceTarget_expectations")
    assert after == before
    # The same file again, with or without the date, makes nothing.
    assert load_catalogue(catalogue_copy, effective=APRIL).changed is False
    assert load_catalogue(catalogue_copy).changed is False


def test_a_scheduled_version_may_still_be_updated_and_a_draft_adopted(catalogue_copy):
    load_catalogue(catalogue_copy)
    _raise_first_target(catalogue_copy)
    drafted = load_catalogue(catalogue_copy, effective=APRIL, draft=True)
    new = _cyber_investigation_l2().last()
    assert (new.minimum, new.draft, drafted["targets"].created) == (4, True, 1)
    assert load_catalogue(catalogue_copy, effective=APRIL, draft=True).changed is False

    adopted = load_catalogue(catalogue_copy, effective=APRIL)
    assert (adopted["targets"].created, adopted["targets"].updated) == (0, 1)
    assert ResilienceTarget.objects.get(pk=new.pk).draft is False

    # Scheduled (after today): edited in place, without --effective.
    _raise_first_target(catalogue_copy, minimum=5)
    edited = load_catalogue(catalogue_copy)
    assert (edited["targets"].created, edited["targets"].updated) == (0, 1)
    assert list(_cyber_investigation_l2().values_list("minimum", flat=True)) == [3, 5]


def test_a_new_version_of_a_target_in_use_takes_effect_after_today(catalogue_copy):
    load_catalogue(catalogue_copy)
    _raise_first_target(catalogue_copy)

    with pytest.raises(CatalogueError, match="takes effect after today"):
        load_catalogue(catalogue_copy, effective=date(2020, 1, 1))

    assert _cyber_investigation_l2().count() == 1
    # A draft from a past date is allowed: it counts nowhere.
    load_catalogue(catalogue_copy, effective=date(2020, 1, 1), draft=True)
    assert list(_cyber_investigation_l2().values_list("draft", flat=True)) == [False, True]


def test_an_entry_gone_from_the_file_with_effective_becomes_a_retired_version(catalogue_copy):
    load_catalogue(catalogue_copy)
    roles = read(catalogue_copy, "role_profiles.yaml")
    entry(roles, "FRONTLINE")["requirements"].pop()  # VICTIM-CARE level 1, requirement 4
    write(catalogue_copy, "role_profiles.yaml", roles)

    result = load_catalogue(catalogue_copy, effective=APRIL)

    assert result["requirements"].retired == 1
    assert result["requirements"].created == 0
    assert "requirements: 0 created, 0 updated, 46 unchanged, 1 retired" in result.summary()
    versions = list(
        Requirement.objects.filter(role_profile__code="FRONTLINE", capability__code="VICTIM-CARE")
        .order_by("valid_from")
        .values_list("valid_from", "retired", "draft")
    )
    assert versions[1:] == [(APRIL, True, False)]
    assert (
        Requirement.objects.in_force(on=APRIL).filter(role_profile__code="FRONTLINE").count() == 3
    )
    assert load_catalogue(catalogue_copy, effective=APRIL).changed is False


def test_a_new_requirement_with_effective_gives_people_in_post_its_grace(catalogue_copy):
    load_catalogue(catalogue_copy)
    roles = read(catalogue_copy, "role_profiles.yaml")
    entry(roles, "FRONTLINE")["requirements"].append(
        {"capability": "OSINT", "level": 1, "mandatory": True, "grace_months": 6}
    )
    write(catalogue_copy, "role_profiles.yaml", roles)

    result = load_catalogue(catalogue_copy, effective=APRIL)

    assert (result["requirements"].created, result["requirements"].unchanged) == (1, 47)
    new = Requirement.objects.get(role_profile__code="FRONTLINE", capability__code="OSINT")
    assert (new.order, new.valid_from, new.grace_from, new.grace_months) == (5, APRIL, APRIL, 6)


def test_citing_one_more_expectation_counts_as_an_update(catalogue_copy):
    load_catalogue(catalogue_copy)
    capabilities = read(catalogue_copy, "capabilities.yaml")
    entry(capabilities, "OSINT")["expectations"].append("VISION-2025 workforce")
    write(catalogue_copy, "capabilities.yaml", capabilities)

    result = load_catalogue(catalogue_copy)

    assert (result["capabilities"].updated, result["capabilities"].unchanged) == (1, 18)
    assert {e.key for e in Capability.objects.get(code="OSINT").expectations.all()} == {
        "VISION-2025 digital capability",
        "VISION-2025 workforce",
    }


def test_a_link_the_file_no_longer_gives_is_kept_and_reported(catalogue_copy):
    load_catalogue(catalogue_copy)
    capabilities = read(catalogue_copy, "capabilities.yaml")
    entry(capabilities, "FRAUD-TRIAGE")["expectations"] = ["HMIC-2015-DIGITAL 9.66"]
    write(catalogue_copy, "capabilities.yaml", capabilities)

    result = load_catalogue(catalogue_copy)

    assert Capability.objects.get(code="FRAUD-TRIAGE").expectations.count() == 2
    assert result["capabilities"].no_longer_in_file == [
        "capability FRAUD-TRIAGE cites HMICFRS-2019-CYBER AFI 3"
    ]
    assert result.updated == 0


def test_reordering_a_pathway_is_refused_then_made_new_versions_from_a_date(catalogue_copy):
    load_catalogue(catalogue_copy)
    ids = set(Requirement.objects.values_list("pk", flat=True))
    roles = read(catalogue_copy, "role_profiles.yaml")
    pursue = entry(roles, "CYBER-PURSUE")["requirements"]
    pursue[0], pursue[1] = pursue[1], pursue[0]
    write(catalogue_copy, "role_profiles.yaml", roles)

    with pytest.raises(CatalogueError, match="CYBER-PURSUE requirement 1 .DIGITAL-EVIDENCE"):
        load_catalogue(catalogue_copy)
    assert set(Requirement.objects.values_list("pk", flat=True)) == ids

    result = load_catalogue(catalogue_copy, effective=APRIL)

    assert (result["requirements"].created, result["requirements"].updated) == (2, 0)
    assert set(Requirement.objects.values_list("pk", flat=True)) > ids
    first_two = list(
        Requirement.objects.in_force(on=APRIL)
        .filter(role_profile__code="CYBER-PURSUE", order__lte=2)
        .order_by("order")
        .values_list("capability__code", "level", "grace_months")
    )
    assert first_two == [("DIGITAL-EVIDENCE", 2, 3), ("FIRST-RESPONSE", 1, 1)]
    today_ = list(
        Requirement.objects.in_force(on=date(2025, 1, 1))
        .filter(role_profile__code="CYBER-PURSUE", order__lte=2)
        .order_by("order")
        .values_list("capability__code", flat=True)
    )
    assert today_ == ["FIRST-RESPONSE", "DIGITAL-EVIDENCE"]


def test_an_entry_removed_from_the_file_is_kept_and_reported(catalogue_copy):
    load_catalogue(catalogue_copy)
    activities = [a for a in read(catalogue_copy, "activities.yaml") if a["code"] != "ECC-CEH"]
    write(catalogue_copy, "activities.yaml", activities)
    roles = read(catalogue_copy, "role_profiles.yaml")
    entry(roles, "FRONTLINE")["requirements"].pop()  # VICTIM-CARE level 1, requirement 4
    write(catalogue_copy, "role_profiles.yaml", roles)
    before = counts()

    result = load_catalogue(catalogue_copy)

    assert counts() == before
    assert Activity.objects.filter(code="ECC-CEH").exists()
    assert result["activities"].no_longer_in_file == ["activity ECC-CEH"]
    assert result["requirements"].no_longer_in_file == [
        "FRONTLINE requirement 4 (VICTIM-CARE level 1)"
    ]
    # Its evidences are not reported on their own: the activity is.
    assert result["capabilities evidenced"].no_longer_in_file == []
    assert result.updated == 0


def test_a_catalogue_with_an_unknown_capability_code_writes_nothing(catalogue_copy):
    activities = read(catalogue_copy, "activities.yaml")
    entry(activities, "ROCU-CRYPTO")["evidences"] = {"BLOCKCHAIN-MAGIC": 2}
    write(catalogue_copy, "activities.yaml", activities)
    roles = read(catalogue_copy, "role_profiles.yaml")
    entry(roles, "DMI")["requirements"][0]["level"] = 4
    write(catalogue_copy, "role_profiles.yaml", roles)

    with pytest.raises(CatalogueError) as raised:
        load_catalogue(catalogue_copy)

    problems = raised.value.problems
    assert any(
        "activities.yaml" in p and "ROCU-CRYPTO" in p and "'BLOCKCHAIN-MAGIC'" in p
        for p in problems
    ), problems
    assert any(
        "role_profiles.yaml" in p and "DMI" in p and "requirement 1" in p and "level 4" in p
        for p in problems
    ), problems
    assert len(problems) == 2
    assert all(n == 0 for n in counts().values())


def test_unknown_expectations_labs_and_duplicate_codes_are_each_reported(catalogue_copy):
    capabilities = read(catalogue_copy, "capabilities.yaml")
    capabilities.append(dict(capabilities[0]))  # FIRST-RESPONSE again
    entry(capabilities, "OSINT")["expectations"] = ["VISION-2025 nonsense", "NO-SUCH-REPORT 1.1"]
    write(catalogue_copy, "capabilities.yaml", capabilities)
    activities = read(catalogue_copy, "activities.yaml")
    entry(activities, "COLL-OSINT")["labs"].append("LAB-OSINT-99")
    entry(activities, "COLL-CRYPTO")["labs"].append("COP-DMI")
    write(catalogue_copy, "activities.yaml", activities)

    with pytest.raises(CatalogueError) as raised:
        load_catalogue(catalogue_copy)

    text = str(raised.value)
    assert "duplicate capability code 'FIRST-RESPONSE'" in text
    assert "unknown expectation VISION-2025 'nonsense'" in text
    assert "unknown inspection code 'NO-SUCH-REPORT'" in text
    assert "(COLL-OSINT): unknown lab code 'LAB-OSINT-99'" in text
    assert "(COLL-CRYPTO): COP-DMI is a course, not a lab" in text
    assert Capability.objects.count() == 0


def test_a_bad_catalogue_after_a_good_one_leaves_the_loaded_rows_alone(catalogue_copy):
    load_catalogue(catalogue_copy)
    capabilities = read(catalogue_copy, "capabilities.yaml")
    entry(capabilities, "OSINT")["name"] = "Renamed"
    entry(capabilities, "DARK-WEB")["function"] = "pursuit"
    write(catalogue_copy, "capabilities.yaml", capabilities)

    with pytest.raises(CatalogueError, match="unknown function 'pursuit'"):
        load_catalogue(catalogue_copy)

    assert Capability.objects.get(code="OSINT").name == "Open-source investigation"


def test_the_command_prints_the_summary_per_kind():
    out = StringIO()
    call_command("load_catalogue", stdout=out)
    call_command("load_catalogue", stdout=out)

    lines = out.getvalue().splitlines()
    assert "inspections: 5 created, 0 updated, 0 unchanged" in lines
    assert "requirements: 0 created, 0 updated, 47 unchanged" in lines


def test_the_command_fails_with_every_problem(catalogue_copy):
    targets = read(catalogue_copy, "targets.yaml")
    targets[0]["targets"][0]["capability"] = "NOPE"
    targets[1]["unit_kind"] = "regional unit"
    write(catalogue_copy, "targets.yaml", targets)

    with pytest.raises(CommandError) as raised:
        call_command("load_catalogue", "--path", str(catalogue_copy), stdout=StringIO())

    message = str(raised.value)
    assert "unknown capability code 'NOPE'" in message
    assert "unknown unit_kind 'regional unit'" in message
    assert ResilienceTarget.objects.count() == 0


def test_the_command_takes_effective_and_draft(catalogue_copy):
    call_command("load_catalogue", "--path", str(catalogue_copy), stdout=StringIO())
    _raise_first_target(catalogue_copy)
    out = StringIO()
    call_command(
        "load_catalogue", "--path", str(catalogue_copy), "--effective", "2099-04-01", "--draft",
        stdout=out,
    )  # fmt: skip
    assert "targets: 1 created, 0 updated, 19 unchanged" in out.getvalue().splitlines()
    assert "as drafts from 2099-04-01" in out.getvalue()
    assert _cyber_investigation_l2().last().draft is True
    with pytest.raises(CommandError, match="--effective"):
        call_command("load_catalogue", "--path", str(catalogue_copy), "--draft", stdout=out)
    with pytest.raises(CommandError, match="not a date"):
        call_command("load_catalogue", "--effective", "1 April", stdout=out)
