"""GOV.UK tables (templates/components/table.html) for the unit resilience report page.

Every table reads the frozen report (skills.coverage.data) and the labels of
skills.report.renderers, so the page shows the same words and figures as the PDF, CSV, XLSX
and JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from skills.coverage import UnitReport
from skills.coverage.data import PersonLine, PersonRef
from skills.report.renderers import (
    ASKED_BY,
    NOTHING,
    capability_label,
    cause_label,
    day_label,
    expectation_label,
    held_until_label,
    person_type_label,
    target_status,
)

NUMERIC = {"numeric": True}
ROW_HEADER = {"row_header": True}
# govuk-tag colours; every tag also says its status in words.
TAG_CLASSES = {
    "met": "govuk-tag--green",
    "expiring": "govuk-tag--yellow",
    "pending": "govuk-tag--light-blue",
    "due": "govuk-tag--grey",
    "missing": "govuk-tag--red",
    "short": "govuk-tag--red",
    "held": "govuk-tag--turquoise",
    "not held": "govuk-tag--grey",
}


def tag(status: str, text: str | None = None):
    return format_html(
        '<strong class="govuk-tag {}">{}</strong>', TAG_CLASSES.get(status, ""), text or status
    )


def person_link(person: PersonRef, visible_ids=None):
    """The person's label, linked to their record if the viewer may open it (``visible_ids``
    None: every person)."""
    if visible_ids is not None and person.id not in visible_ids:
        return person.label
    return format_html(
        '<a class="govuk-link" href="{}">{}</a>',
        reverse("people:person_detail", args=[person.id]),
        person.label,
    )


def _day(day):
    """An ISO date that does not wrap at its hyphens."""
    return format_html('<span class="register-nowrap">{}</span>', day_label(day))


def _refs(refs) -> str:
    return "; ".join(ref.label for ref in refs) or NOTHING


# --- the people × capabilities matrix ------------------------------------------------------


@dataclass(frozen=True)
class MatrixCell:
    status: str  # a requirement status, "held" or "not held"
    text: str  # the words on the tag, e.g. "met L2"
    detail: str  # held until / deadline, in words
    href: str  # the evidence behind the cell: the completion, or the person's record; "" if
    # the viewer may not open it


def matrix_capabilities(report: UnitReport) -> list[tuple[str, str]]:
    """(code, name) of every capability the unit's targets or its people's roles ask for, in
    the order targets then requirements first name them."""
    seen: dict[str, str] = {}
    for t in report.targets:
        seen.setdefault(t.capability.code, t.capability.name)
    for line in report.people:
        for posting in line.postings:
            for req in posting.requirements:
                seen.setdefault(req.capability.code, req.capability.name)
    return list(seen.items())


def _cell(line: PersonLine, code: str, targeted: set[str], evidence: dict, person_href: str):
    href = person_href
    for posting in line.postings:
        for req in posting.requirements:
            if req.capability.code != code:
                continue
            if req.is_met:
                until = held_until_label(req)
                detail = until if req.held_until is None else f"held until {until}"
            elif req.status in ("due", "missing"):
                detail = f"deadline {day_label(req.deadline)}"
            else:
                detail = "evidence awaiting verification"
            completion_id = evidence.get((line.person.id, code))
            if req.status == "expiring" and completion_id and person_href:
                href = reverse("courses:completion_detail", args=[completion_id])
            return MatrixCell(req.status, f"{req.status} L{req.level}", detail, href)
    holding = line.holding(code)
    if holding is not None:
        until = f"until {day_label(holding.held_until)}" if holding.held_until else "never expires"
        completion_id = evidence.get((line.person.id, code))
        if completion_id and person_href:
            href = reverse("courses:completion_detail", args=[completion_id])
        return MatrixCell("held", f"holds L{holding.level}", until, href)
    if code in targeted:
        return MatrixCell("not held", "not held", "", href)
    return None


class _MatrixRow(dict):
    """A row of the page's matrix whose ``cells`` are worked out when first read: the page
    reads only the rows of the page it shows."""

    def __init__(self, make_cells, **fields):
        super().__init__(**fields)
        self._make_cells = make_cells

    def __missing__(self, key):
        if key != "cells":
            raise KeyError(key)
        cells = self["cells"] = self._make_cells()
        return cells


def matrix_rows(report: UnitReport, visible_ids=None, *, lazy: bool = False) -> list[dict]:
    """One row per person in the unit: their role and a cell per matrix capability. Cells
    link to evidence only for people in ``visible_ids`` (None: everyone). ``lazy``: each
    row's cells are worked out when first read (the page, which shows 25 rows at a time)."""
    capabilities = matrix_capabilities(report)
    targeted = {t.capability.code for t in report.targets}
    # The completion that expires soonest behind a capability is the evidence to look at.
    evidence: dict[tuple[int, str], int] = {}
    for e in report.expiring:
        for cap in e.capabilities:
            if e.completion_id:
                evidence.setdefault((e.person.id, cap.capability.code), e.completion_id)

    def cells_of(line: PersonLine):
        if visible_ids is not None and line.person.id not in visible_ids:
            person_href = ""
        else:
            person_href = reverse("people:person_detail", args=[line.person.id])
        return {
            code: _cell(line, code, targeted, evidence, person_href) for code, _name in capabilities
        }

    rows = []
    for line in report.people:
        if lazy:
            make = partial(cells_of, line)
            rows.append(_MatrixRow(make, person=line.person, role=line.role.name))
        else:
            rows.append({"person": line.person, "role": line.role.name, "cells": cells_of(line)})
    return rows


