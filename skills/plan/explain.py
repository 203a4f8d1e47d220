"""Each proposed booking in words, by the figure it protects (issue 16, point 4):

"Dev Patel: GIAC GCFA, 14 May 2027 — keeps DIGITAL-EVIDENCE L2 at 3 after Finn Hale
leaves on 15 November 2027"
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from skills.plan.model import PlanInput, PlanPerson, PlanResult, PlanTarget, Proposal


def _day(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


@dataclass(frozen=True)
class Explained:
    proposal: Proposal
    person: str
    offering: str
    starts_on: date
    reason: str

    @property
    def text(self) -> str:
        return f"{self.person}: {self.offering}, {_day(self.starts_on)} — {self.reason}"


def _cause(data: PlanInput, target: PlanTarget, month_end: date, exclude: int) -> str | None:
    """The latest loss, on or before ``month_end``, among the people holding the target's
    capability in its unit on the as-of date: who leaves, or whose holding lapses, and when."""
    losses = []
    for p in data.people:
        if p.id == exclude or not (
            p.in_unit_on(data.as_of, target.unit) and p.holds_on(target.pair, data.as_of)
        ):
            continue
        spell = p.spell(target.unit)
        if spell.leaves_on is not None and spell.leaves_on < month_end:
            why = spell.leaves_because or "leaves"
            losses.append((spell.leaves_on, f"{p.name} {why} on {_day(spell.leaves_on)}"))
        elif not p.holds_on(target.pair, month_end):
            lapses = p.held_until(target.pair, data.as_of)
            while lapses is not None and p.holds_on(target.pair, lapses):
                lapses = p.held_until(target.pair, lapses)  # an existing booking renews it
            if lapses is not None:
                losses.append((lapses, f"{p.name}’s {target.label} lapses on {_day(lapses)}"))
    return max(losses)[1] if losses else None


def _reason(data: PlanInput, result: PlanResult, proposal: Proposal, person: PlanPerson) -> str:
    offering = next(o for o in data.offerings if o.id == proposal.offering_id)
    granted = offering.granted()
    counted = [
        (t, m)
        for t in data.targets
        if t.pair in granted
        for m in data.month_ends
        if person.in_unit_on(m, t.unit) and not person.holds_on(t.pair, m) and offering.counts_on(m)
    ]
    # The target kept at its minimum: without this booking it would be short then.
    for t, m in counted:
        minimum = t.minimums.get(m) or 0
        after = result.headcount_after[t.label][m]
        if minimum and after - 1 < minimum:
            cause = _cause(data, t, m, person.id)
            if cause:
                return f"keeps {t.label} at {after} after {cause}"
            return f"brings {t.label} up to {after} (minimum {minimum}) from {_day(m)}"
    for t, m in counted:
        if result.headcount_after[t.label][m] == 2:
            others = [
                p.name
                for p in data.people
                if p.id != person.id and p.in_unit_on(m, t.unit) and p.holds_on(t.pair, m)
            ]
            alone = f" on {others[0]} alone" if len(others) == 1 else " on one person"
            return f"keeps {t.label} from resting{alone} from {_day(m)}"
    needs = sorted(
        pair for pair in granted & set(person.needs) if not person.holds_on(pair, m_last(data))
    )
    if needs:
        cap, level = needs[0]
        return f"meets their role’s requirement {cap} L{level}"
    if counted:
        return f"adds to {counted[0][0].label}"
    return "counts toward the unit’s targets"


def m_last(data: PlanInput) -> date:
    return data.month_ends[-1] if data.month_ends else data.as_of


def explain(data: PlanInput, result: PlanResult) -> list[Explained]:
    people = {p.id: p for p in data.people}
    offerings = {o.id: o for o in data.offerings}
    out = []
    for proposal in result.proposals:
        person = people[proposal.person_id]
        offering = offerings[proposal.offering_id]
        out.append(
            Explained(
                proposal=proposal,
                person=person.name,
                offering=offering.title,
                starts_on=offering.starts_on,
                reason=_reason(data, result, proposal, person),
            )
        )
    return out


def explain_shortfalls(result: PlanResult) -> list[str]:
    """A target the budget cannot keep: which, from when, and what closing it would cost."""
    lines = []
    for s in result.shortfalls:
        text = f"{s.target.label} is short by up to {s.worst} from {_day(s.first_short)}"
        pounds = f"£{s.cost_to_close_pence / 100:,.2f}"
        n = s.bookings_to_close
        if not s.bookings_to_close:
            text += ": no offering in the horizon can close it"
        elif s.closable:
            text += f": closing it would take {n} booking{'s' if n != 1 else ''} costing {pounds}"
        else:
            text += (
                f": {n} booking{'s' if n != 1 else ''} costing {pounds} would narrow it;"
                " no offering ends early enough to close it"
            )
        lines.append(text)
    return lines
