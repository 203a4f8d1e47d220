"""Renders one ``UnitReport`` as JSON, CSV, XLSX, PDF or standalone HTML.

Every format reads the same frozen report (skills.coverage.data) and none queries or
recomputes a figure; the labels here (dates, percentages, people) are shared by all formats so
that they agree. ``sections()`` lists the tables every format shows, in reading order.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
from collections import namedtuple
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import pygal
import tablib
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from pygal.style import Style

from courses.exports import neutralise, neutralise_row
from skills.coverage import UnitReport, report_to_dict
from skills.coverage.data import (
    ASKED_BY_REQUIREMENT,
    ASKED_BY_TARGET,
    CapabilityRef,
    Cause,
    ExpectationLine,
    PersonRef,
    TargetLine,
    WhatIf,
)

FORMATS = ("html", "pdf", "csv", "xlsx", "json")
CONTENT_TYPES = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}
LEVELS = {1: "awareness", 2: "practitioner", 3: "expert"}
PERSON_TYPES = {
    "officer": "Police officer",
    "staff": "Police staff",
    "special": "Special constable",
    "volunteer": "Volunteer",
}
ASKED_BY = {ASKED_BY_TARGET: "target", ASKED_BY_REQUIREMENT: "mandatory requirement"}
NOTHING = "–"  # shown where there is nothing to count (JSON null), never 0 % or 100 %


@dataclass(frozen=True)
class RenderedReport:
    content: bytes
    content_type: str
    filename: str


# --- labels shared by every format --------------------------------------------------------


def day_label(day: date | None) -> str:
    """ISO date, or "–" for none: unambiguous in every format and sorts as text."""
    return day.isoformat() if day else NOTHING


def long_date(day: date) -> str:
    """``31 March 2025``, as GOV.UK writes dates in prose."""
    return f"{day.day} {day:%B %Y}"


def percent(ratio: float | None) -> str:
    """``82.1%``; "–" when nothing is counted. Never rounds a shortfall up to 100%."""
    if ratio is None:
        return NOTHING
    value = round(ratio * 100, 1)
    if value == 100 and ratio < 1:
        value = 99.9
    return f"{value:.1f}%"


def capability_label(capability: CapabilityRef, level: int) -> str:
    """``Network investigation L2 (practitioner)``."""
    return f"{capability.name} L{level} ({LEVELS.get(level, level)})"


def person_type_label(person: PersonRef) -> str:
    return PERSON_TYPES.get(person.person_type, person.person_type)


def cause_label(cause: Cause) -> str:
    """``by 2025-07-31: Mohammed Lee – activity X expires on 2025-07-20``."""
    return f"by {day_label(cause.at)}: {cause.person.name} – {cause.why}"


def expectation_label(line: ExpectationLine) -> str:
    """``HMIC 2015 5.56: 1 of 1 targets met; 41 of 47 requirements met``."""
    parts = []
    if line.targets_total:
        parts.append(f"{line.targets_met} of {line.targets_total} targets met")
    if line.requirements_total:
        parts.append(f"{line.requirements_met} of {line.requirements_total} requirements met")
    return f"{line.inspection} {line.reference}: {'; '.join(parts) or 'nothing counted yet'}"


def target_status(line: TargetLine) -> str:
    return "met" if line.is_met else "short"


def earliest_cliff_date(report: UnitReport) -> date | None:
    """The first cliff date among the targets (none if no target falls short)."""
    days = [t.cliff_date for t in report.targets if t.cliff_date]
    return min(days) if days else None


def what_if_lines(
    what_if: WhatIf | None,
    report: UnitReport | None = None,
    leavers: Mapping[int, str] | None = None,
) -> list[str]:
    """What a what-if changed, in words, for banners and cover pages. People who leave are
    no longer in the report: ``leavers`` names them ({person id: label}), else ids are shown."""
    if not what_if:
        return []
    names = {}
    if report is not None:
        for line in report.people:
            names[line.person.id] = line.person.name
    lines = []
    if what_if.without_people:
        leavers = leavers or {}
        if all(pid in leavers for pid in what_if.without_people):
            who = "; ".join(leavers[pid] for pid in sorted(what_if.without_people))
            lines.append(f"These people leave the unit: {who}")
        else:
            ids = ", ".join(str(pid) for pid in sorted(what_if.without_people))
            lines.append(f"Without people (ids): {ids}")
    for code, day in sorted(what_if.fund_ends.items()):
        lines.append(f"Fund {code} ends on {day_label(day)}")
    for plan in what_if.planned:
        who = ", ".join(names.get(pid, f"id {pid}") for pid in sorted(plan.person_ids))
        lines.append(f"{plan.activity_code} completed on {day_label(plan.completed_on)} by {who}")
    return lines


def filename_for(report: UnitReport, fmt: str) -> str:
    suffix = "-what-if" if report.what_if else ""
    return f"resilience-{report.unit.code}-{report.as_of.isoformat()}{suffix}.{fmt}"


# --- the tabular sections (CSV, XLSX; the PDF and HTML show the same rows) -----------------


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple, ...]


# Each section's rows, named so that templates read fields by name (report_pdf.html,
# report_standalone.html) and CSV/XLSX write them as the plain tuples they are. The forecast
# and the matrix have a column per target or capability and stay plain tuples.
TargetRow = namedtuple(
    "TargetRow",
    "capability_code capability level minimum headcount shortfall status cliff_date "
    "expectations causes scope illustrative",
)
SinglePointRow = namedtuple(
    "SinglePointRow", "capability_code capability level person_id person asked_by"
)
RequirementRow = namedtuple(
    "RequirementRow",
    "person_id person person_type role posting_start last_day fund progress capability_code "
    "capability level mandatory status deadline held_until counted expectations",
)
ExpiringRow = namedtuple(
    "ExpiringRow",
    "person_id person activity_code activity completed_on expires_on capabilities",
)
DeploymentRow = namedtuple(
    "DeploymentRow",
    "person_id person person_type hours_12_months last_deployed_on monthly_hours not_deployed",
)
DependedRow = namedtuple("DependedRow", "capability_code capability level holders")
ExpectationRow = namedtuple(
    "ExpectationRow",
    "key inspection reference text targets_met targets_total requirements_met "
    "requirements_total words",
)


def summary_rows(report: UnitReport, leavers=None) -> list[tuple[str, object]]:
    s = report.summary
    sv = report.specials_and_volunteers
    return [
        ("Unit", report.unit.name),
        ("Unit code", report.unit.code),
        ("As of", day_label(report.as_of)),
        ("Forecast horizon (months)", report.horizon),
        (
            "What-if (not saved)",
            "; ".join(what_if_lines(report.what_if, report, leavers)) or "none",
        ),
        ("Classification", settings.REGISTER_CLASSIFICATION),
        ("People", s.people),
        ("Compliance", percent(s.compliance)),
        ("Requirements counted", s.requirements_counted),
        ("Requirements met or expiring", s.requirements_met),
        ("Targets", s.targets_total),
        ("Targets met", s.targets_met),
        ("Targets short", s.targets_short),
        ("Single points of failure", s.single_points_of_failure),
        ("Earliest cliff date", day_label(earliest_cliff_date(report))),
        ("Expiring in the next 90 days", s.expiring),
        ("Specials", s.specials),
        ("Volunteers", s.volunteers),
        (
            "Hours deployed in 12 months (specials and volunteers)",
            float(sv.hours_deployed_12_months),
        ),
    ]


NOT_ASKED = "not asked"


def matrix_section(report: UnitReport) -> Section:
    """The page's people × capabilities grid as it shows it: a row per person, a column per
    capability in the page's order, each cell the tag and its detail ("met L2, held until
    30 June 2026"); "not asked" where the page says so (issue 15)."""
    # skills.report.tables draws the page's grid and imports this module: import it when asked.
    from skills.report.tables import matrix_capabilities, matrix_rows

    capabilities = matrix_capabilities(report)
    rows = []
    for row in matrix_rows(report):
        cells = []
        for code, _name in capabilities:
            cell = row["cells"].get(code)
            if cell is None:
                cells.append(NOT_ASKED)
            else:
                cells.append(f"{cell.text}, {cell.detail}" if cell.detail else cell.text)
        rows.append((row["person"].label, row["role"], *cells))
    headers = ("Person", "Role", *(name for _code, name in capabilities))
    return Section("matrix", "People and capabilities", headers, tuple(rows))


