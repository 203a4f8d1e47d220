"""The one rule for "held on D" as intervals: what a holding comes from, and the union and
lookup of half-open date intervals (DESIGN.md: holds, held until, collection).

Also the same rule as one "held until" date per person, capability and level on one day
(``HeldOn``, fed from ``load_holding_rules`` and ``may_count_on``, whose SQL cut is derived
from ``completion_expiry`` and ``window_end``), which the overview and the
trend use; the unit report keeps intervals because causes and the expiring list need them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from django.db.models import Q

from courses.models import Activity, ActivityCapability, ActivityKind
from skills.coverage.data import ActivityRef
from skills.dates import add_months as _add_months

# Stands for "never expires" / "open-ended" so that intervals compare as plain dates.
NEVER = date.max

# Calendar arithmetic is pure; caching it keeps large units fast.
add_months = lru_cache(maxsize=65536)(_add_months)


def completion_expiry(completed_on: date, own_expiry: date | None, months: int | None) -> date:
    """DESIGN.md, Expiry: the record's own expiry if it gives one, else the completion date
    plus the activity's validity in months; NEVER when it has neither. Valid on D when
    completed_on <= D < expiry."""
    if own_expiry is not None:
        return own_expiry
    return add_months(completed_on, months) if months else NEVER


def window_end(completed_on: date, months: int | None) -> date:
    """DESIGN.md, collection: a lab completion dated L is inside the collection's window on D
    when L <= D < L + validity months (with no validity, for ever)."""
    return NEVER if not months else add_months(completed_on, months)


class Source(NamedTuple):
    """What an interval of holding comes from: the activity and the completion whose
    expiry (or, for a collection, whose leaving the window) ends it."""

    activity: ActivityRef
    completion_id: int | None
    completed_on: date


class Interval(NamedTuple):
    start: date
    end: date  # exclusive; NEVER when open-ended
    src: Source | None


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Union of half-open intervals; touching ones join. Keeps the source of each end."""
    out: list[Interval] = []
    for iv in sorted(intervals, key=lambda i: (i.start, i.end)):
        if out and iv.start <= out[-1].end:
            if iv.end > out[-1].end:
                out[-1] = Interval(out[-1].start, iv.end, iv.src)
        else:
            out.append(iv)
    return out


def containing(intervals: list[Interval], day: date) -> Interval | None:
    for iv in intervals:
        if iv.start <= day < iv.end:
            return iv
    return None


