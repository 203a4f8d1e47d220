"""The SCIM filters the register answers (django-scim2's USER_FILTER_PARSER). Kept apart from
scim.py: django-scim2 imports the parser while its adapters module loads."""

from __future__ import annotations

import re

from people.identity.models import ScimIdentity

FILTER = re.compile(r'^\s*(?P<attr>[\w.:]+)\s+(?P<op>eq|sw|co)\s+"(?P<value>(?:[^"\\]|\\.)*)"\s*$')
FILTER_FIELDS = {
    "username": "user_name",
    "externalid": "external_id",
    "emails.value": "user__email",
    "emails": "user__email",
    "id": "scim_id",
}


class ScimFilter:
    """``attr eq|sw|co "value"`` on userName, externalId, emails.value or id: what directories
    (Entra ID among them) send to find a user before creating it."""

    attr_map: dict = {}

    @classmethod
    def search(cls, query, request):
        match = FILTER.match(query or "")
        if not match:
            raise ValueError(f"unsupported filter {query!r}")
        attr = match["attr"].rsplit(":", 1)[-1].lower()
        field = FILTER_FIELDS.get(attr)
        if field is None:
            raise ValueError(f"cannot filter on {match['attr']!r}")
        lookup = {"eq": "iexact", "sw": "istartswith", "co": "icontains"}[match["op"]]
        value = match["value"].replace('\\"', '"')
        return ScimIdentity.objects.select_related("user").filter(
            force_id=request.scim_force.pk,
            deprovisioned_at=None,
            **{f"{field}__{lookup}": value},
        )
