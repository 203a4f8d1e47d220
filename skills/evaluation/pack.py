"""The inspection pack (issue 7): one PDF for a force or a region that a chief officer can hand
to an inspector. Cover with the classification marking, contents, summary, expectation-by-
expectation evidence, each unit's resilience summary and forecast cliff dates, and the
specials and volunteers evaluation.

Built once as plain data from each unit's ``UnitReport`` (one engine run per unit) and its
``UnitEvaluation``; the print template (templates/skills/evaluation/pack_pdf.html) only shows it.
"""

from __future__ import annotations

import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.template.loader import render_to_string

from people.access import units_of_force, units_of_region
from people.models import Force, Region, Unit
from skills.coverage import UnitReport, build_unit_report
from skills.evaluation.services import UnitEvaluation, evaluate_unit
from skills.models.actions import Action, ActionPlan, ActionStatus
from skills.report.renderers import NOTHING, day_label, percent, person_type_label

# --- labels (percent, dates and "–" as the unit report writes them) ------------------------


def hours_label(hours) -> str:
    if hours is None:
        return NOTHING
    return f"{Decimal(hours).normalize():f}"


def of_label(met: int, total: int) -> str:
    return f"{met} of {total}" if total else NOTHING


# --- the pack's data ------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitSection:
    report: UnitReport
    evaluation: UnitEvaluation
    is_root: bool  # not inside another unit of the pack: counted in totals

    @property
    def earliest_cliff(self) -> date | None:
        days = [t.cliff_date for t in self.report.targets if t.cliff_date]
        return min(days) if days else None

    @property
    def compliance(self) -> str:
        return percent(self.report.summary.compliance)


@dataclass(frozen=True)
class ExpectationUnitRow:
    unit_code: str
    unit_name: str
    people_meeting: int
    people_applying: int
    requirements_met: int
    requirements_total: int
    targets_met: int
    targets_total: int


@dataclass(frozen=True)
class ActionLine:
    force: str
    has_plan: bool
    closed: int
    total: int
    overdue: int

    @property
    def label(self) -> str:
        if not self.has_plan:
            return f"{self.force}: no action plan"
        overdue = f", {self.overdue} overdue" if self.overdue else ""
        return f"{self.force}: {self.closed} of {self.total} actions closed{overdue}"


@dataclass(frozen=True)
class ExpectationEvidence:
    key: str
    inspection: str
    inspection_title: str
    reference: str
    text: str
    rows: tuple[ExpectationUnitRow, ...]
    total: ExpectationUnitRow | None  # over the units not inside another unit of the pack
    actions: tuple[ActionLine, ...]


@dataclass(frozen=True)
class Pack:
    scope: str  # "force" or "region"
    code: str
    name: str
    as_of: date
    classification: str
    forces: tuple[str, ...]
    units: tuple[UnitSection, ...]
    expectations: tuple[ExpectationEvidence, ...]

    @property
    def filename(self) -> str:
        return f"inspection-pack-{self.code}-{self.as_of.isoformat()}.pdf"


# --- building ----------------------------------------------------------------------------


def build_force_pack(force: Force, *, as_of: date) -> Pack:
    return _build(
        scope="force",
        code=force.code,
        name=force.name,
        forces=[force],
        units=units_of_force(force),
        as_of=as_of,
    )


def build_region_pack(region: Region, *, as_of: date) -> Pack:
    return _build(
        scope="region",
        code=region.code,
        name=region.name,
        forces=list(region.forces.order_by("name")),
        units=units_of_region(region),
        as_of=as_of,
    )


def _build(*, scope, code, name, forces, units, as_of) -> Pack:
    units = _tree_order(list(units.order_by("name", "code")))
    ids = {u.pk for u in units}
    sections = []
    for unit in units:
        report = build_unit_report(unit, as_of=as_of)
        sections.append(
            UnitSection(
                report=report,
                evaluation=evaluate_unit(unit, as_of=as_of, report=report),
                is_root=unit.parent_id not in ids,
            )
        )
    return Pack(
        scope=scope,
        code=code,
        name=name,
        as_of=as_of,
        classification=settings.REGISTER_CLASSIFICATION,
        forces=tuple(f.name for f in forces),
        units=tuple(sections),
        expectations=_expectations(sections, forces, as_of),
    )


def _tree_order(units: list[Unit]) -> list[Unit]:
    """Each unit followed by the units inside it, siblings in name order."""
    ids = {u.pk for u in units}
    children: dict[int | None, list[Unit]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id if unit.parent_id in ids else None].append(unit)
    out: list[Unit] = []
    stack = list(reversed(children[None]))
    while stack:
        unit = stack.pop()
        out.append(unit)
        stack.extend(reversed(children.get(unit.pk, [])))
    return out


