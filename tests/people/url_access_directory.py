"""Who may open each directory: URL (format: tests/access.py).

Coordinators and leads of any force search the directory and open entries (officers 403); a
request is seen by its requester and the person's coordinators only (the Norfolk coordinator
asked for the Kent special, whom the Kent outsider coordinates); a person's own entry pages
need a person record (404 without)."""

from __future__ import annotations

from tests.access import Rule

SEARCHERS = frozenset(
    {"coordinator", "chief_officer", "regional_lead", "national_lead", "admin", "outsider"}
)
OWN_RECORD = frozenset({"officer"})


def _listed(cast):
    from people.directory import services as directory

    directory.give_consent(person=cast.kent_person, by=cast.outsider)
    return {"pk": cast.kent_person.pk}


def _request(cast):
    from people.directory import services as directory

    _listed(cast)
    req = directory.request_help(person_id=cast.kent_person.pk, by=cast.coordinator, message="Help")
    return {"pk": req.pk}


RULES = {
    "directory:search": Rule(allowed=SEARCHERS),
    "directory:entry": Rule(allowed=SEARCHERS, kwargs=_listed),
    # An empty POST is refused with 400 (no message); officers get 403.
    "directory:request_help": Rule(allowed=SEARCHERS, kwargs=_listed, method="post"),
    "directory:requests": Rule(allowed=SEARCHERS),
    "directory:request_detail": Rule(
        allowed=frozenset({"coordinator", "outsider", "admin"}), kwargs=_request
    ),
    "directory:my_entry": Rule(allowed=OWN_RECORD),
    "directory:my_views": Rule(allowed=OWN_RECORD),
}
