"""Demo and national-scale seed data (``manage.py seed_demo``).

The demo is small, deterministic and dated relative to ``today`` so that its reports stay
interesting whenever it is loaded; the national scale is bulk-inserted for benchmarks.
"""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from simple_history.utils import bulk_create_with_history

from courses.models import Activity, ActivityCapability, ActivityKind, Completion, Source, Status
from people.models import (
    Deployment,
    Force,
    Fund,
    Grant,
    Person,
    PersonType,
    Posting,
    Region,
    Role,
    Unit,
    UnitKind,
    User,
)
from skills.dates import add_months
from skills.models import Capability, Requirement, RoleProfile

DEMO_PASSWORD = "register-demo-2025"
DEMO_MARKER_UNIT = "NSJ-CCU"
NATIONAL_MARKER_UNIT = "NCA-NCCU"
NATIONAL_PEOPLE = 200_000
# Any fixed number: the same seed and the same "today" give the same register.
SEED = 31_03_2025
CHANGE_REASON = "demo data (seed_demo)"


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Aisha Alex Amelia Ben Bethany Callum Charlotte Chloe Daniel David Eleanor Emily Ethan "
    "Fatima Finn George Grace Hannah Harry Imran Isla Jack James Jasmine Jessica Joe Jordan "
    "Katie Kieran Laura Leo Liam Lucy Mark Matthew Megan Mia Mohammed Natalie Nathan Neil "
    "Olivia Oscar Paul Rachel Rebecca Rhys Robert Ruth Ryan Sam Sarah Sophie Stephen Tom "
    "Tariq Usman Victoria Will Zara Zoe"
)
LAST_NAMES = _words(
    "Ahmed Allen Atkinson Bailey Baker Barker Bell Bennett Brown Butler Carter Chapman Clarke "
    "Cole Cook Cooper Davies Dixon Edwards Ellis Evans Fisher Fletcher Foster Gibson Gray "
    "Green Hall Harris Harrison Hill Holmes Hughes Hunt Jackson James Johnson Jones Kaur Kelly "
    "Khan King Knight Lee Lewis Marshall Mason Mills Mitchell Moore Morgan Morris Murphy "
    "Newman Owen Palmer Parker Patel Pearce Price Reid Richards Roberts Robinson Rose Russell "
    "Scott Shaw Simpson Singh Smith Stevens Taylor Thomas Thompson Turner Walker Ward Watson "
    "White Wilkinson Williams Wilson Wood Wright Young"
)

DEPLOYMENT_TASKS = {
    "special": [
        ("Examined a seized laptop's browser history for a fraud enquiry", "DIGITAL-EVIDENCE"),
        ("Reviewed firewall logs after a business email compromise", "NETWORK-INVESTIGATION"),
        ("Traced cryptocurrency payments from a ransomware victim", "CRYPTOCURRENCY"),
        ("Supported a search warrant: captured live devices", "DIGITAL-EVIDENCE"),
        ("Triaged a suspected malware sample for a local business", "MALWARE-TRIAGE"),
        ("Open source research for a missing person enquiry", "OSINT"),
    ],
    "volunteer": [
        ("Cyber Protect talk to a community group", "PROTECT-ADVICE"),
        ("Protect advice call-backs to Action Fraud victims", "VICTIM-CARE"),
        ("Small business cyber security workshop", "PROTECT-ADVICE"),
        ("Helped run a table-top exercise for a local charity", "EXERCISING"),
    ],
}


# --- the catalogue as plain lookups --------------------------------------------------------


class Done(NamedTuple):
    """A completion to create, before people have primary keys."""

    activity: str
    completed_on: date
    status: str = Status.VERIFIED
    source: str = Source.RECORDED
    certificate_number: str = ""
    evidence_link: str = ""
    status_reason: str = ""


class CatalogueIndex:
    """The loaded catalogue as dicts keyed by code (a handful of queries)."""

    def __init__(self, today: date | None = None):
        self.roles = {r.code: r for r in RoleProfile.objects.all()}
        self.capabilities = {c.code: c for c in Capability.objects.all()}
        self.requirements: dict[str, list[tuple[str, int, bool, int]]] = defaultdict(list)
        # The pathway in force on the demo's "today": not drafts, retired or superseded rows.
        in_force = Requirement.objects.in_force(on=today or date.today())
        for req in in_force.select_related("capability", "role_profile").order_by(
            "role_profile__code", "order"
        ):
            self.requirements[req.role_profile.code].append(
                (req.capability.code, req.level, req.mandatory, req.grace_months)
            )
        self.activities = {a.code: a for a in Activity.objects.all()}
        self.evidences: dict[str, dict[str, int]] = defaultdict(dict)
        for activity_code, capability_code, level in ActivityCapability.objects.values_list(
            "activity__code", "capability__code", "level"
        ):
            self.evidences[activity_code][capability_code] = level
        self.labs: dict[str, list[str]] = defaultdict(list)
        for collection, lab in Activity.labs.through.objects.values_list(
            "from_activity__code", "to_activity__code"
        ):
            self.labs[collection].append(lab)
        for labs in self.labs.values():
            labs.sort()
        self.lab_codes = sorted(
            code for code, a in self.activities.items() if a.kind == ActivityKind.LAB
        )
        missing = {"CYBER-PURSUE", "FRONTLINE", "CYBER-SPECIAL"} - set(self.roles)
        if missing:
            raise RuntimeError(f"The catalogue lacks role profiles {sorted(missing)}")


KIND_WEIGHT = {ActivityKind.COURSE: 3, ActivityKind.COLLECTION: 2, ActivityKind.ACCREDITATION: 1}
CERT_PREFIX = {"GIAC": "GIAC", "CompTIA": "COMP", "EC-Council": "ECC", "ISC2": "ISC2"}


