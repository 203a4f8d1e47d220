"""Who may do what. Views ask these helpers; querysets' ``visible_to`` say what may be seen.

The one rule for which units a grant covers (DESIGN.md, docs/access.md) is ``covered_unit_ids``:
every page, pack, evaluation and overview asks it, through ``Unit.objects.visible_to``,
``units_overseen_by``, ``units_of_force`` and ``units_of_region``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from people.models import Force, Grant, Region, Role, Scope, Unit

# Roles that see other people's records (read-only unless they coordinate).
OVERSIGHT_ROLES = {
    Role.COORDINATOR,
    Role.CHIEF_OFFICER,
    Role.REGIONAL_LEAD,
    Role.NATIONAL_LEAD,
}


# --- which units a grant covers -------------------------------------------------------------


def covered_unit_ids(*, unit_ids=(), force_ids=(), region_ids=()) -> set[int]:
    """The units covered by grants over these units, forces and regions (DESIGN.md):

    - a unit: that unit;
    - a force: every unit the force is a member of (joint units included);
    - a region: every unit of the region, and every unit with a member force in the region
      (so a joint unit spanning two regions is covered by both);

    and, for each, every unit inside them at any depth. One query over the unit tree and its
    member forces (units number in the thousands at most)."""
    unit_ids, force_ids, region_ids = set(unit_ids), set(force_ids), set(region_ids)
    if not (unit_ids or force_ids or region_ids):
        return set()
    roots: set[int] = set()
    children: dict[int | None, set[int]] = {}
    rows = Unit.objects.values_list("pk", "parent_id", "region_id", "forces", "forces__region")
    for pk, parent, region, force, force_region in rows:
        children.setdefault(parent, set()).add(pk)
        if (
            pk in unit_ids
            or region in region_ids
            or (force is not None and (force in force_ids or force_region in region_ids))
        ):
            roots.add(pk)
    covered, stack = set(roots), list(roots)
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in covered:
                covered.add(child)
                stack.append(child)
    return covered


def units_covered_by(scope: Scope):
    """Units a user's grants (a ``Scope``) cover; every unit for a grant over everything."""
    if scope.everything:
        return Unit.objects.all()
    return Unit.objects.filter(
        pk__in=covered_unit_ids(
            unit_ids=scope.unit_ids, force_ids=scope.force_ids, region_ids=scope.region_ids
        )
    )


def units_overseen_by(user, roles=None):
    """Units whose coverage, evaluation and report the user oversees through grants of
    ``roles`` (oversight roles by default): everything for a superuser, none for an officer
    with no grant. Being posted to a unit is not overseeing it."""
    if not user.is_authenticated:
        return Unit.objects.none()
    if user.is_superuser:
        return Unit.objects.all()
    scope = Grant.objects.scope_for(user, roles=roles or OVERSIGHT_ROLES)
    if not scope.roles:
        return Unit.objects.none()
    return units_covered_by(scope)


# Who may download a force's or region's inspection pack.
PACK_ROLES = [Role.CHIEF_OFFICER, Role.REGIONAL_LEAD, Role.NATIONAL_LEAD]


def _pack_scope(user) -> Scope | None:
    """The user's pack grants (None: a superuser); PermissionDenied when they hold none."""
    if user.is_superuser:
        return None
    scope = Grant.objects.scope_for(user, roles=PACK_ROLES)
    if not scope.roles:
        raise PermissionDenied
    return scope


def forces_packed_for(user):
    """Forces whose pack the user may draw: those granted, and the forces of granted regions.
    PermissionDenied when the user holds no pack role."""
    scope = _pack_scope(user)
    if scope is None or scope.everything:
        return Force.objects.all()
    return Force.objects.filter(Q(pk__in=scope.force_ids) | Q(region_id__in=scope.region_ids))


def regions_packed_for(user):
    """Regions whose pack the user may draw (PermissionDenied: no pack role)."""
    scope = _pack_scope(user)
    if scope is None or scope.everything:
        return Region.objects.all()
    return Region.objects.filter(pk__in=scope.region_ids)


def units_of_force(force):
    """The units a grant over ``force`` covers (its inspection pack's units)."""
    return Unit.objects.filter(pk__in=covered_unit_ids(force_ids=[force.pk]))


def units_of_region(region):
    """The units a grant over ``region`` covers (its inspection pack's units)."""
    return Unit.objects.filter(pk__in=covered_unit_ids(region_ids=[region.pk]))


# --- roles ----------------------------------------------------------------------------------


def roles_of(user) -> set[str]:
    """The user's roles: granted ones, plus ``officer`` when they have their own record."""
    if not user.is_authenticated:
        return set()
    roles = set(Grant.objects.scope_for(user).roles)
    if getattr(user, "person", None) is not None:
        roles.add(Role.OFFICER)
    return roles


def has_oversight(user) -> bool:
    """Whether the user sees anyone's records but their own."""
    return user.is_superuser or bool(roles_of(user) & OVERSIGHT_ROLES)


def can_coordinate(user, person=None) -> bool:
    """Whether the user may change records: of ``person``, or of anyone at all."""
    if user.is_superuser:
        return True
    if not Grant.objects.scope_for(user, roles=[Role.COORDINATOR]).roles:
        return False
    if person is None:
        return True
    from people.models import Person

    return Person.objects.coordinated_by(user).filter(pk=person.pk).exists()


def navigation_for(request) -> list[dict]:
    """Service navigation for the user's roles: label, href, and whether it is the current
    section (the longest matching path prefix)."""
    user = request.user
    roles = roles_of(user)
    oversight = has_oversight(user)
    wanted = [("Home", "home", True)]
    wanted.append(("Your pathway", "me:pathway", Role.OFFICER in roles))
    wanted.append(("Coverage", "coverage:overview", oversight))
    wanted.append(("People", "people:person_list", oversight))
    wanted.append(("Units", "people:unit_list", True))
    wanted.append(("Activities", "courses:activity_list", True))
    wanted.append(("Verification", "courses:verification_queue", can_coordinate(user)))
    wanted.append(("Deployments", "deployments:list", oversight or Role.OFFICER in roles))
    wanted.append(("Directory", "directory:search", oversight))
    wanted.append(("Actions", "actions:index", oversight))
    wanted.append(("Admin", "admin:index", user.is_staff))
    items = []
    for label, url_name, shown in wanted:
        if not shown:
            continue
        try:
            href = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "href": href, "active": False})
    path = request.path
    matches = [
        i for i in items if path == i["href"] or (i["href"] != "/" and path.startswith(i["href"]))
    ]
    if not matches:
        # Pages reached from a section but living outside its path: first label present wins.
        for prefix, labels in SECTION_OF.items():
            if path.startswith(prefix):
                matches = [i for label in labels for i in items if i["label"] == label][:1]
                break
    if matches:
        max(matches, key=lambda i: len(i["href"]))["active"] = True
    return items


SECTION_OF = {
    "/completions/cohort/": ("Activities",),
    "/imports/": ("Activities",),
    "/offerings/": ("Activities",),
    "/bookings/": ("Activities",),
    "/completions/": ("Verification", "Your pathway", "People"),
    "/evaluation/": ("Units",),
    "/directory/my-entry/": ("Your pathway",),
    "/people/": ("Your pathway",),
}
