"""The report's JSON form: the stable contract documented in docs/report-json.md."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from skills.coverage.data import (
    Cause,
    ExpectationRef,
    Holding,
    PersonRef,
    PostingRequirements,
    RequirementLine,
    UnitReport,
    WhatIf,
)

JSON_VERSION = 1


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _hours(value: Decimal) -> float:
    return float(value)


def person_dict(person: PersonRef) -> dict:
    return {
        "id": person.id,
        "name": person.name,
        "rank": person.rank,
        "staff_number": person.staff_number,
        "force": person.force,
        "force_code": person.force_code,
        "person_type": person.person_type,
    }


def _expectation(ref: ExpectationRef) -> dict:
    return {"key": ref.key, "label": ref.label}


def _cause(cause: Cause) -> dict:
    return {
        "at": _iso(cause.at),
        "on": _iso(cause.on),
        "person": person_dict(cause.person),
        "kind": cause.kind,
        "why": cause.why,
    }


def requirement_dict(line: RequirementLine) -> dict:
    return {
        "order": line.order,
        "capability": line.capability.code,
        "capability_name": line.capability.name,
        "level": line.level,
        "mandatory": line.mandatory,
        "status": line.status,
        "deadline": _iso(line.deadline),
        "held_until": _iso(line.held_until),
        "counted": line.counted,
        "expectations": [ref.key for ref in line.expectations],
    }


def posting_dict(posting: PostingRequirements) -> dict:
    return {
        "posting_id": posting.posting_id,
        "unit": posting.unit_code,
        "role": posting.role.code,
        "role_name": posting.role.name,
        "start": _iso(posting.start),
        "last_day": _iso(posting.last_day),
        "fund": posting.fund,
        "progress": _ratio(posting.progress),
        "requirements": [requirement_dict(line) for line in posting.requirements],
    }


def _holding(holding: Holding) -> dict:
    return {
        "capability": holding.capability.code,
        "capability_name": holding.capability.name,
        "level": holding.level,
        "held_until": _iso(holding.held_until),
    }


def what_if_dict(what_if: WhatIf | None) -> dict | None:
    if not what_if:
        return None
    return {
        "without_people": sorted(what_if.without_people),
        "fund_ends": {code: _iso(day) for code, day in sorted(what_if.fund_ends.items())},
        "planned": [
            {
                "activity": plan.activity_code,
                "people": sorted(plan.person_ids),
                "completed_on": _iso(plan.completed_on),
            }
            for plan in what_if.planned
        ],
    }


def report_to_dict(report: UnitReport) -> dict:
    """The unit report as JSON-ready data: dates as ISO strings, ratios 0–1 rounded to four
    places, null where there is nothing to count."""
    # Like the build, this allocates millions of small objects for a large unit and no cyclic
    # garbage: pausing the collector halves its time (docs/benchmarks.md).
    from skills.coverage.engine import cyclic_gc_paused

    with cyclic_gc_paused():
        return _report_to_dict(report)


def _report_to_dict(report: UnitReport) -> dict:
    unit = report.unit
    summary = report.summary
    sv = report.specials_and_volunteers
    return {
        "version": JSON_VERSION,
        "unit": {
            "code": unit.code,
            "name": unit.name,
            "kind": unit.kind,
            "joint": unit.is_joint,
            "parent": unit.parent_code,
            "forces": [{"code": f.code, "name": f.name} for f in unit.forces],
        },
        "as_of": _iso(report.as_of),
        "horizon": report.horizon,
        "what_if": what_if_dict(report.what_if),
        "summary": {
            "people": summary.people,
            "compliance": _ratio(summary.compliance),
            "requirements_counted": summary.requirements_counted,
            "requirements_met": summary.requirements_met,
            "targets_total": summary.targets_total,
            "targets_met": summary.targets_met,
            "targets_short": summary.targets_short,
            "single_points_of_failure": summary.single_points_of_failure,
            "expiring": summary.expiring,
            "specials": summary.specials,
            "volunteers": summary.volunteers,
        },
        "targets": [
            {
                "key": t.key,
                "capability": t.capability.code,
                "capability_name": t.capability.name,
                "level": t.level,
                "minimum": t.minimum,
                "headcount": t.headcount,
                "shortfall": t.shortfall,
                "cliff_date": _iso(t.cliff_date),
                "scope": t.scope,
                "illustrative": t.illustrative,
                "expectations": [_expectation(ref) for ref in t.expectations],
                "holders": [p.id for p in t.holders],
                "causes": [_cause(c) for c in t.causes],
            }
            for t in report.targets
        ],
        "single_points_of_failure": [
            {
                "capability": s.capability.code,
                "capability_name": s.capability.name,
                "level": s.level,
                "person": person_dict(s.person),
                "asked_by": list(s.asked_by),
            }
            for s in report.single_points_of_failure
        ],
        "people": [
            {
                "person": person_dict(line.person),
                **posting_dict(line.posting),
                "holdings": [_holding(h) for h in line.holdings],
                "other_postings": [posting_dict(p) for p in line.postings[1:]],
            }
            for line in report.people
        ],
        "expiring": [
            {
                "person": person_dict(e.person),
                "activity": e.activity.code,
                "activity_title": e.activity.title,
                "completion_id": e.completion_id,
                "completed_on": _iso(e.completed_on),
                "expires_on": _iso(e.expires_on),
                "capabilities": [
                    {"capability": c.capability.code, "level": c.level} for c in e.capabilities
                ],
            }
            for e in report.expiring
        ],
        "specials_and_volunteers": {
            "specials": sv.specials,
            "volunteers": sv.volunteers,
            "depended_on": [
                {
                    "capability": d.capability.code,
                    "capability_name": d.capability.name,
                    "level": d.level,
                    "holders": [p.id for p in d.holders],
                }
                for d in sv.depended_on
            ],
            "hours_deployed_12_months": _hours(sv.hours_deployed_12_months),
            "not_deployed_6_months": [person_dict(p) for p in sv.not_deployed_6_months],
            "people": [
                {
                    "person": person_dict(line.person),
                    "hours_12_months": _hours(line.hours_12_months),
                    "last_deployed_on": _iso(line.last_deployed_on),
                    "monthly_hours_commitment": line.monthly_hours_commitment,
                }
                for line in sv.people
            ],
        },
        "forecast": [
            {"month": _iso(point.month_end), "headcounts": dict(point.headcounts)}
            for point in report.forecast
        ],
        "expectations": [
            {
                "key": e.key,
                "reference": e.reference,
                "inspection": e.inspection,
                "inspection_title": e.inspection_title,
                "text": e.text,
                "met": e.targets_met + e.requirements_met,
                "total": e.targets_total + e.requirements_total,
                "targets": {"met": e.targets_met, "total": e.targets_total},
                "requirements": {"met": e.requirements_met, "total": e.requirements_total},
            }
            for e in report.expectations
        ],
    }