class CellColumn(tables.Column):
    """One capability of the matrix: a tag with the status in words, linked to the evidence."""

    def __init__(self, code: str, **kwargs):
        self.code = code
        super().__init__(accessor="cells", orderable=False, empty_values=(), **kwargs)

    def render(self, value):
        cell = value.get(self.code)
        if cell is None:
            return mark_safe('<span class="govuk-hint">not asked</span>')
        detail = format_html('<br><span class="govuk-body-s">{}</span>', cell.detail)
        if not cell.href:
            return format_html("{}{}", tag(cell.status, cell.text), detail if cell.detail else "")
        return format_html(
            '<a class="govuk-link register-matrix__link" href="{}">{}</a>{}',
            cell.href,
            tag(cell.status, cell.text),
            detail if cell.detail else "",
        )


class MatrixTable(tables.Table):
    wide = True  # a matrix: the whole width of a large screen
    caption = "People and capabilities"
    caption_class = "govuk-visually-hidden"
    noun_plural = "people"

    person = tables.Column(verbose_name="Person", orderable=False, attrs=ROW_HEADER)
    role = tables.Column(verbose_name="Role", orderable=False)

    class Meta:
        empty_text = "Nobody is in the unit on this date."
        attrs = {"class": "register-matrix"}

    def __init__(self, report: UnitReport, *, visible_ids=None, **kwargs):
        self.visible_ids = visible_ids
        extra = [
            (f"cap_{i}", CellColumn(code, verbose_name=name))
            for i, (code, name) in enumerate(matrix_capabilities(report))
        ]
        rows = matrix_rows(report, visible_ids, lazy=True)
        super().__init__(rows, extra_columns=extra, **kwargs)

    def render_person(self, value):
        return person_link(value, self.visible_ids)


# --- the report's other tables -------------------------------------------------------------


class ReportTable(tables.Table):
    """Links people (and their completions) only if the viewer may open them."""

    def __init__(self, data, *, visible_ids=None, **kwargs):
        self.visible_ids = visible_ids
        super().__init__(data, **kwargs)

    def may_open(self, person: PersonRef) -> bool:
        return self.visible_ids is None or person.id in self.visible_ids


class TargetTable(ReportTable):
    wide = True  # a matrix: the whole width of a large screen
    caption = "Targets"
    caption_class = "govuk-visually-hidden"

    capability = tables.Column(verbose_name="Capability and level", attrs=ROW_HEADER)
    minimum = tables.Column(verbose_name="Minimum", attrs=NUMERIC)
    headcount = tables.Column(verbose_name="Headcount", attrs=NUMERIC)
    shortfall = tables.Column(verbose_name="Shortfall", attrs=NUMERIC)
    status = tables.Column(verbose_name="Status", accessor="shortfall", empty_values=())
    cliff_date = tables.Column(verbose_name="Cliff date", empty_values=())
    expectations = tables.Column(verbose_name="Expectations", empty_values=())
    causes = tables.Column(verbose_name="Causes", empty_values=())

    class Meta:
        empty_text = "No resilience targets apply to this unit."
        orderable = False

    def render_capability(self, record):
        return capability_label(record.capability, record.level)

    def render_status(self, record):
        return tag(target_status(record))

    def render_cliff_date(self, value):
        return _day(value)

    def render_expectations(self, value):
        return _refs(value)

    def render_causes(self, value):
        if not value:
            return NOTHING
        return format_html(
            '<ul class="govuk-list govuk-body-s">{}</ul>',
            format_html_join("", "<li>{}</li>", ((cause_label(c),) for c in value)),
        )


class SinglePointTable(ReportTable):
    caption = "Single points of failure"
    caption_class = "govuk-visually-hidden"

    capability = tables.Column(verbose_name="Capability and level", attrs=ROW_HEADER)
    person = tables.Column(verbose_name="Only holder")
    asked_by = tables.Column(verbose_name="Asked for by")

    class Meta:
        empty_text = "No capability asked for is held by exactly one person."
        orderable = False

    def render_capability(self, record):
        return capability_label(record.capability, record.level)

    def render_person(self, value):
        return person_link(value, self.visible_ids)

    def render_asked_by(self, value):
        return "; ".join(ASKED_BY[a] for a in value)


