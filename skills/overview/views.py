"""Chief officers' coverage pages, mounted at /coverage/: the overview of every unit in the
user's scope, the expectations view and the trend. Oversight roles only (officers get 403);
units outside the user's scope are simply not found (404)."""

from __future__ import annotations

import pygal
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from people.access import has_oversight
from people.models import PersonType, Region, Unit
from skills.jobs import services as report_jobs
from skills.models import Function
from skills.overview.filters import OverviewFilterForm
from skills.overview.services import (
    Trend,
    build_overview,
    build_trend,
    roll_ups_in_scope,
    units_in_scope,
)
from skills.overview.tables import ExpectationTable, HeatTable, RollUpTable, unit_report_url
from skills.report.renderers import (
    CHART_STYLE,
    NOTHING,
    day_label,
    integer_steps,
    labelled_line,
    percent,
)


def _require_oversight(request) -> None:
    if not has_oversight(request.user):
        raise PermissionDenied("Only coordinators, chief officers and leads see coverage.")


def _filters(request):
    form = OverviewFilterForm(request.GET or None)
    as_of, function, person_type = form.choices()
    return form, as_of, function, person_type


def _overview_for(user, as_of, function, person_type):
    forces, regions = roll_ups_in_scope(user)
    return build_overview(
        units_in_scope(user),
        as_of=as_of,
        function=function,
        person_type=person_type,
        forces=forces,
        regions=regions,
    )


@login_required
@require_GET
def overview(request):
    _require_oversight(request)
    form, as_of, function, person_type = _filters(request)
    data = _overview_for(request.user, as_of, function, person_type)
    return render(
        request,
        "skills/overview.html",
        {
            "form": form,
            "overview": data,
            "heat": HeatTable(data),
            "forces": RollUpTable(data.forces, data, caption="Forces"),
            "regions": RollUpTable(data.regions, data, caption="Regions"),
            "query": request.GET.urlencode(),
            "function_label": dict(Function.choices).get(function, ""),
            "person_type_label": dict(PersonType.choices).get(person_type, ""),
            **_packs_for(request.user),
        },
    )


MAX_FORCE_PACKS_LISTED = 12


def _packs_for(user) -> dict:
    """The inspection packs the user may download (chief officers and leads): their forces,
    unless there are too many to list (a national lead), and their regions."""
    from people.access import forces_packed_for, regions_packed_for

    try:
        forces = list(forces_packed_for(user).order_by("name")[: MAX_FORCE_PACKS_LISTED + 1])
        regions = list(regions_packed_for(user).order_by("name"))
    except PermissionDenied:
        return {"pack_forces": [], "pack_regions": []}
    if len(forces) > MAX_FORCE_PACKS_LISTED:
        forces = []
    return {"pack_forces": forces, "pack_regions": regions}


@login_required
@require_GET
def expectations(request):
    _require_oversight(request)
    form, as_of, function, person_type = _filters(request)
    data = _overview_for(request.user, as_of, function, person_type)
    tables = [
        ExpectationTable(
            e.units,
            e.forces,
            caption=f"{e.label}: {e.text}",
            as_of=as_of,
            key=e.key,
            attrs={"id": f"expectation-{i}"},
        )
        for i, e in enumerate(data.expectations(), start=1)
    ]
    return render(
        request,
        "skills/overview_expectations.html",
        {"form": form, "overview": data, "tables": tables, "query": request.GET.urlencode()},
    )


