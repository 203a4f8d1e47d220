"""Who may open each me: URL (format: tests/access.py).

The pathway and reminders pages answer every signed-in user (a friendly page for those
without a person record); the own statement and export need a person record (404 without);
another person's statement and export follow ``Person.objects.visible_to``."""

from __future__ import annotations

from tests.access import EVERYONE, Rule

NORFOLK_READERS = frozenset(
    {"coordinator", "chief_officer", "regional_lead", "national_lead", "admin"}
)
OWN_RECORD = frozenset({"officer"})


def _colleague(cast):
    return {"pk": cast.colleague.pk}


RULES = {
    "me:pathway": Rule(allowed=EVERYONE),
    "me:reminders": Rule(allowed=EVERYONE),
    "me:statement": Rule(allowed=OWN_RECORD),
    "me:export": Rule(allowed=OWN_RECORD),
    # The officer is refused a colleague's record (404); the Kent outsider any Norfolk one.
    "me:person_statement": Rule(allowed=NORFOLK_READERS, kwargs=_colleague),
    "me:person_export": Rule(allowed=NORFOLK_READERS, kwargs=_colleague),
}