class Trainer:
    """Draws a person's training history for a role: one activity per requirement, dated
    around the posting's start, renewed (mostly) when it would expire before ``today``."""

    def __init__(self, index: CatalogueIndex, rng: random.Random, today: date, *, renew=0.9):
        self.index = index
        self.rng = rng
        self.today = today
        self.renew = renew
        self._candidates: dict[tuple, tuple[list[str], list[int]]] = {}

    def candidates(self, cap: str, level: int, limits: tuple = ()) -> tuple[list, list]:
        """Activities evidencing ``cap`` at ``level`` (the lowest level that does), none of
        whose capabilities goes beyond ``limits`` (cap code -> highest level allowed)."""
        key = (cap, level, limits)
        if key not in self._candidates:
            caps_limit = dict(limits)
            found = []
            for code, evidences in self.index.evidences.items():
                act = self.index.activities[code]
                if act.retired or evidences.get(cap, 0) < level:
                    continue
                if any(lvl > caps_limit.get(c, 3) for c, lvl in evidences.items()):
                    continue
                found.append(code)
            if found:
                lowest = min(self.index.evidences[c][cap] for c in found)
                found = sorted(c for c in found if self.index.evidences[c][cap] == lowest)
            weights = [KIND_WEIGHT.get(self.index.activities[c].kind, 1) for c in found]
            self._candidates[key] = (found, weights)
        return self._candidates[key]

    def train(
        self,
        role: str,
        start: date,
        *,
        limits: tuple = (),
        completeness: float = 0.9,
        recommended: float = 0.35,
        short_labs: float = 0.12,
        recent: bool = False,
        skip: frozenset = frozenset(),
    ) -> list[Done]:
        rng, today = self.rng, self.today
        held = dict.fromkeys(skip, 3)
        done: list[Done] = []
        taken: set = set()
        for cap, level, mandatory, grace in self.index.requirements.get(role, ()):
            if held.get(cap, 0) >= level:
                continue
            if rng.random() > (completeness if mandatory else recommended):
                continue
            codes, weights = self.candidates(cap, level, limits)
            if not codes:
                continue
            code = rng.choices(codes, weights)[0]
            if recent:
                low, high = start - timedelta(days=30), today - timedelta(days=1)
            else:
                low = start - timedelta(days=400)
                high = min(today - timedelta(days=1), add_months(start, grace) + timedelta(30))
            day = low + timedelta(days=rng.randint(0, max(0, (high - low).days)))
            self.complete(
                done,
                taken,
                code,
                min(day, today - timedelta(days=1)),
                short=rng.random() < short_labs,
            )
            for c, lvl in self.index.evidences[code].items():
                held[c] = max(held.get(c, 0), lvl)
        return done

    def complete(self, done, taken, code: str, day: date, *, short=False, renew=True) -> None:
        """``code`` done on ``day``, renewed before each expiry that falls before today."""
        validity = self.index.activities[code].validity_months
        while True:
            self.emit(done, taken, code, day, short=short)
            if validity is None or not renew:
                return
            expiry = add_months(day, validity)
            if expiry > self.today or self.rng.random() > self.renew:
                return
            day = expiry - timedelta(days=self.rng.randint(1, 60))

    def emit(self, done, taken, code: str, day: date, *, short=False) -> None:
        act = self.index.activities[code]
        rng = self.rng
        if act.kind == ActivityKind.COLLECTION:
            labs = self.index.labs[code]
            count = (
                act.threshold - 1 if short else min(len(labs), act.threshold + (rng.random() < 0.3))
            )
            for lab in rng.sample(labs, count):
                lab_day = self._free(taken, lab, day - timedelta(days=rng.randint(0, 30)))
                done.append(Done(lab, lab_day, source=Source.PLATFORM))
            return
        day = self._free(taken, code, day)
        if act.kind == ActivityKind.ACCREDITATION:
            prefix = CERT_PREFIX.get(act.provider, code.split("-")[0])
            done.append(
                Done(
                    code,
                    day,
                    source=Source.SUBMITTED,
                    certificate_number=f"{prefix}-{rng.randint(100000, 999999)}",
                )
            )
        else:
            source = Source.IMPORTED if rng.random() < 0.3 else Source.RECORDED
            done.append(Done(code, day, source=source))

    @staticmethod
    def _free(taken: set, code: str, day: date) -> date:
        while (code, day) in taken:
            day -= timedelta(days=1)
        taken.add((code, day))
        return day


def _aware(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Login:
    email: str
    role: str
    sees: str


@dataclass
class SeedResult:
    created: dict[str, int] = field(default_factory=dict)
    logins: list[Login] = field(default_factory=list)
    skipped: str = ""
    seconds: float = 0.0


# The demo's logins, printed by `seed_demo` (also when the demo is already there, so
# `make run` always shows them).
DEMO_LOGINS = (
    Login(
        "admin@register.local",
        "administrator",
        "everything; Django admin for the catalogue and grants",
    ),
    Login("national.lead@register.local", "national lead", "every force and unit, read-only"),
    Login(
        "regional.lead@ersou.police.uk",
        "regional lead, Eastern",
        "Norfolk, Suffolk, Cambridgeshire and ERSOU, read-only",
    ),
    Login(
        "chief.officer@norfolk.police.uk",
        "chief officer, Norfolk",
        "Norfolk people and units (incl. the joint unit); plans training, schedules target changes",
    ),
    Login(
        "coordinator@norfolk.police.uk",
        "coordinator, NSJ-CCU",
        "the joint unit (both forces), its DFU and the funded team; records",
    ),
    Login(
        "coordinator@kent.police.uk",
        "coordinator, Kent",
        "Kent only (the outsider for Norfolk)",
    ),
    Login(
        "priya.shah@norfolk.police.uk",
        "officer (DC, Pursue, NSJ-CCU)",
        "own record: met, expiring, pending, missing, rejected",
    ),
    Login(
        "tom.reeve@norfolk.police.uk",
        "cyber special (NSJ-CCU)",
        "own record and skills biography",
    ),
)


def _load_catalogue() -> None:
    # Imported here: the loader lives in skills/ and the demo must run after it.
    from skills.catalogue import load_catalogue

    load_catalogue()


def _counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "forces": Force.objects.count(),
        "units": Unit.objects.count(),
        "funds": Fund.objects.count(),
        "people": Person.objects.count(),
        "postings": Posting.objects.count(),
        "completions": Completion.objects.count(),
        "deployments": Deployment.objects.count(),
        "users": User.objects.count(),
        "grants": Grant.objects.count(),
    }


# --- the demo ------------------------------------------------------------------------------

# The joint unit's tree is kept short of a few skills so that its report shows them: malware
# triage at level 2 (one holder: a single point of failure), incident response (held only by
# specials) and cryptocurrency at level 2 (one special's certification).
NSJ_LIMITS = (("CRYPTOCURRENCY", 1), ("INCIDENT-RESPONSE", 0), ("MALWARE-TRIAGE", 1))


@dataclass
class Member:
    """One demo person: where they are posted and how their training went."""

    key: str
    unit: str
    force: str
    ptype: str
    rank: str
    role: str
    started: int  # days before today
    profile: str = "trained"  # trained | new | explicit
    end: int | None = None  # days after today (negative: already ended)
    fund: bool = False
    previous: tuple | None = None  # (unit, role, started days ago, ended days ago)
    name: tuple[str, str] | None = None
    completeness: float = 0.9


