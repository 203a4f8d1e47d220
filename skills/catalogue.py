"""Loads the shipped catalogue (``skills/catalogue/*.yaml``, see its README) into the database:
inspections, expectations, capabilities, role profiles, activities and resilience targets.

Entries are keyed by their codes, so loading twice changes nothing and an edited entry is
updated in place — except requirements and targets, which are versions of a series
(skills/versions.py): a changed one becomes a new version from ``effective``, and a change to a
version that has counted is refused without it (docs/planning.md). Nothing is ever deleted:
rows and links the database holds beyond the files are reported as "no longer in the file" for
an administrator to review.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.core.validators import validate_slug
from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from courses.models import Activity, ActivityCapability, ActivityKind, ValidityConfidence
from people.models import PersonType, UnitKind
from skills.models import (
    Capability,
    Expectation,
    Function,
    Inspection,
    Level,
    Requirement,
    ResilienceTarget,
    RoleProfile,
)
from skills.versions import BEGINNING
from skills.versions import today as versions_today

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"

INSPECTIONS = "inspections.yaml"
CAPABILITIES = "capabilities.yaml"
ROLE_PROFILES = "role_profiles.yaml"
ACTIVITIES = "activities.yaml"
TARGETS = "targets.yaml"
FILES = (INSPECTIONS, CAPABILITIES, ROLE_PROFILES, ACTIVITIES, TARGETS)

# The kinds of row the loader counts, in the order the summary lists them.
KINDS = (
    "inspections",
    "expectations",
    "capabilities",
    "role profiles",
    "requirements",
    "activities",
    "capabilities evidenced",
    "targets",
)

# What a catalogue entry says about a requirement or target version, beyond its series.
VERSION_FIELDS = {
    "Requirement": ("order", "mandatory", "grace_months"),
    "ResilienceTarget": ("minimum", "illustrative"),
}

PERSON_TYPES = {
    "police officer": PersonType.OFFICER,
    "police staff": PersonType.STAFF,
    "special constable": PersonType.SPECIAL,
    "volunteer": PersonType.VOLUNTEER,
}


class CatalogueError(Exception):
    """The catalogue files have problems; ``problems`` lists every one, with file and entry."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__(str(self))

    def __str__(self):
        count = len(self.problems)
        head = f"The catalogue has {count} problem{'s' if count != 1 else ''}; nothing was loaded."
        return "\n".join([head, *(f"- {p}" for p in self.problems)])


@dataclass
class KindResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    no_longer_in_file: list[str] = field(default_factory=list)
    retired: int = 0  # requirement or target versions made to retire an entry (--effective)

    def line(self, kind: str) -> str:
        text = f"{kind}: {self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.retired:
            text += f", {self.retired} retired"
        if self.no_longer_in_file:
            text += f", {len(self.no_longer_in_file)} no longer in the file (kept)"
        return text


@dataclass
class LoadResult:
    """What one load did, per kind of row (see ``KINDS``)."""

    directory: Path
    kinds: dict[str, KindResult] = field(
        default_factory=lambda: {kind: KindResult() for kind in KINDS}
    )
    effective: date | None = None
    draft: bool = False
    # ("requirements" or "targets", id) of every version made or changed by this load.
    versions: list[tuple[str, int]] = field(default_factory=list)

    def __getitem__(self, kind: str) -> KindResult:
        return self.kinds[kind]

    @property
    def created(self) -> int:
        return sum(k.created for k in self.kinds.values())

    @property
    def updated(self) -> int:
        return sum(k.updated for k in self.kinds.values())

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)

    @property
    def retired(self) -> int:
        return sum(k.retired for k in self.kinds.values())

    def version_ids(self, kind: str) -> frozenset[int]:
        """Ids of the requirement (``"requirements"``) or target versions this load made."""
        return frozenset(pk for k, pk in self.versions if k == kind)

    def no_longer_in_file(self) -> list[str]:
        return [item for k in self.kinds.values() for item in k.no_longer_in_file]

    def summary(self) -> list[str]:
        """One line per kind, then each row or link no longer in the file."""
        lines = [self.kinds[kind].line(kind) for kind in KINDS]
        for kind in KINDS:
            lines += [
                f"  no longer in the file: {item}" for item in self.kinds[kind].no_longer_in_file
            ]
        return lines


def load_catalogue(
    directory: Path | None = None,
    *,
    effective: date | None = None,
    draft: bool = False,
    today: date | None = None,
) -> LoadResult:
    """Validate every file in ``directory`` (default: the shipped catalogue), then create or
    update its entries in one transaction. Raises ``CatalogueError`` with every problem, and
    then nothing is written.

    Requirements and targets are versioned (docs/planning.md): with ``effective``, an entry
    that differs from the version in force on that date becomes a new version from it, and an
    entry gone from the file a retired version; ``draft`` makes those versions drafts. Without
    it, an entry that would change a version that has counted is refused."""
    directory = Path(directory) if directory is not None else CATALOGUE_DIR
    if draft and effective is None:
        raise CatalogueError(["a draft needs the date it would take effect (--effective)"])
    with transaction.atomic():
        catalogue = _Reader(directory).read()
        result = LoadResult(directory=directory, effective=effective, draft=draft)
        try:
            with transaction.atomic():
                _Writer(catalogue, result, effective=effective, draft=draft, today=today).write()
        except IntegrityError as exc:
            raise CatalogueError([f"the database refused the catalogue: {exc}"]) from exc
    return result