def _natural(text: str) -> tuple:
    """Sorts "5.9" before "5.56" and "AFI 2" before "AFI 10"."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def _expectations(sections: list[UnitSection], forces, as_of: date):
    found: dict[str, object] = {}
    rows: dict[str, list[ExpectationUnitRow]] = defaultdict(list)
    roots: dict[str, list[ExpectationUnitRow]] = defaultdict(list)
    for section in sections:
        report = section.report
        meeting, applying = _people_by_expectation(report)
        for line in report.expectations:
            found.setdefault(line.key, line)
            row = ExpectationUnitRow(
                unit_code=report.unit.code,
                unit_name=report.unit.name,
                people_meeting=meeting[line.key],
                people_applying=applying[line.key],
                requirements_met=line.requirements_met,
                requirements_total=line.requirements_total,
                targets_met=line.targets_met,
                targets_total=line.targets_total,
            )
            rows[line.key].append(row)
            if section.is_root:
                roots[line.key].append(row)
    plans = _action_lines(forces, as_of)
    out = []
    for key, line in found.items():
        total = None
        if len(rows[key]) > 1 and roots[key]:
            total = ExpectationUnitRow(
                unit_code="",
                unit_name="All units",
                **{
                    field: sum(getattr(r, field) for r in roots[key])
                    for field in (
                        "people_meeting",
                        "people_applying",
                        "requirements_met",
                        "requirements_total",
                        "targets_met",
                        "targets_total",
                    )
                },
            )
        out.append(
            ExpectationEvidence(
                key=key,
                inspection=line.inspection,
                inspection_title=line.inspection_title,
                reference=line.reference,
                text=line.text,
                rows=tuple(rows[key]),
                total=total,
                actions=plans.get(key, ()),
            )
        )
    out.sort(key=lambda e: (e.inspection, _natural(e.reference)))
    return tuple(out)


def _people_by_expectation(report: UnitReport) -> tuple[Counter, Counter]:
    """Per expectation key: people with a requirement counted for compliance that cites it
    (applying), and those of them meeting every such requirement (meeting)."""
    meeting: Counter = Counter()
    applying: Counter = Counter()
    for person in report.people:
        status: dict[str, bool] = {}
        for posting in person.postings:
            for req in posting.requirements:
                if not req.counted:
                    continue
                for ref in req.expectations:
                    status[ref.key] = status.get(ref.key, True) and req.is_met
        for key, met in status.items():
            applying[key] += 1
            meeting[key] += met
    return meeting, applying


def _action_lines(forces, as_of: date) -> dict[str, tuple[ActionLine, ...]]:
    """Each expectation's action status per force of the pack (two queries)."""
    plans = list(
        ActionPlan.objects.filter(force__in=forces).select_related(
            "force", "expectation__inspection"
        )
    )
    counts = {
        row["plan_id"]: row
        for row in Action.objects.filter(plan__in=plans)
        .values("plan_id")
        .annotate(
            total=Count("pk"),
            closed=Count("pk", filter=Q(status=ActionStatus.CLOSED)),
            overdue=Count("pk", filter=~Q(status=ActionStatus.CLOSED) & Q(due_on__lt=as_of)),
        )
        .order_by()
    }
    by_key: dict[str, dict[str, ActionLine]] = defaultdict(dict)
    for plan in plans:
        key = f"{plan.expectation.inspection.code} {plan.expectation.reference}"
        c = counts.get(plan.pk, {"total": 0, "closed": 0, "overdue": 0})
        by_key[key][plan.force.name] = ActionLine(
            force=plan.force.name,
            has_plan=True,
            closed=c["closed"],
            total=c["total"],
            overdue=c["overdue"],
        )
    out = {}
    for key, lines in by_key.items():
        out[key] = tuple(
            lines.get(f.name, ActionLine(f.name, has_plan=False, closed=0, total=0, overdue=0))
            for f in forces
        )
    return out


# --- rendering ----------------------------------------------------------------------------


def unit_context(s: UnitSection) -> dict:
    """One unit's labels for the pack and the evaluation page."""
    return {
        "section": s,
        "report": s.report,
        "summary": s.report.summary,
        "evaluation": s.evaluation,
        "compliance": s.compliance,
        "targets_met": of_label(s.report.summary.targets_met, s.report.summary.targets_total),
        "earliest_cliff": day_label(s.earliest_cliff),
        "targets": [
            {
                "label": f"{t.capability.name} L{t.level}",
                "key": t.key,
                "minimum": t.minimum,
                "headcount": t.headcount,
                "shortfall": t.shortfall,
                "status": "met" if t.is_met else "short",
                "cliff": day_label(t.cliff_date),
                "expectations": "; ".join(r.label for r in t.expectations) or NOTHING,
            }
            for t in s.report.targets
        ],
        "months": [
            {
                "month": m.month_end.strftime("%b %Y"),
                "people": m.people,
                "hours": hours_label(m.hours),
                "committed": hours_label(m.committed),
                "share": percent(m.share),
            }
            for m in s.evaluation.months
        ],
        "people": [
            {
                "p": p,
                "commitment": hours_label(p.commitment),
                "hours": hours_label(p.hours_12_months),
                "type": person_type_label(p.person),
            }
            for p in s.evaluation.people
        ],
        "hours_12": hours_label(s.evaluation.hours_12_months),
        "committed_12": hours_label(s.evaluation.committed_12_months),
        "share_12": percent(s.evaluation.share_12_months),
    }


def pack_context(pack: Pack) -> dict:
    return {
        "pack": pack,
        "classification": pack.classification,
        "units": [unit_context(s) for s in pack.units],
        "expectations": [
            {
                "evidence": e,
                "rows": [_row_labels(r) for r in e.rows],
                "total": _row_labels(e.total) if e.total else None,
            }
            for e in pack.expectations
        ],
    }


def _row_labels(row: ExpectationUnitRow) -> dict:
    return {
        "unit": f"{row.unit_name} ({row.unit_code})" if row.unit_code else row.unit_name,
        "people": of_label(row.people_meeting, row.people_applying),
        "requirements": of_label(row.requirements_met, row.requirements_total),
        "targets": of_label(row.targets_met, row.targets_total),
        "is_total": not row.unit_code,
    }


def render_pack_pdf(pack: Pack) -> bytes:
    from xhtml2pdf import pisa

    html = render_to_string("skills/evaluation/pack_pdf.html", pack_context(pack))
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8")
    if result.err:
        raise RuntimeError(f"xhtml2pdf could not render the pack ({result.err} errors)")
    return out.getvalue()