def _roster() -> list[Member]:
    M = Member
    OF, S, SC, V = PersonType.OFFICER, PersonType.STAFF, PersonType.SPECIAL, PersonType.VOLUNTEER
    nsj = "NSJ-CCU"
    return [
        # Norfolk and Suffolk joint cyber crime unit.
        M("nsj_di", nsj, "norfolk", OF, "DI", "CYBER-MANAGER", 1100),
        M("nsj_ds", nsj, "suffolk", OF, "DS", "CYBER-PURSUE", 1650),
        M(
            "officer",
            nsj,
            "norfolk",
            OF,
            "DC",
            "CYBER-PURSUE",
            500,
            "explicit",
            name=("Priya", "Shah"),
        ),
        M("nsj_dc1", nsj, "norfolk", OF, "DC", "CYBER-PURSUE", 1300),
        M("nsj_dc2", nsj, "norfolk", OF, "DC", "CYBER-PURSUE", 820, end=45),
        M("nsj_dc3", nsj, "suffolk", OF, "DC", "CYBER-PURSUE", 950),
        M("nsj_dc4", nsj, "suffolk", OF, "DC", "CYBER-PURSUE", 700, completeness=0.7),
        M("nsj_new", nsj, "suffolk", OF, "DC", "CYBER-PURSUE", 25, "new"),
        M("nsj_pc1", nsj, "norfolk", OF, "PC", "CYBER-PROTECT", 600),
        M("nsj_st1", nsj, "suffolk", S, "", "CYBER-PROTECT", 1200),
        M("nsj_pc2", nsj, "suffolk", OF, "PC", "CYBER-PREVENT", 450),
        M("nsj_st2", nsj, "norfolk", S, "", "CYBER-PREVENT", 60, "new"),
        M("nsj_dmi1", nsj, "norfolk", OF, "DC", "DMI", 1000),
        M("nsj_dmi2", nsj, "suffolk", S, "", "DMI", 380),
        M("special", nsj, "norfolk", SC, "SC", "CYBER-SPECIAL", 900, name=("Tom", "Reeve")),
        M("nsj_sc2", nsj, "suffolk", SC, "SC", "CYBER-SPECIAL", 720),
        M("nsj_sc3", nsj, "norfolk", SC, "SC", "CYBER-SPECIAL", 540, completeness=0.6),
        M("nsj_sc4", nsj, "suffolk", SC, "SC", "CYBER-SPECIAL", 150, "new"),
        M("nsj_v1", nsj, "norfolk", V, "", "CYBER-VOLUNTEER", 800),
        M("nsj_v2", nsj, "norfolk", V, "", "CYBER-VOLUNTEER", 300),
        M("nsj_v3", nsj, "suffolk", V, "", "CYBER-VOLUNTEER", 40, "new"),
        M("nsj_left", nsj, "norfolk", OF, "DC", "CYBER-PURSUE", 1500, end=-60),
        # Its digital forensic unit.
        M("dfu_1", "NSJ-DFU", "norfolk", S, "", "DF-EXAMINER", 2400),
        M("dfu_2", "NSJ-DFU", "norfolk", S, "", "DF-EXAMINER", 1400),
        M("dfu_3", "NSJ-DFU", "suffolk", S, "", "DF-EXAMINER", 1900),
        M("dfu_4", "NSJ-DFU", "suffolk", OF, "DC", "DF-EXAMINER", 1000),
        M("dfu_5", "NSJ-DFU", "norfolk", S, "", "DF-EXAMINER", 800),
        M("dfu_6", "NSJ-DFU", "suffolk", S, "", "DF-EXAMINER", 650),
        M("dfu_new", "NSJ-DFU", "norfolk", S, "", "DF-EXAMINER", 40, "new"),
        # The Norfolk specialist capability team, paid from the transformation fund.
        M("sct_ds", "NOR-SCT", "norfolk", OF, "DS", "CYBER-MANAGER", 480, fund=True),
        M("sct_dc1", "NOR-SCT", "norfolk", OF, "DC", "CYBER-PURSUE", 480, fund=True),
        M("sct_dc2", "NOR-SCT", "norfolk", OF, "DC", "CYBER-PURSUE", 470, fund=True),
        M("sct_dc3", "NOR-SCT", "norfolk", OF, "DC", "CYBER-PURSUE", 300, fund=True),
        M("sct_dmi", "NOR-SCT", "norfolk", S, "", "DMI", 460, fund=True),
        # Norwich local policing: the frontline.
        M("lp_pc1", "NOR-LP", "norfolk", OF, "PC", "FRONTLINE", 2000),
        M("lp_pc2", "NOR-LP", "norfolk", OF, "PC", "FRONTLINE", 1500),
        M("lp_pc3", "NOR-LP", "norfolk", OF, "PC", "FRONTLINE", 900),
        M("lp_pc4", "NOR-LP", "norfolk", OF, "PC", "FRONTLINE", 70, "new"),
        M("lp_st1", "NOR-LP", "norfolk", S, "", "FRONTLINE", 1200),
        M("lp_sc1", "NOR-LP", "norfolk", SC, "SC", "FRONTLINE", 1000),
        M("lp_sc2", "NOR-LP", "norfolk", SC, "SC", "FRONTLINE", 400),
        # Cambridgeshire cyber crime unit.
        M("cam_di", "CAM-CCU", "cambridgeshire", OF, "DI", "CYBER-MANAGER", 900),
        M("cam_ds", "CAM-CCU", "cambridgeshire", OF, "DS", "CYBER-PURSUE", 1300),
        M("cam_dc1", "CAM-CCU", "cambridgeshire", OF, "DC", "CYBER-PURSUE", 1000),
        M("cam_dc2", "CAM-CCU", "cambridgeshire", OF, "DC", "CYBER-PURSUE", 700),
        M("cam_dc3", "CAM-CCU", "cambridgeshire", OF, "DC", "CYBER-PURSUE", 400),
        M("cam_dc4", "CAM-CCU", "cambridgeshire", OF, "DC", "CYBER-PURSUE", 90, "new"),
        M("cam_st1", "CAM-CCU", "cambridgeshire", S, "", "CYBER-PROTECT", 650),
        M("cam_dmi", "CAM-CCU", "cambridgeshire", OF, "DC", "DMI", 800),
        M("cam_sc1", "CAM-CCU", "cambridgeshire", SC, "SC", "CYBER-SPECIAL", 600),
        M("cam_v1", "CAM-CCU", "cambridgeshire", V, "", "CYBER-VOLUNTEER", 500),
        # ERSOU regional cyber crime unit.
        M("rocu_di", "ERSOU-CCU", "cambridgeshire", OF, "DI", "CYBER-MANAGER", 1000),
        M("rocu_ds", "ERSOU-CCU", "norfolk", OF, "DS", "ROCU-CYBER", 1400),
        M(
            "rocu_dc1",
            "ERSOU-CCU",
            "suffolk",
            OF,
            "DC",
            "ROCU-CYBER",
            199,
            completeness=0.8,
            previous=("NSJ-DFU", "DF-EXAMINER", 1500, 200),
        ),
        M("rocu_dc2", "ERSOU-CCU", "cambridgeshire", OF, "DC", "ROCU-CYBER", 900),
        M("rocu_st1", "ERSOU-CCU", "norfolk", S, "", "ROCU-CYBER", 750),
        M("rocu_st2", "ERSOU-CCU", "suffolk", S, "", "ROCU-CYBER", 50, "new"),
        M("rocu_left", "ERSOU-CCU", "cambridgeshire", OF, "DC", "ROCU-CYBER", 1300, end=-120),
        # Kent cyber crime unit (South East): the outsider's force.
        M("kent_di", "KEN-CCU", "kent", OF, "DI", "CYBER-MANAGER", 1200),
        M("kent_ds", "KEN-CCU", "kent", OF, "DS", "CYBER-PURSUE", 1500),
        M("kent_dc1", "KEN-CCU", "kent", OF, "DC", "CYBER-PURSUE", 1000),
        M("kent_dc2", "KEN-CCU", "kent", OF, "DC", "CYBER-PURSUE", 600),
        M(
            "kent_dc3",
            "KEN-CCU",
            "kent",
            OF,
            "DC",
            "CYBER-PURSUE",
            230,
            previous=("KEN-CCU", "CYBER-PROTECT", 1100, 231),
        ),
        M("kent_pc1", "KEN-CCU", "kent", OF, "PC", "CYBER-PROTECT", 500),
        M("kent_st1", "KEN-CCU", "kent", S, "", "CYBER-PREVENT", 800),
        M("kent_sc1", "KEN-CCU", "kent", SC, "SC", "CYBER-SPECIAL", 700),
        M("kent_v1", "KEN-CCU", "kent", V, "", "CYBER-VOLUNTEER", 350),
    ]


DEMO_UNITS = [
    # code, name, kind, region, forces, parent
    (
        "NSJ-CCU",
        "Norfolk and Suffolk joint cyber crime unit",
        UnitKind.FORCE_CYBER,
        "eastern",
        ["norfolk", "suffolk"],
        None,
    ),
    (
        "NSJ-DFU",
        "Norfolk and Suffolk digital forensic unit",
        UnitKind.DIGITAL_FORENSIC,
        "eastern",
        ["norfolk", "suffolk"],
        "NSJ-CCU",
    ),
    (
        "NOR-SCT",
        "Norfolk specialist capability team",
        UnitKind.SPECIALIST_TEAM,
        "eastern",
        ["norfolk"],
        "NSJ-CCU",
    ),
    ("NOR-LP", "Norwich local policing", UnitKind.OTHER, "eastern", ["norfolk"], None),
    (
        "CAM-CCU",
        "Cambridgeshire cyber crime unit",
        UnitKind.FORCE_CYBER,
        "eastern",
        ["cambridgeshire"],
        None,
    ),
    ("ERSOU-CCU", "ERSOU regional cyber crime unit", UnitKind.REGIONAL_CYBER, "eastern", [], None),
    ("KEN-CCU", "Kent cyber crime unit", UnitKind.FORCE_CYBER, "south-east", ["kent"], None),
]