class Holdings:
    """One person's holdings over time, from a given set of counted completions: for each
    (capability, level) the intervals during which it is held (DESIGN.md: holds, collection).
    The unit report reads these where causes and the expiring list need the intervals.

    ``comps``: records with ``id``, ``activity_id``, ``completed_on`` and ``expiry`` (worked
    out by ``completion_expiry``); ``catalogue``: ``activities`` (id -> ActivityRef),
    ``evidences``, ``collections_of_lab``, ``validity`` and ``threshold`` (the engine's)."""

    def __init__(self, comps: Iterable, catalogue):
        self.raw: dict[tuple[int, int], list[Interval]] = defaultdict(list)
        # collection id -> intervals during which the collection is held through its labs
        self.collections: dict[int, list[Interval]] = {}
        self._merged: dict[tuple[int, int], list[Interval]] = {}
        lab_windows: dict[int, dict[int, list[Interval]]] = defaultdict(lambda: defaultdict(list))
        for comp in comps:
            act = catalogue.activities[comp.activity_id]
            iv = Interval(comp.completed_on, comp.expiry, Source(act, comp.id, comp.completed_on))
            for cap_id, level in catalogue.evidences.get(comp.activity_id, ()):
                self.raw[(cap_id, level)].append(iv)
            for coll_id in catalogue.collections_of_lab.get(comp.activity_id, ()):
                validity = catalogue.validity[coll_id]
                # A lab completion dated L is in the collection's window on D when
                # L <= D < L + validity months.
                end = window_end(comp.completed_on, validity)
                src = Source(catalogue.activities[coll_id], comp.id, comp.completed_on)
                lab_windows[coll_id][comp.activity_id].append(Interval(comp.completed_on, end, src))
        for coll_id, labs in lab_windows.items():
            held = self._collection_intervals(labs, catalogue.threshold[coll_id])
            if not held:
                continue
            self.collections[coll_id] = held
            for cap_id, level in catalogue.evidences.get(coll_id, ()):
                self.raw[(cap_id, level)].extend(held)

    @staticmethod
    def _collection_intervals(labs: dict[int, list[Interval]], threshold: int) -> list[Interval]:
        """When at least ``threshold`` distinct labs are inside the window at once."""
        if len(labs) < threshold:
            return []
        deltas: dict[date, int] = defaultdict(int)
        ending: dict[date, Source] = {}
        for windows in labs.values():
            for iv in merge(windows):
                deltas[iv.start] += 1
                if iv.end != NEVER:
                    deltas[iv.end] -= 1
                    ending.setdefault(iv.end, iv.src)
        out: list[Interval] = []
        count = 0
        start: date | None = None
        for day in sorted(deltas):
            count += deltas[day]
            if count >= threshold and start is None:
                start = day
            elif count < threshold and start is not None:
                out.append(Interval(start, day, ending[day]))
                start = None
        if start is not None:
            out.append(Interval(start, NEVER, None))
        return out

    def intervals(self, cap_id: int, level: int) -> list[Interval]:
        """Intervals during which the person holds the capability at ``level`` or higher."""
        key = (cap_id, level)
        if key not in self._merged:
            self._merged[key] = merge(
                iv for lvl in range(level, 4) for iv in self.raw.get((cap_id, lvl), ())
            )
        return self._merged[key]

    def held_on(self, cap_id: int, level: int, day: date) -> Interval | None:
        """The interval of holding that contains ``day``, if held then."""
        return containing(self.intervals(cap_id, level), day)

    def best_on(self, day: date) -> dict[int, tuple[int, date]]:
        """capability id -> (highest level held on ``day``, held until)."""
        best: dict[int, int] = {}
        for (cap_id, level), ivs in self.raw.items():
            if level > best.get(cap_id, 0) and containing(ivs, day):
                best[cap_id] = level
        return {
            cap_id: (level, self.held_on(cap_id, level, day).end) for cap_id, level in best.items()
        }


class HoldingRules(NamedTuple):
    """How the catalogue turns completions into holdings, as the engine's ``_Catalogue``
    reads it: what each activity evidences, its validity, and which collections group it."""

    evidences: dict[int, tuple[tuple[int, int], ...]]
    validity: dict[int, int | None]
    collections_of_lab: dict[int, tuple[int, ...]]
    threshold: dict[int, int]


def load_holding_rules() -> HoldingRules:
    """Every activity's evidences, validity and collections (three small queries)."""
    evidences: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for activity_id, cap_id, level in ActivityCapability.objects.values_list(
        "activity_id", "capability_id", "level"
    ):
        evidences[activity_id].append((cap_id, level))
    validity, threshold = {}, {}
    for pk, kind, months, needed in Activity.objects.values_list(
        "pk", "kind", "validity_months", "threshold"
    ):
        validity[pk] = months
        if kind == ActivityKind.COLLECTION:
            threshold[pk] = needed or 1
    collections: dict[int, list[int]] = defaultdict(list)
    for coll_id, lab_id in Activity.labs.through.objects.values_list(
        "from_activity_id", "to_activity_id"
    ):
        collections[lab_id].append(coll_id)
    return HoldingRules(
        evidences={k: tuple(v) for k, v in evidences.items()},
        validity=validity,
        collections_of_lab={k: tuple(v) for k, v in collections.items()},
        threshold=threshold,
    )


def last_not_counting(day: date, end_of) -> date | None:
    """The latest completion date whose end, as ``end_of(completed_on)`` works it out
    (``completion_expiry`` or ``window_end``), is on or before ``day``: a completion dated
    after it may still count on ``day`` or later, one dated on or before it cannot (an end
    never comes earlier for a later completion). None when every completion may count (the
    rule gives no end on or before ``day``). Found by bisection over the rule itself, so that
    a cut in SQL never restates the rule."""
    lo, hi = date.min, day
    if end_of(lo) > day:
        return None
    if end_of(hi) <= day:
        return hi
    lo_n, hi_n = lo.toordinal(), hi.toordinal()  # end_of(lo) <= day < end_of(hi)
    while hi_n - lo_n > 1:
        mid = (lo_n + hi_n) // 2
        if end_of(date.fromordinal(mid)) <= day:
            lo_n = mid
        else:
            hi_n = mid
    return date.fromordinal(lo_n)