def _trend_chart(trend: Trend | report_jobs.StoredTrend, series: dict, title: str) -> str:
    """Two charts at each month end: compliance (%), then people and headcounts (whole
    numbers), so that neither needs a second axis. Lines carry their name and a dash pattern
    as well as a colour (issue 15, point 6)."""
    months = [day_label(p.month_end) for p in trend.points]
    last = len(months) - 1

    def line_chart(chart_title: str, y_title: str, y_labels: list[int]):
        chart = pygal.Line(
            width=900,
            height=340,
            style=CHART_STYLE,
            js=(),
            disable_xml_declaration=True,
            legend_at_bottom=True,
            x_label_rotation=30,
            dots_size=3,
            print_labels=True,
            truncate_legend=-1,
            title=chart_title,
            x_title="Month end",
            y_title=y_title,
            range=(0, y_labels[-1]),
        )
        chart.x_labels = months
        chart.y_labels = y_labels
        return chart

    compliance = line_chart(f"{title}: compliance", "Compliance (%)", list(range(0, 101, 10)))
    compliance.add(
        "Compliance (%)",
        [None if s[1] is None else round(s[1] * 100, 1) for s in series],
        stroke_style={"width": 2},
    )
    top = max([1, *(max(s[0], s[2], s[3]) for s in series)])
    counts = line_chart(f"{title}: people and headcount", "People", integer_steps(top))
    for name, short, index, dashes in (
        ("People", "People", 0, "none"),
        ("Holding a target's capability", "Holding", 2, "10,5"),
        ("Targets' minimums", "Minimums", 3, "2,4"),
    ):
        counts.add(
            name,
            labelled_line([s[index] for s in series], short, max(0, last - index)),
            stroke_style={"width": 2, "dasharray": dashes},
        )
    return mark_safe(  # noqa: S308 - pygal's own SVG
        compliance.render(is_unicode=True) + counts.render(is_unicode=True)
    )


def _trend_rows(trend: Trend | report_jobs.StoredTrend, series) -> list[tuple[str, str, int, str]]:
    return [
        (day_label(p.month_end), percent(s[1]), s[0], f"{s[2]} of {s[3]}" if s[3] else NOTHING)
        for p, s in zip(trend.points, series, strict=True)
    ]


@login_required
@require_GET
def trend(request):
    """Per force (one force at a time, so that the twelve evaluations stay a force's size)."""
    _require_oversight(request)
    form, as_of, function, person_type = _filters(request)
    units = units_in_scope(request.user)
    codes, region_codes = roll_ups_in_scope(request.user)
    forces = sorted(
        {
            f
            for u in units.prefetch_related("forces")
            for f in u.forces.all()
            if codes is None or f.code in codes
        },
        key=lambda f: f.name,
    )
    chosen = next((f for f in forces if f.code == request.GET.get("force")), None)
    chosen = chosen or (forces[0] if forces else None)
    # A regional lead's trend is headed with their region, one force shown at a time under it.
    regions = sorted(
        Region.objects.filter(code__in=region_codes or ()).values_list("name", flat=True)
    )
    heading = " and ".join(regions) if regions else (chosen.name if chosen else "")
    context = {
        "form": form,
        "forces": forces,
        "force": chosen,
        "as_of": as_of,
        "heading": heading,
    }
    if chosen is not None:
        in_force = units.filter(forces=chosen)
        if in_force.count() > report_jobs.inline_trend_units():
            # Twelve evaluations of a large scope outlast a request: the worker works it out.
            params = {
                "force": chosen.code,
                "as_of": as_of.isoformat(),
                "function": function or "",
                "person_type": person_type or "",
            }
            done = report_jobs.fresh_trend(user=request.user, params=params)
            if done is None:
                job = report_jobs.start_trend(user=request.user, params=params)
                return redirect("skills:scope_job", pk=job.pk)
            data = report_jobs.trend_from_dict(done.outcome["trend"])
        else:
            data = build_trend(in_force, as_of=as_of, function=function, person_type=person_type)
        series = [p.forces.get(chosen.code, (0, None, 0, 0)) for p in data.points]
        context["force_chart"] = _trend_chart(data, series, f"{chosen.name}: trend")
        context["force_rows"] = _trend_rows(data, series)
        context["unit_charts"] = [
            {
                "unit": u,
                "url": unit_report_url(u.code),
                "chart": _trend_chart(data, s, f"{u.name} ({u.code})"),
                "rows": _trend_rows(data, s),
            }
            for u in data.units
            for s in [[p.units[u.code] for p in data.points]]
        ]
    return render(request, "skills/overview_trend.html", context)


@login_required
@require_GET
def unit_trend(request, code):
    _require_oversight(request)
    unit = get_object_or_404(units_in_scope(request.user), code=code)
    form, as_of, function, person_type = _filters(request)
    data = build_trend(
        Unit.objects.filter(pk=unit.pk), as_of=as_of, function=function, person_type=person_type
    )
    series = [p.units[unit.code] for p in data.points]
    return render(
        request,
        "skills/overview_unit_trend.html",
        {
            "form": form,
            "unit": unit,
            "url": unit_report_url(unit.code),
            "chart": _trend_chart(data, series, f"{unit.name} ({unit.code}): trend"),
            "rows": _trend_rows(data, series),
        },
    )
