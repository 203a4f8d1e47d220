"""GOV.UK tables (templates/components/table.html) for the coverage overview: the units ×
capabilities heat table, the force and region roll-ups, and each expectation's tallies.

Every cell says in words what it shows (``3 of 4``, "short 1", "single point of failure"), so
that the table reads without colour; the tags' colours only repeat it."""

from __future__ import annotations

from urllib.parse import urlencode

import django_tables2 as tables
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from skills.overview.services import Cell, ExpectationTally, Overview, RollUp, UnitOverview
from skills.report.renderers import NOTHING, day_label, percent

NUMERIC = {"numeric": True}
ROW_HEADER = {"row_header": True}
LEVELS = {1: "awareness", 2: "practitioner", 3: "expert"}


def unit_report_url(code: str, as_of=None) -> str:
    """The unit report (skills:unit_report), or its path if that page is not mounted yet."""
    try:
        url = reverse("skills:unit_report", args=[code])
    except NoReverseMatch:
        url = f"/units/{code}/report/"
    return f"{url}?as_of={as_of.isoformat()}" if as_of else url


def _tag(text: str, colour: str = "") -> str:
    css = f"govuk-tag govuk-tag--{colour}" if colour else "govuk-tag"
    return format_html('<strong class="{} register-nowrap">{}</strong>', css, text)


def _day(day):
    """An ISO date that does not wrap at its hyphens."""
    return format_html('<span class="register-nowrap">{}</span>', day_label(day))


def cell_html(cell: Cell | None, url: str):
    """``3 of 4`` with tags: met, short N, single point of failure; "–" without a target."""
    if cell is None:
        return format_html('<span title="no target">{}</span>', NOTHING)
    tags = [_tag(f"short {cell.shortfall}", "red") if cell.shortfall else _tag("met", "green")]
    if cell.single_point_of_failure:
        tags.append(_tag("single point of failure", "yellow"))
    cliff = ""
    if cell.cliff_date and not cell.shortfall:
        cliff = format_html(
            '<br><span class="govuk-body-s">falls short {}</span>', _day(cell.cliff_date)
        )
    return format_html(
        '<a class="govuk-link" href="{}">{} of {}</a><br>{}{}',
        url,
        cell.headcount,
        cell.minimum,
        format_html_join(" ", "{}", ((t,) for t in tags)),
        cliff,
    )


class _CellColumn(tables.Column):
    def __init__(self, key: str, **kwargs):
        self.key = key
        super().__init__(accessor="unit", orderable=False, empty_values=(), **kwargs)

    def render(self, value, record):
        return cell_html(record["unit"].cell(self.key), record["url"])


class _HeadcountColumn(tables.Column):
    def __init__(self, key: str, **kwargs):
        self.key = key
        super().__init__(accessor="roll_up", orderable=False, empty_values=(), **kwargs)

    def render(self, value, record):
        found = record["roll_up"].headcounts.get(self.key)
        if not found:
            return NOTHING
        headcount, minimum = found
        return format_html("{} of {}", headcount, minimum)


def _column_label(column) -> str:
    return f"{column.capability.name} L{column.level}"


class HeatTable(tables.Table):
    """One row per unit; the figures of DESIGN.md as the unit report gives them."""

    wide = True  # a matrix: the whole width of a large screen

    caption = "Units and capabilities: people holding each target's capability, of the minimum"
    unit = tables.Column(verbose_name="Unit", orderable=False, attrs=ROW_HEADER)
    forces = tables.Column(verbose_name="Forces", accessor="unit", orderable=False)
    people = tables.Column(verbose_name="People", accessor="unit", orderable=False, attrs=NUMERIC)
    compliance = tables.Column(
        verbose_name="Compliance", accessor="unit", orderable=False, attrs=NUMERIC
    )
    short = tables.Column(
        verbose_name="Targets short", accessor="unit", orderable=False, attrs=NUMERIC
    )
    spofs = tables.Column(
        verbose_name="Single points of failure", accessor="unit", orderable=False, attrs=NUMERIC
    )
    cliff = tables.Column(verbose_name="Earliest cliff date", accessor="unit", orderable=False)

    class Meta:
        empty_text = "There are no units in your scope."

    def __init__(self, overview: Overview, **kwargs):
        rows = [
            {"unit": u, "url": unit_report_url(u.unit.code, overview.as_of)} for u in overview.units
        ]
        extra = [
            (f"cap_{c.key}", _CellColumn(c.key, verbose_name=_column_label(c)))
            for c in overview.columns
        ]
        super().__init__(rows, extra_columns=extra, **kwargs)

    def render_unit(self, value: UnitOverview, record):
        return format_html(
            '<a class="govuk-link" href="{}">{}</a><br><span class="govuk-body-s">{} · '
            '<a class="govuk-link" href="{}">trend<span class="govuk-visually-hidden"> of {}'
            "</span></a></span>",
            record["url"],
            value.unit.name,
            value.unit.code,
            reverse("coverage:unit_trend", args=[value.unit.code]),
            value.unit.name,
        )

    def render_forces(self, value: UnitOverview):
        names = ", ".join(f.name for f in value.unit.forces) or f"Region: {value.region_name}"
        return names

    def render_people(self, value: UnitOverview):
        return value.people

    def render_compliance(self, value: UnitOverview):
        return percent(value.compliance)

    def render_short(self, value: UnitOverview):
        return f"{value.targets_short} of {value.targets_total}"

    def render_spofs(self, value: UnitOverview):
        return len(value.single_points_of_failure)

    def render_cliff(self, value: UnitOverview):
        return _day(value.earliest_cliff_date)