BIOGRAPHIES = {
    "special": "Network engineer by day (CCNP); runs a home lab. GIAC GCIH and Chainalysis "
    "Reactor certified; helps trace cryptocurrency payments and reads firewall logs.",
    "nsj_sc2": "Security operations analyst at an insurer; CompTIA CySA+. Happy to review "
    "logs and help with incident response for victims.",
    "nsj_sc3": "Software developer (Python, Go); can script data extraction and parsing.",
    "nsj_v1": "Retired IT security manager and ISO 27001 lead auditor; gives Cyber Protect "
    "talks to community groups and small businesses.",
    "nsj_v2": "University lecturer in computing; runs capture-the-flag events for students.",
    "cam_sc1": "Penetration tester (OSCP); interested in OSINT and web applications.",
    "kent_sc1": "Digital forensics graduate; works in e-discovery.",
    "kent_v1": "Charity IT volunteer; helps older people stay safe online.",
}
CONSENTS = {"special": 200, "nsj_sc2": 400, "nsj_v1": 300, "cam_sc1": 150}  # days ago


class DemoBuilder:
    def __init__(self, today: date):
        self.today = today
        self.rng = random.Random(SEED)
        self.index = CatalogueIndex(today)
        self.trainer = Trainer(self.index, self.rng, today)

    def days_ago(self, n: int) -> date:
        return self.today - timedelta(days=n)

    def build(self) -> list[Login]:
        t = self.today
        regions = {
            code: Region.objects.get_or_create(code=code, defaults={"name": name})[0]
            for code, name in [("eastern", "Eastern"), ("south-east", "South East")]
        }
        forces = {}
        for code, name, region in [
            ("norfolk", "Norfolk Constabulary", "eastern"),
            ("suffolk", "Suffolk Constabulary", "eastern"),
            ("cambridgeshire", "Cambridgeshire Constabulary", "eastern"),
            ("kent", "Kent Police", "south-east"),
        ]:
            forces[code] = Force.objects.get_or_create(
                code=code, defaults={"name": name, "region": regions[region]}
            )[0]
        units = {}
        for code, name, kind, region, unit_forces, parent in DEMO_UNITS:
            unit = Unit.objects.create(
                code=code,
                name=name,
                kind=kind,
                region=regions[region],
                parent=units.get(parent),
            )
            unit.forces.set([forces[f] for f in unit_forces])
            units[code] = unit
        # Ends about two and a half months after today, so the forecast shows the cliff.
        fund = Fund(
            code="police-transformation-fund",
            name="Police Transformation Fund",
            ends_on=t + timedelta(days=75),
            force=forces["norfolk"],
        )
        fund._change_reason = CHANGE_REASON
        fund.save()

        password = make_password(DEMO_PASSWORD)
        users, logins = self._users(password, regions, forces, units)
        verifier = {
            "norfolk": users["coordinator"],
            "suffolk": users["coordinator"],
            "kent": users["kent"],
            "cambridgeshire": users["admin"],
        }

        roster = _roster()
        people = self._people(roster, forces, users)
        self._postings(roster, people, units, fund)
        self._completions(roster, people, verifier)
        self._deployments(roster, people, units, verifier)
        self._offerings(forces, units, users)
        return logins

    # Course offerings in the coming months, for the skills the joint unit and the Norfolk
    # unit are short of, so that the training plan (/coverage/plan/) has something to
    # propose: (activity code, days after today, days long, places, cost per place in pence,
    # units it is open to (none: the owner force's units), owner force).
    OFFERINGS = (
        ("ROCU-MALWARE", 40, 3, 6, 75000, ("NSJ-CCU",), "norfolk"),
        ("ROCU-IR", 55, 2, 8, 48000, (), "norfolk"),
        ("ROCU-CRYPTO", 70, 3, 6, 65000, (), "norfolk"),
        ("ROCU-NET-INV", 90, 5, 10, 120000, (), "norfolk"),
        ("ROCU-IR", 120, 2, 8, 52000, ("NSJ-CCU", "KEN-CCU"), "kent"),
    )

    def _offerings(self, forces, units, users) -> None:
        from courses.models import Offering

        for code, after, days, places, pence, open_to, owner in self.OFFERINGS:
            starts = self.today + timedelta(days=after)
            offering = Offering.objects.create(
                activity=Activity.objects.get(code=code),
                starts_on=starts,
                ends_on=starts + timedelta(days=days - 1),
                places=places,
                cost_pence=pence,
                location="Regional training centre",
                owner_force=forces[owner],
                created_by=users["coordinator"] if owner == "norfolk" else users["kent"],
            )
            offering.open_to_units.set([units[c] for c in open_to])

    def _users(self, password, regions, forces, units):
        def user(key, email, first, last, **extra):
            u = User.objects.create(
                email=email, first_name=first, last_name=last, password=password, **extra
            )
            EmailAddress.objects.create(user=u, email=email, verified=True, primary=True)
            users[key] = u
            return u

        def grant(u, role, **scope):
            g = Grant(user=u, role=role, granted_by=users["admin"], **scope)
            g._change_reason = CHANGE_REASON
            g.save()

        users: dict[str, User] = {}
        user("admin", "admin@register.local", "Ada", "Admin", is_staff=True, is_superuser=True)
        grant(user("national", "national.lead@register.local", "Nia", "Lead"), Role.NATIONAL_LEAD)
        grant(
            user("regional", "regional.lead@ersou.police.uk", "Rob", "Marsh"),
            Role.REGIONAL_LEAD,
            region=regions["eastern"],
        )
        grant(
            user("chief", "chief.officer@norfolk.police.uk", "Carol", "Whitby"),
            Role.CHIEF_OFFICER,
            force=forces["norfolk"],
        )
        grant(
            user("coordinator", "coordinator@norfolk.police.uk", "Colin", "Drake"),
            Role.COORDINATOR,
            unit=units["NSJ-CCU"],
        )
        grant(
            user("kent", "coordinator@kent.police.uk", "Kay", "Fordham"),
            Role.COORDINATOR,
            force=forces["kent"],
        )
        user("officer", "priya.shah@norfolk.police.uk", "Priya", "Shah")
        user("special", "tom.reeve@norfolk.police.uk", "Tom", "Reeve")
        logins = list(DEMO_LOGINS)
        return users, logins

    def _people(self, roster, forces, users) -> dict[str, Person]:
        rng = self.rng
        numbers = {code: iter(rng.sample(range(1000, 9999), 40)) for code in forces}
        names = set()
        people = {}
        for m in roster:
            if m.name:
                first, last = m.name
            else:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                while (first, last) in names or (first, last) in {
                    ("Priya", "Shah"),
                    ("Tom", "Reeve"),
                }:
                    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            names.add((first, last))
            staff_number = str(next(numbers[m.force]))
            if m.ptype == PersonType.SPECIAL:
                staff_number = f"SC{staff_number}"
            person = Person(
                force=forces[m.force],
                staff_number=staff_number,
                person_type=m.ptype,
                rank=m.rank,
                first_name=first,
                last_name=last,
                email=f"{first}.{last}@{m.force}.police.uk".lower(),
                user=users.get(m.key) if m.key in ("officer", "special") else None,
                skills_biography=BIOGRAPHIES.get(m.key, ""),
                monthly_hours_commitment={PersonType.SPECIAL: 16, PersonType.VOLUNTEER: 8}.get(
                    m.ptype
                ),
            )
            if m.key in CONSENTS:
                person.directory_consent = True
                person.directory_consent_on = self.days_ago(CONSENTS[m.key])
            person._change_reason = CHANGE_REASON
            person.save()
            people[m.key] = person
        return people

    def _postings(self, roster, people, units, fund) -> None:
        roles = self.index.roles
        rows = []
        for m in roster:
            if m.previous:
                unit, role, started, ended = m.previous
                rows.append(
                    Posting(
                        person=people[m.key],
                        unit=units[unit],
                        role_profile=roles[role],
                        start=self.days_ago(started),
                        end=self.days_ago(ended),
                    )
                )
            rows.append(
                Posting(
                    person=people[m.key],
                    unit=units[m.unit],
                    role_profile=roles[m.role],
                    start=self.days_ago(m.started),
                    end=self.today + timedelta(days=m.end) if m.end is not None else None,
                    fund=fund if m.fund else None,
                )
            )
        bulk_create_with_history(rows, Posting, default_change_reason=CHANGE_REASON)

    def _explicit(self, key: str) -> tuple[list[Done], frozenset]:
        """Hand-placed completions that make the reports show every status; the set says
        which capabilities the random training must leave alone."""
        t, ago = self.today, self.days_ago
        labs = self.index.labs
        if key == "officer":
            start = ago(500)
            done = [
                Done("COP-CDP-INTRO", start - timedelta(days=200)),
                Done(
                    "ICDIP-AFFIL",
                    add_months(t, -12) - timedelta(days=30),
                    Status.VERIFIED,
                    Source.SUBMITTED,
                    certificate_number="ICDIP-A-20417",
                ),
                Done("ROCU-CYBER-INV", start + timedelta(days=60)),
                Done("COP-OSINT-PRAC", start + timedelta(days=150)),
                Done(
                    "COP-OSINT-FOUND",
                    start + timedelta(days=100),
                    Status.WITHDRAWN,
                    status_reason="Entered twice; the practitioner course replaces it.",
                ),
                # Expires 40 days after today: "expiring".
                Done("VICTIM-CARE-CYBER", add_months(t, -36) + timedelta(days=40)),
                Done(
                    "CHAINALYSIS-CRC",
                    ago(12),
                    Status.PENDING,
                    Source.SUBMITTED,
                    certificate_number="CRC-2291-5530",
                ),
                Done(
                    "GIAC-GCIH",
                    ago(60),
                    Status.REJECTED,
                    Source.SUBMITTED,
                    certificate_number="GIAC-1182034",
                    status_reason="Certificate number not found on the GIAC register; "
                    "please upload the certificate.",
                ),
            ]
            done += [
                Done(lab, ago(380 - i), source=Source.PLATFORM)
                for i, lab in enumerate(labs["COLL-NETWORK"][:5])
            ]
            # One lab short of the malware collection (3 needed).
            done += [
                Done(lab, ago(100 - i), source=Source.PLATFORM)
                for i, lab in enumerate(labs["COLL-MALWARE"][:2])
            ]
            return done, frozenset()
        if key == "sct_dc1":
            # The only malware triage practitioner, paid from the fund: a single point of
            # failure and, when the fund ends, a shortfall.
            return [Done("ROCU-MALWARE", ago(900))], frozenset({"MALWARE-TRIAGE"})
        if key == "nsj_di":  # ICDIP associate expiring in 25 days
            return [
                Done(
                    "ICDIP-ASSOC",
                    add_months(t, -12) + timedelta(days=25),
                    source=Source.SUBMITTED,
                    certificate_number="ICDIP-S-11873",
                )
            ], frozenset()
        if key == "special":
            return [
                Done(
                    "GIAC-GCIH",
                    ago(420),
                    source=Source.SUBMITTED,
                    certificate_number="GIAC-1040913",
                ),
                Done(
                    "CHAINALYSIS-CRC",
                    ago(300),
                    source=Source.SUBMITTED,
                    certificate_number="CRC-1875-0042",
                ),
            ], frozenset({"NETWORK-INVESTIGATION"})
        if key == "nsj_sc2":
            return [
                Done(
                    "COMPTIA-CYSA",
                    ago(500),
                    source=Source.SUBMITTED,
                    certificate_number="COMP-8812047",
                )
            ], frozenset({"NETWORK-INVESTIGATION"})
        if key == "nsj_dc3":  # pending evidence of a course done last month
            return [
                Done(
                    "ROCU-NET-INV",
                    ago(20),
                    Status.PENDING,
                    Source.SUBMITTED,
                    evidence_link="https://learning.ersou.police.uk/certificates/77120",
                )
            ], frozenset({"NETWORK-INVESTIGATION"})
        if key == "nsj_pc1":  # pending e-learning certificate
            return [
                Done(
                    "PROTECT-ADVISER",
                    ago(9),
                    Status.PENDING,
                    Source.SUBMITTED,
                    certificate_number="ROCU-PA-3307",
                )
            ], frozenset({"PROTECT-ADVICE"})
        if key == "dfu_1":  # GCFE expiring in 60 days: digital evidence level 3 falls short
            return [
                Done(
                    "GIAC-GCFE",
                    add_months(t, -48) + timedelta(days=60),
                    source=Source.SUBMITTED,
                    certificate_number="GIAC-0931177",
                ),
                Done(
                    "CELLEBRITE-CCPA",
                    ago(200),
                    source=Source.SUBMITTED,
                    certificate_number="CCPA-55120",
                ),
            ], frozenset()
        if key == "dfu_2":  # Cellebrite operator lapsed 45 days ago, not renewed
            return [
                Done(
                    "CELLEBRITE-CCO",
                    add_months(t, -24) - timedelta(days=45),
                    source=Source.SUBMITTED,
                    certificate_number="CCO-40021",
                )
            ], frozenset({"DEVICE-EXAMINATION"})
        if key == "lp_pc2":  # fraud e-learning expiring in 15 days
            return [Done("COP-FRAUD-AF", add_months(t, -24) + timedelta(days=15))], frozenset(
                {"FRAUD-TRIAGE"}
            )
        if key == "nsj_dc1":  # cryptocurrency collection one lab short
            done = []
            for i, lab in enumerate(labs["COLL-CRYPTO"][:1]):
                done.append(Done(lab, ago(200 + i), source=Source.PLATFORM))
            return done, frozenset({"CRYPTOCURRENCY"})
        if key == "kent_dc2":  # pending evidence link in Kent (the outsider's queue)
            return [
                Done(
                    "ROCU-CRYPTO",
                    ago(15),
                    Status.PENDING,
                    Source.SUBMITTED,
                    evidence_link="https://learning.serocu.police.uk/certificates/5521",
                )
            ], frozenset({"CRYPTOCURRENCY"})
        return [], frozenset()

    def _completions(self, roster, people, verifier) -> None:
        t = self.today
        rows = []
        for m in roster:
            done, skip = self._explicit(m.key)
            limits = NSJ_LIMITS if m.unit in ("NSJ-CCU", "NSJ-DFU", "NOR-SCT") else ()
            start = self.days_ago(m.started)
            if m.previous:
                self_limits = NSJ_LIMITS if m.previous[0] == "NSJ-DFU" else ()
                done += self.trainer.train(
                    m.previous[1],
                    self.days_ago(m.previous[2]),
                    limits=self_limits,
                    completeness=0.9,
                )
            if m.profile != "explicit":
                done += self.trainer.train(
                    m.role,
                    start,
                    limits=limits,
                    skip=skip,
                    recent=m.profile == "new",
                    completeness=0.35 if m.profile == "new" else m.completeness,
                )
            if m.key not in ("officer",) and self.rng.random() < 0.7:
                self.trainer.complete(
                    done, set(), "COP-CDP-INTRO", start - timedelta(days=self.rng.randint(30, 700))
                )
            seen = set()
            person, coordinator = people[m.key], verifier[m.force]
            for d in done:
                if d.completed_on > t or (d.activity, d.completed_on) in seen:
                    continue
                if d.status != Status.WITHDRAWN:
                    seen.add((d.activity, d.completed_on))
                verified = d.status == Status.VERIFIED
                checked = min(t, d.completed_on + timedelta(days=self.rng.randint(1, 14)))
                rows.append(
                    Completion(
                        person=person,
                        activity=self.index.activities[d.activity],
                        completed_on=d.completed_on,
                        source=d.source,
                        status=d.status,
                        status_reason=d.status_reason,
                        certificate_number=d.certificate_number,
                        evidence_link=d.evidence_link,
                        recorded_by=person.user
                        if d.source == Source.SUBMITTED and person.user
                        else coordinator,
                        verified_by=coordinator if d.status != Status.PENDING else None,
                        verified_at=_aware(checked) if verified else None,
                    )
                )
        bulk_create_with_history(rows, Completion, default_change_reason=CHANGE_REASON)

    def _deployments(self, roster, people, units, verifier) -> None:
        rng = self.rng
        caps = self.index.capabilities
        rows, links = [], []
        for m in roster:
            if m.ptype not in (PersonType.SPECIAL, PersonType.VOLUNTEER) or m.end is not None:
                continue
            tasks = DEPLOYMENT_TASKS[m.ptype]
            # One special has not been deployed for more than six months.
            last = 200 if m.key == "nsj_sc3" else rng.randint(2, 20)
            first = min(365, m.started)
            day = first
            while day >= last:
                task, cap = rng.choice(tasks)
                rows.append(
                    Deployment(
                        person=people[m.key],
                        unit=units[m.unit],
                        deployed_on=self.days_ago(day),
                        hours=rng.choice([3, 4, 4.5, 6, 7.5, 8]),
                        task=task,
                        confirmed_by=verifier[m.force],
                        recorded_by=verifier[m.force],
                    )
                )
                links.append(caps.get(cap))
                day -= rng.randint(6, 16)
        created = bulk_create_with_history(rows, Deployment, default_change_reason=CHANGE_REASON)
        through = Deployment.capabilities.through
        through.objects.bulk_create(
            [
                through(deployment_id=d.pk, capability_id=c.pk)
                for d, c in zip(created, links, strict=True)
                if c is not None
            ]
        )