def forecast_section(report: UnitReport) -> Section:
    """The forecast's headcounts per month end (the chart's figures), on their own: the page
    shows them without building every other section."""
    keys = [t.key for t in report.targets]
    return Section(
        "forecast",
        "Forecast headcounts",
        ("Month end", *keys),
        (
            ("Minimum", *(t.minimum for t in report.targets)),
            (f"{day_label(report.as_of)} (as of)", *(t.headcount for t in report.targets)),
            *(
                (day_label(p.month_end), *(p.headcounts.get(k, 0) for k in keys))
                for p in report.forecast
            ),
        ),
    )


def sections(report: UnitReport, leavers=None) -> list[Section]:
    """Every table of the report as plain rows, in reading order."""
    out = [Section("summary", "Summary", ("Figure", "Value"), tuple(summary_rows(report, leavers)))]
    out.append(
        Section(
            "targets",
            "Targets",
            (
                "Capability code",
                "Capability",
                "Level",
                "Minimum",
                "Headcount",
                "Shortfall",
                "Status",
                "Cliff date",
                "Expectations",
                "Causes",
                "Scope",
                "Illustrative",
            ),
            tuple(
                TargetRow(
                    t.capability.code,
                    t.capability.name,
                    t.level,
                    t.minimum,
                    t.headcount,
                    t.shortfall,
                    target_status(t),
                    day_label(t.cliff_date),
                    "; ".join(ref.label for ref in t.expectations),
                    "; ".join(cause_label(c) for c in t.causes),
                    t.scope,
                    "yes" if t.illustrative else "no",
                )
                for t in report.targets
            ),
        )
    )
    out.append(
        Section(
            "single_points_of_failure",
            "Single points of failure",
            ("Capability code", "Capability", "Level", "Person id", "Person", "Asked for by"),
            tuple(
                SinglePointRow(
                    s.capability.code,
                    s.capability.name,
                    s.level,
                    s.person.id,
                    s.person.label,
                    "; ".join(ASKED_BY[a] for a in s.asked_by),
                )
                for s in report.single_points_of_failure
            ),
        )
    )
    out.append(matrix_section(report))
    out.append(
        Section(
            "people_requirements",
            "People and requirements",
            (
                "Person id",
                "Person",
                "Person type",
                "Role",
                "Posting start",
                "Last day",
                "Fund",
                "Pathway progress",
                "Capability code",
                "Capability",
                "Level",
                "Mandatory",
                "Status",
                "Deadline",
                "Held until",
                "Counted for compliance",
                "Expectations",
            ),
            tuple(
                RequirementRow(
                    line.person.id,
                    line.person.label,
                    person_type_label(line.person),
                    posting.role.name,
                    day_label(posting.start),
                    day_label(posting.last_day),
                    posting.fund or "core budget",
                    percent(posting.progress),
                    req.capability.code,
                    req.capability.name,
                    req.level,
                    "yes" if req.mandatory else "no",
                    req.status,
                    day_label(req.deadline),
                    held_until_label(req),
                    "yes" if req.counted else "no",
                    "; ".join(ref.label for ref in req.expectations),
                )
                for line in report.people
                for posting in line.postings
                for req in posting.requirements
            ),
        )
    )
    out.append(
        Section(
            "expiring",
            "Expiring in the next 90 days",
            (
                "Person id",
                "Person",
                "Activity code",
                "Activity",
                "Completed on",
                "Expires on",
                "Capabilities",
            ),
            tuple(
                ExpiringRow(
                    e.person.id,
                    e.person.label,
                    e.activity.code,
                    e.activity.title,
                    day_label(e.completed_on),
                    day_label(e.expires_on),
                    "; ".join(capability_label(c.capability, c.level) for c in e.capabilities),
                )
                for e in report.expiring
            ),
        )
    )
    out.append(forecast_section(report))
    sv = report.specials_and_volunteers
    not_deployed = {p.id for p in sv.not_deployed_6_months}
    out.append(
        Section(
            "specials_and_volunteers",
            "Specials and volunteers",
            (
                "Person id",
                "Person",
                "Person type",
                "Hours deployed in 12 months",
                "Last deployed on",
                "Monthly hours agreed",
                "Not deployed in 6 months",
            ),
            tuple(
                DeploymentRow(
                    d.person.id,
                    d.person.label,
                    person_type_label(d.person),
                    float(d.hours_12_months),
                    day_label(d.last_deployed_on),
                    NOTHING if d.monthly_hours_commitment is None else d.monthly_hours_commitment,
                    "yes" if d.person.id in not_deployed else "no",
                )
                for d in sv.people
            ),
        )
    )
    out.append(
        Section(
            "depended_on_specials",
            "Held only by specials or volunteers",
            ("Capability code", "Capability", "Level", "Holders"),
            tuple(
                DependedRow(
                    d.capability.code,
                    d.capability.name,
                    d.level,
                    "; ".join(p.label for p in d.holders),
                )
                for d in sv.depended_on
            ),
        )
    )
    out.append(
        Section(
            "expectations",
            "Expectations",
            (
                "Expectation",
                "Inspection",
                "Reference",
                "Paraphrase",
                "Targets met",
                "Targets",
                "Requirements met",
                "Requirements counted",
                "In words",
            ),
            tuple(
                ExpectationRow(
                    e.key,
                    e.inspection,
                    e.reference,
                    e.text,
                    e.targets_met,
                    e.targets_total,
                    e.requirements_met,
                    e.requirements_total,
                    expectation_label(e),
                )
                for e in report.expectations
            ),
        )
    )
    return out