class ExpiringTable(ReportTable):
    """Paginated and sortable on the page (``prefix="e-"``): a large unit expires thousands."""

    caption = "Expiring in the next 90 days"
    caption_class = "govuk-visually-hidden"
    noun_plural = "completions"

    person = tables.Column(verbose_name="Person", order_by=("person__name", "person__id"))
    activity = tables.Column(verbose_name="Activity", accessor="activity__title")
    completed_on = tables.Column(verbose_name="Completed on")
    expires_on = tables.Column(verbose_name="Expires on")
    capabilities = tables.Column(verbose_name="Capabilities", empty_values=(), orderable=False)

    class Meta:
        empty_text = "Nothing expires in the next 90 days."

    def render_person(self, value):
        return person_link(value, self.visible_ids)

    def render_activity(self, record):
        if record.completion_id is None:
            return f"{record.activity.title} (planned)"
        if not self.may_open(record.person):
            return record.activity.title
        return format_html(
            '<a class="govuk-link" href="{}">{}</a>',
            reverse("courses:completion_detail", args=[record.completion_id]),
            record.activity.title,
        )

    def render_completed_on(self, value):
        return _day(value)

    def render_expires_on(self, value):
        return _day(value)

    def render_capabilities(self, value):
        return "; ".join(capability_label(c.capability, c.level) for c in value) or NOTHING


class DeploymentTable(ReportTable):
    """Paginated and sortable on the page (``prefix="s-"``): one row per special or
    volunteer."""

    caption = "Specials and volunteers: deployment"
    caption_class = "govuk-table__caption--s"
    noun_plural = "specials and volunteers"

    person = tables.Column(verbose_name="Person", order_by=("person__name", "person__id"))
    person_type = tables.Column(
        verbose_name="Type",
        accessor="person",
        empty_values=(),
        order_by=("person__person_type", "person__name"),
    )
    hours_12_months = tables.Column(verbose_name="Hours in 12 months", attrs=NUMERIC)
    last_deployed_on = tables.Column(verbose_name="Last deployed", empty_values=())
    monthly_hours_commitment = tables.Column(
        verbose_name="Hours a month agreed", attrs=NUMERIC, empty_values=()
    )
    not_deployed = tables.Column(
        verbose_name="Not deployed in 6 months",
        accessor="person",
        empty_values=(),
        orderable=False,
    )

    class Meta:
        empty_text = "No specials or volunteers are in the unit."

    def __init__(self, data, *, not_deployed_ids, **kwargs):
        self.not_deployed_ids = not_deployed_ids
        super().__init__(data, **kwargs)

    def render_person(self, value):
        return person_link(value, self.visible_ids)

    def render_person_type(self, value):
        return person_type_label(value)

    def render_hours_12_months(self, value):
        return f"{float(value):g}"

    def render_last_deployed_on(self, value):
        return _day(value)

    def render_monthly_hours_commitment(self, value):
        return NOTHING if value is None else value

    def render_not_deployed(self, value):
        return "yes" if value.id in self.not_deployed_ids else "no"


class DependedTable(ReportTable):
    caption = "Held only by specials or volunteers"
    caption_class = "govuk-table__caption--s"

    capability = tables.Column(verbose_name="Capability and level", attrs=ROW_HEADER)
    holders = tables.Column(verbose_name="Holders")

    class Meta:
        empty_text = "The unit depends on specials or volunteers alone for nothing it is asked for."
        orderable = False

    def render_capability(self, record):
        return capability_label(record.capability, record.level)

    def render_holders(self, value):
        return format_html_join("; ", "{}", ((person_link(p, self.visible_ids),) for p in value))


class ExpectationTable(ReportTable):
    caption = "Expectation by expectation"
    caption_class = "govuk-visually-hidden"

    expectation = tables.Column(verbose_name="Expectation", accessor="key", attrs=ROW_HEADER)
    text = tables.Column(verbose_name="Paraphrase")
    targets = tables.Column(verbose_name="Targets met", accessor="key", attrs=NUMERIC)
    requirements = tables.Column(verbose_name="Requirements met", accessor="key", attrs=NUMERIC)
    words = tables.Column(verbose_name="In words", accessor="key")

    class Meta:
        empty_text = "No target or requirement of this unit cites an expectation."
        orderable = False

    def render_expectation(self, record):
        return format_html(
            '{} {}<br><span class="govuk-body-s">{}</span>',
            record.inspection,
            record.reference,
            record.inspection_title,
        )

    def render_targets(self, record):
        return f"{record.targets_met} of {record.targets_total}"

    def __init__(self, data, *, trace_url=None, **kwargs):
        # The unit's trace page (skills:unit_trace with its as_of); figures link to it.
        self.trace_url = trace_url
        super().__init__(data, **kwargs)

    def render_requirements(self, record):
        figure = f"{record.requirements_met} of {record.requirements_total}"
        if not self.trace_url:
            return figure
        return format_html(
            '<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden"> for {} {}:'
            " which requirements, people and evidence</span></a>",
            f"{self.trace_url}&{urlencode({'expectation': record.key})}",
            figure,
            record.inspection,
            record.reference,
        )

    def render_words(self, record):
        return expectation_label(record)