class RollUpTable(tables.Table):
    """A force's or region's units summed (a unit inside another counts through it)."""

    wide = True  # a matrix: the whole width of a large screen

    name = tables.Column(verbose_name="Name", orderable=False, attrs=ROW_HEADER)
    units = tables.Column(verbose_name="Units", accessor="roll_up", orderable=False, attrs=NUMERIC)
    people = tables.Column(
        verbose_name="People", accessor="roll_up", orderable=False, attrs=NUMERIC
    )
    compliance = tables.Column(
        verbose_name="Compliance", accessor="roll_up", orderable=False, attrs=NUMERIC
    )
    met = tables.Column(
        verbose_name="Targets met", accessor="roll_up", orderable=False, attrs=NUMERIC
    )
    shortfall = tables.Column(
        verbose_name="Shortfall (people)", accessor="roll_up", orderable=False, attrs=NUMERIC
    )
    spofs = tables.Column(
        verbose_name="Single points of failure", accessor="roll_up", orderable=False, attrs=NUMERIC
    )
    cliff = tables.Column(verbose_name="Earliest cliff date", accessor="roll_up", orderable=False)

    class Meta:
        empty_text = "Nothing to sum."

    def __init__(self, roll_ups: tuple[RollUp, ...], overview: Overview, *, caption: str, **kw):
        self.caption = caption
        rows = [{"name": r.name, "roll_up": r} for r in roll_ups]
        extra = [
            (f"cap_{c.key}", _HeadcountColumn(c.key, verbose_name=_column_label(c)))
            for c in overview.columns
        ]
        super().__init__(rows, extra_columns=extra, **kw)

    def render_units(self, value: RollUp):
        return len(value.unit_codes)

    def render_people(self, value: RollUp):
        return value.people

    def render_compliance(self, value: RollUp):
        return percent(value.compliance)

    def render_met(self, value: RollUp):
        return f"{value.targets_met} of {value.targets_total}"

    def render_shortfall(self, value: RollUp):
        return value.shortfall

    def render_spofs(self, value: RollUp):
        return value.single_points_of_failure

    def render_cliff(self, value: RollUp):
        return _day(value.earliest_cliff_date)


def _of(met: int, total: int):
    return f"{met} of {total}" if total else NOTHING


class ExpectationTable(tables.Table):
    """How far each unit and force meets one expectation."""

    name = tables.Column(verbose_name="Unit or force", orderable=False, attrs=ROW_HEADER)
    kind = tables.Column(verbose_name="Scope", orderable=False)
    people = tables.Column(
        verbose_name="People meeting it", accessor="tally", orderable=False, attrs=NUMERIC
    )
    requirements = tables.Column(
        verbose_name="Requirements met", accessor="tally", orderable=False, attrs=NUMERIC
    )
    targets = tables.Column(
        verbose_name="Targets met", accessor="tally", orderable=False, attrs=NUMERIC
    )

    class Meta:
        empty_text = "No unit in your scope cites it."

    def __init__(self, units, forces, *, caption: str, as_of=None, key: str = "", **kw):
        self.caption = caption
        self.caption_class = "govuk-table__caption--s"
        self.key = key
        self.as_of = as_of
        rows = [{"name": t.name, "kind": "force", "tally": t, "url": None} for t in forces] + [
            {"name": t.name, "kind": "unit", "tally": t, "url": unit_report_url(t.code, as_of)}
            for t in units
        ]
        super().__init__(rows, **kw)

    def render_name(self, value, record):
        if record["url"]:
            return format_html('<a class="govuk-link" href="{}">{}</a>', record["url"], value)
        return value

    def render_people(self, value: ExpectationTally):
        return _of(value.people_meeting, value.people_applying)

    def render_requirements(self, value: ExpectationTally, record):
        figure = _of(value.requirements_met, value.requirements_total)
        if record["kind"] != "unit" or not self.key or not value.requirements_total:
            return figure
        # A unit's figure opens its trace: which requirements, people and evidence.
        query = {"expectation": self.key}
        if self.as_of:
            query["as_of"] = self.as_of.isoformat()
        return format_html(
            '<a class="govuk-link" href="{}?{}">{}</a>',
            reverse("skills:unit_trace", args=[value.code]),
            urlencode(query),
            figure,
        )

    def render_targets(self, value: ExpectationTally):
        return _of(value.targets_met, value.targets_total)