def held_until_label(req) -> str:
    """When a met or expiring requirement stops being held; "never expires" if never."""
    if not req.is_met:
        return NOTHING
    return day_label(req.held_until) if req.held_until else "never expires"


# --- the forecast chart --------------------------------------------------------------------

CHART_STYLE = Style(
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#0b0c0c",
    foreground_strong="#0b0c0c",
    foreground_subtle="#b1b4b6",
    font_family="Arial, sans-serif",
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=11,
    title_font_size=14,
    colors=(
        "#1d70b8",
        "#d4351c",
        "#00703c",
        "#4c2c92",
        "#f47738",
        "#003078",
        "#d53880",
        "#28a197",
        "#b58840",
        "#505a5f",
        "#912b88",
        "#85994b",
    ),
)


# Lines are told apart by dash pattern and a numbered label on the line as well as by colour
# (issue 15, point 6); the key names each number. Patterns repeat after twelve lines.
LINE_DASHES = (
    "",
    "10,5",
    "2,4",
    "14,4,2,4",
    "5,5",
    "18,6",
    "2,2",
    "10,3,2,3,2,3",
    "8,2",
    "1,6",
    "20,4,6,4",
    "4,2,1,2",
)


@dataclass(frozen=True)
class ChartKeyEntry:
    number: int
    label: str  # the capability's name and level, and the target's minimum
    dasharray: str
    colour: str