# --- reading and validating -----------------------------------------------------------------


@dataclass
class _Catalogue:
    """The validated file set, as plain values keyed like the database rows."""

    present: set[str] = field(default_factory=set)
    inspections: dict[str, dict] = field(default_factory=dict)
    expectations: dict[tuple[str, str], dict] = field(default_factory=dict)
    capabilities: dict[str, dict] = field(default_factory=dict)
    capability_expectations: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    roles: dict[str, dict] = field(default_factory=dict)
    requirements: dict[tuple[str, int], dict] = field(default_factory=dict)
    requirement_expectations: dict[tuple[str, int], list[tuple[str, str]]] = field(
        default_factory=dict
    )
    activities: dict[str, dict] = field(default_factory=dict)
    evidences: dict[tuple[str, str], int] = field(default_factory=dict)
    labs: dict[str, list[str]] = field(default_factory=dict)
    targets: dict[tuple[str, str, int], dict] = field(default_factory=dict)
    target_expectations: dict[tuple[str, str, int], list[tuple[str, str]]] = field(
        default_factory=dict
    )


_MISSING = object()


class _Reader:
    """Parses the files and collects every problem before anything is written."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.problems: list[str] = []
        self.cat = _Catalogue()
        # (where, code) of every capability and expectation cited, checked once all is read.
        self._cited_capabilities: list[tuple[str, str]] = []
        self._cited: list[tuple[str, tuple[str, str]]] = []
        self._where: dict[str, str] = {}

    def read(self) -> _Catalogue:
        if not self.directory.is_dir():
            raise CatalogueError([f"{self.directory}: no such directory"])
        raw = {name: self._load_file(name) for name in FILES}
        if not any(entries is not None for entries in raw.values()) and not self.problems:
            raise CatalogueError([f"{self.directory}: none of {', '.join(FILES)} found"])
        # Parse in dependency order, then check references against the file set and the
        # database together (an extension directory may cite what is already loaded).
        self._inspections(raw[INSPECTIONS] or [])
        self._capabilities(raw[CAPABILITIES] or [])
        self._roles(raw[ROLE_PROFILES] or [])
        self._activities(raw[ACTIVITIES] or [])
        self._targets(raw[TARGETS] or [])
        self._check_references()
        if self.problems:
            raise CatalogueError(self.problems)
        return self.cat

    # files

    def _load_file(self, name: str):
        path = self.directory / name
        if not path.exists():
            return None
        self.cat.present.add(name)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            self.problems.append(f"{name}: not valid YAML: {exc}")
            return None
        if data is None:
            return []
        if not isinstance(data, list):
            self.problems.append(f"{name}: expected a list of entries")
            return None
        return data

    def _entries(self, name: str, data: list, key: str = "code"):
        """Yield (label, entry) for each mapping in ``data``, reporting non-mappings."""
        for position, entry in enumerate(data, start=1):
            if not isinstance(entry, dict):
                self.problems.append(f"{name}: entry {position}: expected a mapping")
                continue
            code = entry.get(key)
            label = f"{name}: entry {position}" + (f" ({code})" if code else "")
            yield label, entry

    # field helpers

    def _keys(self, where: str, entry: dict, allowed: set[str]):
        for key in sorted(set(entry) - allowed, key=str):
            self.problems.append(f"{where}: unknown field {key!r}")

    def _text(self, where, entry, key, *, required=True, max_length=None, default=""):
        value = entry.get(key, _MISSING)
        if value is _MISSING or value is None or value == "":
            if required:
                self.problems.append(f"{where}: {key} is required")
            return default
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problems.append(f"{where}: {key} must be text")
            return default
        value = str(value).strip()
        if max_length and len(value) > max_length:
            self.problems.append(f"{where}: {key} is longer than {max_length} characters")
        return value

    def _code(self, where, entry, key="code", max_length=40):
        code = self._text(where, entry, key, max_length=max_length)
        if code:
            try:
                validate_slug(code)
            except Exception:
                self.problems.append(
                    f"{where}: {key} {code!r} may hold only letters, digits, hyphens and "
                    "underscores"
                )
        return code

    def _int(self, where, entry, key, *, required=False, minimum=0, maximum=32767):
        value = entry.get(key)
        if value is None:
            if required:
                self.problems.append(f"{where}: {key} is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.append(f"{where}: {key} must be a whole number, not {value!r}")
            return None
        if not minimum <= value <= maximum:
            self.problems.append(f"{where}: {key} must be between {minimum} and {maximum}")
            return None
        return value

    def _level(self, where, value, what="level"):
        if isinstance(value, bool) or value not in Level.values:
            self.problems.append(f"{where}: bad {what} {value!r} (1, 2 or 3)")
            return None
        return int(value)

    def _bool(self, where, entry, key, default):
        value = entry.get(key, default)
        if not isinstance(value, bool):
            self.problems.append(f"{where}: {key} must be true or false")
            return default
        return value

    def _date(self, where, entry, key):
        value = entry.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.problems.append(f"{where}: {key} {value!r} is not a date (YYYY-MM-DD)")
            return None

    def _choice(self, where, entry, key, choices, *, required=True):
        value = entry.get(key)
        if value is None or value == "":
            if required:
                self.problems.append(f"{where}: {key} is required")
            return ""
        if value not in choices:
            self.problems.append(
                f"{where}: unknown {key} {value!r} (one of {', '.join(map(str, choices))})"
            )
            return ""
        return value

    def _expectation_keys(self, where, entry) -> list[tuple[str, str]]:
        cited = entry.get("expectations") or []
        if not isinstance(cited, list):
            self.problems.append(f"{where}: expectations must be a list")
            return []
        keys = []
        for item in cited:
            text = str(item).strip() if isinstance(item, str) else ""
            code, _, reference = text.partition(" ")
            if not code or not reference.strip():
                self.problems.append(
                    f"{where}: expectation {item!r} should read 'INSPECTION-CODE reference'"
                )
                continue
            key = (code, reference.strip())
            if key not in keys:
                keys.append(key)
            self._cited.append((where, key))
        return keys

    # kinds

    def _inspections(self, data):
        for where, entry in self._entries(INSPECTIONS, data):
            self._keys(
                where,
                entry,
                {"code", "title", "publisher", "published", "kind", "illustrative", "expectations"},
            )
            code = self._code(where, entry)
            fields = {
                "title": self._text(where, entry, "title", max_length=240),
                "publisher": self._text(where, entry, "publisher", max_length=120),
                "published": self._date(where, entry, "published"),
                "kind": self._text(where, entry, "kind", required=False, max_length=80),
                "illustrative": self._bool(where, entry, "illustrative", False),
            }
            if not code:
                continue
            if code in self.cat.inspections:
                self.problems.append(f"{where}: duplicate inspection code {code!r}")
                continue
            self.cat.inspections[code] = fields
            expectations = entry.get("expectations") or []
            if not isinstance(expectations, list):
                self.problems.append(f"{where}: expectations must be a list")
                continue
            for position, item in enumerate(expectations, start=1):
                at = f"{where}, expectation {position}"
                if not isinstance(item, dict):
                    self.problems.append(f"{at}: expected a mapping")
                    continue
                reference = self._text(at, item, "reference", max_length=40)
                if reference:
                    at = f"{where}, expectation {reference!r}"
                self._keys(at, item, {"reference", "audience", "theme", "text", "due"})
                values = {
                    "audience": self._text(at, item, "audience", required=False, max_length=120),
                    "theme": self._text(at, item, "theme", required=False, max_length=80),
                    "text": self._text(at, item, "text"),
                    "due": self._date(at, item, "due"),
                }
                if not reference:
                    continue
                if (code, reference) in self.cat.expectations:
                    self.problems.append(f"{at}: duplicate reference {reference!r}")
                    continue
                self.cat.expectations[(code, reference)] = values

    def _capabilities(self, data):
        for where, entry in self._entries(CAPABILITIES, data):
            self._keys(where, entry, {"code", "name", "function", "expectations", "levels"})
            code = self._code(where, entry)
            fields = {
                "name": self._text(where, entry, "name", max_length=160),
                "function": self._choice(where, entry, "function", Function.values),
                "level_1": "",
                "level_2": "",
                "level_3": "",
            }
            levels = entry.get("levels") or {}
            if not isinstance(levels, dict):
                self.problems.append(f"{where}: levels must map 1, 2, 3 to descriptions")
                levels = {}
            for level, text in levels.items():
                if self._level(where, level, "level in levels") is not None:
                    fields[f"level_{level}"] = str(text or "").strip()
            expectations = self._expectation_keys(where, entry)
            if not code:
                continue
            if code in self.cat.capabilities:
                self.problems.append(f"{where}: duplicate capability code {code!r}")
                continue
            self.cat.capabilities[code] = fields
            self.cat.capability_expectations[code] = expectations

    def _roles(self, data):
        for where, entry in self._entries(ROLE_PROFILES, data):
            self._keys(
                where, entry, {"code", "name", "person_types", "description", "requirements"}
            )
            code = self._code(where, entry)
            fields = {"name": self._text(where, entry, "name", max_length=160)}
            if "description" in entry:
                # Managed only when the file gives one, so that text written in the admin stays.
                fields["description"] = self._text(where, entry, "description", required=False)
            person_types = []
            given = entry.get("person_types") or []
            if not isinstance(given, list):
                self.problems.append(f"{where}: person_types must be a list")
                given = []
            for name in given:
                if name not in PERSON_TYPES:
                    self.problems.append(
                        f"{where}: unknown person type {name!r} (one of {', '.join(PERSON_TYPES)})"
                    )
                elif PERSON_TYPES[name].value not in person_types:
                    person_types.append(PERSON_TYPES[name].value)
            fields["person_types"] = person_types
            requirements = entry.get("requirements") or []
            if not isinstance(requirements, list):
                self.problems.append(f"{where}: requirements must be a list")
                requirements = []
            if not code:
                continue
            if code in self.cat.roles:
                self.problems.append(f"{where}: duplicate role profile code {code!r}")
                continue
            self.cat.roles[code] = fields
            seen = {}
            for order, item in enumerate(requirements, start=1):
                at = f"{where}, requirement {order}"
                if not isinstance(item, dict):
                    self.problems.append(f"{at}: expected a mapping")
                    continue
                self._keys(
                    at, item, {"capability", "level", "mandatory", "grace_months", "expectations"}
                )
                capability = self._text(at, item, "capability")
                level = self._level(at, item.get("level"))
                values = {
                    "capability": capability,
                    "level": level,
                    "mandatory": self._bool(at, item, "mandatory", True),
                    "grace_months": self._int(at, item, "grace_months", maximum=600) or 0,
                }
                expectations = self._expectation_keys(at, item)
                if capability:
                    self._cited_capabilities.append((at, capability))
                if capability and level:
                    if (capability, level) in seen:
                        self.problems.append(
                            f"{at}: {capability} level {level} is already requirement "
                            f"{seen[(capability, level)]}"
                        )
                        continue
                    seen[(capability, level)] = order
                self.cat.requirements[(code, order)] = values
                self.cat.requirement_expectations[(code, order)] = expectations

    def _activities(self, data):
        titles = {}
        for where, entry in self._entries(ACTIVITIES, data):
            self._keys(
                where,
                entry,
                {
                    "code",
                    "kind",
                    "provider",
                    "title",
                    "hours",
                    "validity_months",
                    "validity_confidence",
                    "evidences",
                    "labs",
                    "threshold",
                    "retired",
                },
            )
            code = self._code(where, entry)
            kind = self._choice(where, entry, "kind", ActivityKind.values)
            fields = {
                "kind": kind,
                "provider": self._text(where, entry, "provider", max_length=120),
                "title": self._text(where, entry, "title", max_length=240),
                "hours": self._hours(where, entry),
                "validity_months": self._int(where, entry, "validity_months", minimum=1),
                "validity_confidence": self._choice(
                    where, entry, "validity_confidence", ValidityConfidence.values, required=False
                ),
                "threshold": self._int(where, entry, "threshold", minimum=1),
            }
            if "retired" in entry:
                # Managed only when the file says so: retiring in the admin survives a reload.
                fields["retired"] = self._bool(where, entry, "retired", False)
            labs = entry.get("labs") or []
            if not isinstance(labs, list) or not all(isinstance(lab, str) for lab in labs):
                self.problems.append(f"{where}: labs must be a list of lab codes")
                labs = []
            if kind == ActivityKind.COLLECTION:
                if fields["threshold"] is None:
                    self.problems.append(f"{where}: a collection needs a threshold")
                elif labs and fields["threshold"] > len(labs):
                    self.problems.append(
                        f"{where}: threshold {fields['threshold']} is more than its "
                        f"{len(labs)} labs"
                    )
                if not labs:
                    self.problems.append(f"{where}: a collection needs labs")
                if len(set(labs)) != len(labs):
                    self.problems.append(f"{where}: a lab is listed twice")
            elif kind:
                if entry.get("threshold") is not None:
                    self.problems.append(f"{where}: only a collection has a threshold")
                if labs:
                    self.problems.append(f"{where}: only a collection has labs")
            evidences = entry.get("evidences") or {}
            if not isinstance(evidences, dict):
                self.problems.append(f"{where}: evidences must map capability codes to levels")
                evidences = {}
            if not code:
                continue
            if code in self.cat.activities:
                self.problems.append(f"{where}: duplicate activity code {code!r}")
                continue
            pair = (fields["provider"], fields["title"])
            if all(pair) and pair in titles:
                self.problems.append(
                    f"{where}: {fields['provider']} already has an activity titled "
                    f"{fields['title']!r} ({titles[pair]})"
                )
            titles[pair] = code
            self.cat.activities[code] = fields
            self.cat.labs[code] = list(dict.fromkeys(labs))
            self._where[code] = where
            for capability, level in evidences.items():
                level = self._level(f"{where}, evidences {capability}", level)
                self._cited_capabilities.append((where, str(capability)))
                if level:
                    self.cat.evidences[(code, str(capability))] = level

    def _hours(self, where, entry):
        value = entry.get("hours")
        if value is None:
            return None
        if isinstance(value, bool):
            value = "bad"
        try:
            hours = Decimal(str(value)).quantize(Decimal("0.1"))
        except InvalidOperation:
            self.problems.append(f"{where}: hours must be a number, not {value!r}")
            return None
        if hours < 0 or hours >= 100000:
            self.problems.append(f"{where}: hours must be between 0 and 99999.9")
            return None
        return hours

    def _targets(self, data):
        for where, group in self._entries(TARGETS, data, key="unit_kind"):
            self._keys(where, group, {"unit_kind", "illustrative", "targets"})
            unit_kind = self._choice(where, group, "unit_kind", UnitKind.values)
            illustrative = self._bool(where, group, "illustrative", False)
            targets = group.get("targets") or []
            if not isinstance(targets, list):
                self.problems.append(f"{where}: targets must be a list")
                continue
            for position, item in enumerate(targets, start=1):
                at = f"{where}, target {position}"
                if not isinstance(item, dict):
                    self.problems.append(f"{at}: expected a mapping")
                    continue
                self._keys(
                    at, item, {"capability", "level", "minimum", "expectations", "illustrative"}
                )
                capability = self._text(at, item, "capability")
                level = self._level(at, item.get("level"))
                values = {
                    "minimum": self._int(at, item, "minimum", required=True, minimum=1),
                    "illustrative": self._bool(at, item, "illustrative", illustrative),
                }
                expectations = self._expectation_keys(at, item)
                if capability:
                    self._cited_capabilities.append((at, capability))
                if not (unit_kind and capability and level):
                    continue
                key = (unit_kind, capability, level)
                if key in self.cat.targets:
                    self.problems.append(
                        f"{at}: duplicate target for {unit_kind}, {capability} level {level}"
                    )
                    continue
                self.cat.targets[key] = values
                self.cat.target_expectations[key] = expectations

    # references

    def _check_references(self):
        cat = self.cat
        capabilities = set(cat.capabilities) | set(
            Capability.objects.values_list("code", flat=True)
        )
        expectations = set(cat.expectations) | set(
            Expectation.objects.values_list("inspection__code", "reference")
        )
        inspections = set(cat.inspections) | set(Inspection.objects.values_list("code", flat=True))
        for where, code in self._cited_capabilities:
            if code not in capabilities:
                self.problems.append(f"{where}: unknown capability code {code!r}")
        for where, (code, reference) in self._cited:
            if (code, reference) in expectations:
                continue
            if code not in inspections:
                self.problems.append(f"{where}: unknown inspection code {code!r}")
            else:
                self.problems.append(
                    f"{where}: unknown expectation {code} {reference!r} (no such reference)"
                )
        self._check_labs()
        self._check_activity_titles()

    def _check_labs(self):
        cat = self.cat
        kinds = dict(Activity.objects.values_list("code", "kind"))
        kinds.update({code: fields["kind"] for code, fields in cat.activities.items()})
        for code, labs in cat.labs.items():
            for lab in labs:
                if lab not in kinds:
                    self.problems.append(f"{self._where[code]}: unknown lab code {lab!r}")
                elif kinds[lab] != ActivityKind.LAB:
                    self.problems.append(f"{self._where[code]}: {lab} is a {kinds[lab]}, not a lab")

    def _check_activity_titles(self):
        wanted = {(f["provider"], f["title"]): code for code, f in self.cat.activities.items()}
        for code, provider, title in Activity.objects.values_list("code", "provider", "title"):
            other = wanted.get((provider, title))
            if other and other != code and code not in self.cat.activities:
                self.problems.append(
                    f"{ACTIVITIES}: {other}: {provider} already has an activity titled "
                    f"{title!r} in the database ({code})"
                )


# --- writing --------------------------------------------------------------------------------


class _Writer:
    """Creates and updates rows from a validated catalogue, a handful of queries per kind."""

    def __init__(
        self,
        catalogue: _Catalogue,
        result: LoadResult,
        *,
        effective: date | None = None,
        draft: bool = False,
        today: date | None = None,
    ):
        self.cat = catalogue
        self.result = result
        self.effective = effective
        self.draft = draft
        self.today = today or versions_today()
        self.problems: list[str] = []

    def write(self):
        present = self.cat.present
        if INSPECTIONS in present:
            self._inspections()
        self.inspections = {i.code: i for i in Inspection.objects.all()}
        self.expectations = {
            (e.inspection.code, e.reference): e
            for e in Expectation.objects.select_related("inspection")
        }
        if CAPABILITIES in present:
            self._capabilities()
        self.capabilities = {c.code: c for c in Capability.objects.all()}
        if ROLE_PROFILES in present:
            self._roles()
        if ACTIVITIES in present:
            self._activities()
        if TARGETS in present:
            self._targets()
        if self.problems:
            # Raised inside the load's transaction: whatever was written is rolled back.
            raise CatalogueError(self.problems)

    # generic upsert

    def _sync(self, kind, model, existing: dict, wanted: dict, make, label=str):
        """Create rows for keys not in ``existing``, update those whose fields differ, and
        report existing keys not wanted. Returns {key: row} for the wanted keys, and the set
        of keys created or updated."""
        counts = self.result[kind]
        new, changed, rows, touched, names = [], [], {}, set(), set()
        for key, values in wanted.items():
            row = existing.get(key)
            if row is None:
                row = make(key, values)
                new.append(row)
                touched.add(key)
                counts.created += 1
            else:
                diff = {n: v for n, v in values.items() if getattr(row, n) != v}
                if diff:
                    for n, v in diff.items():
                        setattr(row, n, v)
                    names |= set(diff)
                    changed.append(row)
                    touched.add(key)
            rows[key] = row
        # Updates first, so that a new row may take a title or pair an update gives up.
        if changed:
            model.objects.bulk_update(changed, sorted(names))
        if new:
            model.objects.bulk_create(new)
        counts.updated += len(changed)
        counts.no_longer_in_file += [label(existing[k]) for k in existing if k not in wanted]
        return rows, touched

    def _link(
        self,
        kind,
        owners: dict,
        cited: dict,
        related,
        through,
        owner_field,
        target_field,
        touched: set,
        describe,
    ):
        """Add the many-to-many links the file gives; report links the file no longer gives."""
        owner_ids = {row.pk: key for key, row in owners.items()}
        have = defaultdict(set)
        for owner_id, target_id in through.objects.filter(
            **{f"{owner_field}__in": list(owner_ids)}
        ).values_list(owner_field, target_field):
            have[owner_id].add(target_id)
        add = []
        counts = self.result[kind]
        for key, row in owners.items():
            targets = [related[t].pk for t in cited.get(key, [])]
            missing = [t for t in targets if t not in have[row.pk]]
            add += [through(**{owner_field: row.pk, target_field: t}) for t in missing]
            if missing and key not in touched:
                touched.add(key)
                counts.updated += 1
            for extra in have[row.pk] - set(targets):
                counts.no_longer_in_file.append(describe(row, extra))
        if add:
            through.objects.bulk_create(add)

    def _finish(self, kind, wanted, touched):
        counts = self.result[kind]
        counts.unchanged += len(wanted) - len(touched)

    # kinds

    def _inspections(self):
        existing = {i.code: i for i in Inspection.objects.all()}
        rows, touched = self._sync(
            "inspections",
            Inspection,
            existing,
            self.cat.inspections,
            lambda code, v: Inspection(code=code, **v),
            label=lambda i: f"inspection {i.code}",
        )
        self._finish("inspections", self.cat.inspections, touched)
        existing = {
            (e.inspection.code, e.reference): e
            for e in Expectation.objects.select_related("inspection")
            if e.inspection.code in self.cat.inspections
        }
        _, touched = self._sync(
            "expectations",
            Expectation,
            existing,
            self.cat.expectations,
            lambda key, v: Expectation(inspection=rows[key[0]], reference=key[1], **v),
            label=lambda e: f"expectation {e.key}",
        )
        self._finish("expectations", self.cat.expectations, touched)

    def _expectation_label(self, expectation_id):
        if not hasattr(self, "_expectation_keys"):
            self._expectation_keys = {
                pk: f"{code} {ref}"
                for pk, code, ref in Expectation.objects.values_list(
                    "pk", "inspection__code", "reference"
                )
            }
        return self._expectation_keys.get(expectation_id, str(expectation_id))

    def _capabilities(self):
        existing = {c.code: c for c in Capability.objects.all()}
        rows, touched = self._sync(
            "capabilities",
            Capability,
            existing,
            self.cat.capabilities,
            lambda code, v: Capability(code=code, **v),
            label=lambda c: f"capability {c.code}",
        )
        self._link(
            "capabilities",
            rows,
            self.cat.capability_expectations,
            self.expectations,
            Capability.expectations.through,
            "capability_id",
            "expectation_id",
            touched,
            lambda c, e: f"capability {c.code} cites {self._expectation_label(e)}",
        )
        self._finish("capabilities", self.cat.capabilities, touched)

    def _roles(self):
        existing = {r.code: r for r in RoleProfile.objects.all()}
        roles, touched = self._sync(
            "role profiles",
            RoleProfile,
            existing,
            self.cat.roles,
            lambda code, v: RoleProfile(code=code, **v),
            label=lambda r: f"role profile {r.code}",
        )
        self._finish("role profiles", self.cat.roles, touched)

        self._requirement_versions(roles)

    # versions of requirements and targets (docs/planning.md, "Loading the catalogue")

    def _requirement_versions(self, roles):
        codes = {c.pk: c.code for c in self.capabilities.values()}
        role_codes = {r.pk: code for code, r in roles.items()}
        wanted = {
            (role, self.capabilities[v["capability"]].pk, v["level"]): {
                "order": order,
                "mandatory": v["mandatory"],
                "grace_months": v["grace_months"],
            }
            for (role, order), v in self.cat.requirements.items()
        }
        cited = {
            (role, self.capabilities[v["capability"]].pk, v["level"]): keys
            for (role, order), v in self.cat.requirements.items()
            for keys in [self.cat.requirement_expectations[(role, order)]]
        }
        versions = Requirement.objects.filter(role_profile__code__in=list(self.cat.roles))
        spare: dict[str, int] = {}

        def label(key, order):
            return f"{key[0]} requirement {order} ({codes.get(key[1], key[1])} level {key[2]})"

        def grace_from(values, previous, valid_from):
            # A new obligation (a new series, or recommended made mandatory) gives people
            # already in post their grace period from its date; a lesser change keeps theirs.
            newly = values["mandatory"] and previous is not None and not previous.mandatory
            if previous is None or previous.retired or newly:
                return {"grace_from": valid_from}
            return {"grace_from": min(previous.grace_from, valid_from)}

        def retired_order(key, previous):
            # A retired version asks for nothing; it takes a free pathway position so that the
            # step it leaves may be taken by another requirement from the same date.
            if key[0] not in spare:
                used = [v.order for v in rows_of_role.get(key[0], ())] + [
                    v["order"] for k, v in wanted.items() if k[0] == key[0]
                ]
                spare[key[0]] = max(used, default=0)
            spare[key[0]] += 1
            return {"order": spare[key[0]], "grace_from": previous.grace_from}

        rows_of_role: dict[str, list] = defaultdict(list)
        for row in versions:
            rows_of_role[role_codes.get(row.role_profile_id) or ""].append(row)
        self._versions(
            "requirements",
            Requirement,
            ROLE_PROFILES,
            versions,
            lambda r: (role_codes[r.role_profile_id], r.capability_id, r.level),
            wanted,
            cited,
            lambda key, values: Requirement(
                role_profile=roles[key[0]], capability_id=key[1], level=key[2], **values
            ),
            label,
            extra=grace_from,
            retire_extra=retired_order,
            position=lambda key, row: (key[0], row.order, row.valid_from),
        )

    def _versions(
        self,
        kind,
        model,
        filename,
        queryset,
        series_key,
        wanted,
        cited,
        make,
        label,
        *,
        retire_scope=lambda key: True,
        extra=lambda values, previous, valid_from: {},
        retire_extra=lambda key, previous: {},
        position=None,
    ):
        """Bring each series the file names to what the file says (DESIGN.md, Planning ahead:
        a version that has counted is never edited).

        Without ``--effective``: a new entry is made from the beginning; an entry that differs
        from its latest adopted version updates it if it has not counted yet (scheduled or a
        draft) and is refused otherwise. With ``--effective D``: an entry that differs from the
        version in force on D becomes a new version from D (or updates the one already made for
        D, if it has not counted); an entry gone from the file becomes a retired version from D.
        """
        counts = self.result[kind]
        effective, draft, today = self.effective, self.draft, self.today
        fields = VERSION_FIELDS[model.__name__]
        rows = list(queryset.order_by("valid_from", "pk"))
        through = model.expectations.through
        owner = f"{model._meta.model_name}_id"
        links: dict[int, set[int]] = defaultdict(set)
        if rows:
            pairs = through.objects.filter(**{f"{owner}__in": [r.pk for r in rows]})
            for owner_id, expectation_id in pairs.values_list(owner, "expectation_id"):
                links[owner_id].add(expectation_id)
        by_series: dict[tuple, list] = defaultdict(list)
        for row in rows:
            by_series[series_key(row)].append(row)

        new: list[tuple] = []  # (row, expectation ids)
        updated: list[tuple] = []  # (row, expectation ids or None to leave them)

        def differences(row, values, expectations) -> list[str]:
            out = [
                f"{f} {getattr(row, f)!r} → {v!r}"
                for f, v in values.items()
                if getattr(row, f) != v
            ]
            if row.retired:
                out.append("retired → asked for again")
            missing = sorted(expectations - links[row.pk])
            if missing:
                cites = ", ".join(self._expectation_label(e) for e in missing)
                out.append(f"now cites {cites}")
            return out

        def refuse(key, order, row, why):
            self.problems.append(
                f"{filename}: {label(key, order)}: {why}; the version in force since "
                f"{row.valid_from_label} has counted and is never changed. Give --effective "
                "YYYY-MM-DD to make a new version from that date."
            )

        def too_early(key, order):
            self.problems.append(
                f"{filename}: {label(key, order)}: a new version of a requirement or target "
                f"already in use takes effect after today ({today.isoformat()}), so that past "
                f"reports keep their figures; --effective {effective.isoformat()} is too early "
                "(or give --draft)."
            )

        def update(row, values, expectations, **more):
            for f, v in {**values, **more}.items():
                setattr(row, f, v)
            updated.append((row, expectations))

        for key, values in wanted.items():
            order = values.get("order", "")
            expectations = {self.expectations[k].pk for k in cited.get(key, [])}
            versions = by_series.get(key, [])
            adopted = [v for v in versions if not v.draft]
            if effective is None:
                base = adopted[-1] if adopted else (versions[-1] if versions else None)
                if base is None:
                    row = make(key, {**values, **extra(values, None, BEGINNING)})
                    new.append((row, expectations))
                    counts.created += 1
                    continue
                diff = differences(base, values, expectations)
                if not diff:
                    counts.unchanged += 1
                elif base.has_counted(today):
                    refuse(key, order, base, "; ".join(diff))
                else:
                    update(base, values, expectations | links[base.pk], retired=False)
                    counts.updated += 1
                continue
            at_date = next((v for v in versions if v.valid_from == effective), None)
            previous = next(
                (v for v in reversed(adopted) if v.valid_from < effective and v is not at_date),
                None,
            )
            in_use = any(v is not at_date for v in adopted)
            if at_date is not None:
                diff = differences(at_date, values, expectations)
                if not diff and at_date.draft == draft:
                    counts.unchanged += 1
                elif at_date.has_counted(today):
                    refuse(key, order, at_date, "; ".join(diff) or "its draft flag differs")
                elif not draft and effective <= today and in_use:
                    too_early(key, order)
                else:
                    more = extra(values, previous, effective)
                    update(at_date, values, expectations, retired=False, draft=draft, **more)
                    counts.updated += 1
                continue
            if previous is not None and not differences(previous, values, expectations):
                counts.unchanged += 1
                continue
            if not draft and effective <= today and in_use:
                too_early(key, order)
                continue
            row = make(key, {**values, **extra(values, previous, effective)})
            row.valid_from, row.draft = effective, draft
            new.append((row, expectations))
            counts.created += 1

        for key, versions in by_series.items():
            if key in wanted or not retire_scope(key):
                continue
            adopted = [v for v in versions if not v.draft]
            latest = adopted[-1] if adopted else None
            if effective is None:
                if latest is not None and not latest.retired:
                    counts.no_longer_in_file.append(label(key, getattr(latest, "order", "")))
                continue
            at_date = next((v for v in versions if v.valid_from == effective), None)
            if at_date is not None:
                if at_date.retired and at_date.draft == draft:
                    continue
                if at_date.has_counted(today):
                    refuse(key, getattr(at_date, "order", ""), at_date, "gone from the file")
                    continue
                more = retire_extra(key, at_date)
                update(at_date, {}, None, retired=True, draft=draft, **more)
                counts.retired += 1
                continue
            previous = next((v for v in reversed(adopted) if v.valid_from < effective), None)
            if previous is None or previous.retired:
                continue
            if not draft and effective <= today:
                too_early(key, getattr(previous, "order", ""))
                continue
            values = {f: getattr(previous, f) for f in fields}
            row = make(key, {**values, **retire_extra(key, previous)})
            row.valid_from, row.draft, row.retired = effective, draft, True
            new.append((row, set()))
            counts.retired += 1

        if position is not None:
            self._check_positions(filename, rows, new, updated, series_key, position, label)
        if self.problems:
            return
        for row, expectations in updated:
            row.save()
            if expectations is not None:
                row.expectations.set(sorted(expectations))
        made = [row for row, _ in new]
        if made:
            bulk_create_with_history(made, model)
            through.objects.bulk_create(
                [
                    through(**{owner: row.pk, "expectation_id": e})
                    for row, expectations in new
                    for e in sorted(expectations)
                ]
            )
        self.result.versions += [(kind, row.pk) for row, _ in new]
        self.result.versions += [(kind, row.pk) for row, _ in updated]

    def _check_positions(self, filename, rows, new, updated, series_key, position, label):
        """No two requirements of a role at one pathway position from the same date (the
        database would refuse it mid-way): say which entry and how to proceed."""
        final = {row.pk: row for row in rows}
        for row, _ in updated:
            final[row.pk] = row
        taken: dict[tuple, tuple] = {}
        for row in [*final.values(), *(row for row, _ in new)]:
            where, key = position(series_key(row), row), series_key(row)
            if where in taken and taken[where] != key:
                other = taken[where]
                self.problems.append(
                    f"{filename}: {label(key, row.order)}: step {row.order} is also "
                    f"{label(other, row.order)} from {row.valid_from_label}, which is no longer "
                    "in the file; give --effective YYYY-MM-DD to retire it from that date, or "
                    "change it in the admin first"
                )
            taken.setdefault(where, key)

    def _activities(self):
        existing = {a.code: a for a in Activity.objects.all()}
        activities, touched = self._sync(
            "activities",
            Activity,
            existing,
            self.cat.activities,
            lambda code, v: Activity(code=code, **v),
            label=lambda a: f"activity {a.code}",
        )
        everything = {a.code: a for a in Activity.objects.all()}
        self._link(
            "activities",
            {code: activities[code] for code, labs in self.cat.labs.items() if labs},
            self.cat.labs,
            everything,
            Activity.labs.through,
            "from_activity_id",
            "to_activity_id",
            touched,
            lambda a, lab: f"collection {a.code} groups {self._activity_code(everything, lab)}",
        )
        self._finish("activities", self.cat.activities, touched)

        wanted = {key: {"level": level} for key, level in self.cat.evidences.items()}
        existing = {
            (e.activity.code, e.capability.code): e
            for e in ActivityCapability.objects.select_related("activity", "capability").filter(
                activity__code__in=list(self.cat.activities)
            )
        }
        _, touched = self._sync(
            "capabilities evidenced",
            ActivityCapability,
            existing,
            wanted,
            lambda key, v: ActivityCapability(
                activity=activities[key[0]], capability=self.capabilities[key[1]], **v
            ),
            label=lambda e: f"{e.activity.code} evidences {e.capability.code} level {e.level}",
        )
        self._finish("capabilities evidenced", wanted, touched)

    @staticmethod
    def _activity_code(activities, pk):
        return next((code for code, a in activities.items() if a.pk == pk), str(pk))

    def _targets(self):
        wanted = {
            (kind, self.capabilities[cap].pk, level): v
            for (kind, cap, level), v in self.cat.targets.items()
        }
        cited = {
            (kind, self.capabilities[cap].pk, level): keys
            for (kind, cap, level), keys in self.cat.target_expectations.items()
        }
        versions = ResilienceTarget.objects.filter(unit__isnull=True).select_related("capability")
        kinds = {kind for kind, _, _ in wanted}

        codes = {c.pk: c.code for c in self.capabilities.values()}

        def label(key, order):
            return f"target {key[0]}: {codes.get(key[1], key[1])} level {key[2]}"

        self._versions(
            "targets",
            ResilienceTarget,
            TARGETS,
            versions,
            lambda t: (t.unit_kind, t.capability_id, t.level),
            wanted,
            cited,
            lambda key, values: ResilienceTarget(
                unit=None, unit_kind=key[0], capability_id=key[1], level=key[2], **values
            ),
            label,
            retire_scope=lambda key: key[0] in kinds,
        )
