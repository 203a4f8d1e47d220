"""Inspection actions tracked to closure (docs/actions.md): who may see and change a force's
action plans, the services that change them, overdue reminders, side-by-side status, and
CSV/XLSX import and export (same rules as courses/imports/, whose file readers it reuses).
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from courses.exports import FORMULA_PREFIXES, neutralise_row
from courses.imports.services import (
    CellError,
    Handler,
    ImportFileError,
    ImportHasErrors,
    ImportPreview,
    ImportResult,
    forces_by_name,
    open_table,
    parse_date,
)
from people.models import Force, Grant, Person, Role, Unit, User
from skills.models import Expectation
from skills.models.actions import (
    Action,
    ActionEvidenceLink,
    ActionPlan,
    ActionReminderKind,
    ActionStatus,
    ActionUpdate,
)

EDITOR_ROLES = [Role.COORDINATOR, Role.CHIEF_OFFICER]
READER_ROLES = [Role.COORDINATOR, Role.CHIEF_OFFICER, Role.REGIONAL_LEAD, Role.NATIONAL_LEAD]
MAX_ACTION_ROWS = 20_000


# --- who may see and change ----------------------------------------------------------------


def _forces_for(user, roles) -> Q | None:
    """A filter on Force for the user's grants of ``roles``; None means every force."""
    if user.is_superuser:
        return None
    scope = Grant.objects.scope_for(user, roles=roles)
    if scope.everything:
        return None
    q = Q(pk__in=scope.force_ids) | Q(region_id__in=scope.region_ids)
    if scope.unit_ids:
        unit_ids = Unit.objects.descendant_ids(scope.unit_ids)
        q |= Q(pk__in=Unit.forces.through.objects.filter(unit_id__in=unit_ids).values("force_id"))
    return q


def forces_visible_to(user):
    """Forces whose action plans the user may read: coordinators, chief officers and leads
    within their scope."""
    if not user.is_authenticated:
        return Force.objects.none()
    q = _forces_for(user, READER_ROLES)
    if q is None:
        return Force.objects.all()
    if not Grant.objects.scope_for(user, roles=READER_ROLES).roles:
        return Force.objects.none()
    return Force.objects.filter(q)


def forces_editable_by(user):
    """Forces whose action plans the user may change: their coordinators and chief officers
    (regional and national leads read only)."""
    if not user.is_authenticated:
        return Force.objects.none()
    q = _forces_for(user, EDITOR_ROLES)
    if q is None:
        return Force.objects.all()
    if not Grant.objects.scope_for(user, roles=EDITOR_ROLES).roles:
        return Force.objects.none()
    return Force.objects.filter(q)


def may_read_actions(user) -> bool:
    return user.is_authenticated and (
        user.is_superuser or bool(Grant.objects.scope_for(user, roles=READER_ROLES).roles)
    )


def may_edit(user, force: Force) -> bool:
    return forces_editable_by(user).filter(pk=force.pk).exists()


def may_own(user, force: Force) -> bool:
    """Whether a login may own the force's action plans: an active login whose own record is
    in the force, or whose grants reach the force (a Kent login never owns Norfolk's)."""
    if not user.is_active:
        return False
    if Person.objects.filter(user=user, force=force).exists():
        return True
    return forces_visible_to(user).filter(pk=force.pk).exists()


def find_owner(*, force: Force, email: str) -> User | None:
    """The login that may own the force's plans, by email; None when there is no such login
    or it may not (the two read the same, so nothing is learned about other forces)."""
    email = (email or "").strip().lower()
    user = User.objects.filter(email__iexact=email).first() if email else None
    return user if user is not None and may_own(user, force) else None


def no_owner_message(force: Force, email: str) -> str:
    """Said alike for an unknown login and for one outside the force."""
    return f"no login with email {email} in {force.name}: the owner must have a login there"


def plans_visible_to(user):
    return ActionPlan.objects.filter(force__in=forces_visible_to(user))


def actions_visible_to(user):
    return Action.objects.filter(plan__force__in=forces_visible_to(user))


