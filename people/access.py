"""Who may do what. Views ask these helpers; querysets' ``visible_to`` say what may be seen."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from people.models import Grant, Role

# Roles that see other people's records (read-only unless they coordinate).
OVERSIGHT_ROLES = {
    Role.COORDINATOR,
    Role.CHIEF_OFFICER,
    Role.REGIONAL_LEAD,
    Role.NATIONAL_LEAD,
}


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
    "/completions/": ("Verification", "Your pathway", "People"),
    "/evaluation/": ("Units",),
    "/directory/my-entry/": ("Your pathway",),
    "/people/": ("Your pathway",),
}