def seed_demo(*, today: date | None = None) -> SeedResult:
    """Load the catalogue, then the demo register as of ``today``; does nothing if the demo
    is already there."""
    started = time.monotonic()
    today = today or date.today()
    _load_catalogue()
    if Unit.objects.filter(code=DEMO_MARKER_UNIT).exists():
        return SeedResult(
            skipped=f"Demo data already present (unit {DEMO_MARKER_UNIT}); nothing changed.",
            logins=[
                login for login in DEMO_LOGINS if User.objects.filter(email=login.email).exists()
            ],
        )
    if Person.objects.exists():
        # Never mixed into a register that holds other people: nothing here deletes.
        return SeedResult(
            skipped="The register already holds people; the demo loads only "
            "into an empty register. Nothing changed."
        )
    before = _counts()
    with transaction.atomic():
        logins = DemoBuilder(today).build()
    after = _counts()
    return SeedResult(
        created={k: after[k] - before[k] for k in after},
        logins=logins,
        seconds=time.monotonic() - started,
    )


# --- national scale ------------------------------------------------------------------------

# (region code, name, regional unit prefix or None, [(force code, name, relative size)]);
# sizes are roughly each force's workforce in thousands.
NATIONAL_FORCES = [
    (
        "north-east",
        "North East",
        "NERSOU",
        [
            ("cleveland", "Cleveland Police", 2.2),
            ("durham", "Durham Constabulary", 1.9),
            ("northumbria", "Northumbria Police", 5.5),
        ],
    ),
    (
        "yorkshire-humber",
        "Yorkshire and the Humber",
        "YHROCU",
        [
            ("humberside", "Humberside Police", 3.3),
            ("north-yorkshire", "North Yorkshire Police", 2.6),
            ("south-yorkshire", "South Yorkshire Police", 4.9),
            ("west-yorkshire", "West Yorkshire Police", 9.9),
        ],
    ),
    (
        "north-west",
        "North West",
        "TITAN",
        [
            ("cheshire", "Cheshire Constabulary", 3.6),
            ("cumbria", "Cumbria Constabulary", 2.0),
            ("greater-manchester", "Greater Manchester Police", 12.4),
            ("lancashire", "Lancashire Constabulary", 5.5),
            ("merseyside", "Merseyside Police", 6.3),
        ],
    ),
    (
        "east-midlands",
        "East Midlands",
        "EMSOU",
        [
            ("derbyshire", "Derbyshire Constabulary", 3.3),
            ("leicestershire", "Leicestershire Police", 3.6),
            ("lincolnshire", "Lincolnshire Police", 2.2),
            ("northamptonshire", "Northamptonshire Police", 2.4),
            ("nottinghamshire", "Nottinghamshire Police", 3.9),
        ],
    ),
    (
        "west-midlands",
        "West Midlands",
        "WMROCU",
        [
            ("staffordshire", "Staffordshire Police", 2.9),
            ("warwickshire", "Warwickshire Police", 1.8),
            ("west-mercia", "West Mercia Police", 4.2),
            ("west-midlands", "West Midlands Police", 12.0),
        ],
    ),
    (
        "eastern",
        "Eastern",
        "ERSOU",
        [
            ("bedfordshire", "Bedfordshire Police", 2.3),
            ("cambridgeshire", "Cambridgeshire Constabulary", 2.8),
            ("essex", "Essex Police", 6.0),
            ("hertfordshire", "Hertfordshire Constabulary", 3.7),
            ("norfolk", "Norfolk Constabulary", 3.2),
            ("suffolk", "Suffolk Constabulary", 2.3),
        ],
    ),
    (
        "south-east",
        "South East",
        "SEROCU",
        [
            ("hampshire", "Hampshire and Isle of Wight Constabulary", 5.6),
            ("kent", "Kent Police", 6.4),
            ("surrey", "Surrey Police", 3.9),
            ("sussex", "Sussex Police", 5.3),
            ("thames-valley", "Thames Valley Police", 8.0),
        ],
    ),
    (
        "south-west",
        "South West",
        "SWROCU",
        [
            ("avon-and-somerset", "Avon and Somerset Constabulary", 5.2),
            ("devon-and-cornwall", "Devon and Cornwall Police", 5.6),
            ("dorset", "Dorset Police", 2.4),
            ("gloucestershire", "Gloucestershire Constabulary", 1.9),
            ("wiltshire", "Wiltshire Police", 2.1),
        ],
    ),
    (
        "wales",
        "Wales",
        "TARIAN",
        [
            ("dyfed-powys", "Dyfed-Powys Police", 2.2),
            ("gwent", "Gwent Police", 2.3),
            ("north-wales", "North Wales Police", 2.6),
            ("south-wales", "South Wales Police", 5.3),
        ],
    ),
    # London has no ROCU: the Met and the City hold the regional capability themselves.
    (
        "london",
        "London",
        None,
        [
            ("metropolitan", "Metropolitan Police Service", 46.0),
            ("city-of-london", "City of London Police", 1.3),
        ],
    ),
    ("national", "National", None, [("nca", "National Crime Agency", 5.0)]),
]