# --- services ------------------------------------------------------------------------------


@transaction.atomic
def create_plan(*, force: Force, expectation: Expectation, owner: User, by) -> ActionPlan:
    """A force's action plan for one expectation (one per force and expectation)."""
    plan = ActionPlan(force=force, expectation=expectation, owner=owner)
    plan._change_reason = "plan created"
    plan._history_user = by
    plan.save()
    return plan


@transaction.atomic
def change_owner(*, plan: ActionPlan, owner: User, by) -> ActionPlan:
    plan.owner = owner
    plan._change_reason = f"owner changed to {owner.email}"
    plan._history_user = by
    plan.save(update_fields=["owner"])
    return plan


@transaction.atomic
def add_action(*, plan: ActionPlan, reference: str, title: str, due_on: date, by) -> Action:
    action = Action(plan=plan, reference=reference, title=title, due_on=due_on)
    action._change_reason = "action added"
    action._history_user = by
    action.save()
    return action


@transaction.atomic
def add_update(
    *, action: Action, on: date, text: str, by, status: str | None = None
) -> ActionUpdate:
    """A dated progress note; with ``status``, the action moves to it (closing dates it)."""
    if status and status != action.status:
        label = ActionStatus(status).label.lower()
        text = f"Status: {label}. {text}".strip()
        action.status = status
        action.closed_on = on if status == ActionStatus.CLOSED else None
        action._change_reason = f"status {status}"
        action._history_user = by
        action.save(update_fields=["status", "closed_on"])
    return ActionUpdate.objects.create(action=action, on=on, text=text, by=by)


def add_evidence(
    *, action: Action, kind: str, unit_code: str, as_of: date, note: str, by
) -> ActionEvidenceLink:
    return ActionEvidenceLink.objects.create(
        action=action, kind=kind, unit_code=unit_code, as_of=as_of, note=note, added_by=by
    )


# --- overdue -------------------------------------------------------------------------------


def overdue_q(as_of: date) -> Q:
    """Actions overdue on ``as_of``: due date passed (``as_of > due_on``) and not closed."""
    return Q(due_on__lt=as_of) & ~Q(status=ActionStatus.CLOSED)


# Days before its due date that an owner is told an action is due soon (docs/reminders.md).
DUE_SOON_DAYS = 14


@dataclass(frozen=True)
class ActionReminderItem:
    """One thing to tell a plan's owner about one action: due soon, or overdue."""

    action_id: int
    owner_id: int
    email: str
    kind: str  # ActionReminderKind
    about_on: date  # the due date
    force: str
    expectation: str  # "HMICFRS 2019 AFI 1"
    reference: str
    title: str
    url: str

    @property
    def text(self) -> str:
        when = f"due {self.about_on:%-d %B %Y}"
        if self.kind == ActionReminderKind.OVERDUE:
            when += ", overdue"
        return f"{self.force}, {self.expectation}, action {self.reference}: {self.title} ({when})"


def action_reminders_due(as_of: date) -> list[ActionReminderItem]:
    """Every action not closed that is due within ``DUE_SOON_DAYS`` of ``as_of`` (due soon)
    or whose due date has passed (overdue), for owners with an active login. One query; the
    reminder command sends each (action, kind, due date) once."""
    rows = (
        Action.objects.exclude(status=ActionStatus.CLOSED)
        .filter(
            due_on__lte=as_of + timedelta(days=DUE_SOON_DAYS),
            plan__owner__is_active=True,
        )
        .exclude(plan__owner__email="")
        .select_related("plan__owner", "plan__force", "plan__expectation__inspection")
        .order_by("plan__owner__email", "due_on", "pk")
    )
    return [
        ActionReminderItem(
            action_id=action.pk,
            owner_id=action.plan.owner_id,
            email=action.plan.owner.email,
            kind=(
                ActionReminderKind.OVERDUE
                if action.is_overdue_on(as_of)
                else ActionReminderKind.DUE_SOON
            ),
            about_on=action.due_on,
            force=action.plan.force.name,
            expectation=str(action.plan.expectation),
            reference=action.reference,
            title=action.title,
            url=action.get_absolute_url(),
        )
        for action in rows
    ]