def forecast_key(report: UnitReport) -> list[ChartKeyEntry]:
    """One entry per target line of the forecast chart, in the chart's order."""
    colours = CHART_STYLE.colors
    return [
        ChartKeyEntry(
            number=i,
            label=f"{t.capability.name} level {t.level} (minimum {t.minimum})",
            dasharray=LINE_DASHES[(i - 1) % len(LINE_DASHES)],
            colour=colours[(i - 1) % len(colours)],
        )
        for i, t in enumerate(report.targets, start=1)
    ]


def integer_steps(top: int, *, most: int = 10) -> list[int]:
    """Axis labels from 0 to at least ``top`` in a whole, round step (1, 2, 5, 10, 20, ...)."""
    step, factors = 1, (2, 2.5, 2)
    while -(-top // step) > most:
        step = round(step * factors[0])
        factors = factors[1:] + factors[:1]
    return list(range(0, -(-top // step) * step + 1, step))


def labelled_line(values: list, label: str, at: int) -> list:
    """``values`` with ``label`` printed beside the point at index ``at`` (pygal's
    print_labels), so that a line can be named without its colour."""
    return [
        {"value": v, "label": label} if i == at and v is not None else v
        for i, v in enumerate(values)
    ]


def forecast_chart_svg(report: UnitReport, *, width: int = 900, height: int | None = None) -> str:
    """Headcount of each target at each forecast month end, drawn by pygal (no script)."""
    height = height or forecast_chart_height(report, width)
    chart = pygal.Line(
        width=width,
        height=height,
        style=CHART_STYLE,
        js=(),
        disable_xml_declaration=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=3,
        # pygal makes room for len // columns legend rows: give a part-filled last row room.
        margin_bottom=20 + (24 if len(report.targets) % 3 else 0),
        x_label_rotation=30,
        # svglib (the PDF's SVG reader) ignores pygal's CSS, so dashed guides would print black.
        show_x_guides=False,
        show_y_guides=False,
        dots_size=3,
        print_labels=True,
        truncate_legend=-1,
        title=f"Forecast headcount per target, {report.unit.code}",
        no_data_text="No targets to forecast",
        x_title="Month end",
        y_title="People holding the capability",
    )
    chart.x_labels = [day_label(report.as_of)] + [day_label(p.month_end) for p in report.forecast]
    top = max(
        [t.minimum for t in report.targets]
        + [t.headcount for t in report.targets]
        + [n for p in report.forecast for n in p.headcounts.values()]
        + [1]
    )
    if report.targets:
        # pygal cannot place fixed labels on a chart without series.
        chart.y_labels = integer_steps(top)
    points = len(report.forecast) + 1
    for entry, t in zip(forecast_key(report), report.targets, strict=True):
        values = [t.headcount] + [p.headcounts.get(t.key, 0) for p in report.forecast]
        # Each line's number sits at a different month end, so that lines which coincide
        # still show every number.
        at = (points - 1) - ((entry.number - 1) % points)
        chart.add(
            f"{entry.number}. {entry.label}",
            labelled_line(values, str(entry.number), at),
            stroke_style={"width": 2, "dasharray": entry.dasharray or "none"},
        )
    return chart.render(is_unicode=True)


GUIDE_LINE = re.compile(r'<path[^>]*class="guide line"[^>]*/>')


def forecast_chart_height(report: UnitReport, width: int = 900) -> int:
    """Tall enough for the plot and a legend of three targets a row."""
    legend_rows = -(-len(report.targets) // 3)
    return round(width * 0.45) + 40 + 32 * legend_rows


def forecast_chart_data_uri(report: UnitReport, *, width: int = 900) -> str:
    """The chart as a data URI for xhtml2pdf, which draws SVG through svglib (vector, so it
    prints sharp; tests/skills/test_report_formats.py checks the chart's text is in the PDF)."""
    svg = forecast_chart_svg(report, width=width, height=forecast_chart_height(report, width))
    # pygal hides its guide lines with CSS, which svglib ignores: drop them instead.
    svg = GUIDE_LINE.sub("", svg)
    svg = '<?xml version="1.0" encoding="utf-8"?>' + svg
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


# --- formats -----------------------------------------------------------------------------------


def render_json(report: UnitReport, leavers=None) -> bytes:
    # The JSON names people who leave by id only (docs/report-json.md).
    return (json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n").encode()


def _cells(row) -> list:
    # Text is neutralised so that no cell runs as a formula; numbers stay numbers.
    return neutralise_row(row)


def render_csv(report: UnitReport, leavers=None) -> bytes:
    """One CSV of blocks: each section is a header row whose first cell is ``section``, then
    rows whose first cell is the section's slug, then an empty line."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for section in sections(report, leavers):
        writer.writerow(["section", *_cells(section.headers)])
        for row in section.rows:
            writer.writerow([section.slug, *_cells(row)])
        writer.writerow([])
    # A BOM so that spreadsheet programs read the file as UTF-8 (en dashes, names).
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def render_xlsx(report: UnitReport, leavers=None) -> bytes:
    """One sheet per section, named by its title (at most 31 characters)."""
    book = tablib.Databook()
    for section in sections(report, leavers):
        data = tablib.Dataset(headers=_cells(section.headers), title=section.title[:31])
        for row in section.rows:
            data.append(_cells(row))
        book.add_sheet(data)
    return book.export("xlsx")


def report_context(report: UnitReport, leavers=None) -> dict:
    """What the print and standalone templates show, all read from the report."""
    by_slug = {s.slug: s for s in sections(report, leavers)}
    return {
        "report": report,
        "classification": settings.REGISTER_CLASSIFICATION,
        "summary_rows": summary_rows(report, leavers),
        "compliance": percent(report.summary.compliance),
        "earliest_cliff": earliest_cliff_date(report),
        "what_if_lines": what_if_lines(report.what_if, report, leavers),
        "sections": by_slug,
        "targets": [
            (t, target_status(t), [cause_label(c) for c in t.causes]) for t in report.targets
        ],
        "expectation_lines": [(e, expectation_label(e)) for e in report.expectations],
    }


# Rows per printed table. reportlab re-splits a table at every page break, so one table of
# thousands of rows costs time quadratic in its length (issue 12: METROPOLITAN-CCU took 220 s);
# tables of this many rows each, with the header repeated, print the same lines in far less.
PDF_PIECE_ROWS = 40
PDF_PIECED = ("expiring", "people_requirements", "specials_and_volunteers")


def pieces(rows, size: int = PDF_PIECE_ROWS) -> list[list]:
    """``rows`` cut into consecutive lists of at most ``size``; no piece when no row."""
    rows = list(rows)
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def render_pdf(report: UnitReport, leavers=None) -> bytes:
    from xhtml2pdf import pisa

    context = report_context(report, leavers)
    context["pieces"] = {slug: pieces(context["sections"][slug].rows) for slug in PDF_PIECED}
    context["chart_uri"] = forecast_chart_data_uri(report)
    # The chart prints 500 pt wide (the page's text width), keeping its proportions.
    context["chart_height"] = round(500 * forecast_chart_height(report) / 900)
    html = render_to_string("skills/report_pdf.html", context)
    out = io.BytesIO()
    result = pisa.CreatePDF(html, dest=out, encoding="utf-8")
    if result.err:
        raise RuntimeError(f"xhtml2pdf could not render the report ({result.err} errors)")
    return out.getvalue()


def render_html(report: UnitReport, leavers=None) -> bytes:
    """A standalone page (no site chrome, no links): the same sections as the PDF."""
    context = report_context(report, leavers)
    context["chart_svg"] = mark_safe(forecast_chart_svg(report))  # noqa: S308 - pygal's own SVG
    return render_to_string("skills/report_standalone.html", context).encode()


RENDERERS = {
    "json": render_json,
    "csv": render_csv,
    "xlsx": render_xlsx,
    "pdf": render_pdf,
    "html": render_html,
}


def render_report(
    report: UnitReport, fmt: str, *, leavers: Mapping[int, str] | None = None
) -> RenderedReport:
    """The report in ``fmt`` (one of FORMATS), with its content type and a file name.
    ``leavers`` names the people a what-if removes ({person id: label}); they are not in the
    report any more."""
    if fmt not in RENDERERS:
        raise ValueError(f"Unknown report format {fmt!r}; use one of {', '.join(FORMATS)}.")
    return RenderedReport(
        content=RENDERERS[fmt](report, leavers),
        content_type=CONTENT_TYPES[fmt],
        filename=filename_for(report, fmt),
    )


__all__ = [
    "FORMATS",
    "RenderedReport",
    "neutralise",
    "render_csv",
    "render_html",
    "render_json",
    "render_pdf",
    "render_report",
    "render_xlsx",
]