@lru_cache(maxsize=4096)
def expiry_cut(day: date, months: int | None) -> date | None:
    """``last_not_counting`` for completions without their own expiry of an activity valid
    for ``months`` (``completion_expiry``)."""
    return last_not_counting(day, lambda on: completion_expiry(on, None, months))


@lru_cache(maxsize=4096)
def window_cut(day: date, months: int | None) -> date | None:
    """``last_not_counting`` for lab completions in a collection's window of ``months``
    (``window_end``)."""
    return last_not_counting(day, lambda on: window_end(on, months))


def may_count_on(day: date, rules: HoldingRules) -> Q:
    """Completions that may still count on ``day`` or later, as a filter for the SQL that
    loads them: a superset of what ``HeldOn`` counts, cut only where ``completion_expiry``
    and ``window_end`` themselves give an end on or before ``day`` (``expiry_cut``,
    ``window_cut``); ``HeldOn`` then applies the exact rule to each row. A record's own expiry
    is ``completion_expiry``'s first answer: it may count while after ``day``."""
    q = Q(expires_on__gt=day)
    by_cut: dict[date | None, list[int]] = defaultdict(list)
    for pk in rules.evidences:
        by_cut[expiry_cut(day, rules.validity.get(pk))].append(pk)
    for cut, ids in sorted(by_cut.items(), key=lambda i: i[0] or date.min):
        more = {} if cut is None else {"completed_on__gt": cut}
        q |= Q(expires_on__isnull=True, activity_id__in=sorted(ids), **more)
    labs_by_cut: dict[date | None, list[int]] = defaultdict(list)
    for lab_id, colls in rules.collections_of_lab.items():
        # A lab may count while inside the window of any of its collections: the loosest cut.
        cuts = [window_cut(day, rules.validity.get(c)) for c in colls]
        labs_by_cut[None if None in cuts else min(cuts)].append(lab_id)
    for cut, ids in sorted(labs_by_cut.items(), key=lambda i: i[0] or date.min):
        more = {} if cut is None else {"completed_on__gt": cut}
        q |= Q(activity_id__in=sorted(ids), **more)
    return q


def with_lower_levels(evidences) -> tuple[tuple[int, int], ...]:
    """``((cap, 3),)`` -> ``((cap, 1), (cap, 2), (cap, 3))``."""
    return tuple(
        sorted({(cap_id, lower) for cap_id, level in evidences for lower in range(1, level + 1)})
    )