# --- status side by side -------------------------------------------------------------------


@dataclass(frozen=True)
class PlanStatus:
    """One force's status for one expectation; ``plan_id`` None: no plan recorded."""

    force: str
    force_code: str
    plan_id: int | None
    owner: str
    counts: dict
    overdue: int
    total: int

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)

    @property
    def opened(self) -> int:
        """Actions open and not yet started."""
        return self.count(ActionStatus.OPEN)

    @property
    def in_progress(self) -> int:
        return self.count(ActionStatus.IN_PROGRESS)

    @property
    def evidence_submitted(self) -> int:
        return self.count(ActionStatus.EVIDENCE_SUBMITTED)

    @property
    def closed(self) -> int:
        return self.count(ActionStatus.CLOSED)

    @property
    def open(self) -> int:
        """Actions not closed."""
        return self.total - self.closed


def status_by_force(*, user, expectation: Expectation, as_of: date) -> list[PlanStatus]:
    """Every force the user may read, side by side, for one expectation (three queries)."""
    forces = list(forces_visible_to(user).order_by("name"))
    plans = {
        p.force_id: p
        for p in ActionPlan.objects.filter(
            expectation=expectation, force__in=forces
        ).select_related("owner")
    }
    counts: dict[int, Counter] = defaultdict(Counter)
    overdue: Counter = Counter()
    rows = (
        Action.objects.filter(plan__in=plans.values())
        .values("plan__force_id", "status")
        .annotate(n=Count("pk"), late=Count("pk", filter=overdue_q(as_of)))
        .order_by()
    )
    for row in rows:
        counts[row["plan__force_id"]][row["status"]] += row["n"]
        overdue[row["plan__force_id"]] += row["late"]
    out = []
    for force in forces:
        plan = plans.get(force.pk)
        c = counts.get(force.pk, Counter())
        out.append(
            PlanStatus(
                force=force.name,
                force_code=force.code,
                plan_id=plan.pk if plan else None,
                owner=str(plan.owner) if plan else "",
                counts=dict(c),
                overdue=overdue[force.pk],
                total=sum(c.values()),
            )
        )
    return out


@dataclass(frozen=True)
class ExpectationActions:
    """One expectation's action status across the given forces, for the inspection pack:
    ``summary`` reads "no plan", "no actions", "closed", "overdue" or "open"."""

    expectation_id: int
    plans: tuple[PlanStatus, ...]

    @property
    def total(self) -> int:
        return sum(p.total for p in self.plans)

    @property
    def closed(self) -> int:
        return sum(p.closed for p in self.plans)

    @property
    def overdue(self) -> int:
        return sum(p.overdue for p in self.plans)

    @property
    def summary(self) -> str:
        if not self.plans:
            return "no plan"
        if not self.total:
            return "no actions"
        if self.closed == self.total:
            return "closed"
        return "overdue" if self.overdue else "open"


def action_status_for_pack(*, force_ids, as_of: date) -> dict[int, ExpectationActions]:
    """Action status by expectation id for the forces of a pack (two queries); an expectation
    without a plan in those forces is absent (read it as "no plan")."""
    plans = list(ActionPlan.objects.filter(force_id__in=force_ids).select_related("force", "owner"))
    counts: dict[int, Counter] = defaultdict(Counter)
    overdue: Counter = Counter()
    for row in (
        Action.objects.filter(plan__in=plans)
        .values("plan_id", "status")
        .annotate(n=Count("pk"), late=Count("pk", filter=overdue_q(as_of)))
        .order_by()
    ):
        counts[row["plan_id"]][row["status"]] += row["n"]
        overdue[row["plan_id"]] += row["late"]
    by_expectation: dict[int, list[PlanStatus]] = defaultdict(list)
    for plan in sorted(plans, key=lambda p: p.force.name):
        c = counts.get(plan.pk, Counter())
        by_expectation[plan.expectation_id].append(
            PlanStatus(
                force=plan.force.name,
                force_code=plan.force.code,
                plan_id=plan.pk,
                owner=str(plan.owner),
                counts=dict(c),
                overdue=overdue[plan.pk],
                total=sum(c.values()),
            )
        )
    return {
        pk: ExpectationActions(expectation_id=pk, plans=tuple(lines))
        for pk, lines in by_expectation.items()
    }


