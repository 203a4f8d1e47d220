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