TYPE_MIX = {
    # unit slot -> person type weights (officer, staff, special, volunteer)
    "ccu": (55, 30, 9, 6),
    "dfu": (25, 75, 0, 0),
    "sct": (70, 30, 0, 0),
    "rccu": (65, 35, 0, 0),
    "lp": (62, 29, 7, 2),
}
ROLE_MIX = {
    "ccu": (["CYBER-PURSUE", "CYBER-PROTECT", "CYBER-PREVENT", "DMI"], [50, 17, 10, 15]),
    "sct": (["CYBER-PURSUE", "DMI"], [60, 40]),
}
RANKS = {
    "lp": (["PC", "DC", "DS", "DI"], [82, 10, 6, 2]),
    "specialist": (["DC", "PC", "DS", "DI"], [60, 12, 20, 8]),
}
PTYPES = [PersonType.OFFICER, PersonType.STAFF, PersonType.SPECIAL, PersonType.VOLUNTEER]
GENERIC_BIOGRAPHIES = [
    "Works in IT infrastructure; comfortable with Windows and Linux servers.",
    "Cyber security apprentice; interested in OSINT and social media investigation.",
    "Former telecoms engineer; understands mobile networks and routers.",
    "Data analyst; Python and SQL.",
    "Runs a small web design business; knows hosting and domains.",
]
PERSON_COLUMNS = [
    "id",
    "force_id",
    "staff_number",
    "person_type",
    "rank",
    "first_name",
    "last_name",
    "email",
    "skills_biography",
    "directory_consent",
    "directory_consent_on",
    "monthly_hours_commitment",
    "created_at",
]
POSTING_COLUMNS = ["person_id", "unit_id", "role_profile_id", "start", "end", "fund_id"]
COMPLETION_COLUMNS = [
    "person_id",
    "activity_id",
    "completed_on",
    "source",
    "status",
    "status_reason",
    "evidence_file",
    "evidence_link",
    "certificate_number",
    "recorded_by_id",
    "recorded_at",
    "verified_by_id",
    "verified_at",
]
DEPLOYMENT_COLUMNS = [
    "person_id",
    "unit_id",
    "deployed_on",
    "hours",
    "task",
    "recorded_by_id",
    "created_at",
]
CHUNK = 5_000


