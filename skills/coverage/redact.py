"""Names withheld from a report for a viewer who may not see every person in it.

A joint unit counts people of every member force (DESIGN.md), so its report is the same for
everyone; but a chief officer of one force may not read another force's people (personal data
never crosses forces). The figures stay; the people the viewer may not see are shown by force
and person type only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TypeVar

from skills.coverage.data import PersonRef

T = TypeVar("T")

WITHHELD_NAME = "Name withheld"


def withheld(person: PersonRef) -> PersonRef:
    """The same person with nothing that identifies them: force and person type stay."""
    return dataclasses.replace(person, name=WITHHELD_NAME, staff_number="", rank="")


def _walk(value, visible: frozenset[int]):
    if isinstance(value, PersonRef):
        return value if value.id in visible else withheld(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = _walk(old, visible)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        items = tuple(_walk(v, visible) for v in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, list):
        return [_walk(v, visible) for v in value]
    if isinstance(value, Mapping):
        items = {k: _walk(v, visible) for k, v in value.items()}
        return value if all(items[k] is value[k] for k in value) else items
    return value


def people_in(report) -> set[int]:
    """Every person a report (or any frozen data holding PersonRefs) names."""
    found: set[int] = set()

    def collect(value):
        if isinstance(value, PersonRef):
            found.add(value.id)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                collect(getattr(value, f.name))
        elif isinstance(value, tuple | list):
            for v in value:
                collect(v)
        elif isinstance(value, Mapping):
            for v in value.values():
                collect(v)

    collect(report)
    return found


def withhold_names(report: T, visible_ids) -> T:
    """``report`` (a UnitReport, an evaluation, a pack: any frozen data) with everyone outside
    ``visible_ids`` shown without name or staff number."""
    return _walk(report, frozenset(visible_ids))


def as_seen_by(user, report: T) -> T:
    """``report`` as ``user`` may read it: names of people outside their scope withheld (one
    query)."""
    from people.models import Person

    ids = people_in(report)
    visible = set(Person.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return report if visible >= ids else withhold_names(report, visible)