class HeldOn:
    """What each person holds on ``day``, from their verified completions fed as rows
    ``(person id, activity id, completed on, own expiry)`` in any order (DESIGN.md: holds,
    held until, collection). ``finish()`` gives, per person, (capability id, level) -> held
    until, for each capability and level held on ``day`` (a level held holds the levels below).

    Every counted completion is dated on or before ``day``, so the holding that contains
    ``day`` runs to the latest expiry after ``day``: one date per capability and level serves
    every figure as of ``day`` and the forecast after it (no new training).

    For the trend, ``day`` may move forward between calls, feeding the completions dated since;
    held-until dates only grow, and one on or before the new day no longer counts (readers
    compare it with their day)."""

    def __init__(self, day: date, rules: HoldingRules):
        self.day = day
        self.rules = rules
        self.held: dict[int, dict[tuple[int, int], date]] = {}
        self.labs: dict[int, dict[int, date]] = {}
        self._expiry: dict[int, dict[date, date]] = defaultdict(dict)
        self._labs_changed: set[int] = set()
        self._lab_end: dict[tuple[date, int | None], date] = {}
        # A level held holds every level below it: each evidence is spread to those levels
        # once here rather than per person.
        self._levels = {pk: with_lower_levels(ev) for pk, ev in rules.evidences.items()}
        self._info = {
            pk: (self._levels.get(pk), rules.validity.get(pk), pk in rules.collections_of_lab)
            for pk in {*rules.evidences, *rules.collections_of_lab}
        }

    def add(self, rows) -> None:
        day, info, held, labs, expiry_of = self.day, self._info, self.held, self.labs, self._expiry
        changed = self._labs_changed
        for pid, activity_id, completed_on, own_expiry in rows:
            if completed_on > day:
                continue
            found = info.get(activity_id)
            if found is None:
                continue
            evidences, months, is_lab = found
            if is_lab:
                mine = labs.get(pid)
                if mine is None:
                    mine = labs[pid] = {}
                if mine.get(activity_id, date.min) < completed_on:
                    mine[activity_id] = completed_on
                    changed.add(pid)
            if evidences is None:
                continue
            if own_expiry is not None or not months:
                expiry = completion_expiry(completed_on, own_expiry, months)
            else:
                # The one expiry rule, cached per validity and date (the hot loop).
                cache = expiry_of[months]
                expiry = cache.get(completed_on)
                if expiry is None:
                    expiry = cache[completed_on] = completion_expiry(completed_on, None, months)
            if expiry > day:
                mine = held.get(pid)
                if mine is None:
                    mine = held[pid] = {}
                for key in evidences:
                    if mine.get(key, day) < expiry:
                        mine[key] = expiry

    def finish(self) -> dict[int, dict[tuple[int, int], date]]:
        day, rules, held, labs = self.day, self.rules, self.held, self.labs
        colls_of, validity = rules.collections_of_lab, rules.validity
        needed_of = rules.threshold
        levels_of = self._levels
        end_of = self._lab_end
        # A collection's held-until only moves when a lab is completed again; until then the
        # date worked out before still stands (it stops counting once on or before the day).
        for pid in self._labs_changed:
            # A lab counts while its latest completion is inside the collection's window;
            # the collection is held until the threshold-th latest of those leaves it. A later
            # completion plus the same months is never earlier: that is the threshold-th latest
            # completion plus the collection's validity, when after the day.
            lasts: dict[int, list[date]] = {}
            for lab_id, last in labs[pid].items():
                for coll_id in colls_of[lab_id]:
                    found = lasts.get(coll_id)
                    if found is None:
                        lasts[coll_id] = [last]
                    else:
                        found.append(last)
            for coll_id, days in lasts.items():
                needed = needed_of.get(coll_id, 1)
                if len(days) < needed:
                    continue
                last = max(days) if needed == 1 else sorted(days, reverse=True)[needed - 1]
                months = validity.get(coll_id)
                expiry = end_of.get((last, months))
                if expiry is None:
                    expiry = end_of[(last, months)] = window_end(last, months)
                if expiry <= day:
                    continue
                mine = held.get(pid)
                if mine is None:
                    mine = held[pid] = {}
                for key in levels_of.get(coll_id, ()):
                    if mine.get(key, day) < expiry:
                        mine[key] = expiry
        self._labs_changed = set()
        return held


def held_since(
    rows: Iterable[tuple[int, date, date | None]], day: date, rules: HoldingRules
) -> dict[tuple[int, int], date]:
    """The pathway's "met on": for each (capability id, level) one person holds on ``day`` (a
    level held holds the levels below), the date of the completion that holds it longest
    (DESIGN.md: held until), or, held through a collection only, the day its threshold was
    reached by labs still inside the window on ``day``. ``rows``: the person's verified
    completions as (activity id, completed on, own expiry)."""
    direct: dict[tuple[int, int], tuple[date, date]] = {}
    first_in_window: dict[int, dict[int, date]] = defaultdict(dict)
    for activity_id, completed_on, own_expiry in rows:
        if completed_on > day:
            continue
        expiry = completion_expiry(completed_on, own_expiry, rules.validity.get(activity_id))
        if expiry > day:
            for key in with_lower_levels(rules.evidences.get(activity_id, ())):
                if direct.get(key, (date.min, date.min)) < (expiry, completed_on):
                    direct[key] = (expiry, completed_on)
        for coll_id in rules.collections_of_lab.get(activity_id, ()):
            if day < window_end(completed_on, rules.validity.get(coll_id)):
                labs = first_in_window[coll_id]
                if completed_on < labs.get(activity_id, date.max):
                    labs[activity_id] = completed_on
    out = {key: since for key, (_, since) in direct.items()}
    for coll_id, labs in first_in_window.items():
        needed = rules.threshold.get(coll_id, 1)
        if len(labs) < needed:
            continue
        reached = sorted(labs.values())[needed - 1]
        for key in with_lower_levels(rules.evidences.get(coll_id, ())):
            if key not in direct and reached < out.get(key, date.max):
                out[key] = reached
    return out