class BulkWriter:
    """Appends rows: COPY on PostgreSQL (several times faster than INSERT), bulk_create
    elsewhere. Either way no history rows: seed data is not a user's change."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.counts: dict[str, int] = defaultdict(int)

    def write(self, model, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        self.counts[model._meta.verbose_name_plural] += len(rows)
        qn = connection.ops.quote_name
        fields = [model._meta.get_field(c) for c in columns]
        table, names = qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
        if self.postgres:
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
            return
        # executemany with only dates adapted: bulk_create's per-value preparation costs
        # several times more than the insert itself.
        adapt = {
            i: connection.ops.adapt_datetimefield_value
            if isinstance(f, models.DateTimeField)
            else connection.ops.adapt_datefield_value
            for i, f in enumerate(fields)
            if isinstance(f, models.DateField)
        }
        if adapt:
            rows = [
                tuple(adapt[i](v) if i in adapt else v for i, v in enumerate(row)) for row in rows
            ]
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            for first in range(0, len(rows), 2000):
                cursor.executemany(
                    f"INSERT INTO {table} ({names}) VALUES ({placeholders})",
                    rows[first : first + 2000],
                )


@dataclass
class ForcePlan:
    force: Force
    units: dict[str, Unit]  # slot -> unit (ccu, dfu, lp, and sct/rccu where there are any)
    size: int
    fund: Fund | None
    coordinator: User
    email_domain: str


class NationalBuilder:
    def __init__(self, today: date, people: int, progress=None):
        self.today = today
        self.people = people
        self.progress = progress or (lambda line: None)
        self.rng = random.Random(SEED)
        self.index = CatalogueIndex(today)
        self.trainer = Trainer(self.index, self.rng, today, renew=0.9)
        self.writer = BulkWriter()
        self.now = datetime.now(tz=UTC)

    def build(self) -> dict[str, int]:
        started = time.monotonic()
        plans = self._structure()
        self.next_id = (
            Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ) + 1
        done = 0
        for plan in plans:
            for first in range(0, plan.size, CHUNK):
                self._chunk(plan, first, min(CHUNK, plan.size - first))
            done += plan.size
            self.progress(
                f"  {plan.force.name}: {plan.size:,} people "
                f"({done:,} of {self.people:,}, "
                f"{self.writer.counts['completions']:,} completions, "
                f"{time.monotonic() - started:.0f} s)"
            )
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Person]):
                cursor.execute(sql)
        return dict(self.writer.counts)

    def _structure(self) -> list[ForcePlan]:
        """Regions, forces, units, funds and the oversight logins: a few hundred ORM rows."""
        rng, t = self.rng, self.today
        password = make_password(DEMO_PASSWORD)
        admin = User.objects.create(
            email="admin@register.local", password=password, is_staff=True, is_superuser=True
        )
        national = User.objects.create(email="national.lead@register.local", password=password)
        Grant.objects.create(user=national, role=Role.NATIONAL_LEAD, granted_by=admin)
        users = [admin, national]
        weights = [w for _, _, _, forces in NATIONAL_FORCES for *_, w in forces]
        sizes = _apportion(self.people, weights)
        plans: list[ForcePlan] = []
        counter = 0
        for region_code, region_name, rocu, forces in NATIONAL_FORCES:
            region, _ = Region.objects.get_or_create(
                code=region_code, defaults={"name": region_name}
            )
            lead = User.objects.create(
                email=f"regional.lead@{region_code}.police.uk", password=password
            )
            Grant.objects.create(
                user=lead, role=Role.REGIONAL_LEAD, region=region, granted_by=admin
            )
            users.append(lead)
            regional_unit = None
            if rocu:
                regional_unit = Unit.objects.create(
                    code=f"{rocu}-CCU",
                    name=f"{rocu} regional cyber crime unit",
                    kind=UnitKind.REGIONAL_CYBER,
                    region=region,
                )
            for code, name, _ in forces:
                size = sizes[counter]
                counter += 1
                force, _ = Force.objects.get_or_create(
                    code=code, defaults={"name": name, "region": region}
                )
                nca = code == "nca"
                prefix = code.upper()
                ccu = Unit.objects.create(
                    code=NATIONAL_MARKER_UNIT if nca else f"{prefix}-CCU",
                    name="National Cyber Crime Unit" if nca else f"{name} cyber crime unit",
                    kind=UnitKind.NATIONAL if nca else UnitKind.FORCE_CYBER,
                    region=region,
                )
                dfu = Unit.objects.create(
                    code=f"{prefix}-DFU",
                    name=f"{name} digital forensic unit",
                    kind=UnitKind.DIGITAL_FORENSIC,
                    region=region,
                    parent=ccu,
                )
                lp = Unit.objects.create(
                    code=f"{prefix}-{'OPS' if nca else 'LP'}",
                    name=f"{name} {'investigations' if nca else 'local policing'}",
                    kind=UnitKind.OTHER,
                    region=region,
                )
                units = {"ccu": ccu, "dfu": dfu, "lp": lp}
                fund = None
                if counter % 3 == 0 and not nca:
                    fund = Fund.objects.create(
                        code=f"{code}-cyber-uplift",
                        name=f"{name} cyber uplift grant",
                        ends_on=t + timedelta(days=rng.randint(20, 540)),
                        force=force,
                    )
                    units["sct"] = Unit.objects.create(
                        code=f"{prefix}-SCT",
                        name=f"{name} specialist capability team",
                        kind=UnitKind.SPECIALIST_TEAM,
                        region=region,
                        parent=ccu,
                    )
                if regional_unit:
                    units["rccu"] = regional_unit
                for unit in (ccu, dfu, lp, units.get("sct")):
                    if unit:
                        unit.forces.add(force)
                domain = "nca.gov.uk" if nca else f"{code}.police.uk"
                coordinator = User.objects.create(email=f"coordinator@{domain}", password=password)
                chief = User.objects.create(email=f"chief.officer@{domain}", password=password)
                Grant.objects.create(
                    user=coordinator, role=Role.COORDINATOR, force=force, granted_by=admin
                )
                Grant.objects.create(
                    user=chief, role=Role.CHIEF_OFFICER, force=force, granted_by=admin
                )
                users += [coordinator, chief]
                plans.append(ForcePlan(force, units, size, fund, coordinator, domain))
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users]
        )
        self.writer.counts["users"] = len(users)
        return plans

    def _slots(self, plan: ForcePlan) -> list[str]:
        """Which unit each of the force's people is posted to, in staff-number order."""
        n = plan.size
        counts = {
            "ccu": max(2, round(n * 0.015)),
            "dfu": max(1, round(n * 0.008)),
            "sct": self.rng.randint(4, 12) if "sct" in plan.units else 0,
            "rccu": max(1, round(n * 0.004)) if "rccu" in plan.units else 0,
        }
        while sum(counts.values()) > n // 2 and any(counts.values()):
            slot = max(counts, key=counts.get)
            counts[slot] -= 1
        slots = [slot for slot, count in counts.items() for _ in range(count)]
        return slots + ["lp"] * (n - len(slots))

    def _chunk(self, plan: ForcePlan, first: int, count: int) -> None:
        rng, t, trainer, index = self.rng, self.today, self.trainer, self.index
        roles, activities = index.roles, index.activities
        if first == 0:
            plan.slots = self._slots(plan)
        people, postings, completions, deployments = [], [], [], []
        coordinator = plan.coordinator.pk
        recent = t - timedelta(days=45)
        nca = plan.force.code == "nca"
        for i in range(first, first + count):
            slot = plan.slots[i]
            ptype = rng.choices(PTYPES, TYPE_MIX[slot])[0]
            if i == 0:  # each cyber crime unit is led by a DI
                ptype, role = PersonType.OFFICER, "CYBER-MANAGER"
            elif ptype == PersonType.SPECIAL:
                role = "FRONTLINE" if slot == "lp" else "CYBER-SPECIAL"
            elif ptype == PersonType.VOLUNTEER:
                role = "CYBER-VOLUNTEER"
            elif slot == "lp":
                role = "FRONTLINE"
            elif slot == "dfu":
                role = "DF-EXAMINER"
            elif slot == "rccu":
                role = "ROCU-CYBER"
            else:
                codes, weights = ROLE_MIX[slot]
                role = rng.choices(codes, weights)[0]
            if ptype == PersonType.OFFICER and not nca:
                codes, weights = RANKS["lp" if slot == "lp" else "specialist"]
                rank = "DI" if role == "CYBER-MANAGER" else rng.choices(codes, weights)[0]
            else:
                rank = "SC" if ptype == PersonType.SPECIAL else ""
            pk = self.next_id
            self.next_id += 1
            staff_number = f"{'SC' if ptype == PersonType.SPECIAL else ''}{10000 + i}"
            first_name, last_name = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            casual = ptype in (PersonType.SPECIAL, PersonType.VOLUNTEER)
            consent = rng.random() < (0.3 if casual else 0.08 if slot != "lp" else 0.0)
            people.append(
                (
                    pk,
                    plan.force.pk,
                    staff_number,
                    ptype,
                    rank,
                    first_name,
                    last_name,
                    f"{first_name}.{last_name}.{staff_number}@{plan.email_domain}".lower(),
                    rng.choice(GENERIC_BIOGRAPHIES) if consent else "",
                    consent,
                    t - timedelta(days=rng.randint(1, 700)) if consent else None,
                    {PersonType.SPECIAL: 16, PersonType.VOLUNTEER: 8}.get(ptype),
                    self.now,
                )
            )
            # Postings: the current one, sometimes a frontline one before it.
            unit = plan.units[slot]
            start = t - timedelta(days=rng.randint(0, 5500 if slot == "lp" else 3000))
            draw = rng.random()
            end = (
                t - timedelta(days=rng.randint(1, 700))
                if draw < 0.02
                else t + timedelta(days=rng.randint(1, 365))
                if draw < 0.05
                else None
            )
            if end is not None and end < start:
                end = None
            postings.append(
                (pk, unit.pk, roles[role].pk, start, end, plan.fund.pk if slot == "sct" else None)
            )
            done = trainer.train(role, start, completeness=0.85, recommended=0.3)
            if slot != "lp" and not casual and rng.random() < 0.45:
                before = start - timedelta(days=rng.randint(400, 4000))
                postings.append(
                    (
                        pk,
                        plan.units["lp"].pk,
                        roles["FRONTLINE"].pk,
                        before,
                        start - timedelta(days=1),
                        None,
                    )
                )
                done += trainer.train("FRONTLINE", before, completeness=0.8, recommended=0.2)
            if rng.random() < 0.6:
                trainer.complete(
                    done,
                    set(),
                    "COP-CDP-INTRO",
                    start - timedelta(days=rng.randint(0, 900)),
                    renew=False,
                )
            if rng.random() < 0.5:
                trainer.complete(
                    done, set(), "COP-CDP-FIRST", start - timedelta(days=rng.randint(0, 400))
                )
            practice = rng.randint(0, 14) if slot == "lp" else rng.randint(0, 30)
            for lab in rng.choices(index.lab_codes, k=practice):
                done.append(
                    Done(lab, t - timedelta(days=rng.randint(1, 1100)), source=Source.PLATFORM)
                )
            seen = set()
            for d in done:
                key = (d.activity, d.completed_on)
                if key in seen or d.completed_on > t:
                    continue
                seen.add(key)
                status, source, reason = d.status, d.source, d.status_reason
                if d.completed_on > recent and rng.random() < 0.4:
                    status, source = Status.PENDING, Source.SUBMITTED
                else:
                    draw = rng.random()
                    if draw < 0.004:
                        status, reason = Status.REJECTED, "Evidence does not match the activity."
                    elif draw < 0.006:
                        status, reason = Status.WITHDRAWN, "Recorded in error."
                checked = _aware(min(t, d.completed_on + timedelta(days=rng.randint(0, 14))))
                completions.append(
                    (
                        pk,
                        activities[d.activity].pk,
                        d.completed_on,
                        source,
                        status,
                        reason,
                        "",
                        d.evidence_link,
                        d.certificate_number,
                        coordinator,
                        checked,
                        coordinator if status != Status.PENDING else None,
                        checked if status == Status.VERIFIED else None,
                    )
                )
            if casual and (end is None or end > t):
                tasks = DEPLOYMENT_TASKS[ptype]
                last = rng.randint(190, 365) if rng.random() < 0.1 else rng.randint(1, 20)
                day = min(365, (t - start).days)
                while day >= last:
                    deployments.append(
                        (
                            pk,
                            unit.pk,
                            t - timedelta(days=day),
                            rng.choice((3, 4, 4.5, 6, 7.5, 8)),
                            rng.choice(tasks)[0],
                            coordinator,
                            self.now,
                        )
                    )
                    day -= rng.randint(5, 20)
        self.writer.write(Person, PERSON_COLUMNS, people)
        self.writer.write(Posting, POSTING_COLUMNS, postings)
        self.writer.write(Completion, COMPLETION_COLUMNS, completions)
        self.writer.write(Deployment, DEPLOYMENT_COLUMNS, deployments)