# --- export --------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "force",
    "inspection",
    "expectation",
    "owner",
    "action",
    "title",
    "due_on",
    "status",
    "closed_on",
    "overdue",
    "last_update",
]


def export_rows(actions, as_of: date):
    """Header then one row per action, every text cell neutralised against formulas."""
    yield EXPORT_COLUMNS
    latest: dict[int, ActionUpdate] = {}
    for update in ActionUpdate.objects.filter(action__in=actions).order_by("action_id", "on", "pk"):
        latest[update.action_id] = update
    for a in actions.select_related(
        "plan__force", "plan__owner", "plan__expectation__inspection"
    ).order_by("plan__expectation__inspection__code", "plan__expectation__pk", "reference"):
        last = latest.get(a.pk)
        yield neutralise_row(
            [
                a.plan.force.code,
                a.plan.expectation.inspection.code,
                a.plan.expectation.reference,
                a.plan.owner.email,
                a.reference,
                a.title,
                a.due_on.isoformat(),
                a.status,
                a.closed_on.isoformat() if a.closed_on else "",
                "yes" if a.is_overdue_on(as_of) else "no",
                f"{last.on.isoformat()}: {last.text}" if last else "",
            ]
        )


def export_csv(actions, as_of: date) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in export_rows(actions, as_of):
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_xlsx(actions, as_of: date) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Actions")
    for row in export_rows(actions, as_of):
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- import --------------------------------------------------------------------------------

STATUS_WORDS = {
    **{s.value: s.value for s in ActionStatus},
    **{s.label.lower(): s.value for s in ActionStatus},
    "in-progress": ActionStatus.IN_PROGRESS,
    "complete": ActionStatus.CLOSED,
    "completed": ActionStatus.CLOSED,
    "done": ActionStatus.CLOSED,
}


