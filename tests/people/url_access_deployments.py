"""Who may open each deployments: URL (format: tests/access.py).

Everyone with a login sees the log (their own deployments, or those in their scope). Recording
is for coordinators and people with their own record; confirming is for a coordinator of the
person. The Kent outsider never finds a Norfolk deployment (404)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.access import EVERYONE, Rule


def _officers_deployment(cast):
    from people.models import Deployment

    deployment = Deployment.objects.create(
        person=cast.officer,
        deployed_on=date(2025, 3, 1),
        hours=Decimal("4"),
        task="OSINT support",
        recorded_by=cast.officer_user,
    )
    return {"pk": deployment.pk}


RULES = {
    "deployments:list": Rule(allowed=EVERYONE),
    # Chief officers and leads read; they do not record (403). The Kent coordinator records for
    # Kent's people.
    "deployments:record": Rule(allowed=frozenset({"officer", "coordinator", "admin", "outsider"})),
    "deployments:detail": Rule(allowed=EVERYONE - {"outsider"}, kwargs=_officers_deployment),
    # The officer may not confirm their own deployment (403); a chief officer reads only (403).
    "deployments:confirm": Rule(
        allowed=frozenset({"coordinator", "admin"}), kwargs=_officers_deployment, method="post"
    ),
    # Rejecting: the same four eyes as confirming; GET is the page asking for the reason.
    "deployments:reject": Rule(
        allowed=frozenset({"coordinator", "admin"}), kwargs=_officers_deployment
    ),
}
