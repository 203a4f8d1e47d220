"""The impact of a catalogue file not yet loaded (issue 16, point 2): by the command and by an
upload on the impact page; every table unchanged afterwards; bad files answered in words."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from skills.catalogue import CATALOGUE_DIR, load_catalogue
from skills.impact.views import CATALOGUE_MAX_BYTES
from tests.factories import UnitFactory
from tests.skills.test_impact import _rows

EFFECTIVE = date(2099, 4, 1)
URL = "skills:requirement_impact_catalogue"


@pytest.fixture
def fccu(cast):
    """The shipped catalogue loaded, and an empty Norfolk force cyber crime unit (the kind's
    targets apply to it: CYBER-INVESTIGATION L2, 3 people)."""
    load_catalogue()
    return UnitFactory(
        code="TST-FCCU", name="Test force unit", kind="force cyber crime unit",
        region=cast.eastern, forces=[cast.norfolk],
    )  # fmt: skip


def _raised_targets() -> bytes:
    """The shipped targets file with the force cyber crime unit's CYBER-INVESTIGATION L2
    raised from 3 to 4."""
    targets = yaml.safe_load((CATALOGUE_DIR / "targets.yaml").read_text(encoding="utf-8"))
    first = targets[0]["targets"][0]
    assert (first["capability"], first["minimum"]) == ("CYBER-INVESTIGATION", 3)
    first["minimum"] = 4
    return yaml.safe_dump(targets, sort_keys=False).encode()


def test_the_command_looks_at_one_file_and_writes_nothing(cast, fccu, tmp_path):
    path = tmp_path / "targets.yaml"
    path.write_bytes(_raised_targets())
    before = _rows()
    out = io.StringIO()

    call_command(
        "requirement_impact", "--catalogue", str(path), "--effective", "2099-04-01",
        "--unit", fccu.code, "--horizon", "0", stdout=out,
    )  # fmt: skip

    data = json.loads(out.getvalue())
    assert data["on"] == "2099-04-01" and data["version_count"] == 1
    (unit,) = data["units"]
    (t,) = unit["targets"]
    assert (t["capability"], t["minimum_before"], t["minimum_after"], t["shortfall_after"]) == (
        "CYBER-INVESTIGATION", 3, 4, 4,
    )  # fmt: skip
    out = io.StringIO()
    call_command(
        "requirement_impact", "--catalogue", str(path), "--effective", "2099-04-01",
        "--force", "norfolk", "--horizon", "0", "--format", "csv", stdout=out,
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert ["target", fccu.code, "", "CYBER-INVESTIGATION", "2"] in [r[:5] for r in rows]
    assert _rows() == before
    (tmp_path / "broken.yaml").write_text("- [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="not a catalogue file's name: name it one of"):
        call_command(
            "requirement_impact", "--catalogue", str(tmp_path / "broken.yaml"),
            "--effective", "2099-04-01", "--unit", fccu.code,
        )  # fmt: skip
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "targets.yaml").write_text("- [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="targets.yaml: not valid YAML"):
        call_command(
            "requirement_impact", "--catalogue", str(tmp_path / "bad" / "targets.yaml"),
            "--effective", "2099-04-01", "--unit", fccu.code,
        )  # fmt: skip
    assert _rows() == before


def _post(client, content: bytes, *, name="targets.yaml", kind="targets.yaml", **more):
    data = {
        "file": SimpleUploadedFile(name, content, content_type="application/x-yaml"),
        "kind": kind,
        "effective_0": "1",
        "effective_1": "4",
        "effective_2": "2099",
        "horizon": "0",
        **more,
    }
    return client.post(reverse(URL), data)


def test_an_upload_shows_the_impact_on_a_force_and_writes_nothing(cast, fccu, client):
    client.force_login(cast.admin)
    before = _rows()  # after logging in, which writes a session

    response = _post(client, _raised_targets(), force="norfolk")

    assert response.status_code == 200
    assert _rows() == before
    impact = response.context["impact"]
    assert impact.version_count == 1 and impact.on == EFFECTIVE
    unit = next(u for u in impact.units if u.unit.code == fccu.code)
    (t,) = [t for t in unit.targets if t.capability.code == "CYBER-INVESTIGATION"]
    assert (t.minimum_before, t.minimum_after, t.becomes_short) == (3, 4, True)
    assert response.context["force_impact"].targets_short >= 1
    page = response.content.decode()
    assert "targets.yaml (targets.yaml), from 2099-04-01: 0 requirement versions and 1 target" in (
        page
    )
    assert f'id="unit-{fccu.code}"' in page


def test_an_unchanged_file_says_nothing_differs(cast, fccu, client):
    client.force_login(cast.admin)
    response = _post(client, (CATALOGUE_DIR / "targets.yaml").read_bytes(), unit=fccu.code)
    assert response.status_code == 200
    assert response.context["impact"].version_count == 0
    assert "Nothing in this file differs" in response.content.decode()


@pytest.mark.parametrize(
    ("content", "kind", "problem"),
    [
        (b"- [unclosed", "targets.yaml", "targets.yaml: not valid YAML"),
        (b"\xff\xfe\x00binary", "targets.yaml", "targets.yaml: not valid YAML"),
        (b"just: a mapping", "targets.yaml", "targets.yaml: expected a list of entries"),
        (None, "capabilities.yaml", "capabilities.yaml"),  # targets given as capabilities
    ],
)
def test_a_bad_file_is_answered_in_words_never_a_500(cast, fccu, client, content, kind, problem):
    client.force_login(cast.admin)
    before = _rows()

    response = _post(client, content or _raised_targets(), kind=kind, unit=fccu.code)

    assert response.status_code == 400
    page = response.content.decode()
    assert "govuk-error-summary" in page and f"The file cannot be read as {kind}" in page
    assert problem in "\n".join(response.context["problems"])
    assert response.context["impact"] is None
    assert _rows() == before


def test_the_form_asks_for_what_is_missing(cast, fccu, client):
    client.force_login(cast.admin)
    response = client.post(reverse(URL), {"kind": "targets.yaml"})
    assert response.status_code == 400
    page = response.content.decode()
    for message in ("Choose a catalogue file", "Enter the date it would take effect",
                    "Choose a unit or a force"):  # fmt: skip
        assert message in page
    empty = _post(client, b"", unit=fccu.code)
    assert "The file is empty" in empty.content.decode()


def test_sizes_are_limited_like_the_other_uploads(cast, fccu, client):
    client.force_login(cast.admin)
    a_little_over = b"#" * (CATALOGUE_MAX_BYTES + 1)
    response = _post(client, a_little_over, unit=fccu.code)
    assert response.status_code == 400
    assert "The file must be 1 MB or smaller" in response.content.decode()
    far_over = b"#" * (CATALOGUE_MAX_BYTES + 200 * 1024)
    assert _post(client, far_over, unit=fccu.code).status_code == 413


def test_only_who_may_make_versions_may_upload(cast, fccu, client):
    for user in (cast.chief, cast.national_lead, cast.coordinator, cast.officer_user):
        client.force_login(user)
        assert _post(client, _raised_targets(), force="norfolk").status_code == 403
        page = client.get(reverse("skills:requirement_impact")).content.decode()
        assert reverse(URL) not in page
    client.force_login(cast.admin)
    assert reverse(URL) in client.get(reverse("skills:requirement_impact")).content.decode()


def test_a_requirement_made_mandatory_in_the_file_shows_who_becomes_due(cast, fccu, client):
    from skills.models import RoleProfile
    from tests.factories import posted
    from tests.skills.conftest import person

    pursue = RoleProfile.objects.get(code="CYBER-PURSUE")
    ann = person(cast.norfolk, "Ann", "Able")
    posted(ann, fccu, start=date(2024, 1, 1), role=pursue)
    roles = yaml.safe_load((CATALOGUE_DIR / "role_profiles.yaml").read_text(encoding="utf-8"))
    entry = next(r for r in roles if r["code"] == "CYBER-PURSUE")
    dark = next(q for q in entry["requirements"] if q["capability"] == "DARK-WEB")
    assert dark["mandatory"] is False
    dark["mandatory"], dark["grace_months"] = True, 6
    content = yaml.safe_dump(roles, sort_keys=False).encode()
    client.force_login(cast.admin)
    before = _rows()

    response = _post(client, content, kind="role_profiles.yaml", unit=fccu.code)

    assert response.status_code == 200, response.context["form"].errors
    assert _rows() == before
    impact = response.context["impact"]
    assert impact.version_count == 1
    (change,) = [c for c in impact.units[0].changes if c.capability.code == "DARK-WEB"]
    # Recommended and not held before; mandatory and due after, 6 months from 1 April 2099.
    assert (change.person.id, change.mandatory, change.after) == (ann.pk, True, "due")
    assert change.deadline == date(2099, 10, 1)
    assert "Ann Able" in response.content.decode()