def _unneutralised(text: str) -> str:
    """The text without the ``'`` that an export puts before a formula-looking cell, so that
    an exported file imports back unchanged."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


class ActionHandler(Handler):
    """Rows of actions: force, inspection + expectation reference, owner email, the action's
    own reference, title, due date, status."""

    columns = {
        "force": ("force_code", "force_name"),
        "inspection": ("inspection_code", "source"),
        "expectation": ("expectation_reference", "paragraph", "recommendation", "afi"),
        "owner": ("owner_email", "plan_owner"),
        "action": ("action_reference", "action_ref", "action_no", "ref"),
        "title": ("action_title", "description", "what"),
        "due_on": ("due", "due_date", "deadline"),
        "status": ("action_status",),
        "closed_on": ("closed", "date_closed"),
    }
    required = ("force", "inspection", "expectation", "owner", "action", "title", "due_on")

    def check_header(self) -> None:
        missing = [name for name in self.required if name not in self.index]
        if missing:
            raise ImportFileError(
                f"{self.filename} has no {', '.join(missing)} column"
                f"{'' if len(missing) == 1 else 's'}: see docs/actions.md for the columns"
            )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.forces = forces_by_name()
        self.editable = set(forces_editable_by(self.user).values_list("pk", flat=True))
        self.expectations = {
            (e.inspection.code.lower(), e.reference.lower()): e
            for e in Expectation.objects.select_related("inspection")
        }
        self.rows: list[tuple[int, dict]] = []

    def process(self, chunk):
        self.rows.extend(chunk)

    def parse(self, row: int, cells: dict):
        errors = []
        force = self.forces.get(str(cells["force"]).strip().lower())
        if force is None:
            errors.append(CellError("force", f"no force “{cells['force']}”"))
        elif force.pk not in self.editable:
            errors.append(CellError("force", f"you cannot change {force.name}'s actions"))
        key = (str(cells["inspection"]).strip().lower(), str(cells["expectation"]).strip().lower())
        expectation = self.expectations.get(key)
        if expectation is None:
            errors.append(
                CellError(
                    "expectation",
                    f"no expectation {cells['expectation']} in inspection {cells['inspection']}",
                )
            )
        reference = _unneutralised(str(cells["action"]).strip())
        if not reference:
            errors.append(CellError("action", "is blank: give the action's reference"))
        elif len(reference) > 20:
            errors.append(CellError("action", "is longer than 20 characters"))
        title = _unneutralised(str(cells["title"]).strip())
        if not title:
            errors.append(CellError("title", "is blank"))
        elif len(title) > 300:
            errors.append(CellError("title", "is longer than 300 characters"))
        due_on = closed_on = None
        try:
            due_on = parse_date(cells["due_on"], "due_on")
        except CellError as error:
            errors.append(error)
        status = ActionStatus.OPEN
        raw_status = str(cells.get("status", "") or "").strip().lower()
        if raw_status:
            status = STATUS_WORDS.get(raw_status)
            if status is None:
                errors.append(
                    CellError(
                        "status",
                        f"“{raw_status}”: use open, in progress, evidence submitted or closed",
                    )
                )
        if self.has("closed_on"):
            try:
                closed_on = parse_date(cells["closed_on"], "closed_on", required=False)
            except CellError as error:
                errors.append(error)
        owner_email = str(cells["owner"]).strip().lower()
        if not owner_email:
            errors.append(CellError("owner", "is blank: give the owner's login email"))
        parsed = {
            "force": force,
            "expectation": expectation,
            "owner_email": owner_email,
            "reference": reference,
            "title": title,
            "due_on": due_on,
            "status": status,
            "closed_on": closed_on,
        }
        return parsed, errors

    def finish(self) -> None:
        parsed_rows = []
        for row, cells in self.rows:
            parsed, errors = self.parse(row, cells)
            for error in errors:
                self.error(row, error.column, error.message)
            parsed_rows.append((row, parsed, not errors))
        # One look-up per (force, owner) pair: a file names a handful of owners.
        owners: dict[tuple[int, str], User | None] = {}
        for _, p, _ in parsed_rows:
            if p["owner_email"] and p.get("force") is not None:
                key = (p["force"].pk, p["owner_email"])
                if key not in owners:
                    owners[key] = find_owner(force=p["force"], email=p["owner_email"])
        good = []
        seen: dict[tuple, int] = {}
        plan_owner: dict[tuple, str] = {}
        for row, p, ok in parsed_rows:
            force = p.get("force")
            editable = force is not None and force.pk in self.editable
            if editable and p["owner_email"] and owners[(force.pk, p["owner_email"])] is None:
                self.error(row, "owner", no_owner_message(force, p["owner_email"]))
                ok = False
            if not ok:
                continue
            plan_key = (p["force"].pk, p["expectation"].pk)
            key = (*plan_key, p["reference"].lower())
            if key in seen:
                self.error(row, "action", f"action {p['reference']} is also on row {seen[key]}")
                continue
            seen[key] = row
            if plan_owner.setdefault(plan_key, p["owner_email"]) != p["owner_email"]:
                self.error(row, "owner", "another row gives this plan a different owner")
                continue
            good.append((row, p))
        plans = {
            (pl.force_id, pl.expectation_id): pl
            for pl in ActionPlan.objects.filter(
                force_id__in={p["force"].pk for _, p in good}
            ).select_related("owner")
        }
        existing = {
            (a.plan_id, a.reference.lower()): a
            for a in Action.objects.filter(plan__in=list(plans.values()))
        }
        write = self.writing()
        new_plans: set[tuple] = set()
        for row, p in good:
            owner = owners[(p["force"].pk, p["owner_email"])]
            plan_key = (p["force"].pk, p["expectation"].pk)
            plan = plans.get(plan_key)
            label = f"{p['force'].name}, {p['expectation']}, action {p['reference']}"
            notes = []
            if plan is None and plan_key not in new_plans:
                new_plans.add(plan_key)
                notes.append("new plan")
                if write:
                    plan = create_plan(
                        force=p["force"], expectation=p["expectation"], owner=owner, by=self.user
                    )
                    plans[plan_key] = plan
            elif plan is not None and plan.owner_id != owner.pk:
                notes.append(f"owner {plan.owner.email} → {owner.email}")
                if write:
                    change_owner(plan=plan, owner=owner, by=self.user)
            current = existing.get((plan.pk, p["reference"].lower())) if plan else None
            if current is None:
                self.preview.create(row, f"{label} ({', '.join(['new action', *notes])})")
                if write:
                    current = Action(plan=plan, reference=p["reference"])
                    self._apply(current, p)
                continue
            changes = self._changes(current, p)
            if changes or notes:
                self.preview.change(row, f"{label}: {', '.join([*notes, *changes])}")
                if write and changes:
                    self._apply(current, p)
            else:
                self.preview.leave(row, label)

    @staticmethod
    def _closed_on(current: Action, p: dict) -> date | None:
        if p["status"] != ActionStatus.CLOSED:
            return None
        return p["closed_on"] or current.closed_on or timezone.localdate()

    def _changes(self, current: Action, p: dict) -> list[str]:
        changes = []
        if current.title != p["title"]:
            changes.append("title")
        if current.due_on != p["due_on"]:
            changes.append(f"due {current.due_on} → {p['due_on']}")
        if current.status != p["status"]:
            changes.append(f"status {current.status} → {p['status']}")
        if self._closed_on(current, p) != current.closed_on:
            changes.append("closed on")
        return changes

    def _apply(self, action: Action, p: dict) -> None:
        action.closed_on = self._closed_on(action, p)
        action.title = p["title"]
        action.due_on = p["due_on"]
        action.status = p["status"]
        action._change_reason = self.reason
        action._history_user = self.user
        action.save()


def _run_actions(fileobj, *, filename: str, user, write: bool) -> ImportPreview:
    if not forces_editable_by(user).exists():
        raise ImportFileError("Only a coordinator or chief officer can import actions")
    table = open_table(fileobj, filename)
    try:
        preview = ImportPreview(kind="actions", filename=filename)
        handler = ActionHandler(user=user, preview=preview, write=write, filename=filename)
        handler.bind(table.header)
        preview.ignored_columns = handler.ignored
        for number, values in table.rows():
            preview.rows += 1
            if preview.rows > MAX_ACTION_ROWS:
                raise ImportFileError(
                    f"{filename} has more than {MAX_ACTION_ROWS:,} rows: split it up"
                )
            handler.process([(number, handler.cells(values))])
        if preview.rows == 0:
            raise ImportFileError(f"{filename} has a header row but no rows to import")
        handler.finish()
        preview.errors.sort(key=lambda error: error.row)
        return preview
    finally:
        table.close()


def preview_actions(fileobj, *, filename: str, user) -> ImportPreview:
    """Reads and checks the whole file; writes nothing."""
    return _run_actions(fileobj, filename=filename, user=user, write=False)


def import_actions(fileobj, *, filename: str, user) -> ImportResult:
    """Every row or none: raises ImportHasErrors (nothing written) if any row is bad."""
    with transaction.atomic():
        preview = _run_actions(fileobj, filename=filename, user=user, write=False)
        if preview.errors:
            raise ImportHasErrors(preview)
        fileobj.seek(0)
        preview = _run_actions(fileobj, filename=filename, user=user, write=True)
        if preview.errors:
            raise ImportHasErrors(preview)
    return ImportResult(
        kind="actions",
        filename=filename,
        rows=preview.rows,
        created=preview.created,
        changed=preview.changed,
        unchanged=preview.unchanged,
    )