def _apportion(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), each at least 1."""
    whole = sum(weights)
    shares = [total * w / whole for w in weights]
    sizes = [max(1, int(s)) for s in shares]
    order = sorted(range(len(weights)), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for i in order[: max(0, total - sum(sizes))]:
        sizes[i] += 1
    return sizes


def seed_national(
    *, today: date | None = None, people: int = NATIONAL_PEOPLE, progress=None
) -> SeedResult:
    """Load the catalogue, then ``people`` people across every force with their postings,
    completions and deployments, bulk-inserted; does nothing if national data is there."""
    started = time.monotonic()
    today = today or date.today()
    _load_catalogue()
    if Unit.objects.filter(code=NATIONAL_MARKER_UNIT).exists():
        return SeedResult(
            skipped=f"National data already present (unit {NATIONAL_MARKER_UNIT}); nothing changed."
        )
    if Person.objects.exists():
        return SeedResult(
            skipped="The register already holds people; national data loads "
            "only into an empty register. Nothing changed."
        )
    with transaction.atomic():
        counts = NationalBuilder(today, people, progress).build()
    if connection.vendor == "postgresql":
        # Fresh statistics, so that benchmarks on this data get realistic query plans.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts = {"units": Unit.objects.count(), **counts}
    return SeedResult(created=counts, seconds=time.monotonic() - started)
